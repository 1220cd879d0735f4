# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A year of demo tickets, walked through the real lifecycle, then dated in the past.

Called once by the demo data (``demo/helpdesk_demo.xml``): ``_demo_story_generate``
plans about 150 tickets over the past twelve months (seeded, so every install tells the
same story), runs each one through the lifecycle's own actions as the role who does it
(dispatcher, expert, quality control, committee, customer), then moves every timestamp to
its planned moment in a few set-based UPDATEs: submitted before answered before closed,
all in the past. A ticket whose plan reaches beyond now stops where now finds it (open).

Sub-addons extend ``_demo_story_backdate`` (their own dates, e.g. SLA clocks) and run
their own stories through ``_demo_story_run`` (field visits and invoices).
"""
import logging
import random
from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.tools import plaintext2html

_logger = logging.getLogger(__name__)

# The demo's people (xml ids of tktit_helpdesk's demo data)
DEMO = "tktit_helpdesk.%s"
CUSTOMERS = {
    "acme": "user_customer_acme_demo",
    "globex": "user_customer_globex_demo",
    "faragostar": "user_customer_faragostar_demo",
}
QUEUES = {
    "lan": ("queue_net_lan_demo", "user_expert_net_demo"),
    "wan": ("queue_net_wan_demo", "user_expert_net_demo"),
    "linux": ("queue_cloud_linux_demo", "user_expert_cloud_demo"),
    "backup": ("queue_cloud_backup_demo", "user_expert_cloud_demo"),
}

# What customers ask, per queue: subject, description, the expert's question, the
# customer's answer, the resolution; category and priority.
SCENARIOS = {
    "lan": [
        ("Wi-Fi keeps disconnecting in the open space",
         "Since Monday laptops in the open space lose the Wi-Fi every 20 minutes or so. "
         "Phones seem fine. About 30 people are affected.",
         "Thanks for the report. Do the drops happen on both the 2.4 GHz and the 5 GHz "
         "network, and could you send us the name of one affected laptop?",
         "It is only the 5 GHz network. One of the laptops is ACME-LT-0412.",
         "The access point above the open space was changing channel every few minutes "
         "because of radar detection (DFS). We pinned it to a non-DFS channel and updated "
         "its firmware; no drop in 48 hours of monitoring.",
         "technical", "2"),
        ("New office: 12 network sockets to activate",
         "We moved the sales team to the second floor. The 12 wall sockets in rooms 2.04 "
         "to 2.07 are not live yet.",
         "We will patch them remotely. Are the socket labels still 2-04-01 to 2-07-03, "
         "as on the floor plan?",
         "Yes, the labels are the same as on the plan.",
         "All 12 sockets patched to the sales VLAN on switch SW-2F; tested each one with "
         "a laptop and a phone.",
         "activation", "1"),
        ("Printer on floor 1 not reachable",
         "Nobody can print to the HP printer next to the kitchen; it shows an IP address "
         "starting with 169.254.",
         "That address means the printer gets no address from the DHCP server. Could you "
         "check that its network cable is plugged into the wall socket marked 1-12?",
         "The cable was plugged into the phone socket next to it. It is now in 1-12, but "
         "the printer still shows 169.254.",
         "The socket 1-12 was on the guest VLAN. We moved it to the office VLAN and gave "
         "the printer a DHCP reservation (10.10.1.40); printing works from every floor.",
         "technical", "1"),
        ("Slow network in the warehouse",
         "File copies from the server to the warehouse PCs crawl (1-2 MB/s) since last "
         "week. The office is fine.",
         "Which switch port do the warehouse PCs use? If you can, send us a photo of the "
         "small switch in the warehouse cabinet.",
         "Photo attached to this reply: it is the grey 8-port switch, all lights orange.",
         "The warehouse uplink had fallen back to 100 Mbit/s half duplex because of a "
         "damaged patch cable. Cable replaced, link back at 1 Gbit/s full duplex.",
         "technical", "2"),
        ("Guest Wi-Fi password for the trade fair",
         "We host visitors for three days next week. Can we get a separate guest "
         "password that expires afterwards?",
         "Certainly. From which date to which date should the password work, and how "
         "many visitors do you expect at the same time?",
         "From Tuesday 8:00 to Thursday 18:00, about 60 visitors.",
         "A guest voucher valid Tuesday to Thursday was created for 80 devices, limited "
         "to 10 Mbit/s each; the voucher was sent to the reception desk.",
         "activation", "0"),
        ("Network outage in the meeting rooms",
         "All four meeting rooms lost the network at 9:10, wired and wireless. Customer "
         "presentations are running this morning.",
         "We see the switch of the meeting rooms as down. Is there power in the cabinet "
         "of corridor B (the small lights on the switch)?",
         "No lights at all on that switch.",
         "The switch's power supply had failed. We sent a replacement with the courier "
         "and configured it from our backup; all meeting rooms were back at 11:05.",
         "technical", "3"),
    ],
    "wan": [
        ("VPN for three new home workers",
         "Three new colleagues start on the 1st and will work from home. Please create "
         "VPN accounts for them.",
         "Please send us their names and e-mail addresses; do they need the full "
         "network or the file server only?",
         "Anna Berg, Tom Reyes and Li Wei (addresses in the HR mail). File server and "
         "the ERP only.",
         "Three VPN accounts created with multi-factor authentication, restricted to the "
         "file server and the ERP; the set-up guide was mailed to each of them.",
         "activation", "1"),
        ("Internet line down at the branch office",
         "The branch office has had no internet since 7:30. The provider's router shows "
         "a red light.",
         "We opened a ticket with the provider. Could you restart their router once, "
         "unplugging it for 30 seconds, and tell us the colour of the lights after?",
         "Restarted it; the light is still red.",
         "The provider confirmed a cut fibre in the street, repaired at 14:20. Meanwhile "
         "the branch was switched to the 4G backup line; it now fails over automatically.",
         "technical", "3"),
        ("Site-to-site VPN drops every night",
         "The tunnel between HQ and the warehouse drops around 2:00 every night and the "
         "night inventory sync fails.",
         "Thanks. Could you tell us at what time the sync job runs exactly, and whether "
         "anything else runs at 2:00 (backups, updates)?",
         "The sync starts at 1:45. The provider router reboots for updates at 2:00, we "
         "found out.",
         "The tunnel's re-key timer collided with the provider router's nightly reboot. "
         "We moved the re-key and enabled dead-peer detection: the tunnel reconnects "
         "within 20 seconds, and the sync now retries.",
         "technical", "2"),
        ("Quote for a faster internet line",
         "Our 100 Mbit/s line is saturated every morning. What would a faster line cost?",
         "We can offer 500 Mbit/s or 1 Gbit/s fibre. Do you want us to include the "
         "backup line and the firewall upgrade in the quote?",
         "Yes, please include both.",
         "Quote sent for 1 Gbit/s fibre with a 4G backup line and the firewall upgrade; "
         "installation planned with the provider for the date you chose.",
         "sales", "0"),
        ("Firewall blocks the new accounting software",
         "Our new accounting software cannot reach its cloud service; the vendor says "
         "our firewall blocks it.",
         "Could you send us the list of addresses and ports the vendor requires?",
         "The vendor's list: *.acct-cloud.example on ports 443 and 8443.",
         "Outbound rules added for the vendor's domains on 443 and 8443, limited to the "
         "accounting PCs; the software syncs again.",
         "technical", "1"),
    ],
    "linux": [
        ("Web server out of disk space",
         "Our intranet shows errors since this morning; the hosting panel says the disk "
         "of web-01 is 100% full.",
         "We freed space so the site is back. Can we delete the application logs older "
         "than 90 days, or must you keep them?",
         "You can delete them; we only need the last 30 days.",
         "Old logs deleted (41 GB), log rotation set to 30 days with compression, and a "
         "disk usage alert at 80% added to the monitoring.",
         "technical", "3"),
        ("Security updates for the ERP server",
         "Our auditor asks that the ERP server gets its pending security updates. When "
         "can you do it?",
         "The updates need a restart of about 10 minutes. Would Saturday at 7:00 suit "
         "you, or do you prefer a weekday evening?",
         "Saturday 7:00 is fine.",
         "42 security updates installed on Saturday at 7:00, kernel included; the ERP was "
         "back at 7:12 and the auditor's report was sent to you.",
         "technical", "1"),
        ("New staging server for the web shop",
         "We need a copy of the web shop server for testing the new version.",
         "We can clone the production server. Should the copy use an anonymised copy of "
         "the customer database?",
         "Yes, anonymised please, and reachable from our office only.",
         "Staging server created from last night's snapshot, customer data anonymised, "
         "reachable from your office address only; credentials sent separately.",
         "activation", "1"),
        ("Database server very slow",
         "Every report in the ERP takes minutes since yesterday afternoon.",
         "We see one query running for hours on the database. Did someone start a large "
         "export or a year-end report yesterday?",
         "Yes, finance ran the yearly stock valuation; it never finished.",
         "The stock valuation query was stuck on a missing index. We stopped it, added "
         "the index and ran it again: it finishes in 3 minutes, and the ERP is fast again.",
         "technical", "2"),
        ("SSL certificate expired on the customer portal",
         "Customers get a security warning on our portal: the certificate expired today.",
         "We are renewing it now. Is the portal also reachable under portal2 for your "
         "partners, so we include that name?",
         "Yes, portal2 too please.",
         "New certificate installed for both names, with automatic renewal every 60 "
         "days and an alert 14 days before expiry.",
         "technical", "3"),
    ],
    "backup": [
        ("Restore a deleted project folder",
         "A colleague deleted the folder Projects/2026/Harbour by mistake yesterday "
         "afternoon.",
         "We have snapshots every four hours. Should we restore it in place, or next to "
         "the current folders so you can compare?",
         "Next to it please, with the date in the name.",
         "The folder was restored from yesterday's 12:00 snapshot as "
         "Projects/2026/Harbour (restored); 1,240 files, nothing missing.",
         "technical", "2"),
        ("Backup report shows failures",
         "The weekly backup report lists three failed jobs for the accounting server.",
         "The jobs fail while the accounting database is locked at night. Can the "
         "backup window move from 23:00 to 1:00?",
         "Yes, nobody works at 1:00.",
         "Backup window moved to 1:00 and the database is now backed up with its own "
         "consistent dump first; the last five runs succeeded.",
         "technical", "1"),
        ("Offsite copy of our backups",
         "Our insurer asks for a copy of the backups outside our building. What do you "
         "offer?",
         "We can replicate your backups to our second data centre every night, kept 90 "
         "days. Shall we include the mailboxes as well?",
         "Yes, mailboxes included.",
         "Nightly replication to the second data centre set up for servers and "
         "mailboxes, 90 days retention; the insurer's certificate was sent to you.",
         "sales", "0"),
        ("Restore test before the audit",
         "The auditor wants proof that our backups can be restored. Can you run a test?",
         "Of course. Which server should we restore, and to which date?",
         "The file server, as it was on the last day of the month.",
         "The file server was restored to an isolated machine from the month-end backup "
         "in 47 minutes; the signed restore report is attached for the auditor.",
         "technical", "1"),
        ("Mailbox of a former employee",
         "We need the mails of a colleague who left in March for a legal case.",
         "We keep mailbox backups for 12 months. Please confirm in writing that the "
         "management approved the access, and to whom we hand the export.",
         "Approval from our director is attached; please give the export to our lawyer, "
         "Ms. Jansen.",
         "The mailbox was restored from the March backup and exported; the encrypted "
         "file and its password were handed over to Ms. Jansen separately.",
         "technical", "1"),
    ],
}
# Faragostar writes in Persian
SCENARIOS_FA = {
    "lan": [
        ("قطع شدن اینترنت در اتاق جلسات",
         "از صبح امروز در اتاق جلسات طبقه سوم هیچ دستگاهی به شبکه وصل نمی‌شود.",
         "سلام، لطفاً بفرمایید چراغ‌های سوییچ داخل کمد راهرو روشن است یا نه؟",
         "چراغ‌ها خاموش هستند.",
         "منبع تغذیه سوییچ خراب شده بود؛ سوییچ جایگزین نصب و پیکربندی شد و شبکه اتاق "
         "جلسات دوباره برقرار است.",
         "technical", "2"),
    ],
    "backup": [
        ("بازیابی پرونده‌های حذف‌شده واحد مالی",
         "یکی از همکاران پوشه گزارش‌های ماهانه واحد مالی را اشتباهی حذف کرده است.",
         "سلام، نسخه پشتیبان هر چهار ساعت گرفته می‌شود. پوشه را در همان محل بازیابی کنیم؟",
         "بله، لطفاً در همان محل.",
         "پوشه گزارش‌های ماهانه از نسخه پشتیبان ظهر دیروز بازیابی شد و همه پرونده‌ها "
         "سالم هستند.",
         "technical", "1"),
    ],
    "linux": [
        ("کندی شدید سامانه حسابداری",
         "از دیروز باز کردن هر گزارش در سامانه حسابداری چند دقیقه طول می‌کشد.",
         "سلام، آیا دیروز گزارش سالانه یا خروجی بزرگی گرفته شده است؟",
         "بله، واحد مالی گزارش پایان سال را اجرا کرد.",
         "پرس‌وجوی گزارش پایان سال به دلیل نبود یک نمایه متوقف شده بود؛ نمایه افزوده شد و "
         "سامانه دوباره سریع است.",
         "technical", "2"),
    ],
}

# What customers say when they confirm, and the stars that go with it
PRAISE = [
    (5, "Perfect, thank you for the quick help!"),
    (5, "Fixed within the hour, great work."),
    (5, "Very clear explanation of what went wrong. Thanks!"),
    (4, "Works again, thanks. It took a bit longer than we hoped."),
    (4, "All good now."),
    (3, "Solved, but we had to chase the answer twice."),
]
COMPLAINTS = [
    (2, "It works now, but two days without an answer is too long for us."),
    (1, "Nobody told us the fix needed a restart: we lost an hour of work."),
    (2, "Solved only after we called, the portal answers were too slow."),
]
DISSATISFIED = [
    "The problem came back this morning, same symptoms.",
    "Only half of it works: the second site still has the issue.",
    "The report you sent is not what our auditor asked for.",
]
REWORK = "We found a second cause and fixed it as well; monitored for 24 hours, no recurrence."
QC_REJECT = [
    "The resolution does not say what was changed on the customer's equipment.",
    "Please attach the test results before we send this to the customer.",
]
CANCEL_NOTE = "Duplicate of an earlier request by the same customer: closed, the work " \
    "continues on the first ticket."


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    # ------------------------------------------------------------------ people
    @api.model
    def _demo_story_people(self):
        """The demo's users, by role (records, as superuser)."""
        ref = self.env.ref
        return {
            "dispatcher": ref(DEMO % "user_dispatcher_demo"),
            "qc": ref(DEMO % "user_qc_demo"),
            "committee": ref(DEMO % "user_committee_demo"),
            "customers": {key: ref(DEMO % xmlid) for key, xmlid in CUSTOMERS.items()},
            "queues": {key: (ref(DEMO % queue), ref(DEMO % expert))
                       for key, (queue, expert) in QUEUES.items()},
        }

    # ---------------------------------------------------------------- planning
    @api.model
    def _demo_story_plans(self, count, rng, now):
        """``count`` ticket plans over the past year: values, then steps at moments."""
        plans = []
        weights = {"acme": 5, "globex": 4, "faragostar": 2}
        customers = [key for key, weight in weights.items() for _i in range(weight)]
        for index in range(count):
            # busier lately (the business grows): more tickets in the recent months
            # every draw made whatever ``now`` is: the same seed gives the same steps
            age_days = 365 * (1 - rng.random() ** 0.75)
            hour, minute, second = (rng.choice([8, 9, 9, 10, 11, 13, 14, 15, 16]),
                                    rng.randrange(60), rng.randrange(60))
            recent = rng.random()
            created = (now - timedelta(days=age_days)).replace(
                hour=hour, minute=minute, second=second, microsecond=0)
            if created.weekday() >= 5:  # customers write on working days
                created -= timedelta(days=created.weekday() - 4)
            if created > now - timedelta(hours=2):
                created = (now - timedelta(hours=2 + recent * 48)).replace(microsecond=0)
            customer = rng.choice(customers)
            scenarios = SCENARIOS_FA if customer == "faragostar" else SCENARIOS
            queue = rng.choice(sorted(scenarios))
            scenario = rng.choice(scenarios[queue])
            plans.append(self._demo_story_plan(index, rng, created, customer, queue,
                                               scenario))
        self._demo_story_rated_today(plans, now)
        plans.sort(key=lambda plan: plan["created"])
        return plans

    @api.model
    def _demo_story_rated_today(self, plans, now, count=3):
        """The latest ``count`` plans that end with the customer's rating are moved so
        that their rating comes one, two and three hours before ``now``: the overview's
        "today" has figures on the first login. Their steps stay as drawn (a sub-addon
        replaying them finds the same), only their start moves."""
        rated = sorted((plan for plan in plans if plan["steps"]
                        and plan["steps"][-1][1] == "rate"),
                       key=lambda plan: plan["created"])
        for offset, plan in enumerate(reversed(rated[-count:])):
            hours = sum(item[0] for item in plan["steps"])
            created = (now - timedelta(hours=hours + 1 + offset)).replace(microsecond=0)
            shift = created - plan["created"]
            plan["created"] = created
            plan["values"]["occurred_on"] = fields.Datetime.to_string(
                fields.Datetime.from_string(plan["values"]["occurred_on"]) + shift)

    @api.model
    def _demo_story_plan(self, index, rng, created, customer, queue, scenario):
        """One ticket's plan: what happens, when (hours after the previous step)."""
        subject, description, question, answer, resolution, category, priority = scenario
        roll = rng.random()
        outcome = ("cancelled" if roll < 0.06 else "dissatisfied" if roll < 0.16
                   else "complaint" if roll < 0.26 else "satisfied")
        urgent = priority in ("3", "4")
        steps = []

        def step(after_hours, name, *args):
            steps.append((after_hours, name) + args)

        if outcome == "cancelled":
            step(rng.uniform(0.3, 3), "cancel", CANCEL_NOTE)
        else:
            slow = outcome == "complaint"
            if rng.random() < 0.12:
                step(rng.uniform(0.5, 4), "clarify",
                     "Could you tell us which site and which device this is about?")
                step(rng.uniform(1, 20), "customer", "It is about our head office; " +
                     description[:1].lower() + description[1:])
            step(rng.uniform(0.05, 0.5) if urgent else rng.uniform(0.2, 1.5), "dispatch")
            step(rng.uniform(0.05, 0.3) if urgent else rng.uniform(0.2, 1.5), "assign")
            step(rng.uniform(0.05, 0.5) if not slow else rng.uniform(6, 30), "reply", question)
            step(rng.uniform(0.5, 20), "customer", answer)
            step(rng.uniform(0.1, 1.5) if not slow else rng.uniform(4, 20), "reply",
                 "Thank you, that helps. We are on it and will keep you posted here.")
            step(rng.uniform(0.5, 6) if not slow else rng.uniform(20, 50), "complete",
                 resolution)
            if rng.random() < 0.1:
                step(rng.uniform(1, 6), "qc_reject", rng.choice(QC_REJECT))
                step(rng.uniform(1, 8), "complete",
                     resolution + " Test results are attached to the ticket.")
            step(rng.uniform(0.3, 3), "qc_approve")
            step(rng.uniform(0.3, 4), "final_approve")
            if outcome == "dissatisfied":
                step(rng.uniform(2, 30), "confirm", False, rng.choice(DISSATISFIED))
                step(rng.uniform(2, 24), "complete", resolution + " " + REWORK)
                step(rng.uniform(0.5, 6), "qc_approve")
                step(rng.uniform(1, 12), "final_approve")
                stars, comment = rng.choice([(3, "Fine now, after the second visit."),
                                             (2, COMPLAINTS[0][1])])
            elif outcome == "complaint":
                stars, comment = rng.choice(COMPLAINTS)
            else:
                stars, comment = rng.choice(PRAISE)
            step(rng.uniform(0.3, 6) if rng.random() < 0.8 else rng.uniform(6, 40), "confirm",
                 True, comment if rng.random() < 0.5 else None)
            if rng.random() < 0.85:  # most customers rate
                step(rng.uniform(0.02, 3), "rate", stars, comment)
        return {
            "key": "story_%03d" % (index + 1),
            "created": created,
            "customer": customer,
            "queue": queue,
            "values": {
                "name": subject,
                "description": plaintext2html(description),
                "category": category,
                "priority": priority,
                "channel": rng.choice(["portal", "portal", "email"]),
                "occurred_on": fields.Datetime.to_string(
                    created - timedelta(minutes=rng.randrange(10, 240))),
            },
            "steps": steps,
        }

    @api.model
    def _demo_story_default_plans(self, now, count=150, seed=16):
        """The story's plans: seeded, so a sub-addon finds the same steps again (the
        SLA clocks of tickets walked before it was installed)."""
        return self._demo_story_plans(count, random.Random(seed), now)

    # --------------------------------------------------------------- the walk
    @api.model
    def _demo_story_generate(self, count=150, seed=16):
        """The demo's year of tickets (see the module docstring). Once: a second call
        (an -i of the addon again) finds the story there and does nothing."""
        if self.env["ir.model.data"].search_count([
                ("module", "=", "tktit_helpdesk"), ("name", "=like", "story_%"),
                ("model", "=", self._name)]):
            return self.browse()
        now = datetime.utcnow().replace(microsecond=0)
        plans = self._demo_story_default_plans(now, count=count, seed=seed)
        tickets = self._demo_story_run(plans, now)
        self._demo_story_fix_fixtures()
        return tickets

    @api.model
    def _demo_story_run(self, plans, now, module="tktit_helpdesk"):
        """Create and walk the planned tickets (steps before ``now`` only), then date
        them (``_demo_story_backdate``). Returns the tickets, named ``module.<key>``."""
        people = self._demo_story_people()
        cr = self.env.cr
        cr.execute("SELECT COALESCE(MAX(id), 0) FROM mail_mail")
        first_mail = cr.fetchone()[0]
        timeline = {}  # ticket id -> [(last message id of the step, moment, step name)]
        tickets = self.browse()
        limit = now - timedelta(minutes=30)
        for plan in plans:
            # no tracking messages nor follower mails of each field change: the chatter
            # tells the story with the customer notices, the conversation and the
            # reviewers' notes (and the walk is several times faster)
            ticket = self._demo_story_create(plan, people).with_context(
                tracking_disable=True)
            moment = plan["created"]
            marks = [(self._demo_story_mark(), moment, "create")]
            for item in plan["steps"]:
                moment = moment + timedelta(hours=item[0])
                if moment > limit:
                    break
                self._demo_story_step(ticket, plan, people, item[1], item[2:], moment)
                marks.append((self._demo_story_mark(), moment, item[1]))
            timeline[ticket.id] = marks
            tickets |= ticket
            self.env["ir.model.data"].create({
                "module": module, "name": plan["key"], "model": self._name,
                "res_id": ticket.id, "noupdate": True})
        tickets._demo_story_backdate(timeline, first_mail)
        _logger.info("demo story: %s tickets over the past year", len(tickets))
        return tickets

    @api.model
    def _demo_story_mark(self):
        """The last message id so far: the messages of a step are those after the mark
        of the step before."""
        self.env.cr.execute("SELECT last_value FROM mail_message_id_seq")
        return self.env.cr.fetchone()[0]

    @api.model
    def _demo_story_create(self, plan, people):
        queue, _expert = people["queues"][plan["queue"]]
        customer = people["customers"][plan["customer"]]
        values = dict(plan["values"], partner_id=customer.partner_id.id,
                      queue_id=queue.id, technology_id=queue.technology_id.id,
                      specialization_id=queue.specialization_id.id)
        # as the portal and the mail gateway do (superuser, after their own checks), but
        # without the acknowledgement mail of a new ticket, as for imported historical
        # tickets: rendering it for every ticket of the year would take the longest part
        # of the walk, for a mail that is not sent (the context ends with the creation)
        ticket = self.sudo().with_context(lang=customer.lang, tktit_history_import=True) \
            .create(values)
        return ticket.with_context(tktit_history_import=False)

    @api.model
    def _demo_story_step(self, ticket, plan, people, name, args, moment):
        """One step of the lifecycle, done by its role through its public action, at
        ``moment`` (a datetime: when the story says it happens)."""
        expert = plan.get("expert") or people["queues"][plan["queue"]][1]
        customer = people["customers"][plan["customer"]]
        dispatcher = people["dispatcher"]
        if name == "clarify":
            ticket.sudo(dispatcher).action_request_clarification(args[0])
        elif name == "dispatch":
            ticket.sudo(dispatcher).action_send_to_dispatch()
        elif name == "assign":
            ticket.sudo(dispatcher).action_assign(expert)
        elif name == "reply":
            ticket._handle_support_reply(self._demo_story_message(ticket, expert, args[0]))
        elif name == "customer":
            ticket._handle_customer_message(
                self._demo_story_message(ticket, customer, args[0]))
        elif name == "complete":
            ticket.sudo(expert).write({"resolution": plaintext2html(args[0])})
            ticket.sudo(expert).action_work_completed()
        elif name == "qc_reject":
            ticket.sudo(people["qc"]).action_qc_reject(args[0])
        elif name == "qc_approve":
            ticket.sudo(people["qc"]).action_qc_approve()
        elif name == "final_approve":
            ticket.sudo(people["committee"]).action_final_approve()
        elif name == "confirm":
            ticket.sudo(customer).action_customer_confirm(args[0], args[1])
        elif name == "rate":
            rating = self.env["rating.rating"].search([
                ("res_model", "=", self._name), ("res_id", "=", ticket.id)],
                order="id desc", limit=1)
            if rating and ticket.state == "closed":
                # what the rating page does after its token check
                ticket._apply_customer_rating(args[0], rating.access_token, args[1])
        elif name == "cancel":
            ticket.sudo(dispatcher).message_post(body=plaintext2html(args[0]),
                                                 subtype="mail.mt_note")
            ticket.sudo(dispatcher).action_cancel()
        else:
            self._demo_story_extra_step(ticket, plan, people, name, args, moment)

    @api.model
    def _demo_story_message(self, ticket, user, text):
        """A conversation turn of ``user`` on ``ticket``, as the chatter keeps it; the
        lifecycle's bookkeeping of it is the caller's (``_handle_support_reply``,
        ``_handle_customer_message``). Not mailed: a year of demo conversations would
        only fill the mail queue (and take minutes to render)."""
        # (the context key by which Odoo creates a message without notifying anyone)
        return self.env["mail.message"].with_context(message_create_from_mail_mail=True).create({
            "model": self._name, "res_id": ticket.id, "record_name": ticket.display_name,
            "message_type": "comment", "subtype_id": self.env.ref("mail.mt_comment").id,
            "author_id": user.partner_id.id, "email_from": user.partner_id.email_formatted,
            "body": plaintext2html(text),
        })

    @api.model
    def _demo_story_extra_step(self, ticket, plan, people, name, args, moment):
        """Hook: a step of a sub-addon's story (field visit, signature, payment)."""
        raise ValueError("Unknown demo story step %s" % name)

    # ------------------------------------------------------------ the dating
    @api.multi
    def _demo_story_backdate(self, timeline, first_mail):
        """Move what the walk wrote to its planned moments, set-based.

        ``timeline``: ticket id -> [(last message id of the step, moment, step)] in
        order. The messages of each step take its moment; the tickets' dates follow
        their steps; their rating its own; their activities are done for finished tickets
        (dropped) and due at their step for open ones. The mails the walk queued are
        dropped (the demo mails nobody), and the staff's inbox is left read."""
        cr = self.env.cr
        rows, dates = [], []
        for ticket_id, marks in timeline.items():
            previous = None
            for mark, moment, _step in marks:
                low = previous if previous is not None else 0
                rows.append((ticket_id, low, mark, fields.Datetime.to_string(moment)))
                previous = mark
            dates.append(self._demo_story_ticket_dates(ticket_id, marks))
        if not rows:
            return
        # each step's messages (a creation's: all those before it, of this ticket)
        cr.execute("""
            UPDATE mail_message m SET date = v.moment::timestamp,
                   create_date = v.moment::timestamp, write_date = v.moment::timestamp
              FROM unnest(%s::int[], %s::int[], %s::int[], %s::text[])
                   AS v(res_id, low, high, moment)
             WHERE m.model = 'helpdesk.ticket' AND m.res_id = v.res_id
               AND m.id > v.low AND m.id <= v.high
        """, ([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
              [r[3] for r in rows]))
        cr.execute("""
            UPDATE mail_tracking_value t SET create_date = m.date, write_date = m.date
              FROM mail_message m
             WHERE t.mail_message_id = m.id AND m.model = 'helpdesk.ticket'
               AND m.res_id = ANY(%s)
        """, (self.ids,))
        columns = ["create_date", "write_date", "assigned_on", "first_reply", "last_reply",
                   "last_customer", "closed_on"]
        cr.execute("""
            UPDATE helpdesk_ticket t SET
                   create_date = v.create_date::timestamp,
                   write_date = v.write_date::timestamp,
                   assigned_on = CASE WHEN t.assigned_on IS NULL THEN NULL
                                 ELSE v.assigned_on::timestamp END,
                   first_support_reply_on = CASE WHEN t.first_support_reply_on IS NULL
                                 THEN NULL ELSE v.first_reply::timestamp END,
                   last_support_reply_on = CASE WHEN t.last_support_reply_on IS NULL
                                 THEN NULL ELSE v.last_reply::timestamp END,
                   last_customer_message_on = CASE WHEN t.last_customer_message_on IS NULL
                                 THEN NULL ELSE v.last_customer::timestamp END,
                   closed_on = CASE WHEN t.closed_on IS NULL THEN NULL
                                 ELSE v.closed_on::timestamp END
              FROM unnest(%s::int[], %s::text[], %s::text[], %s::text[], %s::text[],
                          %s::text[], %s::text[], %s::text[])
                   AS v(id, create_date, write_date, assigned_on, first_reply, last_reply,
                        last_customer, closed_on)
             WHERE t.id = v.id
        """, [[d["id"] for d in dates]] + [[d[c] for d in dates] for c in columns])
        # a rating: requested at the closure, given with its note (the last one)
        cr.execute("""
            UPDATE rating_rating r SET create_date = t.closed_on,
                   write_date = GREATEST(m.date, t.closed_on),
                   rated_on = GREATEST(m.date, t.closed_on)
              FROM (SELECT res_id, MAX(date) AS date FROM mail_message
                     WHERE model = 'helpdesk.ticket' AND res_id = ANY(%s)
                       AND subtype_id = %s GROUP BY res_id) m, helpdesk_ticket t
             WHERE r.res_model = 'helpdesk.ticket' AND r.res_id = m.res_id
               AND t.id = m.res_id AND t.closed_on IS NOT NULL
        """, (self.ids, self.env.ref("mail.mt_note").id))
        done = self.filtered(lambda t: t.state in ("closed", "cancelled"))
        if done:
            cr.execute("DELETE FROM mail_activity WHERE res_model = 'helpdesk.ticket' "
                       "AND res_id = ANY(%s)", (done.ids,))
        cr.execute("""
            UPDATE mail_activity a SET date_deadline = (t.write_date + interval '1 day')::date,
                   create_date = t.write_date, write_date = t.write_date
              FROM helpdesk_ticket t
             WHERE a.res_model = 'helpdesk.ticket' AND a.res_id = t.id AND t.id = ANY(%s)
        """, (self.ids,))
        # the demo mails nobody: what the walk queued goes, its messages stay
        cr.execute("DELETE FROM mail_mail WHERE id > %s", (first_mail,))
        cr.execute("""
            UPDATE mail_message_res_partner_needaction_rel n SET is_read = TRUE
              FROM mail_message m
             WHERE n.mail_message_id = m.id AND m.model = 'helpdesk.ticket'
               AND m.res_id = ANY(%s)
        """, (self.ids,))
        self.invalidate_cache()
        self.env["mail.message"].invalidate_cache()
        self.env["rating.rating"].invalidate_cache()

    @api.model
    def _demo_story_ticket_dates(self, ticket_id, marks):
        """A ticket's dates (write format) from its steps."""
        moments = {}
        for _mark, moment, step in marks:
            moments.setdefault(step, []).append(fields.Datetime.to_string(moment))
        created = moments["create"][0]
        last = fields.Datetime.to_string(marks[-1][1])
        finished = sorted(moment for step in self._demo_story_closing_steps()
                          for moment in moments.get(step) or [])
        return {
            "id": ticket_id,
            "create_date": created,
            "write_date": last,
            "assigned_on": (moments.get("assign") or [created])[0],
            "first_reply": (moments.get("reply") or [created])[0],
            "last_reply": (moments.get("reply") or [created])[-1],
            "last_customer": (moments.get("customer") or [created])[-1],
            "closed_on": finished[-1] if finished else last,
        }

    @api.model
    def _demo_story_closing_steps(self):
        """The steps that may close a ticket (its closing date is the last of them)."""
        return ("confirm", "cancel")

    # ------------------------------------------------------------- the fixtures
    @api.model
    def _demo_story_fix_fixtures(self):
        """The hand-written demo tickets (helpdesk_demo.xml) were submitted when their
        incident occurred, not at the install: submitted before closed."""
        data = self.env["ir.model.data"].search([
            ("module", "=", "tktit_helpdesk"), ("model", "=", self._name),
            ("name", "=like", "ticket_%")])
        self.env.cr.execute("""
            UPDATE helpdesk_ticket SET create_date = occurred_on + interval '20 minutes'
             WHERE id = ANY(%s) AND occurred_on IS NOT NULL
               AND occurred_on + interval '20 minutes' < create_date
        """, (data.mapped("res_id"),))
        self.browse(data.mapped("res_id"))._demo_story_date_fixture_messages()

    @api.multi
    def _demo_story_date_fixture_messages(self):
        """The chatter of hand-written demo tickets dated back to their submission."""
        self.env.cr.execute("""
            UPDATE mail_message m SET date = t.create_date + v.rank * interval '3 minutes'
              FROM (SELECT id, rank() OVER (PARTITION BY res_id ORDER BY id) AS rank
                      FROM mail_message WHERE model = 'helpdesk.ticket'
                       AND res_id = ANY(%s)) v, helpdesk_ticket t
             WHERE m.id = v.id AND t.id = m.res_id AND m.date > t.create_date
        """, (self.ids,))
        self.invalidate_cache(["create_date"])
        self.env["mail.message"].invalidate_cache()
