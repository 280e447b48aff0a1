import argparse

from django.core.management.base import BaseCommand, CommandError

from demarches import mapping as ds_mapping
from demarches import services
from demarches.client import DsClient, DsError
from demarches.models import Demarche
from demarches.sync import SyncError, sync
from lifecycle.actors import programme_actor
from lifecycle.models import Promotion


class Command(BaseCommand):
    help = (
        "Dossiers de démarches-simplifiées : « ds sync NUMÉRO --promotion N » importe les dossiers "
        "de la démarche (incrémental, --dry-run pour un essai à blanc) ; « ds mapping NUMÉRO » montre "
        "ce que chaque champ remplit (--suggest : une correspondance à compléter, --file : l’enregistrer). "
        "Le jeton est lu dans DS_API_TOKEN."
    )

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("sync", "importer les dossiers de la démarche"),
            ("mapping", "voir, proposer ou enregistrer la correspondance des champs"),
        ):
            sub = commands.add_parser(name, help=text)
            sub.add_argument("number", type=int, metavar="NUMÉRO", help="numéro de la démarche")
            sub.add_argument("--promotion", type=int, metavar="N", help="numéro de la promotion")
            sub.add_argument("--by", metavar="IDENTIFIANT", help="chargé·e de programme (défaut : système)")
        sync_parser = commands.choices["sync"]
        sync_parser.add_argument("--dry-run", action="store_true", help="tout faire, ne rien écrire")
        sync_parser.add_argument(
            "--scheduled",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="synchroniser chaque heure (--no-scheduled : plus)",
        )
        mapping_parser = commands.choices["mapping"]
        mapping_parser.add_argument("--file", metavar="FICHIER", help="correspondance en YAML à enregistrer")
        mapping_parser.add_argument(
            "--suggest",
            action="store_true",
            help="une correspondance à compléter, tirée de la démarche",
        )

    def handle(self, *args, action, number, promotion=None, by=None, **options):
        actor = self.actor(by)
        demarche = self.demarche(number, promotion, actor)
        try:
            if action == "mapping":
                self.mapping(demarche, actor, file=options["file"], suggest=options["suggest"])
            else:
                self.sync(demarche, actor, dry_run=options["dry_run"], scheduled=options.get("scheduled"))
        except (DsError, SyncError, ds_mapping.MappingError) as error:
            raise CommandError(str(error)) from error

    def demarche(self, number, promotion_number, actor) -> Demarche:
        demarche = Demarche.objects.select_related("promotion__call").filter(number=number).first()
        if demarche is not None:
            if promotion_number is not None and demarche.promotion.number != promotion_number:
                raise CommandError(
                    f"La démarche {number} est liée à la promotion {demarche.promotion.number}, "
                    f"pas à la promotion {promotion_number}."
                )
            return demarche
        if promotion_number is None:
            raise CommandError(f"La démarche {number} est nouvelle : indiquez sa promotion (--promotion N).")
        promotion = Promotion.objects.filter(number=promotion_number).first()
        if promotion is None:
            raise CommandError(f"Aucune promotion {promotion_number}.")
        return services.add_demarche(number, promotion, by=actor)

    def mapping(self, demarche, actor, *, file, suggest):
        if file:
            try:
                with open(file, encoding="utf-8") as handle:
                    text = handle.read()
            except OSError as error:
                raise CommandError(f"Fichier illisible : {file} ({error.strerror})") from error
            services.set_mapping(demarche, ds_mapping.parse(text), by=actor)
            self.stdout.write(f"Correspondance de la démarche {demarche.number} enregistrée.")
        with DsClient() as client:
            described = client.demarche(demarche.number)
        if suggest:
            self.stdout.write(ds_mapping.dump(ds_mapping.suggested(described)))
            return
        self.stdout.write(self.check_text(ds_mapping.check(demarche.mapping, described), described))

    @staticmethod
    def check_text(checked, described) -> str:
        lines = [f"Démarche {described['number']} : {described['title']}"]
        unmapped = 0
        for line in checked:
            target = f"→ {line.target}" if line.target else "non importé"
            unmapped += not line.target
            lines.append(f"  [{line.section}] {line.label} ({line.type}, {line.id}) {target}")
            if line.problem:
                lines.append(f"      ⚠ {line.problem}")
            for column in line.columns:
                to = f"→ {column.target}" if column.target else "non importé"
                lines.append(f"      · {column.label} ({column.type}) {to}")
                if column.problem:
                    lines.append(f"          ⚠ {column.problem}")
        lines.append(f"{unmapped} champ(s) non importé(s).")
        return "\n".join(lines)

    def sync(self, demarche, actor, *, dry_run, scheduled):
        if scheduled is not None:
            services.set_scheduled(demarche, scheduled, by=actor)
            self.stdout.write(
                f"Synchronisation programmée de la démarche {demarche.number} : "
                f"{'oui' if scheduled else 'non'}."
            )
        report = sync(demarche, by=actor, progress=self.stderr.write, dry_run=dry_run)
        if dry_run and report.described is not None:
            self.stdout.write(self.check_text(report.lines, report.described))
        self.stdout.write(report.summary())
        if report.error:
            raise CommandError("La synchronisation s’est interrompue ; les pages importées sont gardées.")

    def actor(self, username):
        try:
            return programme_actor(username)
        except LookupError as error:
            raise CommandError(str(error)) from error
