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
"""
import argparse
import itertools
import os
import signal
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
    def __init__(self, directory):
        self.directory = directory
        self.counter = itertools.count(1)

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
        return "250 Message accepted for delivery"


def serve(port, directory):
    from aiosmtpd.controller import Controller

    os.makedirs(directory, exist_ok=True)
    controller = Controller(EmlHandler(directory), hostname="127.0.0.1", port=port,
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


def start(port, directory, pidfile, logfile):
    pid = read_pid(pidfile)
    if pid and port_open(port):
        print("smtp sink already running on 127.0.0.1:%s (pid %s), mails in %s"
              % (port, pid, directory))
        return 0
    if port_open(port) and not stop_foreign_sink(port):
        print("port %s is taken by another process: choose another SMTP port" % port,
              file=sys.stderr)
        return 1
    os.makedirs(directory, exist_ok=True)
    os.makedirs(os.path.dirname(pidfile), exist_ok=True)
    with open(logfile, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "serve", "--port", str(port),
             "--dir", directory],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    with open(pidfile, "w") as f:
        f.write(str(proc.pid))
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
    args = parser.parse_args()
    directory = os.path.abspath(args.dir)
    pidfile = args.pidfile or os.path.join(ROOT, "var", "run", "smtp-sink-%s.pid" % args.port)
    logfile = os.path.join(ROOT, "var", "run", "smtp-sink-%s.log" % args.port)
    if args.command == "serve":
        serve(args.port, directory)
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
    return start(args.port, directory, pidfile, logfile)


if __name__ == "__main__":
    sys.exit(main())
