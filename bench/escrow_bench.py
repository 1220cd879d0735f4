#!/usr/bin/env python3
"""Benchmark of the ticket fee escrow through PayPal (tktit_helpdesk_billing): authorize,
then capture, against the local PayPal stand-in (scripts/paypal_standin.py, NOT PayPal).

Creates a scratch database (default ``escrow_bench``; env ESCROW_BENCH_DB) with the three
addons installed without demo data, starts a PayPal stand-in on a free port and points
the escrow acquirer at it, then, inside one transaction rolled back at the end, takes N
tickets (200; env ESCROW_BENCH_TICKETS or the first argument) of one customer through
the escrow, each phase over all tickets before the next (so that the last holds and
captures happen while the other tickets are held or captured):

1. ``create``: the customer's ticket, routed to an expert queue (setup, measured too);
2. ``quote``: operations send it to dispatch with a fee (``action_send_to_dispatch``,
   as an operations user): it stays ``new``, the quote open;
3. ``confirm``: the customer confirms the fee (``action_confirm_fee``, as the portal
   does: sudo): one PayPal create, the approval URL;
4. the buyer approves at the stand-in (``standin.approve``, no Odoo);
5. ``hold``: PayPal's return (``action_hold_fee``): one execute, the fee held
   (``authorized``), the ticket in ``dispatch``;
6. ``deliver`` (setup): the expert assigned, then delivered by a manager's history
   import (the reviews themselves are not this bench's subject);
7. ``capture``: the customer's satisfied closure (``action_customer_confirm(True)``):
   one capture, the fee invoice paid, the expert's bill created.

For each step and ticket: SQL queries (record cache emptied before each step, as between
two requests; Odoo's ormcaches stay warm, as on a running server), wall time, and the
PayPal calls by kind (oauth, create, execute, capture, void, reauthorize) from the
stand-in's ledger. Checks, each a FAIL line and a non-zero exit when broken: exactly one
create, one execute and one capture (and no void or reauthorize) per ticket, in their
steps; the ticket's states after each step; queries per ticket that do not grow with N
(first 10 tickets, after the first one that warms the caches, against the last 10).

Results are printed and written to var/bench/escrow_bench.json (every ticket's figures).
The scratch database is dropped at the end, whatever happened (ESCROW_BENCH_KEEP_DB=1
keeps it for the next run: no reinstall), and the stand-in stopped.
ESCROW_BENCH_VERBOSE=1 prints every ticket's line, not only the first and last ten.

Time, on a 2-core machine: about 2 minutes to install the scratch database, then about
4.5 s per ticket (the satisfied closure, with its capture, invoice, payment and expert's
bill, is half of it): 200 tickets take about 17 minutes; ESCROW_BENCH_TICKETS=20 for a
quick run (about 3.5 minutes with the install).

Usage: .venv/bin/python bench/escrow_bench.py [N]   (or: make bench)
"""
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import traceback

import scratch_db

DB = os.environ.get("ESCROW_BENCH_DB", "escrow_bench")
TICKETS = int(sys.argv[1] if len(sys.argv) > 1 else
              os.environ.get("ESCROW_BENCH_TICKETS", "200"))
KEEP_DB = os.environ.get("ESCROW_BENCH_KEEP_DB", "") not in ("", "0")
VERBOSE = os.environ.get("ESCROW_BENCH_VERBOSE", "") not in ("", "0")
CONF = scratch_db.conf_path(DB)
OUT = os.path.join(scratch_db.OUT_DIR, "escrow_bench.json")
LOG = os.path.join(scratch_db.ROOT, "var", "log", "bench-%s.log" % DB)
MODULES = ["tktit_helpdesk", "tktit_helpdesk_sla", "tktit_helpdesk_billing"]
# written into the config only: no server is started, nothing listens there
HTTP_PORT, SMTP_PORT = "8296", "2596"
FEE = 120.0
RETURN_URL = "http://127.0.0.1/r"
CANCEL_URL = "http://127.0.0.1/c"
RESOLUTION = "<p>Bench: reconfigured the router and checked the link.</p>"
KINDS = ("oauth", "create", "execute", "capture", "void", "reauthorize")
# the phases, in order; the escrow's three steps are the ones checked for PayPal calls
PHASES = ("create", "quote", "confirm", "hold", "deliver", "capture")
STEPS = ("confirm", "hold", "capture")
# the PayPal calls each step must make (oauth: reported, not checked)
EXPECTED = {
    "confirm": {"create": 1},
    "hold": {"execute": 1},
    "capture": {"capture": 1},
}
WINDOW = 10  # tickets compared at the start and at the end
# queries per ticket "grow" when the last tickets' average exceeds the first ones' by more
GROWTH_TOLERANCE = (1.0, 0.05)  # queries, and fraction


def load_standin():
    path = os.path.join(scratch_db.ROOT, "scripts", "paypal_standin.py")
    spec = importlib.util.spec_from_file_location("tktit_paypal_standin_bench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def drop_database(odoo_loaded):
    """Drop the scratch database and its filestore (Odoo's connections closed first)."""
    if odoo_loaded:
        import odoo
        odoo.modules.registry.Registry.delete(DB)
        odoo.sql_db.close_db(DB)
    for _attempt in range(10):  # an install just killed may hold a connection a moment
        result = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-d", "postgres", "-qtAc",
             'DROP DATABASE IF EXISTS "%s"' % DB],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
        if result.returncode == 0:
            break
        time.sleep(0.5)
    if result.returncode != 0:
        print("[bench] could not drop scratch database %s: %s" % (DB, result.stdout.strip()),
              flush=True)
        return False
    shutil.rmtree(os.path.join(scratch_db.ROOT, "var", "data", "filestore", DB),
                  ignore_errors=True)
    stamp = os.path.join(scratch_db.OUT_DIR, "%s.sources" % DB)
    if os.path.exists(stamp):
        os.unlink(stamp)
    print("[bench] scratch database %s dropped" % DB, flush=True)
    return True


class Failed(Exception):
    """A check that the bench cannot go on without (a state, an exception)."""


class Bench(object):

    def __init__(self, env, standin):
        self.env = env
        self.cr = env.cr
        self.standin = standin
        self.rows = []  # one dict per ticket
        self.phase_calls = {}  # PayPal calls of each phase, all tickets
        self.failures = []

    # ---------------------------------------------------------------- setup
    def setup(self):
        from odoo.addons.tktit_helpdesk.tests.fixtures import (
            make_catalogue, make_organisation, make_queue, make_staff)
        env = self.env
        tag = "bench%d." % os.getpid()
        acquirer = env.ref("tktit_helpdesk_billing.payment_acquirer_paypal_rest")
        acquirer.write({"paypal_rest_client_id": self.standin.client_id,
                        "paypal_rest_client_secret": self.standin.client_secret,
                        "paypal_rest_endpoint": self.standin.url,
                        "paypal_rest_timeout": 5})
        self.staff = make_staff(env, prefix=tag)
        catalogue = make_catalogue(env, name="Bench Networks", code="BN%d" % os.getpid(),
                                   streams=(("Bench Routing", "BR%d" % os.getpid()),))
        self.technology = catalogue.technology
        self.specialization = catalogue.specializations[0]
        self.queue = make_queue(env, self.technology, self.specialization,
                                members=[self.staff.expert_1], name="Bench queue")
        # a country: PayPal's transaction requires one (the customer's, else the
        # company's, and the scratch database's company has none without demo data)
        self.organisation = make_organisation(env, "Bench Customer Org", tag + "customer",
                                              email="bench.customer@example.com",
                                              country_id=env.ref("base.us").id)
        self.currency = env.user.company_id.currency_id

    # ------------------------------------------------------------ measuring
    def paypal_calls(self):
        return dict(self.standin.ledger()["calls"])

    def measure(self, phase, row, work, calls=None):
        """Run ``work(ticket, row)`` on the row's ticket with a cold record cache: SQL
        queries and wall time, stored in ``row``; with ``calls`` (the stand-in's counts
        before), also the PayPal calls it made. Returns (result, counts after)."""
        self.env["helpdesk.ticket"].invalidate_cache()
        ticket = self.env["helpdesk.ticket"].browse(row["id"])
        queries = self.cr.sql_log_count
        started = time.time()
        try:
            result = work(ticket, row)
        except Exception:
            raise Failed("%s of ticket #%d (%s) raised:\n%s" % (
                phase, row["index"], row.get("number"), traceback.format_exc()))
        elapsed = time.time() - started
        row["queries"][phase] = self.cr.sql_log_count - queries
        row["ms"][phase] = round(1000.0 * elapsed, 2)
        if calls is None:
            return result, None
        after = self.paypal_calls()
        row["paypal"][phase] = {kind: after.get(kind, 0) - calls.get(kind, 0)
                                for kind in KINDS}
        return result, after

    def expect(self, row, phase, what, actual, wanted):
        if actual != wanted:
            raise Failed("after %s, ticket #%d (%s): %s is %r, expected %r" % (
                phase, row["index"], row.get("number"), what, actual, wanted))

    # --------------------------------------------------------------- phases
    def run(self, count):
        Ticket = self.env["helpdesk.ticket"]
        operator = Ticket.sudo(self.staff.operator)
        expert = self.staff.expert_1
        partner = self.organisation.user.partner_id
        phase_seconds = {}

        def phase(name, work, check=None):
            """``work`` on every ticket; the PayPal calls counted per ticket in the
            escrow's steps (the stand-in's ledger read between two tickets: the checks
            call no PayPal), per phase in the others (where there must be none)."""
            started = time.time()
            before = calls = self.paypal_calls()
            for row in self.rows:
                result, calls = self.measure(name, row, work,
                                             calls if name in STEPS else None)
                if check:
                    check(row, Ticket.browse(row["id"]), result)
            phase_seconds[name] = round(time.time() - started, 2)
            after = self.paypal_calls()
            self.phase_calls[name] = {k: after.get(k, 0) - before.get(k, 0) for k in KINDS}
            print("[bench] %-8s %d tickets in %.1fs" % (name, count, phase_seconds[name]),
                  flush=True)

        self.rows = [{"index": i + 1, "id": None, "queries": {}, "ms": {}, "paypal": {}}
                     for i in range(count)]

        def create(_ticket, row):
            ticket = Ticket.create({
                "name": "Bench escrow ticket %d" % row["index"],
                "description": "<p>The branch office has no link since this morning.</p>",
                "partner_id": partner.id,
                "technology_id": self.technology.id,
                "specialization_id": self.specialization.id,
            })
            row["id"] = ticket.id
            return ticket

        def check_created(row, ticket, _result):
            row["number"] = ticket.number
            self.expect(row, "create", "queue", ticket.queue_id, self.queue)
            self.expect(row, "create", "state", ticket.state, "new")

        phase("create", create, check_created)

        def quote(ticket, _row):
            return operator.browse(ticket.id).action_send_to_dispatch(fee_amount=FEE)

        def check_quoted(row, ticket, _result):
            self.expect(row, "quote", "state", ticket.state, "new")
            self.expect(row, "quote", "fee_quote_open", ticket.fee_quote_open, True)

        phase("quote", quote, check_quoted)

        def confirm(ticket, _row):
            return ticket.sudo().action_confirm_fee(return_url=RETURN_URL,
                                                    cancel_url=CANCEL_URL)

        def check_confirmed(row, ticket, url):
            if not (url or "").startswith(self.standin.url + "/checkoutnow"):
                raise Failed("confirm of ticket #%d gave %r, not the stand-in's approval "
                             "page" % (row["index"], url))
            row["approval_url"] = url

        phase("confirm", confirm, check_confirmed)

        started = time.time()
        for row in self.rows:
            row["approved"] = self.standin.approve(row.pop("approval_url"))
        phase_seconds["approve"] = round(time.time() - started, 2)

        def hold(ticket, row):
            values = row["approved"]
            return ticket.sudo().action_hold_fee(values["paymentId"], values["token"],
                                                 values["PayerID"])

        def check_held(row, ticket, _result):
            self.expect(row, "hold", "payment_state", ticket.payment_state, "authorized")
            self.expect(row, "hold", "state", ticket.state, "dispatch")
            self.expect(row, "hold", "transaction state",
                        ticket.payment_transaction_id.state, "authorized")
            del row["approved"]

        phase("hold", hold, check_held)

        def deliver(ticket, _row):
            # setup, not a measure: the expert's assignment (whose bill the capture
            # makes), then straight to delivered by a manager's history import (the
            # reviews' mails and activities would double this bench's time)
            from odoo import fields
            ticket = ticket.sudo()
            ticket.action_assign(expert)
            return ticket.with_context(tktit_history_import=True).write({
                "state": "delivered", "resolution": RESOLUTION,
                "delivered_on": fields.Datetime.now()})

        def check_delivered(row, ticket, _result):
            self.expect(row, "deliver", "state", ticket.state, "delivered")
            self.expect(row, "deliver", "payment_state", ticket.payment_state, "authorized")

        phase("deliver", deliver, check_delivered)

        def capture(ticket, _row):
            return ticket.sudo().action_customer_confirm(True)

        def check_captured(row, ticket, _result):
            self.expect(row, "capture", "payment_state", ticket.payment_state, "captured")
            self.expect(row, "capture", "transaction state",
                        ticket.payment_transaction_id.state, "done")
            invoice = ticket.fee_invoice_id
            self.expect(row, "capture", "fee invoice state", invoice.state, "paid")
            self.expect(row, "capture", "fee invoice total",
                        self.currency.compare_amounts(invoice.amount_total, FEE), 0)
            self.expect(row, "capture", "expert bill state", ticket.expert_bill_id.state,
                        "open")
            row["final_state"] = ticket.state

        phase("capture", capture, check_captured)
        self.phase_seconds = phase_seconds
        self.ledger = self.standin.ledger()


# ------------------------------------------------------------------- report
def average(values):
    return float(sum(values)) / len(values) if values else 0.0


def windows(rows):
    """The first WINDOW tickets after the first one (which warms the caches), and the
    last WINDOW; with few tickets they overlap."""
    first = rows[1:WINDOW + 1] if len(rows) > WINDOW + 1 else rows[:WINDOW]
    return first, rows[-WINDOW:]


def window_labels(rows):
    first, last = windows(rows)
    return tuple("tickets %d-%d" % (w[0]["index"], w[-1]["index"]) for w in (first, last))


def grows(first, last):
    absolute, relative = GROWTH_TOLERANCE
    return last > first + max(absolute, relative * first)


def summarize(bench):
    rows = bench.rows
    first, last = windows(rows)
    steps = {}
    for name in PHASES:
        queries = [r["queries"][name] for r in rows]
        ms = [r["ms"][name] for r in rows]
        steps[name] = {
            "queries_avg": round(average(queries), 2),
            "queries_min": min(queries), "queries_max": max(queries),
            "queries_first": round(average([r["queries"][name] for r in first]), 2),
            "queries_last": round(average([r["queries"][name] for r in last]), 2),
            "queries_ticket_1": queries[0],
            "ms_avg": round(average(ms), 2),
            "ms_first": round(average([r["ms"][name] for r in first]), 2),
            "ms_last": round(average([r["ms"][name] for r in last]), 2),
            # per ticket in the steps; in the other phases, the phase's calls / N
            "paypal_avg": {k: round(average([r["paypal"][name][k] for r in rows]), 3)
                           if name in STEPS else
                           round(float(bench.phase_calls[name][k]) / len(rows), 3)
                           for k in KINDS},
        }
    per_ticket = {k: [sum(r["paypal"][p][k] for p in STEPS) for r in rows] for k in KINDS}
    paypal = {k: {"min": min(v), "max": max(v), "avg": round(average(v), 3),
                  "total": sum(v)} for k, v in per_ticket.items()}
    return steps, paypal


def checks(bench, steps, paypal):
    """(ok, line) pairs: PayPal's calls per ticket and per step, stray calls, ledger
    totals, queries per ticket not growing with N."""
    results = []
    count = len(bench.rows)
    for kind, wanted in (("create", 1), ("execute", 1), ("capture", 1), ("void", 0),
                         ("reauthorize", 0)):
        bad = [r["index"] for r in bench.rows
               if sum(r["paypal"][p][kind] for p in STEPS) != wanted]
        results.append((not bad, "exactly %d PayPal %s per ticket%s" % (
            wanted, kind, "" if not bad else ": tickets %s differ (min %d, max %d)" % (
                ", ".join("#%d" % i for i in bad[:10]) + (" ..." if len(bad) > 10 else ""),
                paypal[kind]["min"], paypal[kind]["max"]))))
    misplaced = []
    for row in bench.rows:
        for name in STEPS:
            for kind in ("create", "execute", "capture", "void", "reauthorize"):
                wanted = EXPECTED[name].get(kind, 0)
                if row["paypal"][name][kind] != wanted:
                    misplaced.append("#%d %s: %d %s" % (
                        row["index"], name, row["paypal"][name][kind], kind))
    results.append((not misplaced, "each call in its step (create at confirm, execute at "
                    "hold, capture at the closure)%s" % (
                        "" if not misplaced else ": " + "; ".join(misplaced[:5]))))
    stray = {}
    for name in PHASES:
        calls = bench.phase_calls[name]
        if name in STEPS:  # all of the step's calls were counted on its tickets
            calls = {k: calls[k] - sum(r["paypal"][name][k] for r in bench.rows)
                     for k in KINDS}
        calls = {k: v for k, v in calls.items() if v}
        if calls:
            stray[name] = calls
    results.append((not stray, "no PayPal call outside the tickets' steps%s" % (
        "" if not stray else ": %s" % json.dumps(stray, sort_keys=True))))
    ledger = bench.ledger
    totals = {k: ledger["performed"].get(k, 0) for k in ("create", "execute", "capture")}
    results.append((totals == {"create": count, "execute": count, "capture": count},
                    "the stand-in performed %(create)d creates, %(execute)d executes, "
                    "%(capture)d captures" % totals + " for %d tickets" % count))
    first, last = window_labels(bench.rows)
    for name in STEPS:
        step = steps[name]
        growing = grows(step["queries_first"], step["queries_last"])
        results.append((not growing, "%s: queries per ticket %s with N (%.1f for %s, %.1f "
                        "for %s)" % (name, "GROW" if growing else "do not grow",
                                     step["queries_first"], first, step["queries_last"],
                                     last)))
    return results


def report(bench, steps, paypal, results, count):
    print()
    print("PayPal fee escrow, authorize -> capture, %d tickets on database %s, against the "
          "local PayPal stand-in (not PayPal; everything rolled back)" % (count, DB))
    print()
    header = "  %-8s %9s %7s %7s %9s %9s %8s %8s %8s   %s"
    print(header % ("step", "queries", "min", "max", "first 10", "last 10", "ms",
                    "ms 1st10", "ms lst10", "PayPal calls per ticket"))
    for name in PHASES:
        step = steps[name]
        calls = ", ".join("%s %g" % (k, v) for k, v in step["paypal_avg"].items() if v) \
            or "-"
        print(header % (
            name + ("*" if name in STEPS else ""), "%.1f" % step["queries_avg"],
            step["queries_min"], step["queries_max"], "%.1f" % step["queries_first"],
            "%.1f" % step["queries_last"], "%.1f" % step["ms_avg"],
            "%.1f" % step["ms_first"], "%.1f" % step["ms_last"], calls))
    first, last = window_labels(bench.rows)
    print("  * the escrow's steps; queries and ms are per ticket (averages), the record "
          "cache emptied before each step; \"first 10\": %s, \"last 10\": %s (ticket 1 "
          "warms Odoo's caches: %s queries at confirm, %s at hold, %s at capture)" % (
              first, last, steps["confirm"]["queries_ticket_1"],
              steps["hold"]["queries_ticket_1"], steps["capture"]["queries_ticket_1"]))
    print()
    print("  PayPal calls per ticket, all steps: " + ", ".join(
        "%s %s" % (k, ("%d" % v["min"]) if v["min"] == v["max"] else
                   "%d-%d" % (v["min"], v["max"])) for k, v in paypal.items()))
    print("  phases' wall time (s): " + ", ".join(
        "%s %.1f" % (k, v) for k, v in bench.phase_seconds.items()))
    print()
    shown = bench.rows if VERBOSE or count <= 2 * WINDOW else \
        bench.rows[:WINDOW] + bench.rows[-WINDOW:]
    line = "  %5s %-12s %8s %8s %8s   %8s %8s %8s   %-40s %s"
    print(line % ("#", "ticket", "q conf", "q hold", "q capt", "ms conf", "ms hold",
                  "ms capt", "PayPal calls (confirm | hold | capture)", "final"))
    previous = 0
    for row in shown:
        if row["index"] != previous + 1:
            print("  %5s (tickets %d-%d: see %s)" % (
                "...", previous + 1, row["index"] - 1, os.path.relpath(OUT, scratch_db.ROOT)))
        previous = row["index"]
        calls = " | ".join(
            " ".join("%s %d" % (k, v) for k, v in row["paypal"][s].items() if v) or "-"
            for s in STEPS)
        print(line % (row["index"], row.get("number") or row["id"],
                      row["queries"]["confirm"], row["queries"]["hold"],
                      row["queries"]["capture"], "%.1f" % row["ms"]["confirm"],
                      "%.1f" % row["ms"]["hold"], "%.1f" % row["ms"]["capture"], calls,
                      row.get("final_state", "")))
    print()
    for ok, text in results:
        print("  %s %s" % ("ok  " if ok else "FAIL", text))
    for name in STEPS:  # time is not checked (a shared machine), only shown
        step = steps[name]
        print("  info %s: %.0f ms per ticket for %s, %.0f ms for %s (x%.2f)" % (
            name, step["ms_first"], first, step["ms_last"], last,
            step["ms_last"] / max(step["ms_first"], 0.001)))


def write_json(data):
    os.makedirs(scratch_db.OUT_DIR, exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(data, f, indent=1)
    print("  written to %s" % os.path.relpath(OUT, scratch_db.ROOT))


def main():
    assert "bench" in DB, "the scratch database (dropped at the end) must be a bench one"
    if TICKETS < 1:
        print("FAIL: ESCROW_BENCH_TICKETS must be at least 1")
        return 2
    signal.signal(signal.SIGTERM, lambda *_a: sys.exit(143))  # clean up on kill, too
    state = {"odoo": False}
    try:
        return run_bench(state)
    except Exception:  # the install, the fixture, the report: say so, then clean up
        print()
        print("FAIL: the escrow bench stopped:\n%s" % traceback.format_exc())
        print("  (Odoo's log: %s)" % os.path.relpath(LOG, scratch_db.ROOT))
        return 1
    finally:
        standin = state.get("standin")
        if standin:
            standin.stop()
        if KEEP_DB:
            print("[bench] scratch database %s kept (ESCROW_BENCH_KEEP_DB)" % DB)
        else:
            drop_database(state["odoo"])


def run_bench(state):
    scratch_db.prepare(DB, MODULES, MODULES, HTTP_PORT, SMTP_PORT, timeout=900)
    import odoo
    from odoo import SUPERUSER_ID, api
    state["odoo"] = True
    odoo.tools.config.parse_config(["-c", CONF, "--log-level=warn"])
    standin = state["standin"] = load_standin().PayPalStandIn().start()
    print("[bench] PayPal stand-in (local, not PayPal) on %s" % standin.url, flush=True)
    registry = odoo.registry(DB)
    error = None
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        bench = Bench(env, standin)
        try:
            bench.setup()
            bench.run(TICKETS)
        except Failed as failure:
            error = str(failure)
        finally:
            cr.rollback()
    if error:
        print()
        print("FAIL: %s" % error)
        print("  (Odoo's log: %s)" % os.path.relpath(LOG, scratch_db.ROOT))
        write_json({"database": DB, "tickets": TICKETS, "ok": False, "error": error,
                    "per_ticket": bench.rows})
        return 1
    steps, paypal = summarize(bench)
    results = checks(bench, steps, paypal)
    report(bench, steps, paypal, results, TICKETS)
    ok = all(result for result, _text in results)
    write_json({
        "database": DB, "tickets": TICKETS, "fee": FEE, "ok": ok,
        "checks": [{"ok": result, "check": text} for result, text in results],
        "steps": steps, "paypal_per_ticket": paypal,
        "phase_seconds": bench.phase_seconds,
        "per_ticket": bench.rows,
    })
    if not ok:
        print("FAIL: escrow bench checks failed (see above)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
