from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import date_format

from cohort import services
from lifecycle.models import Call


class Command(BaseCommand):
    help = (
        "Sessions de promotion : « plan N » les planifie maintenant (sinon la tâche planifiée le fait "
        "avant l’arrivée des EIG), « calendar N » affiche l’adresse d’abonnement iCalendar."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        for name, text in [("plan", "Planifie les sessions (une fois)."), ("calendar", "Adresse .ics.")]:
            action = actions.add_parser(name, help=text)
            action.add_argument("promotion", type=int, help="numéro de la promotion (ex. 3)")

    def handle(self, *args, action, promotion, **options):
        call = Call.objects.filter(promotion__number=promotion).select_related("promotion").first()
        if call is None:
            raise CommandError(f"Aucun appel à projets pour la promotion {promotion}.")
        if action == "calendar":
            self.stdout.write(services.calendar_url(call.promotion))
            return
        if call.starts_on is None:
            raise CommandError(f"La promotion {promotion} n’a pas de date d’arrivée des EIG.")
        sessions = services.plan_sessions(call)
        if not sessions:
            self.stdout.write(f"La promotion {call.promotion} a déjà ses sessions : rien de planifié.")
        for session in sessions:
            moved = f"  (au lieu du {date_format(session.planned_on, 'j F')} : {session.change_reason})"
            self.stdout.write(
                f"{date_format(session.date, 'D j F Y')}  {session.title}"
                + (moved if session.date != session.planned_on else "")
            )
        if sessions:
            self.stdout.write(f"{len(sessions)} session(s) planifiée(s).")
