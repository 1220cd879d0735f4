#!/usr/bin/env python3
"""Local SMTP sink for tktit: every message received on 127.0.0.1:PORT is stored as an
.eml file in a directory, so tests (and people running `make run`) read the real mails
Odoo sends. Nothing is relayed anywhere.

usage:
  smtp_sink.py serve   --port 2525 --dir var/mail-run          (foreground)
  smtp_sink.py start   --port 2525 --dir var/mail-run [--pidfile F]   (background, idempotent)
  smtp_sink.py restart --port 2526 --dir var/mail-test --clean  (stop, empty the dir, start)
  smtp_sink.py stop    --port 2525 [--pidfile F]
  smtp_sink.py status  --port 2525 [--pidfile F]

Each file holds the message as received, preceded by X-Envelope-From / X-Envelope-To
headers (the SMTP envelope, which also covers Bcc recipients). Files are written under a
temporary name and renamed, so a reader never sees half a message; the SMTP server answers
250 only after the file is in place.

With ``--forward-domain tktit.example --lmtp-port 2424``, a message with a recipient in
that domain (the support aliases, bounces to the bounce alias) is also delivered, as
received, into the support mailbox of the local IMAP server (scripts/imap_server.py) over
LMTP: a mail client sending to support@tktit.example through this sink reaches Odoo's
fetchmail like a mail from outside. Nothing leaves 127.0.0.1.
"""
import argparse
import itertools
import os
import signal
import smtplib
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def read_pid(pidfile):
    try:
        with open(pidfile) as f:
            pid = int(f.read().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


class EmlHandler:
    def __init__(self, directory, forward_domain=None, lmtp_port=None):
        self.directory = directory
        self.counter = itertools.count(1)
        self.forward_domain = (forward_domain or "").lower()
        self.lmtp_port = lmtp_port

    def forward(self, envelope, content):
        """Deliver into the support mailbox when a recipient is of the forwarded domain."""
        if not (self.forward_domain and self.lmtp_port):
            return
        local = [r for r in envelope.rcpt_tos
                 if r.rsplit("@", 1)[-1].lower() == self.forward_domain]
        if not local:
            return
        try:
            with smtplib.LMTP("127.0.0.1", self.lmtp_port) as lmtp:
                lmtp.sendmail(envelope.mail_from or "", ["support@%s" % self.forward_domain],
                              content)
        except (OSError, smtplib.SMTPException) as error:
            print("could not deliver to the mailbox for %s: %s" % (", ".join(local), error),
                  flush=True)

    async def handle_DATA(self, server, session, envelope):
        os.makedirs(self.directory, exist_ok=True)
        name = "%s-%06d-%05d" % (time.strftime("%Y%m%dT%H%M%S"), next(self.counter), os.getpid())
        tmp = os.path.join(self.directory, "." + name + ".tmp")
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        header = "X-Envelope-From: %s\r\nX-Envelope-To: %s\r\n" % (
            envelope.mail_from, ", ".join(envelope.rcpt_tos))
        with open(tmp, "wb") as f:
            f.write(header.encode("utf-8"))
            f.write(content)
        os.rename(tmp, os.path.join(self.directory, name + ".eml"))
        self.forward(envelope, content)
        return "250 Message accepted for delivery"


def serve(port, directory, forward_domain=None, lmtp_port=None):
    from aiosmtpd.controller import Controller

    os.makedirs(directory, exist_ok=True)
    controller = Controller(EmlHandler(directory, forward_domain, lmtp_port),
                            hostname="127.0.0.1", port=port,
                            data_size_limit=50 * 1024 * 1024)
    controller.start()
    print("smtp sink on 127.0.0.1:%s writing to %s" % (port, directory), flush=True)
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    signal.signal(signal.SIGINT, lambda *a: stop.append(1))
    try:
        while not stop:
            time.sleep(0.2)
    finally:
        controller.stop()


def stop(port, pidfile):
    pid = read_pid(pidfile)
    if pid:
        os.kill(pid, signal.SIGTERM)
        for _ in range(50):
            if not read_pid(pidfile) or not port_open(port):
                break
            time.sleep(0.1)
    try:
        os.unlink(pidfile)
    except OSError:
        pass


def stop_foreign_sink(port):
    """The port is held by a sink of another tktit checkout (a clone's `make test` leaves
    its sink running): stop it and say so. Anything else on the port is left alone."""
    try:
        import psutil
    except ImportError:
        return False
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status != psutil.CONN_LISTEN or not conn.laddr or conn.laddr.port != port \
                or not conn.pid:
            continue
        try:
            proc = psutil.Process(conn.pid)
            cmdline = proc.cmdline()
        except psutil.Error:
            return False
        if not any(arg.endswith("smtp_sink.py") for arg in cmdline) or "serve" not in cmdline:
            return False
        print("stopping the smtp sink of another checkout on port %s (pid %s: %s)"
              % (port, conn.pid, " ".join(cmdline[1:])))
        proc.terminate()
        try:
            proc.wait(10)
        except psutil.TimeoutExpired:
            proc.kill()
        for _ in range(50):
            if not port_open(port):
                return True
            time.sleep(0.1)
        return False
    return False


def start(port, directory, pidfile, logfile, extra=()):
    pid = read_pid(pidfile)
    argsfile = pidfile + ".args"
    wanted = " ".join([directory] + list(extra))
    previous = open(argsfile).read() if os.path.exists(argsfile) else None
    if pid and port_open(port) and previous == wanted:
        print("smtp sink already running on 127.0.0.1:%s (pid %s), mails in %s"
              % (port, pid, directory))
        return 0
    if pid and port_open(port):  # running with other options: restart it with these
        stop(port, pidfile)
    if port_open(port) and not stop_foreign_sink(port):
        print("port %s is taken by another process: choose another SMTP port" % port,
              file=sys.stderr)
        return 1
    os.makedirs(directory, exist_ok=True)
    os.makedirs(os.path.dirname(pidfile), exist_ok=True)
    with open(logfile, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "serve", "--port", str(port),
             "--dir", directory] + list(extra),
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    with open(pidfile, "w") as f:
        f.write(str(proc.pid))
    with open(argsfile, "w") as f:
        f.write(wanted)
    for _ in range(100):
        if port_open(port):
            print("smtp sink started on 127.0.0.1:%s (pid %s), mails in %s"
                  % (port, proc.pid, directory))
            return 0
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    print("smtp sink did not start, see %s" % logfile, file=sys.stderr)
    return 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["serve", "start", "stop", "restart", "status"])
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--dir", default=os.path.join(ROOT, "var", "mail-run"))
    parser.add_argument("--pidfile")
    parser.add_argument("--clean", action="store_true",
                        help="with restart: empty the mail directory")
    parser.add_argument("--forward-domain", help="deliver this domain's mail over LMTP")
    parser.add_argument("--lmtp-port", type=int, help="the IMAP server's LMTP port")
    args = parser.parse_args()
    extra = ["--forward-domain", args.forward_domain, "--lmtp-port", str(args.lmtp_port)] \
        if args.forward_domain and args.lmtp_port else []
    directory = os.path.abspath(args.dir)
    pidfile = args.pidfile or os.path.join(ROOT, "var", "run", "smtp-sink-%s.pid" % args.port)
    logfile = os.path.join(ROOT, "var", "run", "smtp-sink-%s.log" % args.port)
    if args.command == "serve":
        serve(args.port, directory, args.forward_domain, args.lmtp_port)
        return 0
    if args.command == "status":
        pid = read_pid(pidfile)
        print("running (pid %s)" % pid if pid and port_open(args.port) else "stopped")
        return 0 if pid else 3
    if args.command in ("stop", "restart"):
        stop(args.port, pidfile)
        if args.command == "stop":
            return 0
        if args.clean and os.path.isdir(directory):
            for name in os.listdir(directory):
                if name.endswith((".eml", ".tmp")):
                    os.unlink(os.path.join(directory, name))
    return start(args.port, directory, pidfile, logfile, extra)


if __name__ == "__main__":
    sys.exit(main())
