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
