"""The case page shows managers the jury's part: the audition, the collective grid, the opinions,
the conflicts; nothing for a case the jury never touched."""

import pytest
from django.urls import reverse

from jury import services
from jury.models import Opinion
from lifecycle import criteria
from lifecycle.enums import ChallengeState
from tests.backoffice.page_text import text_of
from tests.factories import ChallengeFactory, heard, jury_member, programme_manager

pytestmark = pytest.mark.django_db


def test_the_case_page_shows_the_audition_the_grid_and_the_opinions(client):
    manager = programme_manager(username="gestionnaire")
    challenge = ChallengeFactory(name="Signaux faibles", state=ChallengeState.PITCHED)
    slot = heard(challenge, [4, 3, 3, 2, 4])
    jury = services.jury_of(challenge.promotion)
    member = jury_member(jury, first_name="Lina", last_name="Roux")
    slot.sub_jury.members.add(member)
    Opinion.objects.create(
        member=member,
        challenge=challenge,
        favourable=True,
        preference=1,
        explanation="Fort impact.",
        favourite=True,
        updated_at=slot.ends_at,
    )
    other = jury_member(jury, first_name="Malo", last_name="Perrin", username="malo")
    slot.sub_jury.members.add(other)
    Opinion.objects.create(  # given before the conflict was known: it no longer counts
        member=other,
        challenge=challenge,
        favourable=False,
        preference=1,
        explanation="Trop large.",
        updated_at=slot.ends_at,
    )
    services.declare_conflict(other, challenge, reason="Ancien collègue du mentor.", by=manager)
    client.force_login(manager)

    page = text_of(client.get(reverse("backoffice:challenge", args=[challenge.pk])).content.decode())

    first = criteria.of_call(challenge.promotion.call)[0]
    assert "devant le Sous-jury 1 — Salle Lamartine." in page
    assert f"{first.name} 4 Note 4 sur « {first.name} »." in page
    assert "Grille complète 1 avis favorable sur 1 avis de membre, 1 coup de cœur." in page
    assert "Malo Perrin — Ancien collègue du mentor." in page
    assert "Saisir ou corriger la grille collective" in page


def test_a_case_the_jury_never_touched_has_no_jury_part(client):
    client.force_login(programme_manager(username="gestionnaire"))
    challenge = ChallengeFactory(state=ChallengeState.SUBMITTED)
    response = client.get(reverse("backoffice:challenge", args=[challenge.pk]))
    assert 'id="jury"' not in response.content.decode()
    assert 'href="#jury"' not in response.content.decode()
