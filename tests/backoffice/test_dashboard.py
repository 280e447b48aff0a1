import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from lifecycle import services
from lifecycle.enums import AdministrationKind, ChallengeState
from lifecycle.models import AuditEvent, Call
from notifications import outbox
from notifications.enums import DeliveryStatus
from notifications.models import Notification
from tests.factories import AdministrationFactory, ChallengeFactory, PromotionFactory

PARIS = ZoneInfo("Europe/Paris")
S = ChallengeState
URL = reverse("backoffice:dashboard")


def pipeline_counts(html):
    return dict(re.findall(r'<tr data-state="(\w+)">.*?<td class="count">(\d+)</td>', html, re.S))


@pytest.fixture
def promotions(db):
    old = PromotionFactory(number=2, name="EIG 2", year=2017)
    new = PromotionFactory(number=3, name="EIG 3", year=2018)
    return old, new


def test_the_pipeline_counts_the_latest_promotion_by_default(manager_client, promotions):
    old, new = promotions
    for state in [S.SUBMITTED, S.SUBMITTED, S.PRESELECTED, S.SELECTED]:
        ChallengeFactory(promotion=new, state=state, dossier_rows=False)
    ChallengeFactory(promotion=old, state=S.RUNNING, dossier_rows=False)

    html = manager_client.get(URL).content.decode()

    counts = pipeline_counts(html)
    assert counts["submitted"] == "2"
    assert counts["preselected"] == "1"
    assert counts["selected"] == "1"
    assert counts["running"] == "0"
    assert len(counts) == len(ChallengeState)
    assert f'<option value="{new.pk}" selected>EIG 3</option>' in html

    html = manager_client.get(URL, {"promotion": old.pk}).content.decode()
    counts = pipeline_counts(html)
    assert counts["running"] == "1"
    assert counts["submitted"] == "0"


def test_the_cofinancing_envelope_counts_committed_eligible_requested_cases_only(manager_client, promotions):
    _old, new = promotions
    Call.objects.filter(promotion=new).update(cofinancing_envelope=Decimal("1500000"))
    ministry = AdministrationFactory(kind=AdministrationKind.MINISTRY)
    region = AdministrationFactory(kind=AdministrationKind.TERRITORIAL_AUTHORITY)

    def make(state, amount, administration=ministry, requested=True):
        ChallengeFactory(
            promotion=new,
            state=state,
            administration=administration,
            cofinancing_requested=requested,
            cofinancing_amount=Decimal(amount),
            dossier_rows=False,
        )

    make(S.SELECTED, "105000")
    make(S.RUNNING, "210000")
    make(S.COMPLETED, "100000.50")
    make(S.PITCHED, "70000")  # not committed yet
    make(S.SELECTED, "50000", administration=region)  # not eligible
    make(S.RECRUITING, "40000", requested=False)  # not requested

    html = manager_client.get(URL).content.decode()

    assert '<span class="cofinancing-committed">415\xa0000,50 €</span>' in html
    assert '<span class="cofinancing-envelope">1\xa0500\xa0000,00 €</span>' in html
    assert "(27 %)" in html
    assert '<progress id="cofinancing-progress" max="100" value="27"' in html


@pytest.mark.parametrize(
    ("now", "label", "countdown", "when"),
    [
        (
            dt.datetime(2018, 6, 10, 12, 0, tzinfo=PARIS),
            "Date limite de dépôt des dossiers",
            "dans 7 jours",
            "le 17 juin 2018 à 17:00, heure de Paris",
        ),
        (
            dt.datetime(2018, 6, 17, 16, 0, tzinfo=PARIS),
            "Date limite de dépôt des dossiers",
            "aujourd’hui",
            "le 17 juin 2018 à 17:00, heure de Paris",
        ),
        (
            dt.datetime(2018, 6, 17, 17, 0, 1, tzinfo=PARIS),
            "Jury",
            "dans 16 jours",
            "le 3 juillet 2018, heure de Paris",
        ),
        (
            dt.datetime(2018, 7, 4, 9, 0, tzinfo=PARIS),
            "Ouverture de l’appel à candidatures",
            "dans 1 jour",
            "le 5 juillet 2018 à 10:00, heure de Paris",
        ),
    ],
)
def test_the_countdown_to_the_next_date_of_the_call(manager_client, promotions, now, label, countdown, when):
    _old, new = promotions
    Call.objects.filter(promotion=new).update(
        submission_deadline=dt.datetime(2018, 6, 17, 17, 0, tzinfo=PARIS),
        jury_starts_on=dt.date(2018, 7, 3),
        jury_ends_on=dt.date(2018, 7, 5),
        recruitment_opens_at=dt.datetime(2018, 7, 5, 10, 0, tzinfo=PARIS),
        recruitment_closes_at=dt.datetime(2018, 9, 30, 23, 59, tzinfo=PARIS),
        starts_on=dt.date(2019, 1, 7),
    )
    with time_machine.travel(now, tick=False):
        html = manager_client.get(URL).content.decode()

    assert f'<strong>{label}</strong> : <span class="countdown">{countdown}</span>' in html
    assert f"({when})" in html


def test_no_date_ahead(manager_client, promotions):
    _old, new = promotions
    Call.objects.filter(promotion=new).update(
        submission_deadline=dt.datetime(2018, 6, 17, 17, 0, tzinfo=PARIS),
        jury_starts_on=None,
        jury_ends_on=None,
    )
    with time_machine.travel(dt.datetime(2019, 1, 1, tzinfo=PARIS), tick=False):
        html = manager_client.get(URL).content.decode()
    assert "Aucune date à venir dans le calendrier de l’appel." in html


def test_recent_activity_and_empty_tasks(manager_client, manager, promotions):
    _old, new = promotions
    challenge = ChallengeFactory(promotion=new, state=S.SUBMITTED, name="Défi Signaux faibles")
    services.transition(challenge, "preselect", by=manager, reason="Dossier solide")

    html = manager_client.get(URL).content.decode()

    assert "Aucune tâche en attente." in html
    link = f'<a href="{reverse("backoffice:challenge", args=[challenge.pk])}">Défi Signaux faibles</a>'
    assert link in html
    assert "Claude Etalab (gestionnaire)" in html
    assert "Changement d’état : Présélectionner" in html


def test_a_dashboard_without_any_promotion(manager_client):
    response = manager_client.get(URL)
    assert response.status_code == 200
    assert "Aucune promotion n’est encore enregistrée." in response.content.decode()


def test_failed_and_uncertain_mails_are_shown_and_retried_knowing_they_may_duplicate(
    manager_client, manager, django_capture_on_commit_callbacks
):
    challenge = ChallengeFactory(state=ChallengeState.SUBMITTED, name="Datafin")
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(
            challenge, "preselect", by=manager, reason="Bon", options={outbox.HOLD_MAIL: True}
        )
    uncertain, failed, _copy = Notification.objects.order_by("pk")
    Notification.objects.filter(pk=uncertain.pk).update(
        status=DeliveryStatus.FAILED, uncertain=True, last_error="Envoi interrompu : remise incertaine"
    )
    Notification.objects.filter(pk=failed.pk).update(status=DeliveryStatus.FAILED, last_error="550 inconnu")

    page = manager_client.get(reverse("backoffice:dashboard")).content.decode()
    assert "2 e-mails ne sont pas partis" in page
    assert page.count("remise incertaine</p>") == 1

    refused = manager_client.post(
        reverse("backoffice:retry_mails"), {"mails": [uncertain.pk, failed.pk]}, follow=True
    )
    assert "Rien n’a été renvoyé." in refused.content.decode()
    assert Notification.objects.filter(status=DeliveryStatus.FAILED).count() == 2

    with django_capture_on_commit_callbacks(execute=False):
        done = manager_client.post(
            reverse("backoffice:retry_mails"),
            {"mails": [uncertain.pk, failed.pk], "accept_duplicates": "1"},
            follow=True,
        )
    assert "2 e-mails remis en file d’envoi." in done.content.decode()
    assert set(
        Notification.objects.filter(pk__in=[uncertain.pk, failed.pk]).values_list("status", "uncertain")
    ) == {(DeliveryStatus.PENDING, False)}
    retried = AuditEvent.objects.filter(kind="mail_retried", challenge=challenge)
    assert (retried.count(), {event.actor_id for event in retried}) == (2, {manager.pk})
    assert retried.get(subject=f"notification:{uncertain.pk}").changes["uncertain"] == [None, True]
