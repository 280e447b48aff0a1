"""The template filters of `{% load richtext %}`."""

from django.template import Context, Template
from django.utils.safestring import mark_safe


def render(source, **context):
    return Template("{% load richtext %}" + source).render(Context(context))


def test_markdown_renders_sanitised_html():
    assert render("{{ text|markdown }}", text="**gras** <script>x</script>") == (
        "<p><strong>gras</strong> &lt;script&gt;x&lt;/script&gt;</p>"
    )
    assert render("{{ text|markdown }}", text=None) == ""


def test_a_rows_value_is_html_when_safe_else_escaped_text_with_its_line_breaks():
    assert render("{{ value|text_or_html }}", value=mark_safe("<p>a\nb</p>")) == "<p>a\nb</p>"
    assert render("{{ value|text_or_html }}", value="<b>a</b>\nb") == "&lt;b&gt;a&lt;/b&gt;<br>b"
