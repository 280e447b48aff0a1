"""The jury's exports (/gestion/jury/classement.<format>, /gestion/jury/notes.<format>) read back
with the csv module, openpyxl and tablib: the ranking's rows with the page's figures, every raw
score with its comment, who wrote it and when (Paris time); a comment that looks like a formula
stays text; an unknown format is 404. The case and its hand-computed figures:
tests/jury/test_ranking_pages.py."""

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.urls import reverse

from tests.factories import programme_manager
from tests.jury.test_ranking_pages import FORMULA, build_case

RANKING_HEADERS = [
    "Rang",
    "Ex aequo",
    "Défi",
    "Administration",
    "Sous-jury",
    "Impact (poids 2)",
    "Équipe",
    "Innovation",
    "Total brut",
    "Total calibré",
    "Décalage du sous-jury",
    "Avis favorables",
    "Avis défavorables",
    "Rang de préférence moyen",
    "Coups de cœur",
    "Désaccord",
    "État",
]
PITCHED = "Invité à pitcher devant le jury"
D = Decimal
# The calibrated order, typed: scores and counts are numbers, the figures two-decimal numbers.
RANKING = [
    [1, "Non", "Zêta", "Ministère du Travail", "Sous-jury B", 4, 3, 3,
     D("14.00"), D("14.85"), D("-0.85"), 3, 0, D("1.00"), 2, "Non", "Sélectionné"],
    [2, "Non", "Alpha", "Ministère de l’Intérieur", "Sous-jury A", 4, 4, 3,
     D("15.00"), D("14.15"), D("0.85"), 3, 0, D("1.33"), 2, "Non", PITCHED],
    [3, "Non", "Gamma", "Ministère de la Culture", "Sous-jury A", 4, 3, 3,
     D("14.00"), D("13.15"), D("0.85"), 3, 0, D("1.67"), 1, "Non", PITCHED],
    [4, "Non", "Bêta", "Ministère des Armées", "Sous-jury A", 3, 3, 3,
     D("12.00"), D("11.15"), D("0.85"), 1, 2, D("3.00"), 0, "Oui", PITCHED],
    [5, "Non", "Delta", "Ministère de la Justice", "Sous-jury B", 3, 2, 2,
     D("10.00"), D("10.85"), D("-0.85"), 2, 1, D("2.33"), 0, "Oui", PITCHED],
    [6, "Non", "Epsilon", "Ministère des Sports", "Sous-jury B", 2, 2, 2,
     D("8.00"), D("8.85"), D("-0.85"), 0, 3, D("4.00"), 0, "Non", PITCHED],
    [7, "Non", "Thêta", "Ministère de la Mer", "Sous-jury B", 3, 3, None,
     None, None, D("-0.85"), 2, 1, D("2.67"), 0, "Oui", PITCHED],
]  # fmt: skip

SCORES_HEADERS = [
    "Défi",
    "Administration",
    "Sous-jury",
    "Critère",
    "Poids",
    "Note",
    "Commentaire",
    "Noté par",
    "Noté le (heure de Paris)",
]


def expected_scores(day: dt.date) -> list[list]:
    """Every score, by sub-jury, challenge and criterion; scored at the end of its audition (the
    slots of a sub-jury follow each other from 9:00, 40 minutes each, 45 apart)."""
    ends = [dt.time(9, 40), dt.time(10, 25), dt.time(11, 10), dt.time(11, 55)]
    heard = [
        ("Alpha", "Ministère de l’Intérieur", "Sous-jury A", [4, 4, 3], ends[0]),
        ("Bêta", "Ministère des Armées", "Sous-jury A", [3, 3, 3], ends[1]),
        ("Gamma", "Ministère de la Culture", "Sous-jury A", [4, 3, 3], ends[2]),
        ("Delta", "Ministère de la Justice", "Sous-jury B", [3, 2, 2], ends[0]),
        ("Epsilon", "Ministère des Sports", "Sous-jury B", [2, 2, 2], ends[1]),
        ("Thêta", "Ministère de la Mer", "Sous-jury B", [3, 3], ends[2]),
        ("Zêta", "Ministère du Travail", "Sous-jury B", [4, 3, 3], ends[3]),
    ]
    criteria = [("Impact", D("2.00")), ("Équipe", D("1.00")), ("Innovation", D("1.00"))]
    rows = []
    for name, administration, sub_jury, values, end in heard:
        for (criterion, weight), value in zip(criteria, values, strict=False):
            comment = f"Note {value} sur « {criterion} »."
            if (name, criterion) == ("Alpha", "Impact"):
                comment = FORMULA
            moment = dt.datetime.combine(day, end)
            rows.append(
                [name, administration, sub_jury, criterion, weight, value, comment, "Alex Greffier", moment]
            )
    return rows


@pytest.fixture
def case(db):
    return build_case()


@pytest.fixture
def manager_client(client, db):
    client.force_login(programme_manager(username="gestionnaire"))
    return client


def _get(client, name, file_format, **params):
    response = client.get(reverse(name, args=[file_format]), {"promotion": 7, **params})
    assert response.status_code == 200
    return response


# How each format reads back a typed value.


def as_csv(value):
    return "" if value is None else str(value)


def as_xlsx(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def as_ods(value):
    if value is None:
        return ""
    if isinstance(value, bool | str | dt.datetime):
        return value
    return float(value)


def read_csv(response) -> list[list]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def read_xlsx(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def read_ods(response) -> list[list]:
    sheet = tablib.Dataset().load(response.content, format="ods")
    return [sheet.headers, *[list(row) for row in sheet]]


# The ranking ------------------------------------------------------------------------------------


def test_the_ranking_as_csv(manager_client, case):
    response = _get(manager_client, "jury:ranking_export", "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="classement-jury-7.csv"'
    assert response.content.startswith("\ufeff".encode())
    assert read_csv(response) == [RANKING_HEADERS, *[[as_csv(value) for value in row] for row in RANKING]]
    # Semicolons, every cell quoted; a negative offset is a number, not a text with an apostrophe.
    first = response.content.decode("utf-8-sig").splitlines()[1]
    assert first == (
        '"1";"Non";"Zêta";"Ministère du Travail";"Sous-jury B";"4";"3";"3";"14.00";"14.85";"-0.85";"3";"0";'
        '"1.00";"2";"Non";"Sélectionné"'
    )


def test_the_ranking_as_xlsx(manager_client, case):
    response = _get(manager_client, "jury:ranking_export", "xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="classement-jury-7.xlsx"'
    assert read_xlsx(response) == [RANKING_HEADERS, *[[as_xlsx(value) for value in row] for row in RANKING]]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Classement"
    assert sheet["J2"].number_format == "0.00"  # the calibrated total, with its two decimals


def test_the_ranking_as_ods(manager_client, case):
    response = _get(manager_client, "jury:ranking_export", "ods")
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    assert read_ods(response) == [RANKING_HEADERS, *[[as_ods(value) for value in row] for row in RANKING]]


def test_the_ranking_export_follows_the_order_and_marks_ties(manager_client, case):
    rows = read_csv(_get(manager_client, "jury:ranking_export", "csv", tri="brut"))
    assert [(row[0], row[1], row[2], row[8]) for row in rows[1:]] == [
        ("1", "Non", "Alpha", "15.00"),
        ("2", "Oui", "Gamma", "14.00"),
        ("2", "Oui", "Zêta", "14.00"),
        ("4", "Non", "Bêta", "12.00"),
        ("5", "Non", "Delta", "10.00"),
        ("6", "Non", "Epsilon", "8.00"),
        ("7", "Non", "Thêta", ""),
    ]


# Every raw score ---------------------------------------------------------------------------------


def test_every_score_as_csv(manager_client, case):
    response = _get(manager_client, "jury:scores_export", "csv")
    assert response["Content-Disposition"] == 'attachment; filename="notes-jury-7.csv"'
    expected = [
        [as_csv(value) for value in row[:-1]] + [row[-1].strftime("%d/%m/%Y %H:%M")]
        for row in expected_scores(case.day)
    ]
    expected[0][6] = "'" + FORMULA  # the spreadsheets' mark of a text
    assert read_csv(response) == [SCORES_HEADERS, *expected]


def test_every_score_as_xlsx(manager_client, case):
    response = _get(manager_client, "jury:scores_export", "xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="notes-jury-7.xlsx"'
    assert read_xlsx(response) == [
        SCORES_HEADERS,
        *[[as_xlsx(value) for value in row] for row in expected_scores(case.day)],
    ]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["G2"].value == FORMULA
    assert sheet["G2"].data_type == "s"  # a text, not a formula
    assert sheet["I2"].number_format == "dd/mm/yyyy hh:mm"


def test_every_score_as_ods(manager_client, case):
    response = _get(manager_client, "jury:scores_export", "ods")
    assert response["Content-Disposition"] == 'attachment; filename="notes-jury-7.ods"'
    assert read_ods(response) == [
        SCORES_HEADERS,
        *[[as_ods(value) for value in row] for row in expected_scores(case.day)],
    ]
    content = zipfile.ZipFile(io.BytesIO(response.content)).read("content.xml").decode()
    assert "table:formula" not in content
    assert 'office:value-type="string"' in content and "=HYPERLINK(" in content


@pytest.mark.parametrize("name", ["jury:ranking_export", "jury:scores_export"])
@pytest.mark.parametrize("file_format", ["pdf", "json", "CSV"])
def test_an_unknown_format_is_404(manager_client, case, name, file_format):
    assert manager_client.get(reverse(name, args=[file_format]), {"promotion": 7}).status_code == 404


@pytest.mark.parametrize("name", ["jury:ranking_export", "jury:scores_export"])
def test_an_unknown_promotion_is_404(manager_client, case, name):
    assert manager_client.get(reverse(name, args=["csv"]), {"promotion": 70}).status_code == 404
