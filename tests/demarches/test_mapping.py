import pytest

from demarches import fake
from demarches import mapping as ds_mapping
from demarches.mapping import MappingError


def problems(text):
    with pytest.raises(MappingError) as raised:
        ds_mapping.parse(text)
    return raised.value.problems


def test_the_fixture_mapping_is_valid():
    assert ds_mapping.parse(ds_mapping.dump(fake.mapping())) == fake.mapping()


def test_every_problem_of_a_mapping_is_listed():
    text = """
champs:
  a: {type: TextChamp, to: nom}
  b: {type: DropDownListChamp, to: attests_outside_walls}
  c: {type: TextChamp, to: summary}
  d: {type: TextChamp, to: summary}
  e: {type: RepetitionChamp, to: team}
  f: {to: problem}
  g:
    type: RepetitionChamp
    to: positions
    columns:
      h: {type: TextChamp, to: salary}
states:
  accepte: selected
  termine: submitted
autre: 1
"""
    assert problems(text) == [
        "Clés inconnues : autre",
        "champs a : destination inconnue « nom »",
        "champs b : un champ DropDownListChamp ne peut remplir « attests_outside_walls »",
        "champs d : « summary » est déjà rempli par champs c",
        "champs e : une répétition indique ses colonnes (« columns »)",
        "champs f : indiquer au moins « type » (et « to »)",
        "champs g, colonne h : « salary » inconnu (possibles : profile, mission, expertise)",
        "« accepte » ne peut devenir « selected » (possibles : draft, not_preselected, pitched, preselected, "
        "submitted, withdrawn)",
        "État de DS inconnu : « termine » "
        "(connus : en_construction, en_instruction, accepte, refuse, sans_suite)",
    ]


def test_unreadable_yaml_says_where():
    assert problems("champs: [a\n b: c") == ["La correspondance n’est pas du YAML lisible (ligne 2)."]


def test_the_check_lists_every_champ_mapped_or_not_and_the_ones_gone():
    mapping = fake.mapping()
    mapping["champs"]["Z29uZQ=="] = {"type": "TextChamp", "label": "Ancien champ", "to": "datasets"}
    described = {"activeRevision": fake.descriptors()}
    lines = ds_mapping.check(mapping, described)
    by_id = {line.id: line for line in lines}
    assert by_id[fake.champ_id(fake.HEADER)].target == ""
    assert by_id[fake.champ_id(fake.NAME)].target == "name"
    assert [c.target for c in by_id[fake.champ_id(fake.POSITIONS)].columns] == ["profile", "mission"]
    assert by_id[fake.champ_id(fake.OPINION)].section == "annotations"
    assert by_id["Z29uZQ=="].problem == "absent de la démarche : « datasets » restera vide"
    assert ds_mapping.blocking(lines) == []  # a champ gone is not a reason to stop


def test_a_suggested_mapping_lists_every_champ_and_guesses_by_label():
    suggested = ds_mapping.suggested({"activeRevision": fake.descriptors()})
    ds_mapping.validate(suggested)
    champs = suggested["champs"]
    assert len(champs) == len(fake.CHAMPS) and len(suggested["annotations"]) == len(fake.ANNOTATIONS)
    assert champs[fake.champ_id(fake.NAME)] == {"type": "TextChamp", "label": "Nom du défi", "to": "name"}
    assert champs[fake.champ_id(fake.PROBLEM)]["to"] == "problem"  # "Problématique à résoudre"
    assert champs[fake.champ_id(fake.POSITIONS)]["columns"][fake.champ_id(fake.POSITION_PROFILE)]["to"] == ""
    assert suggested["states"]["accepte"] == "preselected"
