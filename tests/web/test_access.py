"""Walk every URL of the site as each role: what a role may not see answers 404 (or the sign-in
page for anonymous visitors), never a hint that it exists."""

import pytest
from django.urls import URLPattern, reverse

import backoffice.urls
import cohort.urls
import jury.urls
import mentoring.urls
import portal.urls
from accounts.enums import Role
from accounts.services import create_user
from lifecycle.actors import SYSTEM
from lifecycle.enums import ChallengeState
from tests.factories import AdministrationFactory, ChallengeFactory, administration_contact


def walk(module, namespace, challenge):
    values = {
        "pk": challenge.pk,
        "name": "preselect",
        "file_format": "csv",
        "step": "description",
        "task_pk": 1,
        "token": "not-the-calendar-token",
    }
    for pattern in module.urlpatterns:
        assert isinstance(pattern, URLPattern)
        kwargs = {name: values[name] for name in pattern.pattern.converters}
        yield reverse(f"{namespace}:{pattern.name}", kwargs=kwargs)


@pytest.fixture
def site(db):
    owner = AdministrationFactory(name="Cour des comptes")
    challenge = ChallengeFactory(state=ChallengeState.SUBMITTED, administration=owner)
    jury_pages = list(walk(jury.urls, "jury", challenge))
    return {
        "challenge": challenge,
        # The managers' jury pages are part of the back office; the members' space is their own.
        "backoffice": list(walk(backoffice.urls, "backoffice", challenge))
        + [url for url in jury_pages if url.startswith("/gestion/")],
        "jury": [url for url in jury_pages if url.startswith("/jury/")],
        "portal": list(walk(portal.urls, "portal", challenge)),
        "workflow": list(walk(mentoring.urls, "mentoring", challenge)),
        "audit": [reverse("backoffice:audit"), reverse("backoffice:audit_export", args=["csv"])],
    }


def statuses(client, urls):
    return {url: client.get(url).status_code for url in urls} | {
        f"POST {url}": client.post(url).status_code for url in urls
    }


def test_anonymous_visitors_are_sent_to_the_sign_in_page(client, site):
    for url in site["backoffice"] + site["portal"] + site["workflow"] + site["jury"]:
        response = client.get(url)
        assert (response.status_code, response["Location"].split("?")[0]) == (302, "/compte/connexion/"), url


@pytest.mark.parametrize("role", [Role.MENTOR, Role.CANDIDATE])
def test_roles_without_pages_see_nothing(client, site, role):
    client.force_login(create_user(f"user-{role}", by=SYSTEM, role=role))
    everything = site["backoffice"] + site["portal"] + site["workflow"] + site["jury"]
    assert set(statuses(client, everything).values()) == {404}


def test_a_jury_member_sees_their_space_and_no_dossier_they_do_not_hear(client, site):
    client.force_login(create_user("jure", by=SYSTEM, role=Role.JURY_MEMBER))
    challenge_pages = [url for url in site["jury"] if f"/{site['challenge'].pk}/" in url]
    own = [url for url in site["jury"] if url not in challenge_pages]
    assert {url: client.get(url).status_code for url in own} == dict.fromkeys(own, 200)
    elsewhere = challenge_pages + site["backoffice"] + site["portal"] + site["workflow"]
    assert set(statuses(client, elsewhere).values()) == {404}


def test_an_auditor_reads_the_audit_trail_only(client, site):
    client.force_login(create_user("auditrice", by=SYSTEM, role=Role.AUDITOR))
    others = [url for url in site["backoffice"] if url not in site["audit"]]
    assert set(statuses(client, others + site["portal"] + site["workflow"] + site["jury"]).values()) == {404}
    assert {client.get(url).status_code for url in site["audit"]} == {200}


def test_another_administrations_contact_sees_none_of_this_challenge(client, site):
    client.force_login(administration_contact(AdministrationFactory(name="Autre administration")))
    challenge_urls = [url for url in site["portal"] if str(site["challenge"].pk) in url]
    assert challenge_urls, "the portal has pages per dossier"
    others = challenge_urls + site["backoffice"] + site["workflow"] + site["jury"]
    assert set(statuses(client, others).values()) == {404}


def test_the_owner_contact_sees_its_dossier_but_not_the_back_office(client, site):
    client.force_login(administration_contact(site["challenge"].administration))
    assert set(statuses(client, site["backoffice"] + site["jury"]).values()) == {404}
    assert client.get(reverse("portal:dossier", args=[site["challenge"].pk])).status_code == 200


def test_a_manager_sees_the_back_office_but_not_the_portal(client, site):
    client.force_login(create_user("gestionnaire", by=SYSTEM, role=Role.PROGRAMME_MANAGER))
    posts_only = ("transition", "renvoi", "corrections")
    pages = [url for url in site["backoffice"] if not any(word in url for word in posts_only)]
    assert {url: client.get(url).status_code for url in pages} == dict.fromkeys(pages, 200)
    assert set(statuses(client, site["portal"] + site["jury"]).values()) == {404}


def test_a_calendar_feed_needs_its_secret_token(client, site):
    feed = list(walk(cohort.urls, "cohort", site["challenge"]))
    assert [client.get(url).status_code for url in feed] == [404]
