"""The people's accounts in the admin: programme managers manage them, nobody else."""

import rules

from lifecycle.rules import is_programme_manager

for app_label, models in {"accounts": ["profile"], "auth": ["user"]}.items():
    rules.add_perm(app_label, is_programme_manager)
    for model in models:
        for action in ("view", "add", "change"):
            rules.add_perm(f"{app_label}.{action}_{model}", is_programme_manager)
# Changing a person's role (accounts.services.set_role).
rules.add_perm("accounts.set_role", is_programme_manager)


@rules.predicate
def may_set_the_password_of(user, person):
    """One's own password; another's, for a programme manager, unless that person is on the
    programme's staff (a manager, an auditor) or a superuser: taking over a colleague's account
    is a superuser's act. Every password set is audited (accounts.admin)."""
    if person is None or user.pk == person.pk or user.is_superuser:
        return True
    return is_programme_manager(user) and not (person.is_staff or person.is_superuser)


rules.add_perm("accounts.set_password", may_set_the_password_of)
