"""The managers' pages of the DS sync, under /gestion/demarches/: the démarches, and a démarche's
page (its mapping, a dry run, a sync queued for the workers, its runs, and the dossiers that need
a manager: changed on DS after a decision, refused, deleted). Views are thin: `demarches.services`
and `demarches.sync` check and write."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from demarches import mapping as ds_mapping
from demarches import services
from demarches.client import DsClient, DsError
from demarches.models import Demarche, DsDossier, LinkStatus, SyncRun, SyncStatus
from demarches.sync import SyncError, sync
from lifecycle.models import Promotion
from web.access import manager_required
from web.forms import DsfrMixin

MAX_MAPPING_BYTES = 512 * 1024


class DemarcheForm(DsfrMixin, forms.Form):
    number = forms.IntegerField(label=gettext_lazy("Numéro de la démarche"), min_value=1)
    promotion = forms.ModelChoiceField(
        label=gettext_lazy("Promotion"), queryset=Promotion.objects.order_by("-number"), empty_label=None
    )

    def clean_number(self):
        number = self.cleaned_data["number"]
        if Demarche.objects.filter(number=number).exists():
            raise ValidationError(_("La démarche %(number)d est déjà suivie.") % {"number": number})
        return number


class MappingForm(DsfrMixin, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Correspondance (YAML)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "fr-input eig-code"}),
        help_text=gettext_lazy(
            "Par identifiant stable de champ : son type sur DS et ce qu’il remplit (« to »). "
            "Un fichier envoyé remplace le texte."
        ),
    )
    file = forms.FileField(label=gettext_lazy("ou un fichier .yml"), required=False)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        text = cleaned.get("text") or ""
        if upload is not None:
            if upload.size > MAX_MAPPING_BYTES:
                raise ValidationError(_("Le fichier dépasse 512 Ko."))
            try:
                text = upload.read().decode("utf-8")
            except UnicodeDecodeError as error:
                raise ValidationError(_("Le fichier doit être du texte en UTF-8.")) from error
        try:
            cleaned["mapping"] = ds_mapping.parse(text)
        except ds_mapping.MappingError as error:
            raise ValidationError(error.problems) from error
        return cleaned


@manager_required
def demarche_list(request):
    form = DemarcheForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        demarche = services.add_demarche(
            form.cleaned_data["number"], form.cleaned_data["promotion"], by=request.user
        )
        messages.success(
            request,
            _("Démarche %(number)d ajoutée : écrivez sa correspondance.") % {"number": demarche.number},
        )
        return redirect("demarches:detail", number=demarche.number)
    # Each démarche's last run, in the list's one query (an hourly sync makes thousands of runs).
    last = SyncRun.objects.filter(demarche=OuterRef("pk")).order_by("-started_at", "-pk")
    demarches = Demarche.objects.select_related("promotion").annotate(
        last_started_at=Subquery(last.values("started_at")[:1]),
        last_status=Subquery(last.values("status")[:1]),
    )
    labels = dict(SyncStatus.choices)
    rows = [
        {"demarche": demarche, "last_run_label": labels.get(demarche.last_status, "")}
        for demarche in demarches
    ]
    return render(request, "demarches/list.html", {"rows": rows, "form": form})


def _context(demarche, **more):
    links = DsDossier.objects.filter(demarche=demarche).select_related("challenge")
    return {
        "demarche": demarche,
        "runs": demarche.runs.select_related("by")[:10],
        "running": demarche.runs.filter(status=SyncStatus.RUNNING).exists(),
        "reported": links.filter(status=LinkStatus.CHANGED_AFTER_DECISION),
        "refused": links.filter(status=LinkStatus.REFUSED),
        "deleted": links.filter(status=LinkStatus.DELETED),
        "imported": links.filter(challenge__isnull=False).count(),
        "mapping_form": more.pop("mapping_form", None)
        or MappingForm(initial={"text": ds_mapping.dump(demarche.mapping)}),
        **more,
    }


@manager_required
def demarche_detail(request, number):
    demarche = get_object_or_404(Demarche.objects.select_related("promotion__call"), number=number)
    return render(request, "demarches/detail.html", _context(demarche))


@manager_required
@require_POST
def save_mapping(request, number):
    demarche = get_object_or_404(Demarche, number=number)
    form = MappingForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "demarches/detail.html", _context(demarche, mapping_form=form), status=400)
    services.set_mapping(demarche, form.cleaned_data["mapping"], by=request.user)
    messages.success(request, _("Correspondance enregistrée."))
    return redirect("demarches:detail", number=number)


@manager_required
@require_POST
def dry_run(request, number):
    """The mapping against the démarche's champs, and a whole sync rolled back: what it would do."""
    demarche = get_object_or_404(Demarche.objects.select_related("promotion__call"), number=number)
    try:
        report = sync(demarche, by=request.user, dry_run=True)
    except SyncError as error:
        messages.error(request, str(error))
        return redirect("demarches:detail", number=number)
    if report.described is None:  # DS did not even describe the démarche
        messages.error(request, report.error)
        return redirect("demarches:detail", number=number)
    return render(request, "demarches/detail.html", _context(demarche, lines=report.lines, dry_report=report))


@manager_required
@require_POST
def propose_mapping(request, number):
    """The mapping completed with every champ of the démarche it does not list (guessed by
    label), in the form: nothing is saved until the manager saves it."""
    demarche = get_object_or_404(Demarche.objects.select_related("promotion__call"), number=number)
    try:
        with DsClient() as client:
            described = client.demarche(demarche.number)
    except DsError as error:
        messages.error(request, str(error))
        return redirect("demarches:detail", number=number)
    proposal = ds_mapping.dump(ds_mapping.completed(demarche.mapping, described))
    messages.info(request, _("Correspondance proposée : vérifiez-la, complétez-la, puis enregistrez-la."))
    form = MappingForm(initial={"text": proposal})
    return render(request, "demarches/detail.html", _context(demarche, mapping_form=form))


@manager_required
@require_POST
def start_sync(request, number):
    demarche = get_object_or_404(Demarche, number=number)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("Cochez la case de confirmation pour lancer la synchronisation."))
        return redirect("demarches:detail", number=number)
    if demarche.runs.filter(status=SyncStatus.RUNNING).exists():
        messages.error(request, _("Une synchronisation de cette démarche est déjà en cours."))
        return redirect("demarches:detail", number=number)
    from django_q.tasks import async_task  # django-q2 reads its settings on import

    async_task("demarches.tasks.sync_one", demarche.pk, request.user.pk, group="demarches")
    messages.success(request, _("Synchronisation lancée : cette page en montre l’avancement."))
    return redirect("demarches:detail", number=number)


@manager_required
@require_POST
def schedule(request, number):
    demarche = get_object_or_404(Demarche, number=number)
    services.set_scheduled(demarche, request.POST.get("scheduled") == "1", by=request.user)
    messages.success(
        request,
        _("Synchronisation programmée chaque heure.")
        if demarche.scheduled
        else _("Synchronisation programmée arrêtée."),
    )
    return redirect("demarches:detail", number=number)


@manager_required
@require_POST
def answer_pending(request, number, dossier):
    link = get_object_or_404(
        DsDossier.objects.select_related("demarche__promotion__call", "challenge"),
        demarche__number=number,
        number=dossier,
    )
    try:
        if request.POST.get("answer") == "apply":
            services.apply_pending(link, by=request.user)
            messages.success(
                request, _("Dossier %(number)d : les valeurs de DS sont appliquées.") % {"number": dossier}
            )
        else:
            services.dismiss_pending(link, by=request.user)
            messages.success(
                request,
                _("Dossier %(number)d : les valeurs du programme sont gardées.") % {"number": dossier},
            )
    except (DsError, SyncError) as error:
        messages.error(request, str(error))
    return redirect("demarches:detail", number=number)
