"""The sync's queries are valid against DS's published schema (tests/data/, from
../shared/reference/): a renamed or removed field fails here before it fails in production."""

from graphql import build_schema, parse, validate

from demarches.client import query_text
from demarches.fake import SCHEMA_PATH

SCHEMA = build_schema(SCHEMA_PATH.read_text(encoding="utf-8"))


def test_the_queries_are_valid_against_the_schema():
    document = parse(query_text())
    assert validate(SCHEMA, document) == []
    operations = [d.name.value for d in document.definitions if d.kind == "operation_definition"]
    assert operations == ["getDemarche", "getDossiers", "getDossier", "getDeletedDossiers"]


def test_a_field_the_schema_does_not_have_is_refused():
    broken = query_text().replace("dateDerniereModification\n", "dateDeDerniereModification\n", 1)
    errors = validate(SCHEMA, parse(broken))
    assert [error.message for error in errors] == [
        "Cannot query field 'dateDeDerniereModification' on type 'Dossier'."
        " Did you mean 'dateDerniereModification' or 'dateDerniereModificationChamps'?"
    ]


def test_pages_are_asked_at_most_100_and_by_update():
    from demarches.client import PAGE_SIZE

    assert PAGE_SIZE == 100
    assert "updatedSince: $updatedSince" in query_text()
