"""A challenge's team of EIGs: the candidates who accepted it, then its recruited EIGs."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from lifecycle import clock, profiles
from lifecycle.dossier import edits
from recruitment.enums import ApplicationState
from recruitment.models import Application, Candidate


def accepted(challenge):
    """The accepted applications of the challenge (their candidates are its team)."""
    return Application.objects.filter(challenge=challenge, state=ApplicationState.ACCEPTED)


def members_count(challenge) -> int:
    """The EIGs of the team: recorded entrepreneurs, and accepted candidates not yet recorded."""
    return (
        challenge.entrepreneurs.count()
        + accepted(challenge).filter(candidate__entrepreneur__isnull=True).count()
    )


@dataclass
class Team:
    challenge: object
    members: list  # (name, profile code)
    minimum: int
    maximum: int

    @property
    def count(self) -> int:
        return len(self.members)

    @property
    def complete(self) -> bool:
        return self.minimum <= self.count <= self.maximum

    @property
    def identical_profiles(self) -> bool:
        """A team of two or more EIGs all of the same profile: flagged, not refused (the call
        seeks complementary profiles)."""
        codes = {code for _name, code in self.members}
        return self.count >= 2 and len(codes) == 1

    def warnings(self) -> list[str]:
        call = self.challenge.promotion.call
        found = []
        if self.identical_profiles:
            code = self.members[0][1]
            found.append(
                _(
                    "Toute l’équipe a le même profil (%(profile)s) : l’appel cherche des profils "
                    "complémentaires."
                )
                % {"profile": profiles.label_of(call, code)}
            )
        return found


def team_of(challenge) -> Team:
    call = challenge.promotion.call
    members = [(person.full_name, person.profile) for person in challenge.entrepreneurs.all()]
    for application in (
        accepted(challenge).filter(candidate__entrepreneur__isnull=True).select_related("candidate")
    ):
        members.append((application.candidate.full_name, application.candidate.profile))
    return Team(challenge, members, call.min_eigs_per_challenge, call.max_eigs_per_challenge)


def enrol(challenge, *, by):
    """The accepted candidates not yet recorded become the challenge's `Entrepreneur`s (through
    the dossier's edits, audited), each candidate linked to the EIG they became."""
    enrolled = []
    for application in (
        accepted(challenge).filter(candidate__entrepreneur__isnull=True).select_related("candidate")
    ):
        candidate = application.candidate
        entrepreneur = edits.add_entrepreneur(
            challenge,
            by=by,
            first_name=candidate.first_name,
            last_name=candidate.last_name,
            email=candidate.email,
            phone=candidate.phone,
            profile=candidate.profile,
            recruited_on=timezone.localdate(clock.now()),
        )
        Candidate.objects.filter(pk=candidate.pk).update(entrepreneur=entrepreneur)
        enrolled.append(entrepreneur)
    return enrolled
