"""The answer to the customer (客户投诉答复, an 8D-style report) as a PDF in English or Chinese: the letterhead of the
shipping documents, the complaint's facts, the problem and the products affected (D2), containment (D3), the root
cause (D4), corrective (D5–D6) and preventive (D7) actions, the settlement offered, the answer, and the photos.

The document's headings are its own words in the chosen language (as on the shipping documents); choices (channel,
severity, action kind) are the UI's labels in that language."""

import base64
import mimetypes
from pathlib import Path
from typing import Any

from gendan.core.documents import pdf_from_template
from gendan.service import selectors
from gendan.service.models import Complaint

BASE_DIR = Path(__file__).resolve().parent
STYLESHEET = BASE_DIR / "templates" / "service" / "documents" / "answer.css"
UI_LANGUAGE = {"en": "en", "zh": "zh-hans"}
MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 5 * 1024 * 1024
IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}

# key: (中文, English)
LABELS: dict[str, tuple[str, str]] = {
    "title": ("客户投诉答复 (8D 报告)", "ANSWER TO CUSTOMER COMPLAINT (8D REPORT)"),
    "date": ("日期", "Date"),
    "customer": ("客户", "Customer"),
    "reference": ("客户编号", "Your reference"),
    "received": ("收到日期", "Received"),
    "channel": ("投诉方式", "Received by"),
    "order": ("订单号", "Order No."),
    "customer_po": ("客户订单号", "Your PO"),
    "shipment": ("出货 / 提单", "Shipment / B/L"),
    "lot": ("生产批号", "Production lot"),
    "severity": ("严重程度", "Severity"),
    "claim": ("索赔金额", "Claim amount"),
    "d1": ("D1 处理小组", "D1 Team"),
    "responsible": ("负责人", "Responsible"),
    "department": ("负责部门", "Department"),
    "follow": ("跟进人", "Followed by"),
    "d2": ("D2 问题描述", "D2 Problem description"),
    "product": ("产品", "Product"),
    "qty": ("影响数量", "Quantity affected"),
    "defect": ("缺陷", "Defect"),
    "d3": ("D3 临时措施", "D3 Containment actions"),
    "d4": ("D4 根本原因", "D4 Root cause"),
    "category": ("原因分类", "Category"),
    "analysis": ("原因分析", "Analysis"),
    "d56": ("D5–D6 纠正措施", "D5–D6 Corrective actions"),
    "d7": ("D7 预防措施", "D7 Preventive actions"),
    "d8": ("D8 处理结果", "D8 Settlement and closure"),
    "action": ("措施", "Action"),
    "owner": ("负责人", "Owner"),
    "due": ("计划完成", "Due"),
    "done": ("完成日期", "Done"),
    "result": ("结果", "Result"),
    "none": ("无", "None"),
    "offer": ("处理方案", "Settlement offered"),
    "agreed": ("双方确认的处理结果", "Settlement agreed"),
    "credit": ("贷项通知单", "Credit note"),
    "replacement": ("补货", "Replacement"),
    "discount": ("下一订单折扣", "Discount on the next order"),
    "answer": ("答复", "Our answer"),
    "photos": ("照片", "Photos"),
    "sign": ("客户服务 / 品质部", "Customer service / Quality"),
    "page": ("页", "Page"),
}


def labels(lang: str) -> dict[str, str]:
    index = 0 if lang == "zh" else 1
    return {key: pair[index] for key, pair in LABELS.items()}


def _photos(complaint: Complaint) -> list[dict[str, str]]:
    """The complaint's images as data URIs (the PDF is self-contained; files live in the storage, not on disk)."""
    result = []
    for att in selectors.photos_of(complaint):
        kind = mimetypes.guess_type(att.name)[0] or ""
        if kind not in IMAGE_TYPES or (att.size and att.size > MAX_PHOTO_BYTES):
            continue
        try:
            with att.file.open("rb") as fh:
                data = fh.read(MAX_PHOTO_BYTES + 1)
        except (OSError, ValueError):
            continue
        if len(data) > MAX_PHOTO_BYTES:
            continue
        result.append({"name": att.name, "src": f"data:{kind};base64,{base64.b64encode(data).decode()}"})
        if len(result) >= MAX_PHOTOS:
            break
    return result


def answer_context(complaint: Complaint, lang: str) -> dict[str, Any]:
    from gendan.shipping.documents import letterhead

    complaint = selectors.get_complaint(complaint.pk)
    actions = selectors.actions_of(complaint)
    zh = lang == "zh"
    customer = complaint.customer
    lines = []
    for line in selectors.lines_of(complaint):
        p = line.product
        lines.append(
            {
                "code": p.code,
                "name": p.name if zh else (p.name_en or p.name),
                "spec": p.spec,
                "quantity": line.quantity,
                "unit": p.get_unit_display(),
                "defect": line.defect,
            }
        )
    return {
        "c": complaint,
        "lang": lang,
        "zh": zh,
        "L": labels(lang),
        "head": letterhead(lang),
        "customer_name": customer.name if zh else (customer.name_en or customer.name),
        "lines": lines,
        "containment": [a for a in actions if a.kind == "containment"],
        "corrective": [a for a in actions if a.kind == "corrective"],
        "preventive": [a for a in actions if a.kind == "preventive"],
        "cause": complaint.root_cause.name_in(UI_LANGUAGE[lang]) if complaint.root_cause_id else "",
        "photos": _photos(complaint),
    }


def answer_pdf(complaint: Complaint, lang: str) -> bytes:
    """The 8D answer in `lang` (en or zh)."""
    return pdf_from_template(
        "service/documents/answer.html",
        answer_context(complaint, lang),
        language=UI_LANGUAGE.get(lang, "en"),
        base_dir=BASE_DIR,
        stylesheets=(STYLESHEET,),
    )
