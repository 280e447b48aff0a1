"""What every page's form shares: the design system's classes on widgets, help texts and errors
tied to their field for screen readers, the domain's errors put on their fields."""

from django import forms
from django.core.exceptions import ValidationError


class DsfrMixin:
    """Design-system classes on widgets; help texts and errors tied to their field."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput | forms.CheckboxSelectMultiple):
                continue
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "fr-select")
            else:
                widget.attrs.setdefault("class", "fr-input")

    def full_clean(self):
        super().full_clean()
        self.describe()

    def describe(self):
        for name, field in self.fields.items():
            auto_id = self.auto_id % self.add_prefix(name)
            described_by = [f"{auto_id}-help"] if field.help_text else []
            if self._errors and name in self._errors:
                described_by.append(f"{auto_id}-error")
                field.widget.attrs["aria-invalid"] = "true"
                if "fr-input" in field.widget.attrs.get("class", "").split():
                    field.widget.attrs["class"] = "fr-input fr-input--error"
            if described_by and not isinstance(
                field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple
            ):
                field.widget.attrs["aria-describedby"] = " ".join(described_by)

    def add_domain_errors(self, error: ValidationError) -> list:
        """Put the domain's errors on their fields; return those that belong to no field."""
        others = []
        if not hasattr(error, "error_dict"):
            return list(error.messages)
        for name, errors in error.error_dict.items():
            messages = [message for item in errors for message in item.messages]
            if name in self.fields:
                for message in messages:
                    self.add_error(name, message)
            else:
                others += messages
        self.describe()
        return others
