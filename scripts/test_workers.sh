#!/usr/bin/env bash
# make test on N pytest workers (pytest-xdist): worker gw0 tests DB itself, each other
# worker gwI a copy of it made here, with everything a test meets of its own: database and
# filestore (CREATE DATABASE ... TEMPLATE, seconds instead of an install), HTTP port,
# SMTP sink and mail directory, IMAP mailbox and LMTP port read by its fetchmail, Odoo log.
# Ports are the test ports + 1000 x I. Writes OUT_JSON, read by conftest.py
# (TKTIT_TEST_WORKERS): {"gw0": {"database", "config", "mail_dir", "lmtp_port"}, ...}.
# usage: test_workers.sh N DB CONF MAIL_DIR HTTP_PORT SMTP_PORT IMAP_PORT LMTP_PORT
#        ALIAS_DOMAIN OUT_JSON
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
n="$1" db="$2" conf="$3" mail_dir="$4" http_port="$5" smtp_port="$6" imap_port="$7"
lmtp_port="$8" domain="$9" out="${10}"
export PGHOST=127.0.0.1 PGPORT=5432
log() { printf '\033[1;34m[workers]\033[0m %s\n' "$*"; }

entry() {  # worker database config mail_dir lmtp_port
    printf '"%s": {"database": "%s", "config": "%s", "mail_dir": "%s", "lmtp_port": %s}' \
        "$1" "$2" "$3" "$4" "$5"
}
entries=("$(entry gw0 "$db" "$conf" "$mail_dir" "$lmtp_port")")
for ((i = 1; i < n; i++)); do
    wdb="${db}_w$i" offset=$((1000 * i))
    w_http=$((http_port + offset)) w_smtp=$((smtp_port + offset))
    w_imap=$((imap_port + offset)) w_lmtp=$((lmtp_port + offset))
    w_conf="$ROOT/var/odoo-test-$wdb.conf" w_mail="$ROOT/var/mail-test-$wdb"
    dropdb --if-exists --force "$wdb" 2>/dev/null || dropdb --if-exists "$wdb"
    createdb -T "$db" "$wdb"
    rm -rf "$ROOT/var/data/filestore/$wdb"
    if [ -d "$ROOT/var/data/filestore/$db" ]; then
        cp -a "$ROOT/var/data/filestore/$db" "$ROOT/var/data/filestore/$wdb"
    fi
    "$ROOT/scripts/write_config.sh" "$w_conf" "$wdb" "$w_http" "$w_smtp" \
        "$ROOT/var/log/test-$wdb.log"
    # what scripts/setup_db.sh and scripts/mail_in.py set to the test ports, to this
    # worker's: its URLs, its SMTP sink, its IMAP mailbox
    psql -q -v ON_ERROR_STOP=1 -d "$wdb" <<SQL
UPDATE ir_config_parameter SET value = 'http://127.0.0.1:$w_http' WHERE key = 'web.base.url';
UPDATE ir_mail_server SET smtp_port = $w_smtp;
UPDATE fetchmail_server SET port = $w_imap WHERE server = '127.0.0.1';
SQL
    "$PY" "$ROOT/scripts/imap_server.py" restart --clean --dir "$ROOT/var/imap-test-$wdb" \
        --imap-port "$w_imap" --lmtp-port "$w_lmtp" >/dev/null
    "$PY" "$ROOT/scripts/smtp_sink.py" restart --clean --port "$w_smtp" --dir "$w_mail" \
        --forward-domain "$domain" --lmtp-port "$w_lmtp" >/dev/null
    entries+=("$(entry "gw$i" "$wdb" "$w_conf" "$w_mail" "$w_lmtp")")
    log "gw$i tests $wdb on HTTP 127.0.0.1:$w_http, mails in $w_mail"
done
(IFS=,; printf '{%s}\n' "${entries[*]}") > "$out"
