import csv
import io
import json
import textwrap
from pathlib import Path

import pytest
import tablib
import yaml
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from importing import administrations, readers
from lifecycle import audit
from lifecycle.enums import AdministrationKind, AuditKind, ChallengeState, DefaultProfile
from lifecycle.models import Administration, AuditEvent, Call, Challenge, EigPosition, Promotion
from tests.factories import programme_manager, user_with_role

DATA = Path(__file__).resolve().parents[2] / "demo" / "data" / "eig-defis-2017-2019.yml"
K = AdministrationKind
P = DefaultProfile


DESIGN = "design (Design de service ou d’expérience utilisateur)"
# The summary of the first import: the new promotions' calls and the profiles the file gave them.
FIRST_IMPORT = (
    "37 défis créés, 0 mis à jour, 0 inchangé ; 35 administrations créées ; 3 promotions créées\n"
    "Promotion 1 (EIG 1, appel 2016, 10 mois), profils à vérifier : "
    "development (Développement), data_science (Data science)\n"
    "Promotion 2 (EIG 2, appel 2017, 10 mois), profils à vérifier : "
    f"development (Développement), data_science (Data science), {DESIGN}\n"
    "Promotion 3 (EIG 3, appel 2018, 10 mois), profils à vérifier : "
    f"development (Développement), data_science (Data science), {DESIGN}"
)
# What an existing promotion of the programme data accepts as its positions' profiles.
ACCEPTED = (
    "(profils de l’appel : development, data_science, design ; "
    "compétences reconnues : dev, datascience, dataengineering, geomatique)"
)


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_challenges", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(path, *args):
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_challenges", str(path), *args, stdout=io.StringIO(), stderr=err)
    return str(caught.value), err.getvalue()


def counts():
    return (
        Challenge.objects.count(),
        Administration.objects.count(),
        Promotion.objects.count(),
        EigPosition.objects.count(),
        AuditEvent.objects.filter(challenge__isnull=False).count(),
    )


def data_rows():
    return yaml.safe_load(DATA.read_text())


def write_csv(path, rows, *, delimiter=","):
    fields = list(rows[0])
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=fields, delimiter=delimiter)
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "skills": ";".join(row["skills"] or [])})


def profiles(promotion, name):
    challenge = Challenge.objects.get(promotion__number=promotion, name=name)
    return list(challenge.eig_positions.order_by("rank").values_list("profile", flat=True))


# The real data -------------------------------------------------------------------------------


def test_importing_the_programme_data(db):
    out, err = run(DATA)

    assert out.strip() == FIRST_IMPORT
    assert err == ""  # 37 rows: too few for progress lines
    assert [
        (promotion.number, promotion.name, promotion.year, promotion.challenges.count())
        for promotion in Promotion.objects.order_by("number")
    ] == [(1, "EIG 1", 2016, 9), (2, "EIG 2", 2017, 13), (3, "EIG 3", 2018, 15)]
    # Each new promotion gets a call with the file's duration, a call's own defaults for the rest
    # and no calendar yet; its profiles are those its rows name, the 2018 call's first.
    call = Call.objects.get(promotion__number=3)
    assert (call.duration_months, call.max_pitch_slides, call.submission_deadline) == (10, 12, None)
    assert [
        list(call.profiles.values_list("code", "rank")) for call in Call.objects.order_by("promotion__number")
    ] == [
        [("development", 1), ("data_science", 2)],
        [("development", 1), ("data_science", 2), ("design", 3)],
        [("development", 1), ("data_science", 2), ("design", 3)],
    ]

    # 32 administrations in the data, and the ministries of 3 operators that were not in it.
    assert Administration.objects.count() == 35
    assert sorted(
        Administration.objects.filter(kind=K.MINISTRY_OPERATOR).values_list("name", "ministry__name")
    ) == [
        ("Agence Française de Développement", "Ministère de l’Europe et des Affaires étrangères"),
        (
            "Agence Française pour le Développement et la Promotion de l’Agriculture Biologique",
            "Ministère de l’Agriculture et de l’Alimentation",
        ),
        (
            "Agence centrale des organismes de sécurité sociale (ACOSS)",
            "Ministère de l’Action et des Comptes Publics",
        ),
        ("Bibliothèque nationale de France", "Ministère de la Culture"),
        ("Service Hydrographique et Océanographique de la Marine (SHOM)", "Ministère des Armées"),
    ]
    assert list(
        Administration.objects.filter(kind=K.INDEPENDENT_AUTHORITY).values_list("name", flat=True)
    ) == ["Autorité de régulation des communications électroniques et des Postes"]
    assert Administration.objects.filter(kind=K.MINISTRY).count() == 29
    # Two spellings of one name are one administration ("Premier Ministre" / "Premier ministre").
    link_2 = Challenge.objects.get(promotion__number=2, name="EIG Link")
    link_3 = Challenge.objects.get(promotion__number=3, name="EIG Link")
    assert link_2.administration_id == link_3.administration_id
    assert Administration.objects.get(name="Cour des comptes").website == "https://www.ccomptes.fr"

    # EIG positions: eig_count of them, the skills taken in turn, mapped to profiles.
    assert profiles(1, "ARS - Parcours de soin") == [P.DATA_SCIENCE]
    assert profiles(2, "DataESR") == [P.DATA_SCIENCE, P.DEVELOPMENT, P.DATA_SCIENCE]
    assert profiles(2, "PrédiSauvetage") == [P.DATA_SCIENCE, P.DEVELOPMENT]  # dataengineering
    assert profiles(3, "DataReg") == [P.DATA_SCIENCE, P.DEVELOPMENT]  # geomatique
    assert profiles(3, "Plume") == [P.DATA_SCIENCE, P.DEVELOPMENT, P.DESIGN]
    assert EigPosition.objects.count() == sum(row["eig_count"] for row in data_rows()) == 69

    lexi = Challenge.objects.get(name="LexImpact")
    assert lexi.state == ChallengeState.DRAFT
    assert lexi.summary == "Evaluer l’impact des réformes socio-fiscales sur les citoyens"
    assert lexi.public_description.startswith("La direction interministérielle du numérique ([DINUM]")
    assert lexi.source_code_url == "https://github.com/betagouv/leximpact-client"
    # Source addresses that are not URLs are left out.
    assert Challenge.objects.get(name="AFD - Geodata").source_code_url == ""

    created = AuditEvent.objects.filter(kind=AuditKind.CREATED)
    assert created.count() == AuditEvent.objects.filter(challenge__isnull=False).count() == 37
    # and the three new promotions with their calls, configured as a manager would: promotion 1's
    # call drops the design profile every new call starts with, as its rows ask for none
    settings = AuditEvent.objects.filter(kind=AuditKind.SETTINGS_CHANGED).order_by("id")
    assert [event.subject.split(":")[0] for event in settings] == [
        *("promotion", "call", "soughtprofile"),
        *("promotion", "call"),
        *("promotion", "call"),
    ]
    assert settings[2].changes["code"] == ["design", None]
    event = created.get(challenge=lexi)
    assert (event.actor, event.actor_label, event.to_state) == (None, "système", "")
    assert event.changes["name"] == [None, "LexImpact"]
    assert event.changes["eig[2].profile"] == [None, "design"]
    assert audit.verify().intact


def test_importing_the_same_file_twice_changes_nothing(db):
    run(DATA)
    before = counts()
    last_event = AuditEvent.objects.last()

    out, _err = run(DATA)

    assert out.strip() == "0 défi créé, 0 mis à jour, 37 inchangés ; 0 administration créée"
    assert counts() == before == (37, 35, 3, 69, 37)
    assert AuditEvent.objects.last() == last_event
    assert audit.verify().intact


def write_sheet(path, rows, file_format):
    """A spreadsheet as a manager would save it: one row a challenge, skills in one cell."""
    fields = list(rows[0])
    sheet = tablib.Dataset(headers=fields)
    for row in rows:
        sheet.append([";".join(row[name] or []) if name == "skills" else row[name] for name in fields])
    path.write_bytes(sheet.export(file_format))


@pytest.mark.parametrize("suffix", [".json", ".csv", ".xlsx", ".ods"])
def test_files_of_the_same_shape_in_every_format_import_the_same(db, tmp_path, suffix):
    rows = data_rows()
    path = tmp_path / f"defis{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    elif suffix == ".csv":
        write_csv(path, rows)
    else:
        write_sheet(path, rows, suffix[1:])

    out, _err = run(path)

    assert out.strip() == FIRST_IMPORT
    assert profiles(2, "DataESR") == [P.DATA_SCIENCE, P.DEVELOPMENT, P.DATA_SCIENCE]
    # The YAML source finds every challenge exactly as the other format wrote it.
    out, _err = run(DATA)
    assert out.strip() == "0 défi créé, 0 mis à jour, 37 inchangés ; 0 administration créée"
    assert counts() == (37, 35, 3, 69, 37)
    assert audit.verify().intact


def test_a_csv_file_separated_by_semicolons_with_skills_separated_by_commas(db, tmp_path):
    path = tmp_path / "defis.csv"
    path.write_text(
        "title;promotion;year;administration;skills;eig_count\nCartes;4;2020;Région Bretagne;dev, design;2\n",
        encoding="utf-8",
    )

    run(path)

    assert profiles(4, "Cartes") == [P.DEVELOPMENT, P.DESIGN]
    assert Administration.objects.get(name="Région Bretagne").kind == K.TERRITORIAL_AUTHORITY


# Validation before writing -------------------------------------------------------------------

BAD_YAML = """\
# Promotion 4
- title: Bon défi
  promotion: 4
  year: 2020
  administration: Nouvelle direction
  skills: [dev]
- promotion: 4
  administration: Cour des comptes
  skills: [dev]

- title: Trop d’EIG
  promotion: 4
  administration: Cour des comptes
  skills: [dev]
  eig_count: 7
- title: Jardin
  promotion: 3
  administration: Cour des comptes
  skills:
  - dev
  - jardinage
- title: Bon défi
  promotion: 4
  administration: Cour des comptes
  state: archived
"""

BAD_JSON = """\
[
  {"title": "Bon défi", "promotion": 4, "year": 2020,
   "administration": "Nouvelle direction", "skills": ["dev"]},
  {"promotion": 4, "administration": "Cour des comptes"},


  {
    "title": "Trop d’EIG", "promotion": "quatre", "administration": "Cour des comptes",
    "skills": ["dev"], "eig_count": 7
  },
  {"title": "Jardin", "promotion": 3, "administration": "Cour des comptes",
   "skills": ["dev", "jardinage"]},
  {"title": "Bon défi", "promotion": 4, "administration": "Cour des comptes"}
]
"""

BAD_CSV = (
    "title,promotion,year,administration,skills,eig_count,long_description\n"
    'Bon défi,4,2020,Nouvelle direction,dev,1,"Sur\ntrois\nlignes"\n'
    ",4,,Cour des comptes,dev,,\n"
    "\n"
    'Trop d’EIG,4,,Cour des comptes,dev,7,"Sur\ndeux lignes"\n'
    "Jardin,3,,Cour des comptes,dev;jardinage,,\n"
    "Bon défi,4,,Cour des comptes,,,\n"
)


@pytest.mark.parametrize(
    ("suffix", "content", "expected"),
    [
        (
            ".yml",
            BAD_YAML,
            [
                "ligne 7 : « title » est obligatoire",
                "ligne 11 : « eig_count » doit être compris entre 1 et 3 (reçu 7)",
                f"ligne 16 : profil inconnu pour la promotion 3 : « jardinage » {ACCEPTED}",
                "ligne 22 : « state » inconnu : « archived » (connus : draft, submitted, "
                "corrections_requested, preselected, "
                "not_preselected, pitched, selected, not_selected, recruiting, running, completed, "
                "withdrawn) ; "
                "défi en double : « Bon défi » (promotion 4) figure déjà ligne 2",
            ],
        ),
        (
            ".json",
            BAD_JSON,
            [
                "élément 2 : « title » est obligatoire",
                "élément 3 : « promotion » doit être un nombre entier (reçu « quatre ») ; "
                "« eig_count » doit être compris entre 1 et 3 (reçu 7)",
                f"élément 4 : profil inconnu pour la promotion 3 : « jardinage » {ACCEPTED}",
                "élément 5 : défi en double : « Bon défi » (promotion 4) figure déjà élément 1",
            ],
        ),
        (
            ".csv",
            BAD_CSV,
            [
                "ligne 5 : « title » est obligatoire",
                "ligne 7 : « eig_count » doit être compris entre 1 et 3 (reçu 7)",
                f"ligne 9 : profil inconnu pour la promotion 3 : « jardinage » {ACCEPTED}",
                "ligne 10 : défi en double : « Bon défi » (promotion 4) figure déjà ligne 2",
            ],
        ),
    ],
)
def test_bad_rows_are_all_reported_with_their_line_and_nothing_is_written(
    db, tmp_path, suffix, content, expected
):
    run(DATA)
    before = counts()
    path = tmp_path / f"defis{suffix}"
    path.write_text(content, encoding="utf-8")

    message, err = refused(path)

    assert err.splitlines() == expected
    assert message == f"{len(expected)} lignes invalides : rien n’a été importé."
    assert counts() == before  # not even the valid first row, its administration or promotion
    assert not Promotion.objects.filter(number=4).exists()
    assert not Administration.objects.filter(name="Nouvelle direction").exists()
    assert audit.verify().intact


@pytest.mark.parametrize("file_format", ["xlsx", "ods"])
def test_bad_rows_of_a_spreadsheet_are_reported_with_their_row_number(db, tmp_path, file_format):
    sheet = tablib.Dataset(headers=["title", "promotion", "year", "administration", "skills", "eig_count"])
    sheet.append(["Bon défi", 4, 2020, "Nouvelle direction", "dev", 1])
    sheet.append(["", 4, None, "Cour des comptes", "dev", None])
    sheet.append([None, None, None, None, None, None])  # an empty row is skipped, not reported
    sheet.append(["Trop d’EIG", 4, None, "Cour des comptes", "dev", 7])
    path = tmp_path / f"defis.{file_format}"
    path.write_bytes(sheet.export(file_format))

    message, err = refused(path)

    assert err.splitlines() == [
        "ligne 3 : « title » est obligatoire",
        "ligne 5 : « eig_count » doit être compris entre 1 et 3 (reçu 7)",
    ]
    assert message == "2 lignes invalides : rien n’a été importé."
    assert counts() == (0, 0, 0, 0, 0)


def test_names_with_a_line_break_or_a_nul_are_refused_with_their_line(db, tmp_path):
    path = tmp_path / "defis.json"
    path.write_text(
        json.dumps(
            [
                {"title": "Deux\nlignes", "promotion": 4, "year": 2020, "administration": "DINUM"},
                {"title": "Bon", "promotion": 4, "administration": "DINUM", "summary": "nul\u0000"},
            ]
        )
    )
    _message, err = refused(path)
    assert err.splitlines() == [
        "élément 1 : « title » doit tenir sur une ligne, sans caractère de contrôle (trouvé : U+000A)",
        "élément 2 : « summary » contient un caractère nul",
    ]


def test_a_new_promotion_needs_a_year(db, tmp_path):
    path = tmp_path / "defis.yml"
    path.write_text(
        "- {title: A, promotion: 9, administration: Cour des comptes}\n"
        "- {title: B, promotion: 9, administration: Cour des comptes}\n"
    )

    _message, err = refused(path)

    assert err.splitlines() == ["ligne 1 : « year » est nécessaire pour créer la promotion 9"]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "defis.docx",
            "",
            "Format de fichier inconnu « .docx » : "
            "le fichier doit se terminer par .yml, .yaml, .json, .csv, .xlsx ou .ods.",
        ),
        (
            "defis.xlsx",
            "pas un tableur",
            "Tableur illisible (defis.xlsx) : ce n’est pas un fichier XLSX ou ODS.",
        ),
        (
            "defis.yml",
            "title: pas une liste\n",
            "Le fichier YAML doit contenir une liste de défis (« - title: … »).",
        ),
        ("defis.json", '[{"title": "A"},\n {"title": }]', "JSON illisible, ligne 2 : Expecting value"),
    ],
)
def test_a_file_that_cannot_be_read(db, tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_text(content)

    message, _err = refused(path)

    assert message == expected
    assert counts() == (0, 0, 0, 0, 0)


def test_a_missing_file(db, tmp_path):
    message, _err = refused(tmp_path / "absent.yml")

    assert message == f"Fichier introuvable : {tmp_path / 'absent.yml'}"


# Updates -------------------------------------------------------------------------------------


def test_a_changed_row_updates_the_dossier_with_an_audited_diff(db, tmp_path):
    manager = programme_manager(username="gestionnaire")
    run(DATA)
    rows = data_rows()
    plume = next(row for row in rows if row["title"] == "Plume")
    old_summary = plume["summary"]
    plume["summary"] = "Faciliter la rédaction des rapports de la Cour"
    plume["skills"] = ["dev", "design"]
    plume["eig_count"] = 2
    path = tmp_path / "defis.yml"
    path.write_text(yaml.safe_dump(rows, allow_unicode=True, sort_keys=False))

    out, _err = run(path, "--by", "gestionnaire")

    assert out.strip() == "0 défi créé, 1 mis à jour, 36 inchangés ; 0 administration créée"
    challenge = Challenge.objects.get(promotion__number=3, name="Plume")
    assert challenge.summary == "Faciliter la rédaction des rapports de la Cour"
    assert profiles(3, "Plume") == [P.DEVELOPMENT, P.DESIGN]
    summary_event, positions_event = AuditEvent.objects.filter(challenge=challenge).order_by("id")[1:]
    assert (summary_event.kind, summary_event.actor, summary_event.changes) == (
        AuditKind.DOSSIER_CHANGED,
        manager,
        {"summary": [old_summary, "Faciliter la rédaction des rapports de la Cour"]},
    )
    assert positions_event.changes == {
        "eig[1].profile": ["data_science", "development"],
        "eig[2].profile": ["development", "design"],
        "eig[3].expertise": ["", None],
        "eig[3].mission": ["", None],
        "eig[3].profile": ["design", None],
    }
    assert audit.verify().intact

    out, _err = run(path, "--by", "gestionnaire")
    assert out.strip() == "0 défi créé, 0 mis à jour, 37 inchangés ; 0 administration créée"


def test_only_a_programme_manager_imports(db):
    user_with_role("auditor", username="auditrice")

    message, _err = refused(DATA, "--by", "auditrice")

    assert message == "« auditrice » n’est pas chargé·e de programme : l’import lui est refusé."
    assert refused(DATA, "--by", "personne")[0] == "Aucun utilisateur « personne »."
    assert counts() == (0, 0, 0, 0, 0)


# States, kinds, progress ---------------------------------------------------------------------


def test_a_row_imported_in_a_later_state_is_recorded_as_imported(db, tmp_path):
    path = tmp_path / "defis.yml"
    path.write_text(
        textwrap.dedent(
            """\
            - title: Ancien défi
              promotion: 2
              year: 2018
              administration: Agence nationale des données
              administration_kind: ministry_operator
              ministry: Ministère de l’Intérieur
              skills: [dev, datascience]
              eig_count: 2
              state: completed
            """
        )
    )

    run(path)

    challenge = Challenge.objects.get(name="Ancien défi")
    assert challenge.state == ChallengeState.COMPLETED
    [event] = AuditEvent.objects.filter(challenge=challenge)
    assert (event.kind, event.from_state, event.to_state, event.transition) == (
        AuditKind.IMPORTED,
        "",
        "completed",
        "",
    )
    assert challenge.state_changed_at == event.created_at
    operator = challenge.administration
    assert (operator.kind, operator.ministry.name, operator.ministry.kind) == (
        K.MINISTRY_OPERATOR,
        "Ministère de l’Intérieur",
        K.MINISTRY,
    )
    assert audit.verify().intact


def test_an_operator_declared_without_its_ministry_is_refused(db, tmp_path):
    path = tmp_path / "defis.yml"
    path.write_text(
        "- {title: A, promotion: 2, year: 2018, administration: Agence X,"
        " administration_kind: ministry_operator}\n"
    )

    _message, err = refused(path)

    assert err.splitlines() == [
        "ligne 1 : un opérateur doit indiquer son ministère de rattachement (colonne « ministry »)"
    ]


@pytest.mark.parametrize(
    ("name", "kind", "ministry"),
    [
        ("Ministère de la Culture", K.MINISTRY, None),
        ("Direction générale du Travail", K.MINISTRY, None),
        ("Secrétariat général des ministères sociaux", K.MINISTRY, None),
        ("Services du Premier ministre, Etalab", K.MINISTRY, None),
        ("Délégation interministérielle à l’accueil des réfugiés", K.MINISTRY, None),
        ("Cour des comptes", K.MINISTRY, None),
        (
            "Ministère de l’Intérieur et Agence nationale du traitement automatisé des infractions",
            K.MINISTRY,
            None,
        ),
        (
            "Agence Française de Développement",
            K.MINISTRY_OPERATOR,
            "Ministère de l’Europe et des Affaires étrangères",
        ),
        ("Bibliothèque nationale de France", K.MINISTRY_OPERATOR, "Ministère de la Culture"),
        ("Pôle emploi", K.MINISTRY_OPERATOR, "Ministère du Travail"),
        ("Institut des données inconnues", K.MINISTRY_OPERATOR, None),
        (
            "Autorité de régulation des communications électroniques et des Postes",
            K.INDEPENDENT_AUTHORITY,
            None,
        ),
        ("Commission nationale de l’informatique et des libertés", K.INDEPENDENT_AUTHORITY, None),
        ("Défenseur des droits", K.INDEPENDENT_AUTHORITY, None),
        ("Région Occitanie", K.TERRITORIAL_AUTHORITY, None),
        ("Ville de Paris", K.TERRITORIAL_AUTHORITY, None),
        ("Conseil départemental de la Gironde", K.TERRITORIAL_AUTHORITY, None),
        ("Métropole de Lyon", K.TERRITORIAL_AUTHORITY, None),
        ("Communauté d’agglomération du Grand Montauban", K.TERRITORIAL_AUTHORITY, None),
        ("CHU de Bordeaux", K.HEALTH_ESTABLISHMENT, None),
        ("Centre hospitalier de Cahors", K.HEALTH_ESTABLISHMENT, None),
        ("Assistance publique – Hôpitaux de Paris (AP-HP)", K.HEALTH_ESTABLISHMENT, None),
        ("Hospices civils de Lyon", K.HEALTH_ESTABLISHMENT, None),
        ("Cour de cassation", K.MINISTRY, None),  # nothing matches: a State service
    ],
)
def test_the_kind_of_an_administration_from_its_name(name, kind, ministry):
    assert administrations.inferred_kind(name) == kind
    if kind == K.MINISTRY_OPERATOR:
        assert administrations.supervising_ministry(name) == ministry


def test_an_operator_whose_ministry_is_unknown_is_recorded_as_a_state_service(db, tmp_path):
    path = tmp_path / "defis.yml"
    path.write_text(
        "- {title: A, promotion: 2, year: 2018, administration: Institut des données inconnues}\n"
    )

    run(path)

    administration = Administration.objects.get(name="Institut des données inconnues")
    assert (administration.kind, administration.ministry) == (K.MINISTRY, None)
    administration.full_clean()


def test_a_large_file_reports_its_progress_every_tenth(db, tmp_path):
    source = data_rows()
    rows = [
        {**source[index % len(source)], "title": f"Défi n°{index}", "promotion": 7, "year": 2023}
        for index in range(300)
    ]
    path = tmp_path / "grand.yml"
    path.write_text(yaml.safe_dump(rows, allow_unicode=True, sort_keys=False))

    out, err = run(path)

    assert err.splitlines() == [f"Import : {done}/300 ({done // 3} %)" for done in range(30, 301, 30)]
    assert out.strip() == (
        "300 défis créés, 0 mis à jour, 0 inchangé ; 35 administrations créées ; 1 promotion créée\n"
        "Promotion 7 (EIG 7, appel 2022, 10 mois), profils à vérifier : "
        f"development (Développement), data_science (Data science), {DESIGN}"
    )
    assert AuditEvent.objects.filter(kind=AuditKind.CREATED).count() == 300
    assert audit.verify().intact


def generated_file(path, count, *, promotion, administrations):
    """`count` new challenges of a new promotion, spread over `administrations` new ones, with 1
    to 3 EIG positions each."""
    skills = [["dev"], ["design", "dev"], ["datascience", "dev", "design"]]
    rows = [
        {
            "title": f"Défi n°{index}",
            "promotion": promotion,
            "year": 2023,
            "administration": f"Direction {promotion}.{index % administrations}",
            "skills": skills[index % 3],
            "eig_count": 1 + index % 3,
        }
        for index in range(count)
    ]
    path.write_text(yaml.safe_dump(rows, allow_unicode=True, sort_keys=False))
    return path


def test_the_queries_of_an_import_do_not_grow_with_its_rows(db, tmp_path):
    """Ten batches of rows, each written in a few statements, whatever the rows, positions and
    administrations: 20 rows (20 administrations) and 200 (50) take as many. (200 rows are
    batches of 20, which fit one INSERT each even on SQLite, 999 parameters per statement.)"""
    run(generated_file(tmp_path / "premier.yml", 5, promotion=6, administrations=5))  # the chain's head

    def queries(count, promotion, administrations):
        path = generated_file(
            tmp_path / f"{count}.yml", count, promotion=promotion, administrations=administrations
        )
        with CaptureQueriesContext(connection) as captured:
            out, _err = run(path)
        assert out.startswith(
            f"{count} défis créés, 0 mis à jour, 0 inchangé ; {administrations} administrations"
        )
        return len(captured)

    assert queries(20, 7, 20) == queries(200, 8, 50) == 109
    assert AuditEvent.objects.filter(kind=AuditKind.CREATED).count() == 225
    assert audit.verify().intact


# YAML is read in one pass over the parser's events (readers._plain_yaml_records); what that
# reading leaves (tags, merge keys…) the careful one reads: both must give the same records.

PLAIN_YAML = [
    DATA.read_text(encoding="utf-8"),
    # What yaml.safe_dump writes of rows sharing a list: an anchor and its aliases.
    "- title: A\n  skills: &id001\n  - dev\n- title: B\n  skills: *id001\n- *id001\n",
    "- {a: 12, b: 012, c: 0x1F, d: 1_000, e: '12', f: 1.5, g: 1e3, h: yes, i: Off, j: ~, k: ''}\n"
    "- {l: 2019-01-01, o: -3, 1: un, true: vrai}\n- p:\n- m: 2019-01-01 10:00:00+02:00\n  n: 1:20\n"
    "- a: 1\n  a: 2\n- plain text\n- [a, b]\n- |\n  block\n",
]
CAREFUL_YAML = [
    "- {<<: {a: 1}, b: 2}\n",  # a merge key
    "- {title: !!str 12}\n",  # a tag
    "- {? [a]: 1}\n",  # a key that is not a scalar
    "- [a, b]\n---\n- c\n",  # two documents
    "{title: x}\n",  # not a list
]


@pytest.mark.parametrize("text", PLAIN_YAML)
def test_a_plain_yaml_file_is_read_in_one_pass_as_the_careful_reading_reads_it(text):
    loader = yaml.CSafeLoader

    assert readers._plain_yaml_records(text, loader) == readers._careful_yaml_records(text, loader)


@pytest.mark.parametrize("text", CAREFUL_YAML)
def test_what_the_one_pass_reading_leaves_is_read_carefully(text):
    loader = yaml.CSafeLoader
    with pytest.raises(readers._NotPlain):
        readers._plain_yaml_records(text, loader)

    def outcome(read, *args):
        try:
            return read(*args)
        except readers.ImportFileError as error:
            return str(error)

    assert outcome(readers._yaml_records, text) == outcome(readers._careful_yaml_records, text, loader)


# Hostile files: bounded, refused with a French message, nothing written --------------------------

BOMB = """\
- &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
- &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
- &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
- &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
- &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
- &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
- &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
- &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
- title: *h
  promotion: 4
  administration: *h
"""


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "bombe.yml",
            BOMB,
            "YAML refusé : ses alias (« *nom ») multiplient les 23 valeurs du fichier en 151336132 ; "
            "écrivez chaque défi en entier.",
        ),
        ("boucle.yml", "- &a [*a]\n", "YAML refusé, ligne 1 : un alias (« *nom ») renvoie à lui-même."),
        (
            "profond.yml",
            "- title: " + "[" * 50 + "]" * 50 + "\n",
            "YAML refusé : plus de 8 niveaux imbriqués.",
        ),
        (
            "profond.json",
            "[" + "[" * 100_000 + "]" * 100_000 + "]",
            "JSON refusé : plus de 8 niveaux imbriqués.",
        ),
        (
            "profond2.json",
            "[" + '{"a":' * 20 + "1" + "}" * 20 + "]",
            "JSON refusé : plus de 8 niveaux imbriqués.",
        ),
        (
            "nul.yml",
            "- title: Bon\n  promotion: 4\n- title: Bon\x00défi\n",
            "YAML illisible, ligne 3 : caractère interdit (#x0000).",
        ),
    ],
)
def test_a_hostile_file_is_refused_with_its_line_and_nothing_is_written(
    db, tmp_path, name, content, expected
):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")

    message, _err = refused(path)

    assert message == expected
    assert counts() == (0, 0, 0, 0, 0)


def test_a_nul_in_a_csv_cell_is_a_bad_row(db, tmp_path):
    path = tmp_path / "nul.csv"
    path.write_text("title,promotion,year,administration\nBon\x00défi,4,2020,DINUM\n", encoding="utf-8")
    message, err = refused(path)
    assert (message, err.splitlines()) == (
        "1 ligne invalide : rien n’a été importé.",
        ["ligne 2 : « title » contient un caractère nul"],
    )


def test_a_file_above_the_size_limit_is_refused_before_it_is_read(db, tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_BYTES", 1024 * 1024)
    path = tmp_path / "gros.yml"
    path.write_bytes(b"- title: x\n" * 200_000)  # 2.2 MB
    message, _err = refused(path)
    assert message == "Le fichier gros.yml dépasse 1 Mo (2 Mo) : importez-le en plusieurs parties."


def spreadsheet_bomb(path, rows):
    """An XLSX whose sheet holds `rows` tiny rows: a few hundred kB that unpack to megabytes."""
    import zipfile

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["title"])
    workbook.save(path.with_suffix(".base.xlsx"))
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
        b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + row * rows
        + b"</sheetData></worksheet>"
    )
    with (
        zipfile.ZipFile(path.with_suffix(".base.xlsx")) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for item in source.infolist():
            bomb.writestr(item.filename, sheet if item.filename.endswith("sheet1.xml") else source.read(item))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "bombe.xlsx",
            "Tableur refusé (bombe.xlsx) : une fois décompressé, il ferait 28 Mo (au plus 25 Mo) ; "
            "importez-le en plusieurs parties.",
        ),
        (
            "valeurs.yml",
            "Le fichier contient plus de 250000 valeurs : ce n’est pas une liste de défis, ou importez-le "
            "en plusieurs parties.",
        ),
        (
            "valeurs.json",
            "Le fichier contient plus de 250000 valeurs : ce n’est pas une liste de défis, ou importez-le "
            "en plusieurs parties.",
        ),
        ("nombre.json", "JSON refusé : un de ses nombres a plus de 4300 chiffres."),
        (
            "lignes.csv",
            "Le fichier contient plus de 5000 défis (5001 et plus) : importez-le en plusieurs parties.",
        ),
        ("defis.json", "Le fichier contient plus de 5000 défis (5001) : importez-le en plusieurs parties."),
        ("profond.yaml", "YAML refusé : plus de 8 niveaux imbriqués."),
    ],
)
def test_a_file_that_would_take_gigabytes_once_read_is_refused_before(db, tmp_path, name, expected):
    """Small files that unpack or parse into millions of values (measured before these bounds:
    a 20 MB YAML list took 4.4 GB and 76 s, a 5 MB XLSX 550 MB and 33 s)."""
    path = tmp_path / name
    if name == "bombe.xlsx":
        spreadsheet_bomb(path, 600_000)
    else:
        path.write_text(
            {
                "valeurs.yml": "- {title: x, l: [" + ",".join(["a"] * 300_000) + "]}\n",
                "valeurs.json": "[" + ",".join(["{}"] * 300_000) + "]",
                "nombre.json": '[{"title": ' + "1" * 5000 + "}]",
                "lignes.csv": "title\n" + "x\n" * 6000,
                "defis.json": "[" + ",".join(['{"title": "x"}'] * 5001) + "]",
                "profond.yaml": "- " + "[" * 20_000 + "]" * 20_000 + "\n",
            }[name],
            encoding="utf-8",
        )
    message, _err = refused(path)
    assert message == expected
    assert counts() == (0, 0, 0, 0, 0)
