from lifecycle.dossier.rules import dossier_problems
from tests.factories import ChallengeFactory


def test_a_factory_challenge_is_a_complete_dossier(db):
    assert dossier_problems(ChallengeFactory()) == []
