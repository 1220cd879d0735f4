#!/usr/bin/env python3
"""A private Dovecot (Debian's dovecot-imapd and dovecot-lmtpd) for tktit's incoming mail:
one mailbox, ``support``, that Odoo's fetchmail reads over IMAP, and an LMTP port through
which mail is delivered into it (the SMTP sink forwards mails for the alias domain there;
tests and people may deliver with LMTP or IMAP APPEND directly). Loopback only; its
configuration, state, log and maildir live under ``--dir`` (var/imap-run, var/imap-test).

usage:
  imap_server.py start   --dir var/imap-run --imap-port 1143 --lmtp-port 2424  (idempotent)
  imap_server.py restart --dir var/imap-test --imap-port 1144 --lmtp-port 2425 --clean
  imap_server.py stop    --dir var/imap-run
  imap_server.py status  --dir var/imap-run

The mailbox's login is ``support`` with the password in ``--password`` (default
``tktit-imap``). Mail processes run as Debian's ``mail`` user (Dovecot refuses root), so
the maildir belongs to it.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

# the SMTP sink's helpers (this folder is on sys.path when a script of it runs)
from smtp_sink import port_open, read_pid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
USER = "support"
CONFIG = """# written by scripts/imap_server.py: a private Dovecot for tktit, loopback only
protocols = imap lmtp
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/state
instance_name = tktit-{name}
log_path = {dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{dir}/mail/%n
mail_uid = mail
mail_gid = mail
first_valid_uid = 1
first_valid_gid = 1
default_internal_user = dovecot
default_login_user = dovenull
# every address of the domain lands in the one mailbox (Odoo routes on the headers)
lmtp_save_to_detail_mailbox = no
# no Delivered-To: support@ header (Odoo would read it as a second alias written to)
lmtp_hdr_delivery_address = none
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {dir}/users
}}
userdb {{
  driver = static
  args = uid=mail gid=mail home={dir}/mail/%n allow_all_users=yes
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp_port}
  }}
  unix_listener lmtp {{
    mode = 0600
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0600
  }}
  unix_listener stats-writer {{
    mode = 0600
  }}
}}
"""


def conf_path(directory):
    return os.path.join(directory, "dovecot.conf")


def running(directory):
    """Dovecot's master pid when it runs (its own pidfile under run/), else None."""
    return read_pid(os.path.join(directory, "run", "master.pid"))


def stop(directory):
    if running(directory):
        subprocess.run(["doveadm", "-c", conf_path(directory), "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            if not running(directory):
                break
            time.sleep(0.1)


def start(directory, name, imap_port, lmtp_port, password):
    if not shutil.which("dovecot"):
        print("dovecot is not installed (apt-get install dovecot-imapd dovecot-lmtpd; "
              "make bootstrap does it)", file=sys.stderr)
        return 1
    wanted = CONFIG.format(dir=directory, name=name, imap_port=imap_port,
                           lmtp_port=lmtp_port)
    current = open(conf_path(directory)).read() if os.path.exists(conf_path(directory)) \
        else None
    if running(directory) and current == wanted and port_open(imap_port):
        print("imap server already running on 127.0.0.1:%s (lmtp %s), mailbox %s in %s"
              % (imap_port, lmtp_port, USER, directory))
        return 0
    stop(directory)
    for port in (imap_port, lmtp_port):
        if port_open(port):
            print("port %s is taken by another process: choose another IMAP/LMTP port"
                  % port, file=sys.stderr)
            return 1
    for sub in ("run", "state", "mail"):
        os.makedirs(os.path.join(directory, sub), exist_ok=True)
    with open(conf_path(directory), "w") as f:
        f.write(wanted)
    users = os.path.join(directory, "users")
    with open(users, "w") as f:
        f.write("%s:{PLAIN}%s\n" % (USER, password))
    os.chmod(users, 0o640)
    shutil.chown(users, group="dovecot")  # read by Dovecot's auth process
    shutil.chown(os.path.join(directory, "mail"), "mail", "mail")
    # dovecot forks into the background; its children keep stdout: not a pipe we wait on
    with open(os.path.join(directory, "start.log"), "ab") as log:
        subprocess.run(["dovecot", "-c", conf_path(directory)], stdin=subprocess.DEVNULL,
                       stdout=log, stderr=log)
    for _ in range(100):
        if port_open(imap_port) and port_open(lmtp_port):
            print("imap server started on 127.0.0.1:%s (lmtp %s), mailbox %s in %s"
                  % (imap_port, lmtp_port, USER, directory))
            return 0
        time.sleep(0.1)
    print("dovecot did not start, see %s/start.log and dovecot.log" % directory,
          file=sys.stderr)
    return 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["start", "stop", "restart", "status"])
    parser.add_argument("--dir", default=os.path.join(ROOT, "var", "imap-run"))
    parser.add_argument("--imap-port", type=int, default=1143)
    parser.add_argument("--lmtp-port", type=int, default=2424)
    parser.add_argument("--password", default="tktit-imap")
    parser.add_argument("--clean", action="store_true",
                        help="with restart: empty the mailbox")
    args = parser.parse_args()
    directory = os.path.abspath(args.dir)
    name = os.path.basename(directory)
    if args.command == "status":
        pid = running(directory)
        print("running (pid %s)" % pid if pid else "stopped")
        return 0 if pid else 3
    if args.command in ("stop", "restart"):
        stop(directory)
        if args.command == "stop":
            return 0
        if args.clean:
            shutil.rmtree(os.path.join(directory, "mail"), ignore_errors=True)
    return start(directory, name, args.imap_port, args.lmtp_port, args.password)


if __name__ == "__main__":
    sys.exit(main())
