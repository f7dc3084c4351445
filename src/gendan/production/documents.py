"""The production notice (生产通知书) printed for the workshop: PDF in Chinese or English."""

from pathlib import Path

from gendan.catalog.models import RoutingStep
from gendan.core.documents import pdf_from_template
from gendan.production.models import PlanLoad, ProductionNotice


def notice_pdf(notice: ProductionNotice, language: str) -> bytes:
    steps = list(RoutingStep.objects.filter(product=notice.product).select_related("work_centre").order_by("position"))
    spans: dict[int, tuple] = {}
    for position, day in PlanLoad.objects.filter(notice=notice).values_list("position", "date").order_by("date"):
        first, _last = spans.get(position, (day, day))
        spans[position] = (first, day)
    for step in steps:
        if step.position in spans:
            first, last = spans[step.position]
            step.planned = f"{first:%m-%d} → {last:%m-%d}"
    return pdf_from_template(
        "production/notice_document.html",
        {"notice": notice, "steps": steps},
        language=language,
        base_dir=Path(__file__).resolve().parent,
    )
