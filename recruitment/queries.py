"""The applications as the mentors' and managers' lists read them: submitted and after (never a
draft), with what a row shows (the candidate, their profile, the challenge, the state, the mean
score and the number of scores, the number of comments, the interview) read in a fixed number of
queries whatever their number (the figures are correlated subqueries, the candidate and the
challenge joined), filtered by promotion, challenge, profile, state and a search on the
candidate's name.

`for_managers(filters)` reads every application; `for_mentor(user, filters)` those of the
challenges `user` is the operational mentor of (`rules.mentored_challenge_ids`), never another's.
`filters` is a mapping of optional values: "promotion" (a Promotion or its pk), "challenge" (a
Challenge or its pk), "profile" (a profile's code), "state" (an `ApplicationState`), "q" (words
of the candidate's name or e-mail, or their number).
"""

import re
from collections.abc import Mapping

from django.db.models import Avg, Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from lifecycle.models import SoughtProfile
from lifecycle.text import folded
from recruitment import rules
from recruitment.enums import ApplicationState
from recruitment.models import Application, ApplicationComment, Candidate, CandidateScore

# The states the pages read: everything a candidate has submitted, whatever came after.
LISTED_STATES = [state for state in ApplicationState if state != ApplicationState.DRAFT]
# An interview held (or planned): the ranking and the offers read these.
INTERVIEWED_STATES = [
    ApplicationState.INTERVIEW,
    ApplicationState.RANKED,
    ApplicationState.OFFERED,
    ApplicationState.ACCEPTED,
    ApplicationState.DECLINED,
]
# The long texts a list never shows: left out of its rows (`.defer(*NOT_LISTED)`).
NOT_LISTED = ("motivation", "candidate__other_links", "candidate__declarations")
# What a page's row shows, and no more (`.only(*ROW_FIELDS)`): a challenge's row holds its whole
# dossier, a candidate's their contact details, read fifty times for nothing otherwise.
ROW_FIELDS = (
    "state",
    "interview_at",
    "rank",
    "candidate",
    "candidate__first_name",
    "candidate__last_name",
    "candidate__erased_at",
    "candidate__profile",
    "challenge",
    "challenge__name",
    "challenge__state",  # read by django-fsm as the instance is built
)
ORDER = ("challenge__name", "challenge_id", "candidate__last_name", "candidate__first_name", "pk")


def _figures():
    """The annotations of a row: mean score (two decimals, None without a score), number of
    scores, number of comments; each its own subquery, so no join multiplies another."""
    scores = CandidateScore.objects.filter(application=OuterRef("pk")).order_by().values("application")
    comments = ApplicationComment.objects.filter(application=OuterRef("pk")).order_by().values("application")
    return {
        "mean_score": Subquery(scores.annotate(mean=Avg("value")).values("mean")),
        "score_count": Coalesce(
            Subquery(scores.annotate(count=Count("pk")).values("count"), output_field=IntegerField()),
            Value(0),
        ),
        "comment_count": Coalesce(
            Subquery(comments.annotate(count=Count("pk")).values("count"), output_field=IntegerField()),
            Value(0),
        ),
    }


def _pk(value):
    return getattr(value, "pk", value)


# A letter of a search matches its accented forms (people type "ines" for "Inès").
ACCENTED = {
    "a": "aàâä",
    "c": "cç",
    "e": "eéèêë",
    "i": "iîï",
    "o": "oôö",
    "u": "uùûü",
    "y": "yÿ",
}


def _pattern(word: str) -> str:
    """A case- and accent-insensitive regular expression of `word` (SQLite and PostgreSQL alike)."""
    return "".join(
        f"[{ACCENTED[char]}]" if char in ACCENTED else re.escape(char) for char in folded(word).lower()
    )


def _search(queryset, text: str):
    text = (text or "").strip()
    if not text:
        return queryset
    number = text.removeprefix("n°").removeprefix("#").strip()
    if number.isdigit():  # "n°12": the candidate's number, as an erased candidate is named
        return queryset.filter(candidate_id=int(number))
    for word in text.split():
        pattern = _pattern(word)
        queryset = queryset.filter(
            Q(candidate__first_name__iregex=pattern)
            | Q(candidate__last_name__iregex=pattern)
            | Q(candidate__email__icontains=word)
        )
    return queryset


def applications(filters: Mapping | None = None):
    """Every listed application with its row's values, filtered; the base of both lists."""
    filters = filters or {}
    queryset = (
        # Everything but the drafts, said as such: a list of nine states of ten leads the planner
        # to an index of the states it then reads almost whole.
        Application.objects.exclude(state=ApplicationState.DRAFT)
        .select_related("candidate", "challenge")
        .annotate(**_figures(), call_id=F("candidate__call_id"))
    )
    if filters.get("promotion"):
        queryset = queryset.filter(challenge__promotion_id=_pk(filters["promotion"]))
    if filters.get("challenge"):
        queryset = queryset.filter(challenge_id=_pk(filters["challenge"]))
    if filters.get("profile"):
        queryset = queryset.filter(candidate__profile=filters["profile"])
    if filters.get("state"):
        queryset = queryset.filter(state=filters["state"])
    queryset = _search(queryset, filters.get("q", ""))
    return queryset.order_by(*ORDER)


def for_managers(filters: Mapping | None = None):
    return applications(filters)


def for_mentor(user, filters: Mapping | None = None):
    """The applications to the challenges `user` mentors (operational mentor), filtered."""
    # A withdrawn application is no longer the mentors' to read (its candidate took it back).
    return (
        applications(filters)
        .filter(challenge_id__in=sorted(rules.mentored_challenge_ids(user)))
        .exclude(state=ApplicationState.WITHDRAWN)
    )


def profile_labels(call_ids=None) -> dict:
    """{(call pk, profile code): label} for the calls given (every call without), in one query:
    the rows name their candidate's profile without a query each."""
    rows = SoughtProfile.objects.all()
    if call_ids is not None:
        rows = rows.filter(call_id__in=set(call_ids))
    return {(call_id, code): label for call_id, code, label in rows.values_list("call_id", "code", "label")}


def label_rows(rows, labels: dict | None = None) -> list:
    """The rows (a page of applications) with `profile_label` set, their labels read in one query."""
    rows = list(rows)
    if labels is None:
        labels = profile_labels({row.call_id for row in rows})
    for row in rows:
        code = row.candidate.profile
        row.profile_label = labels.get((row.call_id, code), code)
    return rows


def ranking(challenge) -> list:
    """The challenge's interviewed applications (interview planned or held, ranked, offered and
    after), by profile then rank (unranked last), then mean score (best first)."""
    rows = applications({"challenge": challenge}).filter(
        Q(state__in=INTERVIEWED_STATES) | Q(interview_at__isnull=False)
    )
    rows = rows.exclude(state__in=[ApplicationState.WITHDRAWN, ApplicationState.REJECTED]).order_by(
        "candidate__profile",
        F("rank").asc(nulls_last=True),
        F("mean_score").desc(nulls_last=True),
        "candidate__last_name",
        "pk",
    )
    return label_rows(rows)


def interviewed_elsewhere(challenge):
    """The promotion's candidates interviewed for another challenge who did not apply to this one
    (and accepted none): those the programme may offer it (`moves.offer_elsewhere`)."""
    return (
        Candidate.objects.filter(
            call__promotion_id=challenge.promotion_id,
            erased_at__isnull=True,
            applications__interview_at__isnull=False,
        )
        .exclude(applications__challenge=challenge)
        .exclude(applications__state=ApplicationState.ACCEPTED)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
