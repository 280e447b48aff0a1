"""The audit review: events filtered, old and new values, the chain's status, exports."""

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from backoffice.audit_filters import AuditEventFilter
from lifecycle import audit
from lifecycle.dossier import snapshot
from lifecycle.enums import ChallengeState
from lifecycle.models import AuditEvent
from web.access import audit_reader_required

LAST_VERIFICATION = "audit:last-verification"
STATE_LABELS = dict(ChallengeState.choices)


def _filtered(request):
    events = AuditEvent.objects.select_related("challenge").order_by("-id")
    return AuditEventFilter(request.GET or None, queryset=events)


def _changes(event) -> list[dict]:
    """Each change with its key (what the trail holds) and, for a dossier's, its label."""
    return [
        {
            "field": field,
            "label": snapshot.key_label(field) if event.challenge_id else "",
            "old": values[0],
            "new": values[1],
        }
        for field, values in sorted(event.changes.items())
    ]


@audit_reader_required
def audit_review(request):
    if request.method == "POST":
        return _verify(request)
    event_filter = _filtered(request)
    page = Paginator(event_filter.qs, 50).get_page(request.GET.get("page"))
    rows = [
        {
            "event": event,
            "from_label": STATE_LABELS.get(event.from_state, ""),
            "to_label": STATE_LABELS.get(event.to_state, ""),
            "changes": _changes(event),
        }
        for event in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/audit.html",
        {
            "title": "Journal d’audit",
            "filter": event_filter,
            "page_obj": page,
            "rows": rows,
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
