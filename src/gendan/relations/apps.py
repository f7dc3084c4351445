from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gendan.core.choices import Role

PANEL_ROWS = 6
PANEL_DAYS = 14


def customer_visits_section(request: Any, customer: Any) -> dict[str, Any] | None:
    """The customer file's visits: to come first, then the latest, with their status and open tasks."""
    from gendan.core import clock
    from gendan.relations.choices import VISIT_STATUS_COLORS
    from gendan.relations.selectors import customer_visits

    if not request.user.has_perm("relations.view_visit"):
        return None
    return {
        "template": "relations/partials/_customer_visits.html",
        "context": {
            "visits": customer_visits(customer.pk),
            "visit_colors": VISIT_STATUS_COLORS,
            "today": clock.today(),
        },
        "order": 60,
    }


def customer_survey_section(request: Any, customer: Any) -> dict[str, Any] | None:
    """The customer file's latest satisfaction scores, against its previous answer to the same survey."""
    from gendan.relations.selectors import customer_scores

    if not request.user.has_perm("relations.view_surveyround"):
        return None
    return {
        "template": "relations/partials/_customer_scores.html",
        "context": {"scores": customer_scores(customer.pk)},
        "order": 70,
    }


def upcoming_visits_panel(request: Any) -> dict[str, Any] | None:
    """The customer visits of the next two weeks (and those going on)."""
    from gendan.core import clock
    from gendan.relations.choices import VISIT_STATUS_COLORS
    from gendan.relations.selectors import upcoming_visits

    if not request.user.has_perm("relations.view_visit"):
        return None
    visits = upcoming_visits(days=PANEL_DAYS)
    if not visits:
        return None
    return {
        "title": _("Customer visits coming"),
        "template": "relations/partials/_panel_visits.html",
        "context": {
            "visits": visits[:PANEL_ROWS],
            "more": len(visits) > PANEL_ROWS,
            "today": clock.today(),
            "visit_colors": VISIT_STATUS_COLORS,
        },
        "order": 60,
    }


class RelationsConfig(AppConfig):
    """Customer relations: visit plans and their minutes (客户来访接待), satisfaction surveys (顾客满意度调查) answered
    through signed links."""

    name = "gendan.relations"
    label = "relations"
    verbose_name = _("Customer relations")

    _visits_view = ["view_visit", "view_visitor", "view_agendaitem", "view_visitsite", "view_visittask"]
    _visits_work = [*_visits_view, "add_visit", "change_visit", "add_visittask", "change_visittask"]
    _surveys_view = [
        "view_surveytemplate",
        "view_surveyquestion",
        "view_surveyround",
        "view_surveyinvitation",
        "view_surveyanswer",
        "view_surveyfollowup",
    ]
    _surveys_work = [
        *_surveys_view,
        "add_surveytemplate",
        "change_surveytemplate",
        "add_surveyround",
        "change_surveyround",
    ]
    role_permissions = {
        Role.MERCHANDISER: [*_visits_work, *_surveys_view],
        Role.SALES: [*_visits_work, *_surveys_work],
        Role.PURCHASING: _visits_view,
        Role.PLANNER: _visits_view,
        Role.QC: [*_visits_view, *_surveys_view],
        Role.SHIPPING: _visits_view,
        Role.FINANCE: _visits_view,
        Role.MANAGER: [*_visits_work, *_surveys_work, "change_surveyfollowup"],
    }

    def ready(self) -> None:
        from gendan.core import links
        from gendan.core.dashboard import register_panel
        from gendan.partners.hub import register_customer_section
        from gendan.relations import selectors
        from gendan.relations.services import LINK_PURPOSE
        from gendan.relations.tasks import register_jobs

        selectors.register()
        register_customer_section(customer_visits_section)
        register_customer_section(customer_survey_section)
        register_panel(upcoming_visits_panel)
        links.register_purpose(LINK_PURPOSE, "relations.change_surveyround")
        register_jobs()
