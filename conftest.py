"""pytest harness for the tktit addons (pytest-odoo 0.6.1 on Odoo 11).

pytest-odoo loads the registry of the database given with --odoo-database but starts no
HTTP server, so HttpCase.url_open and the browser tests would have nothing to talk to.
This conftest spawns Odoo's threaded HTTP server for the session on 127.0.0.1 and the
configuration's http_port (TEST_PORT in the Makefile), in this same process: requests made
by HttpCase tests then go through the registry's test cursor.
"""
import json
import logging
import os
import re
import socket
import time

import pytest

_logger = logging.getLogger("tktit.conftest")


def _odoo_ready():
    try:
        import odoo
    except ImportError:
        return None
    return odoo if odoo.tools.config.get("db_name") else None


def _port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_cmdline_main(config):
    # before pytest-odoo's own hook, which reads the database and configuration options
    _use_worker_database(config)
    yield


def _use_worker_database(config):
    """Under pytest-xdist (make test TEST_WORKERS=2) each worker tests its own copy of the
    test database, with its own configuration (HTTP port, SMTP sink) and mail directory:
    the table written by scripts/test_workers.sh, named by TKTIT_TEST_WORKERS."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    table = os.environ.get("TKTIT_TEST_WORKERS")
    if not worker or not table:
        return
    with open(table) as handle:
        mine = json.load(handle).get(worker)
    if not mine:
        raise pytest.UsageError("%s has no database for worker %s: run the tests with as "
                                "many workers as scripts/test_workers.sh prepared" % (
                                    table, worker))
    config.option.odoo_database = mine["database"]
    config.option.odoo_config = mine["config"]
    os.environ["TKTIT_MAIL_DIR"] = mine["mail_dir"]
    os.environ["TKTIT_LMTP_PORT"] = str(mine["lmtp_port"])


def pytest_sessionstart(session):
    # Debian's lessc finds its own modules there; the Makefile exports it, a direct
    # pytest run may not (the web client's style bundle would fail to compile)
    if os.path.isdir("/usr/share/nodejs"):
        os.environ.setdefault("NODE_PATH", "/usr/share/nodejs")
    # odoo.tests.common reads http_port at import time, before pytest-odoo parsed the
    # configuration file: HttpCase instances are built at collection, so fix it here.
    odoo = _odoo_ready()
    if odoo:
        import odoo.tests.common
        odoo.tools.config["http_interface"] = "127.0.0.1"
        odoo.tests.common.HOST = "127.0.0.1"
        odoo.tests.common.PORT = int(odoo.tools.config["http_port"])
        # With test_enable (pytest-odoo sets it for test modules) Odoo renders HTML
        # instead of PDF unless a report directory is set: the delivery-note tests read
        # real wkhtmltopdf output (still HTML in HttpCase's test cursor, Odoo's rule)
        reports = os.path.join(os.path.dirname(os.path.abspath(__file__)), "var", "reports")
        os.makedirs(reports, exist_ok=True)
        odoo.tools.config["test_report_directory"] = reports


def _warm_assets(base_url):
    """Build the login page's and the web client's asset bundles once, outside test
    mode, so they are stored in the database for the whole session instead of being
    rebuilt (lessc) and rolled back in every browser test."""
    import requests

    def fetch_assets(session, path):
        page = session.get(base_url + path, timeout=120)
        for url in set(re.findall(r'(?:href|src)="(/web/content/[^"]+)"', page.text)):
            session.get(base_url + url, timeout=120)

    try:
        fetch_assets(requests.Session(), "/web/login")
        # the backend's bundles too, for the web client journeys (demo admin, if any)
        session = requests.Session()
        login = session.post(base_url + "/web/session/authenticate", timeout=60, json={
            "jsonrpc": "2.0", "method": "call", "params": {
                "db": _odoo_ready().tools.config["db_name"],
                "login": "admin", "password": "admin"}}).json()
        if login.get("result", {}).get("uid"):
            fetch_assets(session, "/web")
    except requests.RequestException as exc:  # the tests will say more
        _logger.warning("could not warm the assets: %s", exc)


@pytest.fixture(scope="session", autouse=True)
def odoo_http_server(request):
    """Serve Odoo over HTTP on 127.0.0.1:<http_port> for the whole session."""
    odoo = _odoo_ready()
    if not odoo:
        yield None
        return
    request.getfixturevalue("load_registry")  # pytest-odoo's: registry first
    import odoo.service.server
    import odoo.service.wsgi_server

    port = int(odoo.tools.config["http_port"])
    base_url = "http://127.0.0.1:%s" % port
    if _port_open(port):
        pytest.exit("port %s is already in use: pass another TEST_PORT" % port, returncode=3)
    server = odoo.service.server.ThreadedServer(odoo.service.wsgi_server.application)
    server.http_spawn()
    deadline = time.time() + 30
    while not _port_open(port):
        if time.time() > deadline:
            pytest.exit("Odoo's HTTP server did not start on port %s" % port, returncode=3)
        time.sleep(0.1)
    if os.environ.get("TKTIT_WARM_ASSETS", "1") == "1":
        _warm_assets(base_url)
    yield base_url
    if getattr(server, "httpd", None):
        server.httpd.shutdown()
