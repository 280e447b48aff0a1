from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from lifecycle import services
from lifecycle.actors import SYSTEM
from lifecycle.enums import ChallengeState, TransitionName
from lifecycle.models import Challenge


class Command(BaseCommand):
    help = "Opérations sur un défi. « challenge transition ID NOM --by UTILISATEUR [--reason MOTIF] »."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        move = actions.add_parser("transition", help="Fait passer un défi à l’état suivant.")
        move.add_argument("challenge_id", type=int)
        move.add_argument("name", choices=TransitionName.values)
        move.add_argument("--by", required=True, help="identifiant de l’auteur, ou « system »")
        move.add_argument("--reason", default="", help="motif de la décision")

    def handle(self, *args, action, **options):
        if action == "transition":
            self.transition(**options)

    def transition(self, *, challenge_id, name, by, reason, **_options):
        challenge = Challenge.objects.filter(pk=challenge_id).first()
        if challenge is None:
            raise CommandError(f"Aucun défi n’a l’identifiant {challenge_id}.")
        if by == "system":
            actor = SYSTEM
        else:
            actor = get_user_model().objects.filter(username=by, is_active=True).first()
            if actor is None:
                raise CommandError(f"Aucun utilisateur actif « {by} ».")
        try:
            moved = services.transition(challenge, name, by=actor, reason=reason)
        except services.TransitionRefused as refusal:
            self.stderr.write(f"« {TransitionName(name).label} » refusé pour « {challenge} » :")
            for reason_text in refusal.reasons:
                self.stderr.write(f"- {reason_text}")
            raise CommandError("transition refusée", returncode=2) from refusal
        self.stdout.write(f"{moved.state} ({ChallengeState(moved.state).label})")
