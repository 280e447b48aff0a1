"""The demo beside data of its own: in a module of its own, the others sharing one loaded demo
(tests/demo/conftest.py)."""

import io

import pytest
from django.core.management import CommandError, call_command

from lifecycle.models import AuditEvent
from tests.factories import ChallengeFactory, PromotionFactory


def test_the_demo_does_not_mix_with_another_promotion_3(db):
    ChallengeFactory(promotion=PromotionFactory(number=3))

    with pytest.raises(CommandError) as caught:
        call_command("demo", "--manager", "gestionnaire", "--password", "demo-eig-2018", stdout=io.StringIO())

    assert str(caught.value) == (
        "La promotion 3 contient déjà des défis qui ne viennent pas de la démo : "
        "chargez la démo dans une base sans promotion 3."
    )
    assert AuditEvent.objects.count() == 0
