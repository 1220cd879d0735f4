from odoo import api, fields, models

# The keys of res.users.write that change a user's groups (the user form writes the
# group check boxes and selections as in_group_<id> / sel_groups_<ids>).
GROUP_KEYS = ("groups_id", "in_group_", "sel_groups_")


class ResUsers(models.Model):
    """Helpdesk staff on res.users.

    Home screens: each role's users get its action as their *Home Action* (``action_id``,
    what Odoo's web client opens after login), and the Helpdesk menu opens it too.
    Hooks for sub-addons: ``_helpdesk_home_rules()`` (add a role's home, with a sequence
    placing it among the others) and ``_helpdesk_home_action()`` (the user's home).
    """

    _inherit = "res.users"

    helpdesk_available = fields.Boolean(
        string="Available for Tickets", default=True,
        help="Unavailable experts (leave, training) are skipped by automatic dispatch.")
    helpdesk_queue_ids = fields.Many2many(
        "helpdesk.queue", "helpdesk_queue_member_rel", "user_id", "queue_id",
        string="Expert Queues")

    def __init__(self, pool, cr):
        # Experts may set their own availability from their preferences.
        super(ResUsers, self).__init__(pool, cr)
        type(self).SELF_WRITEABLE_FIELDS = list(self.SELF_WRITEABLE_FIELDS) + [
            "helpdesk_available"]
        type(self).SELF_READABLE_FIELDS = list(self.SELF_READABLE_FIELDS) + [
            "helpdesk_available"]

    @api.model
    def create(self, vals):
        user = super(ResUsers, self).create(vals)
        user._helpdesk_update_home_action()
        return user

    @api.multi
    def write(self, vals):
        res = super(ResUsers, self).write(vals)
        if any(key.startswith(GROUP_KEYS) for key in vals):
            self._helpdesk_update_home_action()
        return res

    # Home screens ----------------------------------------------------------------------

    @api.model
    def _helpdesk_home_rules(self):
        """The roles' homes: ``(sequence, group xmlid, action xmlid)``, the lowest
        sequence being the strongest role. A user gets the action of the first rule
        whose group they are in and whose action exists and they may open; an action
        that does not exist (an addon not installed) is skipped."""
        return [
            # helpdesk managers (the QA manager, senior managers): the queues' overview
            (10, "tktit_helpdesk.group_helpdesk_manager",
             "tktit_helpdesk.helpdesk_queue_action_overview"),
            (20, "tktit_helpdesk.group_helpdesk_user",
             "tktit_helpdesk.helpdesk_ticket_action_dispatch"),
            (30, "tktit_helpdesk.group_helpdesk_qc",
             "tktit_helpdesk.helpdesk_ticket_action_quality"),
            (40, "tktit_helpdesk.group_helpdesk_committee",
             "tktit_helpdesk.helpdesk_ticket_action_final_review"),
            (50, "tktit_helpdesk.group_helpdesk_expert",
             "tktit_helpdesk.helpdesk_ticket_action_my"),
        ]

    @api.model
    def _helpdesk_home_rule_actions(self):
        """``[(group, action)]`` of the rules, in order, those that exist."""
        result = []
        for _sequence, group_xmlid, action_xmlid in sorted(self._helpdesk_home_rules()):
            group = self.env.ref(group_xmlid, raise_if_not_found=False)
            action = self.env.ref(action_xmlid, raise_if_not_found=False)
            if group and action:
                result.append((group, action))
        return result

    @api.multi
    def _helpdesk_home_allowed(self, action):
        """Whether this user may open ``action``: in its groups, if it has any, and
        allowed to read its model. A home is never an action the user is refused."""
        self.ensure_one()
        if "groups_id" in action._fields and action.groups_id and \
                not action.groups_id & self.groups_id:
            return False
        model = action.res_model if "res_model" in action._fields else False
        if model:
            return self.env["ir.model.access"].sudo(self).check(
                model, "read", raise_exception=False)
        return True

    @api.multi
    def _helpdesk_home_actions(self):
        """This user's helpdesk homes, strongest role first (ir.actions records of their
        own model: act_window, act_url...)."""
        self.ensure_one()
        return [action for group, action in self._helpdesk_home_rule_actions()
                if group in self.groups_id and self._helpdesk_home_allowed(action)]

    @api.multi
    def _helpdesk_home_action(self):
        """The home of this user's strongest helpdesk role, or an empty recordset."""
        self.ensure_one()
        homes = self._helpdesk_home_actions()
        return homes[0] if homes else self.env["ir.actions.actions"]

    @api.multi
    def _helpdesk_update_home_action(self):
        """Give these users their role's home as Home Action. Only a user whose Home
        Action is empty or one of the helpdesk homes is changed: an administrator's
        explicit choice is kept. One write per home."""
        ours = {action.id for _group, action in self._helpdesk_home_rule_actions()}
        by_home = {}
        for user in self.filtered(lambda u: not u.action_id or u.action_id.id in ours):
            home = user._helpdesk_home_action()
            if home.id != user.action_id.id:
                by_home.setdefault(home.id, self.browse())
                by_home[home.id] |= user
        for home_id, users in by_home.items():
            users.write({"action_id": home_id or False})
        return True

    @api.model
    def _helpdesk_apply_home_actions(self):
        """Data hook (install and upgrade): every internal user gets their home."""
        self.search([("share", "=", False)])._helpdesk_update_home_action()
        return True

    @api.multi
    def _helpdesk_menu_action_values(self):
        """What the Helpdesk menu opens for this user (its server action): the window of
        their strongest role, else their open tickets; nothing for a portal user. The
        action is read as the user, so it is one they may open and read anyway."""
        self.ensure_one()
        if self.share:
            return False
        windows = [action for action in self._helpdesk_home_actions()
                   if action._name == "ir.actions.act_window"]
        if not windows:
            fallback = self.env.ref("tktit_helpdesk.helpdesk_ticket_action_my")
            windows = [fallback] if self._helpdesk_home_allowed(fallback) else []
        return windows[0].sudo(self).read()[0] if windows else False
