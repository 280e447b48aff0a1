"""Who may do what: named predicates (django-rules) asked alike by the domain, the pages
(`web.access`, the navigation), the admin (through `user.has_perm`) and, later, the API and the
templates (`{% load rules %}`), and the permissions built on them.

A person's role is read from their profile at each question, so that a change of role
(`accounts.services.set_role`) takes effect at once everywhere. Django's groups and per-user
permissions grant nothing (`accounts.backends.PasswordBackend`); superusers have every right.
"""

import rules

from accounts.enums import Role
from lifecycle import workflow
from lifecycle.actors import SYSTEM
from lifecycle.enums import ChallengeState

# The dossier's fields only the programme sets: who carries the case, who follows it.
MANAGER_ONLY_FIELDS = frozenset({"administration", "manager", "promotion"})


def role_of(user) -> str | None:
    profile = getattr(user, "profile", None)
    return profile.role if profile else None


def _active(user) -> bool:
    return user is not None and user is not SYSTEM and user.is_authenticated and user.is_active


@rules.predicate
def is_system(user) -> bool:
    return user is SYSTEM


@rules.predicate
def is_programme_manager(user) -> bool:
    return _active(user) and (user.is_superuser or role_of(user) == Role.PROGRAMME_MANAGER)


@rules.predicate
def is_auditor(user) -> bool:
    return _active(user) and role_of(user) == Role.AUDITOR


@rules.predicate
def is_jury_member(user) -> bool:
    return _active(user) and role_of(user) == Role.JURY_MEMBER


@rules.predicate
def is_administration_contact(user) -> bool:
    return _active(user) and role_of(user) == Role.ADMINISTRATION_CONTACT


@rules.predicate
def is_contact_of(user, challenge) -> bool:
    """An administration's contact acts for the challenges its administration carries."""
    if challenge is None or not is_administration_contact(user):
        return False
    administration_id = user.profile.administration_id
    return administration_id is not None and administration_id in (
        challenge.administration_id,
        challenge.administrative_carrier_id,
    )


@rules.predicate
def is_draft(user, challenge) -> bool:
    return challenge is not None and challenge.state == ChallengeState.DRAFT


@rules.predicate
def is_corrections_requested(user, challenge) -> bool:
    return challenge is not None and challenge.state == ChallengeState.CORRECTIONS_REQUESTED


can_view_audit_trail = is_programme_manager | is_auditor
# Managers may correct a dossier at any time; its administration while it is a draft, and the
# sections sent back to it for corrections (`can_edit_section`).
can_edit_dossier = is_system | is_programme_manager | (is_contact_of & (is_draft | is_corrections_requested))
can_read_dossier = is_programme_manager | is_contact_of


def can_transition(user, challenge, name) -> bool:
    if is_system(user) or is_programme_manager(user):
        return True
    return workflow.move(name).by_contact and is_contact_of(user, challenge)


def can_edit_section(user, challenge, slug: str) -> bool:
    """A section of the form (`dossier.sections`): all of a draft's, only those sent back for
    corrections (`lifecycle.corrections`)."""
    if not can_edit_dossier(user, challenge):
        return False
    if is_system(user) or is_programme_manager(user) or is_draft(user, challenge):
        return True
    from lifecycle import corrections  # it moves challenges: services reads these rules

    return corrections.is_open_to_corrections(challenge, slug)


def can_edit_field(user, challenge, field_name: str) -> bool:
    """A contact edits its draft's answers (or those of the sections sent back for corrections),
    never who carries or follows the case."""
    if is_system(user) or is_programme_manager(user):
        return True
    if field_name in MANAGER_ONLY_FIELDS or not can_edit_dossier(user, challenge):
        return False
    if is_draft(user, challenge):
        return True
    from lifecycle.dossier.sections import section_of_field  # the sections read the models

    return can_edit_section(user, challenge, section_of_field(field_name))


# Permissions: the pages, the admin (ModelAdmin.has_*_permission asks user.has_perm) and the
# mentor tasks' queue (viewflow asks the task's permission) -------------------------------------

LIFECYCLE_MODELS = [
    "promotion",
    "call",
    "administration",
    "challenge",
    "eigposition",
    "teammember",
    "mentor",
    "contact",
    "entrepreneur",
]

rules.add_perm("lifecycle", can_view_audit_trail)
for model in LIFECYCLE_MODELS:
    rules.add_perm(f"lifecycle.view_{model}", can_view_audit_trail)
    rules.add_perm(f"lifecycle.add_{model}", is_programme_manager)
    rules.add_perm(f"lifecycle.change_{model}", is_programme_manager)
rules.add_perm("lifecycle.view_auditevent", can_view_audit_trail)
rules.add_perm("lifecycle.move_challenge", is_programme_manager)
# Confirming a mentor (a task of the mentor assignment, or the admin) is a manager's work.
rules.add_perm("lifecycle.confirm_mentor", is_programme_manager)
