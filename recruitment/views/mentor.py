"""The operational mentors' pages (/mentor/candidatures/…): the applications to the challenges
they mentor, and only those. Every URL reads the application through `queries.for_mentor` first:
an application to another challenge (or a draft) answers 404, on the page, the CV, the grid, the
comment and the moves alike, whatever the method."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from recruitment import queries, rules
from recruitment.forms_manage import FilterForm, filter_choices
from recruitment.views import _assessment

PER_PAGE = 50


def mentor_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not rules.is_mentor(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _application(request, pk):
    return get_object_or_404(
        queries.for_mentor(request.user).select_related("candidate__call", "challenge__promotion__call"),
        pk=pk,
    )


@mentor_required
def applications(request):
    mentored = rules.mentored_challenge_ids(request.user)
    challenges, _promotions, profiles = filter_choices(challenge_ids=mentored)
    form = FilterForm(request.GET or None, challenges=challenges, profiles=profiles)
    filters = form.filters()
    rows = queries.for_mentor(request.user, filters).only(*queries.ROW_FIELDS)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    page.pages_list = _assessment.pages_list(page)
    page.object_list = queries.label_rows(page.object_list)
    return render(
        request,
        "recruitment/mentor/list.html",
        {
            "title": _("Candidatures à mes défis"),
            "form": form,
            "page_obj": page,
            "challenges": challenges,
            "filtered": bool(filters),
        },
    )


def _page(request, application, posted=None):
    context = _assessment.detail_context(application, request.user, posted=posted, for_manager=False)
    context.update(
        title=_("Candidature de %(candidate)s") % {"candidate": application.candidate.full_name},
        grid_url=reverse("mentor:grid", args=[application.pk]),
        comment_url=reverse("mentor:comment", args=[application.pk]),
        cv_url=reverse("mentor:cv", args=[application.pk]),
        move_url_name="mentor:move",
        list_url=reverse("mentor:applications"),
    )
    return render(request, "recruitment/mentor/detail.html", context)


def _here(application) -> str:
    return reverse("mentor:application", args=[application.pk])


@mentor_required
def detail(request, pk):
    return _page(request, _application(request, pk))


@mentor_required
def cv(request, pk):
    return _assessment.cv_response(_application(request, pk))


@mentor_required
def grid(request, pk):
    application = _application(request, pk)
    return _assessment.not_post(request) or _assessment.post_grid(
        request,
        application,
        here=_here(application),
        render_page=lambda posted: _page(request, application, posted),
    )


@mentor_required
def comment(request, pk):
    application = _application(request, pk)
    return _assessment.not_post(request) or _assessment.post_comment(
        request,
        application,
        here=_here(application),
        render_page=lambda posted: _page(request, application, posted),
    )


@mentor_required
def move(request, pk, name):
    application = _application(request, pk)
    return _assessment.not_post(request) or _assessment.post_move(
        request,
        application,
        name,
        here=_here(application),
        render_page=lambda posted: _page(request, application, posted),
    )
