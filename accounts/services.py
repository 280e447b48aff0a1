"""The programme's people: their accounts and their role, with one writer of the role.

`set_role` is the only function that gives or changes a person's role: the admin's forms, the
demo and the commands call it. Rights themselves are predicates (`lifecycle.rules`) that read
the role at each question, so a change takes effect at once everywhere.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import Profile
from accounts.signals import role_changed
from lifecycle import audit, rules
from lifecycle.enums import AuditKind

# One group per role, so that the admin's list of users shows who is what. Groups carry no
# permission: the rules decide.
GROUP_NAMES = {
    Role.PROGRAMME_MANAGER: "Chargés de programme",
    Role.ADMINISTRATION_CONTACT: "Contacts des administrations",
    Role.JURY_MEMBER: "Membres du jury",
    Role.MENTOR: "Mentors",
    Role.CANDIDATE: "Candidats et EIG",
    Role.AUDITOR: "Auditeurs",
}
# The roles that work in the Django admin (managers change, auditors read).
STAFF_ROLES = {Role.PROGRAMME_MANAGER, Role.AUDITOR}


def role_group(role) -> Group:
    return Group.objects.get_or_create(name=GROUP_NAMES[Role(role)])[0]


@transaction.atomic
def set_role(user, role, *, by, administration=None) -> Profile:
    """Give `user` the role (and, for an administration's contact, its administration).

    Sets `is_staff` (managers and auditors use the admin) and replaces the role groups; refused
    (PermissionDenied) unless `by` is a programme manager or the system; audited with the old and
    new values when anything changed.
    """
    role = Role(role)
    if not (rules.is_system(by) or rules.is_programme_manager(by)):
        raise PermissionDenied(_("Seul·e un·e chargé·e de programme peut changer le rôle d’une personne."))
    if user.is_superuser and not (rules.is_system(by) or by.is_superuser):
        raise PermissionDenied(
            _("Seul·e un·e super-utilisateur·rice change le rôle d’un·e super-utilisateur·rice.")
        )
    profile = Profile.objects.select_for_update().filter(user=user).first()
    before = (profile.role, profile.administration) if profile else ("", None)
    profile = profile or Profile(user=user)
    profile.role, profile.administration = role, administration
    profile.full_clean(exclude=["user"])
    profile.save()

    user.is_staff = role in STAFF_ROLES
    user.save(update_fields=["is_staff"])
    user.groups.remove(*Group.objects.filter(name__in=GROUP_NAMES.values()))
    user.groups.add(role_group(role))
    # The rules read the profile cached on the user: make it this one.
    user.profile = profile
    if before[0] and before[0] != role:
        role_changed.send(sender=Profile, user=user, before=before[0], after=role, by=by)

    changes = {}
    if before[0] != role:
        changes["role"] = [before[0] or None, str(role)]
    if before[1] != administration:
        changes["administration"] = [str(before[1]) if before[1] else None, str(administration or "") or None]
    if changes:
        # The subject names the account: its username is the person's data, never in the event.
        audit.record(None, AuditKind.ROLE_CHANGED, by=by, subject=f"user:{user.pk}", changes=changes)
    return profile


ACCOUNT_FIELDS = ("username", "email", "first_name", "last_name", "is_active", "is_superuser")
# What of an account is the person's own data: kept apart from the trail's chain, as "user:<pk>"'s
# (docs/personal-data.md).
PERSONAL_ACCOUNT_FIELDS = frozenset({"username", "email", "first_name", "last_name"})


def account_values(user) -> dict:
    return {name: getattr(user, name) for name in ACCOUNT_FIELDS}


def record_account_change(user, before: dict, *, by, fields=None) -> dict:
    """Audit a change of a person's account (a deactivation takes their rights away); `fields`
    names other values of the person than the account's (the profile's language)."""
    after = account_values(user) if fields is None else {name: getattr(user.profile, name) for name in fields}
    changes = {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}
    if changes:
        owner = f"user:{user.pk}"
        audit.record(
            None,
            AuditKind.ACCOUNT_CHANGED,
            by=by,
            subject=owner,
            changes={
                name: [audit.Personal(owner, value) if value else value for value in pair]
                if name in PERSONAL_ACCOUNT_FIELDS
                else pair
                for name, pair in changes.items()
            },
        )
    return changes


def record_password_set(user, *, by):
    """Audit a password set for a person by someone (the admin's page), or its removal; never
    the password itself."""
    audit.record(
        None,
        AuditKind.ACCOUNT_CHANGED,
        by=by,
        subject=f"user:{user.pk}",
        changes={"password": [None, "set" if user.has_usable_password() else "disabled"]},
    )


@transaction.atomic
def create_user(username, *, role: Role, by, password=None, email="", administration=None, **names):
    """Create (or bring up to date) a person's account with a role, through `set_role`."""
    user, _created = get_user_model().objects.get_or_create(username=username)
    user.email = email or user.email
    for attribute, value in names.items():
        setattr(user, attribute, value)
    if password:
        user.set_password(password)
    user.save()
    set_role(user, role, by=by, administration=administration)
    return user
