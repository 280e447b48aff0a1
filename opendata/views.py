"""Open data's pages: public ones (no sign-in: the promotions' published challenges and the files,
made from the database at each request) under /donnees-ouvertes/, and the managers' page under
/gestion/donnees-ouvertes/ (the columns published, a preview, the files, the publications, and
the publication to data.gouv.fr after a confirmation). Views are thin: `opendata.selection`,
`opendata.export` and `opendata.publish` check and write."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from lifecycle.actors import SYSTEM
from lifecycle.models import Promotion
from opendata import export, fields, publish, selection
from opendata.models import Publication
from web.access import manager_required

PREVIEW_ROWS = 10
# What the public cards show of a challenge, when its column is published.
CARD_COLUMNS = ("administration", "resume", "profils")


# --- The public pages --------------------------------------------------------------------------


def _published_promotions():
    return (
        Promotion.objects.annotate(
            published=Count("challenges", filter=Q(challenges__state__in=fields.PUBLISHED_STATES))
        )
        .filter(published__gt=0)
        .order_by("-number")
    )


def _file_links(promotion=None) -> list[dict]:
    number = {"number": promotion.number} if promotion is not None else {}
    data_view = "opendata:promotion_file" if promotion is not None else "opendata:file"
    return [
        {
            "label": _("Les défis en CSV"),
            "format": "CSV",
            "url": reverse(data_view, kwargs={**number, "file_format": "csv"}),
            "filename": export.filename("csv", promotion),
        },
        {
            "label": _("Les défis en JSON"),
            "format": "JSON",
            "url": reverse(data_view, kwargs={**number, "file_format": "json"}),
            "filename": export.filename("json", promotion),
        },
        {
            "label": _("Le schéma des fichiers (Table Schema)"),
            "format": "JSON",
            "url": reverse("opendata:schema"),
            "filename": export.SCHEMA_FILENAME,
        },
    ]


def index(request):
    """The promotions whose challenges are published, and the files of every promotion."""
    context = {
        "title": _("Données ouvertes des défis EIG"),
        "promotions": _published_promotions(),
        "files": _file_links(),
        "publication": publish.last_publication(),
    }
    return render(request, "opendata/index.html", context)


def promotion_page(request, number):
    promotion = get_object_or_404(Promotion, number=number)
    chosen = export.columns()
    shown = [column for column in chosen if column.name in CARD_COLUMNS]
    challenges = list(export.published_challenges(promotion))
    cards = [
        dict(zip([column.name for column in shown], row, strict=True))
        for row in export.rows(challenges, shown)
    ]
    for card, challenge in zip(cards, challenges, strict=True):
        card["nom"] = challenge.name
        card["identifiant"] = challenge.pk
        card["profile_list"] = [
            label for label in card.get("profils", "").split(fields.LIST_SEPARATOR) if label
        ]
    context = {
        "title": _("Défis de la promotion %(name)s en données ouvertes") % {"name": promotion.name},
        "promotion": promotion,
        "cards": cards,
        "files": _file_links(promotion),
        "all_files": _file_links(),
        "publication": publish.last_publication(),
    }
    return render(request, "opendata/promotion.html", context)


def _download(file: export.File) -> HttpResponse:
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    # Made from the database at each request: five minutes in a cache is fresh enough for data that
    # changes with a decision.
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"  # open data: readable by any site's scripts
    return response


def data_file(request, file_format, number=None):
    if file_format not in export.FORMATS:
        raise Http404
    promotion = get_object_or_404(Promotion, number=number) if number is not None else None
    made = export.bundle(promotion=promotion)
    return _download(made.file(export.filename(file_format, promotion)))


def schema(request):
    return _download(export.schema_file())


# --- The managers' page ------------------------------------------------------------------------


class ColumnsForm(forms.Form):
    names = forms.MultipleChoiceField(
        label=gettext_lazy("Colonnes publiées"),
        choices=fields.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


def _target_state() -> dict:
    target = publish.Target.from_settings()
    return {
        "dataset_id": target.dataset_id,
        "api_url": target.api_url,
        "key_set": bool(target.api_key),
        "problems": target.problems(),
    }


def _publisher(publication) -> str:
    if publication is None:
        return ""
    person = publication.published_by
    return (person.get_full_name() or person.get_username()) if person is not None else str(SYSTEM)


@manager_required
def manage(request, form=None):
    chosen = export.columns()
    made = export.bundle()
    challenges = list(export.published_challenges()[:PREVIEW_ROWS])
    last = publish.last_publication()
    context = {
        "title": _("Données ouvertes"),
        "form": form or ColumnsForm(initial={"names": [column.name for column in chosen]}),
        "fields": [
            {"field": item, "checked": item in chosen, "descriptor": item.descriptor()}
            for item in fields.FIELDS
        ],
        "columns": chosen,
        "count": made.challenge_count,
        "preview": export.rows(challenges, chosen),
        "preview_rows": PREVIEW_ROWS,
        "files": [{**link, "bytes": len(made.file(link["filename"]).content)} for link in _file_links()],
        "publication": last,
        "publisher": _publisher(last),
        "publications": Publication.objects.select_related("published_by")[:10],
        "target": _target_state(),
    }
    return render(request, "opendata/manage.html", context)


@manager_required
@require_POST
def choose_columns(request):
    form = ColumnsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ces colonnes ne peuvent être publiées : rien n’a changé."))
        return manage(request, form=form)
    try:
        chosen = selection.choose(form.cleaned_data["names"], by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return manage(request, form=form)
    messages.success(
        request,
        _("Colonnes publiées enregistrées (%(count)d) : les fichiers les suivent dès maintenant.")
        % {"count": len(chosen)},
    )
    return redirect("opendata:manage")


@manager_required
@require_POST
def publish_now(request):
    if request.POST.get("confirm") != "1":
        messages.error(request, _("Cochez la confirmation pour envoyer les fichiers à data.gouv.fr."))
        return redirect(reverse("opendata:manage") + "#publish")
    try:
        publication = publish.publish(by=request.user)
    except publish.PublicationFailed as failure:
        messages.error(request, _("Rien n’a été publié. %(why)s") % {"why": failure})
        return redirect(reverse("opendata:manage") + "#publish")
    messages.success(
        request,
        ngettext(
            "Publié sur data.gouv.fr : %(count)d défi, %(files)d fichiers.",
            "Publié sur data.gouv.fr : %(count)d défis, %(files)d fichiers.",
            publication.challenge_count,
        )
        % {"count": publication.challenge_count, "files": len(publication.files)},
    )
    return redirect(reverse("opendata:manage") + "#last-publication")
