"""The outbox in the admin: managers review and release the e-mails, auditors read them."""

import rules

from lifecycle.rules import can_view_audit_trail, is_programme_manager

rules.add_perm("notifications", can_view_audit_trail)
for model in ("messagetemplate", "notification", "batch"):
    rules.add_perm(f"notifications.view_{model}", can_view_audit_trail)
    rules.add_perm(f"notifications.change_{model}", is_programme_manager)
