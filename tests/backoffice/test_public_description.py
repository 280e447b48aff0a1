"""The case page shows the challenge's public description (Markdown) as sanitised HTML."""

from django.urls import reverse

from lifecycle.enums import ChallengeState
from tests.factories import ChallengeFactory

DESCRIPTION = (
    "### La problématique\n\n"
    "Des données **dispersées** entre\nplusieurs services.\n\n"
    "<script>alert('xss')</script>\n\n"
    "[Voir](javascript:alert(1)) <img src=x onerror=alert(1)>"
)


def test_the_case_page_renders_the_public_description_as_sanitised_html(manager_client):
    challenge = ChallengeFactory(state=ChallengeState.SUBMITTED, public_description=DESCRIPTION)
    response = manager_client.get(reverse("backoffice:challenge", args=[challenge.pk]))
    assert response.status_code == 200
    html = response.content.decode()

    assert (
        '<dt class="fr-text--bold fr-mb-0">Description publique</dt>\n'
        '        <dd class="fr-ml-0 fr-mb-1w"><h4>La problématique</h4>\n'
        "<p>Des données <strong>dispersées</strong> entre\nplusieurs services.</p>\n"
    ) in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert('xss')&lt;/script&gt;" in html  # shown as text
    assert 'href="javascript:' not in html
    assert "<img src=x" not in html and "onerror=alert(1)>" not in html
    # The other rows keep their line breaks, escaped.
    assert '<dd class="fr-ml-0 fr-mb-1w">Construire l’API des données.</dd>' in html
