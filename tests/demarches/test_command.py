import io

import pytest
import yaml
from django.core.management import CommandError, call_command

from demarches import fake
from demarches.models import Demarche
from lifecycle.enums import AuditKind
from lifecycle.models import AuditEvent, Challenge
from tests.factories import PromotionFactory


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("ds", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_new_demarche_needs_its_promotion(db):
    with pytest.raises(
        CommandError, match=r"La démarche 12345 est nouvelle : indiquez sa promotion \(--promotion N\)\."
    ):
        run("sync", "12345")


def test_from_suggestion_to_sync(ds, manager, real, tmp_path):
    PromotionFactory(number=3, name="EIG 3")
    for number, challenge in enumerate(real[:3], start=1):
        ds.store.put(number, fake.values_of(challenge, number))

    out, _ = run("mapping", "12345", "--promotion", "3", "--suggest")
    suggested = yaml.safe_load(out)
    assert suggested["champs"][fake.champ_id(fake.NAME)]["to"] == "name"

    path = tmp_path / "correspondance.yml"
    path.write_text(yaml.safe_dump(fake.mapping(), allow_unicode=True), encoding="utf-8")
    out, _ = run("mapping", "12345", "--file", str(path), "--by", "camille")
    assert out.startswith(
        "Correspondance de la démarche 12345 enregistrée.\nDémarche 12345 : Appel à défis EIG 3\n"
    )
    assert "  [champs] Nom du défi (TextChamp, " in out and ") → name" in out
    assert "  [champs] Informations administratives (HeaderSectionChamp, " in out
    assert out.rstrip().endswith("2 champ(s) non importé(s).")  # the header and the instructor's opinion
    assert AuditEvent.objects.filter(kind=AuditKind.DS_MAPPING_CHANGED).count() == 2  # added, then mapped

    out, err = run("sync", "12345", "--dry-run")
    assert "Essai à blanc, rien n’a été écrit : 3 créé(s)" in out
    assert Challenge.objects.count() == 0

    out, err = run("sync", "12345", "--promotion", "3", "--by", "camille", "--scheduled")
    assert "Synchronisation programmée de la démarche 12345 : oui." in out
    assert "3 créé(s), 0 mis à jour" in out
    assert err.startswith("Page 1 : 3 dossier(s) ; au total 3 (3 créé(s), 0 mis à jour, 0 refusé(s))")
    assert Demarche.objects.get().scheduled is True
    assert Challenge.objects.count() == 3


def test_a_failed_sync_says_so(ds, demarche, real, settings):
    settings.DS_API_TOKEN = "faux"
    with pytest.raises(CommandError, match="La synchronisation s’est interrompue"):
        run("sync", "12345")


def test_another_promotion_is_refused(ds, demarche):
    PromotionFactory(number=4)
    with pytest.raises(
        CommandError, match=r"La démarche 12345 est liée à la promotion 3, pas à la promotion 4\."
    ):
        run("sync", "12345", "--promotion", "4")
