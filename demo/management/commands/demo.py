import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo import loader
from lifecycle import calendar
from recruitment import services as recruitment
from webhooks.models import Webhook


class Command(BaseCommand):
    help = (
        "Charge la démo : promotions EIG 1 à 3, la promotion 3 rejouée à travers tout son cycle "
        "de vie, et les comptes de démonstration. Sans effet sur une base où elle est déjà chargée "
        "(sinon que les comptes existent, avec ce mot de passe)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--manager", default="gestionnaire", help="identifiant du ou de la chargé·e de programme"
        )
        parser.add_argument(
            "--password",
            help="mot de passe des comptes de démonstration (défaut : tiré au hasard et affiché)",
        )

    def handle(self, *args, manager, password=None, **options):
        try:
            result = loader.load(manager_username=manager, password=password)
        except loader.DemoConflict as error:
            raise CommandError(str(error)) from error
        if result.loaded:
            self.stdout.write(
                f"Démo chargée : {result.challenges} défis, {result.events} événements d’audit."
            )
        else:
            self.stdout.write("Démo déjà chargée : comptes vérifiés.")
        self.stdout.write(
            f"Connexion : {settings.SITE_URL.rstrip('/')}/ — identifiant {result.manager}, "
            f"mot de passe {result.password}"
        )
        for username, role in result.accounts:
            self.stdout.write(f"  aussi : {username} ({role}), même mot de passe")
        if result.open_candidates_call is not None:
            call = result.open_candidates_call.call
            closing = calendar.deadline_label(call.recruitment_closes_at)
            if recruitment.accepts_applications(call):
                self.stdout.write(
                    f"Appel à candidatures ouvert : {result.open_candidates_call} — candidatures jusqu’au "
                    f"{closing} (heure de Paris) ; un·e candidat·e s’inscrit depuis /candidatures/."
                )
            else:  # a database loaded long ago
                self.stdout.write(
                    f"Appel à candidatures de {result.open_candidates_call} : clos le {closing} "
                    "(heure de Paris)."
                )
        secret_file = Path(settings.DEMO_WEBHOOK_SECRET_FILE)
        if result.webhook_secret:
            # What a person does by hand: copy the secret shown once into make run's receiver
            # (python -m webhooks.receiver --secret-file), a file only its owner reads.
            secret_file.unlink(missing_ok=True)
            with os.fdopen(os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
                out.write(result.webhook_secret + "\n")
        if Webhook.objects.filter(url=settings.DEMO_WEBHOOK_URL).exists():
            self.stdout.write(
                f"Webhooks : /compte/webhooks/ — celui du programme envoie à {settings.DEMO_WEBHOOK_URL} "
                "(make run y sert un récepteur qui vérifie chaque signature, "
                f"secret dans {secret_file.name}) ; "
                "celui de la DINUM (contact-dinum) vise une adresse arrêtée : ses envois sont retentés."
            )
        if result.open_call is not None:
            call = result.open_call.call
            self.stdout.write(
                f"Appel ouvert : {result.open_call} — dépôt des dossiers jusqu’au "
                f"{calendar.deadline_label(call.submission_deadline)} (heure de Paris) ; "
                "un contact peut y créer un dossier ; ses dossiers déposés sur démarches-simplifiées : "
                "/gestion/demarches/4242/ (make run sert cette démarche sur 127.0.0.1:8765)."
            )
