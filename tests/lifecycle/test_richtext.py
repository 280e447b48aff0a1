"""The public description's Markdown as sanitised HTML (pages) and as plain text (e-mails, exports)."""

from html.parser import HTMLParser

import pytest
from django.utils.safestring import SafeString

from lifecycle.richtext import to_html, to_plain

REL = 'rel="noopener noreferrer nofollow"'
# What a page may receive, written out again here rather than read from the module under test.
ALLOWED_TAGS = {
    *("p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a"),
    *("h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"),
}


class Elements(HTMLParser):
    """The elements of an HTML fragment: [(tag, {attribute: value})]."""

    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def test_bold_italic_lists_and_links_are_rendered():
    assert to_html("Du **gras** et de l’*italique*.") == (
        "<p>Du <strong>gras</strong> et de l’<em>italique</em>.</p>"
    )
    assert to_html("- un\n- deux\n  1. deux a\n  2. deux b") == (
        "<ul>\n<li>un</li>\n<li>deux\n<ol>\n<li>deux a</li>\n<li>deux b</li>\n</ol>\n</li>\n</ul>"
    )
    assert to_html('[le site](https://eig.etalab.gouv.fr "Le programme") ou [écrire](mailto:eig@x.fr)') == (
        f'<p><a href="https://eig.etalab.gouv.fr" title="Le programme" {REL}>le site</a> ou '
        f'<a href="mailto:eig@x.fr" {REL}>écrire</a></p>'
    )
    assert to_html("> citée\n\n`code`\n\n---") == (
        "<blockquote>\n<p>citée</p>\n</blockquote>\n<p><code>code</code></p>\n<hr>"
    )


def test_a_table_is_rendered_without_its_alignment_styles():
    html = to_html("| Profil | Nombre |\n|:--|--:|\n| Développement | 2 |")
    assert html == (
        "<table>\n<thead>\n<tr>\n<th>Profil</th>\n<th>Nombre</th>\n</tr>\n</thead>\n"
        "<tbody>\n<tr>\n<td>Développement</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>"
    )


def test_headings_start_below_the_pages_own_and_keep_their_hierarchy():
    assert to_html("## Le défi\n\n### La problématique") == "<h4>Le défi</h4>\n<h5>La problématique</h5>"
    assert (
        to_html("# Titre\n\n## Partie\n\n#### Détail") == "<h4>Titre</h4>\n<h5>Partie</h5>\n<h6>Détail</h6>"
    )


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert('xss')</script>",
        "Avant <script>alert('xss')</script> après",
        '<img src="x" onerror="alert(1)">',
        '<p onclick="alert(1)">texte</p>',
        '<iframe src="https://evil.example/"></iframe>',
        '<a href="javascript:alert(1)">clic</a>',
        "[clic](javascript:alert(1))",
        "[clic](JaVaScRiPt:alert(1))",
        "[clic](<javascript:alert(1)>)",
        "<javascript:alert(1)>",
        "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[clic](vbscript:msgbox(1))",
        "![image](javascript:alert(1))",
        '![pixel](https://tracker.example/p.gif "x") <style>body{display:none}</style>',
        "<!-- commentaire --><svg onload=alert(1)>",
        '[clic](https://ok.example "titre" onmouseover="alert(1)")',
    ],
)
def test_scripts_handlers_dangerous_links_and_raw_html_never_reach_the_page(markdown):
    html = to_html(markdown)
    for tag, attributes in Elements(html).found:
        assert tag in ALLOWED_TAGS
        assert not any(name.startswith("on") for name in attributes)
        assert set(attributes) <= {"href", "title", "rel"}
        if "href" in attributes:
            assert attributes["href"].startswith(("http://", "https://", "mailto:"))
        if tag == "a":
            assert attributes["rel"] == "noopener noreferrer nofollow"
    for tag in ("<script", "<iframe", "<img", "<svg", "<style", "<!--"):
        assert tag not in html.lower()


def test_raw_html_is_shown_as_text_not_as_markup():
    assert to_html('<iframe src="https://evil.example/"></iframe>') == (
        '<p>&lt;iframe src="https://evil.example/"&gt;&lt;/iframe&gt;</p>'
    )
    assert to_html("<b onerror=alert(1)>gras</b>") == "<p>&lt;b onerror=alert(1)&gt;gras&lt;/b&gt;</p>"


def test_a_relative_or_scheme_less_link_keeps_its_text_not_its_address():
    assert to_html("[règlement](/docs/reglement.pdf) [ailleurs](//evil.example/)") == (
        f"<p><a {REL}>règlement</a> <a {REL}>ailleurs</a></p>"
    )


def test_an_image_becomes_a_link_to_it():
    assert to_html("![Le schéma](https://eig.etalab.gouv.fr/schema.png)") == (
        f'<p><a href="https://eig.etalab.gouv.fr/schema.png" {REL}>Le schéma</a></p>'
    )


def test_accents_and_a_long_french_text_with_guillemets_are_kept():
    text = (
        "Dans les communes rurales de la région, un habitant sur trois n’a pas d’offre de transport "
        "collectif à moins de vingt minutes de marche. Les données des lignes régulières, du transport "
        "à la demande et du covoiturage existent mais ne sont ni croisées ni publiées : le défi "
        "« Mobilités rurales » propose de les réunir, d’en faire une cartographie ouverte et de "
        "concevoir, avec les habitants, élus et agents, des services d’information fiables. Œuvrer "
        "pour l’intérêt général, c’est aussi garantir la pérennité du code (licence libre) ; "
        "l’équipe interne reprendra l’outil à l’issue des dix mois."
    )
    assert to_html(text) == f"<p>{text}</p>"
    assert to_plain(text) == text
    # Typographic spaces stay (the non-breaking one as its entity), "&" is escaped.
    assert to_html("Pourquoi\u202f? «\u00a0Données & services\u00a0»") == (
        "<p>Pourquoi\u202f? «&nbsp;Données &amp; services&nbsp;»</p>"
    )


def test_empty_texts_give_empty_strings():
    for empty in (None, "", "   \n"):
        assert to_html(empty) == ""
        assert isinstance(to_html(empty), SafeString)
        assert to_plain(empty) == ""
    assert isinstance(to_html("texte"), SafeString)


def test_plain_text_of_a_list_and_a_link():
    markdown = (
        "### Le défi\n\n"
        "Voir [le site du programme](https://eig.etalab.gouv.fr) ou <https://www.numerique.gouv.fr>.\n\n"
        "* **croiser les données** des réseaux ;\n"
        "* _concevoir_ avec les usagers ;\n"
        "  - un service d’information\n"
        "* publier en [open data](https://www.data.gouv.fr).\n\n"
        "1. d’abord\n2. ensuite\n\n"
        "> Une citation\n\n"
        "Écrire à [l’équipe](mailto:eig@example.gouv.fr), lire le [règlement](/docs/reglement.pdf)."
    )
    assert to_plain(markdown) == (
        "Le défi\n\n"
        "Voir le site du programme (https://eig.etalab.gouv.fr) ou https://www.numerique.gouv.fr.\n\n"
        "- croiser les données des réseaux ;\n"
        "- concevoir avec les usagers ;\n"
        "  - un service d’information\n"
        "- publier en open data (https://www.data.gouv.fr).\n\n"
        "1. d’abord\n2. ensuite\n\n"
        "> Une citation\n\n"
        "Écrire à l’équipe (eig@example.gouv.fr), lire le règlement."
    )


def test_plain_text_has_no_markup_left():
    plain = to_plain("| a | b |\n|---|---|\n| **1** | `2` |\n\n---\n\n```\nx = 1\n```\n\nLigne  \ncassée")
    assert plain == "a | b\n1 | 2\n\n----\n\nx = 1\n\nLigne\ncassée"
