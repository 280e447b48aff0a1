"""Markdown written by people (the challenge's public description), as safe HTML or plain text.

`to_html` is for pages: markdown-it-py parses CommonMark (raw HTML is not parsed, it stays
text) and nh3 (the Rust ammonia sanitiser) keeps only the tags, attributes and URL schemes
listed here, whatever the parser let through. `to_plain` is for e-mails and exports.
"""

import importlib.util
from html import escape

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# Headings: the text is shown inside a page whose outline is already set (h1 the page, h2 its
# parts, h3 the dossier's section), so its own headings start at h4 and keep their hierarchy
# below it (the descriptions of the programme's site start at "##" or "###"). Allowing h1/h2
# as written would break the page's outline, for screen readers first.
FIRST_HEADING = 4
TAGS = {
    *("p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a"),
    *("h4", "h5", "h6"),
    *("table", "thead", "tbody", "tr", "th", "td"),
}
# No style (the tables' column alignment is lost), class, id or on… attribute.
ATTRIBUTES = {"a": {"href", "title"}}
# Absolute links to these schemes only: a link relative to the programme's site (its
# "/docs/…") would lead nowhere here, so it loses its address and keeps its text.
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"
LINKIFY = importlib.util.find_spec("linkify_it") is not None  # bare addresses become links if installed


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": LINKIFY}).enable("table")
    if LINKIFY:
        parser.enable("linkify")
    parser.add_render_rule("image", _image_as_link)
    return parser


def _image_as_link(renderer, tokens, idx, options, env):
    """No image is shown (no tracker, no outside content): a link to it, named by its text."""
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    text = renderer.renderInlineAsText(token.children or [], options, env) or src
    return f'<a href="{escape(src)}">{escape(text)}</a>'


PARSER = _parser()


def _shift_headings(tokens) -> None:
    levels = [int(token.tag[1]) for token in tokens if token.type == "heading_open"]
    if not levels:
        return
    shift = FIRST_HEADING - min(levels)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"


def to_html(text) -> SafeString:
    """The Markdown `text` as sanitised HTML, safe to print in a page as is; "" when empty."""
    if not text or not str(text).strip():
        return mark_safe("")
    tokens = PARSER.parse(str(text))
    _shift_headings(tokens)
    html = PARSER.renderer.render(tokens, PARSER.options, {})
    cleaned = nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        url_relative="deny",
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return mark_safe(cleaned.strip())  # sanitised by nh3 just above


# Plain text ----------------------------------------------------------------------------------------


def _shown_url(href: str) -> str:
    """The address a reader can use, or "" for one `to_html` would not link either."""
    scheme = href.split(":", 1)[0].lower() if ":" in href else ""
    if scheme not in URL_SCHEMES:
        return ""
    return href[len("mailto:") :] if scheme == "mailto" else href


def _inline(tokens) -> str:
    parts, links = [], []  # links: (address, where its text starts in parts)
    for token in tokens:
        if token.type in ("text", "code_inline", "html_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):  # the author's line breaks stay
            parts.append("\n")
        elif token.type == "link_open":
            links.append((_shown_url(str(token.attrGet("href") or "")), len(parts)))
        elif token.type == "link_close" and links:
            url, start = links.pop()
            if url and "".join(parts[start:]).strip() != url:
                parts.append(f" ({url})")
        elif token.type == "image":
            alt, url = _inline(token.children or []), _shown_url(str(token.attrGet("src") or ""))
            parts.append(f"{alt} ({url})" if alt and url else alt or url)
    return "".join(parts)


class _Writer:
    """Lines of plain text, each block behind the marks of the lists and quotes it is in."""

    def __init__(self):
        self.lines: list[str] = []
        # Each level: {"marker": its first line's mark (used once), "indent": the next lines', "started"}
        self.nesting: list[dict] = []
        self.blank_before_next = False

    def block(self, text: str) -> None:
        if self.blank_before_next and self.lines and self.lines[-1]:
            started = (level["indent"] for level in self.nesting if level.get("started"))
            self.lines.append("".join(started).rstrip())
        self.blank_before_next = False
        for line in text.split("\n"):
            prefix = ""
            for level in self.nesting:
                prefix += level.pop("marker", None) or level["indent"]
                level["started"] = True
            self.lines.append((prefix + line).rstrip())

    def end_block(self) -> None:
        """A blank line before the next block, except between the items of a tight list."""
        self.blank_before_next = True

    def text(self) -> str:
        return "\n".join(self.lines).strip("\n")


def to_plain(text) -> str:
    """The Markdown `text` as readable plain text: no markup, list items behind "- " (or their
    number), links as "text (address)", quotes behind "> "; "" when empty."""
    if not text or not str(text).strip():
        return ""
    writer = _Writer()
    lists: list[list] = []  # [ordered, next number], innermost last
    row: list[str] | None = None
    for token in PARSER.parse(str(text)):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append([kind == "ordered_list_open", int(token.attrGet("start") or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists:
                writer.end_block()
        elif kind == "list_item_open":
            ordered, number = lists[-1]
            marker = f"{number}. " if ordered else "- "
            lists[-1][1] += 1
            writer.nesting.append({"marker": marker, "indent": " " * len(marker)})
        elif kind == "blockquote_open":
            writer.nesting.append({"indent": "> "})
        elif kind in ("list_item_close", "blockquote_close"):
            writer.nesting.pop()
            if kind == "blockquote_close":
                writer.end_block()
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            writer.block(" | ".join(row))
            row = None
        elif kind == "table_close":
            writer.end_block()
        elif kind == "inline":
            content = _inline(token.children or [])
            if row is not None:
                row.append(" ".join(content.split()))
            else:
                writer.block(content)
        elif kind in ("paragraph_close", "heading_close") and not token.hidden:
            writer.end_block()
        elif kind in ("fence", "code_block"):
            writer.block(token.content.rstrip("\n"))
            writer.end_block()
        elif kind == "hr":
            writer.block("----")
            writer.end_block()
    return writer.text()
