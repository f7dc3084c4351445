"""The visit plan (客户来访接待计划) for the reception team: PDF in Chinese or English."""

from pathlib import Path

from gendan.core.documents import pdf_from_template
from gendan.relations.models import Visit
from gendan.relations.selectors import tasks_of


def plan_pdf(visit: Visit, language: str) -> bytes:
    """Visitors, dates, host, hotel and pick-up, the agenda day by day, the factories to see and the preparation
    checklist with owners and due dates."""
    tasks = tasks_of(visit)
    days: dict = {}
    for item in visit.agenda.all():
        days.setdefault(item.date, []).append(item)
    return pdf_from_template(
        "relations/plan_document.html",
        {
            "visit": visit,
            "visitors": list(visit.visitors.all()),
            "days": sorted(days.items()),
            "sites": list(visit.sites.all()),
            "tasks": tasks["preparation"],
            "actions": tasks["follow_up"],
        },
        language=language,
        base_dir=Path(__file__).resolve().parent,
    )
