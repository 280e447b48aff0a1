import io
import json
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from accounts.enums import Role
from lifecycle.enums import AuditKind, ChallengeState
from lifecycle.models import AuditEvent
from opendata import publish
from opendata.models import Publication, RemoteResource
from tests.factories import ChallengeFactory, programme_manager, user_with_role
from tests.opendata.datagouv import FakeDataGouv

pytestmark = pytest.mark.django_db

DATASET = "5f0e2a1b9c8d7e6f5a4b3c2d"
FILES = ["defis-eig.csv", "defis-eig.json", "defis-eig.schema.json"]


@pytest.fixture
def datagouv(settings):
    fake = FakeDataGouv(datasets={DATASET: {}}).start()
    settings.DATAGOUV_API_URL = fake.api_url
    settings.DATAGOUV_API_KEY = fake.api_key
    settings.DATAGOUV_DATASET_ID = DATASET
    settings.DATAGOUV_TIMEOUT = 5.0
    yield fake
    fake.stop()


def _publish(*args) -> str:
    out = io.StringIO()
    call_command("opendata", "publish", *args, stdout=out)
    return out.getvalue()


def test_first_publication_creates_the_resources_then_replaces_them(datagouv, cartobio):
    output = _publish()
    assert [(request.method, request.path) for request in datagouv.requests] == [
        ("GET", f"/api/1/datasets/{DATASET}/"),
        ("POST", f"/api/1/datasets/{DATASET}/upload/"),
        ("POST", f"/api/1/datasets/{DATASET}/upload/"),
        ("POST", f"/api/1/datasets/{DATASET}/upload/"),
    ]
    assert {request.api_key for request in datagouv.requests} == {datagouv.api_key}
    assert [request.filename for request in datagouv.uploads] == FILES
    assert [request.content_type for request in datagouv.uploads] == [
        "text/csv",
        "application/json",
        "application/json",
    ]
    csv_sent = datagouv.uploads[0].content.decode()
    assert csv_sent.startswith("identifiant,promotion_numero,promotion_nom,")
    assert f"\r\n{cartobio.pk},3,EIG 3,2018,CartoBio," in csv_sent
    assert json.loads(datagouv.uploads[1].content)[0]["nom"] == "CartoBio"
    resources = datagouv.datasets[DATASET]
    assert sorted(stored["filename"] for stored in resources.values()) == FILES

    publication = Publication.objects.get()
    assert publication.published_by is None  # the command's default: the system
    assert publication.challenge_count == 1
    assert publication.dataset_url == f"{datagouv.url}/fr/datasets/{DATASET}/"
    assert [(file["filename"], file["created"]) for file in publication.files] == [
        (name, True) for name in FILES
    ]
    ids = {file["filename"]: file["resource_id"] for file in publication.files}
    assert set(ids.values()) == set(resources)
    assert dict(RemoteResource.objects.values_list("filename", "resource_id")) == ids
    event = AuditEvent.objects.get(kind=AuditKind.OPEN_DATA_PUBLISHED)
    assert event.subject == f"publication:{publication.pk}"
    assert event.changes["challenge_count"] == [None, 1]
    assert event.changes["files"] == [None, [f"{name} ({ids[name]})" for name in FILES]]
    assert "Envoi de defis-eig.csv" in output
    assert f"- defis-eig.csv : ressource {ids['defis-eig.csv']} créée" in output
    assert output.rstrip().endswith(f"Publié : 1 défi, 3 fichiers, {publication.dataset_url}.")
    assert datagouv.api_key not in output

    # A second challenge, a second publication: the same three resources get the new files.
    ChallengeFactory(promotion=cartobio.promotion, name="DataJust", state=ChallengeState.SELECTED)
    manager = programme_manager(username="gestionnaire")
    output = _publish("--by", "gestionnaire")
    assert [request.path for request in datagouv.uploads[3:]] == [
        f"/api/1/datasets/{DATASET}/resources/{ids[name]}/upload/" for name in FILES
    ]
    assert set(resources) == set(ids.values())  # replaced, not added
    assert b"DataJust" in resources[ids["defis-eig.csv"]]["content"]
    second = Publication.objects.first()
    assert (second.published_by, second.challenge_count) == (manager, 2)
    assert [file["created"] for file in second.files] == [False, False, False]
    assert f"- defis-eig.json : ressource {ids['defis-eig.json']} remplacée" in output
    assert AuditEvent.objects.filter(kind=AuditKind.OPEN_DATA_PUBLISHED).count() == 2


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (500, "data.gouv.fr est en erreur (500) : réessayez plus tard."),
        (401, "data.gouv.fr refuse la clé d’API (401) : vérifiez DATAGOUV_API_KEY."),
        (403, "La clé d’API n’a pas le droit de modifier ce jeu de données (403)"),
    ],
)
def test_a_refusal_records_no_publication(datagouv, cartobio, status, reason):
    datagouv.fail_status, datagouv.fail_from_upload = status, 2  # the CSV goes up, the JSON fails
    with pytest.raises(CommandError) as refused:
        _publish()
    assert str(refused.value).startswith(f"Rien n’a été publié. Envoi de defis-eig.json : {reason}")
    assert datagouv.api_key not in str(refused.value)
    assert not Publication.objects.exists()
    assert not AuditEvent.objects.filter(kind=AuditKind.OPEN_DATA_PUBLISHED).exists()
    # The resource created before the failure is known: the next publication replaces it.
    [created] = RemoteResource.objects.all()
    assert created.filename == "defis-eig.csv"
    datagouv.fail_status = None
    _publish()
    assert datagouv.uploads[-3].path == f"/api/1/datasets/{DATASET}/resources/{created.resource_id}/upload/"
    assert len(datagouv.datasets[DATASET]) == 3
    assert Publication.objects.count() == 1


def test_a_wrong_key_is_refused_by_the_server(datagouv, cartobio, settings):
    settings.DATAGOUV_API_KEY = "une-autre-cle"
    with pytest.raises(CommandError, match="refuse la clé d’API \\(401\\)"):
        _publish()
    assert datagouv.uploads[0].api_key == "une-autre-cle"
    assert datagouv.datasets[DATASET] == {}
    assert not Publication.objects.exists()


def test_an_unknown_dataset(datagouv, cartobio, settings):
    settings.DATAGOUV_DATASET_ID = "inconnu"
    with pytest.raises(
        CommandError, match="ne connaît pas ce jeu de données \\(404\\) : vérifiez DATAGOUV_DATASET_ID"
    ):
        _publish()
    assert datagouv.uploads == []
    assert not Publication.objects.exists()


def test_a_time_out(datagouv, cartobio, settings):
    settings.DATAGOUV_TIMEOUT = 0.3
    datagouv.delay = 1.0
    with pytest.raises(
        CommandError,
        match=re.escape("Envoi de defis-eig.csv : data.gouv.fr n’a pas répondu dans les 0.3 secondes"),
    ):
        _publish()
    assert not Publication.objects.exists()


def test_nothing_is_sent_without_the_settings(datagouv, cartobio, settings):
    settings.DATAGOUV_API_KEY = ""
    with pytest.raises(
        CommandError, match=re.escape("DATAGOUV_API_KEY (la clé d’API de data.gouv.fr) n’est pas définie")
    ):
        _publish()
    assert datagouv.requests == []


def test_only_a_manager_or_the_system_publishes(datagouv, cartobio):
    auditor = user_with_role(Role.AUDITOR, username="auditrice")
    with pytest.raises(CommandError, match="Seul·e un·e chargé·e de programme publie"):
        _publish("--by", "auditrice")
    with pytest.raises(PermissionDenied):
        publish.publish(by=auditor)
    assert datagouv.requests == []


def test_export_writes_the_files(tmp_path, cartobio):
    out = io.StringIO()
    call_command("opendata", "export", str(tmp_path / "sortie"), "--promotion", "3", stdout=out)
    assert sorted(path.name for path in (tmp_path / "sortie").iterdir()) == [
        "defis-eig-3.csv",
        "defis-eig-3.json",
        "defis-eig.schema.json",
    ]
    assert out.getvalue().endswith("1 défi, 21 colonnes.\n")
    with pytest.raises(CommandError, match="Aucune promotion n’a le numéro 9"):
        call_command("opendata", "export", str(tmp_path), "--promotion", "9")
