"""A page's text as people read it (tags dropped, entities read, spaces collapsed), for assertions
on what a page says rather than on its markup."""

import html as html_module
import re

_HIDDEN = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")


def text_of(html: str) -> str:
    return " ".join(html_module.unescape(_TAG.sub(" ", _HIDDEN.sub(" ", html))).split())
