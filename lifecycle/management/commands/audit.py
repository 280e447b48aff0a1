import os

from django.core.management.base import BaseCommand, CommandError

from lifecycle import anchoring, audit


class Command(BaseCommand):
    help = (
        "Journal d’audit : « audit verify [--head LONGUEUR:EMPREINTE] » vérifie la chaîne (et qu’elle "
        "commence par la tête publiée) ; « audit publish » publie la tête hors de la base ; "
        "« audit export --format csv|jsonl »."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        verify = actions.add_parser(
            "verify", help="Vérifie la chaîne des empreintes, événement par événement."
        )
        verify.add_argument(
            "--head",
            metavar="LONGUEUR:EMPREINTE",
            help="une tête publiée : prouve que les LONGUEUR premiers événements sont ceux publiés",
        )
        verify.add_argument(
            "--workers",
            type=int,
            default=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            help="processus qui vérifient chacun une partie de la chaîne (par défaut : un par processeur)",
        )
        actions.add_parser("publish", help="Publie la tête de la chaîne hors de la base (et aux auditeurs).")
        export = actions.add_parser("export", help="Exporte le journal.")
        export.add_argument("--format", choices=["csv", "jsonl"], default="jsonl")
        export.add_argument("--output", "-o", help="fichier de sortie (par défaut : la sortie standard)")

    def handle(self, *args, action, **options):
        if action == "verify":
            self.verify(options.get("head"), workers=max(1, options["workers"]))
        elif action == "publish":
            published = anchoring.publish_head()
            self.stdout.write(f"Tête {published.text} publiée dans {published.location}.")
            if published.recipients:
                self.stdout.write("Envoyée à : " + ", ".join(published.recipients) + ".")
            else:
                self.stderr.write(
                    "Attention : " + anchoring.NOBODY_TOLD[0].lower() + anchoring.NOBODY_TOLD[1:]
                )
        else:
            self.export(options["format"], options.get("output"))

    def verify(self, head_text, *, workers):
        def progress(checked):
            self.stderr.write(f"… {checked} événements vérifiés")

        try:
            head = audit.parse_head(head_text) if head_text else None
        except ValueError as error:
            raise CommandError(str(error)) from error
        result = audit.verify(progress=progress if self.stderr.isatty() else None, head=head, workers=workers)
        if result.intact:
            self.stdout.write(f"{result.checked} événements vérifiés : chaîne intègre.")
            if head is not None:
                self.stdout.write(f"Les {head[0]} premiers événements sont ceux de la tête publiée.")
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
