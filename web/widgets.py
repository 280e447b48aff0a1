"""Widgets the pages share."""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class QuickSelect(forms.Select):
    """A select of flat choices written in Python. Django's renders each option through two
    templates: a filter of sixty challenges pays more for its options than the page for its rows.
    The markup is Django's own (the same attributes, `selected` on the chosen value)."""

    def render(self, name, value, attrs=None, renderer=None):
        if any(isinstance(label, list | tuple) for _value, label in self.choices):
            return super().render(name, value, attrs, renderer)  # groups: Django's templates
        chosen = set(self.format_value(value))
        selected = mark_safe(" selected")
        options = format_html_join(
            "\n",
            '<option value="{}"{}>{}</option>',
            (
                (option, selected if option in chosen else "", label)
                for option, label in (("" if v is None else str(v), label) for v, label in self.choices)
            ),
        )
        final = {"name": name, **self.build_attrs(self.attrs, attrs)}
        written = format_html_join(
            "",
            "{}",
            (
                (format_html(' {}="{}"', key, value) if value is not True else format_html(" {}", key),)
                for key, value in final.items()
                if value is not False and value is not None
            ),
        )
        return format_html("<select{}>\n{}\n</select>", written, options)
