import socket

import pytest

from tests.factories import AdministrationFactory, ChallengeFactory, PromotionFactory, programme_manager
from webhooks import services
from webhooks.receiver import Receiver


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def manager(db):
    return programme_manager(first_name="Camille", last_name="Martin")


@pytest.fixture
def world(db):
    promotion = PromotionFactory(number=3, name="EIG 3")
    dinum = AdministrationFactory(name="Direction interministérielle du numérique")
    culture = AdministrationFactory(name="Ministère de la Culture")
    return {"promotion": promotion, "dinum": dinum, "culture": culture}


@pytest.fixture
def receiver():
    """A receiver on loopback, up; `receiver.secret` set by `hook`."""
    with Receiver() as running:
        yield running


def hook_for(user, receiver, **options):
    hook, secret = services.register(user, name="SI de suivi", url=receiver.url, **options)
    receiver.secret = secret
    return hook


def submitted(world, count=1, administration=None, **fields):
    from lifecycle.enums import ChallengeState

    return [
        ChallengeFactory(
            promotion=world["promotion"],
            administration=administration or world["dinum"],
            state=ChallengeState.SUBMITTED,
            **fields,
        )
        for _ in range(count)
    ]
