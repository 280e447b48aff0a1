"""The audit review: events filtered, old and new values, the chain's status, exports."""

from django.core.cache import cache
from django.core.paginator import Paginator
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


def _filtered(request):
    events = AuditEvent.objects.select_related("challenge").order_by("-id")
    return AuditEventFilter(request.GET or None, queryset=events)


@audit_reader_required
def audit_review(request):
    if request.method == "POST":
        return _verify(request)
    event_filter = _filtered(request)
    page = Paginator(event_filter.qs, 50).get_page(request.GET.get("page"))
    reader = trail.Reader(page)
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
    query.pop("page", None)
    return render(
        request,
        "backoffice/audit.html",
        {
            "title": _("Journal d’audit"),
            "filter": event_filter,
            "page_obj": page,
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
