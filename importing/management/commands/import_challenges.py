from django.core.management.base import BaseCommand, CommandError

from importing.readers import ImportFileError
from importing.rows import InvalidRows
from importing.writer import import_file
from lifecycle.actors import programme_actor


class Command(BaseCommand):
    help = (
        "Importe des défis depuis un fichier YAML, JSON, CSV, XLSX ou ODS (forme de "
        "demo/data/eig-defis-2017-2019.yml). Toutes les lignes sont vérifiées avant toute "
        "écriture ; un second import du même fichier ne change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="fichier .yml, .yaml, .json, .csv, .xlsx ou .ods")
        parser.add_argument(
            "--by",
            metavar="IDENTIFIANT",
            help="chargé·e de programme auteur de l’import dans le journal d’audit (défaut : système)",
        )

    def handle(self, *args, file, by=None, **options):
        actor = self.actor(by)
        try:
            report = import_file(file, by=actor, progress=self.stderr.write)
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        except InvalidRows as error:
            for where, reason in error.errors:
                self.stderr.write(f"{where} : {reason}")
            count = len(error.errors)
            raise CommandError(
                f"{count} ligne{'s' if count > 1 else ''} invalide{'s' if count > 1 else ''} : "
                "rien n’a été importé."
            ) from error
        self.stdout.write(report.summary())

    def actor(self, username):
        try:
            return programme_actor(username, act="l’import")
        except LookupError as error:
            raise CommandError(str(error)) from error
