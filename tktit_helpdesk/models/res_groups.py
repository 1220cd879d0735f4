from odoo import api, models


class ResGroups(models.Model):
    _inherit = "res.groups"

    @api.multi
    def write(self, vals):
        # users added to (or removed from) a group on the group's form, or a group now
        # implying others, change roles without res.users.write: their home follows
        if "users" not in vals and "implied_ids" not in vals:
            return super(ResGroups, self).write(vals)
        before = self.mapped("users")
        res = super(ResGroups, self).write(vals)
        (before | self.mapped("users"))._helpdesk_update_home_action()
        return res
