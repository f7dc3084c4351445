"""The notice or meeting minutes printed (通知 / 会议纪要): A4 PDF in Chinese or English, to post in a workshop or
file with the meeting's papers."""

from pathlib import Path

from gendan.core.documents import pdf_from_template
from gendan.core.services import attachments_for
from gendan.office.models import Notice


def notice_pdf(notice: Notice, language: str) -> bytes:
    """Number, kind, title, date, sender; for minutes the meeting's date, place and attendees; the text; the names of
    the attached files."""
    return pdf_from_template(
        "office/notice_document.html",
        {
            "notice": notice,
            "departments": list(notice.departments.all()),
            "files": [a.name for a in attachments_for(notice)],
        },
        language=language,
        base_dir=Path(__file__).resolve().parent,
    )
