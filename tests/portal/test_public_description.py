"""The portal's dossier shows the public description (Markdown) as sanitised HTML."""

from django.urls import reverse

from lifecycle.enums import ChallengeState
from tests.factories import ChallengeFactory

DESCRIPTION = "Un défi **ambitieux** « ouvert ».\n\n- un\n- deux\n\n<script>alert('xss')</script>"
RENDERED = (
    '<dd class="fr-ml-0 fr-mb-1w"><p>Un défi <strong>ambitieux</strong> « ouvert ».</p>\n'
    "<ul>\n<li>un</li>\n<li>deux</li>\n</ul>\n"
    "<p>&lt;script&gt;alert('xss')&lt;/script&gt;</p></dd>"
)


def test_the_dossier_renders_the_public_description_as_sanitised_html(contact_client, administration):
    challenge = ChallengeFactory(administration=administration, public_description=DESCRIPTION)
    review = contact_client.get(reverse("portal:dossier_step", args=[challenge.pk, "recapitulatif"]))
    assert review.status_code == 200
    assert RENDERED in review.content.decode()
    assert "<script>alert" not in review.content.decode()

    challenge = ChallengeFactory(  # submitted, read only: the step shows the section's rows
        administration=administration, state=ChallengeState.SUBMITTED, public_description=DESCRIPTION
    )
    step = contact_client.get(reverse("portal:dossier_step", args=[challenge.pk, "description"]))
    assert step.status_code == 200
    assert RENDERED in step.content.decode()
    assert "<script>alert" not in step.content.decode()
