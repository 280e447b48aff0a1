import csv
import datetime as dt
import io
import json

import pytest
from django.utils import translation
from frictionless import Resource, Schema, validate

from lifecycle import richtext
from lifecycle.enums import AdministrationKind, ChallengeState
from opendata import export, fields, selection
from opendata.models import PublishedFields
from tests.factories import AdministrationFactory, ChallengeFactory, PromotionFactory, programme_manager

pytestmark = pytest.mark.django_db

DEFAULT_COLUMNS = [
    "identifiant",
    "promotion_numero",
    "promotion_nom",
    "annee_appel",
    "nom",
    "resume",
    "description",
    "administration",
    "administration_nature",
    "administration_ministere",
    "administration_siret",
    "administrations_partenaires",
    "ville",
    "etat",
    "etat_libelle",
    "profils",
    "nombre_eig",
    "code_source",
    "date_selection",
    "date_demarrage",
    "date_cloture",
]
# What the factories put in a dossier about people and money: never in a file.
PERSONAL_OR_MONEY = [
    "Alix",
    "Durand",
    "alix.durand@example.gouv.fr",
    "01 23 45 67 89",
    "Sacha",
    "Lefèvre",
    "sacha.lefevre@example.gouv.fr",
    "Lou",
    "lou.petit@example.gouv.fr",
    "Dominique Bernard",
    "Cheffe de bureau",
    "150000",
    "105000",
    "Camille",
    "Martin",
]


def _csv_rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))


def test_the_list_of_publishable_columns_is_this_one():
    """Adding a column to the open data is a reviewed decision: this list says which exist."""
    assert [item.name for item in fields.FIELDS] == [
        *DEFAULT_COLUMNS[:7],
        "description_markdown",
        *DEFAULT_COLUMNS[7:11],
        "administration_site_web",
        "administrations_partenaires",
        "ville",
        "adresse",
        *DEFAULT_COLUMNS[13:],
    ]
    assert fields.default_selection() == DEFAULT_COLUMNS
    assert fields.REQUIRED == ["identifiant", "promotion_numero", "nom"]


def test_a_challenge_s_row_as_published(cartobio):
    entry_description = cartobio.public_description
    assert cartobio.administration.name == (
        "Agence Française pour le Développement et la Promotion de l’Agriculture Biologique"
    )
    [row] = export.rows(export.published_challenges(), export.columns())
    assert dict(zip(DEFAULT_COLUMNS, row, strict=True)) == {
        "identifiant": cartobio.pk,
        "promotion_numero": 3,
        "promotion_nom": "EIG 3",
        "annee_appel": 2018,
        "nom": "CartoBio",
        "resume": "Cartographier les parcelles cultivées en agriculture biologique",
        "description": richtext.to_plain(entry_description),
        "administration": cartobio.administration.name,
        "administration_nature": "Opérateur rattaché à un ministère",
        "administration_ministere": "Ministère de l’Agriculture et de l’Alimentation",
        "administration_siret": "18004202400036",
        "administrations_partenaires": "Ministère de la Transition écologique et solidaire",
        "ville": "Montreuil",
        "etat": "running",
        "etat_libelle": "En cours",
        "profils": "Développement ; Data science",
        "nombre_eig": 2,
        "code_source": "https://github.com/entrepreneur-interet-general/cartobio",
        "date_selection": dt.date(2018, 7, 13),
        "date_demarrage": dt.date(2019, 1, 14),
        "date_cloture": None,
    }
    # The Markdown as plain text: the link's address after its text, no "##" nor "**" left.
    description = row[DEFAULT_COLUMNS.index("description")]
    assert description.startswith(
        "L’Agence française pour le développement et la promotion de\n"
        "l’agriculture biologique (Agence BIO) (http://www.agencebio.org/), en\n"
    )
    assert "\n\nCartoBio\u00a0: faciliter les démarches" in description  # the French no-break space kept
    assert "**" not in description and "##" not in description
    assert len(description) > 3000


def test_the_csv_exactly(promotion_3):
    administration = AdministrationFactory(
        name="Cour des comptes", kind=AdministrationKind.INDEPENDENT_AUTHORITY
    )
    challenge = ChallengeFactory(
        promotion=promotion_3,
        administration=administration,
        name="Défi « Données, ouvertes »",
        summary='Un résumé avec des "guillemets"',
        public_description="Première ligne\n\nDeuxième paragraphe, **en gras**.",
        state=ChallengeState.RECRUITING,
    )
    names = ["nom", "resume", "description", "administration", "etat_libelle", "profils", "nombre_eig"]
    file = export.bundle(names=names).file("defis-eig.csv")
    assert file.content_type == "text/csv; charset=utf-8"
    assert (
        file.content
        == (
            "identifiant,promotion_numero,nom,resume,description,administration,etat_libelle,profils,nombre_eig\r\n"
            f'{challenge.pk},3,"Défi « Données, ouvertes »","Un résumé avec des ""guillemets""",'
            '"Première ligne\n\nDeuxième paragraphe, en gras.",Cour des comptes,En recrutement,'
            "Développement ; Data science,2\r\n"
        ).encode()
    )
    assert not file.content.startswith(b"\xef\xbb\xbf")  # UTF-8 without a byte order mark


def test_the_json_exactly(cartobio):
    names = ["nom", "resume", "administration_ministere", "code_source", "date_selection", "date_cloture"]
    made = export.bundle(names=names)
    content = made.file("defis-eig.json").content
    assert json.loads(content) == [
        {
            "identifiant": cartobio.pk,
            "promotion_numero": 3,
            "nom": "CartoBio",
            "resume": "Cartographier les parcelles cultivées en agriculture biologique",
            "administration_ministere": "Ministère de l’Agriculture et de l’Alimentation",
            "code_source": "https://github.com/entrepreneur-interet-general/cartobio",
            "date_selection": "2018-07-13",
            "date_cloture": None,
        }
    ]
    assert "cultivées".encode() in content  # accents as UTF-8, not \u escapes


def test_only_selected_challenges_and_after_are_published(promotion_3):
    for state in ChallengeState:
        ChallengeFactory(promotion=promotion_3, name=f"Défi {state.value}", state=state)
    rows = export.rows(export.published_challenges(), export.columns(["etat"]))
    assert [row[2:] for row in rows] == [
        ["Défi completed", "completed"],
        ["Défi recruiting", "recruiting"],
        ["Défi running", "running"],
        ["Défi selected", "selected"],
    ]
    other = PromotionFactory(number=4)
    ChallengeFactory(promotion=other, name="Défi de la promotion 4", state=ChallengeState.SELECTED)
    assert export.bundle(promotion=other).challenge_count == 1
    assert export.bundle().challenge_count == 5


def test_no_personal_data_whatever_the_choice(cartobio):
    """Every column, and names that are none of them written straight into the database (not
    through the form nor `selection.choose`): the guard in `export.columns` keeps to the list."""
    PublishedFields.objects.create(
        pk=1,
        names=[*[item.name for item in fields.FIELDS], "mentors", "email", "total_employer_cost", "manager"],
    )
    cartobio.manager = programme_manager(first_name="Camille", last_name="Martin")
    cartobio.save()
    made = export.bundle()
    assert [column.name for column in made.columns] == [item.name for item in fields.FIELDS]
    published = b"".join(file.content for file in made.files).decode()
    for value in PERSONAL_OR_MONEY:
        assert value not in published, value
    assert list(_csv_rows(made.file("defis-eig.csv").content)[0]) == [item.name for item in fields.FIELDS]


def test_choosing_columns_keeps_the_required_ones_and_refuses_unknown_names(db):
    manager = programme_manager()
    assert selection.choose(["resume", "nom", "ville"], by=manager) == [
        "identifiant",
        "promotion_numero",
        "nom",
        "resume",
        "ville",
    ]
    assert selection.current() == ["identifiant", "promotion_numero", "nom", "resume", "ville"]
    with pytest.raises(Exception, match="Colonnes inconnues, jamais publiées : mentor_email"):
        selection.choose(["resume", "mentor_email"], by=manager)
    assert selection.current() == ["identifiant", "promotion_numero", "nom", "resume", "ville"]


def _validated(tmp_path, csv_content: bytes, schema: dict, name="defis-eig.csv"):
    (tmp_path / name).write_bytes(csv_content)
    return validate(Resource(path=name, basepath=str(tmp_path), schema=Schema.from_descriptor(schema)))


def test_the_files_are_valid_against_their_table_schema(tmp_path, cartobio, promotion_3):
    ChallengeFactory(promotion=promotion_3, name="Défi sélectionné sans code", state=ChallengeState.SELECTED)
    every = [item.name for item in fields.FIELDS]
    made = export.bundle(names=every)
    schema = json.loads(made.file("defis-eig.schema.json").content)
    assert Schema.validate_descriptor(schema).valid
    assert [item["name"] for item in schema["fields"]] == every
    assert schema["primaryKey"] == "identifiant"
    assert schema["fields"][0] == {
        "name": "identifiant",
        "title": "Identifiant du défi",
        "description": "Numéro du défi dans le suivi du programme EIG : stable, unique.",
        "type": "integer",
        "constraints": {"unique": True, "minimum": 1, "required": True},
    }
    csv_report = _validated(tmp_path, made.file("defis-eig.csv").content, schema)
    assert csv_report.valid, csv_report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert csv_report.tasks[0].stats["rows"] == 2
    (tmp_path / "defis-eig.json").write_bytes(made.file("defis-eig.json").content)
    json_report = validate(
        Resource(path="defis-eig.json", basepath=str(tmp_path), schema=Schema.from_descriptor(schema))
    )
    assert json_report.valid, json_report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_a_broken_csv_is_caught_by_the_schema(tmp_path, cartobio):
    made = export.bundle()
    schema = json.loads(made.file("defis-eig.schema.json").content)
    good = made.file("defis-eig.csv").content.decode()
    broken = good.replace(",running,", ",draft,").replace(",2018-07-13,", ",13/07/2018,")
    broken += broken.split("\r\n", 1)[1]  # the same challenge twice
    report = _validated(tmp_path, broken.encode(), schema)
    assert not report.valid
    errors = report.flatten(["rowNumber", "fieldName", "type"])
    assert [2, "etat", "constraint-error"] in errors
    assert [2, "date_selection", "type-error"] in errors
    assert [3, None, "primary-key"] in errors


def test_the_files_are_french_whatever_the_language(cartobio):
    with translation.override("en"):
        made = export.bundle()
    assert "En cours" in made.file("defis-eig.csv").content.decode()
    assert '"title": "Nom du défi"' in made.file("defis-eig.schema.json").content.decode()
