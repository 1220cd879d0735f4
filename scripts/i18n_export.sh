#!/usr/bin/env bash
# Regenerates each addon's i18n/<addon>.pot from a database where the addons are installed
# (Odoo's own exporter) and merges the new terms into i18n/fa.po (msgmerge: new terms
# untranslated, vanished ones dropped), so that translators see what is missing
# (tests/test_translations.py fails until they are translated).
# usage: scripts/i18n_export.sh CONFIG DB
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
conf="$1" db="$2"
for addon in tktit_helpdesk tktit_helpdesk_sla tktit_helpdesk_billing; do
    tmp="$(mktemp --suffix=.po)"
    "$ROOT/scripts/odoo" -c "$conf" -d "$db" --i18n-export="$tmp" --modules="$addon" \
        --stop-after-init --no-http --log-level=warn
    mv "$tmp" "$ROOT/$addon/i18n/$addon.pot"
    if [ -f "$ROOT/$addon/i18n/fa.po" ]; then
        msgmerge --quiet --no-fuzzy-matching --no-wrap --sort-output -o "$ROOT/$addon/i18n/fa.po" \
            "$ROOT/$addon/i18n/fa.po" "$ROOT/$addon/i18n/$addon.pot"
        msgattrib --no-obsolete --no-wrap -o "$ROOT/$addon/i18n/fa.po" "$ROOT/$addon/i18n/fa.po"
    fi
    echo "[i18n] $addon: $(grep -c '^msgid' "$ROOT/$addon/i18n/$addon.pot") terms"
done
