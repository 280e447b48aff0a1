"""What a complete dossier is, and the rules between its fields: one definition each, used by the
submission guard, every form's `clean()`, the edits and the mentor confirmation."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lifecycle import financing, pitch_deck, profiles
from lifecycle.enums import MentorRole
from lifecycle.models.challenge import line_limit_errors
from lifecycle.text import folded

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
MENTOR_FIELDS = ["first_name", "last_name", "function", "email", "phone"]


def _label(challenge, field_name) -> str:
    return str(challenge._meta.get_field(field_name).verbose_name)


# Rules between fields -----------------------------------------------------------------------------


def same_person(one, other) -> bool:
    """Two people (mentors, dicts or rows with first_name, last_name, email) are one person when
    they share an e-mail address or a name, whatever its case and accents."""

    def value(person, name):
        return str((person.get(name) if isinstance(person, dict) else getattr(person, name, "")) or "")

    emails = [value(person, "email").strip().lower() for person in (one, other)]
    if emails[0] and emails[0] == emails[1]:
        return True
    names = [folded(f"{value(person, 'first_name')} {value(person, 'last_name')}") for person in (one, other)]
    return bool(names[0]) and names[0] == names[1]


def distinct_mentors_problem() -> str:
    return _("Les mentors opérationnel et stratégique doivent être deux personnes.")


def access_steps_problem(accessible, steps) -> str:
    """Data not yet accessible: the dossier must say how it will be made accessible to the EIGs."""
    if accessible is False and not (steps or "").strip():
        return _("Décrivez les étapes pour rendre les jeux de données accessibles aux EIG.")
    return ""


def unconfirmed_mentor_roles(challenge) -> list[MentorRole]:
    confirmed = {mentor.role for mentor in challenge.mentors.all() if mentor.confirmed_at is not None}
    return [role for role in MentorRole if role not in confirmed]


def mentor_details_problems(values: dict) -> dict[str, list[str]]:
    """A mentor's confirmation needs every detail; e-mail and phone are checked by their fields."""
    return {name: [_("Ce champ est obligatoire.")] for name in MENTOR_FIELDS if not values.get(name)}


# Completeness ----------------------------------------------------------------------------------


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
    problems.extend(line_limit_errors(challenge, call).values())
    if challenge.datasets_accessible is None:
        problems.append(_("Indiquez si les jeux de données nécessaires sont déjà accessibles."))
    elif problem := access_steps_problem(challenge.datasets_accessible, challenge.datasets_access_steps):
        problems.append(problem)
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
    levels = call.pay_levels.exists()
    for position in positions:
        if not position.mission.strip() or not position.profile:
            problems.append(
                _("EIG %(rank)d : la mission et le profil sont obligatoires.") % {"rank": position.rank}
            )
        elif problem := profiles.profile_problem(call, position.profile):
            problems.append(_("EIG %(rank)d : %(problem)s") % {"rank": position.rank, "problem": problem})
        if levels and not position.pay_level_id:
            problems.append(
                _("EIG %(rank)d : choisissez le niveau de rémunération.") % {"rank": position.rank}
            )
        problems.extend(
            _("EIG %(rank)d : %(problem)s") % {"rank": position.rank, "problem": problem}
            for problem in line_limit_errors(position, call).values()
        )
    members = challenge.team_members.count()
    if members < call.min_team_members:
        problems.append(
            ngettext(
                "Décrivez au moins un membre de l’équipe projet.",
                "Décrivez au moins %(count)d membres de l’équipe projet (%(given)d décrits).",
                call.min_team_members,
            )
            % {"count": call.min_team_members, "given": members}
        )

    mentors = {mentor.role: mentor for mentor in challenge.mentors.all()}
    for role in MentorRole:
        mentor = mentors.get(role)
        if mentor is None or not (mentor.first_name and mentor.last_name and mentor.email):
            problems.append(
                _("%(role)s : prénom, nom et e-mail professionnel sont obligatoires.") % {"role": role.label}
            )
    if len(mentors) == 2 and same_person(mentors[MentorRole.OPERATIONAL], mentors[MentorRole.STRATEGIC]):
        problems.append(distinct_mentors_problem())

    if challenge.total_employer_cost is None:
        problems.append(_("Indiquez le coût total employeur prévisionnel du recrutement des EIG."))
    cofinancing_problem = financing.simulate(challenge, eig_count=len(positions)).amount_problem()
    if cofinancing_problem:
        problems.append(cofinancing_problem)

    problems.extend(pitch_deck_problems(challenge))
    return problems


def pitch_deck_problems(challenge) -> list[str]:
    """The deck was checked when it was deposited (pitch_deck.count_slides, its slides counted
    and stored): here, only that it is still there and within the call's limit, which may have
    changed since; the file is not read again."""
    if not challenge.pitch_deck:
        return [_("La présentation de synthèse (PDF) n’a pas été déposée.")]
    if not challenge.pitch_deck.storage.exists(challenge.pitch_deck.name):
        return [_("La présentation de synthèse déposée est introuvable : déposez-la à nouveau.")]
    pages, max_slides = challenge.pitch_deck_pages, challenge.promotion.call.max_pitch_slides
    if not pages:
        return [_("La présentation de synthèse n’a pas pu être vérifiée : déposez-la à nouveau.")]
    if pages > max_slides:
        return [pitch_deck.too_many_slides_message(pages, max_slides)]
    return []
