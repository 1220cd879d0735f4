#!/usr/bin/env bash
# Creates or upgrades an Odoo database with the tktit addons and demo data, then points
# its URLs and outgoing mail at this machine (web.base.url frozen, SMTP sink).
# usage: setup_db.sh CONFIG DB ADDONS HTTP_PORT SMTP_PORT LOGFILE [--fresh]
#   --fresh   drop the database (and its filestore) first: used by `make test`
# env BASE_URL overrides web.base.url (default http://localhost:HTTP_PORT)
# env IMAP_PORT (and ALIAS_DOMAIN, IMAP_PASSWORD): Odoo's fetchmail reads the local
# support mailbox on that port (scripts/mail_in.py)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
conf="$1" db="$2" addons="$3" http_port="$4" smtp_port="$5" logfile="$6" fresh="${7:-}"
export PGHOST=127.0.0.1 PGPORT=5432
log() { printf '\033[1;34m[db]\033[0m %s\n' "$*"; }
mkdir -p "$(dirname "$logfile")"

if [ "$fresh" = "--fresh" ]; then
    dropdb --if-exists --force "$db" 2>/dev/null || dropdb --if-exists "$db"
    rm -rf "$ROOT/var/data/filestore/$db"
fi

state="$(psql -d "$db" -tAc "select state from ir_module_module where name = 'tktit_helpdesk'" \
    2>/dev/null || true)"
if [ "$state" = "installed" ]; then
    log "upgrading $addons in database $db (log: $logfile)"
    # the module list first: -u installs a dependency added since the last run only
    # when the database knows about it (Odoo refreshes the list on -u base only)
    echo "env['ir.module.module'].update_list(); env.cr.commit()" | \
        "$ROOT/scripts/odoo" shell -c "$conf" -d "$db" --no-http --logfile="$logfile" \
        --log-level=warn >/dev/null 2>>"$logfile"
    # -u the installed addons (an update: records marked noupdate are kept), -i the
    # addons added since the last run
    missing="$(psql -d "$db" -tAc "select string_agg(a, ',') from unnest(
        string_to_array('$addons', ',')) a where not exists (select 1 from ir_module_module
        where name = a and state = 'installed')")"
    args=(-u "$addons")
    [ -n "$missing" ] && args+=(-i "$missing")
else
    log "creating database $db with $addons and demo data (log: $logfile)"
    args=(-i "$addons")
fi
: > "$logfile"
start=$(date +%s)
if ! "$ROOT/scripts/odoo" -c "$conf" -d "$db" "${args[@]}" --stop-after-init \
        --logfile="$logfile" --log-level=info 2>>"$logfile"; then
    grep -E " (ERROR|CRITICAL) " "$logfile" | tail -n 20 >&2 || true
    tail -n 40 "$logfile" >&2
    echo "[db] installing the addons failed, see $logfile" >&2
    exit 1
fi
if grep -qE " (ERROR|CRITICAL) " "$logfile"; then
    grep -E -A15 " (ERROR|CRITICAL) " "$logfile" | head -n 60 >&2
    echo "[db] the install logged errors, see $logfile" >&2
    exit 1
fi
state="$(psql -d "$db" -tAc "select string_agg(name || '=' || state, ' ') from ir_module_module
    where name = any(string_to_array('$addons', ','))")"
case " $state " in *"=to "*|*"=uninstalled"*|*"=uninstallable"*)
    echo "[db] addons not installed: $state (see $logfile)" >&2; exit 1;; esac
log "addons ready in $(( $(date +%s) - start ))s: $state"

base_url="${BASE_URL:-http://localhost:$http_port}"
psql -q -v ON_ERROR_STOP=1 -d "$db" <<SQL
INSERT INTO ir_config_parameter (key, value, create_uid, write_uid, create_date, write_date)
VALUES ('web.base.url', '$base_url', 1, 1, now() at time zone 'UTC', now() at time zone 'UTC'),
       ('web.base.url.freeze', 'True', 1, 1, now() at time zone 'UTC', now() at time zone 'UTC')
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, write_date = EXCLUDED.write_date;
-- no mail leaves this machine: every outgoing server is the local SMTP sink
UPDATE ir_mail_server SET smtp_host = '127.0.0.1', smtp_port = $smtp_port,
       smtp_encryption = 'none', smtp_user = NULL, smtp_pass = NULL;
SQL
if [ "$fresh" = "--fresh" ]; then
    # tests start with an empty mail queue: drop what the demo data queued at install
    psql -q -v ON_ERROR_STOP=1 -d "$db" -c "UPDATE mail_mail SET state = 'cancel'
        WHERE state IN ('outgoing', 'exception')"
fi
# Persian for the Persian-speaking demo customers (and the tests): the translations of
# every installed module, once (not Odoo's --load-language at creation: its first language
# becomes the database's default one)
fa="$(psql -d "$db" -tAc "select count(*) from ir_translation where lang = 'fa_IR'
    and module = 'tktit_helpdesk'")"
if [ "${fa:-0}" = "0" ]; then
    log "loading the Persian translations"
    echo "env['base.language.install'].create({'lang': 'fa_IR'}).lang_install(); env.cr.commit()" | \
        "$ROOT/scripts/odoo" shell -c "$conf" -d "$db" --no-http --logfile="$logfile" \
        --log-level=warn >/dev/null
fi
if [ -n "${IMAP_PORT:-}" ]; then
    "$ROOT/scripts/odoo" shell -c "$conf" -d "$db" --no-http --logfile="$logfile" \
        --log-level=warn < "$ROOT/scripts/mail_in.py"
fi
