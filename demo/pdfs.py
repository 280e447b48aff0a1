"""Real PDF files of slides, for the demo's pitch decks and the tests' uploads, and of CVs.

`slides_pdf` writes text slides by hand (a few hundred bytes a slide, no dependency), `cv_pdf` an
A4 page of text the same way (a candidate's CV); `blank_pdf` makes blank slides through pypdf,
encrypted when asked.
"""

import io
import textwrap

from pypdf import PdfWriter


def blank_pdf(pages: int, *, password: str | None = None) -> bytes:
    """A real PDF of `pages` blank 16:9 slides, encrypted when a password is given."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=960, height=540)
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _text(value: str) -> bytes:
    """A PDF string in WinAnsi (Helvetica's encoding), escaped."""
    raw = value.encode("cp1252", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _pdf(pages: list[bytes], *, width: int, height: int) -> bytes:
    """A PDF of pages of text (their content streams), in Helvetica."""
    count = len(pages)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count)), count),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for number, stream in enumerate(pages, start=1):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (width, height, 3 + 2 * number)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    pdf = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(pdf)


def slides_pdf(title: str, slides: list[tuple[str, list[str]]]) -> bytes:
    """A real PDF of 16:9 slides, a heading and a few lines of text each (Helvetica, WinAnsi)."""
    count = len(slides)
    pages = []
    for number, (heading, lines) in enumerate(slides, start=1):
        operations = [b"BT /F1 30 Tf 60 460 Td " + _text(heading) + b" Tj ET"]
        for row, line in enumerate(lines):
            operations.append(b"BT /F1 18 Tf 60 %d Td " % (400 - 30 * row) + _text(line) + b" Tj ET")
        operations.append(b"BT /F1 11 Tf 60 30 Td " + _text(f"{title} – {number}/{count}") + b" Tj ET")
        pages.append(b"\n".join(operations))
    return _pdf(pages, width=960, height=540)


def cv_pdf(name: str, headline: str, sections: list[tuple[str, list[str]]]) -> bytes:
    """A real one-page A4 CV: the name, a headline, then sections of lines (wrapped), Helvetica."""
    operations = [
        b"BT /F1 22 Tf 56 780 Td " + _text(name) + b" Tj ET",
        b"BT /F1 12 Tf 56 756 Td " + _text(headline) + b" Tj ET",
    ]
    y = 720
    for heading, lines in sections:
        operations.append(b"BT /F1 13 Tf 56 %d Td " % y + _text(heading.upper()) + b" Tj ET")
        y -= 20
        for line in lines:
            for row in textwrap.wrap(line, 95) or [""]:
                operations.append(b"BT /F1 10 Tf 64 %d Td " % y + _text(row) + b" Tj ET")
                y -= 14
        y -= 10
    return _pdf([b"\n".join(operations)], width=595, height=842)
