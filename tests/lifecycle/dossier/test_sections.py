"""The official form's sections, declared once: the portal's steps and forms and the case pages."""

import pytest
from django.urls import reverse

from lifecycle.dossier import sections
from portal import editing, forms, steps
from tests.factories import ChallengeFactory, administration_contact


def test_the_portals_steps_are_the_sections_then_the_review():
    assert [step.slug for step in steps.STEPS] == [section.slug for section in sections.SECTIONS] + [
        "recapitulatif"
    ]
    assert [str(step.title) for step in steps.STEPS[:-1]] == [
        str(section.title) for section in sections.SECTIONS
    ]


@pytest.mark.parametrize(
    ("slug", "form_class"),
    [
        ("administration", forms.AdministrativeForm),
        ("description", forms.DescriptionForm),
        ("ressources", forms.ResourcesForm),
        ("financement", forms.FinancingForm),
    ],
)
def test_each_fields_step_edits_exactly_the_fields_of_its_section(slug, form_class):
    assert tuple(form_class.Meta.fields) == sections.section(slug).fields
    assert editing.step_class(slug).form_class is form_class


@pytest.mark.django_db
def test_the_portal_and_the_back_office_read_the_same_sections(client):
    challenge = ChallengeFactory(name="Signaux faibles")
    client.force_login(administration_contact(challenge.administration))
    review = client.get(reverse("portal:dossier_step", args=[challenge.pk, "recapitulatif"])).content.decode()
    titles = [str(section.title) for section in sections.SECTIONS]
    positions = [review.index(f'">{title}') for title in titles]
    assert positions == sorted(positions)

    portal = sections.read(challenge)
    managers = sections.read(challenge, for_managers=True)
    assert [section["slug"] for section in portal] == [section["slug"] for section in managers]
    portal_labels = {
        label for section in portal for group in section["groups"] for label, _value in group["rows"]
    }
    manager_labels = {
        label for section in managers for group in section["groups"] for label, _value in group["rows"]
    }
    assert manager_labels - portal_labels == {"Nature", "Chargé·e de programme", "Confirmation"}
