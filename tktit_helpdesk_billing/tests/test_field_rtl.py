# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The field operator's tablet in the operator's language and writing direction:
``<html dir="rtl" lang="fa-IR">`` for a Persian operator, ``dir="ltr"`` for an English
one; what the scripts say is rendered by the server in #o_field_i18n (translated like
any text of the page, English the scripts' fallback); field.css has no left or right.

The test database has no Persian: it is activated here, with this addon's fa.po. Odoo
11 ships fa_IR written left to right (its res.lang data says so); the tests make it
what it is, right to left. The scripts' texts are newer than fa.po: the tests give them
their Persian as a translator would (ir.translation of the view's terms)."""
import html
import re

from odoo import fields
from odoo.modules.module import get_module_resource
from odoo.tests.common import at_install, post_install

from odoo.addons.tktit_helpdesk.tests.fixtures import new_user, set_state
from odoo.addons.tktit_helpdesk.tests.helpdesk_common import HelpdeskHttpCase

from .field_common import FIELD_OPERATOR

HTML_TAG = re.compile(r"<html\b[^>]*>")
DICTIONARY = re.compile(r'<div id="o_field_i18n" hidden="hidden">(.*?)\n\s*</div>\s*<script',
                        re.S)
ENTRY = re.compile(r'<div data-key="(\w+)">(.*?)</div>', re.S)
# t("key", "English" + "more English"...) in the scripts
JS_TEXT = re.compile(r'\bt\(\s*"(\w+)",\s*((?:"(?:[^"\\]|\\.)*"\s*\+?\s*)+)[,)]')
JS_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')
SCRIPTS = ("field_app.js", "field_signature.js")
PERSIAN = {
    "Online": "آنلاین",
    "{count} signatures are waiting to be sent": "{count} امضا در انتظار ارسال است",
    "Remove the signature of {name} from this tablet?": "امضای {name} از این تبلت حذف شود؟",
    "Sending…": "در حال ارسال…",
    # no Persian (yet): the script's English
    "This browser cannot keep the visits offline.": None,
}


def persian(env):
    """fa_IR, active, right to left, with this addon's Persian (fa.po)."""
    env["ir.translation"].load_module_terms(["tktit_helpdesk_billing"], ["fa_IR"])
    lang = env["res.lang"].search([("code", "=", "fa_IR")])
    if lang.direction != "rtl":
        lang.write({"direction": "rtl"})
    return lang


def script_texts():
    """{key: English} of what the tablet's scripts say through t()."""
    texts = {}
    for name in SCRIPTS:
        path = get_module_resource("tktit_helpdesk_billing", "static", "src", "js", name)
        with open(path, encoding="utf-8") as script:
            source = script.read()
        for key, literals in JS_TEXT.findall(source):
            texts[key] = "".join(JS_LITERAL.findall(literals))
    return texts


@at_install(False)
@post_install(True)
class TestFieldRtl(HelpdeskHttpCase):

    def setUp(self):
        super(TestFieldRtl, self).setUp()
        persian(self.env)
        self.operator_fa = new_user(self.env, "fo.persian", [FIELD_OPERATOR],
                                    password="fo.persian", lang="fa_IR")
        self.operator_en = new_user(self.env, "fo.english", [FIELD_OPERATOR],
                                    password="fo.english", lang="en_US")
        self.queue.member_ids |= self.operator_fa | self.operator_en
        self.visit_fa = self.visit(self.operator_fa)
        self.visit_en = self.visit(self.operator_en)
        self.checkpoint()

    def visit(self, operator):
        ticket = self.new_ticket(is_field=True, visit_date=fields.Datetime.now())
        return set_state(ticket, "in_progress", user_id=operator.id)

    def page(self, path):
        self.checkpoint()
        try:
            page = self.opener.get(self.url(path), timeout=60)
        finally:
            self.env.cache.invalidate()
        self.assertEqual(page.status_code, 200, "%s must open: %s" % (path, page.status_code))
        return page.text

    def html_tag(self, text):
        tag = HTML_TAG.search(text)
        self.assertTrue(tag, "an HTML page")
        return tag.group(0)

    def dictionary(self, text):
        block = DICTIONARY.search(text)
        self.assertTrue(block, "the page carries the scripts' texts")
        return {key: " ".join(html.unescape(value).split())
                for key, value in ENTRY.findall(block.group(1))}

    def translate(self, terms):
        """Persian for ``terms`` of the layout, as a translator gives it (None: none)."""
        view = self.env.ref("tktit_helpdesk_billing.field_layout")
        Translation = self.env["ir.translation"]
        for src, value in terms.items():
            existing = Translation.search([
                ("name", "=", "ir.ui.view,arch_db"), ("res_id", "=", view.id),
                ("lang", "=", "fa_IR"), ("src", "=", src)])
            existing.unlink()
            if value is None:
                continue
            Translation.create({
                "type": "model", "name": "ir.ui.view,arch_db", "res_id": view.id,
                "lang": "fa_IR", "src": src, "value": value, "state": "translated",
                "module": "tktit_helpdesk_billing"})
        self.checkpoint()

    # ----------------------------------------------------------- direction
    def test_persian_operator_reads_right_to_left(self):
        self.authenticate(self.operator_fa.login, self.operator_fa.login)
        for path in ("/field", "/field/ticket/%d" % self.visit_fa.id):
            tag = self.html_tag(self.page(path))
            self.assertIn('dir="rtl"', tag, "%s: a Persian operator's page is right to left"
                          % path)
            self.assertIn('lang="fa-IR"', tag, path)

    def test_english_operator_reads_left_to_right(self):
        self.authenticate(self.operator_en.login, self.operator_en.login)
        for path in ("/field", "/field/ticket/%d" % self.visit_en.id):
            tag = self.html_tag(self.page(path))
            self.assertIn('dir="ltr"', tag, "%s: an English operator's page is left to right"
                          % path)
            self.assertIn('lang="en-US"', tag, path)

    def test_persian_operator_reads_jalali_dates_and_persian_digits(self):
        """The messages, the incident history, the visit and the timer in the operator's
        calendar; an English operator keeps Gregorian dates."""
        self.visit_fa.message_post(body="Site access from 9:00", message_type="comment",
                                   subtype="mail.mt_comment")
        self.authenticate(self.operator_fa.login, self.operator_fa.login)
        text = self.page("/field/ticket/%d" % self.visit_fa.id)
        messages = text[text.index("o_field_message_list"):text.index("o_field_history")]
        self.assertRegex(messages, r"[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2} [۰-۹]{2}:[۰-۹]{2}",
                         "a message's date in the Jalali calendar, Persian digits")
        self.assertNotRegex(messages, r"\b[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}\b",
                            "no Gregorian day/month left")
        self.assertRegex(self.page("/field"), r"[۰-۹]{2}:[۰-۹]{2}",
                         "the visit's time in Persian digits")
        self.authenticate(self.operator_en.login, self.operator_en.login)
        text = self.page("/field/ticket/%d" % self.visit_en.id)
        self.assertNotRegex(text, r"[۰-۹]", "an English operator reads Western digits")

    # ------------------------------------------------------ the scripts' texts
    def test_every_script_text_is_rendered_in_english_as_the_scripts_fall_back(self):
        self.authenticate(self.operator_en.login, self.operator_en.login)
        texts = self.dictionary(self.page("/field/ticket/%d" % self.visit_en.id))
        expected = script_texts()
        self.assertGreater(len(expected), 20, "the scripts' texts were found: %s" % expected)
        for key, english in expected.items():
            self.assertIn(key, texts, "the page has the script's text %r" % key)
            self.assertEqual(texts[key], english,
                             "%r: the page's English is the script's fallback" % key)
        self.assertIn("{count}", texts["outbox_title_many"], "placeholders stay for the script")

    def test_script_texts_are_translated_for_a_persian_operator(self):
        self.translate(PERSIAN)
        self.authenticate(self.operator_fa.login, self.operator_fa.login)
        page = self.page("/field")
        texts = self.dictionary(page)
        self.assertEqual(texts["online"], "آنلاین")
        self.assertEqual(texts["outbox_title_many"], "{count} امضا در انتظار ارسال است",
                         "translated, the placeholder kept for the script")
        self.assertEqual(texts["outbox_drop_confirm"], "امضای {name} از این تبلت حذف شود؟")
        self.assertEqual(texts["sending"], "در حال ارسال…")
        # a text with no Persian yet stays English, the script's own fallback
        self.assertEqual(texts["no_offline"], script_texts()["no_offline"])
        # the layout's own words come from fa.po
        self.assertIn("خروج", page, "the header's 'Log out' in Persian (fa.po)")
        # and an English operator still reads English
        self.authenticate(self.operator_en.login, self.operator_en.login)
        self.assertEqual(self.dictionary(self.page("/field"))["online"], "Online")

    # ------------------------------------------------------------- field.css
    def test_field_css_has_no_left_or_right(self):
        path = get_module_resource("tktit_helpdesk_billing", "static", "src", "css",
                                   "field.css")
        with open(path, encoding="utf-8") as sheet:
            css = re.sub(r"/\*.*?\*/", "", sheet.read(), flags=re.S)
        physical = re.findall(
            r"(?:margin|padding|border)-(?:left|right)[\w-]*\s*:|(?<![\w-])(?:left|right)\s*:"
            r"|text-align\s*:\s*(?:left|right)|float\s*:\s*(?:left|right)", css)
        self.assertEqual(physical, [], "one stylesheet for both directions: logical "
                                       "properties only")
        self.assertIn("margin-inline-start", css)
        self.assertIn("inset-inline-start", css)
        self.assertRegex(css, r'\[dir="rtl"\] \.o_field_icon_back \{[^}]*scaleX\(-1\)',
                         "the back arrow points back in either direction")
