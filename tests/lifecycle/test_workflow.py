"""The table of moves (`lifecycle.workflow`), what reads it, and the hooks of a move."""

import pytest
from django.db.models.signals import ModelSignal

from lifecycle import rules, services, signals, workflow
from lifecycle.enums import ChallengeState, TransitionName
from lifecycle.models import Challenge
from notifications import outbox
from notifications.defaults import DEFAULTS
from notifications.enums import DeliveryStatus, MessageEvent
from notifications.models import Batch, Notification
from tests.factories import ChallengeFactory, administration_contact, programme_manager

S = ChallengeState


def fsm_graph() -> dict[str, tuple[set[str], str]]:
    """The graph django-fsm knows from the @transition methods of Challenge."""
    graph = {}
    for transition in Challenge._meta.get_field("state").get_all_transitions(Challenge):
        sources, target = graph.get(transition.name, (set(), transition.target))
        assert target == transition.target, transition.name
        graph[transition.name] = (sources | {transition.source}, transition.target)
    return graph


def test_the_table_of_moves_and_the_state_machine_agree():
    table = {
        move.name.value: ({str(s) for s in move.sources}, str(move.target))
        for move in workflow.MOVES.values()
    }
    assert table == fsm_graph()
    assert set(workflow.MOVES) == set(TransitionName)


def test_every_move_has_a_message_with_french_and_english_texts():
    for move in workflow.MOVES.values():
        event = MessageEvent(move.message)  # raises if the table names an unknown message
        assert (event, "fr") in DEFAULTS and (event, "en") in DEFAULTS, move.name


def test_the_table_is_what_the_rights_and_the_mentoring_read():
    assert workflow.contact_moves() == {
        TransitionName.SUBMIT,
        TransitionName.RESUBMIT,
        TransitionName.WITHDRAW,
    }
    assert workflow.mentoring_moves() == {
        TransitionName.SELECT,
        TransitionName.OPEN_RECRUITMENT,
        TransitionName.START,
        TransitionName.WITHDRAW,
    }
    assert {move.name for move in workflow.MOVES.values() if move.needs_reason} == {
        TransitionName.REQUEST_CORRECTIONS,  # what to correct
        TransitionName.PRESELECT,
        TransitionName.REJECT,
        TransitionName.SELECT,
        TransitionName.NOT_SELECT,
    }
    assert {move.name for move in workflow.MOVES.values() if move.scheduled} == {
        TransitionName.OPEN_RECRUITMENT
    }


@pytest.mark.django_db
def test_a_contact_may_make_exactly_the_moves_the_table_gives_it():
    challenge = ChallengeFactory(state=S.SUBMITTED)
    contact = administration_contact(challenge.administration)
    allowed = {name for name in TransitionName if rules.can_transition(contact, challenge, name)}
    assert allowed == workflow.contact_moves()


@pytest.mark.django_db
def test_the_options_of_an_interface_say_which_moves_need_a_reason():
    challenge = ChallengeFactory(state=S.SUBMITTED)
    options = {
        option.name: option.needs_reason
        for option in services.transition_options(challenge, by=programme_manager())
    }
    assert options == {
        TransitionName.REQUEST_CORRECTIONS: True,
        TransitionName.PRESELECT: True,
        TransitionName.REJECT: True,
        TransitionName.WITHDRAW: False,
    }


@pytest.mark.parametrize(
    ("target", "through", "path"),
    [
        (S.DRAFT, None, []),
        (S.SUBMITTED, None, ["submit"]),
        (S.NOT_SELECTED, None, ["submit", "preselect", "pitch", "not_select"]),
        (
            S.COMPLETED,
            None,
            ["submit", "preselect", "pitch", "select", "open_recruitment", "start", "complete"],
        ),
        (S.WITHDRAWN, None, ["withdraw"]),
        (S.WITHDRAWN, S.PRESELECTED, ["submit", "preselect", "withdraw"]),
    ],
)
def test_the_path_to_a_state_follows_the_table(target, through, path):
    assert workflow.path_to(target, through=through) == path


# The hooks of a move ----------------------------------------------------------------------------


def receivers_of(signal: ModelSignal) -> set[str]:
    return {
        f"{receiver.__module__}.{receiver.__qualname__}" for receiver in signal._live_receivers(Challenge)[0]
    }


def test_the_receivers_of_a_move_are_the_ones_the_transition_function_names():
    """Adding a receiver is a deliberate change: of this list and of `transition`'s docstring."""
    applied = {
        "notifications.receivers.queue_transition_messages",
        "recruitment.receivers.enrol_the_team",
        "webhooks.receivers.queue_move_deliveries",
    }
    committed = {
        "notifications.receivers.deliver_transition_messages",
        "mentoring.receivers.follow_the_lifecycle",
        "recruitment.receivers.publish_when_selected",
    }
    assert receivers_of(signals.transition_applied) == applied
    assert receivers_of(signals.transition_committed) == committed
    for name in applied | committed:
        assert f"`{name}`" in services.transition.__doc__


@pytest.mark.django_db
def test_after_the_commit_a_move_has_one_callback_which_hands_its_mails_to_the_workers(
    django_capture_on_commit_callbacks, smtp_server
):
    challenge = ChallengeFactory(state=S.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.transition(challenge, "preselect", by=programme_manager(), reason="Bon dossier")

    assert len(callbacks) == 1  # the outbox registers none of its own
    assert Notification.objects.filter(status=DeliveryStatus.PENDING).count() == 3  # 2 mentors, the team
    assert smtp_server.envelopes == []
    callbacks[0]()
    assert Notification.objects.filter(status=DeliveryStatus.SENT).count() == 3
    assert len(smtp_server.envelopes) == 3


@pytest.mark.django_db
def test_options_reach_the_receivers_and_hold_the_mails(django_capture_on_commit_callbacks):
    challenge = ChallengeFactory(state=S.SUBMITTED)
    seen = []

    def listener(sender, options, **kwargs):
        seen.append(dict(options))

    signals.transition_committed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.transition(
                challenge,
                "reject",
                by=programme_manager(),
                reason="Hors périmètre",
                options={outbox.HOLD_MAIL: True},
            )
    finally:
        signals.transition_committed.disconnect(listener)

    assert seen == [{"hold_mail": True}]
    assert Batch.objects.get().notifications.filter(status=DeliveryStatus.HELD).count() == 3
    assert not Notification.objects.filter(status=DeliveryStatus.PENDING).exists()
