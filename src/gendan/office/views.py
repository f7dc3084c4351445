"""The office's pages: my tasks (to me, by me, all), a task's page with its thread, the task form; notices (to me,
sent, all), the compose form, a notice's page with its read receipts and the suppliers' links; the daily summary;
and the supplier's page behind its notice link (no account)."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from gendan.core import audit, clock, links
from gendan.core.calendar import company_calendar
from gendan.core.excel import Column, xlsx_download
from gendan.core.exceptions import GendanError, NotFound, ValidationError
from gendan.core.pages import apply_errors, cleaned_filters, error_text, list_page, perm_required
from gendan.office import selectors, services, summary
from gendan.office.choices import (
    NOTICE_STATUS_COLORS,
    OPEN_TASK_STATUSES,
    PRIORITY_COLORS,
    TASK_STATUS_COLORS,
    NoticeKind,
    NoticeStatus,
    TaskStatus,
)
from gendan.office.forms import CommentForm, NoticeFilterForm, NoticeForm, RecipientsForm, TaskFilterForm, TaskForm
from gendan.office.models import Notice, Task
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order

TASK_COLUMNS = [
    Column("number", "编号", "Number", width=14),
    Column("title", "事项", "Title", width=36),
    Column("priority", "优先级", "Priority", lambda t: t.get_priority_display(), width=10),
    Column("status", "状态", "Status", lambda t: t.get_status_display(), width=10),
    Column("due_date", "完成期限", "Due", width=12, number_format="yyyy-mm-dd"),
    Column("assignee", "负责人", "Assignee", lambda t: t.assignee.username, width=12),
    Column("assigned_by", "交办人", "Assigned by", lambda t: t.assigned_by.username, width=12),
    Column("order", "订单号", "Order", lambda t: t.order.number if t.order_id else "", width=16),
    Column("customer", "客户", "Customer", lambda t: t.customer.code if t.customer_id else "", width=12),
    Column("completed", "完成时间", "Completed", lambda t: t.completed_at.date() if t.completed_at else None, width=12),
    Column("completion_note", "完成说明", "Completion note", width=40),
]
TASK_ERROR_FIELDS = {"order_id": "order", "customer_id": "customer"}


def _task(request: HttpRequest, task_id: int) -> Task:
    try:
        return selectors.get_task(task_id, request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _notice(request: HttpRequest, notice_id: int) -> Notice:
    try:
        return selectors.get_notice(notice_id, request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _put_errors(form: Any, exc: GendanError, rename: dict[str, str] | None = None) -> None:
    if isinstance(exc, ValidationError) and rename:
        exc = ValidationError({rename.get(k, k): v for k, v in exc.errors.items()})
    apply_errors(form, exc)


# ---- tasks -------------------------------------------------------------------------------------------------------


@perm_required("office.view_task")
def task_list(request: HttpRequest) -> HttpResponse:
    """My tasks: assigned to me (default), assigned by me, or all I may see; overdue first."""
    scope = request.GET.get("scope") or "to_me"
    if scope not in selectors.TASK_SCOPES:
        scope = "to_me"
    form = TaskFilterForm(request.GET or None)
    f = cleaned_filters(form)
    qs = selectors.task_list(
        viewer=request.user,
        scope=scope,
        status=f.get("status", "open") if form.is_bound else "open",
        priority=f.get("priority") or "",
        q=f.get("q") or "",
        assignee=f["assignee"].pk if f.get("assignee") else None,
        overdue=bool(f.get("overdue")),
    )
    if request.GET.get("format") == "xlsx":
        return xlsx_download(TASK_COLUMNS, qs, title=_("Assigned tasks"), stem="tasks")
    return list_page(
        request,
        "office/task_list.html",
        filter_form=form,
        qs=qs,
        scope=scope,
        counts=selectors.task_counts(request.user),
        today=clock.today(),
        status_colors=TASK_STATUS_COLORS,
        priority_colors=PRIORITY_COLORS,
        open_statuses=OPEN_TASK_STATUSES,
        can_see_all=services.can_manage_tasks(request.user),
        tab="tasks",
    )


def _open_orders() -> Any:
    return (
        Order.objects.exclude(status__in=(OrderStatus.CANCELLED, OrderStatus.CLOSED))
        .select_related("customer")
        .order_by("-order_date", "-id")[:300]
    )


def _task_data(form: TaskForm) -> dict[str, Any]:
    """The form's values as the service takes them (the order by its number)."""
    cd = form.cleaned_data
    number = (cd.get("order") or "").strip()
    order_id: Any = None
    if number:
        order = Order.objects.filter(number__iexact=number).only("pk").first()
        if order is None:
            raise ValidationError({"order": _("There is no order %(number)s.") % {"number": number}})
        order_id = order.pk
    return {
        "title": cd["title"],
        "description": cd.get("description") or "",
        "assignee": cd["assignee"],
        "due_date": cd["due_date"],
        "priority": cd["priority"],
        "order_id": order_id,
        "customer_id": cd["customer"].pk if cd.get("customer") else None,
    }


@perm_required("office.add_task")
def task_add(request: HttpRequest) -> HttpResponse:
    """Assign a task; from an order's page or a customer's file the order or customer is filled in."""
    if request.method == "POST":
        form = TaskForm(request.POST)
        if form.is_valid():
            try:
                task = services.create_task(by=request.user, data=_task_data(form))
            except GendanError as exc:
                _put_errors(form, exc, TASK_ERROR_FIELDS)
            else:
                messages.success(
                    request,
                    _("%(number)s is assigned to %(name)s.") % {"number": task.number, "name": task.assignee.username},
                )
                return redirect("office:task", task_id=task.pk)
    else:
        initial: dict[str, Any] = {"due_date": company_calendar().add(clock.today(), 2)}
        order = Order.objects.filter(pk=request.GET.get("order") or 0).select_related("customer").first()
        if order is not None:
            initial.update(order=order.number, customer=order.customer_id)
            if order.merchandiser_id != request.user.pk:
                initial["assignee"] = order.merchandiser_id
        elif str(request.GET.get("customer") or "").isdigit():
            initial["customer"] = int(request.GET["customer"])
        if str(request.GET.get("assignee") or "").isdigit():
            initial["assignee"] = int(request.GET["assignee"])
        form = TaskForm(initial=initial)
    return render(request, "office/task_form.html", {"form": form, "task": None, "orders": _open_orders()})


@perm_required("office.view_task")
def task_edit(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _task(request, task_id)
    if not services.can_direct_task(task, request.user):
        messages.error(request, _("Only the person who assigned %(number)s may change it.") % {"number": task.number})
        return redirect("office:task", task_id=task.pk)
    if request.method == "POST":
        form = TaskForm(request.POST)
        if form.is_valid():
            try:
                services.update_task(
                    task=task, by=request.user, data=_task_data(form), version=form.cleaned_data.get("version")
                )
            except GendanError as exc:
                _put_errors(form, exc, TASK_ERROR_FIELDS)
            else:
                messages.success(request, _("Saved."))
                return redirect("office:task", task_id=task.pk)
    else:
        form = TaskForm(
            initial={
                "title": task.title,
                "description": task.description,
                "assignee": task.assignee_id,
                "due_date": task.due_date,
                "priority": task.priority,
                "order": task.order.number if task.order_id else "",
                "customer": task.customer_id,
                "version": task.version,
            }
        )
    return render(request, "office/task_form.html", {"form": form, "task": task, "orders": _open_orders()})


def task_actions(task: Task, user: Any) -> list[dict[str, Any]]:
    """The buttons the viewer may press on the task, as the transition table allows from its status."""
    actions: list[dict[str, Any]] = []
    is_assignee = user.pk == task.assignee_id
    directs = services.can_direct_task(task, user)
    if is_assignee and task.status == TaskStatus.ASSIGNED:
        actions.append({"action": "accept", "label": pgettext("task", "Accept"), "style": "btn-primary"})
    if (is_assignee or services.can_manage_tasks(user)) and task.status in OPEN_TASK_STATUSES:
        actions.append(
            {
                "action": "complete",
                "label": _("Done"),
                "style": "btn-success",
                "needs_reason": True,
                "placeholder": pgettext("task", "What was done"),
            }
        )
    if is_assignee and task.status in OPEN_TASK_STATUSES:
        actions.append({"action": "decline", "label": _("Decline"), "style": "btn-danger", "needs_reason": True})
    if directs and task.status == TaskStatus.DONE:
        actions.append(
            {
                "action": "reopen",
                "label": _("Reopen"),
                "style": "",
                "needs_reason": True,
                "placeholder": _("What is still to do"),
            }
        )
    if directs and task.status in (TaskStatus.ASSIGNED, TaskStatus.ACCEPTED, TaskStatus.DECLINED):
        actions.append({"action": "cancel", "label": _("Cancel the task"), "style": "btn-danger", "needs_reason": True})
    return actions


FLOW = (TaskStatus.ASSIGNED, TaskStatus.ACCEPTED, TaskStatus.DONE)


@perm_required("office.view_task")
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _task(request, task_id)
    today = clock.today()
    flow_index = FLOW.index(task.status) if task.status in FLOW else -1
    return render(
        request,
        "office/task_detail.html",
        {
            "task": task,
            "comments": selectors.comments_of(task),
            "files": selectors.files_of(task),
            "comment_form": CommentForm(),
            "actions": task_actions(task, request.user),
            "can_edit": services.can_direct_task(task, request.user)
            and task.status in (TaskStatus.ASSIGNED, TaskStatus.ACCEPTED, TaskStatus.DECLINED),
            "is_overdue": task.status in OPEN_TASK_STATUSES and task.due_date < today,
            "days_late": company_calendar().between(task.due_date, today),
            "flow": [(s, s.label, i < flow_index, i == flow_index) for i, s in enumerate(FLOW)],
            "status_colors": TASK_STATUS_COLORS,
            "priority_colors": PRIORITY_COLORS,
            "history": audit.history_for(task, limit=50),
            "tab": "tasks",
        },
    )


@require_POST
@perm_required("office.view_task")
def task_action(request: HttpRequest, task_id: int, action: str) -> HttpResponse:
    task = _task(request, task_id)
    if action not in services.TASK_TRANSITIONS:
        raise Http404
    try:
        task = services.transition_task(
            task=task,
            action=action,
            by=request.user,
            comment=request.POST.get("reason", ""),
            version=request.POST.get("version") or None,
        )
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request, _("%(number)s: %(status)s.") % {"number": task.number, "status": task.get_status_display()}
        )
    return redirect("office:task", task_id=task.pk)


@require_POST
@perm_required("office.view_task")
def task_comment(request: HttpRequest, task_id: int) -> HttpResponse:
    """Add a comment to the thread; an htmx request gets the thread back."""
    task = _task(request, task_id)
    form = CommentForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.add_comment(task=task, by=request.user, body=form.cleaned_data["body"])
        except GendanError as exc:
            error = error_text(exc)
        else:
            form = CommentForm()
    else:
        error = "; ".join(e for errs in form.errors.values() for e in errs)
    if getattr(request, "htmx", False):
        return render(
            request,
            "office/partials/_comments.html",
            {"task": task, "comments": selectors.comments_of(task), "comment_form": form, "comment_error": error},
        )
    if error:
        messages.error(request, error)
    return redirect(reverse("office:task", args=[task.pk]) + "#comments")


@require_POST
@perm_required("office.view_task")
def task_attach(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _task(request, task_id)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError({"file": _("Choose a file.")})
        services.attach_to_task(task=task, by=request.user, upload=upload)
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The file is attached."))
    return redirect(reverse("office:task", args=[task.pk]) + "#files")


@perm_required("office.view_task")
def task_file(request: HttpRequest, task_id: int, attachment_id: int) -> HttpResponse:
    task = _task(request, task_id)
    found = next((a for a in selectors.files_of(task) if a.pk == attachment_id), None)
    if found is None:
        raise Http404
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name)


# ---- notices -----------------------------------------------------------------------------------------------------


@perm_required("office.view_notice")
def notice_list(request: HttpRequest) -> HttpResponse:
    """Notices to me (default; unread ones marked), sent by me, or all I may see."""
    box = request.GET.get("box") or "inbox"
    if box not in selectors.NOTICE_BOXES:
        box = "inbox"
    form = NoticeFilterForm(request.GET or None)
    f = cleaned_filters(form)
    qs = selectors.notice_list(
        viewer=request.user, box=box, kind=f.get("kind") or "", q=f.get("q") or "", unread=bool(f.get("unread"))
    )
    return list_page(
        request,
        "office/notice_list.html",
        filter_form=form,
        qs=qs,
        box=box,
        unread_count=selectors.unread_notice_count(request.user),
        status_colors=NOTICE_STATUS_COLORS,
        can_see_all=request.user.has_perm("office.view_all_notices"),
        tab="notices",
    )


def _recipient_data(cd: dict[str, Any]) -> dict[str, Any]:
    return {
        "departments": [d.code for d in cd.get("departments") or []],
        "users": list(cd.get("users") or []),
        "supplier_ids": [s.pk for s in cd.get("suppliers") or []],
    }


RECIPIENT_FIELDS = {"supplier_ids": "suppliers", "recipients": None}


@perm_required("office.add_notice")
def notice_add(request: HttpRequest) -> HttpResponse:
    """Compose a notice or meeting minutes, attach files, choose departments, colleagues and factories; send."""
    if request.method == "POST":
        form = NoticeForm(request.POST)
        if form.is_valid():
            cd = form.cleaned_data
            data = {
                **{k: cd.get(k) for k in ("kind", "title", "body", "meeting_date", "location", "attendees")},
                "ack_required": cd.get("ack_required"),
                **_recipient_data(cd),
            }
            try:
                notice = services.create_notice(by=request.user, data=data, files=request.FILES.getlist("files"))
            except GendanError as exc:
                _put_errors(form, exc, {"supplier_ids": "suppliers", "file": "__all__"})
            else:
                messages.success(
                    request,
                    _("%(number)s is sent to %(n)s recipients.")
                    % {"number": notice.number, "n": notice.recipients.count()},
                )
                return redirect("office:notice", notice_id=notice.pk)
    else:
        kind = request.GET.get("kind") if request.GET.get("kind") in NoticeKind.values else NoticeKind.NOTICE
        form = NoticeForm(initial={"kind": kind, "meeting_date": clock.today() if kind == NoticeKind.MINUTES else None})
    return render(request, "office/notice_form.html", {"form": form, "tab": "notices"})


@perm_required("office.view_notice")
def notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    """The notice with its files; opening it is the reader's read receipt. Its sender (and managers) see every
    recipient's receipt and the suppliers' links."""
    notice = _notice(request, notice_id)
    receipt = services.mark_read(notice=notice, user=request.user) if notice.status == NoticeStatus.SENT else None
    if receipt is None:
        receipt = selectors.my_receipt(notice, request.user)
    directs = services.can_direct_notice(notice, request.user)
    sees_receipts = directs or request.user.has_perm("office.view_all_notices")
    receipts = selectors.receipts_of(notice) if sees_receipts else []
    return render(
        request,
        "office/notice_detail.html",
        {
            "notice": notice,
            "receipt": receipt,
            "files": selectors.files_of(notice),
            "receipts": receipts,
            "pending": [r for r in receipts if r.pending],
            "sees_receipts": sees_receipts,
            "directs": directs and notice.status == NoticeStatus.SENT,
            "recipients_form": RecipientsForm() if directs and notice.status == NoticeStatus.SENT else None,
            "status_colors": NOTICE_STATUS_COLORS,
            "follow_up_days": services.notice_follow_up_days(),
            "chase_due": selectors.notice_chase_due(notice.sent_date, company_calendar()),
            "history": audit.history_for(notice, limit=50) if sees_receipts else [],
            "public_base": request.build_absolute_uri("/")[:-1],
            "tab": "notices",
        },
    )


@require_POST
@perm_required("office.view_notice")
def notice_acknowledge(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = _notice(request, notice_id)
    try:
        services.acknowledge(notice=notice, user=request.user)
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Acknowledged."))
    return redirect("office:notice", notice_id=notice.pk)


@require_POST
@perm_required("office.view_notice")
def notice_recipients(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = _notice(request, notice_id)
    form = RecipientsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(e for errs in form.errors.values() for e in errs))
    else:
        try:
            created = services.add_recipients(notice=notice, by=request.user, data=_recipient_data(form.cleaned_data))
        except GendanError as exc:
            messages.error(request, error_text(exc))
        else:
            if created:
                messages.success(request, _("Sent to %(n)s more recipients.") % {"n": len(created)})
            else:
                messages.warning(request, _("They all had it already."))
    return redirect(reverse("office:notice", args=[notice.pk]) + "#receipts")


@require_POST
@perm_required("office.view_notice")
def notice_link(request: HttpRequest, notice_id: int, supplier_id: int, action: str) -> HttpResponse:
    """A supplier's link: renew it (optionally e-mailing it again) or withdraw it."""
    notice = _notice(request, notice_id)
    try:
        if action == "renew":
            services.renew_link(notice=notice, by=request.user, supplier_id=supplier_id, email=False)
            messages.success(request, _("A new link is ready; the earlier one no longer works."))
        elif action == "resend":
            services.renew_link(notice=notice, by=request.user, supplier_id=supplier_id, email=True)
            messages.success(request, _("A new link is ready and e-mailed; the earlier one no longer works."))
        elif action == "revoke":
            services.revoke_link(notice=notice, by=request.user, supplier_id=supplier_id)
            messages.success(request, _("The link is withdrawn."))
        else:
            raise Http404
    except GendanError as exc:
        messages.error(request, error_text(exc))
    return redirect(reverse("office:notice", args=[notice.pk]) + "#receipts")


@require_POST
@perm_required("office.view_notice")
def notice_action(request: HttpRequest, notice_id: int, action: str) -> HttpResponse:
    """Withdraw the notice, or stop following up its unread receipts."""
    notice = _notice(request, notice_id)
    try:
        if action == "withdraw":
            services.withdraw_notice(
                notice=notice,
                by=request.user,
                reason=request.POST.get("reason", ""),
                version=request.POST.get("version") or None,
            )
            messages.success(request, _("%(number)s is withdrawn.") % {"number": notice.number})
        elif action == "stop-chasing":
            services.stop_chasing(notice=notice, by=request.user)
            messages.success(request, _("The unread receipts are no longer followed up."))
        else:
            raise Http404
    except GendanError as exc:
        messages.error(request, error_text(exc))
    return redirect("office:notice", notice_id=notice.pk)


@require_POST
@perm_required("office.view_notice")
def notice_attach(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = _notice(request, notice_id)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError({"file": _("Choose a file.")})
        services.attach_to_notice(notice=notice, by=request.user, upload=upload)
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The file is attached."))
    return redirect(reverse("office:notice", args=[notice.pk]) + "#files")


@perm_required("office.view_notice")
def notice_file(request: HttpRequest, notice_id: int, attachment_id: int) -> HttpResponse:
    notice = _notice(request, notice_id)
    try:
        found = selectors.notice_file(notice, attachment_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name)


@perm_required("office.view_notice")
def notice_pdf(request: HttpRequest, notice_id: int) -> HttpResponse:
    """The notice or minutes printed (A4), in Chinese or English."""
    from gendan.office.documents import notice_pdf as render_pdf

    notice = _notice(request, notice_id)
    language = request.GET.get("language") if request.GET.get("language") in dict(settings.LANGUAGES) else "zh-hans"
    response = HttpResponse(render_pdf(notice, language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{notice.number}.pdf"'
    return response


# ---- the supplier's page (no account: the signed link is the key) -------------------------------------------------


def public_notice(request: HttpRequest, token: str) -> HttpResponse:
    """What a factory or supplier sees through its link: the notice alone, its files, and an "acknowledge / 已阅"
    button. Opening it is its read receipt; both are recorded in its name."""
    try:
        recipient, link = services.recipient_for_token(token)
    except links.LinkInvalid as exc:
        return render(request, "office/public_invalid.html", {"message": exc.message}, status=410)
    if request.method == "POST":
        try:
            services.acknowledge_by_link(recipient=recipient, link=link, name=request.POST.get("name", ""))
        except GendanError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Thank you: your acknowledgement is recorded."))
        return redirect("office:public_notice", token=token)
    recipient = services.open_by_link(recipient=recipient, link=link)
    notice = recipient.notice
    from gendan.core.documents import company_name

    return render(
        request,
        "office/public_notice.html",
        {
            "notice": notice,
            "recipient": recipient,
            "link": link,
            "token": token,
            "files": selectors.files_of(notice),
            "company": company_name(translation.get_language() or settings.LANGUAGE_CODE),
        },
    )


def public_notice_file(request: HttpRequest, token: str, attachment_id: int) -> HttpResponse:
    try:
        recipient, _link = services.recipient_for_token(token)
        found = selectors.notice_file(recipient.notice, attachment_id)
    except links.LinkInvalid as exc:
        return render(request, "office/public_invalid.html", {"message": exc.message}, status=410)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name)


def public_notice_pdf(request: HttpRequest, token: str) -> HttpResponse:
    from gendan.office.documents import notice_pdf as render_pdf

    try:
        recipient, _link = services.recipient_for_token(token)
    except links.LinkInvalid as exc:
        return render(request, "office/public_invalid.html", {"message": exc.message}, status=410)
    language = request.GET.get("language") if request.GET.get("language") in dict(settings.LANGUAGES) else "zh-hans"
    response = HttpResponse(render_pdf(recipient.notice, language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{recipient.notice.number}.pdf"'
    return response


# ---- the daily summary -------------------------------------------------------------------------------------------


def _summary_day(raw: str | None) -> dt.date:
    if raw:
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    return clock.today()


@perm_required("office.view_task")
def summary_panel(request: HttpRequest) -> HttpResponse:
    """The dashboard's "My day" panel, fetched after the dashboard has loaded (the summary reads the whole day)."""
    return render(
        request,
        "office/partials/_panel_summary.html",
        {"ctx": {"s": summary.daily_summary(request.user, clock.today())}},
    )


@perm_required("office.view_task")
def summary_page(request: HttpRequest) -> HttpResponse:
    """A person's day (`?date=&user=`, their own by default) or, for managers, the team's (`?team=1`): one row per
    person with the counts and the slips."""
    day = _summary_day(request.GET.get("date"))
    calendar = company_calendar()
    manager = request.user.has_perm("office.view_team_summary")
    team = manager and request.GET.get("team") == "1"
    try:
        user = summary.summary_user(request.user, request.GET.get("user"))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        user = request.user
    context: dict[str, Any] = {
        "day": day,
        "previous_day": calendar.add(day, -1) if calendar.is_working_day(day) else calendar.previous_working_day(day),
        "next_day": calendar.add(day, 1),
        "is_working_day": calendar.is_working_day(day),
        "today": clock.today(),
        "manager": manager,
        "team": team,
        "shown_user": user,
        "tab": "summary",
    }
    if team:
        context["rows"] = summary.team_summary(day)
    else:
        context["s"] = summary.daily_summary(user, day)
    if manager:
        context["people"] = summary.team_members()
    return render(request, "office/summary.html", context)
