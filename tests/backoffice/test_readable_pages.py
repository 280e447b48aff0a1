"""The audit review and the case page read the trail as people do: labels, names, Paris time, file
names; never a raw key ("attests_data_access", "eig[2].profile", "user:12", "batch:3", "submitted")."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.enums import Role
from accounts.services import account_values, record_account_change
from lifecycle import configuration
from lifecycle.enums import ChallengeState, CofinancingKind
from lifecycle.models import AuditEvent
from tests.backoffice.page_text import text_of
from tests.backoffice.readable_case import DESCRIPTION, hard_case
from tests.factories import ChallengeFactory, PromotionFactory, user_with_role

PARIS = ZoneInfo("Europe/Paris")

AUDIT = reverse("backoffice:audit")
# What a raw key of the trail looks like: a snake_case name, a child row's key, a subject.
RAW_KEY = re.compile(r"\b[a-z]+_[a-z_]+\b|\b(?:eig|team|mentor|contact|recruited)\[|\b(?:user|batch):\d")


@pytest.fixture
def case(manager):
    return hard_case(manager)


def raw_keys_in(text: str, events) -> list[str]:
    """The trail's keys, subjects and states found as they are in a page's text."""
    found = []
    for event in events:
        for key in event.changes or {}:
            if ("_" in key or "[" in key) and key in text:
                found.append(key)
        if event.subject and event.subject in text:
            found.append(event.subject)
        for state in (event.from_state, event.to_state):
            if state and re.search(rf"\b{state}\b", text):
                found.append(state)
    return found + RAW_KEY.findall(text)


def in_a_list(label, old, new):
    """A change as the audit review's list says it."""
    return f"{label} : {old} → devient {new}"


def in_a_table(label, old, new):
    """A change as a row of the timeline's tables reads (field, old value, new value)."""
    return f"{label} {old} {new}"


def the_readable_changes(text, change):
    assert change("Accès aux données attesté", "Non", "Oui") in text
    assert change("EIG n°2 — Profil", "Data science", "Design de service ou d’expérience utilisateur") in text
    assert (
        change(
            "Équipe projet, membre 1 — Fonction",
            "Cheffe de bureau",
            "Cheffe du bureau des études, de la prospective et des données",
        )
        in text
    )
    assert change("EIG recruté·e (Camille Dupont) — Profil", "—", "Data science") in text
    assert change("EIG recruté·e (Camille Dupont) — Recruté·e le", "—", "7 janvier 2019") in text
    # The pitch deck by its file's name, not its place in the storage.
    deck = r"[0-9a-f]{32}\.pdf"
    assert re.search(re.escape(change("Présentation de synthèse (PDF)", "@", "@")).replace("@", deck), text)
    assert "pitch-decks/" not in text


def test_the_audit_review_reads_the_trail_for_the_auditor(client, case):
    client.force_login(user_with_role(Role.AUDITOR, username="lecteur"))
    html = client.get(AUDIT).content.decode()
    text = text_of(html)

    the_readable_changes(text, in_a_list)
    # Subjects by what they name, kinds and states by their labels.
    assert "Compte : Dominique" in text  # user:<pk>
    assert "Changement de rôle d’une personne" in text
    assert "Rôle : — → devient Auditeur·rice" in text
    assert "Lot de messages retenus : " in text  # batch:<pk>
    assert "Envoi d’e-mails retenus" in text
    assert "Changement d’état — Présélectionner : Déposé → Présélectionné" in text
    # Times in Paris.
    event = AuditEvent.objects.filter(challenge=case).order_by("-id").first()
    assert timezone.localtime(event.created_at).strftime("%H:%M:%S") in text
    assert raw_keys_in(text, AuditEvent.objects.all()) == []
    # The auditor reads the page, not the cases: no link to them.
    assert reverse("backoffice:challenge", args=[case.pk]) not in html


def test_a_configuration_change_and_an_account_change_read_as_labels(client, manager):
    call = PromotionFactory(number=7, name="EIG 7").call
    call.submission_deadline = dt.datetime(2018, 6, 17, 23, 59, tzinfo=PARIS)
    call.cofinancing_kind = CofinancingKind.MONTHS
    call.cofinancing_eligible_kinds = ["ministry", "territorial_authority"]
    configuration.save(call, by=manager, validate=False)
    person = user_with_role(Role.JURY_MEMBER, username="jure", first_name="Sam", last_name="Roux")
    before = account_values(person)
    person.is_active = False
    person.save()
    record_account_change(person, before, by=manager)

    client.force_login(user_with_role(Role.AUDITOR, username="lecteur"))
    html = client.get(AUDIT).content.decode()
    text = text_of(html)

    assert f"Appel à projets : {call}" in text  # call:<pk>
    assert "→ devient 17 juin 2018 à 23:59" in text  # stored in UTC, read in Paris
    assert "→ devient Le coût total employeur d’un nombre de mois" in text
    assert "→ devient Ministère ou service de l’État, Collectivité territoriale" in text
    assert "Compte : Sam Roux (jure)" in text
    assert "Actif : Oui → devient Non" in text
    assert raw_keys_in(text, AuditEvent.objects.all()) == []


def test_the_case_timeline_reads_the_same(manager_client, case):
    html = manager_client.get(reverse("backoffice:challenge", args=[case.pk])).content.decode()
    timeline = text_of(html[html.index('id="timeline"') :].split("</section>")[0])

    the_readable_changes(timeline, in_a_table)
    assert raw_keys_in(timeline, case.audit_events.all()) == []
    assert "Présélectionner : Déposé → Présélectionné" in timeline
    assert "Motif : Impact fort, équipe solide." in timeline


def test_the_timeline_and_the_review_fold_long_values(manager_client, case):
    html = manager_client.get(reverse("backoffice:challenge", args=[case.pk])).content.decode()
    assert '<details class="eig-value"><summary>Les données de l’administration pénitentiaire' in html
    review = manager_client.get(AUDIT).content.decode()
    assert '<details class="eig-value"><summary>Les données de l’administration pénitentiaire' in review


def test_the_case_page_has_a_menu_of_its_sections(manager_client, manager):
    challenge = ChallengeFactory(state=ChallengeState.SUBMITTED, manager=manager)
    html = manager_client.get(reverse("backoffice:challenge", args=[challenge.pk])).content.decode()

    menu = html[
        html.index('<nav class="fr-sidemenu') : html.index("</nav>", html.index('<nav class="fr-sidemenu'))
    ]
    links = re.findall(r'href="(#[\w-]+)"', menu)
    assert links == [
        "#actions",
        "#corrections",
        "#dossier",
        "#section-administration",
        "#section-description",
        "#section-missions",
        "#section-equipe",
        "#section-ressources",
        "#section-financement",
        "#section-contacts",
        "#section-presentation",
        "#documents",
        "#people",
        "#messages",
        "#mails",
        "#timeline",
    ]
    for anchor in links:
        assert f'id="{anchor[1:]}"' in html, anchor
    assert 'class="fr-sidemenu fr-sidemenu--sticky"' in menu

    preselected = ChallengeFactory(state=ChallengeState.PRESELECTED, manager=manager)
    html = manager_client.get(reverse("backoffice:challenge", args=[preselected.pk])).content.decode()
    assert 'href="#corrections"' not in html  # no corrections asked, none shown


def test_each_mail_opens_on_the_text_it_was_sent_with(manager_client, case):
    html = manager_client.get(reverse("backoffice:challenge", args=[case.pk])).content.decode()
    mails = list(case.notifications.all())
    assert mails
    assert html.count('<details class="eig-mail"') == len(mails)
    for mail in mails:
        body = mail.body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        body = body.replace('"', "&quot;").replace("'", "&#x27;")
        assert f'<pre class="eig-mail__body" lang="{mail.language}" translate="no">{body}</pre>' in html


def test_the_public_description_is_rendered_from_markdown(manager_client, case):
    html = manager_client.get(reverse("backoffice:challenge", args=[case.pk])).content.decode()
    dossier = html[html.index('id="dossier"') : html.index('id="documents"')]
    assert "<h4>La problématique</h4>" in dossier
    assert "<strong>important</strong>" in dossier
    assert "### La problématique" not in dossier
    assert DESCRIPTION.splitlines()[2][:60] in dossier


@pytest.mark.parametrize("page", ["dashboard", "challenge", "audit"])
def test_no_french_date_words_in_english(manager_client, case, page):
    with translation.override("en"):
        if translation.gettext("j F Y à H:i") == "j F Y à H:i":
            pytest.skip("the English catalogue does not translate the new date formats yet")
    url = {
        "dashboard": reverse("backoffice:dashboard"),
        "challenge": reverse("backoffice:challenge", args=[case.pk]),
        "audit": AUDIT,
    }[page]
    html = manager_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # What was recorded as written (e-mails as sent, reasons as typed, labels of held reviews) is
    # marked translate="no": the interface around it is what must be English.
    recorded = re.compile(r'<(\w+)[^>]*translate="no"[^>]*>.*?</\1>', re.S)
    text = text_of(recorded.sub(" ", html))
    months = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
    assert not re.search(rf"\d+ (?:{months}) \d{{4}}", text)
    assert not re.search(r"\d{4} à \d{2}:\d{2}", text)
