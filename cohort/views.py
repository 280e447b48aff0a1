from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from cohort import services
from cohort.models import CohortCalendar


def ics(request, token):
    """The iCalendar feed of a promotion's sessions. No sign-in (calendar applications cannot):
    the secret token in the address is the key, renewed in the admin if it leaks."""
    calendar = get_object_or_404(CohortCalendar.objects.select_related("promotion"), token=token)
    response = HttpResponse(services.ics(calendar.promotion), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="sessions-eig-{calendar.promotion.number}.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
