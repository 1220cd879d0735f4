"""Wave 2 · 7: every translatable term of the three addons is in their .pot template and
translated in Persian (fa.po). Odoo's own exporter gives the terms (code, views, data,
mail templates, reports, field labels and selections), as `--i18n-export` writes them;
regenerate the templates with scripts/i18n_export.sh after changing texts."""
import io
import os

from odoo.modules.module import get_module_path
from odoo.tests.common import SavepointCase
from odoo.tools.translate import PoFile, trans_generate

ADDONS = ("tktit_helpdesk", "tktit_helpdesk_sla", "tktit_helpdesk_billing")


def read_po(path):
    """{msgid: msgstr} of a .po/.pot file, read by Odoo's own reader."""
    with open(path, "rb") as f:
        buffer = io.BytesIO(f.read())
    entries = {}
    for _type, _name, _res_id, source, translation, _comments in PoFile(buffer):
        if source:
            entries.setdefault(source, translation or "")
    return entries


class TestTranslations(SavepointCase):

    def terms(self, module):
        return {row[4] for row in trans_generate(None, [module], self.cr) if row[4]}

    def test_templates_are_current(self):
        for module in ADDONS:
            path = os.path.join(get_module_path(module), "i18n", "%s.pot" % module)
            template = set(read_po(path))
            terms = self.terms(module)
            self.assertFalse(sorted(terms - template)[:10],
                             "%s: terms missing from %s.pot" % (module, module))
            self.assertFalse(sorted(template - terms)[:10],
                             "%s: %s.pot holds terms the addon no longer has" % (
                                 module, module))

    def test_every_term_has_its_persian_translation(self):
        for module in ADDONS:
            persian = read_po(os.path.join(get_module_path(module), "i18n", "fa.po"))
            missing = sorted(term for term in self.terms(module) if not persian.get(term))
            self.assertFalse(missing[:10], "%s: %d terms without Persian translation" % (
                module, len(missing)))
