"""Which administration a row names, and the promotion's year, figures and profiles a row follows."""

import datetime as dt
import textwrap

import pytest

from importing import administrations
from importing.administrations import Ambiguous, Directory, SiretConflict
from lifecycle import audit
from lifecycle.actors import SYSTEM
from lifecycle.enums import AdministrationKind
from lifecycle.models import Administration, Call, Challenge, Promotion
from lifecycle.profiles import set_profiles
from tests.factories import AdministrationFactory, PromotionFactory
from tests.importing.test_import import DESIGN, counts, profiles, refused, run

K = AdministrationKind
KINDS = "ministry, ministry_operator, independent_authority, territorial_authority, health_establishment"


def yaml_file(tmp_path, text, name="defis.yml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def administration_of(title):
    return Challenge.objects.select_related("administration").get(name=title).administration.name


# Matching administrations -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "Ministère des Armées",
        "ministère des armées",
        "MINISTERE DES ARMEES",
        "Ministère des  Armées ",
        "Le ministère des Armées",
        "Ministère Armées",
        "MINARM",
        "MinArm",
        "M.I.N.A.R.M.",
    ],
)
def test_the_spellings_of_one_administration_match_it(db, spelling):
    armed_forces = AdministrationFactory(name="Ministère des Armées", acronyms="MINARM, MinArm")
    AdministrationFactory(name="Ministère de l’Intérieur")

    assert administrations.match(spelling) == armed_forces


@pytest.mark.parametrize(
    "name", ["Ministère des Armées, DGA", "Ministère de l’Armée", "Armées", "MINAR", "Ministère"]
)
def test_other_names_do_not_match(db, name):
    AdministrationFactory(name="Ministère des Armées", acronyms="MINARM")

    assert administrations.match(name) is None


def test_an_acronym_a_name_ends_with_matches_it(db):
    dinum = AdministrationFactory(name="Direction interministérielle du numérique (DINUM)")

    assert administrations.match("DINUM") == dinum
    assert administrations.match("Direction interministérielle du numérique") is None  # not guessed


def test_the_siret_wins_over_the_name(db):
    AdministrationFactory(name="Ministère des Armées", siret="11000001600017")
    dinum = AdministrationFactory(name="DINUM", siret="13002526500013")

    assert administrations.match("Ministère des Armées", siret="130 025 265 00013") == dinum
    with pytest.raises(SiretConflict) as caught:
        administrations.match("Ministère des Armées", siret="99999999999999")
    assert str(caught.value) == (
        "le SIRET 99999999999999 n’est pas celui de « Ministère des Armées » (11000001600017)"
    )


def test_two_candidates_are_never_chosen_between(db):
    health = AdministrationFactory(name="Direction générale de la santé", acronyms="DGS")
    security = AdministrationFactory(
        name="Direction générale de la sécurité intérieure", acronyms="DGSI, DGS"
    )
    directory = Directory.from_database()

    with pytest.raises(Ambiguous) as caught:
        directory.match("DGS")
    assert caught.value.candidates == [health, security]
    # The name and the acronym designate two administrations.
    with pytest.raises(Ambiguous) as caught:
        directory.match("Direction générale de la santé", acronym="DGSI")
    assert caught.value.candidates == [health, security]
    # The name decides between the administrations of one acronym.
    assert directory.match("Direction générale de la santé", acronym="DGS") == health
    assert directory.match("DGSI") == security


def test_three_spellings_in_a_file_resolve_to_one_administration(db, tmp_path):
    armed_forces = AdministrationFactory(name="Ministère des Armées", acronyms="MINARM, MinArm")
    path = yaml_file(
        tmp_path,
        """\
        - {title: A, promotion: 4, year: 2020, administration: Ministère des Armées}
        - {title: B, promotion: 4, administration: ministère des armées}
        - {title: C, promotion: 4, administration: MINARM}
        """,
    )

    out, _err = run(path)

    assert out.splitlines()[0] == (
        "3 défis créés, 0 mis à jour, 0 inchangé ; 0 administration créée ; 1 promotion créée"
    )
    assert set(Challenge.objects.values_list("administration", flat=True)) == {armed_forces.pk}
    assert Administration.objects.count() == 1


def test_a_new_administration_is_created_once_with_its_acronym_and_siret(db, tmp_path):
    path = yaml_file(
        tmp_path,
        """\
        - {title: A, promotion: 4, year: 2020, administration: Ministère des Armées, sigle: MINARM}
        - {title: B, promotion: 4, administration: ministère des armées, siret: 110 000 016 00017}
        - {title: C, promotion: 4, administration: MINARM}
        - {title: D, promotion: 4, administration: Armées (ministère), siret: "11000001600017"}
        - {title: E, promotion: 4, administration: Direction interministérielle du numérique (DINUM)}
        - {title: F, promotion: 4, administration: Dinum, acronym: "DINUM, DiNum"}
        """,
    )

    out, _err = run(path)

    assert out.splitlines()[0] == (
        "6 défis créés, 0 mis à jour, 0 inchangé ; 2 administrations créées ; 1 promotion créée"
    )
    assert list(Administration.objects.values_list("name", "acronyms", "siret", "kind")) == [
        # one acronym however it is written; the row that adds one to a new administration records it
        ("Direction interministérielle du numérique (DINUM)", "DINUM", "", K.MINISTRY),
        ("Ministère des Armées", "MINARM", "11000001600017", K.MINISTRY),
    ]
    assert [administration_of(title) for title in "ABCDEF"] == [
        *["Ministère des Armées"] * 4,
        *["Direction interministérielle du numérique (DINUM)"] * 2,
    ]
    assert run(path)[0].strip() == "0 défi créé, 0 mis à jour, 6 inchangés ; 0 administration créée"


def test_an_ambiguous_administration_is_reported_with_its_line_and_nothing_is_written(db, tmp_path):
    AdministrationFactory(name="Direction générale de la santé", acronyms="DGS")
    AdministrationFactory(name="Direction générale de la sécurité intérieure", acronyms="DGSI, DGS")
    AdministrationFactory(name="Ministère des Armées", siret="11000001600017")
    before = counts()
    path = yaml_file(
        tmp_path,
        """\
        - {title: A, promotion: 4, year: 2020, administration: Nouvelle agence}
        - {title: B, promotion: 4, administration: DGS}
        - {title: C, promotion: 4, administration: Direction générale de la santé, acronym: DGSI}
        - {title: D, promotion: 4, administration: Ministère des Armées, siret: "99999999999999"}
        - {title: E, promotion: 4, administration: Ministère des Armées, siret: "123"}
        """,
    )

    message, err = refused(path)

    assert err.splitlines() == [
        "ligne 2 : administration « DGS » ambiguë : « Direction générale de la santé », "
        "« Direction générale de la sécurité intérieure » lui correspondent "
        "(précisez son nom exact ou son SIRET)",
        "ligne 3 : administration « Direction générale de la santé » ambiguë : "
        "« Direction générale de la santé », « Direction générale de la sécurité intérieure » "
        "lui correspondent (précisez son nom exact ou son SIRET)",
        "ligne 4 : le SIRET 99999999999999 n’est pas celui de « Ministère des Armées » (11000001600017)",
        "ligne 5 : « siret » doit compter 14 chiffres (reçu « 123 »)",
    ]
    assert message == "4 lignes invalides : rien n’a été importé."
    assert counts() == before
    assert not Promotion.objects.exists()
    assert not Administration.objects.filter(name="Nouvelle agence").exists()


def test_an_operators_ministry_is_matched_too(db, tmp_path):
    armed_forces = AdministrationFactory(name="Ministère des Armées", acronyms="MINARM")
    path = yaml_file(
        tmp_path,
        """\
        - {title: A, promotion: 4, year: 2020, administration: Service hydrographique de la Marine (SHOM)}
        - {title: B, promotion: 4, administration: Agence du numérique de défense, ministry: MINARM}
        - {title: C, promotion: 4, administration: Agence X, ministry: Agence du numérique de défense}
        """,
    )

    _message, err = refused(path)

    assert err.splitlines() == [
        "ligne 3 : « ministry » : « Agence du numérique de défense » n’est pas un ministère ou service de "
        "l’État (nature : ministry_operator)"
    ]
    path.write_text("\n".join(path.read_text().splitlines()[:2]) + "\n")

    run(path)

    assert list(Administration.objects.filter(ministry=armed_forces).values_list("name", flat=True)) == [
        "Agence du numérique de défense",
        "Service hydrographique de la Marine (SHOM)",
    ]
    assert Administration.objects.count() == 3


# Kinds ------------------------------------------------------------------------------------------


def test_an_unknown_kind_is_reported_with_the_accepted_kinds(db, tmp_path):
    path = yaml_file(
        tmp_path,
        """\
        - {title: A, promotion: 4, year: 2020, administration: Agence X, administration_kind: agence}
        - {title: B, promotion: 4, administration: Région Y, administration_kind: Collectivite territoriale}
        """,
    )

    message, err = refused(path)

    assert err.splitlines() == [f"ligne 1 : « administration_kind » inconnu : « agence » (connus : {KINDS})"]
    assert message == "1 ligne invalide : rien n’a été importé."
    assert counts() == (0, 0, 0, 0, 0)

    path.write_text(path.read_text().replace("agence}", "ministry_operator, ministry: Ministère Z}"))
    run(path)

    assert list(Administration.objects.values_list("name", "kind", "ministry__name")) == [
        ("Agence X", K.MINISTRY_OPERATOR, "Ministère Z"),
        ("Ministère Z", K.MINISTRY, None),
        ("Région Y", K.TERRITORIAL_AUTHORITY, None),  # its kind by its French label
    ]


# Promotions: their year, figures and profiles -----------------------------------------------------


def test_a_new_promotion_is_created_with_the_files_year_figures_and_profiles(db, tmp_path):
    path = yaml_file(
        tmp_path,
        """\
        - title: Contrats
          promotion: 5
          year: 2021
          administration: Ministère de la Justice
          skills: [juriste, dev]
          eig_count: 3
          duration_months: 12
        - title: Archives
          promotion: 5
          administration: Ministère de la Justice
          skills: [Droit du numérique, design, Juriste]
        - title: Jurisprudence
          promotion: 5
          administration: Ministère de la Justice
          skills: [Data Science]
        """,
    )

    out, _err = run(path)

    assert out.splitlines() == [
        "3 défis créés, 0 mis à jour, 0 inchangé ; 1 administration créée ; 1 promotion créée",
        "Promotion 5 (EIG 5, appel 2020, 12 mois), profils à vérifier : development (Développement), "
        f"data_science (Data science), {DESIGN}, juriste (juriste), droit-du-numerique (Droit du numérique)",
    ]
    promotion = Promotion.objects.get(number=5)
    assert (promotion.name, promotion.year, promotion.call.duration_months) == ("EIG 5", 2020, 12)
    assert list(promotion.call.profiles.values_list("code", "label", "rank")) == [
        ("development", "Développement", 1),
        ("data_science", "Data science", 2),  # named by its label
        ("design", "Design de service ou d’expérience utilisateur", 3),
        ("juriste", "juriste", 4),
        ("droit-du-numerique", "Droit du numérique", 5),
    ]
    assert profiles(5, "Contrats") == ["juriste", "development", "juriste"]
    assert profiles(5, "Archives") == ["droit-du-numerique", "design", "juriste"]
    assert profiles(5, "Jurisprudence") == ["data_science"]
    assert audit.verify().intact

    # Now that it exists, its profiles are those of its call, its year is its own.
    assert run(path)[0].strip() == "0 défi créé, 0 mis à jour, 3 inchangés ; 0 administration créée"


def test_the_rows_of_a_new_promotion_agree_on_its_figures(db, tmp_path):
    path = yaml_file(
        tmp_path,
        """\
        - {title: A, promotion: 5, year: 2021, administration: Cour des comptes, duration_months: 12}
        - {title: B, promotion: 5, year: 2022, administration: Cour des comptes, duration_months: 10}
        - {title: C, promotion: 5, administration: Cour des comptes, duration_months: 40}
        - {title: D, promotion: 5, administration: Cour des comptes, skills: ["!!"]}
        """,
    )

    _message, err = refused(path)

    assert err.splitlines() == [
        "ligne 2 : année 2022 différente de celle de la promotion 5 ligne 1 (2021) ; "
        "durée de 10 mois différente de celle de la promotion 5 ligne 1 (12 mois)",
        "ligne 3 : « duration_months » doit être compris entre 1 et 36 (reçu 40)",
        "ligne 4 : compétence « !! » : impossible d’en faire un profil de la promotion 5 "
        "(un code de 40 lettres, chiffres ou tirets au plus)",
    ]


def test_an_existing_promotion_accepts_only_its_calls_profiles_year_and_number_of_eigs(db, tmp_path):
    promotion = PromotionFactory(number=5, year=2020, call__max_eigs_per_challenge=2)
    set_profiles(promotion.call, [("juriste", "Juriste"), ("development", "Développement")], by=SYSTEM)
    path = yaml_file(
        tmp_path,
        """\
        - {title: A, promotion: 5, year: 2021, administration: Cour des comptes, skills: [Juriste, dev]}
        - {title: B, promotion: 5, administration: Cour des comptes, skills: [design, datascience, juriste]}
        - {title: C, promotion: 5, year: 2022, administration: Cour des comptes, skills: [dev], eig_count: 3}
        """,
    )

    message, err = refused(path)

    assert err.splitlines() == [
        "ligne 2 : profils inconnus pour la promotion 5 : « design », « datascience » "
        "(profils de l’appel : juriste, development ; compétences reconnues : dev)",
        "ligne 3 : « eig_count » doit être compris entre 1 et 2 (reçu 3) ; "
        "année 2022 différente de celle de la promotion 5 (2021)",
    ]
    assert message == "2 lignes invalides : rien n’a été importé."
    assert Challenge.objects.count() == 0

    path.write_text(path.read_text().splitlines()[0] + "\n")
    out, _err = run(path)

    # No promotion created: no call to check.
    assert out.strip() == "1 défi créé, 0 mis à jour, 0 inchangé ; 1 administration créée"
    assert profiles(5, "A") == ["juriste", "development"]
    assert Call.objects.get(promotion=promotion).profiles.count() == 2


def test_a_call_whose_eigs_arrive_later_gives_the_year(db, tmp_path):
    PromotionFactory(number=5, year=2020, call__starts_on=dt.date(2022, 1, 10))
    path = yaml_file(tmp_path, "- {title: A, promotion: 5, year: 2021, administration: Cour des comptes}\n")

    _message, err = refused(path)

    assert err.splitlines() == ["ligne 1 : année 2021 différente de celle de la promotion 5 (2022)"]
