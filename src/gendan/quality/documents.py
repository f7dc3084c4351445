"""The inspection report (验货报告): PDF in Chinese or English, with the sampling plan, the defects, the checks, the
photos attached to the inspection, the result and the inspector's signature line."""

import base64
from pathlib import Path

from gendan.core.documents import pdf_from_template
from gendan.core.services import attachments_for
from gendan.quality.models import Inspection

IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif"}
MAX_PHOTOS = 12
MAX_PHOTO_BYTES = 4 * 1024 * 1024


def photos(inspection: Inspection) -> list[dict[str, str]]:
    """The inspection's image attachments as data URIs (read through the storage API, whatever the storage)."""
    result = []
    for attachment in attachments_for(inspection):
        mime = IMAGE_TYPES.get(Path(attachment.name).suffix.lower())
        if mime is None or attachment.size > MAX_PHOTO_BYTES:
            continue
        with attachment.file.open("rb") as handle:
            data = base64.b64encode(handle.read()).decode()
        result.append({"name": attachment.name, "uri": f"data:{mime};base64,{data}"})
        if len(result) == MAX_PHOTOS:
            break
    return result


def report_pdf(inspection: Inspection, language: str) -> bytes:
    from gendan.quality.selectors import report_context

    return pdf_from_template(
        "quality/inspection_report.html",
        {**report_context(inspection), "photos": photos(inspection)},
        language=language,
        base_dir=Path(__file__).resolve().parent,
    )
