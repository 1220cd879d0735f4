#!/usr/bin/env python3
"""Benchmark of the SLA sweep cron (tktit_helpdesk_sla) over many open tickets.

Creates a scratch database (default ``sla_bench``; env SLA_BENCH_DB) with tktit_helpdesk_sla
installed without demo data when it is missing (upgraded when the addons changed), then,
inside one transaction that is rolled back at the end:

1. inserts N open tickets with one SQL INSERT (10,000 then 100,000; env SLA_BENCH_SIZES),
   with deadlines spread around now so that some first responses are breached, some clocks
   are at risk and some tickets await the customer for more than 48 hours;
2. runs ``helpdesk.ticket._cron_sla_sweep()`` and measures its time and SQL query count,
   split into the set-based part (breaches, at risk) and the bounded notification batch
   (escalations, auto-close);
3. times one plain SQL UPDATE over the same open rows, as the floor to compare with.

Usage: .venv/bin/python bench/sla_sweep_bench.py   (or: make bench)
"""
import os
import sys
import time
from datetime import datetime

import scratch_db

DB = os.environ.get("SLA_BENCH_DB", "sla_bench")
SIZES = [int(x) for x in os.environ.get("SLA_BENCH_SIZES", "10000,100000").split(",")]
CONF = scratch_db.conf_path(DB)


def prepare_database():
    scratch_db.prepare(DB, ["tktit_helpdesk_sla"], ["tktit_helpdesk", "tktit_helpdesk_sla"],
                       "8299", "2599")


INSERT_SQL = """
INSERT INTO helpdesk_ticket (
    number, name, partner_id, commercial_partner_id, company_id, category, priority, state,
    channel, access_token, create_uid, write_uid, create_date, write_date,
    sla_plan_id, sla_policy_id, sla_start_on, sla_state, escalated,
    sla_first_response_breached, sla_first_response_escalated, sla_resolution_breached,
    sla_resolution_escalated, sla_response_breach_count, sla_auto_closed,
    first_support_reply_on, last_support_reply_on, last_customer_message_on,
    first_response_deadline, next_response_deadline, resolution_deadline,
    sla_resolution_resumed_on, sla_resolution_used_minutes, sla_at_risk_on)
SELECT
    'BENCH-' || %(offset)s + i, 'Bench ticket ' || i, %(partner)s, %(org)s, %(company)s,
    'technical', '1',
    CASE WHEN i %% 10 = 0 THEN 'awaiting_customer'
         WHEN i %% 3 = 0 THEN 'dispatch' ELSE 'in_progress' END,
    'portal', md5(random()::text), 1, 1, %(now)s - interval '3 days', %(now)s,
    %(plan)s, %(policy)s, %(now)s - interval '3 days', 'on_track', FALSE,
    FALSE, FALSE, FALSE, FALSE, 0, FALSE,
    -- a quarter still wait for their first response
    CASE WHEN i %% 4 = 1 THEN NULL ELSE %(now)s - interval '2 days' END,
    CASE WHEN i %% 4 = 1 THEN NULL
         WHEN i %% 20 = 0 THEN %(now)s - interval '72 hours'   -- auto-close due
         ELSE %(now)s - interval '2 hours' END,
    %(now)s - interval '4 days',
    -- first response deadlines from 10h ago to 90h ahead: 10%% already passed
    %(now)s + ((i %% 100) - 10) * interval '1 hour',
    NULL,
    CASE WHEN i %% 10 = 0 THEN NULL ELSE %(now)s + (i %% 100 + 1) * interval '1 day' END,
    CASE WHEN i %% 10 = 0 THEN NULL ELSE %(now)s - interval '3 days' END,
    0,
    -- at-risk points from 20h ago to 80h ahead
    %(now)s + ((i %% 100) - 20) * interval '1 hour'
FROM generate_series(1, %(count)s) AS i
"""


def main():
    prepare_database()
    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config(["-c", CONF, "--log-level=warn"])
    registry = odoo.registry(DB)
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        Ticket = env["helpdesk.ticket"]
        now = datetime.utcnow().replace(microsecond=0)
        org = env["res.partner"].create({"name": "Bench Org", "is_company": True})
        person = env["res.partner"].create({"name": "Bench Person", "parent_id": org.id,
                                            "email": "bench@example.com"})
        plan = env.ref("tktit_helpdesk_sla.support_plan_basic")
        env.user.company_id.helpdesk_qa_manager_id = env.user
        cr.execute("SELECT count(*) FROM helpdesk_ticket WHERE state NOT IN "
                   "('closed', 'cancelled')")
        existing = cr.fetchone()[0]
        rows = []
        inserted = 0
        for size in SIZES:
            cr.execute("SAVEPOINT bench_size")
            started = time.time()
            cr.execute(INSERT_SQL, {
                "offset": inserted, "partner": person.id, "org": org.id,
                "company": env.user.company_id.id, "plan": plan.id,
                "policy": plan._get_policy("1").id, "now": now, "count": size})
            cr.execute("ANALYZE helpdesk_ticket")
            insert_time = time.time() - started
            Ticket.invalidate_cache()

            def timed(func):
                Ticket.invalidate_cache()
                queries = cr.sql_log_count
                begin = time.time()
                result = func()
                return result, time.time() - begin, cr.sql_log_count - queries

            cr.execute("SAVEPOINT bench_sweep")
            counts, sweep_time, sweep_queries = timed(Ticket._cron_sla_sweep)
            cr.execute("ROLLBACK TO SAVEPOINT bench_sweep")
            # The same sweep, split: set-based detection, then the notification batch.
            _, detect_time, detect_queries = timed(
                lambda: (Ticket._sla_sweep_breaches(now), Ticket._sla_sweep_at_risk(now)))
            _, notify_time, notify_queries = timed(
                lambda: (Ticket._sla_escalate_due(now), Ticket._sla_auto_close_due(now)))
            cr.execute("ROLLBACK TO SAVEPOINT bench_sweep")
            _, update_time, update_queries = timed(lambda: cr.execute(
                "UPDATE helpdesk_ticket SET write_date = %s "
                "WHERE state NOT IN ('closed', 'cancelled')", (now,)))
            updated = cr.rowcount
            cr.execute("ROLLBACK TO SAVEPOINT bench_size")
            rows.append((size + existing, insert_time, counts, sweep_time, sweep_queries,
                         detect_time, detect_queries, notify_time, notify_queries,
                         update_time, update_queries, updated))
        cr.rollback()

    print()
    print("SLA sweep benchmark on database %s (everything rolled back)" % DB)
    for (total, insert_time, counts, sweep_time, sweep_queries, detect_time, detect_queries,
         notify_time, notify_queries, update_time, update_queries, updated) in rows:
        print()
        print("  open tickets: %d (inserted with one SQL INSERT in %.2fs)" % (total, insert_time))
        print("  sweep found: %(breached)d breached, %(at_risk)d at risk, %(escalated)d "
              "escalated, %(auto_closed)d auto-closed (batch limit per run)" % counts)
        line = "  %-46s %8.3fs  %5d queries"
        print(line % ("whole sweep (_cron_sla_sweep)", sweep_time, sweep_queries))
        print(line % ("  set-based part (breaches + at risk)", detect_time, detect_queries))
        print(line % ("  notification batch (escalate + close)", notify_time, notify_queries))
        print("  %-46s %8.3fs  %5d queries  (%d rows)" % (
            "one plain SQL UPDATE over the open tickets", update_time, update_queries, updated))
    return 0


if __name__ == "__main__":
    sys.exit(main())
