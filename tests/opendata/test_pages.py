import pytest
from django.urls import reverse

from accounts.enums import Role
from lifecycle.enums import AuditKind, ChallengeState
from lifecycle.models import AuditEvent
from opendata import export, selection
from opendata.models import Publication
from tests.factories import ChallengeFactory, PromotionFactory, programme_manager, user_with_role
from tests.opendata.datagouv import FakeDataGouv
from tests.opendata.test_export import PERSONAL_OR_MONEY

pytestmark = pytest.mark.django_db

MANAGE = "/gestion/donnees-ouvertes/"
DATASET = "jeu-des-defis-eig"


@pytest.fixture
def manager_client(client):
    client.force_login(programme_manager(username="gestionnaire", first_name="Claude", last_name="Etalab"))
    return client


@pytest.fixture
def datagouv(settings):
    fake = FakeDataGouv(datasets={DATASET: {}}).start()
    settings.DATAGOUV_API_URL = fake.api_url
    settings.DATAGOUV_API_KEY = fake.api_key
    settings.DATAGOUV_DATASET_ID = DATASET
    yield fake
    fake.stop()


# The public pages -----------------------------------------------------------------------------


def test_the_public_pages_need_no_sign_in(client, cartobio, promotion_3):
    ChallengeFactory(promotion=promotion_3, name="Défi encore déposé", state=ChallengeState.SUBMITTED)
    PromotionFactory(number=5, name="EIG 5")  # nothing published: not listed
    index = client.get("/donnees-ouvertes/")
    assert index.status_code == 200
    html = index.content.decode()
    assert '<a href="/donnees-ouvertes/promotions/3/">Promotion EIG 3</a>' in html
    assert "1 défi publié — appel de 2018" in html
    assert "EIG 5" not in html
    assert 'href="/donnees-ouvertes/defis-eig.csv"' in html
    assert 'href="/donnees-ouvertes/defis-eig.schema.json"' in html

    page = client.get("/donnees-ouvertes/promotions/3/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Les défis de la promotion EIG 3</h1>" in html
    assert f'id="challenge-{cartobio.pk}"' in html
    assert '<h3 class="fr-card__title">CartoBio</h3>' in html
    assert "Cartographier les parcelles cultivées en agriculture biologique" in html
    assert cartobio.administration.name in html
    assert '<p class="fr-tag fr-tag--sm">Développement</p>' in html
    assert '<p class="fr-tag fr-tag--sm">Data science</p>' in html
    assert "Défi encore déposé" not in html
    assert 'href="/donnees-ouvertes/promotions/3/defis-eig.json"' in html
    for value in PERSONAL_OR_MONEY:
        assert value not in html, value
    assert client.get("/donnees-ouvertes/promotions/99/").status_code == 404


def test_the_public_files(client, cartobio):
    made = export.bundle()
    for url, filename, content_type in [
        ("/donnees-ouvertes/defis-eig.csv", "defis-eig.csv", "text/csv; charset=utf-8"),
        ("/donnees-ouvertes/defis-eig.json", "defis-eig.json", "application/json"),
        ("/donnees-ouvertes/defis-eig.schema.json", "defis-eig.schema.json", "application/json"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
        assert response.content == made.file(filename).content
    promotion_csv = client.get("/donnees-ouvertes/promotions/3/defis-eig.csv")
    assert promotion_csv["Content-Disposition"] == 'attachment; filename="defis-eig-3.csv"'
    assert (
        promotion_csv.content == export.bundle(promotion=cartobio.promotion).file("defis-eig-3.csv").content
    )
    assert client.get("/donnees-ouvertes/defis-eig.xlsx").status_code == 404


def test_the_public_page_follows_the_columns_chosen(client, cartobio):
    selection.choose(["administration"], by=programme_manager())
    html = client.get("/donnees-ouvertes/promotions/3/").content.decode()
    assert cartobio.administration.name in html
    assert "Cartographier les parcelles" not in html  # the summary is no longer published
    assert "fr-tag" not in html


# The managers' page ---------------------------------------------------------------------------


def test_the_managers_page(manager_client, cartobio):
    response = manager_client.get(MANAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<p id="preview-count">1 défi publié.</p>' in html
    assert (
        '<th scope="col" data-column="nom">Nom du défi<br><code class="fr-text--xs">nom</code></th>' in html
    )
    assert "<td>CartoBio</td>" in html
    assert 'id="column-identifiant" name="names" value="identifiant" checked disabled' in html
    assert 'id="column-adresse" name="names" value="adresse" aria-describedby' in html  # not chosen
    assert 'href="/donnees-ouvertes/defis-eig.csv"' in html
    assert "Rien n’a encore été publié sur data.gouv.fr." in html
    assert "DATAGOUV_API_KEY (la clé d’API de data.gouv.fr) n’est pas définie." in html
    assert 'id="publish-form"' not in html  # nothing to publish to
    assert (
        '<a class="fr-nav__link" href="/gestion/donnees-ouvertes/" aria-current="page">Données ouvertes</a>'
        in html
    )


@pytest.mark.parametrize(
    "role", [Role.ADMINISTRATION_CONTACT, Role.AUDITOR, Role.JURY_MEMBER, Role.CANDIDATE]
)
def test_other_roles_get_404(client, cartobio, role):
    client.force_login(user_with_role(role, username="quelquun"))
    for method, url in [("get", MANAGE), ("post", f"{MANAGE}colonnes/"), ("post", f"{MANAGE}publier/")]:
        assert getattr(client, method)(url, {"names": ["resume"], "confirm": "1"}).status_code == 404, url
    assert selection.current() == selection.ordered(export.fields.default_selection())


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(MANAGE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={MANAGE}"


def test_a_manager_chooses_the_columns(manager_client, cartobio):
    response = manager_client.post(f"{MANAGE}colonnes/", {"names": ["resume", "adresse", "identifiant"]})
    assert response.status_code == 302
    assert selection.current() == ["identifiant", "promotion_numero", "nom", "resume", "adresse"]
    event = AuditEvent.objects.get(kind=AuditKind.OPEN_DATA_FIELDS_CHANGED)
    assert event.subject == "publishedfields:1"
    assert event.changes["names"][1] == ["identifiant", "promotion_numero", "nom", "resume", "adresse"]
    csv_file = manager_client.get("/donnees-ouvertes/defis-eig.csv").content.decode()
    assert csv_file.startswith("identifiant,promotion_numero,nom,resume,adresse\r\n")
    assert "12 rue Henri Rol-Tanguy, 93100 Montreuil" in csv_file
    # A name outside the list: refused, nothing changed.
    response = manager_client.post(f"{MANAGE}colonnes/", {"names": ["resume", "mentor_email"]})
    assert response.status_code == 200
    assert "Ces colonnes ne peuvent être publiées : rien n’a changé." in response.content.decode()
    assert selection.current() == ["identifiant", "promotion_numero", "nom", "resume", "adresse"]


def test_publishing_from_the_page_asks_for_confirmation(manager_client, cartobio, datagouv):
    page = manager_client.get(MANAGE).content.decode()
    assert 'id="publish-form"' in page
    assert datagouv.api_key not in page
    assert f"<code>{DATASET}</code>" in page

    response = manager_client.post(f"{MANAGE}publier/", follow=True)
    assert "Cochez la confirmation pour envoyer les fichiers à data.gouv.fr." in response.content.decode()
    assert datagouv.requests == []

    response = manager_client.post(f"{MANAGE}publier/", {"confirm": "1"}, follow=True)
    html = response.content.decode()
    assert "Publié sur data.gouv.fr : 1 défi, 3 fichiers." in html
    publication = Publication.objects.get()
    assert publication.published_by.username == "gestionnaire"
    assert [request.filename for request in datagouv.uploads] == [
        "defis-eig.csv",
        "defis-eig.json",
        "defis-eig.schema.json",
    ]
    assert "par Claude Etalab : 1 défi, tous les fichiers envoyés." in html
    assert f'href="{datagouv.url}/fr/datasets/{DATASET}/"' in html

    # The public pages now link to the dataset.
    public = manager_client.get("/donnees-ouvertes/").content.decode()
    assert f'href="{datagouv.url}/fr/datasets/{DATASET}/"' in public


def test_a_failed_publication_from_the_page(manager_client, cartobio, datagouv):
    datagouv.fail_status = 503
    response = manager_client.post(f"{MANAGE}publier/", {"confirm": "1"}, follow=True)
    html = response.content.decode()
    assert "Rien n’a été publié. Envoi de defis-eig.csv : data.gouv.fr est en erreur (503)" in html
    assert not Publication.objects.exists()


def test_the_changes_read_in_the_audit_review(manager_client, cartobio, datagouv):
    manager_client.post(f"{MANAGE}colonnes/", {"names": ["resume"]})
    manager_client.post(f"{MANAGE}publier/", {"confirm": "1"})
    html = manager_client.get(reverse("backoffice:audit")).content.decode()
    assert "Champs publiés en données ouvertes modifiés" in html
    assert "Publication en données ouvertes" in html
    assert "Colonnes publiées" in html
    assert "identifiant, promotion_numero, nom, resume" in html
    assert "Défis publiés" in html
