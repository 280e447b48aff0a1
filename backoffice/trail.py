"""The audit trail as people read it: the audit review and the case page's timeline show its events
through `Reader`, never its raw keys.

An event's subject ("user:12", "batch:3") is shown as what it names (the person, the held review's
label); its changes' keys by their labels (a dossier's through `snapshot.key_label`, a configuration
row's, an account's or an e-mail's by their model's fields, the trail's own few by theirs); its
values by what people read: yes and no, states, roles, languages, profiles and sections by their
labels, moments in Paris time, a file by its name. A person's values kept apart from the chain
(docs/personal-data.md) are joined back where they were, "donnée personnelle effacée" once erased.
A page of events is read in a fixed number of queries: one for the personal data kept apart, one
per kind of row its subjects name, one for the profiles, one for the recruited EIGs.
"""

import ast
import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Profile
from backoffice.queries import transition_label
from lifecycle import personal
from lifecycle.actors import actor_label
from lifecycle.dossier import sections, snapshot
from lifecycle.dossier.snapshot import ROW_KEY as DOSSIER_ROW_KEY  # the snapshot's one key format
from lifecycle.enums import AdministrationKind, ChallengeState, DefaultProfile
from lifecycle.models import (
    Challenge,
    Contact,
    EigPosition,
    Entrepreneur,
    Mentor,
    SoughtProfile,
    TeamMember,
)
from web.templatetags.moments import day, moment

EMPTY = "—"
# A value longer than LONG folds: its first SHORT characters shown, the whole of it on demand.
LONG, SHORT = 200, 120

# Keys of the trail that are no field of the row the event is about.
OWN_KEYS = {
    "recipient": gettext_lazy("Destinataire"),
    "messages": gettext_lazy("E-mails"),
    "administrations": gettext_lazy("Administrations"),
    "password": gettext_lazy("Mot de passe"),
    "sessions": gettext_lazy("Sessions"),
    "state": gettext_lazy("État"),
    "reason": gettext_lazy("Motif"),
    "owners": gettext_lazy("Personnes concernées"),
    "erased": gettext_lazy("Données personnelles effacées"),
}
PASSWORD_VALUES = {"set": gettext_lazy("défini"), "disabled": gettext_lazy("désactivé")}
ROW_MODELS = {
    "eig": EigPosition,
    "team": TeamMember,
    "mentor": Mentor,
    "contact": Contact,
    "recruited": Entrepreneur,
}
# How a subject's kind is named when its model's own name would not say it.
SUBJECT_KINDS = {"user": gettext_lazy("Compte")}
# A value naming a row as subjects do ("user:5"), under the keys that record one: the account an
# invitation created.
REFERENCE = re.compile(r"(?P<model>[a-z_]+):(?P<pk>\d+)")
REFERENCE_KEYS = {"user"}


def _models_by_name() -> dict:
    """The models a subject may name ("call" → Call), the project's before the libraries'."""
    found = {}
    for model in apps.get_models():
        found.setdefault(model._meta.model_name, model)
    found["user"] = get_user_model()
    return found


def state_label(value) -> str:
    if not value:
        return ""
    try:
        return str(ChallengeState(value).label)
    except ValueError:
        return str(value)


def _field(model, name):
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # A reverse relation (an application's "scores") is not a field of the row: no label of its own.
    return None if field.auto_created and not field.concrete else field


def _humanized(key: str) -> str:
    return capfirst(key.replace("_", " ").replace(".", " — "))


def _structured(value, field):
    """A JSON field's value the configuration's trail kept as text (a list's repr) back to a list."""
    if isinstance(field, models.JSONField) and isinstance(value, str) and value[:1] in "[{":
        try:
            return ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value
    return value


def _parsed(value, field):
    """A stored text back to what the field holds (the trail keeps moments and days as ISO)."""
    if not isinstance(value, str):
        return value
    try:
        if isinstance(field, models.DateTimeField):
            return dt.datetime.fromisoformat(value)
        if isinstance(field, models.DateField):
            return dt.date.fromisoformat(value[:10])
        if isinstance(field, models.TimeField):
            return dt.time.fromisoformat(value)
        if isinstance(field, models.DecimalField):
            return Decimal(value)
    except (ValueError, InvalidOperation):
        return value
    return value


class Reader:
    """Reads one page of events (a list, or a challenge's whole timeline)."""

    def __init__(self, events):
        self.events = personal.prefetch(list(events))
        # Each event's changes with the personal values joined back (`personal.changes_of`).
        self.joined = {event.pk: personal.changes_of(event) for event in self.events}
        self.models = _models_by_name()
        self.rows = self._subjects()
        self.references = self._references()
        keys = [key for event in self.events for key in self.joined[event.pk]]
        self.profiles = self._profiles() if any(key.endswith(".profile") for key in keys) else {}
        self.recruited = self._recruited(keys)

    # What the page names: one query per kind of row -------------------------------------------

    def _subjects(self) -> dict:
        wanted: dict[str, set] = {}
        for event in self.events:
            name, pk = self._split(event.subject)
            if name in self.models and pk is not None:
                wanted.setdefault(name, set()).add(pk)
        rows = {}
        for name, pks in wanted.items():
            model = self.models[name]
            for pk, row in model._default_manager.select_related().in_bulk(pks).items():
                rows[(name, pk)] = row
        return rows

    def _references(self) -> dict:
        """The rows values name as subjects do ("user:5"): one query per kind of row."""
        wanted: dict[str, set] = {}
        for event in self.events:
            for key, values in self.joined[event.pk].items():
                if key not in REFERENCE_KEYS:  # never a text someone typed
                    continue
                for value in values if isinstance(values, list) else [values]:
                    found = REFERENCE.fullmatch(value) if isinstance(value, str) else None
                    if found and found["model"] in self.models:
                        wanted.setdefault(found["model"], set()).add(int(found["pk"]))
        return {
            f"{name}:{pk}": row
            for name, pks in wanted.items()
            for pk, row in self.models[name]._default_manager.in_bulk(pks).items()
        }

    def _profiles(self) -> dict:
        labels = {profile.value: str(profile.label) for profile in DefaultProfile}
        for code, label in SoughtProfile.objects.order_by("-call_id").values_list("code", "label"):
            labels.setdefault(code, label)
        return labels

    def _recruited(self, keys) -> dict:
        pks = set()
        for key in keys:
            found = DOSSIER_ROW_KEY.match(key)
            if found and found["kind"] == "recruited" and found["which"].isdigit():
                pks.add(int(found["which"]))
        if not pks:
            return {}
        return {str(row.pk): row.full_name for row in Entrepreneur.objects.filter(pk__in=pks)}

    @staticmethod
    def _split(subject):
        name, _sep, pk = (subject or "").partition(":")
        return name, int(pk) if pk.isdigit() else None

    # An event ------------------------------------------------------------------------------------

    def subject(self, event) -> str:
        """What else the event is about, by its name ("Compte : Camille Martin (camille)")."""
        if not event.subject:
            return ""
        name, pk = self._split(event.subject)
        model = self.models.get(name)
        if model is None:
            return _("Autre objet n°%(pk)s") % {"pk": pk} if pk is not None else _("Autre objet")
        kind = str(SUBJECT_KINDS.get(name) or capfirst(model._meta.verbose_name))
        row = self.rows.get((name, pk))
        if row is None:  # deleted since
            return _("%(kind)s n°%(pk)s (n’existe plus)") % {"kind": kind, "pk": pk}
        return _("%(kind)s : %(name)s") % {"kind": kind, "name": self._name_of(row)}

    @staticmethod
    def _name_of(row) -> str:
        if isinstance(row, get_user_model()):
            return actor_label(row)
        label = getattr(row, "label", None)  # a held review, a profile
        if isinstance(label, str) and label:
            return label
        if row.__class__._meta.model_name == "notification":
            return _("« %(subject)s », à %(recipient)s") % {
                "subject": row.subject,
                "recipient": row.recipient_email or row.recipient_role,
            }
        return str(row)

    def title(self, event) -> str:
        """The event's kind, and for a move the move's name."""
        title = event.get_kind_display()
        if event.transition:
            title = f"{title} — {transition_label(event.transition)}"
        return title

    def changes(self, event) -> list[dict]:
        """[{label, old, new}] in the labels' order; a value is {text, long, short}."""
        rows = []
        for key, values in self.joined.get(event.pk, event.changes or {}).items():
            old, new = values if isinstance(values, list) and len(values) == 2 else (None, values)
            field = self._model_field(event, key)
            old_text, new_text = self.value(key, old, field), self.value(key, new, field)
            erased = old is personal.ERASED or new is personal.ERASED
            if old_text == new_text and not erased:  # "" become None, say: nothing people would see
                continue
            rows.append(
                {
                    "label": self.key_label(event, key),
                    "old": self._shown(old_text),
                    "new": self._shown(new_text),
                }
            )
        return sorted(rows, key=lambda row: row["label"].casefold())

    # Keys and values -----------------------------------------------------------------------------

    def _subject_models(self, event) -> list:
        name, _pk = self._split(event.subject)
        model = self.models.get(name)
        if model is None:
            return []
        return [model, Profile] if model is get_user_model() else [model]

    def _model_field(self, event, key):
        for model in self._subject_models(event):
            field = _field(model, key)
            if field is not None:
                return field
        if event.subject and key in OWN_KEYS:
            return None
        found = DOSSIER_ROW_KEY.match(key)
        if found:
            return _field(ROW_MODELS[found["kind"]], found["field"])
        return _field(Challenge, key)

    def key_label(self, event, key) -> str:
        for model in self._subject_models(event):
            field = _field(model, key)
            if field is not None:
                return capfirst(str(field.verbose_name))
        if key in OWN_KEYS:
            return str(OWN_KEYS[key])
        label = snapshot.key_label(key, recruited=self.recruited)
        return _humanized(key) if label == key else label

    def value(self, key, value, field=None) -> str:
        if value is personal.ERASED:
            return str(value)
        value = _structured(value, field)
        if value is None or value == "" or value == [] or value == {}:
            return EMPTY
        if isinstance(value, bool):
            return _("Oui") if value else _("Non")
        name = field.name if field is not None else key.rsplit(".", 1)[-1]
        if key == "password":
            return str(PASSWORD_VALUES.get(value, value))
        if name == "profile":
            return self.profiles.get(value, str(value))
        if name == "corrections_sections" and isinstance(value, list):
            return ", ".join(str(sections.BY_SLUG[s].title) if s in sections.BY_SLUG else s for s in value)
        if name == "cofinancing_eligible_kinds" and isinstance(value, list):
            kinds = dict(AdministrationKind.choices)
            return ", ".join(str(kinds.get(kind, kind)) for kind in value)
        if key == "sessions" and isinstance(value, list):
            return ", ".join(day(_parsed(item, models.DateField())) for item in value)
        if key in ("state", "from_state", "to_state"):
            return state_label(value)
        if isinstance(value, list):
            return ", ".join(self.value(key, item, field) for item in value)
        if isinstance(value, dict):
            return "; ".join(
                f"{self.key_label_of_dossier(item_key)} : {self.value(item_key, item)}"
                for item_key, item in value.items()
            )
        if isinstance(field, models.FileField):
            return str(value).rsplit("/", 1)[-1]
        if key in REFERENCE_KEYS and isinstance(value, str) and value in self.references:  # the person
            return self._name_of(self.references[value])
        if field is not None and field.choices:
            return str(dict(field.flatchoices).get(value, value))
        parsed = _parsed(value, field)
        if isinstance(parsed, dt.datetime | dt.date):
            return moment(parsed)
        if isinstance(parsed, dt.time):
            return parsed.strftime("%H:%M")
        if isinstance(parsed, Decimal):
            return number_format(parsed, decimal_pos=2, use_l10n=True, force_grouping=True)
        if isinstance(parsed, int | float):
            return str(parsed)
        if not isinstance(parsed, str):
            return json.dumps(parsed, ensure_ascii=False)
        return parsed

    def key_label_of_dossier(self, key) -> str:
        label = snapshot.key_label(key, recruited=self.recruited)
        return _humanized(key) if label == key else label

    @staticmethod
    def _shown(text: str) -> dict:
        return {"text": text, "long": len(text) > LONG, "short": text[:SHORT].rsplit(" ", 1)[0] + " …"}
