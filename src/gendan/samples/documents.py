"""The dispatch's packing slip (寄样单), courier-ready: PDF in Chinese or English."""

from pathlib import Path

from gendan.core.documents import pdf_from_template
from gendan.samples.models import Dispatch


def slip_pdf(dispatch: Dispatch, language: str) -> bytes:
    """Sender (the company), recipient, contact, phone, address, courier, tracking number, date and the items."""
    return pdf_from_template(
        "samples/slip_document.html",
        {"dispatch": dispatch, "items": list(dispatch.items.all())},
        language=language,
        base_dir=Path(__file__).resolve().parent,
    )
