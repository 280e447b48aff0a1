"""Checks in the spirit of RGAA on every portal page: one h1, ordered headings, labelled inputs."""

from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lifecycle import services
from tests.factories import ChallengeFactory
from tests.portal.test_filing import fill, step_url


class Page(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.headings, self.inputs, self.labels, self.ids = [], [], set(), set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
        if tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        if tag in {"input", "select", "textarea"} and attrs.get("type") not in {"hidden", "submit"}:
            self.inputs.append(attrs)


def check(html):
    page = Page(html)
    assert page.headings.count(1) == 1
    for previous, heading in zip(page.headings, page.headings[1:], strict=False):
        assert heading <= previous + 1, page.headings
    for attrs in page.inputs:
        if attrs.get("name") in {"language", "next"}:
            continue
        assert attrs.get("id") in page.labels, attrs
        for described in (attrs.get("aria-describedby") or "").split():
            assert described in page.ids, (attrs, described)


STEPS = [
    "administration",
    "description",
    "missions",
    "equipe",
    "ressources",
    "financement",
    "contacts",
    "presentation",
    "recapitulatif",
]


@pytest.mark.parametrize("step", STEPS)
def test_every_step_is_labelled_and_ordered(contact_client, contact, step):
    challenge = ChallengeFactory(administration=contact.profile.administration)
    check(contact_client.get(step_url(challenge, step)).content.decode())


@pytest.mark.parametrize("step", [step for step in STEPS if step not in {"presentation", "recapitulatif"}])
def test_errors_are_linked_to_their_fields(contact_client, contact, step):
    challenge = ChallengeFactory(administration=contact.profile.administration)
    bad = {
        "name": "",
        "problem": "x" * 2000,
        "eig-0-profile": "",
        "team-0-involvement_percent": "120",
        "datasets_accessible": "False",
        "datasets_access_steps": "",
        "total_employer_cost": "beaucoup",
        "operational-email": "pas-une-adresse",
    }
    response = fill(contact_client, challenge, step, bad, action="draft")
    html = response.content.decode()
    assert response.status_code == 200, step
    check(html)
    assert 'aria-invalid="true"' in html, step


def test_the_other_pages_are_labelled_and_ordered(contact_client, contact):
    challenge = ChallengeFactory(administration=contact.profile.administration)
    upload = SimpleUploadedFile("pitch.pdf", b"not a pdf", content_type="application/pdf")
    check(fill(contact_client, challenge, "presentation", {}, files={"pitch_deck": upload}).content.decode())
    check(contact_client.get(reverse("portal:dossiers")).content.decode())
    check(contact_client.get(reverse("portal:dossier_create")).content.decode())
    check(contact_client.post(reverse("portal:dossier_create"), {"name": ""}).content.decode())
    check(contact_client.get(reverse("portal:dossier", args=[challenge.pk])).content.decode())
    services.transition(challenge, "submit", by=contact)
    check(contact_client.get(reverse("portal:dossier", args=[challenge.pk])).content.decode())
    check(contact_client.get(step_url(challenge, "contacts")).content.decode())
