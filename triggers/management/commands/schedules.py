from django.core.management.base import BaseCommand
from django.utils import timezone
from django_q.models import Schedule

from triggers import schedules


class Command(BaseCommand):
    help = (
        "Tâches planifiées (django-q2) : « sync » installe ou met à jour les balayages périodiques et "
        "les tâches datées des calendriers (appels, sessions de promotion) ; « list » les affiche."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("sync", help="Installe, déplace ou supprime les tâches selon les calendriers.")
        actions.add_parser("list", help="Affiche les tâches planifiées, sans rien changer.")

    def handle(self, *args, action, **options):
        if action == "sync":
            schedules.ensure_periodic()
            synced = schedules.sync_all()
            for line in synced:
                self._line(line.label, line.schedule, line.action, line.state)
            counts = {}
            for line in synced:
                counts[line.action] = counts.get(line.action, 0) + 1
            summary = ", ".join(f"{count} {action}(s)" for action, count in counts.items()) or "aucune"
            self.stdout.write(f"{len(synced)} tâche(s) datée(s) : {summary}.")
        else:
            for schedule in Schedule.objects.order_by("next_run", "name"):
                self._line(schedule.name, schedule, "", schedules.state_of(schedule))

    def _line(self, label, schedule, action, state):
        when = f"{timezone.localtime(schedule.next_run):%d/%m/%Y %H:%M}" if schedule else "-"
        details = " — ".join(part for part in (action, state) if part)
        self.stdout.write(f"{when}  {label}" + (f"  [{details}]" if details else ""))
