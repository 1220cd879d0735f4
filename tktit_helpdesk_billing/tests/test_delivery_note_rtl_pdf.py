# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The signed delivery note of a Persian customer as wkhtmltopdf prints it, right to left.

wkhtmltopdf 0.12.6's Qt WebKit finds no line break inside Persian text and misplaces a
text node mixing Persian with Latin, digits or punctuation: long lines ran off the page
and the start of sentences was cut at the right edge (Chromium renders the same HTML
fine). The report cuts such text into spans (its inline script); these tests read the
PDF's words with their boxes (pdftotext -bbox) and hold every one inside the page's
margins, on one page with the totals, the signature and its hash. The PDFs and a PNG of
each are kept in artifacts/ to look at."""
import base64
import os
import re
import subprocess
import tempfile

from odoo.addons.tktit_helpdesk.tests.common import ARTIFACTS_DIR

from .billing_common import BillingCase

PT_PER_MM = 72 / 25.4
# what pdftotext -bbox writes: a page, then its words
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                  r'(.*?)</word>')
LATIN = re.compile(r"^[\x21-\x7e]{2,}$")
SUBJECT = "قطع و وصل شدن شبکه بی‌سیم در طبقه دوم"
# long enough for three lines in the description column: it must wrap
WORK = ("جابه‌جایی رک شبکه به اتاق سرور جدید، برچسب‌گذاری همه کابل‌ها، به‌روزرسانی "
        "میان‌افزار سوئیچ‌ها و مستندسازی نقشه شبکه برای تیم فناوری اطلاعات دفتر مرکزی "
        "(طبقه دوم و سوم) و آزمایش پشتیبان‌گیری شبانه روی سرور پرونده‌ها.")
SIGNER = "مریم احمدی"


def run(args, data, *after):
    """The output of a poppler tool on the PDF ``data``."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(data)
        pdf.flush()
        return subprocess.check_output(args + [pdf.name] + list(after)).decode()


def pdf_pages(data):
    """[(width, height, [(x_min, y_min, x_max, y_max, text)])], in points, per page."""
    return [(float(width), float(height),
             [(float(x0), float(y0), float(x1), float(y1), text)
              for x0, y0, x1, y1, text in WORD.findall(words)])
            for width, height, words in PAGE.findall(run(["pdftotext", "-bbox"], data, "-"))]


class TestDeliveryNoteRtlPdf(BillingCase):

    @classmethod
    def setUpClass(cls):
        super(TestDeliveryNoteRtlPdf, cls).setUpClass()
        env = cls.env
        # the test database may have no Persian: fa_IR active, right to left (Odoo 11's
        # data says left to right), with this addon's fa.po
        lang = env["res.lang"].with_context(active_test=False).search([("code", "=", "fa_IR")])
        if not lang:
            env["res.lang"].load_lang("fa_IR")
            lang = env["res.lang"].search([("code", "=", "fa_IR")])
        lang.write({"active": True, "direction": "rtl"})
        env["ir.translation"].load_module_terms(["tktit_helpdesk_billing"], ["fa_IR"])
        cls.report = env.ref("tktit_helpdesk_billing.action_report_delivery_note")
        paperformat = cls.report.paperformat_id or env.user.company_id.paperformat_id
        cls.margins = {side: getattr(paperformat, "margin_" + side) * PT_PER_MM
                       for side in ("top", "bottom", "left", "right")}

    def signed_note(self, lang, subject, work, signer):
        self.customer_a.write({"lang": lang, "tz": "Asia/Tehran"})
        ticket = self.field_ticket(name=subject)
        self.log_hours(ticket, 1.0, name=work)
        self.log_hours(ticket, 1.5, name=work[:40])
        self.add_material(ticket, self.router, 1)
        self.add_material(ticket, self.cable, 10.0)
        note = self.sign(self.new_note(ticket), signed_by=signer)
        data = base64.b64decode(note.pdf_attachment_id.datas)
        self.assertTrue(data.startswith(b"%PDF"), "wkhtmltopdf must have rendered a PDF")
        self.keep(data, "%s_delivery_note_pdf" % lang[:2])
        return note, data

    def keep(self, data, name):
        """The PDF into artifacts/pdf/, its first page into artifacts/screenshots/."""
        for folder in ("pdf", "screenshots"):
            os.makedirs(os.path.join(ARTIFACTS_DIR, folder), exist_ok=True)
        path = os.path.join(ARTIFACTS_DIR, "pdf", name + ".pdf")
        with open(path, "wb") as pdf:
            pdf.write(data)
        subprocess.check_call(["pdftoppm", "-png", "-r", "80", "-f", "1", "-singlefile",
                               path, os.path.join(ARTIFACTS_DIR, "screenshots", name)])

    def assert_inside_the_page(self, data):
        """One page, every word inside the margins (none clipped at an edge nor left at
        the foot), no Latin word drawn over another one."""
        pages = pdf_pages(data)
        self.assertEqual(len(pages), 1, "the note must fit on one page")
        width, height, words = pages[0]
        self.assertTrue(words, "the PDF must have its text")
        m = self.margins
        box = (m["left"] - 1, m["top"] - 1, width - m["right"] + 1, height - m["bottom"] + 1)
        outside = [w for w in words if w[0] < box[0] or w[1] < box[1] or w[2] > box[2]
                   or w[3] > box[3]]
        self.assertFalse(outside, "words outside the page's text box %s: %s" % (box, outside))
        for word in words:
            if not LATIN.match(word[4]):
                continue
            for other in words:
                if other is word:
                    continue
                across = min(word[2], other[2]) - max(word[0], other[0])
                down = min(word[3], other[3]) - max(word[1], other[1])
                self.assertFalse(across > 1 and down > (word[3] - word[1]) / 2,
                                 "%r is drawn over %r" % (word, other))
        return words

    def test_persian_note_fits_the_page_right_to_left(self):
        note, data = self.signed_note("fa_IR", SUBJECT, WORK, SIGNER)
        words = self.assert_inside_the_page(data)
        texts = [w[4] for w in words]
        for expected in ("352.00", "32.00", "320.00", note.signature_hash, "SHA-256",
                         note.ticket_id.number):
            self.assertIn(expected, texts, "the PDF must show %s" % expected)
        # Persian is right to left: the ticket's number on the right half, its total on
        # the left one (amounts are in the end column)
        middle = pdf_pages(data)[0][0] / 2
        number = next(w for w in words if w[4] == note.ticket_id.number)
        total = [w for w in words if w[4] == "352.00"][-1]
        self.assertGreater(number[0], middle)
        self.assertLess(total[2], middle)
        # the description wraps over lines instead of running off (Persian glyph boxes:
        # pdftotext gives them one by one)
        persian = [w for w in words if re.search("[\u0600-\u06ff\ufb50-\ufeff]", w[4])]
        self.assertGreater(len({round(w[1]) for w in persian}), 12,
                           "the Persian text must be on its lines")
        images = run(["pdfimages", "-list"], data)
        self.assertRegex(images, r"(?m)^\s*1\s+\d+\s+image\s+300\s+120\b",
                         "the signature must be on the page: %s" % images)

    def test_english_note_stays_left_to_right(self):
        note, data = self.signed_note(
            "en_US", "The Wi-Fi drops on the second floor",
            "Moved the network rack to the new server room, labelled every cable, updated "
            "the switch firmware and documented the network map for the head-office team.",
            "Jane Customer")
        words = self.assert_inside_the_page(data)
        html = self.report.render_qweb_html(note.ids)[0].decode()
        self.assertIn('dir="ltr"', html)
        self.assertNotIn("data-dn-split", html, "the right-to-left script is for right to left")
        number = next(w for w in words if w[4] == note.ticket_id.number)
        self.assertLess(number[2], pdf_pages(data)[0][0] / 2, "English reads left to right")
        self.assertIn(note.signature_hash, [w[4] for w in words])
