"""The jury members' pages: each member sees only the challenges their sub-jury hears (never one
they are in conflict with), fills the collective grid and their general grid, declares their
conflicts; every other role gets a 404."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from jury import services
from jury.models import Conflict, JuryMember, Opinion, Score, SubJury
from lifecycle import clock, criteria
from lifecycle.enums import AuditKind, ChallengeState
from lifecycle.models import AuditEvent
from tests.factories import (
    ChallengeFactory,
    PromotionFactory,
    administration_contact,
    jury_member,
    pitch_slot,
    programme_manager,
    user_with_role,
)
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def promotion():
    return PromotionFactory(name="EIG 3")


@pytest.fixture
def jury(promotion):
    return services.jury_of(promotion)


@pytest.fixture
def sub_juries(jury):
    return (
        SubJury.objects.create(jury=jury, name="Sous-jury A"),
        SubJury.objects.create(jury=jury, name="Sous-jury B"),
    )


@pytest.fixture
def member(jury, sub_juries):
    seat = jury_member(jury, first_name="Dominique", last_name="Juré", username="jure")
    sub_juries[0].members.add(seat)
    return seat


@pytest.fixture
def colleague(jury, sub_juries):
    seat = jury_member(jury, first_name="Alex", last_name="Voisin", username="voisin")
    sub_juries[1].members.add(seat)
    return seat


def pitched(promotion, name, sub_jury, **slot):
    challenge = ChallengeFactory(promotion=promotion, name=name, state=ChallengeState.PITCHED)
    pitch_slot(challenge, sub_jury=sub_jury, **slot)
    return challenge


@pytest.fixture
def ours(promotion, sub_juries):
    return pitched(promotion, "Datafin", sub_juries[0])


@pytest.fixture
def second(promotion, sub_juries):
    return pitched(promotion, "Signaux faibles", sub_juries[0])


@pytest.fixture
def theirs(promotion, sub_juries):
    return pitched(promotion, "Hopkins", sub_juries[1])


@pytest.fixture
def member_client(client, member):
    client.force_login(member.user)
    return client


def at(promotion, hour, minute=0):
    """A moment of the first jury day (Paris time)."""
    day = promotion.call.jury_starts_on
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def challenge_urls(challenge) -> list[str]:
    return [
        reverse("jury:challenge", args=[challenge.pk]),
        reverse("jury:pitch_deck", args=[challenge.pk]),
        reverse("jury:grid", args=[challenge.pk]),
    ]


def grid_post(challenge, values, comment="Argumenté par le sous-jury."):
    data = {}
    for criterion, value in zip(criteria.of_call(challenge.promotion.call), values, strict=True):
        data[f"value_{criterion.pk}"] = str(value)
        data[f"comment_{criterion.pk}"] = comment
    return data


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- What a member sees ----------------------------------------------------------------------


def test_the_home_page_lists_the_members_slots_only(member, member_client, ours, theirs, colleague):
    response = member_client.get(reverse("jury:home"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Datafin" in page
    assert ours.administration.name in page
    assert "Hopkins" not in page
    assert "Sous-jury A" in page and "Sous-jury B" not in page
    assert "09:00–09:40" in page
    assert "Salle Lamartine" in page
    assert reverse("jury:challenge", args=[ours.pk]) in page
    assert reverse("jury:grid", args=[ours.pk]) in page
    assert reverse("jury:grid", args=[theirs.pk]) not in page
    assert "Audition à venir" in page
    assert "20 minutes d’audition" in page
    assert services.general_grid_opens_at(member) == at(ours.promotion, 9, 40)
    assert "Elle s’ouvre après votre dernière audition" in page


def test_the_home_page_says_whether_each_collective_grid_is_complete(member, member_client, ours, second):
    call = ours.promotion.call
    with clock.at(at(ours.promotion, 11)):
        services.save_grid(ours, [services.Mark(criteria.of_call(call)[0].pk, 3, "Bien")], by=member.user)
        response = member_client.get(reverse("jury:home"))
    page = response.content.decode()
    assert "Grille collective : 4 critères à noter" in page
    assert "Grille collective : 5 critères à noter" in page
    assert "Ouverte : à remplir." in page


def test_another_sub_jurys_challenge_answers_404(member_client, ours, theirs):
    for url in challenge_urls(theirs):
        assert member_client.get(url).status_code == 404, url
    with clock.at(at(theirs.promotion, 11)):
        response = member_client.post(reverse("jury:grid", args=[theirs.pk]), grid_post(theirs, [3] * 5))
    assert response.status_code == 404
    assert not Score.objects.filter(challenge=theirs).exists()


def test_the_member_reads_the_dossier_and_the_pitch_deck_of_a_challenge_they_hear(member_client, ours):
    response = member_client.get(reverse("jury:challenge", args=[ours.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert ours.problem in page
    assert ours.solution in page
    assert reverse("jury:pitch_deck", args=[ours.pk]) in page
    assert "Pas encore noté." in page
    assert "Modifier" not in page

    deck = member_client.get(reverse("jury:pitch_deck", args=[ours.pk]))
    assert deck.status_code == 200
    assert deck["Content-Type"] == "application/pdf"
    assert deck["Content-Disposition"].startswith("attachment;")
    assert b"".join(deck.streaming_content).startswith(b"%PDF")


def test_a_conflicted_member_gets_404_although_their_sub_jury_hears_the_challenge(
    member, member_client, ours
):
    Conflict.objects.create(
        member=member,
        challenge=ours,
        reason="Ancien agent",
        declared_by=member.user,
        declared_at=timezone.now(),
    )

    for url in challenge_urls(ours):
        assert member_client.get(url).status_code == 404, url
    with clock.at(at(ours.promotion, 11)):
        response = member_client.post(reverse("jury:grid", args=[ours.pk]), grid_post(ours, [3] * 5))
    assert response.status_code == 404
    assert not Score.objects.filter(challenge=ours).exists()
    assert "Datafin" not in member_client.get(reverse("jury:home")).content.decode()


# --- The collective grid ---------------------------------------------------------------------


def test_the_grid_post_writes_the_scores_and_their_audit_events(member, member_client, ours):
    call_criteria = criteria.of_call(ours.promotion.call)
    url = reverse("jury:grid", args=[ours.pk])
    with clock.at(at(ours.promotion, 9, 35)):
        page = member_client.get(url)
        assert page.status_code == 200
        assert "1 — Pas du tout satisfaisant" in page.content.decode()
        assert "4 — Excellent" in page.content.decode()
        response = member_client.post(url, grid_post(ours, [3, 4, 2, 3, 1]), follow=True)

    assert response.redirect_chain == [(url, 302)]
    assert page_messages(response) == [
        "La grille collective de « Datafin » est enregistrée. Tous les critères sont notés."
    ]
    assert [
        (score.criterion_id, score.value, score.comment, score.updated_by)
        for score in Score.objects.filter(challenge=ours).order_by("criterion__rank")
    ] == [
        (criterion.pk, value, "Argumenté par le sous-jury.", member.user)
        for criterion, value in zip(call_criteria, [3, 4, 2, 3, 1], strict=True)
    ]
    events = AuditEvent.objects.filter(challenge=ours, kind=AuditKind.SCORE_GIVEN).order_by("pk")
    assert events.count() == 5
    assert events[0].actor == member.user
    assert events[0].changes == {
        "criterion": [None, call_criteria[0].name],
        "value": [None, 3],
        "comment": [None, "Argumenté par le sous-jury."],
    }

    with clock.at(at(ours.promotion, 9, 50)):
        data = form_data(member_client.get(url).content.decode(), "grid-form")
        data[f"value_{call_criteria[2].pk}"] = "3"
        response = member_client.post(url, data, follow=True)

    assert page_messages(response) == [
        "La grille collective de « Datafin » est enregistrée. Tous les critères sont notés."
    ]
    assert events.count() == 6
    assert events.last().changes == {"value": [2, 3]}
    assert Score.objects.get(challenge=ours, criterion=call_criteria[2]).value == 3


def test_a_partial_grid_says_what_is_left(member_client, ours):
    first = criteria.of_call(ours.promotion.call)[0]
    url = reverse("jury:grid", args=[ours.pk])
    with clock.at(at(ours.promotion, 9, 35)):
        response = member_client.post(
            url, {f"value_{first.pk}": "4", f"comment_{first.pk}": "Un impact national."}, follow=True
        )
    assert page_messages(response) == [
        "La grille collective de « Datafin » est enregistrée. Il reste 4 critères à noter."
    ]
    assert Score.objects.get(challenge=ours).value == 4


def test_an_out_of_range_score_is_refused_in_french_and_what_was_typed_is_kept(member_client, ours):
    first = criteria.of_call(ours.promotion.call)[0]
    url = reverse("jury:grid", args=[ours.pk])
    data = grid_post(ours, [3] * 5, comment="Un commentaire précis du sous-jury.")
    data[f"value_{first.pk}"] = "7"
    with clock.at(at(ours.promotion, 9, 35)):
        response = member_client.post(url, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "La grille n’est pas enregistrée" in page
    assert "« Impact du défi proposé » : une note de 1 à 4." in page
    assert response.context["form"].errors == {
        f"value_{first.pk}": ["« Impact du défi proposé » : une note de 1 à 4."]
    }
    assert page.count("Un commentaire précis du sous-jury.") == 5
    assert form_data(page, "grid-form")[f"value_{criteria.of_call(ours.promotion.call)[1].pk}"] == "3"
    assert not Score.objects.filter(challenge=ours).exists()


def test_a_score_needs_its_comment(member_client, ours):
    first = criteria.of_call(ours.promotion.call)[0]
    with clock.at(at(ours.promotion, 9, 35)):
        response = member_client.post(reverse("jury:grid", args=[ours.pk]), {f"value_{first.pk}": "2"})
    assert response.context["form"].errors == {
        f"comment_{first.pk}": ["« Impact du défi proposé » : un commentaire accompagne la note."]
    }
    assert not Score.objects.exists()


def test_the_grid_is_read_only_before_the_audition_and_says_when_it_opens(member_client, ours):
    url = reverse("jury:grid", args=[ours.pk])
    with clock.at(at(ours.promotion, 8, 30)):
        page = member_client.get(url).content.decode()
        response = member_client.post(url, grid_post(ours, [3] * 5))

    assert 'id="grid-form"' not in page
    assert "La grille s’ouvre au début de l’audition" in page
    assert "09:00–09:40" in page
    assert response.status_code == 200
    assert "la grille se remplit à partir de là" in response.content.decode()
    assert not Score.objects.exists()


def test_the_grid_is_read_only_once_the_jury_is_closed(member, member_client, ours, jury):
    with clock.at(at(ours.promotion, 9, 35)):
        member_client.post(reverse("jury:grid", args=[ours.pk]), grid_post(ours, [3] * 5))
    jury.closed_at = at(ours.promotion, 18)
    jury.save()
    with clock.at(at(ours.promotion, 19)):
        page = member_client.get(reverse("jury:grid", args=[ours.pk])).content.decode()
    assert 'id="grid-form"' not in page
    assert "Le jury est clos : la grille collective se consulte, elle ne change plus." in page
    assert page.count("Note : 3 — Satisfaisant") == 5


# --- The general grid ------------------------------------------------------------------------


def general_post(*rows):
    """rows: (challenge, favourable, rank, explanation, favourite)."""
    data = {}
    for challenge, favourable, rank, explanation, favourite in rows:
        data[f"favourable_{challenge.pk}"] = "favorable" if favourable else "defavorable"
        data[f"preference_{challenge.pk}"] = str(rank)
        data[f"explanation_{challenge.pk}"] = explanation
        if favourite:
            data[f"favourite_{challenge.pk}"] = "on"
    return data


def test_the_general_grid_says_when_it_opens(member_client, ours, second):
    with clock.at(at(ours.promotion, 9, 50)):
        page = member_client.get(reverse("jury:general_grid")).content.decode()
    assert 'id="general-grid-form"' not in page
    assert "La grille générale s’ouvre après votre dernière audition, le" in page
    assert "10:25" in page  # the second audition: 09:45–10:25


def test_the_general_grid_refuses_two_coups_de_coeur(member_client, ours, second):
    data = general_post((ours, True, 1, "Un défi utile.", True), (second, True, 2, "Solide.", True))
    with clock.at(at(ours.promotion, 11)):
        response = member_client.post(reverse("jury:general_grid"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Un seul coup de cœur par membre." in page
    assert "« Datafin » : un seul coup de cœur, décochez les autres." in page
    assert "Un défi utile." in page
    assert not Opinion.objects.exists()


def test_the_general_grid_refuses_duplicate_ranks(member_client, ours, second):
    data = general_post((ours, True, 1, "Un défi utile.", False), (second, False, 1, "Trop flou.", False))
    with clock.at(at(ours.promotion, 11)):
        response = member_client.post(reverse("jury:general_grid"), data)
    page = response.content.decode()
    assert "Classez les défis de 1 (votre préféré) à 2, chaque rang une seule fois." in page
    assert "« Signaux faibles » : le rang 1 est donné à plusieurs défis." in page
    assert "Trop flou." in page
    assert not Opinion.objects.exists()


def test_the_general_grid_names_what_is_missing(member_client, ours, second):
    with clock.at(at(ours.promotion, 11)):
        response = member_client.post(reverse("jury:general_grid"), {})
    errors = response.context["form"].errors
    assert errors[f"favourable_{ours.pk}"] == ["« Datafin » : avis favorable ou défavorable ?"]
    assert errors[f"preference_{second.pk}"] == ["« Signaux faibles » : choisissez son rang de préférence."]
    assert errors[f"explanation_{ours.pk}"] == ["« Datafin » : expliquez brièvement votre avis."]


def test_the_general_grid_is_saved_and_audited(member, member_client, ours, second):
    data = general_post((ours, True, 2, "Un défi utile.", False), (second, True, 1, "Solide.", True))
    url = reverse("jury:general_grid")
    with clock.at(at(ours.promotion, 11)):
        response = member_client.post(url, data, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert page_messages(response) == ["Votre grille générale est enregistrée."]
    assert sorted(
        (o.challenge.name, o.favourable, o.preference, o.explanation, o.favourite)
        for o in member.opinions.all()
    ) == [("Datafin", True, 2, "Un défi utile.", False), ("Signaux faibles", True, 1, "Solide.", True)]
    assert AuditEvent.objects.filter(kind=AuditKind.OPINION_GIVEN, actor=member.user).count() == 2
    # Shown again with what was given.
    assert form_data(response.content.decode(), "general-grid-form")[f"favourite_{second.pk}"] == "on"


# --- Conflicts of interest -------------------------------------------------------------------


def test_a_member_declares_a_conflict_and_no_longer_reads_the_challenge(member, member_client, ours, theirs):
    preselected = ChallengeFactory(
        promotion=ours.promotion, name="Lab santé", state=ChallengeState.PRESELECTED
    )
    ChallengeFactory(promotion=ours.promotion, name="Brouillon", state=ChallengeState.DRAFT)
    page = member_client.get(reverse("jury:conflicts")).content.decode()

    assert f"Datafin — {ours.administration.name}" in page
    assert f"Hopkins — {theirs.administration.name}" in page
    assert f"Lab santé — {preselected.administration.name}" in page
    assert "Brouillon" not in page
    assert ours.problem not in page
    assert "vous ne lisez ni ne notez ce défi" in page

    response = member_client.post(
        reverse("jury:conflicts"),
        {"challenge": ours.pk, "reason": "J’ai conseillé cette équipe en 2017."},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("jury:conflicts"), 302)]
    assert page_messages(response) == [
        "Votre conflit d’intérêts avec « Datafin » est déclaré : vous ne lirez ni ne noterez ce défi."
    ]
    conflict = Conflict.objects.get()
    assert (conflict.member, conflict.challenge, conflict.reason, conflict.declared_by) == (
        member,
        ours,
        "J’ai conseillé cette équipe en 2017.",
        member.user,
    )
    assert AuditEvent.objects.filter(kind=AuditKind.CONFLICT_DECLARED, challenge=ours).count() == 1
    page = response.content.decode()
    assert "J’ai conseillé cette équipe en 2017." in page
    assert f'<option value="{ours.pk}"' not in page
    for url in challenge_urls(ours):
        assert member_client.get(url).status_code == 404, url


def test_a_conflict_needs_a_reason(member_client, ours):
    response = member_client.post(reverse("jury:conflicts"), {"challenge": ours.pk, "reason": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "reason": ["Dites en quelques mots la nature du conflit d’intérêts."]
    }
    assert form_data(response.content.decode(), "conflict-form")["challenge"] == str(ours.pk)
    assert not Conflict.objects.exists()


# --- Other roles -----------------------------------------------------------------------------


def member_urls(challenge) -> list[str]:
    return [
        reverse("jury:home"),
        reverse("jury:conflicts"),
        reverse("jury:general_grid"),
        *challenge_urls(challenge),
    ]


@pytest.mark.parametrize("role", ["manager", "contact", "auditor"])
def test_other_roles_get_404_on_the_members_pages(client, ours, member, role):
    person = {
        "manager": lambda: programme_manager(username="gestionnaire"),
        "contact": lambda: administration_contact(ours.administration, username="contact"),
        "auditor": lambda: user_with_role(Role.AUDITOR, username="auditeur"),
    }[role]()
    client.force_login(person)
    for url in member_urls(ours):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url


def test_someone_signed_out_is_sent_to_the_sign_in_page(client, ours):
    for url in member_urls(ours):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


# --- Several seats ---------------------------------------------------------------------------


def test_a_member_of_two_juries_sees_both_the_latest_first(member, member_client, ours):
    older = PromotionFactory(number=2, name="EIG 2")
    old_seat = JuryMember.objects.create(
        jury=services.jury_of(older),
        user=member.user,
        first_name="Dominique",
        last_name="Juré",
        email=member.email,
        kind=member.kind,
    )
    old_challenge = pitched(
        older, "Lexpol", SubJury.objects.create(jury=old_seat.jury, name="Sous-jury 2018")
    )
    SubJury.objects.get(name="Sous-jury 2018").members.add(old_seat)

    page = member_client.get(reverse("jury:home")).content.decode()
    assert page.index("Jury de la promotion EIG 3") < page.index("Jury de la promotion EIG 2")
    assert "Lexpol" in page and "Datafin" in page
    assert f"{reverse('jury:general_grid')}?promotion=2" in page
    assert member_client.get(reverse("jury:challenge", args=[old_challenge.pk])).status_code == 200

    old_grid = member_client.get(reverse("jury:general_grid"), {"promotion": 2}).content.decode()
    assert "Lexpol" in old_grid and "Datafin" not in old_grid
    assert "Lexpol" not in member_client.get(reverse("jury:general_grid")).content.decode()
    assert member_client.get(reverse("jury:general_grid"), {"promotion": 999}).status_code == 404


def test_the_general_grid_is_read_only_once_the_jury_is_closed(member, member_client, ours, jury):
    Opinion.objects.create(
        member=member,
        challenge=ours,
        favourable=True,
        preference=1,
        explanation="Un défi utile.",
        favourite=True,
        updated_at=at(ours.promotion, 11),
    )
    jury.closed_at = at(ours.promotion, 18)
    jury.save()
    with clock.at(at(ours.promotion, 19)):
        page = member_client.get(reverse("jury:general_grid")).content.decode()
        refused = member_client.post(
            reverse("jury:general_grid"), general_post((ours, False, 1, "Non.", False))
        )
    assert 'id="general-grid-form"' not in page
    assert "Le jury est clos : votre grille générale se consulte, elle ne change plus." in page
    assert "Avis favorable — rang 1 — <strong>coup de cœur</strong>" in page
    assert "Le jury est clos depuis le" in refused.content.decode()
    assert Opinion.objects.get().favourable is True
