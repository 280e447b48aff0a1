"""Who hears about a case: its mentors, its administrations' contacts and the programme team."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import Profile


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    role: str
    language: str = "fr"
    problem: str = ""


def _checked(email, name, role, language="fr") -> Recipient:
    email = (email or "").strip()
    problem = ""
    if not email:
        problem = _("%(role)s %(name)s n’a pas d’adresse e-mail.") % {"role": role, "name": name}
    else:
        try:
            validate_email(email)
        except ValidationError:
            problem = _("L’adresse de %(role)s %(name)s n’est pas valide : « %(email)s ».") % {
                "role": role,
                "name": name,
                "email": email,
            }
    return Recipient(email=email, name=name, role=role, language=language, problem=problem)


def recipient(email, name, role, language="fr") -> Recipient:
    """One recipient chosen by the sender (an EIG, a manager…), its address checked the same way."""
    return _checked(email, name, role, language)


def carriers_of(challenge) -> tuple:
    """The administrations whose contacts hear about the challenge: its own and its carrier."""
    return tuple(a for a in (challenge.administration_id, challenge.administrative_carrier_id) if a)


def contacts_of(carrier_groups) -> dict:
    """{carriers: [(e-mail, name, language)]} for groups of administrations (`carriers_of`), in one
    query: the active contacts of each group's administrations, by username."""
    groups = {tuple(group) for group in carrier_groups}
    rows = (
        Profile.objects.filter(
            role=Role.ADMINISTRATION_CONTACT,
            administration_id__in={pk for group in groups for pk in group},
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__username")
    )
    people = [
        (
            profile.administration_id,
            profile.user.email,
            profile.user.get_full_name() or profile.user.username,
            profile.language,
        )
        for profile in rows
    ]
    return {
        group: [
            (email, name, language)
            for administration, email, name, language in people
            if administration in group
        ]
        for group in groups
    }


def recipients_for(challenge, *, contacts: dict | None = None) -> list[Recipient]:
    """Every recipient once (by address), those without a valid address kept with the problem.
    `contacts`: the administrations' contacts already read (several moves at once), filled here."""
    found = [
        _checked(mentor.email, mentor.full_name, str(mentor.get_role_display()))
        for mentor in challenge.mentors.all()
    ]
    carriers = carriers_of(challenge)
    if contacts is None or carriers not in contacts:
        people = contacts_of([carriers])[carriers]
        if contacts is not None:
            contacts[carriers] = people
    else:
        people = contacts[carriers]
    found += [
        _checked(email, name, _("Contact de l’administration"), language) for email, name, language in people
    ]
    if not found:
        found.append(
            Recipient(
                email="",
                name="",
                role=_("Administration"),
                problem=_("Aucun contact de l’administration n’est connu."),
            )
        )
    if settings.NOTIFICATIONS_TEAM_EMAIL:
        found.append(
            Recipient(
                email=settings.NOTIFICATIONS_TEAM_EMAIL,
                name=_("Équipe du programme"),
                role=_("Copie à l’équipe"),
            )
        )
    unique, seen = [], set()
    for recipient in found:
        key = recipient.email.lower() if not recipient.problem else f"{recipient.role}:{recipient.name}"
        if key not in seen:
            seen.add(key)
            unique.append(recipient)
    return unique
