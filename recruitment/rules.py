import rules

from lifecycle.rules import can_view_audit_trail

rules.add_perm("recruitment", can_view_audit_trail)
rules.add_perm("recruitment.view_recruitmentclosure", can_view_audit_trail)
