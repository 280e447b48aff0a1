"""A person's role has one writer, `accounts.services.set_role`; the rules read it at each question."""

import importlib

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.enums import Role
from accounts.services import GROUP_NAMES, create_user, set_role
from lifecycle import rules, services
from lifecycle.actors import SYSTEM
from lifecycle.enums import AuditKind, ChallengeState
from lifecycle.models import AuditEvent
from mentoring import services as mentoring
from tests.factories import AdministrationFactory, ChallengeFactory, heard, programme_manager
from tests.html_forms import form_data

User = get_user_model()


@pytest.fixture
def manager(db):
    return create_user(
        "gestionnaire", by=SYSTEM, role=Role.PROGRAMME_MANAGER, password="mot-de-passe-solide-1"
    )


def role_events(user):
    return list(
        AuditEvent.objects.filter(kind=AuditKind.ROLE_CHANGED, subject=f"user:{user.pk}").order_by("id")
    )


def test_set_role_sets_staff_status_replaces_the_role_groups_and_is_audited(manager):
    person = create_user("dominique", by=manager, role=Role.AUDITOR)
    assert (person.is_staff, list(person.groups.values_list("name", flat=True))) == (True, ["Auditeurs"])

    set_role(person, Role.JURY_MEMBER, by=manager)
    person.refresh_from_db()

    assert (person.is_staff, list(person.groups.values_list("name", flat=True))) == (
        False,
        ["Membres du jury"],
    )
    assert [(event.actor, event.changes, event.challenge_id) for event in role_events(person)] == [
        (manager, {"role": [None, "auditor"]}, None),
        (manager, {"role": ["auditor", "jury_member"]}, None),
    ]
    # The subject names the account (user:<pk>); no reason repeats its username (docs/personal-data.md).
    assert (role_events(person)[0].subject, role_events(person)[0].reason) == (f"user:{person.pk}", "")
    set_role(person, Role.JURY_MEMBER, by=manager)
    assert len(role_events(person)) == 2  # nothing changed, nothing recorded
    assert set(Group.objects.values_list("name", flat=True)) <= set(GROUP_NAMES.values())


def test_an_administration_contact_is_tied_to_an_administration(manager):
    person = create_user("lou", by=manager, role=Role.CANDIDATE)
    with pytest.raises(ValidationError) as refused:
        set_role(person, Role.ADMINISTRATION_CONTACT, by=manager)
    assert refused.value.message_dict == {
        "administration": ["Un contact d’administration doit être rattaché à une administration."]
    }
    dinum = AdministrationFactory(name="DINUM")
    set_role(person, Role.ADMINISTRATION_CONTACT, by=manager, administration=dinum)
    assert role_events(person)[-1].changes == {
        "role": ["candidate", "administration_contact"],
        "administration": [None, "DINUM"],
    }


@pytest.mark.parametrize(
    "role", [Role.AUDITOR, Role.JURY_MEMBER, Role.ADMINISTRATION_CONTACT, Role.CANDIDATE]
)
def test_only_a_programme_manager_or_the_system_changes_a_role(manager, role):
    other = create_user(
        "someone",
        by=SYSTEM,
        role=role,
        administration=AdministrationFactory() if role == Role.ADMINISTRATION_CONTACT else None,
    )
    with pytest.raises(PermissionDenied):
        set_role(other, Role.PROGRAMME_MANAGER, by=other)
    assert not rules.is_programme_manager(User.objects.get(pk=other.pk))


def test_a_demoted_manager_loses_every_right_at_once_and_cannot_promote_themselves_back(manager, client):
    client.force_login(manager)
    assert client.get(reverse("backoffice:dashboard")).status_code == 200
    assert client.get(reverse("admin:lifecycle_challenge_changelist")).status_code == 200
    own_page = reverse("admin:auth_user_change", args=[manager.pk])
    data = form_data(client.get(own_page).content.decode(), "user_form")

    set_role(manager, Role.JURY_MEMBER, by=SYSTEM)

    # The same session, the next request: nothing of the back office or the admin is left.
    assert client.get(reverse("backoffice:dashboard")).status_code == 404
    assert (
        client.get(reverse("admin:lifecycle_challenge_changelist")).status_code == 302
    )  # to the admin's login
    promoted = client.post(own_page, {**data, "role": Role.PROGRAMME_MANAGER})
    assert promoted.status_code == 302 and "/admin/login/" in promoted["Location"]
    manager = User.objects.get(pk=manager.pk)
    assert (manager.profile.role, manager.is_staff) == (Role.JURY_MEMBER, False)
    assert not manager.has_perm("lifecycle.move_challenge")
    challenge = ChallengeFactory(state=ChallengeState.SUBMITTED)
    with pytest.raises(services.TransitionRefused) as refused:
        services.transition(challenge, "preselect", by=manager, reason="Bon dossier")
    assert refused.value.code == "forbidden"


def test_a_manager_created_in_the_admin_gets_the_role_through_set_role_and_takes_queue_tasks(
    manager, client, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    add = reverse("admin:auth_user_add")
    response = client.post(
        add,
        {
            "username": "nouvelle",
            "email": "nouvelle@data.gouv.fr",
            "first_name": "Ariane",
            "last_name": "Morel",
            "role": Role.PROGRAMME_MANAGER,
            "administration": "",
            "password1": "un-mot-de-passe-long-7",
            "password2": "un-mot-de-passe-long-7",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = User.objects.get(username="nouvelle")
    assert (created.profile.role, created.is_staff) == (Role.PROGRAMME_MANAGER, True)
    assert [(event.actor, event.changes) for event in role_events(created)] == [
        (manager, {"role": [None, "programme_manager"]})
    ]

    challenge = ChallengeFactory(state=ChallengeState.PITCHED, manager=None)
    heard(challenge, by=manager)
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(challenge, "select", by=manager, reason="Retenu par le jury")
    queue = list(mentoring.team_queue(created))
    assert len(queue) == 2
    mentoring.take(queue[0], by=created)
    assert list(mentoring.inbox(created)) == [queue[0]]


def test_the_admin_changes_a_role_through_set_role_and_hides_django_rights_from_managers(manager, client):
    person = create_user("sacha", by=manager, role=Role.MENTOR)
    client.force_login(manager)
    url = reverse("admin:auth_user_change", args=[person.pk])
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    data = form_data(page, "user_form")
    data["role"] = Role.AUDITOR

    assert client.post(url, data).status_code == 302
    person.refresh_from_db()
    assert (person.profile.role, person.is_staff) == (Role.AUDITOR, True)
    assert role_events(person)[-1].changes == {"role": ["mentor", "auditor"]}

    data["role"] = Role.ADMINISTRATION_CONTACT
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Un contact d’administration doit être rattaché à une administration." in refused.content.decode()


def test_an_auditor_reads_the_outbox_in_the_admin_but_runs_none_of_its_actions(db, client):
    client.force_login(create_user("auditrice", by=SYSTEM, role=Role.AUDITOR))
    page = client.get(reverse("admin:notifications_batch_changelist"))
    assert page.status_code == 200
    assert "release_batches" not in page.content.decode()
    challenges = client.get(reverse("admin:lifecycle_challenge_changelist")).content.decode()
    assert "transition_preselect" not in challenges
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_rules_not_group_permissions_decide(db):
    manager = programme_manager()
    assert manager.user_permissions.count() == 0 and manager.groups.count() == 0
    assert manager.has_perm("lifecycle.move_challenge")
    assert manager.has_perm("lifecycle.confirm_mentor")
    assert manager.has_module_perms("lifecycle")


def test_a_manager_cannot_change_a_superusers_account(manager, client):
    root = User.objects.create_superuser("racine", "racine@data.gouv.fr", "un-mot-de-passe-long-9")
    client.force_login(manager)

    page = client.get(reverse("admin:auth_user_change", args=[root.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()  # read only
    data = {"username": "racine", "is_active": "", "role": Role.JURY_MEMBER}
    assert client.post(reverse("admin:auth_user_change", args=[root.pk]), data).status_code == 403
    password = client.post(
        reverse("admin:auth_user_password_change", args=[root.pk]),
        {"password1": "repris-par-un-autre-1", "password2": "repris-par-un-autre-1"},
    )
    assert password.status_code == 403
    with pytest.raises(PermissionDenied):
        set_role(root, Role.JURY_MEMBER, by=manager)
    root.refresh_from_db()
    assert root.check_password("un-mot-de-passe-long-9") and root.is_staff


def test_group_and_user_permission_rows_grant_nothing(db):
    from django.contrib.auth.models import Permission

    contact = create_user(
        "lou", by=SYSTEM, role=Role.ADMINISTRATION_CONTACT, administration=AdministrationFactory()
    )
    left_over = Group.objects.create(name="Ancien groupe")
    left_over.permissions.set(Permission.objects.filter(content_type__app_label="lifecycle"))
    contact.groups.add(left_over)
    contact.user_permissions.set(Permission.objects.filter(codename="change_batch"))
    contact = User.objects.get(pk=contact.pk)

    assert not contact.has_perm("lifecycle.change_challenge")
    assert not contact.has_perm("notifications.change_batch")
    assert not contact.has_module_perms("lifecycle")


def test_upgrading_puts_staff_status_and_groups_in_line_with_the_profiles(db):
    from django.apps import apps
    from django.contrib.auth.models import Permission

    migration = importlib.import_module("accounts.migrations.0003_roles_from_profiles")
    demoted = programme_manager(username="ancienne")
    demoted.profile.role = Role.JURY_MEMBER
    demoted.profile.save()  # what the older version allowed: a role changed without its rights
    old_group = Group.objects.get_or_create(name="Chargés de programme")[0]
    old_group.permissions.set(Permission.objects.filter(content_type__app_label="lifecycle"))
    demoted.groups.add(old_group)

    migration.roles_from_profiles(apps, None)

    demoted.refresh_from_db()
    assert (demoted.is_staff, list(demoted.groups.values_list("name", flat=True))) == (
        False,
        ["Membres du jury"],
    )
    assert not Group.objects.get(name="Chargés de programme").permissions.exists()


def test_a_former_manager_gives_their_mentor_tasks_back_to_the_team(
    manager, django_capture_on_commit_callbacks
):
    colleague = create_user("collegue", by=SYSTEM, role=Role.PROGRAMME_MANAGER)
    challenge = ChallengeFactory(state=ChallengeState.PITCHED, manager=manager)
    heard(challenge, by=manager)
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(challenge, "select", by=manager, reason="Retenu par le jury")
    assert len(list(mentoring.inbox(manager))) == 2

    set_role(manager, Role.MENTOR, by=colleague)

    assert list(mentoring.inbox(manager)) == []
    assert len(list(mentoring.team_queue(colleague))) == 2
