# Cross-addon scenarios and browser journeys. This folder must be a package for
# pytest-odoo 0.6.1 (it imports it as odoo.addons.tests).
