"""Shared fixture of the tktit_helpdesk tests: two customer organisations with a portal
user each, operations, two experts in their queues, QC and committee reviewers.

The data comes from the builders of ``fixtures`` (``make_helpdesk``): ``HelpdeskCase``
builds it once per class (SavepointCase), ``HelpdeskHttpCase`` before each test on the
HTTP server's cursor, with passwords (each user's login) for ``authenticate()``."""
from odoo.tests import common as odoo_common

from .common import HttpCase
from .fixtures import Staff, advance_ticket, make_helpdesk, make_ticket, new_user, password

__all__ = ["HelpdeskCase", "HelpdeskHttpCase", "new_user"]

FIXTURE_ATTRIBUTES = (
    "Ticket", "org_a", "org_b", "customer_a", "customer_b", "customer_a2", "operator",
    "expert_1", "expert_2", "outsider", "qc", "committee", "tech", "spec", "spec_other",
    "queue", "queue_other",
)


class HelpdeskFixtureMixin(object):
    """``new_ticket``/``ticket_in`` on the attributes of ``make_helpdesk``."""

    @staticmethod
    def _install_fixture(target, helpdesk):
        for name in FIXTURE_ATTRIBUTES:
            setattr(target, name, getattr(helpdesk, name))

    def new_ticket(self, customer=None, **values):
        """A new ticket of ``customer`` (default: customer_a) in tech/spec, created by
        operations; extra ``values`` override the defaults."""
        values.setdefault("description", "<p>It is on fire.</p>")
        return make_ticket(self.env, customer or self.customer_a, self.tech, self.spec,
                           user=self.operator, **values)

    def ticket_in(self, state, **values):
        """A ticket walked through the real transitions up to `state`."""
        ticket = self.new_ticket(**values)
        staff = Staff(self.operator, self.expert_1, self.expert_2, self.qc, self.committee,
                      self.outsider)
        return advance_ticket(ticket, state, staff)


class HelpdeskCase(HelpdeskFixtureMixin, odoo_common.SavepointCase):

    @classmethod
    def setUpClass(cls):
        super(HelpdeskCase, cls).setUpClass()
        cls._install_fixture(cls, make_helpdesk(cls.env))


class HelpdeskHttpCase(HelpdeskFixtureMixin, HttpCase):
    """The same fixture for HTTP tests (``common.HttpCase``): every user logs in with
    its login as password. Subclasses still need ``@at_install(False)`` and
    ``@post_install(True)``."""

    def setUp(self):
        super(HelpdeskHttpCase, self).setUp()
        self._install_fixture(self, make_helpdesk(self.env, http=True))
        self.checkpoint()

    def authenticate_as(self, user):
        """Log the test's HTTP session in as ``user`` (a fixture user)."""
        self.authenticate(user.login, password(user))
