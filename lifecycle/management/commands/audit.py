from django.core.management.base import BaseCommand, CommandError

from lifecycle import audit


class Command(BaseCommand):
    help = "Journal d’audit : « audit verify » vérifie la chaîne ; « audit export --format csv|jsonl »."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("verify", help="Vérifie la chaîne des empreintes, événement par événement.")
        export = actions.add_parser("export", help="Exporte le journal.")
        export.add_argument("--format", choices=["csv", "jsonl"], default="jsonl")
        export.add_argument("--output", "-o", help="fichier de sortie (par défaut : la sortie standard)")

    def handle(self, *args, action, **options):
        if action == "verify":
            self.verify()
        else:
            self.export(options["format"], options.get("output"))

    def verify(self):
        def progress(checked):
            self.stderr.write(f"… {checked} événements vérifiés")

        result = audit.verify(progress=progress if self.stderr.isatty() else None)
        if result.intact:
            self.stdout.write(f"{result.checked} événements vérifiés : chaîne intègre.")
            return
        self.stdout.write(f"{result.checked} événements vérifiés avant la rupture.")
        where = (
            f"premier maillon rompu : événement #{result.broken_event_id}"
            if result.broken_event_id
            else ("fin de chaîne")
        )
        raise CommandError(f"Chaîne d’audit rompue ({where}) : {result.problem}.", returncode=3)

    def export(self, file_format, output):
        writer = audit.export_csv if file_format == "csv" else audit.export_jsonl
        if output:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                writer(stream)
            self.stderr.write(f"Journal exporté dans {output}.")
        else:
            writer(self.stdout)
