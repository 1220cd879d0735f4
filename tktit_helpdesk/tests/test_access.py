from odoo.exceptions import AccessError
from odoo.tools import mute_logger

from .helpdesk_common import HelpdeskCase, new_user


class TestAccess(HelpdeskCase):

    def setUp(self):
        super(TestAccess, self).setUp()
        self.ticket_a = self.new_ticket(customer=self.customer_a)
        self.ticket_b = self.new_ticket(customer=self.customer_b)

    def test_customer_sees_own_organisation_only(self):
        Ticket = self.Ticket.sudo(self.customer_a)
        visible = Ticket.search([])
        self.assertIn(self.ticket_a, visible)
        self.assertNotIn(self.ticket_b, visible)
        colleague_ticket = self.new_ticket(customer=self.customer_a2)
        self.assertIn(colleague_ticket, Ticket.search([]),
                      "a colleague's ticket of the same organisation is visible")

    @mute_logger("odoo.addons.base.ir.ir_model", "odoo.models")
    def test_customer_cannot_read_or_write_other_organisation(self):
        with self.assertRaises(AccessError):
            self.ticket_b.sudo(self.customer_a).read(["name"])
        with self.assertRaises(AccessError):
            self.ticket_a.sudo(self.customer_a).write({"priority": "4"})

    @mute_logger("odoo.addons.base.ir.ir_model", "odoo.models")
    def test_customer_cannot_create_for_another_organisation(self):
        with self.assertRaises(AccessError):
            self.Ticket.sudo(self.customer_a).create(
                {"name": "spoof", "partner_id": self.customer_b.partner_id.id})

    def test_following_does_not_grant_access(self):
        """Cc'ing someone of another organisation must not expose the ticket to them."""
        self.ticket_b.message_subscribe(partner_ids=self.customer_a.partner_id.ids)
        self.assertNotIn(self.ticket_b, self.Ticket.sudo(self.customer_a).search([]))

    @mute_logger("odoo.addons.base.ir.ir_model", "odoo.models")
    def test_expert_sees_own_queues_only(self):
        Ticket = self.Ticket.sudo(self.outsider)
        self.assertNotIn(self.ticket_a, Ticket.search([]),
                         "an expert outside the ticket's queue does not see it")
        with self.assertRaises(AccessError):
            self.ticket_a.sudo(self.outsider).read(["name"])
        self.assertIn(self.ticket_a, self.Ticket.sudo(self.expert_1).search([]))

    def test_operations_see_everything(self):
        visible = self.Ticket.sudo(self.operator).search([])
        self.assertIn(self.ticket_a, visible)
        self.assertIn(self.ticket_b, visible)


class TestRatingAccess(HelpdeskCase):
    """rating.rating is readable by every user in Odoo: the helpdesk's ratings (with the
    customers' comments) are not."""

    def setUp(self):
        super(TestRatingAccess, self).setUp()
        self.ticket_a = self.ticket_in("delivered", customer=self.customer_a)
        self.ticket_a.sudo(self.customer_a).action_customer_confirm(True)
        token = self.ticket_a.rating_get_access_token()
        self.rating = self.ticket_a._apply_customer_rating(2, token, feedback="Too slow")
        self.employee = new_user(self.env, "plain.employee", ["base.group_user"])

    def visible_to(self, user):
        return self.env["rating.rating"].sudo(user).search(
            [("res_model", "=", "helpdesk.ticket")])

    def test_who_reads_a_ticket_rating(self):
        self.assertEqual(self.rating.rated_partner_id, self.expert_1.partner_id)
        for user in (self.operator, self.expert_1, self.customer_a, self.customer_a2):
            self.assertIn(self.rating, self.visible_to(user), user.login)
        for user in (self.expert_2, self.customer_b, self.employee):
            self.assertNotIn(self.rating, self.visible_to(user), user.login)

    @mute_logger("odoo.addons.base.ir.ir_model", "odoo.models")
    def test_other_customer_cannot_read_the_comment(self):
        with self.assertRaises(AccessError):
            self.rating.sudo(self.customer_b).read(["feedback"])
        with self.assertRaises(AccessError):
            self.rating.sudo(self.employee).read(["feedback"])
