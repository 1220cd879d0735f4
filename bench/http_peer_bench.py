#!/usr/bin/env python3
"""tktit helpdesk against OCA helpdesk_mgmt 11.0 over HTTP, on a running Odoo
(bench/counting_server.py: ``--workers=2`` on loopback, every response carrying the
request's SQL query count in ``X-Sql-Queries``).

Databases: ``bench_http_tktit`` (tktit_helpdesk + tktit_helpdesk_sla) and
``bench_http_oca`` (helpdesk_mgmt), installed without demo by scratch_db.prepare.

Data (setup, not measured): an ORM fixture (``odoo shell``) creates the users (portal
customer ``bench.portal`` of organisation "Bench Org A", backend agent ``bench.agent``,
password ``bench``), a queue with one available expert (tktit) and one *template* ticket of
the customer with 5 messages. The N tickets are then bulk-inserted by SQL
(``INSERT ... SELECT generate_series``) as copies of the template row, so that every stored
(computed) column is the ORM's own value; each copy gets its own number, subject,
create_date, access token, and (tktit) state ``dispatch`` for one ticket in 4, ``new``
otherwise (both open), priorities 0-4 round robin. Sizes (env HTTP_PEER_SIZES, default
1000,10000,100000) grow cumulatively. Ownership scheme: ticket i (1-based, the template
is ticket 1) belongs to the portal customer iff i <= C(N), with C = 100 at N < 10,000 and
10,000 above (so at 10k the customer owns all tickets, at 100k one in ten); the others
belong to "Bench Customer B" of another organisation. tktit: ``partner_id`` and
``commercial_partner_id`` set; helpdesk_mgmt: ``partner_id``/``partner_name`` and a
``mail_followers`` row of the customer (its portal rule follows the followers).

Measured per size, per peer, over HTTP (REQUESTS requests after WARMUP): the portal
"My tickets" page (/my/tickets), the portal ticket page of the template (/my/ticket/<id>),
the portal creation POST (tktit /my/tickets/new with CSRF; helpdesk_mgmt
/submitted/ticket), the backend list (/web/dataset/search_read, the tree view's fields,
80 rows, default order) and the dispatcher queue (tktit: state = dispatch, the dispatch
action's list; helpdesk_mgmt has no dispatch queue: its nearest is the unassigned-ticket
list, user_id = False). p50/p95/p99 ms and queries/request. tktit only: the queue's
"assign next" (helpdesk.queue.action_assign_next) in-process, query count, and the
EXPLAIN ANALYZE of its ticket query at the largest size.

A query count that grows with N while the result size does not is marked "<< grows".
Prints the table and writes var/bench/http_peer.json.
Usage: .venv/bin/python bench/http_peer_bench.py   (or: make bench)
"""
import json
import os
import re
import signal
import subprocess
import sys
import time

import psycopg2
import requests

import scratch_db

ROOT = scratch_db.ROOT
OUT_JSON = os.path.join(scratch_db.OUT_DIR, "http_peer.json")
SIZES = [int(x) for x in os.environ.get("HTTP_PEER_SIZES", "1000,10000,100000").split(",")]
REQUESTS = int(os.environ.get("HTTP_PEER_REQUESTS", "30"))
WARMUP = 5
CREATE_REQUESTS = 15
TIMEOUT = 60  # seconds per HTTP request
PY = os.path.join(ROOT, ".venv", "bin", "python")
PEERS = {
    "tktit": {"db": "bench_http_tktit", "modules": ["tktit_helpdesk", "tktit_helpdesk_sla"],
              "sources": ["tktit_helpdesk", "tktit_helpdesk_sla"], "port": 8298,
              "lp": 8398, "smtp": "2598",
              "fields": ["number", "name", "partner_id", "commercial_partner_id", "category",
                         "priority", "queue_id", "user_id", "state", "create_date",
                         "sla_state", "sla_next_answer_due", "resolution_deadline",
                         "escalated"],
              "queue_domain": [["state", "=", "dispatch"]]},
    "oca": {"db": "bench_http_oca", "modules": ["helpdesk_mgmt"], "sources": [],
            "port": 8299, "lp": 8399, "smtp": "2599",
            "fields": ["number", "name", "partner_name", "user_id", "stage_id", "priority",
                       "create_date", "last_stage_update"],
            "queue_domain": [["user_id", "=", False]]},
}

FIXTURE = r'''
import json
peer = %(peer)r
T = env["helpdesk.ticket"]
if not env["res.users"].search([("login", "=", "bench.portal")]):
    P = env["res.partner"]
    org_a = P.create({"name": "Bench Org A", "is_company": True})
    org_b = P.create({"name": "Bench Org B", "is_company": True})
    def user(login, groups, **v):
        v.update(name=login.replace(".", " ").title(), login=login, password="bench",
                 email=login + "@bench.example.com",
                 groups_id=[(6, 0, [env.ref(g).id for g in groups])])
        return env["res.users"].with_context(no_reset_password=True).create(v)
    portal = user("bench.portal", ["base.group_portal"], parent_id=org_a.id)
    P.create({"name": "Bench Customer B", "parent_id": org_b.id,
              "email": "bench.b@bench.example.com"})
    if peer == "tktit":
        agent = user("bench.agent", ["tktit_helpdesk.group_helpdesk_manager"])
        expert = user("bench.expert", ["tktit_helpdesk.group_helpdesk_expert"])
        tech = env.ref("tktit_helpdesk.technology_network")
        spec = env.ref("tktit_helpdesk.specialization_network_lan")
        vals = {"technology_id": tech.id, "specialization_id": spec.id}
    else:
        agent = user("bench.agent", ["helpdesk_mgmt.group_helpdesk_user"])
        cat = env["helpdesk.ticket.category"].create({"name": "Networking"})
        vals = {"category_id": cat.id, "partner_name": portal.partner_id.name,
                "partner_email": portal.partner_id.email,
                "channel_id": env.ref("helpdesk_mgmt.helpdesk_ticket_channel_web").id}
    vals.update(name="Bench ticket 1", description="<p>The printer is on fire.</p>",
                partner_id=portal.partner_id.id)
    ticket = T.create(vals)
    if peer == "tktit":
        queue = ticket.queue_id or env["helpdesk.queue"].create(
            {"name": "Bench queue", "technology_id": tech.id})
        queue.write({"member_ids": [(4, expert.id)], "dispatcher_id": agent.id})
        expert.write({"helpdesk_available": True})
        ticket.write({"queue_id": queue.id})
    else:
        ticket.message_subscribe(partner_ids=portal.partner_id.ids)
    for k in range(5):
        ticket.message_post(body="Bench message %%d" %% k, message_type="comment",
                            subtype="mail.mt_comment")
    env.cr.commit()
portal = env["res.users"].search([("login", "=", "bench.portal")])
other = env["res.partner"].search([("name", "=", "Bench Customer B")])
ticket = T.search([("name", "=", "Bench ticket 1")], limit=1, order="id")
out = {"template": ticket.id, "portal_partner": portal.partner_id.id,
       "portal_org": portal.partner_id.commercial_partner_id.id,
       "other_partner": other.id, "other_org": other.commercial_partner_id.id}
if peer == "tktit":
    out["queue"] = ticket.sudo().queue_id.id
print("FIXTURE " + json.dumps(out))
'''

ASSIGN_NEXT = r'''
import json
import time
import odoo.sql_db
log = []
orig = odoo.sql_db.Cursor.execute
def execute(self, query, params=None, log_exceptions=None):
    log.append((query, params))
    return orig(self, query, params)
queue = env["helpdesk.queue"].browse(%(queue)d)
agent = env["res.users"].search([("login", "=", "bench.agent")])
queue = queue.sudo(agent)
queue._get_dispatch_tickets(limit=1)  # warm the ormcaches (rules, access) as a server
queue.invalidate_cache()
odoo.sql_db.Cursor.execute = execute
t0 = time.time()
ticket = queue.action_assign_next()
ms = (time.time() - t0) * 1000
odoo.sql_db.Cursor.execute = orig
sel = [(q, p) for q, p in log if "helpdesk_ticket" in q and "dispatch" in str(p) + q
       and q.lstrip().upper().startswith("SELECT")]
plan = []
if sel:
    env.cr.execute("EXPLAIN ANALYZE " + sel[0][0], sel[0][1])
    plan = [r[0] for r in env.cr.fetchall()]
print("ASSIGN " + json.dumps({"queries": len(log), "ms": ms, "ticket": ticket.id,
                              "sql": env.cr.mogrify(*sel[0]).decode() if sel else "",
                              "plan": plan}))
env.cr.rollback()
'''


def run_shell(db, code, timeout=600):
    conf = scratch_db.conf_path(db)
    res = subprocess.run([os.path.join(ROOT, "scripts", "odoo"), "shell", "-c", conf, "-d", db,
                          "--no-http", "--log-level=warn"], input=code, timeout=timeout,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         universal_newlines=True)
    return res.stdout + "\n" + res.stderr


def parse(out, tag):
    for line in out.splitlines():
        if line.startswith(tag + " "):
            return json.loads(line[len(tag) + 1:])
    raise RuntimeError("no %s in output:\n%s" % (tag, out[-3000:]))


def columns(cr):
    cr.execute("SELECT column_name FROM information_schema.columns "
               "WHERE table_name = 'helpdesk_ticket' AND column_name <> 'id'")
    return [r[0] for r in cr.fetchall()]


def owned(n):
    return 100 if n < 10000 else 10000


def load(peer, cr, fx, start, stop, size):
    """Insert tickets start..stop (1-based; 1 is the template), then give the customer
    tickets 1..owned(size)."""
    if stop >= start:
        over = {
            "number": "'BENCH-' || lpad(g::text, 7, '0')",
            "name": "'Bench ticket ' || g",
            "create_date": "timestamp '2020-01-01' + interval '1 minute' * g",
            "write_date": "now()",
            "partner_id": str(fx["other_partner"]),
        }
        if peer == "tktit":
            over.update({
                "commercial_partner_id": str(fx["other_org"]),
                "access_token": "md5(random()::text || g)",
                "state": "CASE WHEN g % 4 = 0 THEN 'dispatch' ELSE 'new' END",
                "priority": "(g % 5)::text",
                "user_id": "NULL",
            })
        else:
            over.update({"partner_name": "'Bench Customer B'", "user_id": "NULL"})
        cols = columns(cr)
        exprs = [over.get(c, "t.%s" % c) for c in cols]
        cr.execute("INSERT INTO helpdesk_ticket (%s) SELECT %s FROM helpdesk_ticket t, "
                   "generate_series(%d, %d) g WHERE t.id = %d"
                   % (", ".join('"%s"' % c for c in cols), ", ".join(exprs), start, stop,
                      fx["template"]))
    n = owned(size)
    sel = ("SELECT id FROM helpdesk_ticket WHERE number LIKE 'BENCH-%%' "
           "AND substr(number, 7)::int <= %d" % n)
    if peer == "tktit":
        cr.execute("UPDATE helpdesk_ticket SET partner_id = %s, commercial_partner_id = %s "
                   "WHERE id IN (%s) AND partner_id <> %s"
                   % (fx["portal_partner"], fx["portal_org"], sel, fx["portal_partner"]))
    else:
        cr.execute("UPDATE helpdesk_ticket SET partner_id = %s, partner_name = "
                   "'Bench Portal' WHERE id IN (%s) AND partner_id <> %s"
                   % (fx["portal_partner"], sel, fx["portal_partner"]))
        cr.execute("INSERT INTO mail_followers (res_model, res_id, partner_id) "
                   "SELECT 'helpdesk.ticket', t.id, %s FROM helpdesk_ticket t "
                   "WHERE t.id IN (%s) AND NOT EXISTS (SELECT 1 FROM mail_followers f "
                   "WHERE f.res_model = 'helpdesk.ticket' AND f.res_id = t.id "
                   "AND f.partner_id = %s)"
                   % (fx["portal_partner"], sel, fx["portal_partner"]))
    cr.connection.commit()
    cr.execute("ANALYZE helpdesk_ticket")
    cr.execute("ANALYZE mail_followers")
    cr.connection.commit()


class Server(object):
    def __init__(self, peer):
        spec = PEERS[peer]
        self.url = "http://127.0.0.1:%d" % spec["port"]
        log = os.path.join(ROOT, "var", "log", "bench-http-%s.log" % peer)
        self.proc = subprocess.Popen(
            [PY, os.path.join(ROOT, "bench", "counting_server.py"), "-c",
             scratch_db.conf_path(spec["db"]), "-d", spec["db"], "--workers=2",
             "--max-cron-threads=0", "--longpolling-port=%d" % spec["lp"],
             "--http-port=%d" % spec["port"], "--logfile=%s" % log, "--log-level=warn",
             "--limit-time-real=300", "--limit-time-cpu=240"],
            start_new_session=True)
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                requests.get(self.url + "/web/login", timeout=10)
                return
            except requests.RequestException:
                time.sleep(1)
        self.stop()
        raise RuntimeError("server did not start, see %s" % log)

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


def csrf(text):
    m = re.search(r'name="csrf_token"\s+value="([^"]+)"', text) or \
        re.search(r'csrf_token:\s*"([^"]+)"', text)
    return m.group(1) if m else None


def login(url, user):
    s = requests.Session()
    r = s.get(url + "/web/login", timeout=TIMEOUT)
    r = s.post(url + "/web/login", data={"login": user, "password": "bench",
                                         "csrf_token": csrf(r.text), "redirect": "/web"},
               timeout=TIMEOUT, allow_redirects=False)
    # Odoo 11 answers a good login with a page redirecting by script (redirect_with_hash)
    if r.status_code not in (302, 303) and "window.location" not in r.text:
        raise RuntimeError("login %s failed: %s" % (user, r.status_code))
    return s


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def measure(fn, n, warmup=WARMUP):
    for _ in range(warmup):
        fn()
    times, queries = [], []
    for _ in range(n):
        t0 = time.time()
        r = fn()
        times.append((time.time() - t0) * 1000)
        if r.status_code >= 400:
            raise RuntimeError("HTTP %s on %s" % (r.status_code, r.url))
        queries.append(int(r.headers.get("X-Sql-Queries", -1)))
    return {"p50": pct(times, 50), "p95": pct(times, 95), "p99": pct(times, 99),
            "queries": pct(queries, 50), "queries_max": max(queries)}


def jsonrpc(s, url, params):
    r = s.post(url, json={"jsonrpc": "2.0", "method": "call", "params": params},
               timeout=TIMEOUT)
    body = r.json()
    if "error" in body:
        raise RuntimeError("%s: %s" % (url, json.dumps(body["error"])[:500]))
    r.rows = len(body["result"]["records"])
    return r


def bench_http(peer, fx):
    spec = PEERS[peer]
    res = {}
    server = Server(peer)
    try:
        url = server.url
        portal = login(url, "bench.portal")
        agent = login(url, "bench.agent")
        res["portal_list"] = measure(
            lambda: portal.get(url + "/my/tickets", timeout=TIMEOUT), REQUESTS)
        res["portal_ticket"] = measure(
            lambda: portal.get(url + "/my/ticket/%d" % fx["template"], timeout=TIMEOUT),
            REQUESTS)
        if peer == "tktit":
            form = url + "/my/tickets/new"
            post_url = form
            data = {"name": "Bench portal ticket", "description": "Created by the bench",
                    "category": "technical", "priority": "1"}
        else:
            form = url + "/new/ticket"
            post_url = url + "/submitted/ticket"
            data = {"name": "Bench Portal", "email": "bench.portal@bench.example.com",
                    "subject": "Bench portal ticket", "description": "Created by the bench"}
        token = csrf(portal.get(form, timeout=TIMEOUT).text)

        def create():
            r = portal.post(post_url, data=dict(data, csrf_token=token), timeout=TIMEOUT,
                            allow_redirects=False)
            if r.status_code not in (302, 303):
                raise RuntimeError("portal create: HTTP %s %s" % (r.status_code,
                                                                  r.text[-500:]))
            return r
        res["portal_create"] = measure(create, CREATE_REQUESTS, warmup=2)
        sr = url + "/web/dataset/search_read"
        params = {"model": "helpdesk.ticket", "fields": spec["fields"], "domain": [],
                  "limit": 80, "offset": 0, "sort": "", "context": {"bin_size": True}}
        res["backend_list"] = measure(lambda: jsonrpc(agent, sr, params), REQUESTS)
        qparams = dict(params, domain=spec["queue_domain"])
        res["dispatch_queue"] = measure(lambda: jsonrpc(agent, sr, qparams), REQUESTS)
    finally:
        server.stop()
    return res


def main():
    started = time.time()
    fixtures, conns = {}, {}
    for peer, spec in PEERS.items():
        scratch_db.prepare(spec["db"], spec["modules"], spec["sources"], str(spec["port"]),
                           spec["smtp"])
        conns[peer] = psycopg2.connect(host="127.0.0.1", dbname=spec["db"])
        cr = conns[peer].cursor()
        cr.execute("DELETE FROM helpdesk_ticket WHERE number LIKE 'BENCH-%' "
                   "OR name = 'Bench portal ticket'")
        conns[peer].commit()
        fixtures[peer] = parse(run_shell(spec["db"], FIXTURE % {"peer": peer}), "FIXTURE")
    results = {"sizes": SIZES, "requests": REQUESTS, "by_size": {}}
    loaded = 1
    for size in SIZES:
        row = {}
        for peer in PEERS:
            t0 = time.time()
            load(peer, conns[peer].cursor(), fixtures[peer], loaded + 1, size, size)
            print("[bench] %s: %d tickets loaded in %.1fs" % (peer, size, time.time() - t0),
                  flush=True)
            row[peer] = bench_http(peer, fixtures[peer])
        row["assign_next"] = parse(run_shell(PEERS["tktit"]["db"], ASSIGN_NEXT % {
            "queue": fixtures["tktit"]["queue"]}), "ASSIGN")
        loaded = size
        results["by_size"][str(size)] = row
        print_table(results, size)
    last = results["by_size"][str(SIZES[-1])]["assign_next"]
    print("\nassign next at %d tickets (%d in dispatch): %d queries, %.1f ms\n%s\n%s"
          % (SIZES[-1], SIZES[-1] // 4, last["queries"], last["ms"], last["sql"],
             "\n".join(last["plan"])))
    results["seconds"] = time.time() - started
    os.makedirs(scratch_db.OUT_DIR, exist_ok=True)
    with open(OUT_JSON, "w") as f:
        json.dump(results, f, indent=1, sort_keys=True)
    print("[bench] wrote %s in %.0fs" % (OUT_JSON, results["seconds"]))


OPS = ["portal_list", "portal_ticket", "portal_create", "backend_list", "dispatch_queue"]


def print_table(results, size):
    first = results["by_size"][str(SIZES[0])]
    row = results["by_size"][str(size)]
    print("\n== %d tickets (portal customer owns %d) ==" % (size, owned(size)))
    print("%-15s %26s %26s %7s" % ("operation", "tktit p50/p95/p99 ms (q)",
                                   "oca p50/p95/p99 ms (q)", "ratio"))
    for op in OPS:
        cells = []
        for peer in PEERS:
            m = row[peer][op]
            grows = m["queries"] > first[peer][op]["queries"] and size != SIZES[0]
            cells.append("%6.0f/%5.0f/%5.0f (%d)%s" % (m["p50"], m["p95"], m["p99"],
                                                       m["queries"], "<<" if grows else ""))
        ratio = row["tktit"][op]["p50"] / max(row["oca"][op]["p50"], 0.001)
        print("%-15s %26s %26s %6.2fx" % (op, cells[0], cells[1], ratio))
    a = row["assign_next"]
    print("%-15s %26s %26s" % ("assign_next", "%.0f ms (%d)" % (a["ms"], a["queries"]), "-"))
    print("(q) = SQL queries per request (median); << = grows with N, result size does "
          "not (dispatch_queue: oca = unassigned list)", flush=True)


if __name__ == "__main__":
    sys.exit(main())
