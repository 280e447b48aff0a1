from django.core.management.base import BaseCommand
from django.db import connections

from lifecycle import database


class Command(BaseCommand):
    help = (
        "Base de données : « database prepare » applique les migrations avec le rôle propriétaire "
        "(DATABASE_OWNER_URL) et donne au rôle de l’application (DATABASE_URL) ses droits, sans celui "
        "de modifier ou vider le journal d’audit ; « database roles » dit ce qui ne va pas dans ces rôles."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("prepare", help="Migre en propriétaire, puis accorde ses droits à l’application.")
        actions.add_parser("roles", help="Vérifie que l’application ne possède pas les tables du journal.")

    def handle(self, *args, action, verbosity=1, **options):
        if action == "prepare":
            separated = database.prepare(stdout=self.stdout, verbosity=verbosity)
            role = connections["default"].settings_dict.get("USER") or "?"
            self.stdout.write(
                f"Base prête : migrations en propriétaire, droits accordés au rôle « {role} »."
                if separated
                else "Base prête : migrations avec le rôle de l’application (pas de DATABASE_OWNER_URL)."
            )
        problems = database.role_problems(connections["default"])
        for problem in problems:
            self.stderr.write(f"Attention : {problem}.")
        if action == "roles" and not problems:
            self.stdout.write("Rôles : l’application ne possède pas les tables du journal d’audit.")
