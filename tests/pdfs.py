import io

from pypdf import PdfWriter


def make_pdf(pages: int, *, password: str | None = None) -> bytes:
    """A real PDF of `pages` 16:9 slides, encrypted when a password is given."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=960, height=540)
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
