from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from lifecycle.actors import SYSTEM
from lifecycle.models import Promotion
from opendata import export, publish


def _challenges(count: int) -> str:
    return f"{count} défi" if count < 2 else f"{count} défis"


class Command(BaseCommand):
    help = (
        "Données ouvertes des défis : « opendata export DOSSIER [--promotion N] » écrit le CSV, le JSON "
        "et leur schéma ; « opendata publish [--by UTILISATEUR] » les envoie au jeu de données "
        "data.gouv.fr (DATAGOUV_DATASET_ID, DATAGOUV_API_KEY)."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        write = actions.add_parser("export", help="Écrit les fichiers dans un dossier.")
        write.add_argument("directory", type=Path)
        write.add_argument("--promotion", type=int, help="numéro de la promotion (par défaut : toutes)")
        send = actions.add_parser("publish", help="Envoie les fichiers au jeu de données data.gouv.fr.")
        send.add_argument(
            "--by", default="system", help="identifiant de la personne qui publie, ou « system » (par défaut)"
        )

    def handle(self, *args, action, **options):
        if action == "export":
            self.export(options["directory"], options.get("promotion"))
        else:
            self.publish(options["by"])

    def export(self, directory, number):
        promotion = None
        if number is not None:
            promotion = Promotion.objects.filter(number=number).first()
            if promotion is None:
                raise CommandError(f"Aucune promotion n’a le numéro {number}.")
        made = export.bundle(promotion=promotion)
        directory.mkdir(parents=True, exist_ok=True)
        for file in made.files:
            (directory / file.filename).write_bytes(file.content)
            self.stdout.write(f"{directory / file.filename} ({len(file.content)} octets)")
        self.stdout.write(f"{_challenges(made.challenge_count)}, {len(made.columns)} colonnes.")

    def publish(self, by):
        if by == "system":
            actor = SYSTEM
        else:
            actor = get_user_model().objects.filter(username=by, is_active=True).first()
            if actor is None:
                raise CommandError(f"Aucun utilisateur actif « {by} ».")
        try:
            publication = publish.publish(by=actor, progress=lambda text: self.stdout.write(text))
        except (publish.PublicationFailed, PermissionDenied) as failure:
            raise CommandError(f"Rien n’a été publié. {failure}") from failure
        for file in publication.files:
            done = "créée" if file["created"] else "remplacée"
            self.stdout.write(f"- {file['filename']} : ressource {file['resource_id']} {done}")
        self.stdout.write(
            f"Publié : {_challenges(publication.challenge_count)}, {len(publication.files)} fichiers"
            + (f", {publication.dataset_url}" if publication.dataset_url else "")
            + "."
        )
