"""Ask for corrections: a manager sends a submitted dossier back with what to correct and a date;
the administration edits the sections asked for only, and resubmits before the date (23:59 Paris
time included); both moves are guarded and audited."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from lifecycle import corrections, services
from lifecycle.dossier import edits
from lifecycle.enums import AuditKind, ChallengeState, TransitionName
from lifecycle.models import AuditEvent
from notifications.models import Notification
from tests.factories import AdministrationFactory, ChallengeFactory, administration_contact, programme_manager
from tests.html_forms import form_data

PARIS = timezone.get_default_timezone()
# A Monday in the call's examination; the jury starts on 15 October 2018 below.
NOW = dt.datetime(2018, 10, 3, 10, 0, tzinfo=PARIS)
DUE = dt.date(2018, 10, 10)
WHAT = "Précisez les jeux de données mobilisés et joignez la présentation à jour (10 diapositives)."


@pytest.fixture
def moment():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def manager(db):
    return programme_manager(username="chargee", email="chargee@etalab.gouv.fr")


@pytest.fixture
def challenge(db, moment):
    administration = AdministrationFactory(name="Direction générale des Finances publiques")
    challenge = ChallengeFactory(state=ChallengeState.SUBMITTED, administration=administration)
    call = challenge.promotion.call
    call.submission_deadline = NOW - dt.timedelta(days=2)
    call.jury_starts_on = dt.date(2018, 10, 15)
    call.save()
    return challenge


@pytest.fixture
def contact(challenge):
    return administration_contact(
        challenge.administration, username="contact-dgfip", email="contact@dgfip.gouv.fr"
    )


def ask(challenge, manager, **changes):
    values = {"sections": ["ressources", "presentation"], "what": WHAT, "due_on": DUE, **changes}
    return corrections.request(challenge, by=manager, **values)


def test_a_request_reopens_the_sections_asked_for_and_is_audited_and_mailed(challenge, manager, contact):
    ask(challenge, manager)

    challenge.refresh_from_db()
    assert (challenge.state, challenge.corrections_sections, challenge.corrections_due_on) == (
        ChallengeState.CORRECTIONS_REQUESTED,
        ["ressources", "presentation"],
        DUE,
    )
    event = AuditEvent.objects.get(challenge=challenge, transition=TransitionName.REQUEST_CORRECTIONS)
    assert (event.actor, event.from_state, event.to_state, event.reason) == (
        manager,
        ChallengeState.SUBMITTED,
        ChallengeState.CORRECTIONS_REQUESTED,
        WHAT,
    )
    mail = Notification.objects.get(audit_event=event, recipient_email="contact@dgfip.gouv.fr")
    assert mail.subject == f"[EIG] Corrections demandées : « {challenge.name} »"
    assert WHAT in mail.body
    assert "Ressources et données, Présentation de synthèse" in mail.body
    assert "mercredi 10 octobre 2018 à 23:59 incluse" in mail.body

    assert corrections.is_open_to_corrections(challenge, "ressources")
    edits.update_dossier(challenge, {"datasets": "Fichier des comptes bancaires (FICOBA)."}, by=contact)
    challenge.refresh_from_db()
    assert challenge.datasets == "Fichier des comptes bancaires (FICOBA)."
    with pytest.raises(PermissionDenied):
        edits.update_dossier(challenge, {"problem": "Un autre problème."}, by=contact)
    with pytest.raises(edits.DossierLocked):
        edits.set_team(challenge, [], by=contact)
    challenge.refresh_from_db()
    assert challenge.problem == "Les données de l’administration sont dispersées et peu réutilisées."


def test_the_administration_resubmits_until_the_last_minute_of_the_day(challenge, manager, contact):
    ask(challenge, manager)
    with time_machine.travel(dt.datetime(2018, 10, 10, 23, 59, 59, tzinfo=PARIS), tick=False):
        corrections.resubmit(challenge, by=contact)
    challenge.refresh_from_db()
    assert challenge.state == ChallengeState.SUBMITTED
    event = AuditEvent.objects.filter(challenge=challenge).order_by("-id").first()
    assert (event.transition, event.actor, event.to_state) == (
        TransitionName.RESUBMIT,
        contact,
        ChallengeState.SUBMITTED,
    )
    assert Notification.objects.filter(audit_event=event, event="resubmitted").exists()
    with pytest.raises(edits.DossierLocked):
        edits.update_dossier(challenge, {"datasets": "Encore un changement."}, by=contact)


def test_a_resubmission_after_the_deadline_is_refused_until_a_manager_extends_it(challenge, manager, contact):
    ask(challenge, manager)
    late = dt.datetime(2018, 10, 11, 0, 0, 0, tzinfo=PARIS)
    with time_machine.travel(late, tick=False):
        with pytest.raises(services.TransitionRefused) as refused:
            corrections.resubmit(challenge, by=contact)
        assert refused.value.reasons == [
            "Le délai des corrections a expiré le mercredi 10 octobre 2018 à 23:59 incluse "
            "(heure de Paris) : demandez au programme de le prolonger."
        ]
        with pytest.raises(PermissionDenied):
            corrections.extend(challenge, dt.date(2018, 10, 12), by=contact)
        with pytest.raises(ValidationError) as earlier:
            corrections.extend(challenge, dt.date(2018, 10, 9), by=manager)
        assert earlier.value.message_dict == {
            "due_on": [
                "Choisissez un jour après la date limite actuelle (10 octobre 2018) : un délai se prolonge."
            ]
        }
        corrections.extend(challenge, dt.date(2018, 10, 12), by=manager)
        corrections.resubmit(challenge, by=contact)
    challenge.refresh_from_db()
    assert challenge.state == ChallengeState.SUBMITTED
    extension = AuditEvent.objects.get(challenge=challenge, kind=AuditKind.DOSSIER_CHANGED, actor=manager)
    assert extension.changes == {"corrections_due_on": ["2018-10-10", "2018-10-12"]}
    told = Notification.objects.get(audit_event=extension, recipient_email="contact@dgfip.gouv.fr")
    assert told.subject == f"[EIG] Délai des corrections prolongé : « {challenge.name} »"
    assert "vendredi 12 octobre 2018 à 23:59 incluse" in told.body


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"sections": []}, "sections", "Choisissez au moins une partie du dossier à corriger."),
        ({"what": "  "}, "what", "Indiquez ce que l’administration doit corriger."),
        (
            {"due_on": dt.date(2018, 10, 3)},
            "due_on",
            "La date limite des corrections doit être postérieure à aujourd’hui.",
        ),
        (
            {"due_on": dt.date(2018, 10, 15)},
            "due_on",
            "La date limite des corrections doit précéder le premier jour du jury (15 octobre 2018) : "
            "le dossier corrigé doit être examiné avant les auditions.",
        ),
    ],
)
def test_a_request_needs_sections_a_text_and_a_date_before_the_jury(
    challenge, manager, changes, field, message
):
    with pytest.raises(ValidationError) as refused:
        ask(challenge, manager, **changes)
    assert refused.value.message_dict == {field: [message]}
    challenge.refresh_from_db()
    assert (challenge.state, challenge.corrections_sections, challenge.corrections_due_on) == (
        ChallengeState.SUBMITTED,
        [],
        None,
    )
    assert not AuditEvent.objects.filter(challenge=challenge, kind=AuditKind.TRANSITION).exists()


def test_the_move_alone_is_refused_without_the_sections_and_the_date(challenge, manager):
    with pytest.raises(services.TransitionRefused) as refused:
        services.transition(challenge, TransitionName.REQUEST_CORRECTIONS, by=manager, reason=WHAT)
    assert refused.value.reasons == [
        "« Demander des corrections » se fait par son propre formulaire, qui demande aussi ce qu’il lui faut."
    ]
    # Even after a first round, whose sections and date are still on the dossier.
    ask(challenge, manager)
    corrections.resubmit(challenge, by=administration_contact(challenge.administration))
    with pytest.raises(services.TransitionRefused) as again:
        services.transition(challenge, TransitionName.REQUEST_CORRECTIONS, by=manager, reason=WHAT)
    assert again.value.code == "guards"
    challenge.refresh_from_db()
    assert challenge.state == ChallengeState.SUBMITTED


def test_only_a_manager_asks_and_a_dossier_in_corrections_may_be_rejected(challenge, manager, contact):
    with pytest.raises(PermissionDenied):
        ask(challenge, contact)
    ask(challenge, manager)
    services.transition(
        challenge, TransitionName.REJECT, by=manager, reason="Le dossier n’a pas été corrigé."
    )
    challenge.refresh_from_db()
    assert challenge.state == ChallengeState.NOT_PRESELECTED


def test_the_round_trip_through_the_pages(
    client, challenge, manager, contact, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    case = reverse("backoffice:challenge", args=[challenge.pk])
    page = client.get(case).content.decode()
    assert 'id="corrections-request"' in page

    refused = client.post(
        reverse("backoffice:corrections_request", args=[challenge.pk]),
        {"sections": ["ressources"], "what": WHAT, "due_on": "2018-10-20", "confirm": "1"},
    )
    text = refused.content.decode()
    assert refused.status_code == 200
    assert "doit précéder le premier jour du jury" in text
    assert "Précisez les jeux de données mobilisés" in text  # what was typed is kept

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("backoffice:corrections_request", args=[challenge.pk]),
            {"sections": ["ressources"], "what": WHAT, "due_on": "2018-10-10", "confirm": "1"},
        )
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.state == ChallengeState.CORRECTIONS_REQUESTED
    assert "mercredi 10 octobre 2018 à 23:59 incluse" in client.get(case).content.decode()

    client.force_login(contact)
    portal = client.get(reverse("portal:dossier", args=[challenge.pk])).content.decode()
    assert "Le programme vous demande des corrections" in portal
    assert "Précisez les jeux de données mobilisés" in portal
    assert "Déposez le dossier corrigé au plus tard le mercredi 10 octobre 2018 à 23:59 incluse" in portal
    open_step = client.get(reverse("portal:dossier_step", args=[challenge.pk, "ressources"])).content.decode()
    assert 'id="step-form"' in open_step
    assert "à corriger" in open_step
    data = form_data(open_step, "step-form")
    data.update(datasets="Fichier des comptes bancaires (FICOBA), mis à jour chaque mois.", action="continue")
    saved = client.post(reverse("portal:dossier_step", args=[challenge.pk, "ressources"]), data)
    # The next step open to the contact: the review, the other sections being closed.
    assert saved.headers["Location"] == reverse("portal:dossier_step", args=[challenge.pk, "recapitulatif"])
    review = client.get(saved.headers["Location"]).content.decode()
    modify = reverse("portal:dossier_step", args=[challenge.pk, "description"])
    assert f'href="{modify}">Modifier' not in review
    assert reverse("portal:dossier_step", args=[challenge.pk, "ressources"]) + '">Modifier' in review
    assert "Déposer le dossier corrigé" in review
    closed_step = client.get(
        reverse("portal:dossier_step", args=[challenge.pk, "description"])
    ).content.decode()
    assert 'id="step-form"' not in closed_step
    assert "Cette partie n’est pas ouverte aux corrections" in closed_step

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:dossier_submit", args=[challenge.pk]))
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.state == ChallengeState.SUBMITTED


def test_the_case_page_says_when_it_is_too_late_to_ask(client, challenge, manager):
    client.force_login(manager)
    case = reverse("backoffice:challenge", args=[challenge.pk])
    assert "Entre le 4 octobre 2018 et le 14 octobre 2018." in client.get(case).content.decode()
    call = challenge.promotion.call
    call.jury_starts_on = dt.date(2018, 10, 4)  # tomorrow: no day is left
    call.save()
    page = client.get(case).content.decode()
    assert 'id="corrections-request"' not in page
    assert "Le jury commence le 4 octobre 2018 : il est trop tard pour renvoyer le dossier" in page
