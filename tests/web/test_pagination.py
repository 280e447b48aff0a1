from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifecycle.models import Challenge
from tests.factories import ChallengeFactory
from web.pagination import KeysFirstPaginator


def test_the_pages_of_django_s_paginator_read_by_key_first(db):
    for name in ["Élan", "Datafin", "Bâtir", "Signaux", "Agora", "Cadastre", "Zéro"]:
        ChallengeFactory(name=name)
    ordered = Challenge.objects.select_related("administration").order_by("-name", "pk")
    expected = Paginator(ordered, 3, orphans=1)
    for number in (1, 2):
        with CaptureQueriesContext(connection) as captured:
            page = KeysFirstPaginator(ordered, 3, orphans=1).page(number)
            names = [(challenge.name, challenge.administration.name) for challenge in page]
        assert names == [(c.name, c.administration.name) for c in expected.page(number)]
        offsets = [query["sql"] for query in captured.captured_queries if "OFFSET" in query["sql"]]
        # Only the keys are read at an offset (page 1 has none), the rows by key.
        assert all(sql.startswith('SELECT "lifecycle_challenge"."id" AS "pk" FROM') for sql in offsets)
    assert len(KeysFirstPaginator(ordered, 3, orphans=1).page(2)) == 4  # the orphan joins the last
