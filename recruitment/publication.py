"""What the public sees of the candidates' call: which call it is, where it stands, the challenges
published to candidates (recruiting, in the promotion whose call takes applications), their
place and the profiles they seek. Read by the public pages and the candidate's space."""

import re
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lifecycle import calendar, clock, profiles
from lifecycle.enums import ChallengeState
from lifecycle.models import Call, Challenge, EigPosition
from recruitment.services import accepts_applications

# "75012 Paris", "92800 Puteaux Cedex": the town after a French postcode.
POSTCODE_TOWN = re.compile(r"\b\d{5}\s+([^,;\n]+)")
OPEN, BEFORE, CLOSED = calendar.OPEN, calendar.BEFORE, calendar.CLOSED
CEDEX = re.compile(r"\s+cedex\b.*$", re.IGNORECASE)
ASIDE = re.compile(r"\([^)]*\)")


def place_of(challenge) -> str:
    """The town a challenge is hosted in, read from its hosting address (else its
    administration's): the town after the postcode, else the address's last part, without what
    stands in brackets ("Montreuil (Seine-Saint-Denis)" is Montreuil)."""
    address = (challenge.address or challenge.administration.address or "").strip()
    if not address:
        return ""
    match = POSTCODE_TOWN.search(address)
    town = match.group(1) if match else re.split(r"[,\n]", address)[-1]
    town = CEDEX.sub("", ASIDE.sub("", town))
    return " ".join(town.split()).strip(" .-")


@dataclass
class Stage:
    """Where a candidates' call stands now, for the pages: `open` (it takes applications),
    `before` (it opens later) or `closed`."""

    call: object
    name: str

    @property
    def open(self) -> bool:
        return self.name == calendar.OPEN

    @property
    def before(self) -> bool:
        return self.name == calendar.BEFORE

    @property
    def closed(self) -> bool:
        return self.name == calendar.CLOSED

    @property
    def opens(self) -> str:
        return calendar.label(self.call.recruitment_opens_at) if self.call.recruitment_opens_at else ""

    @property
    def closes(self) -> str:
        closes_at = self.call.recruitment_closes_at
        return calendar.deadline_label(closes_at) if closes_at else ""

    @property
    def closed_message(self) -> str:
        if self.closes:
            return _(
                "L’appel à candidatures est clos depuis le %(moment)s (heure de Paris) : la candidature "
                "ne peut plus être modifiée ni déposée."
            ) % {"moment": self.closes}
        return _("L’appel à candidatures est clos : la candidature ne peut plus être modifiée ni déposée.")


def stage_of(call, now=None) -> Stage:
    now = now or clock.now()
    if accepts_applications(call, now=now):
        return Stage(call, calendar.OPEN)
    name = calendar.candidates_call_stage(call, now)
    return Stage(call, calendar.BEFORE if name == calendar.BEFORE else calendar.CLOSED)


def open_call(now=None):
    """The call that takes applications now (the latest promotion's, if two ever did), or None."""
    now = now or clock.now()
    calls = Call.objects.filter(recruitment_opens_at__lte=now).select_related("promotion")
    for call in calls.order_by("-promotion__number", "-pk"):
        if accepts_applications(call, now=now):
            return call
    return None


def public_stage(now=None) -> Stage | None:
    """The call the public pages speak of: the open one, else the next to open, else the last
    closed; None when no promotion has a candidates' call."""
    now = now or clock.now()
    call = open_call(now)
    if call is not None:
        return Stage(call, calendar.OPEN)
    calls = Call.objects.filter(recruitment_opens_at__isnull=False).select_related("promotion")
    upcoming = calls.filter(recruitment_opens_at__gt=now).order_by("recruitment_opens_at").first()
    if upcoming is not None:
        return Stage(upcoming, calendar.BEFORE)
    last = calls.order_by("-recruitment_opens_at").first()
    return stage_of(last, now) if last is not None else None


def published(call):
    """The challenges of the call's promotion published to candidates, with what their cards
    show (administration, positions); empty unless the call takes applications."""
    if call is None or not accepts_applications(call):
        return Challenge.objects.none()
    return (
        Challenge.objects.filter(promotion_id=call.promotion_id, state=ChallengeState.RECRUITING)
        .select_related("administration", "promotion__call")
        .prefetch_related(Prefetch("eig_positions", queryset=EigPosition.objects.order_by("rank")))
        .order_by("name", "pk")
    )


def published_challenge(pk, call):
    """One published challenge, or None (not recruiting, another promotion's, the call closed)."""
    return published(call).filter(pk=pk).first()


@dataclass
class Card:
    """A published challenge as the public list shows it."""

    challenge: object
    place: str
    profiles: list  # (code, label), in the order of its positions, once each

    @property
    def profile_codes(self) -> set:
        return {code for code, _label in self.profiles}


def card(challenge, call) -> Card:
    seen, sought = set(), []
    for position in challenge.eig_positions.all():
        if position.profile not in seen:
            seen.add(position.profile)
            sought.append((position.profile, profiles.label_of(call, position.profile)))
    return Card(challenge, place_of(challenge), sought)


def cards(call) -> tuple[list[Card], list[str]]:
    """The published challenges' cards, and every town they are in (the place filter's choices)."""
    every = [card(challenge, call) for challenge in published(call)]
    places = sorted({item.place for item in every if item.place}, key=str.casefold)
    return every, places


def keep(every: list[Card], *, profile: str = "", place: str = "") -> list[Card]:
    """The cards the filters keep: a profile code sought, a town."""
    return [
        item
        for item in every
        if (not profile or profile in item.profile_codes) and (not place or item.place == place)
    ]


def calendar_rows(call) -> list[tuple[str, str]]:
    """The candidates' call's calendar in words, Paris time: (what, when)."""

    def day(value):
        return date_format(value, "j F Y")

    rows = []
    if call.recruitment_opens_at:
        rows.append((_("Ouverture des candidatures"), calendar.label(call.recruitment_opens_at)))
    if call.recruitment_closes_at:
        rows.append((_("Clôture des candidatures"), calendar.deadline_label(call.recruitment_closes_at)))
    if call.candidate_preselection_ends_on:
        rows.append((_("Fin de la présélection"), day(call.candidate_preselection_ends_on)))
    if call.candidate_interviews_start_on and call.candidate_interviews_end_on:
        rows.append(
            (
                _("Entretiens"),
                _("du %(start)s au %(end)s")
                % {
                    "start": day(call.candidate_interviews_start_on),
                    "end": day(call.candidate_interviews_end_on),
                },
            )
        )
    elif call.candidate_interviews_start_on:
        rows.append(
            (_("Entretiens"), _("à partir du %(start)s") % {"start": day(call.candidate_interviews_start_on)})
        )
    if call.candidate_jury_on:
        rows.append((_("Jury"), day(call.candidate_jury_on)))
    if call.starts_on:
        rows.append((_("Arrivée des EIG dans les administrations"), day(call.starts_on)))
    return rows
