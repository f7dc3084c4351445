"""Follow-up pages: the chase list (dashboard and its own page), the order's plan section, the risk board and
the T&A templates. Row actions post here; with htmx the panel they came from is rendered again in place."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gendan.core import audit, clock
from gendan.core.calendar import company_calendar
from gendan.core.excel import xlsx_download
from gendan.core.exceptions import GendanError, NotFound, PermissionDenied, ValidationError
from gendan.core.models import User
from gendan.core.pages import cleaned_filters, error_text, htmx_partial, paginate, perm_required, querystring_without
from gendan.followup import exports, selectors, services
from gendan.followup.choices import MILESTONE_STATUS_COLORS, Channel, Party
from gendan.followup.forms import (
    ActualForm,
    AddMilestoneForm,
    FollowUpForm,
    ForecastForm,
    MilestoneEditForm,
    RiskFilterForm,
    TemplateForm,
    TemplateMilestoneFormSet,
)
from gendan.followup.gantt import GanttRow, gantt_svg
from gendan.followup.models import Milestone
from gendan.sales.models import Order
from gendan.sales.selectors import get_order


def _day(value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else clock.today()
    except ValueError:
        return clock.today()


def _chase_user(request: HttpRequest, username: str | None) -> User:
    """The user asked for when the signed-in user may see their list; else (with a message) their own."""
    try:
        return selectors.chase_user(request.user, username)
    except GendanError as exc:
        messages.error(request, error_text(exc))
        return request.user


# ---- the chase list -----------------------------------------------------------------------------------


def chase_context(request: HttpRequest, user: User, day: dt.date) -> dict[str, Any]:
    rows = selectors.chase_list(user, day)
    return {
        "rows": rows,
        "day": day,
        "today": clock.today(),
        "shown_user": user,
        "horizon": selectors.chase_horizon(),
        "parties": Party.choices,
        "channels": Channel.choices,
    }


def chase_panel_context(request: HttpRequest) -> dict[str, Any]:
    return chase_context(request, request.user, clock.today())


def _render_chase(request: HttpRequest) -> HttpResponse:
    user = _chase_user(request, request.POST.get("for_user") or request.GET.get("user"))
    day = _day(request.POST.get("day") or request.GET.get("date"))
    return render(request, "followup/partials/_chase_panel.html", {"ctx": chase_context(request, user, day)})


@perm_required("followup.view_milestone")
def chase_page(request: HttpRequest) -> HttpResponse:
    """Anyone's chase list for any day (managers pick the user); the dashboard shows today's own."""
    user = _chase_user(request, request.GET.get("user"))
    day = _day(request.GET.get("date"))
    people = (
        User.objects.filter(is_active=True, milestones__isnull=False).distinct().order_by("username")
        if request.user.has_perm("sales.manage_all_orders")
        else []
    )
    return render(request, "followup/chase.html", {"ctx": chase_context(request, user, day), "people": people})


# ---- the plan section of the order page ---------------------------------------------------------------


def plan_section_context(request: HttpRequest, order: Order) -> dict[str, Any]:
    milestones = selectors.milestones_of(order)
    chain = selectors.driving_chain(order, milestones)
    rows = [
        GanttRow(
            code=m.code,
            name=m.name,
            planned=m.planned_date,
            forecast=m.forecast_date,
            actual=m.actual_date,
            status=m.status,
            compressed=m.compressed,
            is_ex_factory=m.is_ex_factory,
            driving=m.code in chain,
        )
        for m in milestones
    ]
    user = request.user
    manage = services.can_manage_plan(order, user) and order.status in services.PLANNED_STATUSES
    editable_ids = (
        {m.pk for m in milestones if services.can_edit_milestone(m, user)}
        if order.status in services.PLANNED_STATUSES and user.has_perm("followup.change_milestone")
        else set()
    )
    return {
        "milestones": milestones,
        "gantt": gantt_svg(rows, today=clock.today(), committed=order.ex_factory_date) if rows else "",
        "chain": chain,
        "follow_ups": list(selectors.follow_ups_of(order)[:100]),
        "can_manage": manage and user.has_perm("followup.change_milestone"),
        "editable_ids": editable_ids,
        "can_follow_up": user.has_perm("followup.add_followup"),
        "status_colors": MILESTONE_STATUS_COLORS,
        "parties": Party.choices,
        "channels": Channel.choices,
        "today": clock.today(),
        "users": list(
            User.objects.filter(is_active=True).order_by("username").only("username", "first_name", "last_name")
        )
        if manage
        else [],
    }


def _render_plan(request: HttpRequest, order_id: int) -> HttpResponse:
    order = get_order(order_id)
    context = {"order": order, "swap_risk_badge": True, **plan_section_context(request, order)}
    return HttpResponse(render_to_string("followup/partials/_plan_section.html", context, request=request))


# ---- row actions --------------------------------------------------------------------------------------


def _respond(request: HttpRequest, order_id: int) -> HttpResponse:
    """After an action: the panel it came from (htmx), else back to the order page or the chase list."""
    target = request.POST.get("target", "")
    if htmx_partial(request):
        if target == "chase":
            return _render_chase(request)
        return _render_plan(request, order_id)
    if target == "chase":
        return redirect("followup:chase")
    return redirect(reverse("sales:order", args=[order_id]) + "#plan")


def _run(request: HttpRequest, order_id: int, action: Any, success: str) -> HttpResponse:
    try:
        action()
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        if success:
            messages.success(request, success)
    return _respond(request, order_id)


def _milestone(milestone_id: int) -> Milestone:
    try:
        return selectors.get_milestone(milestone_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _form_error(form: Any) -> ValidationError:
    return ValidationError({field: [str(e) for e in errors] for field, errors in form.errors.items()})


def _milestone_form_action(
    request: HttpRequest, milestone_id: int, form_class: type, data: Any, success: str
) -> HttpResponse:
    """Parse `form_class`, give `data(cleaned_data)` to update_milestone, answer with the panel or a redirect."""
    milestone = _milestone(milestone_id)
    form = form_class(request.POST)

    def action() -> None:
        if not form.is_valid():
            raise _form_error(form)
        services.update_milestone(milestone=milestone, by=request.user, data=data(form.cleaned_data))

    message = success % {"order": milestone.order.number, "code": milestone.code}
    return _run(request, milestone.order_id, action, message)


@require_POST
@perm_required("followup.change_milestone")
def milestone_done(request: HttpRequest, milestone_id: int) -> HttpResponse:
    """Mark a milestone done on a date (today by default)."""
    return _milestone_form_action(
        request,
        milestone_id,
        ActualForm,
        lambda d: {"actual_date": d["actual_date"]},
        _("%(order)s %(code)s done."),
    )


@require_POST
@perm_required("followup.change_milestone")
def milestone_forecast(request: HttpRequest, milestone_id: int) -> HttpResponse:
    """Record a forecast (a promise) with a note."""
    return _milestone_form_action(
        request,
        milestone_id,
        ForecastForm,
        lambda d: {"forecast_date": d["forecast_date"], "note": d["note"]},
        _("Forecast of %(order)s %(code)s recorded."),
    )


@require_POST
@perm_required("followup.change_milestone")
def milestone_edit(request: HttpRequest, milestone_id: int) -> HttpResponse:
    """Move a milestone, give it another owner or other predecessors (plan rights)."""
    milestone = _milestone(milestone_id)
    form = MilestoneEditForm(request.POST)

    def action() -> None:
        if not form.is_valid():
            raise _form_error(form)
        data = {k: v for k, v in form.cleaned_data.items() if k in request.POST and k != "version"}
        services.update_milestone(
            milestone=milestone, by=request.user, data=data, version=form.cleaned_data.get("version")
        )

    return _run(
        request,
        milestone.order_id,
        action,
        _("Milestone %(code)s changed.") % {"code": milestone.code},
    )


@require_POST
@perm_required("followup.change_milestone")
def milestone_remove(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = _milestone(milestone_id)
    return _run(
        request,
        milestone.order_id,
        lambda: services.remove_milestone(milestone=milestone, by=request.user, reason=request.POST.get("reason", "")),
        _("Milestone %(code)s removed.") % {"code": milestone.code},
    )


@require_POST
@perm_required("followup.change_milestone")
def milestone_add(request: HttpRequest, order_id: int) -> HttpResponse:
    try:
        order = get_order(order_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    form = AddMilestoneForm(request.POST)

    def action() -> None:
        if not form.is_valid():
            raise _form_error(form)
        services.add_milestone(order=order, by=request.user, data=form.cleaned_data)

    return _run(request, order_id, action, _("Milestone added."))


@require_POST
@perm_required("followup.add_followup")
def follow_up_add(request: HttpRequest, order_id: int) -> HttpResponse:
    """Log a follow-up on an order (from the order page or a chase-list row)."""
    try:
        order = get_order(order_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    form = FollowUpForm(request.POST)

    def action() -> None:
        if not form.is_valid():
            raise _form_error(form)
        services.log_follow_up(order=order, by=request.user, data=form.cleaned_data)

    return _run(request, order_id, action, _("Follow-up of %(order)s logged.") % {"order": order.number})


# ---- the risk board -----------------------------------------------------------------------------------


@perm_required("followup.view_milestone")
def risk_board(request: HttpRequest) -> HttpResponse:
    """Orders at risk or late: filters, sorting, Excel export; managers reassign the driving milestone."""
    form = RiskFilterForm(request.GET or None)
    filters = cleaned_filters(form) if request.GET else {}
    sort = request.GET.get("sort", "probability")
    if sort.lstrip("-") not in {s.lstrip("-") for s in selectors.RISK_SORTS}:
        sort = "probability"
    qs = selectors.risk_board(
        risk=filters.get("risk") or "",
        merchandiser=filters.get("merchandiser") or "",
        customer_id=filters["customer"].pk if filters.get("customer") else None,
        driving_milestone=filters.get("driving_milestone") or "",
        q=filters.get("q") or "",
        include_on_hold=bool(filters.get("include_on_hold")),
        sort=sort,
    )
    if request.GET.get("export") == "xlsx":
        rows = selectors.risk_rows(qs, offset=0, limit=exports.MAX_ROWS)
        return xlsx_download(exports.RISK_COLUMNS, rows, title=_("Risk board"), stem="risk-board")
    page = paginate(request, qs.values_list("pk", flat=True))
    offset = (page.number - 1) * page.paginator.per_page
    rows = selectors.risk_rows(qs, offset=offset, limit=page.paginator.per_page)
    can_reassign = request.user.has_perm("sales.manage_all_orders") or request.user.has_perm("followup.manage_plans")
    return render(
        request,
        "followup/risk_board.html",
        {
            "rows": rows,
            "page": page,
            "filter_form": form,
            "sort": sort,
            "query": querystring_without(request, "page"),
            "sort_query": querystring_without(request, "sort", "page"),
            "can_reassign": can_reassign,
            "users": list(User.objects.filter(is_active=True).order_by("username")) if can_reassign else [],
            "threshold": selectors.risk_threshold(),
            "today": clock.today(),
            "calendar_today_working": company_calendar().is_working_day(clock.today()),
        },
    )


@require_POST
@perm_required("followup.change_milestone")
def reassign(request: HttpRequest, milestone_id: int) -> HttpResponse:
    """The risk board's reassign: another owner for the driving milestone."""
    milestone = _milestone(milestone_id)
    try:
        services.reassign_owner(milestone=milestone, by=request.user, owner=request.POST.get("owner", ""))
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request,
            _("%(order)s %(code)s now belongs to %(user)s.")
            % {"order": milestone.order.number, "code": milestone.code, "user": request.POST.get("owner", "")},
        )
    return redirect(request.POST.get("next") or reverse("followup:risk_board"))


# ---- T&A templates ------------------------------------------------------------------------------------


@perm_required("followup.view_tatemplate")
def template_list(request: HttpRequest) -> HttpResponse:
    return render(request, "followup/template_list.html", {"templates": selectors.template_list()})


@perm_required("followup.view_tatemplate")
def template_detail(request: HttpRequest, template_id: int) -> HttpResponse:
    try:
        template = selectors.get_template(template_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(
        request,
        "followup/template_detail.html",
        {"template": template, "changes": audit.history_for(template)},
    )


def _template_form_page(request: HttpRequest, template: Any = None) -> HttpResponse:
    if request.method == "POST":
        form = TemplateForm(request.POST)
        formset = TemplateMilestoneFormSet(request.POST, prefix="m")
        if form.is_valid() and formset.is_valid():
            items = [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
            data = {**form.cleaned_data, "customers": list(form.cleaned_data["customers"])}
            try:
                saved = services.save_template(by=request.user, data=data, milestones=items, template=template)
            except PermissionDenied as exc:
                raise DjangoPermissionDenied(exc.message) from exc
            except GendanError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("Template %(code)s saved.") % {"code": saved.code})
                return redirect("followup:template", template_id=saved.pk)
    elif template is not None:
        form = TemplateForm(
            initial={
                "code": template.code,
                "name": template.name,
                "is_default": template.is_default,
                "is_active": template.is_active,
                "customers": list(template.customers.all()),
                "product_categories": ", ".join(template.product_categories),
                "version": template.version,
            }
        )
        formset = TemplateMilestoneFormSet(
            prefix="m",
            initial=[
                {
                    "code": m.code,
                    "name_zh": m.name_zh,
                    "name_en": m.name_en,
                    "owner_role": m.owner_role,
                    "offset_days": m.offset_days,
                    "depends_on": ", ".join(
                        f"{d['code']}+{d['lag']}" if d.get("lag") else d["code"] for d in m.depends_on
                    ),
                    "is_ex_factory": m.is_ex_factory,
                    "done_on_confirm": m.done_on_confirm,
                }
                for m in template.milestones.all()
            ],
        )
    else:
        form = TemplateForm()
        formset = TemplateMilestoneFormSet(prefix="m")
    return render(request, "followup/template_form.html", {"form": form, "formset": formset, "template": template})


@perm_required("followup.add_tatemplate")
def template_add(request: HttpRequest) -> HttpResponse:
    return _template_form_page(request)


@perm_required("followup.change_tatemplate")
def template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    try:
        template = selectors.get_template(template_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return _template_form_page(request, template)
