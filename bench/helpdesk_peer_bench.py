#!/usr/bin/env python3
"""tktit helpdesk against its OCA peer, helpdesk_mgmt 11.0, measured in the same run.

Both addons define ``helpdesk.ticket``, so each lives in its own scratch database, created
(or reused) without demo data: ``bench_tktit`` (tktit_helpdesk + tktit_helpdesk_sla; env
HELPDESK_PEER_TKTIT_DB) and ``bench_oca`` (helpdesk_mgmt, installed in the venv as a
benchmark peer only; env HELPDESK_PEER_OCA_DB). The tktit database is upgraded when the
addons' sources changed since its last run.

One process per database then opens the registry and, inside one transaction rolled back
at the end, for N = 50 and N = 250 tickets (env HELPDESK_PEER_SIZES; cumulative: the
first 50 tickets are part of the 250):

1. creates the N tickets through the ORM as an internal helpdesk user (tktit: operations;
   helpdesk_mgmt: User), one ``create`` per ticket with the record cache emptied between
   them as between two requests: wall time, SQL queries, process RSS delta (psutil);
   half of the tickets belong to the portal customer's organisation, half to another one;
2. the backend ticket list as that user: ``search_read`` of the tree view's fields, 80
   rows, default order, record cache cold (ormcaches — access rights, record rules — warm,
   as on a running server): time and queries;
3. the portal customer's ticket list as a portal user of the first organisation:
   ``search_count`` + ``search`` of one page (20 rows) + ``read`` of the fields the portal
   list shows. tktit's record rule is one indexed ``commercial_partner_id`` condition;
   helpdesk_mgmt's follows ``message_partner_ids`` (the followers), so there the customer
   is subscribed to their tickets at creation (part of step 1), as its portal form does.

Prints both peers side by side with the ratio tktit/oca, and writes the same as JSON to
var/bench/helpdesk_peer.json.

Usage: .venv/bin/python bench/helpdesk_peer_bench.py   (or: make bench)
"""
import gc
import json
import os
import subprocess
import sys
import time

import scratch_db

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIZES = [int(x) for x in os.environ.get("HELPDESK_PEER_SIZES", "50,250").split(",")]
MAX_SIZE = 5000  # bound: the loops below create at most this many tickets per size
OUT_DIR = os.path.join(ROOT, "var", "bench")
OUT_JSON = os.path.join(OUT_DIR, "helpdesk_peer.json")
# Written into the configs only; no server is started and nothing listens there.
HTTP_PORT, SMTP_PORT = "8297", "2597"
WORKER_TIMEOUT = 1500  # seconds per database (a safety net: the loops are bounded)
INSTALL_TIMEOUT = 900
PORTAL_PAGE = 20  # CustomerPortal._items_per_page
BACKEND_PAGE = 80  # the web client's list limit

PEERS = {
    "tktit": {
        "db": os.environ.get("HELPDESK_PEER_TKTIT_DB", "bench_tktit"),
        "modules": ["tktit_helpdesk", "tktit_helpdesk_sla"],
        "sources": ["tktit_helpdesk", "tktit_helpdesk_sla"],
    },
    "oca": {
        "db": os.environ.get("HELPDESK_PEER_OCA_DB", "bench_oca"),
        "modules": ["helpdesk_mgmt"],
        "sources": [],
    },
}


def prepare_database(peer):
    spec = PEERS[peer]
    assert spec["db"].startswith("bench_"), spec["db"]
    scratch_db.prepare(spec["db"], spec["modules"], spec["sources"], HTTP_PORT, SMTP_PORT,
                       timeout=INSTALL_TIMEOUT)


# ----------------------------------------------------------- in the worker
class Peer(object):
    """What differs between the two addons: fixture, ticket values, views, portal."""

    def __init__(self, env):
        self.env = env

    def new_user(self, login, groups, **values):
        env = self.env
        values.update({
            "name": login.replace(".", " ").title(), "login": login,
            "email": "%s@bench.example.com" % login,
            "groups_id": [(6, 0, [env.ref(g).id for g in groups])],
        })
        return env["res.users"].with_context(
            no_reset_password=True, mail_create_nolog=True).create(values)

    def setup(self):
        env = self.env
        Partner = env["res.partner"]
        self.org_a = Partner.create({"name": "Bench Org A", "is_company": True})
        self.org_b = Partner.create({"name": "Bench Org B", "is_company": True})
        self.portal_user = self.new_user("bench.customer.a", ["base.group_portal"],
                                         parent_id=self.org_a.id)
        self.customer_a = self.portal_user.partner_id
        self.customer_b = Partner.create({"name": "Bench Customer B", "parent_id": self.org_b.id,
                                          "email": "bench.customer.b@bench.example.com"})
        self.agent = self.new_user("bench.agent", [self.agent_group])

    def create_ticket(self, Ticket, i, customer):
        raise NotImplementedError


class TktitPeer(Peer):
    agent_group = "tktit_helpdesk.group_helpdesk_user"
    tree_view = "tktit_helpdesk.helpdesk_ticket_view_tree"
    portal_fields = ["number", "name", "create_date", "priority", "portal_state"]
    portal_order = "create_date desc, id desc"

    def setup(self):
        super(TktitPeer, self).setup()
        self.tech = self.env.ref("tktit_helpdesk.technology_network")
        self.spec = self.env.ref("tktit_helpdesk.specialization_network_lan")

    def create_ticket(self, Ticket, i, customer):
        return Ticket.create({
            "name": "Bench ticket %d" % i,
            "description": "<p>The printer on floor %d is on fire.</p>" % i,
            "partner_id": customer.id,
            "technology_id": self.tech.id, "specialization_id": self.spec.id,
        })

    def portal_domain(self, user):
        # tktit_helpdesk.controllers.portal.HelpdeskPortal._ticket_domain
        return [("commercial_partner_id", "=", user.commercial_partner_id.id)]


class OcaPeer(Peer):
    agent_group = "helpdesk_mgmt.group_helpdesk_user"
    tree_view = "helpdesk_mgmt.ticket_view_tree"
    # helpdesk_mgmt.portal_my_tickets: customer, title, category, stage, dates
    portal_fields = ["partner_id", "name", "category_id", "stage_id", "create_date",
                     "last_stage_update", "closed_date"]
    portal_order = "create_date desc"

    def setup(self):
        super(OcaPeer, self).setup()
        self.category = self.env["helpdesk.ticket.category"].create({"name": "Networking"})
        self.channel = self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_web")

    def create_ticket(self, Ticket, i, customer):
        ticket = Ticket.create({
            "name": "Bench ticket %d" % i,
            "description": "<p>The printer on floor %d is on fire.</p>" % i,
            "partner_id": customer.id,
            # what the form's partner onchange fills in
            "partner_name": customer.name, "partner_email": customer.email,
            "category_id": self.category.id, "channel_id": self.channel.id,
        })
        # helpdesk_mgmt's portal rule follows the followers: without this the customer
        # would see none of their tickets (its own portal form subscribes the submitter).
        ticket.message_subscribe(partner_ids=customer.ids)
        return ticket

    def portal_domain(self, user):
        # helpdesk_mgmt.controllers.myaccount.CustomerPortal.portal_my_tickets
        return [("partner_id", "child_of", user.partner_id.id)]


def measure(peer_name):
    spec = PEERS[peer_name]
    db = spec["db"]
    import psutil
    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config(["-c", scratch_db.conf_path(db), "--log-level=warn"])
    process = psutil.Process()
    registry = odoo.registry(db)
    results = {"db": db, "modules": spec["modules"], "sizes": {}}
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        peer = (TktitPeer if peer_name == "tktit" else OcaPeer)(env)
        peer.setup()
        Ticket = env["helpdesk.ticket"].sudo(peer.agent)
        PortalTicket = env["helpdesk.ticket"].sudo(peer.portal_user)
        view = Ticket.fields_view_get(view_id=env.ref(peer.tree_view).id, view_type="tree")
        tree_fields = sorted(view["fields"])
        portal_domain = peer.portal_domain(peer.portal_user)

        def create_many(start, count):
            for i in range(start, start + min(count, MAX_SIZE)):
                peer.create_ticket(Ticket, i, peer.customer_a if i % 2 == 0 else
                                   peer.customer_b)
                env.cache.invalidate()  # a fresh record cache, as for the next request

        def timed(func):
            env.cache.invalidate()
            queries = cr.sql_log_count
            begin = time.perf_counter()
            result = func()
            return result, time.perf_counter() - begin, cr.sql_log_count - queries

        def backend_list():
            return Ticket.search_read([], tree_fields, limit=BACKEND_PAGE)

        def portal_list():
            total = PortalTicket.search_count(portal_domain)
            page = PortalTicket.search(portal_domain, order=peer.portal_order,
                                       limit=PORTAL_PAGE)
            return total, page.read(peer.portal_fields)

        # Warm up once (templates, ormcaches, lazy imports), then forget those tickets.
        cr.execute("SAVEPOINT bench_warmup")
        create_many(0, 4)
        backend_list()
        portal_list()
        cr.execute("ROLLBACK TO SAVEPOINT bench_warmup")
        env.clear()

        # Sizes grow cumulatively (100, then 900 more for 1000): the figures at N cover
        # the creation of all N tickets, and the N = 100 tickets are not made twice.
        created = create_time = create_queries = 0
        gc.collect()
        rss_before = process.memory_info().rss
        for size in sorted(SIZES):
            _, seconds, queries = timed(lambda: create_many(created, size - created))
            created, create_time, create_queries = size, create_time + seconds, \
                create_queries + queries
            gc.collect()
            rss_delta = process.memory_info().rss - rss_before
            # What autovacuum would have done after the commits: planner statistics.
            cr.execute("ANALYZE helpdesk_ticket")
            cr.execute("ANALYZE mail_followers")
            cr.execute("ANALYZE mail_message")
            backend_list()  # per-user ormcaches warm, as on a running server
            rows, backend_time, backend_queries = timed(backend_list)
            portal_list()
            (total, page), portal_time, portal_queries = timed(portal_list)
            cr.execute("SELECT count(*) FROM helpdesk_ticket")
            in_db = cr.fetchone()[0]
            results["sizes"][str(size)] = {
                "tickets_in_db": in_db,
                "create_s": create_time, "create_queries": create_queries,
                "create_ms_per_ticket": 1000.0 * create_time / size,
                "create_queries_per_ticket": float(create_queries) / size,
                "create_rss_delta_mb": rss_delta / 1048576.0,
                "backend_list_s": backend_time, "backend_list_queries": backend_queries,
                "backend_list_rows": len(rows), "backend_list_fields": len(tree_fields),
                "portal_list_s": portal_time, "portal_list_queries": portal_queries,
                "portal_count": total, "portal_page_rows": len(page),
            }
        cr.rollback()
    return results


# ------------------------------------------------------------------ report
FIGURES = [
    # (label, key, format, unit)
    ("create N tickets: wall time", "create_s", "%.2f", "s"),
    ("create: per ticket", "create_ms_per_ticket", "%.1f", "ms"),
    ("create: SQL queries", "create_queries", "%d", ""),
    ("create: queries per ticket", "create_queries_per_ticket", "%.1f", ""),
    ("create: RSS delta", "create_rss_delta_mb", "%.1f", "MB"),
    ("backend list (80 rows): time", "backend_list_s", "%.4f", "s"),
    ("backend list: SQL queries", "backend_list_queries", "%d", ""),
    ("portal list (count+20 rows): time", "portal_list_s", "%.4f", "s"),
    ("portal list: SQL queries", "portal_list_queries", "%d", ""),
    ("portal list: tickets counted", "portal_count", "%d", ""),
]


def ratio(a, b):
    if not b:
        return None
    return float(a) / b


def report(results):
    tktit, oca = results["peers"]["tktit"], results["peers"]["oca"]
    print()
    print("tktit (%s) vs OCA helpdesk_mgmt 11.0 (%s), same run, everything rolled back" % (
        tktit["db"], oca["db"]))
    header = "  %-36s %6s %12s %12s %8s" % ("figure", "N", "tktit", "oca", "tktit/oca")
    print(header)
    print("  " + "-" * (len(header) - 2))
    results["ratios"] = {}
    for size in SIZES:
        t, o = tktit["sizes"][str(size)], oca["sizes"][str(size)]
        ratios = results["ratios"][str(size)] = {}
        for label, key, fmt, unit in FIGURES:
            r = ratio(t[key], o[key])
            ratios[key] = r
            print("  %-36s %6d %12s %12s %8s" % (
                label, size, (fmt % t[key]) + unit, (fmt % o[key]) + unit,
                "%.2f" % r if r is not None else "-"))
        print()
    print("  backend list reads %d fields (tktit tree view) vs %d (helpdesk_mgmt tree view);"
          % (tktit["sizes"][str(SIZES[0])]["backend_list_fields"],
             oca["sizes"][str(SIZES[0])]["backend_list_fields"]))
    print("  helpdesk_mgmt's creation includes subscribing the customer (its portal rule "
          "follows followers).")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        with open(sys.argv[3], "w") as f:
            json.dump(measure(sys.argv[2]), f)
        return 0
    assert all(0 < s <= MAX_SIZE for s in SIZES), SIZES
    os.makedirs(OUT_DIR, exist_ok=True)
    started = time.time()
    results = {"generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "sizes": SIZES,
               "peers": {}}
    for peer in ("tktit", "oca"):
        prepare_database(peer)
    # One process per database, one after the other (no competition for the 2 cores).
    for peer in ("tktit", "oca"):
        print("[bench] measuring %s on %s (N = %s) ..." % (
            peer, PEERS[peer]["db"], ", ".join(map(str, SIZES))), flush=True)
        part = os.path.join(OUT_DIR, "helpdesk_peer.%s.part.json" % peer)
        subprocess.run([sys.executable, os.path.abspath(__file__), "--measure", peer, part],
                       check=True, timeout=WORKER_TIMEOUT)
        with open(part) as f:
            results["peers"][peer] = json.load(f)
        os.unlink(part)
    report(results)
    results["elapsed_s"] = time.time() - started
    with open(OUT_JSON, "w") as f:
        json.dump(results, f, indent=2, sort_keys=True)
    print("  written to %s (%.0fs in all)" % (os.path.relpath(OUT_JSON, ROOT),
                                              results["elapsed_s"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
