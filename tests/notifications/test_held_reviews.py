"""Held e-mails: one review (Batch) per decision act, and the decisions on it (edit, drop,
release with the figures confirmed, discard), each audited."""

import contextlib

import pytest
import time_machine
from django.core.exceptions import ValidationError

from lifecycle import personal, services
from lifecycle.enums import AuditKind, ChallengeState
from lifecycle.models import AuditEvent
from notifications import outbox
from notifications.enums import DeliveryStatus, MessageEvent
from notifications.models import Batch, MessageTemplate, Notification
from tests.factories import AdministrationFactory, ChallengeFactory, programme_manager

S = ChallengeState
PARIS_AFTERNOON = "2026-12-01 14:05:00 +01:00"


@pytest.fixture
def manager(db):
    return programme_manager(username="gestionnaire", first_name="Claude", last_name="Etalab")


def held_move(challenge, name, by, capture, hold=True):
    with capture(execute=True):
        return services.transition(challenge, name, by=by, reason="Comité", options={outbox.HOLD_MAIL: hold})


def test_two_held_moves_make_two_reviews_never_one_bucket(manager, django_capture_on_commit_callbacks):
    first, second = (
        ChallengeFactory(state=S.SUBMITTED, name="Alpha"),
        ChallengeFactory(state=S.SUBMITTED, name="Bravo"),
    )
    with time_machine.travel(PARIS_AFTERNOON, tick=False):
        held_move(first, "preselect", manager, django_capture_on_commit_callbacks)
        held_move(second, "preselect", manager, django_capture_on_commit_callbacks)

    reviews = list(Batch.objects.order_by("pk"))
    assert [review.label for review in reviews] == [
        "Présélectionner — Alpha — 1 décembre 2026 14:05",
        "Présélectionner — Bravo — 1 décembre 2026 14:05",
    ]
    for review, challenge in zip(reviews, (first, second), strict=True):
        assert (review.transition, review.event, review.created_by) == ("preselect", "preselected", manager)
        assert {n.challenge_id for n in review.notifications.all()} == {challenge.pk}
        assert list(review.audit_events.values_list("challenge_id", "transition")) == [
            (challenge.pk, "preselect")
        ]


def test_a_bulk_act_holds_its_messages_in_one_review_named_after_it(
    manager, django_capture_on_commit_callbacks
):
    challenges = [ChallengeFactory(state=S.SUBMITTED, name=f"Défi {n}") for n in range(3)]
    refused = ChallengeFactory(state=S.RUNNING, name="Défi en cours")
    with (
        time_machine.travel(PARIS_AFTERNOON, tick=False),
        outbox.review_of_act(by=manager, transition="reject") as review,
    ):
        for challenge in [*challenges, refused]:
            with contextlib.suppress(services.TransitionRefused):  # one refused: the others move
                held_move(challenge, "reject", manager, django_capture_on_commit_callbacks, hold=review)

    assert Batch.objects.get() == review
    review.refresh_from_db()
    assert review.label == "Ne pas présélectionner — 3 défis — 1 décembre 2026 14:05"
    assert review.notifications.filter(status=DeliveryStatus.HELD).count() == 9  # 2 mentors + team, × 3
    assert {n.challenge_id for n in review.notifications.all()} == {c.pk for c in challenges}
    assert review.audit_events.count() == 3
    assert not Notification.objects.filter(status=DeliveryStatus.PENDING).exists()


def test_an_act_that_moved_nothing_leaves_no_empty_review(manager):
    running = ChallengeFactory(state=S.RUNNING)
    with (
        outbox.review_of_act(by=manager, transition="reject") as review,
        pytest.raises(services.TransitionRefused),
    ):
        services.transition(running, "reject", by=manager, reason="x", options={outbox.HOLD_MAIL: review})
    assert not Batch.objects.exists()
    with outbox.review_of_act(by=manager, transition="reject", hold=False) as nothing:
        assert nothing is None


def test_every_other_held_call_gets_its_own_review(manager):
    challenge = ChallengeFactory(state=S.SUBMITTED, name="Gamma")
    outbox.queue(challenge, MessageEvent.DEADLINE_REMINDER, key="a", hold=True, by=manager, days_left=3)
    outbox.queue(challenge, MessageEvent.DEADLINE_REMINDER, key="b", hold=True, by=manager, days_left=3)
    labels = list(Batch.objects.order_by("pk").values_list("label", "transition"))
    assert len(labels) == 2
    assert all(label.startswith("Rappel de la date limite — Gamma — ") and not t for label, t in labels)


def test_a_review_closed_meanwhile_gives_the_act_s_next_messages_a_review_of_their_own(
    manager, django_capture_on_commit_callbacks
):
    first, second = ChallengeFactory(state=S.SUBMITTED), ChallengeFactory(state=S.SUBMITTED)
    with outbox.review_of_act(by=manager, transition="preselect") as review:
        held_move(first, "preselect", manager, django_capture_on_commit_callbacks, hold=review)
        outbox.discard(review, by=manager)
        held_move(second, "preselect", manager, django_capture_on_commit_callbacks, hold=review)
    late = Notification.objects.filter(challenge=second).first().batch
    assert late != review and late.closed_at is None
    assert late.notifications.filter(status=DeliveryStatus.HELD).count() == 3


def test_the_figures_count_messages_and_administrations(manager, django_capture_on_commit_callbacks):
    shared = AdministrationFactory(name="Ministère des Armées")
    challenges = [
        ChallengeFactory(state=S.SUBMITTED, administration=shared),
        ChallengeFactory(state=S.SUBMITTED, administration=shared),
        ChallengeFactory(state=S.SUBMITTED),
    ]
    with outbox.review_of_act(by=manager, transition="preselect") as review:
        for challenge in challenges:
            held_move(challenge, "preselect", manager, django_capture_on_commit_callbacks, hold=review)
    figures = outbox.held_figures(review)
    assert (figures.messages, figures.administrations, figures.challenges) == (9, 2, 3)
    assert str(figures) == "9 e-mails à 2 administrations"


def test_a_release_must_confirm_what_is_held_now(manager, django_capture_on_commit_callbacks):
    challenge = ChallengeFactory(state=S.SUBMITTED)
    held_move(challenge, "preselect", manager, django_capture_on_commit_callbacks)
    review = Batch.objects.get()
    read = outbox.held_figures(review)

    first = review.notifications.order_by("pk").first()
    outbox.edit_held(first, subject=first.subject, body=first.body + "\nP.-S.", by=manager)
    with pytest.raises(ValidationError, match="Le lot a changé depuis que vous l’avez relu"):
        outbox.release(review, by=manager, confirmed=read)
    assert review.notifications.filter(status=DeliveryStatus.HELD).count() == 3  # nothing left

    reread = outbox.held_figures(review)
    with django_capture_on_commit_callbacks(execute=False):
        assert outbox.release(review, by=manager, confirmed=reread) == 3
    event = AuditEvent.objects.get(kind=AuditKind.MAIL_RELEASED)
    assert (event.subject, event.reason, event.changes) == (
        f"batch:{review.pk}",
        review.label,
        {"messages": [None, 3], "administrations": [None, 1]},
    )
    with pytest.raises(ValidationError, match="Ce lot a déjà été envoyé ou abandonné"):
        outbox.release(review, by=manager)


def test_a_dropped_message_is_audited_and_never_sent(manager, django_capture_on_commit_callbacks):
    challenge = ChallengeFactory(state=S.SUBMITTED)
    held_move(challenge, "preselect", manager, django_capture_on_commit_callbacks)
    review = Batch.objects.get()
    before = outbox.held_figures(review)
    dropped = review.notifications.get(recipient_role="Mentor stratégique")

    outbox.drop(dropped, by=manager)

    dropped.refresh_from_db()
    assert (dropped.status, dropped.last_error) == (
        DeliveryStatus.DISCARDED,
        "Retiré du lot par Claude Etalab (gestionnaire).",
    )
    event = AuditEvent.objects.get(kind=AuditKind.MAIL_DROPPED)
    assert (event.challenge, event.actor, event.subject) == (challenge, manager, f"notification:{dropped.pk}")
    # The address is kept apart from the chain, as the message's (docs/personal-data.md).
    assert event.changes["recipient"] == [None, {"personal": f"notification:{dropped.pk}"}]
    assert personal.changes_of(event)["recipient"] == [None, dropped.recipient_email]
    with pytest.raises(ValidationError):
        outbox.release(review, by=manager, confirmed=before)  # the figures read before the drop
    with pytest.raises(ValidationError, match="n’est plus retenu"):
        outbox.drop(dropped, by=manager)

    for other in review.notifications.filter(status=DeliveryStatus.HELD):
        outbox.drop(other, by=manager)
    review.refresh_from_db()
    assert review.closed_at is not None  # nothing held any more: the review closes


def test_an_edit_of_a_held_message_is_audited(manager, django_capture_on_commit_callbacks):
    challenge = ChallengeFactory(state=S.SUBMITTED)
    held_move(challenge, "preselect", manager, django_capture_on_commit_callbacks)
    mail = Batch.objects.get().notifications.first()
    outbox.edit_held(mail, subject="[EIG] Objet relu", body=mail.body, by=manager)
    event = AuditEvent.objects.get(kind=AuditKind.MAIL_EDITED)
    assert (event.challenge, event.actor, event.changes["subject"][1]) == (
        challenge,
        manager,
        "[EIG] Objet relu",
    )


def test_releasing_one_review_sends_none_of_another(smtp_server, manager, django_capture_on_commit_callbacks):
    first = ChallengeFactory(state=S.SUBMITTED, name="Premier défi")
    second = ChallengeFactory(state=S.SUBMITTED, name="Second défi")
    held_move(first, "preselect", manager, django_capture_on_commit_callbacks)
    held_move(second, "preselect", manager, django_capture_on_commit_callbacks)
    mine, other = Batch.objects.order_by("pk")

    with django_capture_on_commit_callbacks(execute=True):
        outbox.release(mine, by=manager, confirmed=outbox.held_figures(mine))

    subjects = smtp_server.header("Subject")
    assert len(subjects) == 3
    assert all("Premier défi" in subject for subject in subjects)
    assert other.notifications.filter(status=DeliveryStatus.HELD).count() == 3
    other.refresh_from_db()
    assert other.closed_at is None


def test_whether_a_message_cites_the_reason_reads_its_template(db):
    assert outbox.quotes_reason("preselected", "fr")
    assert not outbox.quotes_reason("invited_to_pitch", "fr")
    MessageTemplate.objects.filter(event="preselected", language="fr").delete()
    assert outbox.quotes_reason("preselected", "fr")  # the default then
    MessageTemplate.objects.create(event="preselected", language="fr", subject="Présélection", body="Bravo.")
    assert not outbox.quotes_reason("preselected", "fr")


def test_a_move_with_no_e_mail_to_hold_opens_no_review(manager, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_TEAM_EMAIL = ""
    lonely = ChallengeFactory(state=S.SUBMITTED, name="Sans contact", dossier_rows=False)
    held_move(lonely, "preselect", manager, django_capture_on_commit_callbacks)

    assert list(lonely.notifications.values_list("status", "batch")) == [
        (DeliveryStatus.INVALID_RECIPIENT, None)
    ]
    assert not Batch.objects.exists()  # nothing waits for a review that would never close
