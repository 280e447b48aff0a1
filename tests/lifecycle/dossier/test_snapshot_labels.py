import pytest

from lifecycle.dossier.snapshot import key_label


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("problem", "Problématique à résoudre"),
        ("cofinancing_requested", "Demande de co-financement"),
        ("eig[1].mission", "EIG n°1 — Mission"),
        ("eig[2].pay_level", "EIG n°2 — Niveau de rémunération"),
        ("team[3].name", "Équipe projet, membre 3 — Nom"),
        ("mentor[operational].email", "Mentor opérationnel — E-mail professionnel"),
        ("contact[pia_agreement].email", "Contact convention de co-financement — E-mail professionnel"),
        ("recruited[12].profile", "EIG recruté·e — Profil"),
        ("an_old_key", "an_old_key"),
    ],
)
def test_the_trails_keys_read_as_labels(key, label):
    assert key_label(key) == label
