"""Customer relations pages: the visit list, the plan form, a visit's page (preparation checklist ticked in place,
minutes, follow-up actions) and its printable plan; the survey rounds, a round's recipients and links, its results
(tables, charts, Excel), the templates, the follow-ups of low scores; and the page a customer's contact answers
through its link, without an account."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from gendan.catalog.models import Product
from gendan.core import audit, clock, links
from gendan.core.excel import Column, xlsx_download
from gendan.core.exceptions import GendanError, NotFound, ValidationError
from gendan.core.models import User
from gendan.core.pages import cleaned_filters, error_text, htmx_partial, list_page, perm_required
from gendan.partners.choices import CustomerTier, SupplierKind
from gendan.partners.models import Contact, Customer, Supplier
from gendan.relations import charts, selectors, services
from gendan.relations.choices import (
    BEFORE_STATUSES,
    MINUTES_STATUSES,
    RECIPIENT_STATE_COLORS,
    ROUND_STATUS_COLORS,
    SCORE_LABELS,
    SCORES,
    STATUS_FLOW,
    VISIT_STATUS_COLORS,
    VISIT_TRANSITIONS,
    QuestionCategory,
    QuestionKind,
    RecipientState,
    RoundStatus,
    TaskKind,
    TaskPhase,
    VisitPurpose,
    VisitStatus,
)
from gendan.relations.forms import ResultsFilterForm, RoundFilterForm, VisitFilterForm
from gendan.relations.models import SurveyRound, SurveyTemplate, Visit, VisitTask

VISITOR_ROWS = 3  # blank rows under the ones given
AGENDA_ROWS = 4
SITE_ROWS = 2
TASK_ROWS = 3
QUESTION_ROWS = 3
VISIT_FORM_FIELDS = (
    "title",
    "purpose",
    "objectives",
    "arrival_date",
    "departure_date",
    "host",
    "hotel",
    "hotel_note",
    "pickup_date",
    "pickup_time",
    "pickup_place",
    "pickup_driver",
    "pickup_car",
    "notes",
)
VISIT_COLUMNS = [
    Column("number", "来访编号", "Number", width=16),
    Column("customer", "客户", "Customer", lambda v: v.customer.code, width=12),
    Column("title", "主题", "Title", width=30),
    Column("purpose", "目的", "Purpose", lambda v: v.get_purpose_display(), width=18),
    Column("arrival_date", "到达", "Arrival", width=12),
    Column("departure_date", "离开", "Departure", width=12),
    Column("host", "接待负责人", "Host", lambda v: v.host.username, width=12),
    Column("hotel", "酒店", "Hotel", width=24),
    Column("status", "状态", "Status", lambda v: v.get_status_display(), width=12),
    Column("open_prep", "未完成准备", "Open preparation", width=12),
    Column("open_actions", "未完成跟进", "Open actions", width=12),
]
ACTION_LABELS = {
    "confirm": (gettext_lazy("Confirm"), "btn-primary", False),
    "start": (gettext_lazy("Visitors arrived"), "", False),
    "finish": (gettext_lazy("Visitors left"), "", False),
    "close": (pgettext_lazy("visit action", "Close"), "btn-success", False),
    "cancel": (gettext_lazy("Cancel the visit"), "btn-danger", True),
}


def _errors(exc: GendanError) -> dict[str, str]:
    if isinstance(exc, ValidationError):
        return {k: v[0] for k, v in exc.errors.items()}
    return {"__all__": exc.message}


def _error_lines(errors: dict[str, str]) -> list[str]:
    """A form's errors as lines, a row's errors named by the row ("Visitor 2: …")."""
    rows = {
        "visitors": _("Visitor"),
        "agenda": _("Agenda item"),
        "sites": _("Factory"),
        "tasks": _("Preparation"),
        "questions": _("Question"),
    }
    lines = []
    for key, message in errors.items():
        parts = key.split(".")
        if len(parts) >= 2 and parts[1].isdigit() and parts[0] in rows:
            lines.append(f"{rows[parts[0]]} {parts[1]}: {message}")
        else:
            lines.append(message)
    return lines


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if hasattr(value, "strftime") and not hasattr(value, "year"):
        return value.strftime("%H:%M")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _visit(visit_id: int) -> Visit:
    try:
        return selectors.get_visit(visit_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _round(round_id: int) -> SurveyRound:
    try:
        return selectors.get_round(round_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _active_users() -> Any:
    return User.objects.filter(is_active=True).order_by("username")


# ==== visits ======================================================================================================


@perm_required("relations.view_visit")
def visit_list(request: HttpRequest) -> HttpResponse:
    form = VisitFilterForm(request.GET or None)
    f = cleaned_filters(form)
    qs = selectors.visit_list(
        q=f.get("q") or "",
        status=f.get("status") or "",
        customer_id=f["customer"].pk if f.get("customer") else None,
        host=f["host"].pk if f.get("host") else None,
        when=f.get("when") or "",
    )
    if request.GET.get("format") == "xlsx":
        return xlsx_download(VISIT_COLUMNS, qs, title=_("Customer visits"), stem="visits")
    return list_page(
        request,
        "relations/visit_list.html",
        filter_form=form,
        qs=qs,
        colors=VISIT_STATUS_COLORS,
        today=clock.today(),
    )


def _rows(post: Any, prefix: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """The numbered rows of a form (`visitor-name-1`, `visitor-name-2`, …) as dicts, in order."""
    numbers = sorted(
        {int(key.rsplit("-", 1)[1]) for key in post if key.startswith(f"{prefix}-") and key.rsplit("-", 1)[1].isdigit()}
    )
    return [{field: post.get(f"{prefix}-{field}-{n}", "") for field in fields} for n in numbers]


VISITOR_FIELDS = ("contact_id", "name", "title", "note")
AGENDA_FIELDS = ("date", "start_time", "end_time", "topic", "place", "people")
SITE_FIELDS = ("supplier_id", "name", "date", "note")
TASK_FORM_FIELDS = ("kind", "product_id", "description", "owner", "due_date")


def _visit_data(post: Any, *, with_tasks: bool) -> dict[str, Any]:
    data: dict[str, Any] = {k: post.get(k, "") for k in VISIT_FORM_FIELDS}
    data["visitors"] = _rows(post, "visitor", VISITOR_FIELDS)
    data["agenda"] = _rows(post, "agenda", AGENDA_FIELDS)
    data["sites"] = _rows(post, "site", SITE_FIELDS)
    if with_tasks:
        data["tasks"] = [
            row for row in _rows(post, "task", TASK_FORM_FIELDS) if row["description"].strip() or row["product_id"]
        ]
    return data


def _pad(rows: list[dict[str, Any]], fields: tuple[str, ...], blank: int) -> list[dict[str, Any]]:
    return [*rows, *({f: "" for f in fields} for _ in range(blank))]


def _visit_form(
    request: HttpRequest, *, customer: Customer, visit: Visit | None, values: dict[str, Any], errors: dict[str, str]
) -> HttpResponse:
    return render(
        request,
        "relations/visit_form.html",
        {
            "customer": customer,
            "visit": visit,
            "values": values,
            "errors": errors,
            "error_lines": _error_lines(errors),
            "visitors": _pad(values.get("visitors") or [], VISITOR_FIELDS, VISITOR_ROWS),
            "agenda": _pad(values.get("agenda") or [], AGENDA_FIELDS, AGENDA_ROWS),
            "sites": _pad(values.get("sites") or [], SITE_FIELDS, SITE_ROWS),
            "tasks": _pad(values.get("tasks") or [], TASK_FORM_FIELDS, TASK_ROWS) if visit is None else [],
            "contacts": Contact.objects.filter(customer=customer).order_by("-is_primary", "name"),
            "factories": Supplier.objects.filter(kind=SupplierKind.SUBCONTRACT, is_active=True).order_by("code"),
            "products": Product.objects.filter(is_active=True).order_by("code"),
            "users": _active_users(),
            "purposes": VisitPurpose.choices,
            "task_kinds": TaskKind.choices,
        },
    )


@perm_required("relations.add_visit")
def visit_add(request: HttpRequest) -> HttpResponse:
    """Plan a visit: first the customer, then the plan (visitors among its contacts, agenda, factories, hotel and
    pick-up, the preparation tasks)."""
    customer_id = request.POST.get("customer_id") or request.GET.get("customer") or ""
    customer = Customer.objects.filter(pk=customer_id).first() if str(customer_id).isdigit() else None
    if customer is None:
        return render(
            request,
            "relations/visit_customer.html",
            {"customers": Customer.objects.filter(is_active=True).order_by("code")},
        )
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = _visit_data(request.POST, with_tasks=True)
        data["customer_id"] = customer.pk
        try:
            visit = services.create_visit(by=request.user, data=data)
        except GendanError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("%(number)s is planned.") % {"number": visit.number})
            return redirect("relations:visit", visit_id=visit.pk)
        values = data
    else:
        contacts = list(Contact.objects.filter(customer=customer).order_by("-is_primary", "name")[:1])
        values = {
            "purpose": VisitPurpose.BUSINESS,
            "host": customer.merchandiser.username if customer.merchandiser_id else request.user.username,
            "visitors": [{"contact_id": str(c.pk), "name": c.name, "title": c.title, "note": ""} for c in contacts],
        }
    return _visit_form(request, customer=customer, visit=None, values=values, errors=errors)


@perm_required("relations.change_visit")
def visit_edit(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = _visit(visit_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = _visit_data(request.POST, with_tasks=False)
        try:
            services.update_visit(visit=visit, by=request.user, data=data, version=request.POST.get("version"))
        except GendanError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("relations:visit", visit_id=visit.pk)
        values = data
    else:
        values = {key: _plain(getattr(visit, key)) for key in VISIT_FORM_FIELDS if key != "host"}
        values["host"] = visit.host.username
        values["visitors"] = [
            {"contact_id": str(v.contact_id or ""), "name": v.name, "title": v.title, "note": v.note}
            for v in visit.visitors.all()
        ]
        values["agenda"] = [{f: _plain(getattr(a, f)) for f in AGENDA_FIELDS} for a in visit.agenda.all()]
        values["sites"] = [
            {"supplier_id": str(s.supplier_id or ""), "name": s.name, "date": _plain(s.date), "note": s.note}
            for s in visit.sites.all()
        ]
    return _visit_form(request, customer=visit.customer, visit=visit, values=values, errors=errors)


def _visit_context(request: HttpRequest, visit: Visit) -> dict[str, Any]:
    user = request.user
    can_change = user.has_perm("relations.change_visit")
    tasks = selectors.tasks_of(visit)
    actions = [
        {"action": action, "label": label, "style": style, "needs_reason": reason}
        for action, (label, style, reason) in ACTION_LABELS.items()
        if visit.status in VISIT_TRANSITIONS[action][0]
    ]
    flow_at = STATUS_FLOW.index(visit.status) if visit.status in STATUS_FLOW else -1
    days: dict = {}
    for item in visit.agenda.all():
        days.setdefault(item.date, []).append(item)
    return {
        "visit": visit,
        "colors": VISIT_STATUS_COLORS,
        "prep": tasks[TaskPhase.PREPARATION],
        "follow": tasks[TaskPhase.FOLLOW_UP],
        "days": sorted(days.items()),
        "can_change": can_change,
        "actions": actions if can_change else [],
        "flow": [(s.label, i < flow_at, i == flow_at) for i, s in enumerate(STATUS_FLOW)],
        "can_prepare": can_change and visit.status in BEFORE_STATUSES,
        "can_minute": can_change and visit.status in MINUTES_STATUSES,
        "can_tick": visit.status not in (VisitStatus.CLOSED, VisitStatus.CANCELLED),
        "users": _active_users(),
        "products": Product.objects.filter(is_active=True).order_by("code"),
        "task_kinds": TaskKind.choices,
        "today": clock.today(),
        "prep_due": services.prep_due_default(visit.arrival_date),
        "action_due": services.action_due_default(visit),
        "history": audit.history_for(visit, limit=60),
    }


@perm_required("relations.view_visit")
def visit_detail(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = _visit(visit_id)
    return render(request, "relations/visit_detail.html", _visit_context(request, visit))


@require_POST
@perm_required("relations.change_visit")
def visit_action(request: HttpRequest, visit_id: int, action: str) -> HttpResponse:
    visit = _visit(visit_id)
    if action not in VISIT_TRANSITIONS:
        raise Http404
    try:
        visit = services.transition(visit=visit, action=action, by=request.user, reason=request.POST.get("reason", ""))
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request, _("%(number)s: %(status)s.") % {"number": visit.number, "status": visit.get_status_display()}
        )
    return redirect("relations:visit", visit_id=visit_id)


@require_POST
@perm_required("relations.change_visit")
def visit_minutes(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = _visit(visit_id)
    data = {k: request.POST.get(k, "") for k in services.MINUTES_FIELDS}
    try:
        services.record_minutes(visit=visit, by=request.user, data=data, version=request.POST.get("version"))
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The minutes are saved."))
    return redirect(reverse("relations:visit", args=[visit_id]) + "#minutes")


@require_POST
@perm_required("relations.change_visit")
def task_add(request: HttpRequest, visit_id: int, phase: str) -> HttpResponse:
    visit = _visit(visit_id)
    if phase not in TaskPhase.values:
        raise Http404
    data = {k: request.POST.get(k, "") for k in (*TASK_FORM_FIELDS, "note")}
    if phase == TaskPhase.FOLLOW_UP:
        data.pop("kind")
    try:
        task = services.add_task(visit=visit, by=request.user, phase=phase, data=data)
    except GendanError as exc:
        messages.error(request, error_text(exc))
        anchor = "preparation" if phase == TaskPhase.PREPARATION else "actions"
    else:
        messages.success(
            request,
            _("%(task)s: %(owner)s, due %(due)s.")
            % {"task": task.description, "owner": task.owner.username, "due": task.due_date.isoformat()},
        )
        anchor = f"task-{task.pk}"
    return redirect(reverse("relations:visit", args=[visit_id]) + f"#{anchor}")


def _task(visit_id: int, task_id: int) -> VisitTask:
    try:
        return selectors.get_task(visit_id, task_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@require_POST
@perm_required("relations.view_visit")
def task_toggle(request: HttpRequest, visit_id: int, task_id: int) -> HttpResponse:
    """Tick a task done (or open it again): the row again for htmx, else back to the visit."""
    task = _task(visit_id, task_id)
    error = ""
    try:
        task = services.set_task_done(
            task=task, by=request.user, done=request.POST.get("done") == "1", version=request.POST.get("version")
        )
    except GendanError as exc:
        error = error_text(exc)
    if htmx_partial(request):
        task = _task(visit_id, task_id)
        task.is_late = task.done_date is None and task.due_date < clock.today()
        return render(
            request,
            "relations/partials/_task_row.html",
            {
                "t": task,
                "visit": task.visit,
                "can_tick": True,
                "can_change": request.user.has_perm("relations.change_visit"),
                "users": _active_users(),
                "error": error,
                "today": clock.today(),
            },
        )
    if error:
        messages.error(request, error)
    return redirect(reverse("relations:visit", args=[visit_id]) + f"#task-{task_id}")


@require_POST
@perm_required("relations.view_visit")
def task_update(request: HttpRequest, visit_id: int, task_id: int) -> HttpResponse:
    """Give a task another owner or due date, or a note."""
    task = _task(visit_id, task_id)
    data = {k: request.POST[k] for k in ("owner", "due_date", "note", "description") if k in request.POST}
    try:
        services.update_task(task=task, by=request.user, data=data, version=request.POST.get("version"))
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect(reverse("relations:visit", args=[visit_id]) + f"#task-{task_id}")


@require_POST
@perm_required("relations.change_visit")
def task_remove(request: HttpRequest, visit_id: int, task_id: int) -> HttpResponse:
    task = _task(visit_id, task_id)
    anchor = "preparation" if task.phase == TaskPhase.PREPARATION else "actions"
    try:
        services.remove_task(task=task, by=request.user)
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The task is removed."))
    return redirect(reverse("relations:visit", args=[visit_id]) + f"#{anchor}")


@perm_required("relations.view_visit")
def visit_plan(request: HttpRequest, visit_id: int) -> HttpResponse:
    from gendan.relations.documents import plan_pdf

    visit = _visit(visit_id)
    language = request.GET.get("language") or translation.get_language() or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    response = HttpResponse(plan_pdf(visit, language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{visit.number}.pdf"'
    return response


# ==== survey rounds ===============================================================================================


@perm_required("relations.view_surveyround")
def round_list(request: HttpRequest) -> HttpResponse:
    form = RoundFilterForm(request.GET or None)
    f = cleaned_filters(form)
    qs = selectors.round_list(q=f.get("q") or "", status=f.get("status") or "")
    return list_page(
        request,
        "relations/round_list.html",
        filter_form=form,
        qs=qs,
        colors=ROUND_STATUS_COLORS,
        open_follow_ups=selectors.follow_up_list().count(),
    )


def _selection(post: Any) -> dict[str, Any]:
    return {
        "all_active": post.get("all_active") == "on",
        "tiers": [t for t in post.getlist("tiers") if t],
        "merchandiser": post.get("merchandiser", ""),
        "customer_ids": [c for c in post.getlist("customer_ids") if c],
        "contact_ids": [c for c in post.getlist("contact_ids") if c],
        "primary_only": post.get("every_contact") != "on",
    }


def _selection_context() -> dict[str, Any]:
    return {
        "tiers": CustomerTier.choices,
        "merchandisers": User.objects.filter(customers__is_active=True).distinct().order_by("username"),
        "customers": Customer.objects.filter(is_active=True).order_by("code"),
        "contacts": Contact.objects.filter(customer__is_active=True)
        .select_related("customer")
        .order_by("customer__code", "-is_primary", "name"),
    }


@perm_required("relations.add_surveyround")
def round_add(request: HttpRequest) -> HttpResponse:
    """A new round: the template, the period, the closing date and who is asked."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = {
            k: request.POST.get(k, "")
            for k in ("template_id", "title", "period_start", "period_end", "closes_on", "notes")
        }
        selection = _selection(request.POST)
        try:
            if not any(v for k, v in selection.items() if k != "primary_only"):
                raise ValidationError({"contact_ids": _("Choose who is asked: a tier, a merchandiser, customers…")})
            round_ = services.create_round(by=request.user, data={**data, **selection})
        except GendanError as exc:
            errors = _errors(exc)
        else:
            messages.success(
                request,
                _("%(number)s is ready with %(n)s recipients: check them, then send.")
                % {"number": round_.number, "n": round_.invitations.count()},
            )
            return redirect("relations:survey", round_id=round_.pk)
        values: dict[str, Any] = {**data, **selection}
    else:
        today = clock.today()
        start = today.replace(month=1, day=1) if today.month > 6 else today.replace(year=today.year - 1, month=7, day=1)
        end = (
            today.replace(month=6, day=30) if today.month > 6 else today.replace(year=today.year - 1, month=12, day=31)
        )
        template = SurveyTemplate.objects.filter(pk=request.GET.get("template") or 0, is_current=True).first()
        values = {
            "template_id": str(template.pk) if template else "",
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "closes_on": (today + dt.timedelta(days=services.DEFAULT_ROUND_DAYS)).isoformat(),
            "all_active": False,
            "tiers": [],
            "primary_only": True,
        }
    return render(
        request,
        "relations/round_form.html",
        {
            "values": values,
            "errors": errors,
            "error_lines": _error_lines(errors),
            "round": None,
            "templates": selectors.template_list().filter(question_count__gt=0),
            **_selection_context(),
        },
    )


@perm_required("relations.change_surveyround")
def round_edit(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = _round(round_id)
    errors: dict[str, str] = {}
    fields = ("title", "period_start", "period_end", "closes_on", "notes")
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in fields}
        try:
            services.update_round(round_=round_, by=request.user, data=data, version=request.POST.get("version"))
        except GendanError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("relations:survey", round_id=round_id)
        values: dict[str, Any] = data
    else:
        values = {k: _plain(getattr(round_, k)) for k in fields}
    return render(
        request,
        "relations/round_form.html",
        {"values": values, "errors": errors, "error_lines": _error_lines(errors), "round": round_},
    )


@perm_required("relations.view_surveyround")
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = _round(round_id)
    invitations = selectors.invitations_of(round_)
    for invitation in invitations:
        invitation.url = (
            request.build_absolute_uri(reverse("relations:survey_answer", args=[invitation.token]))
            if (invitation.token)
            else ""
        )
    can_change = request.user.has_perm("relations.change_surveyround")
    counts = {state: 0 for state in RecipientState.values}
    for invitation in invitations:
        counts[invitation.state] += 1
    return render(
        request,
        "relations/round_detail.html",
        {
            "round": round_,
            "invitations": invitations,
            "counts": counts,
            "state_colors": RECIPIENT_STATE_COLORS,
            "colors": ROUND_STATUS_COLORS,
            "can_change": can_change,
            "to_send": counts[RecipientState.NOT_SENT],
            "waiting": counts[RecipientState.WAITING],
            "rate": selectors.rate_of(round_.answered, round_.sent),
            "history": audit.history_for(round_, limit=40),
            **(_selection_context() if can_change and round_.status != RoundStatus.CLOSED else {}),
        },
    )


def _run(request: HttpRequest, action: Any, done: Any) -> None:
    try:
        result = action()
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, done(result))


@require_POST
@perm_required("relations.change_surveyround")
def round_recipients(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = _round(round_id)
    _run(
        request,
        lambda: services.add_recipients(round_=round_, by=request.user, **_selection(request.POST)),
        lambda added: _("%(n)s recipients added.") % {"n": len(added)},
    )
    return redirect(reverse("relations:survey", args=[round_id]) + "#recipients")


@require_POST
@perm_required("relations.change_surveyround")
def round_send(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = _round(round_id)
    _run(
        request,
        lambda: services.send_round(round_=round_, by=request.user),
        lambda n: _("Sent to %(n)s contacts. Those without an e-mail address get their link from you.") % {"n": n},
    )
    return redirect("relations:survey", round_id=round_id)


@require_POST
@perm_required("relations.change_surveyround")
def round_remind(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = _round(round_id)
    _run(
        request,
        lambda: services.remind(round_=round_, by=request.user),
        lambda n: (
            _("%(n)s contacts reminded.") % {"n": n}
            if n
            else _("Nobody to remind: everyone with an e-mail address answered.")
        ),
    )
    return redirect("relations:survey", round_id=round_id)


@require_POST
@perm_required("relations.change_surveyround")
def round_close(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = _round(round_id)
    _run(
        request,
        lambda: services.close_round(round_=round_, by=request.user),
        lambda r: _("%(number)s is closed: the links no longer work.") % {"number": r.number},
    )
    return redirect("relations:survey", round_id=round_id)


@require_POST
@perm_required("relations.change_surveyround")
def recipient_action(request: HttpRequest, round_id: int, invitation_id: int, action: str) -> HttpResponse:
    try:
        invitation = selectors.get_invitation(round_id, invitation_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    name = invitation.contact_name
    if action == "withdraw":
        _run(
            request,
            lambda: services.withdraw_link(invitation=invitation, by=request.user),
            lambda _n: _("%(name)s's link is withdrawn.") % {"name": name},
        )
    elif action == "renew":
        _run(
            request,
            lambda: services.renew_link(invitation=invitation, by=request.user, send=bool(invitation.email)),
            lambda _t: _("%(name)s has a new link.") % {"name": name},
        )
    elif action == "remind":
        _run(
            request,
            lambda: services.remind(round_=invitation.round, by=request.user, invitation_ids=[invitation.pk]),
            lambda n: (
                _("%(name)s is reminded.") % {"name": name}
                if n
                else _("%(name)s cannot be reminded: no working link or e-mail.") % {"name": name}
            ),
        )
    elif action == "remove":
        _run(
            request,
            lambda: services.remove_recipient(invitation=invitation, by=request.user),
            lambda _r: _("%(name)s is taken off the round.") % {"name": name},
        )
    else:
        raise Http404
    return redirect(reverse("relations:survey", args=[round_id]) + "#recipients")


@perm_required("relations.view_surveyround")
def round_results(request: HttpRequest, round_id: int) -> HttpResponse:
    """The analysis of a round, filtered by tier or merchandiser: tables, charts and the Excel exports."""
    from gendan.relations.exports import responses_xlsx, results_xlsx

    round_ = _round(round_id)
    form = ResultsFilterForm(request.GET or None)
    f = cleaned_filters(form)
    merchandiser = f.get("merchandiser")
    results = selectors.round_results(
        round_, tier=f.get("tier") or "", merchandiser_id=merchandiser.pk if merchandiser else None
    )
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        return results_xlsx(results)
    if fmt == "responses":
        return responses_xlsx(round_)
    language = translation.get_language() or settings.LANGUAGE_CODE
    return render(
        request,
        "relations/round_results.html",
        {
            "round": round_,
            "results": results,
            "filter_form": form,
            "export_qs": request.GET.urlencode(),
            "language": language,
            "charts": charts.results_charts(results, language),
            "period_rows": [
                (g, [g.question_mean(r.question.key) for r in results.score_questions]) for g in results.history
            ],
            "score_labels": [(s, SCORE_LABELS[s]) for s in SCORES],
            "follow_ups": selectors.follow_up_list(open_only=False).filter(invitation__round=round_),
        },
    )


# ==== survey templates ============================================================================================


@perm_required("relations.view_surveytemplate")
def template_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "relations/template_list.html",
        {
            "templates": selectors.template_list(current_only=request.GET.get("all") != "1"),
            "all": request.GET.get("all") == "1",
        },
    )


@perm_required("relations.view_surveytemplate")
def template_detail(request: HttpRequest, template_id: int) -> HttpResponse:
    try:
        template = selectors.get_template(template_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(
        request,
        "relations/template_detail.html",
        {
            "template": template,
            "questions": list(template.questions.all()),
            "revisions": selectors.revisions_of(template),
            "rounds": selectors.round_list().filter(template=template),
            "used": template.rounds.exists(),
            "history": audit.history_for(template, limit=30),
        },
    )


QUESTION_FIELDS = ("key", "text_zh", "text_en", "kind", "category", "required")


def _questions(post: Any) -> list[dict[str, Any]]:
    rows = _rows(post, "q", QUESTION_FIELDS)
    for row in rows:
        row["required"] = row["required"] == "on"
    return rows


def _template_form(
    request: HttpRequest, template: SurveyTemplate | None, values: dict[str, Any], errors: dict[str, str]
) -> HttpResponse:
    questions = values.get("questions") or []
    blank = {"key": "", "text_zh": "", "text_en": "", "kind": QuestionKind.SCORE, "category": "", "required": True}
    return render(
        request,
        "relations/template_form.html",
        {
            "template": template,
            "values": values,
            "errors": errors,
            "error_lines": _error_lines(errors),
            "questions": [*questions, *(dict(blank) for _ in range(QUESTION_ROWS))],
            "kinds": QuestionKind.choices,
            "categories": QuestionCategory.choices,
            "used": template is not None and template.rounds.exists(),
        },
    )


@perm_required("relations.add_surveytemplate")
def template_add(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"questions": []}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("code", "name", "name_en", "intro_zh", "intro_en")}
        values["questions"] = _questions(request.POST)
        try:
            template = services.create_template(by=request.user, data=values)
        except GendanError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("%(code)s is saved.") % {"code": template.code})
            return redirect("relations:template", template_id=template.pk)
    return _template_form(request, None, values, errors)


@perm_required("relations.change_surveytemplate")
def template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    try:
        template = selectors.get_template(template_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    errors: dict[str, str] = {}
    if request.method == "POST":
        values: dict[str, Any] = {k: request.POST.get(k, "") for k in ("name", "name_en", "intro_zh", "intro_en")}
        values["questions"] = _questions(request.POST)
        try:
            saved = services.update_template(
                template=template, by=request.user, data=values, version=request.POST.get("version")
            )
        except GendanError as exc:
            errors = _errors(exc)
        else:
            if saved.pk != template.pk:
                messages.success(
                    request,
                    _("Revision %(r)s of %(code)s is saved; revision %(old)s stays as its rounds used it.")
                    % {"r": saved.revision, "code": saved.code, "old": template.revision},
                )
            else:
                messages.success(request, _("Saved."))
            return redirect("relations:template", template_id=saved.pk)
    else:
        values = {k: getattr(template, k) for k in ("code", "name", "name_en", "intro_zh", "intro_en")}
        values["questions"] = [{f: getattr(q, f) for f in QUESTION_FIELDS} for q in template.questions.all()]
    values["code"] = template.code
    return _template_form(request, template, values, errors)


# ==== follow-ups of low scores ====================================================================================


@perm_required("relations.view_surveyfollowup")
def follow_ups(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "mine" if not request.user.has_perm("relations.change_surveyfollowup") else "open")
    qs = selectors.follow_up_list(open_only=show != "all")
    if show == "mine":
        qs = qs.filter(owner=request.user)
    return render(
        request,
        "relations/follow_ups.html",
        {"follow_ups": qs[:200], "show": show, "today": clock.today()},
    )


@require_POST
@perm_required("relations.view_surveyfollowup")
def follow_up_done(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    try:
        follow_up = selectors.get_follow_up(follow_up_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    _run(
        request,
        lambda: services.close_follow_up(
            follow_up=follow_up,
            by=request.user,
            note=request.POST.get("note", ""),
            version=request.POST.get("version"),
        ),
        lambda f: _("The follow-up of %(customer)s is closed.") % {"customer": f.invitation.customer.code},
    )
    return redirect(reverse("relations:follow_ups") + f"?show={request.POST.get('show', 'open')}#fu-{follow_up_id}")


# ==== the contact's page (no account: the signed link is the key) ================================================


def _survey_language(request: HttpRequest, invitation: Any) -> str:
    wanted = request.GET.get("lang") or request.POST.get("lang") or ""
    if wanted in dict(settings.LANGUAGES):
        return wanted
    return invitation.language if invitation.language in dict(settings.LANGUAGES) else "en"


def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    """What a customer's contact sees through its link: the questions in its language (a switch to the other), the
    scores 1–5 and the free texts. Answered once; an expired or withdrawn link says so."""

    try:
        invitation, link = services.invitation_for_token(token)
    except links.LinkInvalid:
        # whose link it was is unknown: say why in both languages
        said = []
        for language in ("zh-hans", "en"):
            with translation.override(language):
                try:
                    services.invitation_for_token(token)
                except links.LinkInvalid as exc:
                    said.append((language, _("Link not valid"), exc.message))
        return render(request, "relations/survey_invalid.html", {"said": said}, status=410)
    language = _survey_language(request, invitation)
    with translation.override(language):
        request.LANGUAGE_CODE = language
        return _survey_page(request, token, invitation, link, language)


def _survey_page(request: HttpRequest, token: str, invitation: Any, link: Any, language: str) -> HttpResponse:
    from gendan.core.documents import company_name

    round_ = invitation.round
    template = round_.template
    questions = list(template.questions.order_by("position", "pk"))
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if request.method == "POST" and invitation.answered_at is None:
        values = {q.key: request.POST.get(f"q-{q.key}", "") for q in questions}
        try:
            services.submit_answers(
                invitation=invitation, link=link, answers=values, comment=request.POST.get("comment", "")
            )
        except ValidationError as exc:
            errors = {k: v[0] for k, v in exc.errors.items()}
        except GendanError as exc:
            errors = {"__all__": exc.message}
        else:
            return redirect(reverse("relations:survey_answer", args=[token]) + f"?lang={language}")
        values["comment"] = request.POST.get("comment", "")
    for q in questions:
        q.shown = q.text(language)
        q.value = str(values.get(q.key, ""))
        q.error = errors.get(q.key, "")
    intro = (
        (template.intro_zh or template.intro_en)
        if language.startswith("zh")
        else (template.intro_en or template.intro_zh)
    )
    response = render(
        request,
        "relations/survey_answer.html",
        {
            "invitation": invitation,
            "round": round_,
            "template_name": (template.name if language.startswith("zh") else (template.name_en or template.name)),
            "intro": intro,
            "questions": questions,
            "errors": errors,
            "form_error": errors.get("__all__", ""),
            "values": values,
            "token": token,
            "link": link,
            "language": language,
            "other_language": "en" if language.startswith("zh") else "zh-hans",
            "scores": [(s, SCORE_LABELS[s]) for s in SCORES],
            "company": company_name(language),
            "answered": invitation.answered_at is not None,
            "closed": round_.status != RoundStatus.SENT,
        },
        status=422 if errors else 200,
    )
    response.headers["Content-Language"] = language
    return response


def relations_home(request: HttpRequest) -> HttpResponse:
    return redirect("relations:visit_list")
