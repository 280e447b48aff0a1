import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.enums import Role
from lifecycle import personal, services
from lifecycle.enums import AuditKind, ChallengeState
from lifecycle.models import AuditEvent, Challenge
from tests.factories import ChallengeFactory, programme_manager, user_with_role
from tests.html_forms import form_data


@pytest.fixture
def manager_client(client, db):
    client.force_login(programme_manager(username="gestionnaire"))
    return client


def test_the_change_form_shows_the_state_read_only_and_the_possible_moves(manager_client):
    challenge = ChallengeFactory(problem="")
    page = manager_client.get(reverse("admin:lifecycle_challenge_change", args=[challenge.pk]))
    html = page.content.decode()

    assert page.status_code == 200
    assert 'name="state"' not in html
    assert "Brouillon" in html
    assert "Déposer le dossier : Champ obligatoire non rempli : « problématique à résoudre »." in html
    assert "Retirer le défi : possible" in html


def test_saving_the_change_form_audits_every_changed_field(manager_client):
    challenge = ChallengeFactory(problem="Avant")
    url = reverse("admin:lifecycle_challenge_change", args=[challenge.pk])
    data = form_data(manager_client.get(url).content.decode(), "challenge_form")
    data["problem"] = "Après"
    data["mentors-0-phone"] = "06 00 00 00 00"

    response = manager_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    [event] = AuditEvent.objects.filter(challenge=challenge)
    assert event.kind == AuditKind.DOSSIER_CHANGED
    assert event.actor.username == "gestionnaire"
    assert personal.changes_of(event) == {
        "problem": ["Avant", "Après"],
        "mentor[operational].phone": ["01 23 45 67 89", "06 00 00 00 00"],
    }


def test_a_bad_pitch_deck_is_refused_in_the_form(manager_client):
    challenge = ChallengeFactory()
    url = reverse("admin:lifecycle_challenge_change", args=[challenge.pk])
    data = form_data(manager_client.get(url).content.decode(), "challenge_form")
    data["pitch_deck"] = SimpleUploadedFile("pitch.pptx", b"PK\x03\x04 not a pdf")

    response = manager_client.post(url, data)

    assert response.status_code == 200
    assert "Le fichier de présentation n’est pas un PDF" in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_a_transition_is_an_admin_action_with_a_reason(manager_client):
    challenges = [ChallengeFactory(state=ChallengeState.SUBMITTED) for _ in range(2)]
    changelist = reverse("admin:lifecycle_challenge_changelist")
    selection = {
        "action": "transition_preselect",
        "_selected_action": [str(challenge.pk) for challenge in challenges],
    }

    confirmation = manager_client.post(changelist, selection)
    assert confirmation.status_code == 200
    assert "Motif" in confirmation.content.decode()
    assert Challenge.objects.filter(state=ChallengeState.PRESELECTED).count() == 0

    done = manager_client.post(
        changelist, {**selection, "apply": "1", "reason": "Jury du 2 juillet"}, follow=True
    )

    assert "2 défi(s) : « Présélectionner » effectué." in done.content.decode()
    assert Challenge.objects.filter(state=ChallengeState.PRESELECTED).count() == 2
    assert list(AuditEvent.objects.values_list("reason", flat=True)) == ["Jury du 2 juillet"] * 2


def test_a_refused_admin_action_says_why(manager_client):
    challenge = ChallengeFactory(state=ChallengeState.SUBMITTED, name="Datafin")
    changelist = reverse("admin:lifecycle_challenge_changelist")
    response = manager_client.post(
        changelist,
        {
            "action": "transition_select",
            "_selected_action": [str(challenge.pk)],
            "apply": "1",
            "reason": "ok",
        },
        follow=True,
    )
    assert "Datafin : « Sélectionner » n’est pas possible depuis l’état « Déposé »." in (
        response.content.decode()
    )
    assert not AuditEvent.objects.exists()


def test_the_audit_trail_is_read_only_in_the_admin(manager_client):
    ChallengeFactory(state=ChallengeState.SUBMITTED)
    challenge = Challenge.objects.get()
    services.transition(challenge, "withdraw", by=programme_manager(username="g2"))
    event = AuditEvent.objects.get()

    assert manager_client.get(reverse("admin:lifecycle_auditevent_changelist")).status_code == 200
    detail = manager_client.get(reverse("admin:lifecycle_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert manager_client.get(reverse("admin:lifecycle_auditevent_add")).status_code == 403
    assert (
        manager_client.post(
            reverse("admin:lifecycle_auditevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert AuditEvent.objects.count() == 1


def test_an_auditor_reads_the_trail_but_changes_no_challenge(client, db):
    client.force_login(user_with_role(Role.AUDITOR, username="auditrice"))
    challenge = ChallengeFactory()
    assert client.get(reverse("admin:lifecycle_auditevent_changelist")).status_code == 200
    page = client.get(reverse("admin:lifecycle_challenge_change", args=[challenge.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()


def test_the_admin_refuses_two_identical_mentors_and_too_many_eigs_with_a_message(manager_client):
    challenge = ChallengeFactory()
    url = reverse("admin:lifecycle_challenge_change", args=[challenge.pk])
    data = form_data(manager_client.get(url).content.decode(), "challenge_form")
    same = {**data, "mentors-1-email": data["mentors-0-email"]}

    response = manager_client.post(url, same)

    assert response.status_code == 200
    assert "Les mentors opérationnel et stratégique doivent être deux personnes." in response.content.decode()
    call = challenge.promotion.call
    call.max_eigs_per_challenge = 2
    call.save()
    three = {
        **data,
        "eig_positions-TOTAL_FORMS": "3",
        "eig_positions-2-rank": "3",
        "eig_positions-2-mission": "Une troisième mission",
        "eig_positions-2-profile": "design",
        "eig_positions-2-expertise": "",
    }
    response = manager_client.post(url, three)
    assert response.status_code == 200
    assert "Le défi demande au plus 2 EIG." in response.content.decode()
    assert challenge.eig_positions.count() == 2
    assert not AuditEvent.objects.filter(challenge=challenge).exists()


def test_the_promotion_of_a_case_is_read_only_in_the_admin(manager_client):
    challenge = ChallengeFactory()
    page = manager_client.get(
        reverse("admin:lifecycle_challenge_change", args=[challenge.pk])
    ).content.decode()
    assert 'name="promotion"' not in page
