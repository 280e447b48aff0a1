"""Deployment checks (`manage.py check --deploy --database default`)."""

from django.core import checks
from django.db import connections

from lifecycle import database


@checks.register(checks.Tags.database, deploy=True)
def application_role(app_configs, databases=None, **kwargs):
    if not databases or "default" not in databases:
        return []
    return [
        checks.Warning(
            problem[:1].upper() + problem[1:] + ".",
            hint="Connect with a role that owns no table; migrate with DATABASE_OWNER_URL "
            "(manage.py database prepare, docs/deployment.md).",
            id="lifecycle.W001",
        )
        for problem in database.role_problems(connections["default"])
    ]
