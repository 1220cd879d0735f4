from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.rating.models.rating import RATING_LIMIT_SATISFIED

from . import local_date
from .helpdesk_ticket import DONE_STATES

# States in which a ticket keeps its expert busy: they count as the expert's load.
LOAD_STATES = ("in_progress", "awaiting_customer")


class HelpdeskQueue(models.Model):
    """An expert queue: the experts of one technology (scope) and specialization (stream).

    The queue owns a mail alias: a mail from a known customer to it opens a ticket
    routed to this queue.

    The helpdesk overview (``helpdesk_queue_action_overview``) shows one card per queue
    with its measures, computed for all the queues shown at once. Hooks for other addons:

    - ``_overview_counts()``: ``{queue id: {field name: value}}`` of the fields computed by
      ``_compute_overview_counts``; extend it with ``super()`` and add the keys of your own
      fields declared with ``compute="_compute_overview_counts"`` (the SLA addon adds
      ``at_risk_count`` and ``breached_count``). One grouped query per measure, whatever
      the number of queues and tickets: ``_overview_ticket_counts(domain)`` is one.
    - ``_overview_ticket_domain(measure)``: the tickets a measure counts, for the
      click-through of ``action_open_tickets(measure)``; extend it for your measures.

    The counts are what the current user may read (record rules apply): an expert sees
    the tickets of their queues and their own, and the ratings they received.
    """

    _name = "helpdesk.queue"
    _description = "Helpdesk Expert Queue"
    _inherit = ["mail.thread", "mail.alias.mixin"]
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True, track_visibility="always")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.user.company_id)
    technology_id = fields.Many2one(
        "helpdesk.technology", string="Technology (scope)", index=True)
    specialization_id = fields.Many2one(
        "helpdesk.specialization", string="Specialization (stream)", index=True,
        domain="[('technology_id', '=', technology_id)]")
    member_ids = fields.Many2many(
        "res.users", "helpdesk_queue_member_rel", "queue_id", "user_id", string="Experts",
        domain=lambda self: [("groups_id", "in", self.env.ref(
            "tktit_helpdesk.group_helpdesk_expert").id)])
    dispatcher_id = fields.Many2one(
        "res.users", string="Dispatcher",
        help="Operations user who dispatches this queue and follows up its quality.")
    alias_id = fields.Many2one(
        "mail.alias", string="Alias", ondelete="restrict", required=True,
        help="Customers mail this address to open a ticket in this queue.")
    ticket_ids = fields.One2many("helpdesk.ticket", "queue_id", string="Tickets")
    dispatch_count = fields.Integer(compute="_compute_ticket_counts", string="To dispatch")
    # the helpdesk overview's measures (see the class docstring)
    open_count = fields.Integer(compute="_compute_overview_counts", string="Open tickets")
    unassigned_count = fields.Integer(
        compute="_compute_overview_counts", string="Unassigned",
        help="Open tickets with no expert yet.")
    rating_today_count = fields.Integer(
        compute="_compute_overview_counts", string="Ratings Today",
        help="Customer ratings given today (your time zone) on the queue's tickets.")
    satisfaction_today = fields.Integer(
        compute="_compute_overview_counts", string="Satisfaction Today (%)",
        help="Share of today's customer ratings with 4 or 5 stars.")

    _sql_constraints = [
        ("scope_uniq", "unique(technology_id, specialization_id, company_id)",
         "There is already a queue for this technology and specialization."),
    ]

    @api.multi
    def _compute_ticket_counts(self):
        dispatch = self._saved()._overview_ticket_counts(self._overview_ticket_domain("dispatch"))
        for queue in self:
            queue.dispatch_count = dispatch.get(queue.id, 0)

    @api.multi
    def _compute_overview_counts(self):
        counts = self._saved()._overview_counts()
        for queue in self:
            queue.update(counts.get(queue.id) or counts[None])

    @api.constrains("technology_id", "specialization_id")
    def _check_specialization_technology(self):
        for queue in self:
            if queue.specialization_id and \
                    queue.specialization_id.technology_id != queue.technology_id:
                raise ValidationError(_(
                    "The stream %(stream)s does not belong to the technology of queue "
                    "%(queue)s.") % {"stream": queue.specialization_id.name,
                                     "queue": queue.name})

    def get_alias_model_name(self, vals):
        return "helpdesk.ticket"

    def get_alias_values(self):
        values = super(HelpdeskQueue, self).get_alias_values()
        values["alias_defaults"] = {"queue_id": self.id}
        # Official channel only: strangers' mails bounce instead of opening tickets.
        values["alias_contact"] = "partners"
        return values

    @api.multi
    def _alias_check_contact(self, message, message_dict, alias):
        """A stranger writing to a queue's alias gets our answer (the portal, or
        registering), not Odoo's generic bounce."""
        result = super(HelpdeskQueue, self)._alias_check_contact(message, message_dict, alias)
        if result is True:
            return result
        return dict(result, error_template=self.env["helpdesk.ticket"]
                    ._gateway_stranger_body())

    @api.model
    def _find_for_scope(self, technology, specialization):
        """The queue serving a scope + stream: the exact queue, else the technology's
        general queue (no stream), else an empty recordset."""
        if not technology:
            return self.browse()
        candidates = self.search([
            ("technology_id", "=", technology.id),
            ("specialization_id", "in", [specialization.id, False] if specialization else [False]),
        ])
        exact = candidates.filtered(lambda q: q.specialization_id == specialization)
        return (exact or candidates)[:1]

    @api.multi
    def _get_expert_loads(self):
        """{user_id: number of tickets currently keeping the expert busy} for the members."""
        groups = self.env["helpdesk.ticket"].read_group(
            [("user_id", "in", self.mapped("member_ids").ids), ("state", "in", LOAD_STATES)],
            ["user_id"], ["user_id"])
        return {g["user_id"][0]: g["user_id_count"] for g in groups}

    @api.multi
    def _find_best_expert(self):
        """The available member with the least load (ties: the lowest id, stable)."""
        self.ensure_one()
        experts = self.member_ids.filtered("helpdesk_available")
        if not experts:
            return experts
        loads = self._get_expert_loads()
        return min(experts, key=lambda u: (loads.get(u.id, 0), u.id))

    @api.multi
    def _get_dispatch_tickets(self, limit=None):
        """The queues' tickets waiting for dispatch, in the dispatcher's order (read from
        the partial index of ``helpdesk.ticket.init``)."""
        return self.env["helpdesk.ticket"].search(
            [("queue_id", "in", self.ids), ("state", "=", "dispatch")], limit=limit)

    @api.multi
    def action_assign_next(self):
        """Dispatcher's one click: the queue's first ticket goes to the best-fitting expert."""
        self.ensure_one()
        ticket = self._get_dispatch_tickets(limit=1)
        if not ticket:
            raise UserError(_("Queue %s has no ticket waiting for dispatch.") % self.name)
        expert = self._find_best_expert()
        if not expert:
            raise UserError(_("Queue %s has no available expert.") % self.name)
        ticket.action_assign(expert)
        return ticket

    @api.multi
    def action_open_tickets(self, measure="open"):
        """The tickets one of the overview's measures counts (``measure``: a key of
        ``_overview_ticket_domain``, e.g. ``open``, ``unassigned``; ``rated_today`` opens
        today's ratings). The list is read as the caller: record rules decide what it
        shows, as they decided the count."""
        self.ensure_one()
        self.check_access_rights("read")
        self.check_access_rule("read")
        if measure == "rated_today":
            return self._overview_ratings_action()
        domain = self._overview_ticket_domain(measure)
        if domain is None:
            raise UserError(_("The overview has no measure %s.") % measure)
        action = self.env.ref("tktit_helpdesk.helpdesk_ticket_action").read()[0]
        action.update({
            "domain": [("queue_id", "=", self.id)] + domain,
            "context": {"default_queue_id": self.id, "tktit_kanban_drop": True},
            "view_mode": "tree,kanban,form,pivot,graph",
            "views": [(False, "tree"), (False, "kanban"), (False, "form"),
                      (False, "pivot"), (False, "graph")],
        })
        return self._overview_titled(action, measure)

    @api.multi
    def action_open_dispatch(self):
        self.ensure_one()
        action = self.env.ref("tktit_helpdesk.helpdesk_ticket_action_dispatch").read()[0]
        action["domain"] = [("queue_id", "=", self.id), ("state", "=", "dispatch")]
        action["context"] = {"default_queue_id": self.id}
        return action

    # ------------------------------------------------------------------ overview
    @api.multi
    def _saved(self):
        """The queues of ``self`` stored in the database (not the new records of a form)."""
        return self.filtered(lambda queue: isinstance(queue.id, int))

    @api.multi
    def _overview_counts(self):
        """Hook: ``{queue id: {field: value}}`` for every queue of ``self`` (and the key
        ``None``: the values of a queue with nothing to count), for the fields computed by
        ``_compute_overview_counts``. One grouped query per measure over all the queues of
        ``self``, never one per queue: extend with ``super()`` and add your keys in the
        same way (``_overview_ticket_counts``)."""
        result = {queue_id: {} for queue_id in self.ids + [None]}
        for fname, measure in (("open_count", "open"), ("unassigned_count", "unassigned")):
            counts = self._overview_ticket_counts(self._overview_ticket_domain(measure))
            for queue_id, values in result.items():
                values[fname] = counts.get(queue_id, 0)
        ratings = self._overview_rating_counts()
        for queue_id, values in result.items():
            answers, satisfied = ratings.get(queue_id, (0, 0))
            values["rating_today_count"] = answers
            values["satisfaction_today"] = int(round(100.0 * satisfied / answers)) \
                if answers else 0
        return result

    @api.multi
    def _overview_ticket_counts(self, domain):
        """``{queue id: number of tickets}`` of the queues of ``self`` matching ``domain``:
        one ``read_group`` as the current user (record rules apply)."""
        if not self:
            return {}
        groups = self.env["helpdesk.ticket"].read_group(
            [("queue_id", "in", self.ids)] + domain, ["queue_id"], ["queue_id"])
        return {group["queue_id"][0]: group["queue_id_count"] for group in groups}

    @api.model
    def _overview_ticket_domain(self, measure):
        """Hook: the ticket domain (without the queue) of an overview ``measure``, None
        when it is not one of this model's; extend it with ``super()``."""
        opened = [("state", "not in", DONE_STATES)]
        return {
            "open": opened,
            "unassigned": opened + [("user_id", "=", False)],
            "dispatch": [("state", "=", "dispatch")],
        }.get(measure)

    @api.model
    def _overview_measure_label(self, measure):
        """The words of a measure in the title of its click-through list."""
        return {
            "open": _("Open Tickets"),
            "unassigned": _("Unassigned Tickets"),
            "dispatch": _("To Dispatch"),
            "rated_today": _("Ratings Today"),
        }.get(measure, measure)

    @api.model
    def _overview_today(self):
        """Today in the user's time zone (the context's, else the user's, else UTC), as
        the UTC bounds ``(start, end)`` of Odoo's datetime strings."""
        # the zone Odoo's context_today reads too
        tz_name = self.env.context.get("tz") or self.env.user.tz
        return local_date.day_bounds(
            fields.Date.from_string(fields.Date.context_today(self)), tz_name)

    @api.multi
    def _overview_rating_domain(self):
        """The customer ratings the overview's "today" counts: given (consumed) on a
        ticket, their stars given today (``rated_on``: the customer's answer, or their
        last change of stars, see ``rating_rating.py``)."""
        start, end = self._overview_today()
        return [("res_model", "=", "helpdesk.ticket"), ("consumed", "=", True),
                ("rated_on", ">=", start), ("rated_on", "<", end)]

    @api.multi
    def _overview_rating_counts(self):
        """``{queue id: (ratings, satisfied ratings)}`` of today's customer ratings on the
        tickets of the queues of ``self``: one GROUP BY over ratings joined to tickets.

        rating.rating has no queue to group on, so this is the SQL ``read_group`` would
        build, with both models' access rights and record rules applied as the user (the
        ORM's ``_where_calc`` and ``_apply_ir_rules``)."""
        Rating = self.env["rating.rating"]
        Ticket = self.env["helpdesk.ticket"]
        if not self or not Rating.check_access_rights("read", raise_exception=False) or \
                not Ticket.check_access_rights("read", raise_exception=False):
            return {}
        ratings = Rating._where_calc(self._overview_rating_domain())
        Rating._apply_ir_rules(ratings, "read")
        tickets = Ticket._where_calc([("queue_id", "in", self.ids)])
        Ticket._apply_ir_rules(tickets, "read")
        r_from, r_where, r_params = ratings.get_sql()
        t_from, t_where, t_params = tickets.get_sql()
        # the clauses are the ORM's own (identifiers and placeholders), the values params
        query = """
            SELECT tickets.queue_id, COUNT(*),
                   COUNT(*) FILTER (WHERE ratings.rating >= %%s)
              FROM (SELECT rating_rating.res_id, rating_rating.rating
                      FROM %s WHERE %s) AS ratings
              JOIN (SELECT helpdesk_ticket.id, helpdesk_ticket.queue_id
                      FROM %s WHERE %s) AS tickets ON tickets.id = ratings.res_id
             GROUP BY tickets.queue_id
        """ % (r_from, r_where or "TRUE", t_from, t_where or "TRUE")
        self.env.cr.execute(query, [RATING_LIMIT_SATISFIED] + r_params + t_params)
        return {queue_id: (answers, satisfied)
                for queue_id, answers, satisfied in self.env.cr.fetchall()}

    @api.multi
    def _overview_ratings_action(self):
        """Today's customer ratings of the queue's tickets (as the user: record rules)."""
        self.ensure_one()
        domain = self._overview_rating_domain()
        # today's answers first (a day's worth), then those on this queue's tickets
        rated = self.env["rating.rating"].search(domain).mapped("res_id")
        tickets = self.env["helpdesk.ticket"].search(
            [("id", "in", rated), ("queue_id", "=", self.id)])
        action = self.env.ref("tktit_helpdesk.helpdesk_rating_action").read()[0]
        action.update({
            "domain": domain + [("res_id", "in", tickets.ids)],
            "view_mode": "tree,kanban,form",
            "views": [(False, "tree"), (False, "kanban"), (False, "form")],
        })
        return self._overview_titled(action, "rated_today")

    @api.multi
    def _overview_titled(self, action, measure):
        """``action`` titled with the queue and the measure (the breadcrumb shows the
        display name)."""
        action["name"] = action["display_name"] = "%s: %s" % (
            self.name, self._overview_measure_label(measure))
        return action
