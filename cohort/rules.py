"""The cohort sessions in the admin: managers plan them, auditors read them."""

import rules

from lifecycle.rules import can_view_audit_trail, is_programme_manager

rules.add_perm("cohort", can_view_audit_trail)
for model in ("cohortsession", "attendance", "cohortcalendar"):
    rules.add_perm(f"cohort.view_{model}", can_view_audit_trail)
    rules.add_perm(f"cohort.add_{model}", is_programme_manager)
    rules.add_perm(f"cohort.change_{model}", is_programme_manager)
