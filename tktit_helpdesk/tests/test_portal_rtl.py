# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The portal in the reader's writing direction: a Persian customer's pages are
``<html dir="rtl" lang="fa-IR">``, an English customer's ``dir="ltr"``, and the portal's
stylesheet carries the right-to-left rules (portal_layout_templates.xml,
static/src/less/portal_rtl.less).

The test database has no Persian: it is activated here. Odoo 11 ships fa_IR written
left to right (its res.lang data says so); the tests make it what it is, right to left."""
import os
import re
import subprocess

from odoo.modules.module import get_module_resource, get_resource_path
from odoo.tests.common import TransactionCase, at_install, post_install
from odoo.tools.misc import find_in_path

from .helpdesk_common import HelpdeskHttpCase

HTML_TAG = re.compile(r"<html\b[^>]*>")
RTL_LESS = "/tktit_helpdesk/static/src/less/portal_rtl.less"


def read(path):
    with open(path) as source:
        return source.read()


def persian(env):
    """fa_IR, active and right to left."""
    lang = env["res.lang"].with_context(active_test=False).search([("code", "=", "fa_IR")])
    if not lang.active:
        env["res.lang"].load_lang("fa_IR")
        lang = env["res.lang"].search([("code", "=", "fa_IR")])
    if lang.direction != "rtl":
        lang.write({"direction": "rtl"})
    return lang


@at_install(False)
@post_install(True)
class TestPortalRtl(HelpdeskHttpCase):

    def setUp(self):
        super(TestPortalRtl, self).setUp()
        persian(self.env)
        self.customer_a.write({"lang": "fa_IR"})
        self.customer_b.write({"lang": "en_US"})
        self.ticket_a = self.new_ticket(name="Printer on floor 2 is offline")
        self.ticket_b = self.new_ticket(customer=self.customer_b, name="VPN drops at noon")
        self.checkpoint()

    def html_tag(self, path):
        self.checkpoint()
        page = self.url_open(path)
        self.assertEqual(page.status_code, 200, "%s must open: %s" % (path, page.status_code))
        tag = HTML_TAG.search(page.text)
        self.assertTrue(tag, "%s must be an HTML page" % path)
        return tag.group(0), page

    def test_persian_customer_reads_right_to_left(self):
        self.authenticate_as(self.customer_a)
        for path in ("/my/tickets", "/my/ticket/%d" % self.ticket_a.id, "/my/home"):
            tag, page = self.html_tag(path)
            self.assertIn('dir="rtl"', tag, "%s: a Persian reader's page is right to left"
                          % path)
            self.assertIn('lang="fa-IR"', tag, "%s: in Persian" % path)
            if path != "/my/home":
                self.assertIn(self.ticket_a.number, page.text, "%s: the ticket" % path)

    def test_english_customer_reads_left_to_right(self):
        self.authenticate_as(self.customer_b)
        for path in ("/my/tickets", "/my/ticket/%d" % self.ticket_b.id):
            tag, _page = self.html_tag(path)
            self.assertIn('dir="ltr"', tag, "%s: an English reader's page is left to right"
                          % path)
            self.assertNotIn('dir="rtl"', tag)
            self.assertIn('lang="en-US"', tag)


@at_install(False)
@post_install(True)
class TestPortalRtlSheet(TransactionCase):

    def test_frontend_bundle_carries_the_rtl_sheet(self):
        files, _remains = self.env["ir.qweb"]._get_asset_content("web.assets_frontend", {})
        urls = [f["url"] for f in files]
        self.assertIn(RTL_LESS, urls, "the right-to-left sheet is in the portal's bundle")
        self.assertGreater(urls.index(RTL_LESS), urls.index(
            "/web/static/src/less/import_bootstrap.less"), "after Bootstrap, which it mirrors")

    def test_every_rule_is_scoped_to_rtl_pages(self):
        """The sheet compiled as the bundle compiles it (after Bootstrap's variables):
        each selector starts with html[dir="rtl"], a left-to-right page is untouched."""
        try:
            lessc = find_in_path("lessc")
        except IOError:
            self.skipTest("lessc is not installed")
        bootstrap = get_resource_path("web", "static", "lib", "bootstrap", "less")
        sources = [os.path.join(bootstrap, "variables.less"),
                   os.path.join(bootstrap, "mixins", "vendor-prefixes.less"),
                   get_resource_path("web", "static", "src", "less", "variables.less"),
                   get_module_resource("tktit_helpdesk", "static", "src", "less",
                                       "portal_rtl.less")]
        source = "\n".join(read(path) for path in sources)
        env = dict(os.environ)
        env.setdefault("NODE_PATH", "/usr/share/nodejs")
        compiled = subprocess.run(
            [lessc, "-", "--include-path=%s" % bootstrap], input=source.encode(),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=120)
        self.assertEqual(compiled.returncode, 0, compiled.stderr.decode()[-2000:])
        css = re.sub(r"/\*.*?\*/", "", compiled.stdout.decode(), flags=re.S)
        selectors = [part.strip() for block in re.findall(r"([^{}]+)\{", css)
                     if not block.strip().startswith("@")
                     for part in block.split(",")]
        self.assertGreater(len(selectors), 100, "the sheet has its rules")
        strays = [sel for sel in selectors if not sel.startswith('html[dir="rtl"]')]
        self.assertEqual(strays, [], "rules outside html[dir=\"rtl\"]")
        for expected in ('html[dir="rtl"] body', 'html[dir="rtl"] .pull-right',
                         'html[dir="rtl"] .navbar-right', 'html[dir="rtl"] .dropdown-menu',
                         'html[dir="rtl"] .col-md-offset-1', 'html[dir="rtl"] th',
                         'html[dir="rtl"] .list-group-item > .badge'):
            self.assertIn(expected, selectors, "%s is mirrored" % expected)
