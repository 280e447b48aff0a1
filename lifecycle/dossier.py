"""What a complete dossier is, and the dossier as flat values for the audit trail."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lifecycle import financing, pitch_deck
from lifecycle.enums import MentorRole

REQUIRED_TEXT_FIELDS = [
    "name",
    "address",
    "problem",
    "solution",
    "expected_benefits",
    "innovation_kinds",
    "progress",
    "technical_resources",
    "datasets",
    "sustainability_actions",
    "obstacles",
    "motivation",
]
ATTESTATIONS = ["attests_outside_walls", "attests_open_data_open_source", "attests_data_access"]
SCALAR_FIELDS = [
    "administration",
    "administrative_carrier",
    "address",
    "name",
    "summary",
    "public_description",
    "problem",
    "solution",
    "expected_benefits",
    "innovation_kinds",
    "progress",
    "technical_resources",
    "datasets",
    "datasets_accessible",
    "datasets_access_steps",
    "sustainability_actions",
    "obstacles",
    "motivation",
    "source_code_url",
    *ATTESTATIONS,
    "pia_requested",
    "total_employer_cost",
    "pia_amount",
    "pitch_deck",
    "manager",
]


def _label(challenge, field_name) -> str:
    return str(challenge._meta.get_field(field_name).verbose_name)


def dossier_problems(challenge) -> list[str]:
    """Everything that keeps the dossier from being submitted, in the form's order."""
    call = challenge.promotion.call
    problems = []
    for field_name in REQUIRED_TEXT_FIELDS:
        if not str(getattr(challenge, field_name) or "").strip():
            problems.append(
                _("Champ obligatoire non rempli : « %(field)s ».") % {"field": _label(challenge, field_name)}
            )
    for field in challenge._meta.concrete_fields:
        limit = getattr(field, "max_length", None)
        value = getattr(challenge, field.attname)
        if limit and isinstance(value, str) and len(value) > limit:
            problems.append(
                _("« %(field)s » dépasse %(limit)d caractères (%(length)d).")
                % {"field": field.verbose_name, "limit": limit, "length": len(value)}
            )
    if challenge.datasets_accessible is None:
        problems.append(_("Indiquez si les jeux de données nécessaires sont déjà accessibles."))
    elif challenge.datasets_accessible is False and not challenge.datasets_access_steps.strip():
        problems.append(_("Décrivez les étapes pour rendre les jeux de données accessibles aux EIG."))
    for field_name in ATTESTATIONS:
        if not getattr(challenge, field_name):
            problems.append(
                _("Attestation manquante : « %(field)s ».") % {"field": _label(challenge, field_name)}
            )

    positions = list(challenge.eig_positions.all())
    if not call.min_eigs_per_challenge <= len(positions) <= call.max_eigs_per_challenge:
        problems.append(
            _("Le défi doit décrire entre %(min)d et %(max)d missions d’EIG (%(count)d décrites).")
            % {
                "min": call.min_eigs_per_challenge,
                "max": call.max_eigs_per_challenge,
                "count": len(positions),
            }
        )
    for position in positions:
        if not position.mission.strip() or not position.profile:
            problems.append(
                _("EIG %(rank)d : la mission et le profil sont obligatoires.") % {"rank": position.rank}
            )
    if not challenge.team_members.exists():
        problems.append(_("Décrivez au moins un membre de l’équipe projet."))

    mentors = {mentor.role: mentor for mentor in challenge.mentors.all()}
    for role in MentorRole:
        mentor = mentors.get(role)
        if mentor is None or not (mentor.first_name and mentor.last_name and mentor.email):
            problems.append(
                _("%(role)s : prénom, nom et e-mail professionnel sont obligatoires.") % {"role": role.label}
            )
    if (
        len(mentors) == 2
        and mentors[MentorRole.OPERATIONAL].email
        and (mentors[MentorRole.OPERATIONAL].email.lower() == mentors[MentorRole.STRATEGIC].email.lower())
    ):
        problems.append(_("Les mentors opérationnel et stratégique doivent être deux personnes."))

    if challenge.total_employer_cost is None:
        problems.append(_("Indiquez le coût total employeur prévisionnel du recrutement des EIG."))
    pia_problem = financing.simulate(challenge, eig_count=len(positions)).pia_amount_problem()
    if pia_problem:
        problems.append(pia_problem)

    problems.extend(pitch_deck_problems(challenge))
    return problems


def pitch_deck_problems(challenge) -> list[str]:
    if not challenge.pitch_deck:
        return [_("La présentation de synthèse (PDF) n’a pas été déposée.")]
    try:
        with challenge.pitch_deck.open("rb") as stored:
            content = stored.read()
    except OSError:
        return [_("La présentation de synthèse déposée est introuvable : déposez-la à nouveau.")]
    try:
        pitch_deck.count_slides(content, max_slides=challenge.promotion.call.max_pitch_slides)
    except ValidationError as error:
        return list(error.messages)
    return []


def _plain(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if hasattr(value, "name") and hasattr(value, "storage"):  # a stored file
        return value.name or ""
    return str(value)


def snapshot(challenge) -> dict:
    """The dossier as flat, JSON-ready values: the audit trail compares two of them."""
    values = {name: _plain(getattr(challenge, name)) for name in SCALAR_FIELDS}
    values["partner_administrations"] = sorted(
        str(administration) for administration in challenge.partner_administrations.all()
    )
    for position in challenge.eig_positions.all():
        prefix = f"eig[{position.rank}]"
        values[f"{prefix}.mission"] = position.mission
        values[f"{prefix}.profile"] = position.profile
        values[f"{prefix}.expertise"] = position.expertise
    for index, member in enumerate(challenge.team_members.all(), start=1):
        for name in ("name", "function", "status", "involvement_percent", "contribution"):
            values[f"team[{index}].{name}"] = _plain(getattr(member, name))
    people = ("first_name", "last_name", "email", "phone")
    # The mentors' function and confirmation (by the mentoring tasks) are audited too.
    for mentor in challenge.mentors.all():
        for name in (*people, "function", "confirmed_at"):
            values[f"mentor[{mentor.role}].{name}"] = _plain(getattr(mentor, name))
    for contact in challenge.contacts.all():
        for name in people:
            values[f"contact[{contact.role}].{name}"] = getattr(contact, name)
    return values


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for every value that changed, appeared or disappeared."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    }
