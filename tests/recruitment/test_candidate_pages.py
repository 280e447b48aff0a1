"""The candidates' pages: the public list and its filters, a challenge's page, the call's stages;
the candidate's space (identity, a real PDF as CV, declarations, two challenges and no third,
the submission to the second, an offer accepted, the interview's .ics), their data (the JSON
download, the erasure); nobody reaches another candidate's candidacy, CV or files."""

import datetime as dt
import json
import zoneinfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from demo.pdfs import blank_pdf
from lifecycle.enums import ChallengeState, DefaultProfile
from lifecycle.models import EigPosition
from recruitment import candidacy, moves, publication
from recruitment.enums import ApplicationState
from recruitment.models import Application, Candidate
from tests.factories import (
    AdministrationFactory,
    ChallengeFactory,
    PromotionFactory,
    candidate_user,
    complete_candidate,
    open_candidates_call,
    programme_manager,
    recruiting_challenge,
)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def positions(challenge, *profile_codes):
    for rank, code in enumerate(profile_codes, 1):
        EigPosition.objects.create(challenge=challenge, rank=rank, profile=code, mission=f"Mission {rank}.")
    return challenge


@pytest.fixture
def call(db):
    return open_candidates_call(PromotionFactory(number=3, name="EIG 3"))


@pytest.fixture
def published(call):
    """Three challenges published to candidates: one in Poitiers (development, design), two in
    Paris (development and data science; data science)."""
    region = AdministrationFactory(name="Région Nouvelle-Aquitaine")
    return {
        "algues": positions(
            recruiting_challenge(
                call,
                name="Algues vertes",
                administration=region,
                address="1 place de la Région\n86000 Poitiers Cedex",
                summary="Prévoir les échouages d’algues.",
                public_description="Un défi **très** concret.\n\n<script>alert(1)</script>",
                dossier_rows=False,
            ),
            DefaultProfile.DEVELOPMENT,
            DefaultProfile.DESIGN,
        ),
        "lexique": recruiting_challenge(call, name="Lexique ouvert"),
        "santé": positions(
            recruiting_challenge(call, name="Santé des données", dossier_rows=False),
            DefaultProfile.DATA_SCIENCE,
        ),
    }


@pytest.fixture
def unpublished(call):
    """A selected challenge of the promotion (not yet published), and another promotion's
    recruiting challenge whose call is not open."""
    return [
        ChallengeFactory(
            promotion=call.promotion, name="Sélectionné seulement", state=ChallengeState.SELECTED
        ),
        ChallengeFactory(name="Autre promotion", state=ChallengeState.RECRUITING),
    ]


def names(response) -> list[str]:
    text = response.content.decode()
    return sorted(
        name
        for name in [
            "Algues vertes",
            "Lexique ouvert",
            "Santé des données",
            "Autre promotion",
            "Sélectionné seulement",
        ]
        if f">{name}</a></h3>" in text
    )


# --- The public pages ---------------------------------------------------------------------------


def test_the_public_list_shows_the_published_challenges_their_profiles_and_places(
    client, published, unpublished
):
    response = client.get(reverse("candidates:challenges"))
    assert response.status_code == 200
    text = response.content.decode()
    assert names(response) == ["Algues vertes", "Lexique ouvert", "Santé des données"]
    assert 'data-stage="open"' in text
    assert "3 défis ouverts aux candidatures." in text
    assert 'data-place="Poitiers"' in text and 'data-place="Paris"' in text
    assert "Région Nouvelle-Aquitaine" in text
    assert text.count('data-profile="design"') == 1
    assert text.count(reverse("candidates:apply", args=[published["algues"].pk])) == 1
    assert "Choisissez 2 défis au plus" in text
    assert "Clôture des candidatures" in text


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"profil": "design"}, ["Algues vertes"]),
        ({"profil": "data_science"}, ["Lexique ouvert", "Santé des données"]),
        ({"lieu": "Poitiers"}, ["Algues vertes"]),
        ({"lieu": "Paris", "profil": "development"}, ["Lexique ouvert"]),
        ({"lieu": "Paris", "profil": "design"}, []),
        ({"profil": "inconnu"}, ["Algues vertes", "Lexique ouvert", "Santé des données"]),
    ],
)
def test_the_public_list_filters_by_profile_and_place(client, published, filters, expected):
    response = client.get(reverse("candidates:challenges"), filters)
    assert names(response) == expected
    if expected == []:
        assert "Aucun défi ne correspond à ces filtres." in response.content.decode()


def test_places_are_read_from_the_hosting_address():
    administration = AdministrationFactory.build(address="Place Beauvau, 75008 Paris")
    cases = {
        "36 rue de Valmy, 93100 Montreuil": "Montreuil",
        "Montreuil (Seine-Saint-Denis)": "Montreuil",
        "Tour Séquoia, 1 place Carpeaux, 92800 Puteaux": "Puteaux",
        "2 avenue de l’Hôpital, Valmont (adresse fictive)": "Valmont",
        "1 place de la Région\n86000 Poitiers Cedex 9": "Poitiers",
        "": "Paris",
    }
    for address, town in cases.items():
        challenge = ChallengeFactory.build(address=address, administration=administration)
        assert publication.place_of(challenge) == town, address


def test_a_challenge_page_shows_its_missions_and_only_while_published(client, published, unpublished):
    response = client.get(reverse("candidates:challenge", args=[published["algues"].pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Un défi <strong>très</strong> concret." in text
    assert "<script>" not in text
    assert "EIG 2 : Design de service ou d’expérience utilisateur" in text
    assert "86000 Poitiers Cedex" in text
    assert reverse("candidates:apply", args=[published["algues"].pk]) in text
    for challenge in unpublished:
        assert client.get(reverse("candidates:challenge", args=[challenge.pk])).status_code == 404
        assert client.get(reverse("candidates:apply", args=[challenge.pk])).status_code == 404


def test_a_closed_call_says_so_and_lists_nothing_to_apply_to(client, call, published):
    with time_machine.travel(call.recruitment_closes_at, tick=False):
        response = client.get(reverse("candidates:challenges"))
        text = response.content.decode()
        assert 'data-stage="closed"' in text
        assert "Appel clos" in text
        assert names(response) == []
        assert "Postuler" not in text
        assert client.get(reverse("candidates:challenge", args=[published["algues"].pk])).status_code == 404
        user = candidate_user()
        client.force_login(user)
        assert client.get(reverse("candidates:apply", args=[published["algues"].pk])).status_code == 404


def test_a_call_not_open_yet_says_when_it_opens(client, call, published):
    with time_machine.travel(call.recruitment_opens_at - dt.timedelta(seconds=1), tick=False):
        text = client.get(reverse("candidates:challenges")).content.decode()
    assert 'data-stage="before"' in text
    assert "n’est pas encore ouvert" in text
    assert "Algues vertes" not in text


def test_an_anonymous_visitor_is_asked_to_sign_up_to_apply(client, published):
    url = reverse("candidates:apply", args=[published["lexique"].pk])
    response = client.get(url)
    text = response.content.decode()
    assert response.status_code == 200
    assert reverse("candidates:register") in text
    assert f"{reverse('login')}?next={url}" in text


# --- The candidate's space ------------------------------------------------------------------------


@pytest.fixture
def candidate(client, call):
    user = candidate_user(username="elise", first_name="Élise", last_name="Guérin", email="elise@example.org")
    client.force_login(user)
    return user


def identity(**values):
    return {
        "first_name": "Élise",
        "last_name": "Guérin",
        "email": "elise@example.org",
        "phone": "06 12 34 56 78",
        "profile": "development",
        "portfolio_url": "https://elise.example.org",
        "code_url": "https://github.com/elise",
        "other_links": "https://mastodon.example/@elise",
        "language": "fr",
    } | values


def choose(client, challenge, motivation="Je veux ouvrir ces données."):
    return client.post(reverse("candidates:apply", args=[challenge.pk]), {"motivation": motivation})


def test_a_candidate_fills_uploads_chooses_two_challenges_no_third_and_submits(
    client, call, published, candidate, django_capture_on_commit_callbacks
):
    space = client.get(reverse("candidates:space"))
    assert space.status_code == 200
    text = space.content.decode()
    # A fresh candidacy, from the account's name and address, and everything still missing.
    assert 'value="Élise"' in text and "<strong>elise@example.org</strong>" in text
    for missing in [
        "Choisissez votre profil parmi ceux que l’appel recherche.",
        "Déposez votre CV (PDF).",
        "Choisissez au moins un défi avant de déposer votre candidature.",
        "Condition d’éligibilité non déclarée",
    ]:
        assert missing in text

    response = client.post(reverse("candidates:identity"), identity())
    assert (response.status_code, response["Location"]) == (302, reverse("candidates:space") + "#identite")
    refused = client.post(
        reverse("candidates:identity"), identity(phone="pas un numéro", profile="astronaute")
    )
    assert refused.status_code == 200
    assert 'id="form-errors"' in refused.content.decode()

    pdf = blank_pdf(2)
    not_pdf = client.post(
        reverse("candidates:cv_upload"),
        {"cv": SimpleUploadedFile("cv.pdf", b"hello", content_type="application/pdf")},
    )
    assert "Le CV n’est pas un PDF" in not_pdf.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = client.post(
            reverse("candidates:cv_upload"),
            {"cv": SimpleUploadedFile("Élise Guérin CV.pdf", pdf, content_type="application/pdf")},
        )
    assert uploaded.status_code == 302
    rules = list(call.eligibility_rules.values_list("pk", flat=True))
    client.post(reverse("candidates:declarations"), {"declarations": [str(pk) for pk in rules]})

    mine = Candidate.objects.get(user=candidate)
    assert (mine.phone, mine.profile, mine.cv_name, sorted(mine.declarations), mine.portfolio_url) == (
        "06 12 34 56 78",
        "development",
        "Élise Guérin CV.pdf",
        sorted(rules),
        "https://elise.example.org",
    )
    page = client.get(reverse("candidates:space")).content.decode()
    assert "Votre CV : Élise Guérin CV.pdf" in page
    download = client.get(reverse("candidates:cv", args=[mine.pk]))
    assert (download.status_code, b"".join(download.streaming_content)) == (200, pdf)
    assert download["Content-Disposition"].startswith("attachment")

    # Two challenges, then no third: the call's limit.
    assert choose(client, published["algues"]).status_code == 302
    assert choose(client, published["lexique"], "").status_code == 302
    third = choose(client, published["santé"])
    assert third.status_code == 400
    assert "Vous avez déjà choisi 2 défis, le nombre maximal de l’appel" in third.content.decode()
    assert mine.applications.count() == 2

    # The motivation missing is listed; the confirmation refuses with every reason.
    page = client.get(reverse("candidates:space")).content.decode()
    assert "Écrivez votre motivation pour le défi « Lexique ouvert »." in page
    refused = client.post(reverse("candidates:submit"))
    assert refused.status_code == 400
    assert "Écrivez votre motivation pour le défi « Lexique ouvert »." in refused.content.decode()
    assert set(mine.applications.values_list("state", flat=True)) == {ApplicationState.DRAFT}

    # A draft removed, another chosen, its motivation written.
    lexique = mine.applications.get(challenge=published["lexique"])
    assert client.post(reverse("candidates:drop", args=[lexique.pk])).status_code == 302
    assert choose(client, published["santé"], "Les données de santé, mon métier.").status_code == 302

    confirmation = client.get(reverse("candidates:submit"))
    text = confirmation.content.decode()
    assert confirmation.status_code == 200
    for shown in [
        "Algues vertes",
        "Santé des données",
        "Les données de santé, mon métier.",
        "Élise Guérin CV.pdf",
        "https://github.com/elise",
        "Développement",
    ]:
        assert shown in text, shown
    with django_capture_on_commit_callbacks(execute=True):
        submitted = client.post(reverse("candidates:submit"))
    assert submitted.status_code == 302
    mine.refresh_from_db()
    assert mine.submitted_at is not None
    assert set(mine.applications.values_list("state", flat=True)) == {ApplicationState.SUBMITTED}
    page = client.get(reverse("candidates:space")).content.decode()
    assert "Déposée : l’équipe du programme et les mentors du défi l’étudient." in page
    assert reverse("candidates:withdraw", args=[mine.applications.first().pk]) in page


def closing_at_five(call, day_offset=10):
    day = timezone.localdate() + dt.timedelta(days=day_offset)
    call.recruitment_closes_at = dt.datetime.combine(day, dt.time(17, 0), tzinfo=PARIS)
    call.save()
    return call.recruitment_closes_at


def test_a_submission_is_taken_until_the_second_before_the_closing(
    client, call, published, django_capture_on_commit_callbacks
):
    closes_at = closing_at_five(call)
    early, late = candidate_user(username="early"), candidate_user(username="late")
    complete_candidate(call, early, challenges=[published["algues"]])
    complete_candidate(call, late, challenges=[published["algues"]])

    with time_machine.travel(closes_at - dt.timedelta(seconds=1), tick=False):
        client.force_login(early)
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(reverse("candidates:submit")).status_code == 302
    with time_machine.travel(closes_at, tick=False):
        client.force_login(late)
        refused = client.post(reverse("candidates:submit"))
        text = refused.content.decode()
        assert refused.status_code == 400
        assert "L’appel à candidatures est clos depuis le" in text
        # The space is read-only, with the reason; the domain refuses any change.
        space = client.get(reverse("candidates:space")).content.decode()
        assert 'id="read-only"' in space and 'id="identity-form"' not in space
        changed = client.post(reverse("candidates:identity"), identity(first_name="Autre"))
        assert (
            "L’appel à candidatures est clos : la candidature ne peut plus être modifiée."
            in changed.content.decode()
        )
    states = dict(Application.objects.values_list("candidate__user__username", "state"))
    assert states == {"early": ApplicationState.SUBMITTED, "late": ApplicationState.DRAFT}
    assert Candidate.objects.get(user=late).first_name == "Camille"


def offered(call, challenge, user):
    """A submitted application moved by a manager to an offer (preselected, interviewed, ranked)."""
    manager = programme_manager(username="gestion")
    candidate = complete_candidate(call, user, challenges=[challenge])
    candidacy.submit(candidate, by=user)
    application = candidate.applications.get()
    moves.transition(application, "preselect", by=manager)
    moves.schedule_interview(
        application, at=timezone.now() + dt.timedelta(days=2), place="20 avenue de Ségur, Paris", by=manager
    )
    application.refresh_from_db()
    moves.set_rank(application, 1, by=manager)
    application.refresh_from_db()
    moves.transition(application, "offer", by=manager)
    application.refresh_from_db()
    return application


def test_a_candidate_accepts_an_offer_after_confirming_and_downloads_their_interview(
    client, call, published, candidate, django_capture_on_commit_callbacks
):
    application = offered(call, published["algues"], candidate)
    page = client.get(reverse("candidates:space")).content.decode()
    assert "Le programme vous propose ce défi : acceptez-le ou déclinez-le." in page
    accept_url = reverse("candidates:accept", args=[application.pk])
    assert accept_url in page and reverse("candidates:decline", args=[application.pk]) in page

    ics = client.get(reverse("candidates:interview_ics", args=[application.pk]))
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in ics.content and b"20 avenue de S" in ics.content

    confirmation = client.get(accept_url).content.decode()
    assert "Cette décision est définitive." in confirmation and 'id="decide-form"' in confirmation
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(accept_url)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.ACCEPTED
    page = client.get(reverse("candidates:space")).content.decode()
    assert "Vous avez accepté ce défi" in page
    assert reverse("candidates:erasure", args=[application.candidate_id]) not in page
    # Accepting twice is refused, in words.
    again = client.post(accept_url)
    assert again.status_code == 400
    assert "n’est pas possible depuis l’état « Acceptée »" in again.content.decode()


def test_the_data_download_is_a_json_attachment_of_the_candidacy(client, call, published, candidate):
    mine = complete_candidate(call, candidate, challenges=[published["algues"]], motivation="Ma motivation.")
    response = client.get(reverse("candidates:data_export", args=[mine.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == f'attachment; filename="mes-donnees-eig-{mine.pk}.json"'
    data = json.loads(response.content)
    assert data["identity"] == {
        "first_name": "Élise",
        "last_name": "Guérin",
        "email": "elise@example.org",
        "phone": "06 12 34 56 78",
    }
    assert [(item["challenge"], item["state"], item["motivation"]) for item in data["applications"]] == [
        ("Algues vertes", "draft", "Ma motivation.")
    ]
    assert (
        "conservées tant que votre candidature est en cours"
        in client.get(reverse("candidates:space")).content.decode()
    )


def test_a_candidate_asks_for_the_erasure_of_their_data(client, call, published, candidate):
    mine = complete_candidate(call, candidate, challenges=[published["algues"]])
    candidacy.submit(mine, by=candidate)
    page = client.get(reverse("candidates:erasure", args=[mine.pk])).content.decode()
    assert "votre candidature en cours est retirée (Algues vertes)" in page
    response = client.post(reverse("candidates:erasure", args=[mine.pk]))
    assert response.status_code == 200
    assert "Vos données sont effacées" in response.content.decode()
    mine.refresh_from_db()
    assert (mine.erased_at is not None, mine.first_name, mine.email, mine.cv_name) == (True, "", "", "")
    assert mine.applications.get().state == ApplicationState.WITHDRAWN
    candidate.refresh_from_db()
    assert candidate.is_active is False
    assert "_auth_user_id" not in client.session


def test_an_accepted_candidate_cannot_erase_and_is_told_why(client, call, published, candidate):
    application = offered(call, published["algues"], candidate)
    moves.transition(application, "accept", by=candidate)
    response = client.post(reverse("candidates:erasure", args=[application.candidate_id]))
    assert response.status_code == 400
    assert "vos données servent à votre recrutement" in response.content.decode()
    assert Candidate.objects.get(pk=application.candidate_id).erased_at is None


def test_nobody_reaches_another_candidates_candidacy_cv_or_files(client, call, published, candidate):
    other_user = candidate_user(username="autre", email="autre@example.org")
    application = offered(call, published["lexique"], other_user)
    other = application.candidate
    Candidate.objects.filter(pk=other.pk).update(cv="cvs/autre.pdf", cv_name="autre.pdf")
    draft = Application.objects.create(
        candidate=other,
        challenge=published["santé"],
        state_changed_at=timezone.now(),
        created_at=timezone.now(),
    )
    urls = [
        reverse("candidates:cv", args=[other.pk]),
        reverse("candidates:data_export", args=[other.pk]),
        reverse("candidates:erasure", args=[other.pk]),
        reverse("candidates:interview_ics", args=[application.pk]),
        reverse("candidates:accept", args=[application.pk]),
        reverse("candidates:decline", args=[application.pk]),
        reverse("candidates:withdraw", args=[application.pk]),
        reverse("candidates:drop", args=[draft.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code in {404, 405}, url
        assert client.post(url).status_code == 404, url
    application.refresh_from_db()
    other.refresh_from_db()
    assert (application.state, other.erased_at, Application.objects.filter(pk=draft.pk).exists()) == (
        ApplicationState.OFFERED,
        None,
        True,
    )
    assert "autre@example.org" not in client.get(reverse("candidates:space")).content.decode()


def test_the_space_is_the_candidates_only(client, call):
    url = reverse("candidates:space")
    response = client.get(url)
    assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("login"))
    client.force_login(programme_manager())
    for name in ["space", "submit", "identity"]:
        assert client.get(reverse(f"candidates:{name}")).status_code == 404
    assert not Candidate.objects.exists()
