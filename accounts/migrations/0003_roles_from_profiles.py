"""Rights are the rules' now: the role groups lose the permissions they carried, and every
person's staff status and role group are brought in line with their profile (what
accounts.services.set_role would leave)."""

from django.db import migrations

GROUP_NAMES = {
    "programme_manager": "Chargés de programme",
    "administration_contact": "Contacts des administrations",
    "jury_member": "Membres du jury",
    "mentor": "Mentors",
    "candidate": "Candidats et EIG",
    "auditor": "Auditeurs",
}
STAFF_ROLES = {"programme_manager", "auditor"}


def roles_from_profiles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Profile = apps.get_model("accounts", "Profile")
    groups = {role: Group.objects.get_or_create(name=name)[0] for role, name in GROUP_NAMES.items()}
    for group in groups.values():
        group.permissions.clear()
    for profile in Profile.objects.select_related("user"):
        user = profile.user
        if not user.is_superuser:
            user.is_staff = profile.role in STAFF_ROLES
            user.save(update_fields=["is_staff"])
            user.user_permissions.clear()
        user.groups.remove(*groups.values())
        if profile.role in groups:
            user.groups.add(groups[profile.role])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_profile_language"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(roles_from_profiles, migrations.RunPython.noop)]
