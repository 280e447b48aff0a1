"""Who may do what, as small named predicates reused by the domain, views, admin and API."""

from accounts.enums import Role
from lifecycle.actors import SYSTEM
from lifecycle.enums import ChallengeState, TransitionName

CONTACT_TRANSITIONS = {TransitionName.SUBMIT, TransitionName.WITHDRAW}


def role_of(user) -> str | None:
    profile = getattr(user, "profile", None)
    return profile.role if profile else None


def is_programme_manager(user) -> bool:
    if user is SYSTEM:
        return False
    return bool(user.is_active and (user.is_superuser or role_of(user) == Role.PROGRAMME_MANAGER))


def is_auditor(user) -> bool:
    return user is not SYSTEM and user.is_active and role_of(user) == Role.AUDITOR


def is_contact_of(user, challenge) -> bool:
    """An administration's contact acts for the challenges its administration carries."""
    if user is SYSTEM or not user.is_active or role_of(user) != Role.ADMINISTRATION_CONTACT:
        return False
    administration_id = user.profile.administration_id
    return administration_id is not None and administration_id in (
        challenge.administration_id,
        challenge.administrative_carrier_id,
    )


def can_transition(user, challenge, name: str) -> bool:
    if user is SYSTEM or is_programme_manager(user):
        return True
    return name in CONTACT_TRANSITIONS and is_contact_of(user, challenge)


def can_edit_dossier(user, challenge) -> bool:
    """Managers may correct a dossier at any time; its administration only while it is a draft."""
    if user is SYSTEM or is_programme_manager(user):
        return True
    return challenge.state == ChallengeState.DRAFT and is_contact_of(user, challenge)


def can_view_audit_trail(user) -> bool:
    return is_programme_manager(user) or is_auditor(user)
