#!/usr/bin/env python3
"""Bench-only Odoo launcher: the usual server (pass the same arguments as to
scripts/odoo, e.g. ``-c conf -d db --workers=2``) whose every HTTP response carries
``X-Sql-Queries``: the number of SQL statements the request executed (all cursors of the
request, counted in the worker process that served it).

Nothing in the addons changes: ``odoo.sql_db.Cursor.execute`` is wrapped to count per
thread, and the WSGI application is wrapped to reset the count at the start of a request
and add the header when the response starts (after the controller ran and committed).
The wrappers are installed before Odoo forks its workers, so every worker inherits them.
Used by bench/http_peer_bench.py only.
"""
import os
import sys
import threading

os.environ.setdefault("NODE_PATH", "/usr/share/nodejs")

import odoo  # noqa: E402
import odoo.service.wsgi_server  # noqa: E402
import odoo.sql_db  # noqa: E402

_local = threading.local()
_execute = odoo.sql_db.Cursor.execute


def counting_execute(self, *args, **kwargs):
    _local.count = getattr(_local, "count", 0) + 1
    return _execute(self, *args, **kwargs)


odoo.sql_db.Cursor.execute = counting_execute
_application = odoo.service.wsgi_server.application


def counting_application(environ, start_response):
    _local.count = 0

    def counting_start_response(status, headers, exc_info=None):
        headers = list(headers) + [("X-Sql-Queries", str(getattr(_local, "count", 0)))]
        return start_response(status, headers, exc_info)

    return _application(environ, counting_start_response)


odoo.service.wsgi_server.application = counting_application

if __name__ == "__main__":
    # sys.argv[0] stays this script: the prefork server re-runs it with "gevent" for the
    # longpolling process (odoo/__init__.py reads that argument at import)
    sys.argv[0] = os.path.abspath(sys.argv[0])
    odoo.cli.main()
