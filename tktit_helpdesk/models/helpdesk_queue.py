from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

# States in which a ticket keeps its expert busy: they count as the expert's load.
LOAD_STATES = ("in_progress", "awaiting_customer")


class HelpdeskQueue(models.Model):
    """An expert queue: the experts of one technology (scope) and specialization (stream).

    The queue owns a mail alias: a mail from a known customer to it opens a ticket
    routed to this queue.
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
    open_count = fields.Integer(compute="_compute_ticket_counts", string="Open tickets")

    _sql_constraints = [
        ("scope_uniq", "unique(technology_id, specialization_id, company_id)",
         "There is already a queue for this technology and specialization."),
    ]

    @api.multi
    def _compute_ticket_counts(self):
        Ticket = self.env["helpdesk.ticket"]
        dispatch = Ticket.read_group(
            [("queue_id", "in", self.ids), ("state", "=", "dispatch")], ["queue_id"], ["queue_id"])
        opened = Ticket.read_group(
            [("queue_id", "in", self.ids), ("state", "not in", ("closed", "cancelled"))],
            ["queue_id"], ["queue_id"])
        dispatch = {g["queue_id"][0]: g["queue_id_count"] for g in dispatch}
        opened = {g["queue_id"][0]: g["queue_id_count"] for g in opened}
        for queue in self:
            queue.dispatch_count = dispatch.get(queue.id, 0)
            queue.open_count = opened.get(queue.id, 0)

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
    def action_open_dispatch(self):
        self.ensure_one()
        action = self.env.ref("tktit_helpdesk.helpdesk_ticket_action_dispatch").read()[0]
        action["domain"] = [("queue_id", "=", self.id), ("state", "=", "dispatch")]
        action["context"] = {"default_queue_id": self.id}
        return action
