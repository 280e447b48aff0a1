"""The error pages in the DSFR's pattern (title, code, explanation, a way home), whatever part of
the site raised them, the admin included; rendered from the templates (the tests run with DEBUG
off, as production)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views import defaults

from accounts.enums import Role
from tests.factories import AdministrationFactory, administration_contact, user_with_role


def assert_dsfr_error_page(html, *, code, title):
    assert f"<title>{title} — Entrepreneur·e d’Intérêt Général</title>" in html
    assert f"<h1>{title}</h1>" in html
    assert f'<p class="fr-text--sm fr-mb-3w">Erreur {code}</p>' in html
    assert 'class="fr-text--lead fr-mb-3w"' in html  # the explanation
    assert '<ul class="fr-btns-group fr-btns-group--inline-md">' in html
    assert f'<a class="fr-btn" href="{reverse("web:home")}">Page d’accueil</a>' in html
    assert 'class="fr-responsive-img fr-artwork" aria-hidden="true"' in html
    assert "/static/dsfr/dist/artwork/background/ovoid.svg#artwork-motif" in html
    assert 'class="fr-header"' in html and 'class="fr-footer"' in html
    assert html.count("<h1") == 1


def test_an_unknown_address_is_the_dsfr_404_page(client, db):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    html = response.content.decode()
    assert_dsfr_error_page(html, code=404, title="Page non trouvée")
    assert f'href="{reverse("login")}">Se connecter</a>' in html  # anonymous: a way in


def test_a_page_the_role_may_not_see_is_the_same_404(client, db):
    client.force_login(administration_contact(AdministrationFactory()))
    response = client.get(reverse("backoffice:dashboard"))
    assert response.status_code == 404
    html = response.content.decode()
    assert_dsfr_error_page(html, code=404, title="Page non trouvée")
    assert "Se connecter</a>" not in html


def test_the_admin_answers_with_the_sites_404(client, db):
    client.force_login(user_with_role(Role.PROGRAMME_MANAGER, username="gestion"))
    response = client.get("/admin/rien-de-tel/")
    assert response.status_code == 404
    assert_dsfr_error_page(response.content.decode(), code=404, title="Page non trouvée")


def test_a_refused_action_is_the_dsfr_403_page(client, db):
    # The auditor reads the admin and changes nothing: adding a case is refused.
    client.force_login(user_with_role(Role.AUDITOR, username="lecteur"))
    response = client.get("/admin/lifecycle/challenge/add/")
    assert response.status_code == 403
    assert_dsfr_error_page(response.content.decode(), code=403, title="Accès refusé")


def test_the_500_page_needs_neither_a_request_nor_the_database():
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Erreur inattendue</h1>" in html
    assert '<p class="fr-text--sm fr-mb-3w">Erreur 500</p>' in html
    assert "/static/dsfr/dist/dsfr/dsfr.min.css" in html
    assert '<a class="fr-btn" href="/">Page d’accueil</a>' in html


@pytest.mark.parametrize(("code", "french"), [(404, "Page non trouvée"), (403, "Accès refusé")])
def test_the_error_pages_in_english(client, db, code, french):
    with translation.override("en"):
        english = translation.gettext(french)
    if english == french:
        pytest.skip("the English catalogue does not translate the error pages yet")
    if code == 403:
        client.force_login(user_with_role(Role.AUDITOR, username="reader"))
        response = client.get("/admin/lifecycle/challenge/add/", HTTP_ACCEPT_LANGUAGE="en")
    else:
        response = client.get("/nowhere/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == code
    assert '<html lang="en"' in html
    assert f"<h1>{english}</h1>" in html
    assert french not in html
