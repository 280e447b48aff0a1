"""Comparing people's and bodies' names as people do: without case, accents or extra spaces."""

import unicodedata


def normalized(text: str) -> str:
    """One spelling for the typographic variants of a name (apostrophes, compatibility forms,
    case, spaces): "Ministère de l’Intérieur" and "ministère de l'intérieur " are equal."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    return " ".join(text.casefold().split())


def folded(text: str) -> str:
    """`normalized`, and without accents: for matching words whatever their accents."""
    decomposed = unicodedata.normalize("NFKD", normalized(text))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def ascii_slug_part(text: str) -> str:
    """Lower-case ASCII letters of a name, for an e-mail address or a file name."""
    return folded(text).encode("ascii", "ignore").decode()


# What a spreadsheet reads as a formula at the start of a cell (OWASP's list, with tab and
# carriage return), and their full-width forms, which some spreadsheets read as the same signs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def spreadsheet_safe(value):
    """A text cell as a spreadsheet must show it: one starting like a formula, even after
    spaces or line breaks (which a spreadsheet may trim on import), gets a leading apostrophe
    (the spreadsheets' own mark of "this is text"); other values unchanged."""
    if isinstance(value, str) and (
        value.startswith(FORMULA_STARTS) or value.lstrip().startswith(FORMULA_STARTS)
    ):
        return "'" + value
    return value
