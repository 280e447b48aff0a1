"""The audit review: events filtered, old and new values, the chain's status, exports.

The trail grows by millions of events: its pages go by key (the events older than the page's
last, or newer than its first), never by an offset, and its count stops at COUNTED_UP_TO. Each
page costs the same few indexed queries however deep it is (docs/benchmarks.md, section 2)."""

from dataclasses import dataclass

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backoffice import trail
from backoffice.audit_filters import AuditEventFilter
from lifecycle import audit, rules
from lifecycle.models import AuditEvent
from web.access import audit_reader_required

LAST_VERIFICATION = "audit:last-verification"
# An event with more changes than this folds them (a creation lists the whole dossier).
CHANGES_SHOWN = 6
PER_PAGE = 50
# Beyond this many matching events the page says "more than": counting two million takes longer
# than showing them.
COUNTED_UP_TO = 1_000


@dataclass
class EventsPage:
    events: list
    older_than: int | None  # the key of the next page of older events, if there is one
    newer_than: int | None  # the key of the page of newer events, if there is one
    count: int  # the matching events, up to COUNTED_UP_TO
    more: bool  # more than COUNTED_UP_TO


def _key(request, name) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def events_page(events, *, older_than=None, newer_than=None) -> EventsPage:
    """The page of `events` (newest first) the reader asked for: the events just older than a
    key (`avant`), just newer than one (`apres`), or the newest."""
    events = events.order_by("-id")
    rows = None
    if newer_than is not None:
        newer = list(events.filter(id__gt=newer_than).order_by("id")[: PER_PAGE + 1])
        if len(newer) > PER_PAGE:  # a full page below the newest: shown newest first
            rows, has_newer = newer[:PER_PAGE][::-1], True
            has_older = events.filter(id__lt=rows[-1].pk).exists()
        else:  # that close to the top: the newest page
            older_than = None
    if rows is None:
        if older_than is not None:
            rows = list(events.filter(id__lt=older_than)[: PER_PAGE + 1])
            has_newer = events.filter(id__gte=older_than).exists()
        else:
            rows, has_newer = list(events[: PER_PAGE + 1]), False
        has_older, rows = len(rows) > PER_PAGE, rows[:PER_PAGE]
    count = events.order_by()[: COUNTED_UP_TO + 1].count()
    return EventsPage(
        rows,
        older_than=rows[-1].pk if rows and has_older else None,
        newer_than=rows[0].pk if rows and has_newer else None,
        count=min(count, COUNTED_UP_TO),
        more=count > COUNTED_UP_TO,
    )


def _filtered(request):
    events = AuditEvent.objects.select_related("challenge").order_by("-id")
    return AuditEventFilter(request.GET or None, queryset=events)


@audit_reader_required
def audit_review(request):
    if request.method == "POST":
        return _verify(request)
    event_filter = _filtered(request)
    page = events_page(event_filter.qs, older_than=_key(request, "avant"), newer_than=_key(request, "apres"))
    reader = trail.Reader(page.events)
    rows = [
        {
            "event": event,
            "title": reader.title(event),
            "subject": reader.subject(event),
            "from_label": trail.state_label(event.from_state),
            "to_label": trail.state_label(event.to_state),
            "changes": reader.changes(event),
        }
        for event in reader.events
    ]
    query = request.GET.copy()
    for key in ("page", "avant", "apres"):
        query.pop(key, None)
    return render(
        request,
        "backoffice/audit.html",
        {
            "title": _("Journal d’audit"),
            "filter": event_filter,
            "page": page,
            "rows": rows,
            "changes_shown": CHANGES_SHOWN,
            "links_to_cases": rules.is_programme_manager(request.user),
            "query": query.urlencode(),
            "verification": cache.get(LAST_VERIFICATION),
        },
    )


@require_POST
def _verify(request):
    result = audit.verify()
    cache.set(
        LAST_VERIFICATION,
        {
            "checked": result.checked,
            "intact": result.intact,
            "problem": result.problem,
            "broken_event_id": result.broken_event_id,
            "at": timezone.now(),
        },
        None,
    )
    return redirect(request.get_full_path())


@audit_reader_required
def audit_export(request, file_format):
    writers = {"csv": (audit.export_csv, "text/csv"), "jsonl": (audit.export_jsonl, "application/jsonl")}
    if file_format not in writers:
        raise Http404
    writer, content_type = writers[file_format]
    response = HttpResponse(content_type=f"{content_type}; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="journal-audit-{stamp}.{file_format}"'
    writer(response, _filtered(request).qs)
    return response
