# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Builders of the test data shared by model, HTTP and browser tests.

Plain functions taking an ``env``: call them from ``SavepointCase.setUpClass`` (``cls.env``)
or from ``common.HttpCase.setUp`` (``self.env``, on the registry's test cursor, so the HTTP
server sees what they create). Users that must log in over HTTP (``authenticate()``,
``BrowserMixin.login()``, /web/login) need a password: the builders give the login as
password where ``http=True`` (and always to organisations' portal users); ``password(user)``
says which one to type.

- ``new_user(env, login, groups, **values)``: one user (``password=`` to log in).
- ``make_catalogue(env, name, code, streams)``: a technology and its specializations.
- ``make_organisation(env, name, login, email, ...)``: a company and its portal user.
- ``make_portal_user(env, organisation, login, email)``: another contact of it, logging in.
- ``make_queue(env, technology, specialization, members, dispatcher, alias)``: an expert queue.
- ``make_staff(env, prefix, http)``: operations, two experts, QC, committee, an outsider.
- ``demo_staff(env)``: the same roles from the demo data (dispatcher, expert.net, ...).
- ``make_ticket(env, customer, technology, specialization, user, state, staff, **values)``.
- ``advance_ticket(ticket, state, staff)``: walks a ticket through the real transitions.
- ``set_state(ticket, state, **values)``, ``history_import(env)``: the history import's way
  around the lifecycle, for a ticket already in some state.
- ``make_helpdesk(env, http)``: all of it, the fixture of ``HelpdeskCase``.
"""
from collections import namedtuple
from types import SimpleNamespace

PORTAL = "base.group_portal"
EMPLOYEE = "base.group_user"
OPERATIONS = "tktit_helpdesk.group_helpdesk_user"
EXPERT = "tktit_helpdesk.group_helpdesk_expert"
QC = "tktit_helpdesk.group_helpdesk_qc"
COMMITTEE = "tktit_helpdesk.group_helpdesk_committee"

DEFAULT_RESOLUTION = "<p>Extinguished and replaced the fuser.</p>"

Catalogue = namedtuple("Catalogue", "technology specializations")
Organisation = namedtuple("Organisation", "partner user")
Staff = namedtuple("Staff", "operator expert_1 expert_2 qc committee outsider")


def new_user(env, login, groups, **values):
    """A user in ``groups`` (xml ids); name and e-mail derived from the login unless given.
    Pass ``password=`` for a user who logs in over HTTP."""
    values.update({
        "name": values.get("name") or login.replace(".", " ").title(),
        "login": login,
        "email": values.get("email") or "%s@example.com" % login,
        "groups_id": [(6, 0, [env.ref(g).id for g in groups])],
    })
    if not values.get("password"):
        values.pop("password", None)
    return env["res.users"].with_context(no_reset_password=True, mail_create_nolog=True) \
        .create(values)


def password(user):
    """The password the builders gave ``user`` (its login)."""
    return user.login


def make_catalogue(env, name="Test Tech", code="TT",
                   streams=(("Test Stream", "TS"), ("Other Stream", "OS"))):
    """A technology (the customer's "scope") and its specializations ("streams"), given as
    (name, code) pairs; ``specializations`` keeps their order."""
    technology = env["helpdesk.technology"].create({"name": name, "code": code})
    Spec = env["helpdesk.specialization"]
    specializations = Spec.browse()
    for spec_name, spec_code in streams:
        specializations |= Spec.create({"name": spec_name, "code": spec_code,
                                        "technology_id": technology.id})
    return Catalogue(technology, specializations)


def make_portal_user(env, organisation, login, email=None, name=None, password=None):
    """A contact of ``organisation`` (a company res.partner) with a portal login; the
    password is the login unless given."""
    return new_user(env, login, [PORTAL], parent_id=organisation.id, email=email, name=name,
                    password=password or login)


def make_organisation(env, name, login, email=None, contact=None, password=None, **values):
    """A customer organisation (company partner, ``values`` written on it) and its portal
    user ``login`` (name ``contact``, derived from the login when empty), who logs in over
    HTTP with ``password`` (default: the login)."""
    values.update({"name": name, "is_company": True})
    partner = env["res.partner"].create(values)
    user = make_portal_user(env, partner, login, email=email, name=contact, password=password)
    return Organisation(partner, user)


def make_queue(env, technology, specialization=None, members=(), dispatcher=None,
               alias=None, name=None):
    """An expert queue for technology + specialization (None: the technology's general
    queue); ``members`` is a res.users recordset or list of users."""
    member_ids = [user.id for user in members]
    values = {
        "name": name or "%s / %s" % (
            technology.name, specialization.name if specialization else "General"),
        "technology_id": technology.id,
        "specialization_id": specialization.id if specialization else False,
        "member_ids": [(6, 0, member_ids)],
    }
    if dispatcher:
        values["dispatcher_id"] = dispatcher.id
    if alias:
        values["alias_name"] = alias
    return env["helpdesk.queue"].create(values)


def make_staff(env, prefix="", http=False):
    """Operations (``ops``), two experts (``expert.one``, ``expert.two``), quality control
    (``qc.user``), the technical committee (``committee.user``) and an expert who is in
    none of the test queues (``expert.out``); logins start with ``prefix``. ``http``: each
    logs in with its login as password."""
    def user(login, group):
        login = prefix + login
        return new_user(env, login, [group], password=login if http else None)
    operator = user("ops", OPERATIONS)
    expert_1 = user("expert.one", EXPERT)
    expert_2 = user("expert.two", EXPERT)
    outsider = user("expert.out", EXPERT)
    qc = user("qc.user", QC)
    committee = user("committee.user", COMMITTEE)
    return Staff(operator, expert_1, expert_2, qc, committee, outsider)


def demo_staff(env):
    """The demo data's users in the same roles (passwords = logins): dispatcher,
    expert.net, expert.cloud, qc, committee; the outsider is expert.cloud."""
    ref = env.ref
    cloud = ref("tktit_helpdesk.user_expert_cloud_demo")
    return Staff(
        operator=ref("tktit_helpdesk.user_dispatcher_demo"),
        expert_1=ref("tktit_helpdesk.user_expert_net_demo"),
        expert_2=cloud,
        qc=ref("tktit_helpdesk.user_qc_demo"),
        committee=ref("tktit_helpdesk.user_committee_demo"),
        outsider=cloud,
    )


def make_ticket(env, customer, technology=None, specialization=None, user=None,
                state="new", staff=None, resolution=DEFAULT_RESOLUTION, **values):
    """A ticket of ``customer`` (res.users or res.partner), created by ``user`` (default:
    ``env``'s user), then walked up to ``state`` by ``staff`` (see ``advance_ticket``).
    Returned in a superuser environment. ``values``: any other ticket field."""
    partner = customer.partner_id if customer._name == "res.users" else customer
    vals = {"name": "Printer on fire", "partner_id": partner.id}
    if technology:
        vals["technology_id"] = technology.id
    if specialization:
        vals["specialization_id"] = specialization.id
    vals.update(values)
    Ticket = env["helpdesk.ticket"]
    if user:
        Ticket = Ticket.sudo(user)
    ticket = Ticket.create(vals).sudo()
    if state != "new":
        advance_ticket(ticket, state, staff, resolution=resolution)
    return ticket


def advance_ticket(ticket, state, staff, resolution=DEFAULT_RESOLUTION):
    """Walk a ``new`` ticket through the real transitions up to ``state``, each step done
    by its role in ``staff`` (operator, expert_1, qc, committee). ``awaiting_customer``:
    the expert asks the customer a question."""
    ops = ticket.sudo(staff.operator)
    if state == "new":
        return ticket
    if state == "scoping":
        ops.action_request_clarification()
        return ticket
    ops.action_send_to_dispatch()
    if state == "dispatch":
        return ticket
    ops.action_assign(staff.expert_1)
    if state == "in_progress":
        return ticket
    expert = ticket.sudo(staff.expert_1)
    if state == "awaiting_customer":
        expert.message_post(body="Can you send a photo?", message_type="comment",
                            subtype="mail.mt_comment")
        return ticket
    expert.write({"resolution": resolution})
    expert.action_work_completed()
    if state == "work_completed":
        return ticket
    ticket.sudo(staff.qc).action_qc_approve()
    if state == "final_review":
        return ticket
    ticket.sudo(staff.committee).action_final_approve()
    if state == "delivered":
        return ticket
    raise ValueError("advance_ticket cannot reach %r" % state)


def set_state(ticket, state, **values):
    """Put ``ticket`` in ``state`` (and write ``values``) without its lifecycle, by the one
    documented path around it: a manager's (here the superuser's) history import. For
    tests about what happens *in* a state, not about how a ticket gets there."""
    values["state"] = state
    ticket.sudo().with_context(tktit_history_import=True).write(values)
    return ticket


def history_import(env):
    """``helpdesk.ticket`` of the superuser's history import: ``create`` accepts any
    ``state`` and does not mail the customer (bulk tickets of query-count tests)."""
    return env["helpdesk.ticket"].sudo().with_context(tktit_history_import=True)


def make_helpdesk(env, http=False):
    """The shared helpdesk of the tests, as attributes: ``Ticket``; ``tech`` with streams
    ``spec`` and ``spec_other``; Org A (``org_a``; ``customer_a``, ``customer_a2``) and Org B
    (``org_b``; ``customer_b``), portal users logging in with their login as password;
    the ``make_staff`` users (``operator``, ``expert_1``, ...; passwords when ``http``);
    ``queue`` (tech/spec, alias ``test-queue``, dispatched by ``operator``, experts 1 and 2)
    and ``queue_other`` (tech/spec_other, the outsider only)."""
    org_a = make_organisation(env, "Org A", "cust.a", email="cust.a@org-a.example")
    org_b = make_organisation(env, "Org B", "cust.b", email="cust.b@org-b.example")
    customer_a2 = make_portal_user(env, org_a.partner, "cust.a2",
                                   email="cust.a2@org-a.example")  # a colleague of A
    staff = make_staff(env, http=http)
    catalogue = make_catalogue(env)
    tech = catalogue.technology
    spec, spec_other = catalogue.specializations
    queue = make_queue(env, tech, spec, members=[staff.expert_1, staff.expert_2],
                       dispatcher=staff.operator, alias="test-queue", name="Test Queue")
    queue_other = make_queue(env, tech, spec_other, members=[staff.outsider],
                             name="Other Queue")
    return SimpleNamespace(
        Ticket=env["helpdesk.ticket"], staff=staff, catalogue=catalogue,
        org_a=org_a.partner, customer_a=org_a.user, customer_a2=customer_a2,
        org_b=org_b.partner, customer_b=org_b.user,
        tech=tech, spec=spec, spec_other=spec_other, queue=queue, queue_other=queue_other,
        **staff._asdict())
