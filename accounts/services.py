"""Creating the accounts of the programme's people with their role and rights."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts.enums import Role
from accounts.models import Profile

# What each role may open in the Django admin; the domain's rules decide what it may do there.
ADMIN_PERMISSIONS = {
    Role.PROGRAMME_MANAGER: {
        "lifecycle": ["add", "change", "view"],
        "accounts": ["add", "change", "view"],
        "notifications": ["change", "view"],
        "cohort": ["add", "change", "view"],
        "triggers": ["view"],
    },
    Role.AUDITOR: {
        "lifecycle": ["view"],
        "notifications": ["view"],
        "cohort": ["view"],
        "triggers": ["view"],
    },
}
GROUP_NAMES = {
    Role.PROGRAMME_MANAGER: "Chargés de programme",
    Role.AUDITOR: "Auditeurs",
}


def role_group(role: Role) -> Group | None:
    if role not in GROUP_NAMES:
        return None
    group, _ = Group.objects.get_or_create(name=GROUP_NAMES[role])
    wanted = Permission.objects.none()
    for app_label, actions in ADMIN_PERMISSIONS[role].items():
        for action in actions:
            wanted |= Permission.objects.filter(
                content_type__app_label=app_label, codename__startswith=f"{action}_"
            )
    group.permissions.set(wanted)
    return group


@transaction.atomic
def create_user(username, *, role: Role, password=None, email="", administration=None, **names):
    """Create (or bring up to date) a user with a role; managers and auditors may use the admin."""
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.email = email or user.email
    for attribute, value in names.items():
        setattr(user, attribute, value)
    user.is_staff = role in GROUP_NAMES
    if password:
        user.set_password(password)
    user.save()
    Profile.objects.update_or_create(user=user, defaults={"role": role, "administration": administration})
    group = role_group(role)
    if group:
        user.groups.add(group)
    return user
