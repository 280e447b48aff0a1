"""Walk every URL of the site as each role: what a role may not see answers 404 (or the sign-in
page for anonymous visitors), never a hint that it exists."""

import pytest
from django.urls import URLPattern, reverse

import backoffice.urls
import cohort.urls
import jury.urls
import mentoring.urls
import portal.urls
import recruitment.urls.candidates
import recruitment.urls.manage
import recruitment.urls.mentor
from accounts.enums import Role
from accounts.services import create_user
from lifecycle.actors import SYSTEM
from lifecycle.enums import ChallengeState
from tests.factories import (
    AdministrationFactory,
    ChallengeFactory,
    administration_contact,
    complete_candidate,
    mentor_user,
    open_candidates_call,
    recruiting_challenge,
)


def walk(module, namespace, challenge, pk=None):
    values = {
        "pk": challenge.pk if pk is None else pk,
        "challenge_pk": challenge.pk,
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


@pytest.fixture
def candidacy_site(db):
    """A submitted application to a recruiting challenge, whose operational mentor has an account."""
    from recruitment import candidacy

    call = open_candidates_call()
    challenge = recruiting_challenge(call)
    candidate = complete_candidate(call, challenges=[challenge])
    candidacy.submit(candidate, by=candidate.user)
    application = candidate.applications.get()
    return {
        "candidate": candidate,
        "mentor": mentor_user(username="mentor"),
        "manage": list(walk(recruitment.urls.manage, "applications", challenge, pk=application.pk)),
        "mentor_pages": list(walk(recruitment.urls.mentor, "mentor", challenge, pk=application.pk)),
        # The space's pages that name the candidacy or one of its applications.
        "space": [
            reverse(f"candidates:{name}", args=[pk])
            for name, pk in [
                ("cv", candidate.pk),
                ("data_export", candidate.pk),
                ("erasure", candidate.pk),
                ("interview_ics", application.pk),
                ("accept", application.pk),
                ("decline", application.pk),
                ("withdraw", application.pk),
            ]
        ],
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


# The candidates' call: managers, the challenge's mentors, the candidate -----------------------


def test_anonymous_visitors_reach_the_public_list_but_sign_in_for_the_rest(client, candidacy_site):
    assert client.get(reverse("candidates:challenges")).status_code == 200
    for url in candidacy_site["manage"] + candidacy_site["mentor_pages"] + candidacy_site["space"]:
        response = client.get(url)
        assert (response.status_code, response["Location"].split("?")[0]) == (302, "/compte/connexion/"), url


def test_another_candidate_sees_nothing_of_a_candidacy(client, candidacy_site):
    client.force_login(create_user("autre-candidate", by=SYSTEM, role=Role.CANDIDATE))
    others = candidacy_site["space"] + candidacy_site["manage"] + candidacy_site["mentor_pages"]
    assert set(statuses(client, others).values()) == {404}


def test_a_mentor_of_another_challenge_sees_none_of_its_applications(client, candidacy_site):
    client.force_login(mentor_user(username="autre-mentor", email="quelquun@example.gouv.fr"))
    pages = [url for url in candidacy_site["mentor_pages"] if url != reverse("mentor:applications")]
    assert set(statuses(client, pages + candidacy_site["manage"] + candidacy_site["space"]).values()) == {404}


def test_the_challenges_mentor_reads_its_applications_and_nothing_of_the_programme(client, candidacy_site):
    client.force_login(candidacy_site["mentor"])
    readable = [
        reverse("mentor:applications"),
        candidacy_site["mentor_pages"][1],
        candidacy_site["mentor_pages"][2],
    ]
    assert {url: client.get(url).status_code for url in readable} == dict.fromkeys(readable, 200)
    assert set(statuses(client, candidacy_site["manage"] + candidacy_site["space"]).values()) == {404}


def test_a_manager_reads_every_application_but_no_candidates_space(client, candidacy_site):
    client.force_login(create_user("gestionnaire", by=SYSTEM, role=Role.PROGRAMME_MANAGER))
    pages = [
        url
        for url in candidacy_site["manage"]
        if not any(
            word in url for word in ("decisions", "grille", "commentaire", "entretien", "rang", "proposer")
        )
    ]
    assert {url: client.get(url).status_code for url in pages} == dict.fromkeys(pages, 200)
    assert set(statuses(client, candidacy_site["space"] + candidacy_site["mentor_pages"]).values()) == {404}
