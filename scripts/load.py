#!/usr/bin/env python3
"""Load test of the tktit portal and dispatch, on one Odoo server then on two behind nginx.

Run by `make load` after make run's set-up of the demo database (DB ``tktit``):

1. writes two Odoo configurations with scripts/write_config.sh (same database, same
   data_dir, hence one filestore and one sessions directory), each with workers=2, one
   cron worker (max_cron_threads=1) and its own long-polling port; HTTP on 8071 and 8072,
   long-polling on 8073 and 8074 (never make run's 8069);
2. starts server A (scripts/odoo -c ...) and creates, once (idempotent, XML-RPC as admin),
   5 customer organisations with 10 portal customers each (load.customer01..50) and 5
   operations users (load.ops1..5), all with the password ``tktit-load``;
3. starts Debian's nginx (installed with apt-get when missing) on 8075 in front of server A
   alone, from scripts/load_nginx.conf.in (as production runs Odoo: facing the clients
   itself, Odoo 11 resets connections beyond its listen backlog of 8 x workers), then
   phase "one server behind nginx": for LOAD_SECONDS (default 60) 50 virtual customers log in
   (/web/login with its CSRF token), list /my/tickets, open one of their organisation's
   tickets, reply on it (Talk To Expert, a unique token in the text), submit a new ticket
   (unique subject) and try to open another organisation's ticket (must be refused),
   logging out and in again every 3 rounds; 5 operations users triage (action_send_to_dispatch)
   and dispatch (action_assign to an expert of the ticket's queue) the load organisations'
   tickets through JSON-RPC /web/dataset/call_kw. Meanwhile the SLA sweep and the mail
   queue run: their crons are kept due for the cron worker, and an administrator runs them
   by hand (ir.cron method_direct_trigger) every 20 s;
4. starts server B and nginx again, now round robin over A and B, /longpolling to 8073/8074;
   checks the bus through nginx, then phase "two servers behind nginx": the same load;
5. stops nginx and both servers (process groups, also on failure or Ctrl-C), then checks
   in the database: every reply found on its ticket, once; no duplicate ticket (subject or
   number); every ticket a customer saw belongs to their organisation.

Prints requests, req/s, p50/p95/p99 and errors per route and phase, writes them to
var/bench/load.json and exits 1 on any 5xx, serialization failure in a response, lost or
duplicated reply, duplicate ticket, ticket seen by another organisation, lost session or
session not served by both servers.

usage: .venv/bin/python scripts/load.py [--db tktit] [--smtp-port 2525] [--mail-dir DIR]
env:   LOAD_SECONDS (per phase, default 60), LOAD_CUSTOMERS (50), LOAD_OPS (5)
"""
import argparse
import collections
import datetime
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import xmlrpc.client
from urllib.parse import urlsplit

import psycopg2
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VAR = os.path.join(ROOT, "var", "load")
OUT_JSON = os.path.join(ROOT, "var", "bench", "load.json")
NGINX_TEMPLATE = os.path.join(ROOT, "scripts", "load_nginx.conf.in")

SECONDS = max(5, min(int(os.environ.get("LOAD_SECONDS", "60")), 600))
CUSTOMERS = max(1, min(int(os.environ.get("LOAD_CUSTOMERS", "50")), 50))
OPS = max(0, min(int(os.environ.get("LOAD_OPS", "5")), 5))
ORGS = 5
PASSWORD = "tktit-load"
ROUNDS_PER_LOGIN = 3
HTTP_TIMEOUT = (60, 120)  # connect (as nginx's proxy_connect_timeout), read (seconds)
START_TIMEOUT = 180
STOP_TIMEOUT = 20
CRON_TRIGGER_EVERY = 20
RAMP_SECONDS = 10
# A person's pause between two clicks (seconds, uniform; env LOAD_THINK="min,max"): 50
# customers clicking without pause are 50 scripts, not 50 customers, and overflow Odoo 11's
# listen backlog (8 x workers) at once.
THINK = tuple(float(x) for x in os.environ.get("LOAD_THINK", "1,4").split(","))

SERVER_NICE = 10  # the Odoo servers' niceness (see OdooServer.start)
CLIENT_NICE = -5  # the simulated users' (this process's) niceness
SERIALIZATION_RE = re.compile(
    r"could not serialize|concurrent update|deadlock detected|TransactionRollbackError|"
    r"SerializationFailure|could not obtain lock", re.I)
CSRF_RE = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
TICKET_LINK_RE = re.compile(r'href="/my/ticket/(\d+)')
JS_REDIRECT_RE = re.compile(r"window\.location = '([^']*)'")
SPEC_RE = re.compile(r'<option[^>]*value="(\d+)"[^>]*data-technology="(\d+)"')
BUSINESS_ERRORS = ("odoo.exceptions.UserError", "odoo.exceptions.ValidationError",
                   "odoo.exceptions.Warning")


def log(msg):
    print("\033[1;34m[load]\033[0m %s" % msg, flush=True)


def utcnow():
    return datetime.datetime.utcnow()


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def percentile(values, pct):
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(pct / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


class RequestFailed(Exception):
    """A request that counts as an error (already recorded): start a fresh session."""


# ------------------------------------------------------------------------------ stats
class Stats:
    """Thread-safe latencies and outcomes per route for one phase."""

    def __init__(self):
        self.lock = threading.Lock()
        self.routes = collections.OrderedDict()
        self.samples = []

    def _route(self, route):
        if route not in self.routes:
            self.routes[route] = {"ms": [], "errors": collections.Counter(), "business": 0}
        return self.routes[route]

    def record(self, route, ms, error=None, detail=None, business=False):
        with self.lock:
            entry = self._route(route)
            entry["ms"].append(ms)
            if error:
                entry["errors"][error] += 1
                if len(self.samples) < 30:
                    self.samples.append({"route": route, "error": error,
                                         "detail": (detail or "")[-4000:]})
            if business:
                entry["business"] += 1

    def fail(self, route, error, detail=None):
        """An error found after the response was recorded (a page's content)."""
        with self.lock:
            entry = self._route(route)
            entry["errors"][error] += 1
            if len(self.samples) < 30:
                self.samples.append({"route": route, "error": error,
                                     "detail": (detail or "")[-4000:]})

    def summary(self, elapsed):
        rows = collections.OrderedDict()
        every = []
        errors = 0
        for route, entry in sorted(self.routes.items()):
            ms = entry["ms"]
            every.extend(ms)
            n_err = sum(entry["errors"].values())
            errors += n_err
            rows[route] = {
                "requests": len(ms), "rps": round(len(ms) / elapsed, 2) if elapsed else 0,
                "p50_ms": round(percentile(ms, 50)), "p95_ms": round(percentile(ms, 95)),
                "p99_ms": round(percentile(ms, 99)), "errors": n_err,
                "error_kinds": dict(entry["errors"]), "business_answers": entry["business"],
            }
        total = {
            "requests": len(every), "rps": round(len(every) / elapsed, 2) if elapsed else 0,
            "p50_ms": round(percentile(every, 50)), "p95_ms": round(percentile(every, 95)),
            "p99_ms": round(percentile(every, 99)), "errors": errors,
        }
        return rows, total


class Shared:
    """What the virtual users of a run tell the final checks."""

    def __init__(self):
        self.lock = threading.Lock()
        self.replies = []          # (ticket id, token) confirmed by the portal
        self.replies_unconfirmed = []
        self.created = []          # (ticket id, subject, login) confirmed by the portal
        self.seen = collections.defaultdict(set)   # login -> ticket ids listed or opened
        self.leaks = []            # (login, ticket id) of another organisation shown
        self.by_org = collections.defaultdict(list)  # org id -> ticket ids created


# ------------------------------------------------------------------------ processes
class OdooServer:
    def __init__(self, name, db, http_port, lp_port, smtp_port):
        self.name, self.db = name, db
        self.http_port, self.lp_port, self.smtp_port = http_port, lp_port, smtp_port
        self.conf = os.path.join(VAR, "odoo-load-%s.conf" % name)
        self.logfile = os.path.join(ROOT, "var", "log", "load-%s.log" % name)
        self.proc = None

    def write_config(self):
        subprocess.run([os.path.join(ROOT, "scripts", "write_config.sh"), self.conf, self.db,
                        str(self.http_port), str(self.smtp_port), self.logfile], check=True)
        with open(self.conf) as f:
            lines = f.read().splitlines()
        lines = [line for line in lines if not line.startswith(("workers =", "log_level ="))]
        lines += [
            "; added by scripts/load.py: one of several servers behind nginx",
            "workers = 2", "max_cron_threads = 1", "longpolling_port = %d" % self.lp_port,
            "proxy_mode = True", "log_level = info",
        ]
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")

    def start(self):
        for port in (self.http_port, self.lp_port):
            if port_open(port):
                raise SystemExit("[load] port %d is already in use (a previous `make load` "
                                 "still running?): stop it first" % port)
        self.log_offset = os.path.getsize(self.logfile) if os.path.exists(self.logfile) else 0
        out = open(os.path.join(VAR, "odoo-load-%s.out" % self.name), "ab")
        # Below the simulated users' CPU priority: on this one machine they share the
        # cores with the servers, and a user's thread starved between connecting and
        # sending its request (or reading the answer) for 2 s is cut off by the prefork
        # worker's socket timeout (WorkerHTTP: settimeout(2); a reset, counted as an
        # error). Real users have their own devices; in front of slow ones, the proxy
        # buffers. (nice counts from this process's own niceness: CLIENT_NICE + 10.)
        self.proc = subprocess.Popen(
            ["nice", "-n", str(SERVER_NICE - CLIENT_NICE),
             os.path.join(ROOT, "scripts", "odoo"), "-c", self.conf, "-d", self.db],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
        out.close()
        log("server %s: pid %d, http 127.0.0.1:%d, long-polling 127.0.0.1:%d, log %s" % (
            self.name, self.proc.pid, self.http_port, self.lp_port,
            os.path.relpath(self.logfile, ROOT)))

    def wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        url = "http://127.0.0.1:%d/web/login" % self.http_port
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("[load] server %s exited (rc %s), see %s" % (
                    self.name, self.proc.returncode, self.logfile))
            try:
                if requests.get(url, timeout=30).status_code == 200 and \
                        port_open(self.lp_port):
                    return
            except requests.RequestException:
                pass
            time.sleep(1)
        raise SystemExit("[load] server %s not ready after %ds, see %s" % (
            self.name, START_TIMEOUT, self.logfile))

    def stop(self):
        if not self.proc or self.proc.poll() is not None:
            return
        stop_group(self.proc, "server %s" % self.name)

    def log_since_start(self):
        if not os.path.exists(self.logfile):
            return ""
        with open(self.logfile, "rb") as f:
            f.seek(getattr(self, "log_offset", 0))
            return f.read().decode("utf-8", "replace")


def stop_group(proc, label):
    try:
        pgid = os.getpgid(proc.pid)
    except OSError:
        return
    for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, 5)):
        try:
            os.killpg(pgid, sig)
        except OSError:
            break
        try:
            proc.wait(wait)
            # the group's other members (workers, long-polling) go with the master
            time.sleep(0.5)
            os.killpg(pgid, 0)
        except subprocess.TimeoutExpired:
            continue
        except OSError:
            break  # nothing left in the group
    log("%s stopped" % label)


class Nginx:
    def __init__(self, port):
        self.port, self.servers = port, []
        self.prefix = os.path.join(VAR, "nginx")
        self.conf = os.path.join(self.prefix, "nginx.conf")
        self.proc = None

    @staticmethod
    def binary():
        found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists(
            "/usr/sbin/nginx") else None)
        if found:
            return found
        log("installing Debian's nginx-light (apt-get)")
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                               "nginx-light"], check=True, env=env, stdout=subprocess.DEVNULL)
        return shutil.which("nginx") or "/usr/sbin/nginx"

    def write_config(self):
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.makedirs(os.path.join(self.prefix, "tmp", sub), exist_ok=True)
        user_line = ""
        if os.geteuid() == 0:
            # the master runs as root here; its worker owns the temp paths
            import pwd
            nobody = pwd.getpwnam("nobody")
            for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
                os.chown(os.path.join(self.prefix, "tmp", sub), nobody.pw_uid, nobody.pw_gid)
            user_line = "user nobody %s;" % __import__("grp").getgrgid(nobody.pw_gid).gr_name
        with open(NGINX_TEMPLATE) as f:
            text = f.read()
        text = text.replace("@USER_LINE@", user_line).replace("@PREFIX@", self.prefix)
        text = text.replace("@LISTEN_PORT@", str(self.port))
        text = text.replace("@ODOO_SERVERS@", "\n".join(
            "        server 127.0.0.1:%d max_fails=0;" % s.http_port for s in self.servers))
        text = text.replace("@LONGPOLLING_SERVERS@", "\n".join(
            "        server 127.0.0.1:%d;" % s.lp_port for s in self.servers))
        with open(self.conf, "w") as f:
            f.write(text)

    def start(self, servers):
        self.servers = servers
        if port_open(self.port):
            raise SystemExit("[load] port %d is already in use: stop what listens there"
                             % self.port)
        nginx = self.binary()
        self.write_config()
        subprocess.run([nginx, "-q", "-t", "-p", self.prefix, "-c", self.conf], check=True)
        out = open(os.path.join(self.prefix, "nginx.out"), "ab")
        self.proc = subprocess.Popen([nginx, "-p", self.prefix, "-c", self.conf],
                                     stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        out.close()
        deadline = time.monotonic() + 20
        while not port_open(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("[load] nginx did not start, see %s" % self.prefix)
            time.sleep(0.2)
        log("nginx: pid %d on 127.0.0.1:%d -> %s (config %s)" % (
            self.proc.pid, self.port, ", ".join(
                "%d (long-polling %d)" % (s.http_port, s.lp_port) for s in self.servers),
            os.path.relpath(self.conf, ROOT)))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            stop_group(self.proc, "nginx")
        # the port is free again before the next start (its listening socket closed)
        deadline = time.monotonic() + 10
        while port_open(self.port) and time.monotonic() < deadline:
            time.sleep(0.1)


# ---------------------------------------------------------------------- set-up (RPC)
class Admin:
    def __init__(self, base, db):
        self.db = db
        self.uid = xmlrpc.client.ServerProxy(base + "/xmlrpc/2/common").authenticate(
            db, "admin", "admin", {})
        if not self.uid:
            raise SystemExit("[load] admin/admin cannot log in to %s" % db)
        self.obj = xmlrpc.client.ServerProxy(base + "/xmlrpc/2/object", allow_none=True)

    def __call__(self, model, method, *args, **kwargs):
        return self.obj.execute_kw(self.db, self.uid, "admin", model, method, list(args),
                                   kwargs)

    def ref(self, xmlid):
        return self("ir.model.data", "xmlid_to_res_id", xmlid, True)


def setup_users(admin):
    """The load's organisations and users, created once (idempotent)."""
    portal = admin.ref("base.group_portal")
    employee = admin.ref("base.group_user")
    operations = admin.ref("tktit_helpdesk.group_helpdesk_user")
    orgs = []
    for i in range(1, ORGS + 1):
        ref = "tktit-load-org-%d" % i
        found = admin("res.partner", "search", [("ref", "=", ref), ("is_company", "=", True)])
        orgs.append(found[0] if found else admin("res.partner", "create", {
            "name": "Load Customer Org %d" % i, "ref": ref, "is_company": True,
            "customer": True, "email": "contact@load-org-%d.example" % i}))
    wanted = {}
    for i in range(1, 51):
        wanted["load.customer%02d" % i] = {
            "name": "Load Customer %02d" % i, "email": "load.customer%02d@load.example" % i,
            "parent_id": orgs[(i - 1) % ORGS], "groups_id": [(6, 0, [portal])]}
    for i in range(1, 6):
        wanted["load.ops%d" % i] = {
            "name": "Load Operations %d" % i, "email": "load.ops%d@tktit.example" % i,
            "groups_id": [(6, 0, [employee, operations])]}
    existing = {u["login"]: u for u in admin(
        "res.users", "search_read", [("login", "in", list(wanted))],
        fields=["login", "partner_id", "active"], context={"active_test": False})}
    created = 0
    for login, vals in wanted.items():
        if login not in existing:
            admin("res.users", "create", dict(vals, login=login, password=PASSWORD))
            created += 1
    users = {u["login"]: u for u in admin(
        "res.users", "search_read", [("login", "in", list(wanted))],
        fields=["login", "partner_id", "active", "commercial_partner_id"],
        context={"active_test": False})}
    inactive = [u["id"] for u in users.values() if not u["active"]]
    if inactive:
        admin("res.users", "write", inactive, {"active": True})
    if created < len(wanted):
        # the password of users made by an earlier run (or changed since)
        admin("res.users", "write", [u["id"] for u in users.values()], {"password": PASSWORD})
    log("load users: %d organisations, 50 portal customers, 5 operations users "
        "(%d created now, password %r)" % (ORGS, created, PASSWORD))
    queues = admin("helpdesk.queue", "search_read", [],
                   fields=["technology_id", "specialization_id", "member_ids"])
    specs = {q["specialization_id"][0]: q["technology_id"][0] for q in queues
             if q["specialization_id"] and q["technology_id"] and q["member_ids"]}
    members = {q["id"]: q["member_ids"] for q in queues}
    foreign = admin("helpdesk.ticket", "search", [("commercial_partner_id", "not in", orgs)],
                    limit=20)
    crons = {}
    for key, xmlid in (("sla", "tktit_helpdesk_sla.ir_cron_sla_sweep"),
                       ("mail", "mail.ir_cron_mail_scheduler_action")):
        crons[key] = admin.ref(xmlid)
    return {"orgs": orgs, "users": users, "specs": specs, "members": members,
            "foreign": foreign, "crons": crons}


# ------------------------------------------------------------------- virtual users
class VirtualUser(threading.Thread):
    def __init__(self, phase, login):
        super(VirtualUser, self).__init__(name=login, daemon=True)
        self.phase, self.login = phase, login
        self.stats, self.base = phase.stats, phase.base
        self.session = None
        self.session_upstreams = set()
        self.upstreams = set()
        self.rng = random.Random(login)  # the same pauses in every run

    def time_up(self):
        return self.phase.stop.is_set() or time.monotonic() >= self.phase.deadline

    think = True  # people pause between clicks; the cron driver does not

    def pause(self):
        if self.think and THINK[1] > 0:
            time.sleep(max(0.0, min(self.rng.uniform(*THINK),
                                    self.phase.deadline - time.monotonic())))

    def http(self, method, path, route=None, **kwargs):
        route = route or "%s %s" % (method, re.sub(r"/\d+", "/<id>", urlsplit(path).path))
        self.pause()
        start = time.monotonic()
        try:
            resp = self.session.request(method, self.base + path, timeout=HTTP_TIMEOUT,
                                        allow_redirects=False, **kwargs)
        except requests.RequestException as exc:
            self.stats.record(route, (time.monotonic() - start) * 1000,
                              "no answer: %s" % type(exc).__name__, repr(exc))
            raise RequestFailed(route)
        ms = (time.monotonic() - start) * 1000
        upstream = resp.headers.get("X-Upstream")
        if upstream:
            self.session_upstreams.add(upstream)
            self.upstreams.add(upstream)
        error = None
        if resp.status_code >= 500:
            error = "HTTP %d" % resp.status_code
        elif SERIALIZATION_RE.search(resp.text):
            error = "serialization failure shown"
        elif resp.status_code >= 400:
            error = "HTTP %d" % resp.status_code
        self.stats.record(route, ms, error, "%s %s -> %s\n%s" % (
            method, path, resp.status_code, resp.text) if error else None)
        if error:
            raise RequestFailed(route)
        return resp

    def follow(self, resp, expect_prefix=None):
        """GET the redirect's target (a route of its own); a logged-in page that sends
        to the login page means the session was lost."""
        if resp.status_code not in (301, 302, 303, 307, 308):
            return resp
        parts = urlsplit(resp.headers.get("Location", "/"))
        path = parts.path + ("?" + parts.query if parts.query else "")
        if path.startswith("/web/login"):
            self.stats.fail("session", "session lost (sent to /web/login)",
                            "%s after %s" % (path, resp.url))
            raise RequestFailed("session")
        if expect_prefix and not path.startswith(expect_prefix):
            self.stats.fail("redirect", "unexpected redirect to %s" % path.split("?")[0],
                            "%s after %s" % (path, resp.url))
            raise RequestFailed("redirect")
        return self.http("GET", path)

    def new_session(self):
        if self.session is not None:
            self.session.close()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "tktit-load/1 (%s)" % self.login
        self.session_upstreams = set()

    def end_session(self):
        if self.session_upstreams:
            with self.phase.lock:
                self.phase.sessions.append(sorted(self.session_upstreams))

    def run(self):
        while not self.time_up():
            self.new_session()
            try:
                self.cycle()
            except RequestFailed:
                time.sleep(0.2)
            except Exception as exc:  # a bug of this script: counted, never hidden
                self.stats.fail("client", "client exception %s" % type(exc).__name__,
                                repr(exc))
                time.sleep(0.5)
            finally:
                self.end_session()
        if self.session is not None:
            self.session.close()


class Customer(VirtualUser):
    def __init__(self, phase, login, user):
        super(Customer, self).__init__(phase, login)
        self.org = user["commercial_partner_id"][0]
        self.counter = 0

    def cycle(self):
        resp = self.http("GET", "/web/login?redirect=/my/tickets")
        csrf = CSRF_RE.search(resp.text).group(1)
        resp = self.http("POST", "/web/login", data={
            "login": self.login, "password": PASSWORD, "csrf_token": csrf,
            "redirect": "/my/tickets"})
        # Odoo 11 answers a successful login with a page that sets window.location
        # (redirect_with_hash); a refused one shows the form again.
        target = JS_REDIRECT_RE.search(resp.text) if resp.status_code == 200 else None
        if resp.status_code == 303:
            resp = self.follow(resp, "/my/tickets")
        elif target and target.group(1).startswith("/my/tickets"):
            resp = self.http("GET", target.group(1))
        else:
            self.stats.fail("POST /web/login", "login refused", resp.text)
            raise RequestFailed("login")
        for rnd in range(ROUNDS_PER_LOGIN):
            if self.time_up():
                break
            if rnd:
                resp = self.http("GET", "/my/tickets")
            ids = self.listed(resp)
            self.submit()
            if ids and not self.time_up():
                ticket_id = random.choice(ids)
                page = self.open(ticket_id)
                if not self.time_up():
                    self.reply(ticket_id, page)
            if rnd == 0 and not self.time_up():
                self.probe_other()
        self.http("GET", "/web/session/logout")

    def listed(self, resp):
        ids = sorted({int(x) for x in TICKET_LINK_RE.findall(resp.text)})
        with self.phase.shared.lock:
            self.phase.shared.seen[self.login].update(ids)
        return ids

    def open(self, ticket_id):
        resp = self.http("GET", "/my/ticket/%d" % ticket_id)
        if resp.status_code != 200:
            self.stats.fail("GET /my/ticket/<id>", "listed ticket refused",
                            "ticket %d -> %s" % (ticket_id, resp.headers.get("Location")))
            raise RequestFailed("open")
        with self.phase.shared.lock:
            self.phase.shared.seen[self.login].add(ticket_id)
        return resp

    def reply(self, ticket_id, page):
        match = CSRF_RE.search(page.text)
        if 'action="/my/ticket/%d/message"' % ticket_id not in page.text or not match:
            return  # closed ticket: no reply form
        self.counter += 1
        token = "LT%s%s%03d%04d" % (self.phase.run_id, self.phase.key, int(
            self.login[-2:]), self.counter)
        resp = self.http("POST", "/my/ticket/%d/message" % ticket_id, data={
            "csrf_token": match.group(1),
            "message": "Load test reply %s from %s: still seeing it." % (token, self.login)})
        try:
            resp = self.follow(resp, "/my/ticket/%d" % ticket_id)
        except RequestFailed:
            with self.phase.shared.lock:
                self.phase.shared.replies_unconfirmed.append((ticket_id, token))
            raise
        if "Your message was sent to the expert." in resp.text:
            with self.phase.shared.lock:
                self.phase.shared.replies.append((ticket_id, token))
        else:
            with self.phase.shared.lock:
                self.phase.shared.replies_unconfirmed.append((ticket_id, token))
            self.stats.fail("POST /my/ticket/<id>/message", "reply not confirmed",
                            resp.text[-3000:])

    def submit(self):
        resp = self.http("GET", "/my/tickets/new")
        csrf = CSRF_RE.search(resp.text).group(1)
        specs = [(s, t) for s, t in SPEC_RE.findall(resp.text)
                 if int(s) in self.phase.setup["specs"]]
        self.counter += 1
        subject = "LOAD %s %s %s #%d" % (self.phase.run_id, self.phase.key, self.login,
                                         self.counter)
        data = {"csrf_token": csrf, "name": subject, "category": "technical",
                "priority": "1", "description": "Submitted by the load test (%s)." % subject}
        if specs:
            spec, tech = random.choice(specs)
            data.update(technology_id=tech, specialization_id=spec)
        resp = self.http("POST", "/my/tickets/new", data=data,
                         files={"attachment": ("", b"", "application/octet-stream")})
        if resp.status_code not in (302, 303):
            errors = re.findall(r'class="alert alert-danger"[^>]*>(.*?)</', resp.text, re.S)
            self.stats.fail("POST /my/tickets/new", "ticket refused",
                            " ".join(errors)[:1000] or resp.text[-2000:])
            raise RequestFailed("submit")
        location = urlsplit(resp.headers.get("Location", "")).path
        match = re.match(r"/my/ticket/(\d+)$", location)
        if not match:
            self.stats.fail("POST /my/tickets/new", "unexpected redirect", location)
            raise RequestFailed("submit")
        ticket_id = int(match.group(1))
        with self.phase.shared.lock:
            self.phase.shared.created.append((ticket_id, subject, self.login))
            self.phase.shared.by_org[self.org].append(ticket_id)
            self.phase.shared.seen[self.login].add(ticket_id)
        resp = self.follow(resp, "/my/ticket/%d" % ticket_id)
        if "was received" not in resp.text:
            self.stats.fail("POST /my/tickets/new", "ticket not confirmed", resp.text[-2000:])

    def probe_other(self):
        """Another organisation's ticket, by its URL: the portal must send to /my."""
        with self.phase.shared.lock:
            others = [tid for org, ids in self.phase.shared.by_org.items() if org != self.org
                      for tid in ids[-5:]]
        others += self.phase.setup["foreign"]
        if not others:
            return
        ticket_id = random.choice(others)
        route = "GET /my/ticket/<id> (other org)"
        resp = self.http("GET", "/my/ticket/%d" % ticket_id, route=route)
        if resp.status_code == 200:
            with self.phase.shared.lock:
                self.phase.shared.leaks.append((self.login, ticket_id))
            self.stats.fail(route, "other organisation's ticket shown",
                            "ticket %d shown to %s" % (ticket_id, self.login))
        elif urlsplit(resp.headers.get("Location", "")).path != "/my":
            self.stats.fail(route, "unexpected answer", "%s %s" % (
                resp.status_code, resp.headers.get("Location")))


class JsonRpcUser(VirtualUser):
    def rpc_call(self, path, params, route):
        resp = self.http("POST", path, route=route, json={
            "jsonrpc": "2.0", "method": "call", "id": random.randint(1, 10 ** 9),
            "params": params})
        data = resp.json()
        error = data.get("error")
        if not error:
            return data.get("result"), None
        name = (error.get("data") or {}).get("name", "")
        message = (error.get("data") or {}).get("message", "") or error.get("message", "")
        if name in BUSINESS_ERRORS:
            with self.stats.lock:
                self.stats._route(route)["business"] += 1
            return None, message
        kind = "session lost" if "SessionExpired" in name else "server error %s" % name
        self.stats.fail(route, kind, json.dumps(error)[-4000:])
        raise RequestFailed(route)

    def call_kw(self, model, method, args, kwargs=None, label=None):
        return self.rpc_call("/web/dataset/call_kw/%s/%s" % (model, method), {
            "model": model, "method": method, "args": args, "kwargs": kwargs or {}},
            "RPC %s.%s%s" % (model, method, " (%s)" % label if label else ""))

    def authenticate(self, login, password):
        result, error = self.rpc_call("/web/session/authenticate", {
            "db": self.phase.db, "login": login, "password": password,
            "base_location": self.base}, "POST /web/session/authenticate")
        if not result or not result.get("uid"):
            self.stats.fail("POST /web/session/authenticate", "login refused", repr(error))
            raise RequestFailed("authenticate")


class Dispatcher(JsonRpcUser):
    """An operations user: triage of the load organisations' new tickets, then the
    dispatcher queue (priority, then age), each ticket to an expert of its queue."""

    def cycle(self):
        self.authenticate(self.login, PASSWORD)
        orgs = self.phase.setup["orgs"]
        while not self.time_up():
            worked = False
            domain = [("state", "=", "new"), ("commercial_partner_id", "in", orgs),
                      ("queue_id", "!=", False)]
            new, _err = self.call_kw("helpdesk.ticket", "search_read", [domain], {
                "fields": ["id"], "limit": 5, "order": "create_date asc, id asc"})
            if new:
                ticket = random.choice(new)
                self.call_kw("helpdesk.ticket", "action_send_to_dispatch", [[ticket["id"]]])
                worked = True
            queue, _err = self.call_kw("helpdesk.ticket", "search_read", [[
                ("state", "=", "dispatch"), ("commercial_partner_id", "in", orgs)]], {
                "fields": ["id", "queue_id", "user_id"], "limit": 5,
                "order": "priority desc, create_date asc, id asc"})
            if queue:
                ticket = random.choice(queue)
                experts = self.phase.setup["members"].get(
                    ticket["queue_id"] and ticket["queue_id"][0]) or []
                if experts:
                    self.call_kw("helpdesk.ticket", "action_assign",
                                 [[ticket["id"]], random.choice(experts)])
                    worked = True
            if not worked:
                time.sleep(0.5)


class CronDriver(JsonRpcUser):
    """The SLA sweep and the mail queue during the phase: their crons stay due for the
    servers' cron workers (which wake about once a minute), and the administrator runs
    them by hand (ir.cron method_direct_trigger) every CRON_TRIGGER_EVERY seconds."""

    def __init__(self, phase):
        super(CronDriver, self).__init__(phase, "admin")
        self.worker_runs = collections.Counter()
        self.manual_runs = collections.Counter()

    def keep_due(self, cr):
        crons = self.phase.setup["crons"]
        cr.execute("SELECT id, nextcall FROM ir_cron WHERE id IN %s",
                   (tuple(crons.values()),))
        now = utcnow()
        for cron_id, nextcall in cr.fetchall():
            if nextcall > now + datetime.timedelta(seconds=5):
                # rescheduled since we made it due: a cron worker ran it
                self.worker_runs[[k for k, v in crons.items() if v == cron_id][0]] += 1
        cr.execute("SET lock_timeout = '2s'")
        try:
            cr.execute("UPDATE ir_cron SET nextcall = (now() at time zone 'UTC') - "
                       "interval '1 second' WHERE id IN %s", (tuple(crons.values()),))
        except psycopg2.Error:
            pass  # a cron worker holds it right now: next time

    def cycle(self):
        self.authenticate("admin", "admin")
        conn = psycopg2.connect(dbname=self.phase.db, host="127.0.0.1", port=5432)
        conn.autocommit = True
        try:
            last_trigger = time.monotonic() - CRON_TRIGGER_EVERY + 5
            while not self.time_up():
                with conn.cursor() as cr:
                    self.keep_due(cr)
                if time.monotonic() - last_trigger >= CRON_TRIGGER_EVERY:
                    last_trigger = time.monotonic()
                    for key in ("sla", "mail"):
                        if self.time_up():
                            break
                        label = {"sla": "SLA sweep", "mail": "mail queue"}[key]
                        _res, err = self.call_kw("ir.cron", "method_direct_trigger",
                                                 [[self.phase.setup["crons"][key]]],
                                                 label=label)
                        if err is None:
                            self.manual_runs[key] += 1
                self.phase.stop.wait(5)
            with conn.cursor() as cr:
                self.keep_due(cr)
        finally:
            conn.close()


# --------------------------------------------------------------------------- phases
class Phase:
    def __init__(self, key, title, base, db, setup, shared, run_id):
        self.key, self.title, self.base, self.db = key, title, base, db
        self.setup, self.shared, self.run_id = setup, shared, run_id
        self.stats = Stats()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.sessions = []
        self.deadline = None

    def run(self, mail_dir):
        users = self.setup["users"]
        customers = [Customer(self, "load.customer%02d" % i, users["load.customer%02d" % i])
                     for i in range(1, CUSTOMERS + 1)]
        ops = [Dispatcher(self, "load.ops%d" % i) for i in range(1, OPS + 1)]
        cron = CronDriver(self)
        mail_before = mail_state(self.db, mail_dir)
        log("phase %s: %d customers + %d operations users for %ds on %s" % (
            self.title, len(customers), len(ops), SECONDS, self.base))
        start = time.monotonic()
        self.deadline = start + SECONDS
        threads = [cron] + ops + customers
        # ramp-up: one user every RAMP_SECONDS / users. Odoo 11 queues at most
        # 8 x workers = 16 connections per server; 55 at the same instant overflow it and
        # the kernel's retries leave some of the very first requests waiting over a minute.
        ramp = min(RAMP_SECONDS, SECONDS / 4.0) / len(threads)
        for thread in threads:
            thread.start()
            time.sleep(ramp)
        hard = self.deadline + HTTP_TIMEOUT[0] + HTTP_TIMEOUT[1] + 30
        for thread in threads:
            thread.join(max(0.1, hard - time.monotonic()))
        self.stop.set()
        stuck = [t.name for t in threads if t.is_alive()]
        elapsed = time.monotonic() - start
        routes, total = self.stats.summary(elapsed)
        mail_after = mail_state(self.db, mail_dir)
        customer_upstreams = {c.login: sorted(c.upstreams) for c in customers}
        return {
            "key": self.key, "title": self.title, "base_url": self.base,
            "seconds": SECONDS, "elapsed_s": round(elapsed, 1), "customers": len(customers),
            "operations_users": len(ops), "total": total, "routes": routes,
            "error_samples": self.stats.samples, "stuck_threads": stuck,
            "sessions": len(self.sessions),
            "sessions_served_by_all_upstreams": sum(
                1 for s in self.sessions if len(s) >= 2),
            "customer_upstreams": customer_upstreams,
            "cron": {"worker_runs": dict(cron.worker_runs),
                     "manual_runs": dict(cron.manual_runs)},
            "mail": {"before": mail_before, "after": mail_after},
        }


def mail_state(db, mail_dir):
    conn = psycopg2.connect(dbname=db, host="127.0.0.1", port=5432)
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT state, count(*) FROM mail_mail GROUP BY state")
            states = dict(cr.fetchall())
    finally:
        conn.close()
    files = len([n for n in os.listdir(mail_dir) if n.endswith(".eml")]) \
        if mail_dir and os.path.isdir(mail_dir) else None
    return {"mail_mail": states, "eml_files": files}


def check_bus(base, run_id):
    """The bus through nginx: a message sent on a channel comes back from a poll, which
    only a long-polling port answers (the HTTP workers say "bus.Bus unavailable")."""
    channel = "tktit-load-%s" % run_id
    seen = set()
    session = requests.Session()
    payload = {"jsonrpc": "2.0", "method": "call",
               "params": {"channel": channel, "message": "ping %s" % run_id}}
    resp = session.post(base + "/longpolling/send", json=payload, timeout=30)
    resp.raise_for_status()
    seen.add(resp.headers.get("X-Upstream"))
    results = []
    for _attempt in range(4):
        resp = session.post(base + "/longpolling/poll", json={
            "jsonrpc": "2.0", "method": "call",
            "params": {"channels": [channel], "last": 0, "options": {}}}, timeout=60)
        resp.raise_for_status()
        seen.add(resp.headers.get("X-Upstream"))
        data = resp.json()
        results.append(bool(data.get("result")) and any(
            n.get("message") == "ping %s" % run_id for n in data["result"]))
    return {"ok": all(results), "polls": len(results), "upstreams": sorted(
        u for u in seen if u)}


def scan_log(text):
    """ERROR/CRITICAL records of a server log. A serialization failure is logged as an
    ERROR by odoo.sql_db ("bad query"), then retried by Odoo (up to 5 times, the whole
    request or cron job again): those retries are counted apart; what exhausted its
    retries is logged as "maximum number of tries reached" and reached its caller."""
    records = re.split(r"\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ )", text)
    errors = [r for r in records if re.match(r"\S+ \S+ \d+ (ERROR|CRITICAL) ", r)]
    retried = [r for r in errors if " odoo.sql_db: bad query" in r and
               SERIALIZATION_RE.search(r)]
    others = [r for r in errors if r not in retried]
    retries = collections.Counter(
        m.group(1).lower() for m in re.finditer(
            r"(serialization_failure|deadlock_detected|lock_not_available), retry", text, re.I))
    exhausted = len(re.findall(r"maximum number of tries reached", text))
    return {"error_records": len(others), "retried_conflicts": len(retried),
            "retries": dict(retries), "retries_exhausted": exhausted,
            "samples": [r[-3000:] for r in others[:5]],
            "conflict_samples": [r[-600:] for r in retried[:5]]}


# ------------------------------------------------------------------------ checks
def verify(db, shared, run_id, users):
    conn = psycopg2.connect(dbname=db, host="127.0.0.1", port=5432)
    failures, checks = [], {}
    try:
        with conn.cursor() as cr:
            cr.execute("""SELECT res_id, body FROM mail_message WHERE model = 'helpdesk.ticket'
                          AND message_type = 'comment' AND body LIKE %s""",
                       ("%%LT%s%%" % run_id,))
            found = collections.defaultdict(collections.Counter)
            for res_id, body in cr.fetchall():
                for token in re.findall(r"LT%s[ab]\d{7}" % run_id, body or ""):
                    found[token][res_id] += 1
            lost = [(tid, tok) for tid, tok in shared.replies if found[tok][tid] < 1]
            twice = [(tid, tok) for tid, tok in shared.replies if sum(found[tok].values()) > 1]
            unconfirmed_stored = [(tid, tok) for tid, tok in shared.replies_unconfirmed
                                  if found[tok][tid]]
            checks["replies"] = {"sent": len(shared.replies), "found": len(shared.replies) -
                                 len(lost), "lost": lost[:20], "duplicated": twice[:20],
                                 "unconfirmed": len(shared.replies_unconfirmed),
                                 "unconfirmed_but_stored": len(unconfirmed_stored)}
            if lost:
                failures.append("%d replies lost (not on their ticket), e.g. %s" % (
                    len(lost), lost[:3]))
            if twice:
                failures.append("%d replies stored twice, e.g. %s" % (len(twice), twice[:3]))

            cr.execute("""SELECT t.id, t.name, t.number, t.partner_id, t.commercial_partner_id
                          FROM helpdesk_ticket t WHERE t.name LIKE %s""",
                       ("LOAD %s %%" % run_id,))
            rows = cr.fetchall()
            by_name = collections.defaultdict(list)
            for tid, name, _number, _partner, _commercial in rows:
                by_name[name].append(tid)
            duplicates = {n: ids for n, ids in by_name.items() if len(ids) > 1}
            db_ids = {r[0]: r for r in rows}
            partner_of = {login: u["partner_id"][0] for login, u in users.items()}
            missing = [(tid, name) for tid, name, _login in shared.created
                       if tid not in db_ids or db_ids[tid][1] != name]
            wrong_customer = [(tid, login) for tid, _name, login in shared.created
                              if tid in db_ids and db_ids[tid][3] != partner_of[login]]
            acknowledged = {tid for tid, _n, _l in shared.created}
            unacknowledged = sorted(set(db_ids) - acknowledged)
            cr.execute("""SELECT number, count(*) FROM helpdesk_ticket WHERE number IS NOT NULL
                          GROUP BY number HAVING count(*) > 1""")
            dup_numbers = cr.fetchall()
            checks["tickets"] = {
                "submitted": len(shared.created), "in_db": len(rows),
                "duplicate_subjects": len(duplicates), "duplicate_numbers": len(dup_numbers),
                "missing": missing[:20], "wrong_customer": wrong_customer[:20],
                "created_unacknowledged": unacknowledged[:20]}
            if duplicates:
                failures.append("%d duplicate tickets (same subject), e.g. %s" % (
                    len(duplicates), list(duplicates.items())[:3]))
            if dup_numbers:
                failures.append("%d duplicate ticket numbers, e.g. %s" % (
                    len(dup_numbers), dup_numbers[:3]))
            if missing or wrong_customer:
                failures.append("submitted tickets missing or on the wrong customer: %s %s" % (
                    missing[:3], wrong_customer[:3]))

            seen_ids = sorted({tid for ids in shared.seen.values() for tid in ids})
            org_of = {}
            if seen_ids:
                cr.execute("SELECT id, commercial_partner_id FROM helpdesk_ticket "
                           "WHERE id = ANY(%s)", (seen_ids,))
                org_of = dict(cr.fetchall())
            foreign = []
            for login, ids in shared.seen.items():
                mine = users[login]["commercial_partner_id"][0]
                foreign += [(login, tid) for tid in ids if org_of.get(tid) != mine]
            checks["isolation"] = {
                "customers": len(shared.seen), "tickets_seen": len(seen_ids),
                "seen_from_other_org": foreign[:20], "other_org_probe_shown": shared.leaks[:20]}
            if foreign or shared.leaks:
                failures.append("tickets of one organisation seen by another: %s %s" % (
                    foreign[:5], shared.leaks[:5]))
    finally:
        conn.close()
    return checks, failures


# ------------------------------------------------------------------------- report
def print_table(phases):
    head = "%-26s %-46s %8s %7s %7s %7s %7s %6s %5s" % (
        "phase", "route", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "biz")
    print()
    print(head)
    print("-" * len(head))
    for phase in phases:
        for route, row in phase["routes"].items():
            print("%-26s %-46s %8d %7.1f %7d %7d %7d %6d %5d" % (
                phase["title"][:26], route[:46], row["requests"], row["rps"], row["p50_ms"],
                row["p95_ms"], row["p99_ms"], row["errors"], row["business_answers"]))
        total = phase["total"]
        print("%-26s %-46s %8d %7.1f %7d %7d %7d %6d" % (
            phase["title"][:26], "ALL", total["requests"], total["rps"], total["p50_ms"],
            total["p95_ms"], total["p99_ms"], total["errors"]))
        print("-" * len(head))
    print()
    print("%-34s %10s %8s %8s %8s" % ("", "requests", "req/s", "p95 ms", "errors"))
    for phase in phases:
        total = phase["total"]
        print("%-34s %10d %8.1f %8d %8d" % (
            phase["title"], total["requests"], total["rps"], total["p95_ms"], total["errors"]))
    print("(biz: business answers, e.g. a UserError because another dispatcher was first;"
          " not errors)")
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="tktit")
    parser.add_argument("--smtp-port", type=int, default=2525)
    parser.add_argument("--mail-dir", default=os.path.join(ROOT, "var", "mail-run"))
    parser.add_argument("--ports", default="8071,8072,8073,8074,8075",
                        help="HTTP A,HTTP B,long-polling A,long-polling B,nginx")
    args = parser.parse_args()
    http_a, http_b, lp_a, lp_b, proxy_port = [int(p) for p in args.ports.split(",")]
    # The users first (see SERVER_NICE): a user's thread stalled more than 2 s between
    # connecting and sending is cut off by the prefork worker. Raising our own priority
    # needs root (CI and these machines run as root); otherwise the servers' nice does it.
    try:
        os.nice(CLIENT_NICE)
    except OSError:
        pass
    os.makedirs(VAR, exist_ok=True)
    run_id = time.strftime("%m%d%H%M%S", time.gmtime())
    servers = [OdooServer("a", args.db, http_a, lp_a, args.smtp_port),
               OdooServer("b", args.db, http_b, lp_b, args.smtp_port)]
    nginx = Nginx(proxy_port)

    def on_signal(signum, _frame):
        raise KeyboardInterrupt("signal %d" % signum)

    signal.signal(signal.SIGTERM, on_signal)
    result = {"run_id": run_id, "db": args.db, "seconds_per_phase": SECONDS,
              "customers": CUSTOMERS, "operations_users": OPS, "phases": []}
    failures = []
    shared = Shared()
    setup = None
    started = time.monotonic()
    try:
        for server in servers:
            server.write_config()
        servers[0].start()
        servers[0].wait_ready()
        admin = Admin("http://127.0.0.1:%d" % http_a, args.db)
        setup = setup_users(admin)
        proxy = "http://127.0.0.1:%d" % proxy_port
        # One server behind the same nginx, as Odoo runs in production: facing 50 users
        # itself, Odoo 11 resets connections beyond its listen backlog (8 x workers), see
        # README "Scaling out and load". Both phases then differ by the second server only.
        nginx.start(servers[:1])
        phase = Phase("a", "one server behind nginx", proxy, args.db, setup, shared, run_id)
        result["phases"].append(phase.run(args.mail_dir))
        nginx.stop()
        servers[1].start()
        servers[1].wait_ready()
        nginx.start(servers)
        bus = check_bus(proxy, run_id)
        result["bus_through_nginx"] = bus
        log("bus through nginx: %s, long-polling answered by %s" % (
            "ok" if bus["ok"] else "FAILED", ", ".join(bus["upstreams"])))
        if not bus["ok"] or any(str(p) not in " ".join(bus["upstreams"]) for p in (lp_a, lp_b)):
            failures.append("long-polling through nginx: %s" % bus)
        phase = Phase("b", "two servers behind nginx", proxy, args.db, setup, shared, run_id)
        result["phases"].append(phase.run(args.mail_dir))
    except KeyboardInterrupt as exc:
        failures.append("interrupted (%s)" % exc)
    finally:
        nginx.stop()
        for server in reversed(servers):
            server.stop()
    for server in servers:
        result.setdefault("server_logs", {})[server.name] = scan_log(server.log_since_start())

    for phase in result["phases"]:
        for route, row in phase["routes"].items():
            for kind, count in row["error_kinds"].items():
                failures.append("%s: %s: %d x %s" % (phase["title"], route, count, kind))
        if phase["stuck_threads"]:
            failures.append("%s: virtual users still running after the bound: %s" % (
                phase["title"], phase["stuck_threads"][:5]))
        if phase["key"] == "b" and phase["sessions"] and \
                not phase["sessions_served_by_all_upstreams"]:
            # round robin: a session of a few requests meets both servers (a lost one
            # is an error of its route: "session lost")
            failures.append("two servers: no session was served by both servers")
    if setup is not None:
        checks, check_failures = verify(args.db, shared, run_id, setup["users"])
        result["checks"] = checks
        failures += check_failures
    for name, scan in result.get("server_logs", {}).items():
        if scan["retries_exhausted"]:
            failures.append("server %s: %d requests or cron jobs gave up after 5 "
                            "serialization retries (var/log/load-%s.log)" % (
                                name, scan["retries_exhausted"], name))
    result["failures"] = failures
    result["wall_s"] = round(time.monotonic() - started, 1)
    os.makedirs(os.path.dirname(OUT_JSON), exist_ok=True)
    with open(OUT_JSON, "w") as f:
        json.dump(result, f, indent=2, sort_keys=False, default=str)

    print_table(result["phases"])
    for phase in result["phases"]:
        extra = ""
        if phase["key"] == "b":
            extra = ", sessions served by both servers: %d of %d" % (
                phase["sessions_served_by_all_upstreams"], phase["sessions"])
        print("%s: cron worker runs %s, manual runs %s, mails %s -> %s%s" % (
            phase["title"], phase["cron"]["worker_runs"] or "{}", phase["cron"]["manual_runs"],
            phase["mail"]["before"]["eml_files"], phase["mail"]["after"]["eml_files"], extra))
    checks = result.get("checks", {})
    if checks:
        print("replies: %(sent)d sent, %(found)d found on their ticket, lost %(lost)s" %
              dict(checks["replies"], lost=len(checks["replies"]["lost"])))
        print("tickets: %(submitted)d submitted, %(in_db)d in the database, duplicate "
              "subjects %(duplicate_subjects)d, duplicate numbers %(duplicate_numbers)d" %
              checks["tickets"])
        print("isolation: %(customers)d customers saw %(tickets_seen)d tickets, from another "
              "organisation: %(n)d" % dict(checks["isolation"], n=len(
                  checks["isolation"]["seen_from_other_org"]) + len(
                  checks["isolation"]["other_org_probe_shown"])))
    for name, scan in result.get("server_logs", {}).items():
        print("server %s log: %d ERROR records besides retried conflicts; concurrency "
              "retries absorbed %s, exhausted %d" % (
                  name, scan["error_records"], scan["retries"] or "{}",
                  scan["retries_exhausted"]))
    print("figures: %s (wall %ss)" % (os.path.relpath(OUT_JSON, ROOT), result["wall_s"]))
    if failures:
        print("\n\033[1;31m[load] FAILED\033[0m")
        for failure in failures[:40]:
            print("  - %s" % failure)
        return 1
    print("\033[1;32m[load] passed\033[0m: no 5xx, no serialization failure shown, no lost "
          "reply, no duplicate ticket, no ticket seen by another organisation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
