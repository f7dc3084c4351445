"""Complaint pages: the register (filters, Excel), the registration form, a complaint's page (routing,
investigation, actions inline with htmx, the answer and its PDF, the customer's verification, the settlement, the
rejection, photos, the audit trail), the report with its Pareto of causes, and the root-cause list."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gendan.catalog.models import Product
from gendan.core import audit, clock
from gendan.core.calendar import company_calendar
from gendan.core.charts import pareto_svg
from gendan.core.excel import xlsx_download, xlsx_response
from gendan.core.exceptions import GendanError, NotFound, ValidationError
from gendan.core.models import Department
from gendan.core.money import Currency
from gendan.core.pages import cleaned_filters, error_text, htmx_partial, list_page, perm_required
from gendan.partners.models import Contact, Customer
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order, OrderLine
from gendan.service import selectors, services
from gendan.service.choices import (
    ACTION_KIND_COLORS,
    ACTION_STATUSES,
    EDITABLE_STATUSES,
    FLOW,
    INVESTIGATION_STATUSES,
    SEVERITY_COLORS,
    STATUS_COLORS,
    TRANSITIONS,
    ActionKind,
    AnswerLanguage,
    Channel,
    ComplaintStatus,
    Severity,
)
from gendan.service.exports import COMPLAINT_COLUMNS, report_xlsx
from gendan.service.forms import ComplaintFilterForm, ReportForm
from gendan.service.models import Complaint, RootCause
from gendan.shipping.models import Shipment

FORM_FIELDS = (
    "customer_id",
    "order_id",
    "contact_id",
    "shipment_id",
    "lot",
    "channel",
    "received_date",
    "customer_reference",
    "title",
    "description",
    "severity",
    "claim_amount",
    "currency",
    "owner",
)
FREE_ROWS = 3


def _complaint(complaint_id: int) -> Complaint:
    try:
        return selectors.get_complaint(complaint_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _errors(exc: GendanError) -> dict[str, str]:
    if isinstance(exc, ValidationError):
        return {k: v[0] for k, v in exc.errors.items()}
    return {"__all__": exc.message}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return "" if value is None else value


def _language(request: HttpRequest) -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


# ---- the register ------------------------------------------------------------------------------------------------


@perm_required("service.view_complaint")
def complaint_list(request: HttpRequest) -> HttpResponse:
    form = ComplaintFilterForm(request.GET or None)
    f = cleaned_filters(form)
    qs = selectors.with_products(
        selectors.complaint_list(
            q=f.get("q") or "",
            status=f.get("status") or "",
            customer_id=f["customer"].pk if f.get("customer") else None,
            product_id=f["product"].pk if f.get("product") else None,
            responsible=f["responsible"].pk if f.get("responsible") else None,
            severity=f.get("severity") or "",
            root_cause=f["root_cause"].code if f.get("root_cause") else "",
            overdue=bool(f.get("overdue")),
            received_from=f.get("received_from"),
            received_to=f.get("received_to"),
        )
    )
    if request.GET.get("format") == "xlsx":
        return xlsx_download(COMPLAINT_COLUMNS, qs, title=_("Complaints"), stem="complaints")
    return list_page(
        request,
        "service/complaint_list.html",
        filter_form=form,
        qs=qs,
        colors=STATUS_COLORS,
        severity_colors=SEVERITY_COLORS,
        today=clock.today(),
    )


# ---- registering and correcting ----------------------------------------------------------------------------------


def _customer_and_order(request: HttpRequest) -> tuple[Customer | None, Order | None]:
    source = request.POST if request.method == "POST" else request.GET
    order_key = str(source.get("order_id") or source.get("order") or "").strip()
    order = None
    if order_key:
        qs = Order.objects.select_related("customer", "merchandiser")
        order = qs.filter(pk=int(order_key)).first() if order_key.isdigit() else None
        order = order or qs.filter(number__iexact=order_key).first() or qs.filter(customer_po__iexact=order_key).first()
    customer_key = str(source.get("customer_id") or source.get("customer") or "").strip()
    customer = order.customer if order else None
    if customer is None and customer_key.isdigit():
        customer = Customer.objects.filter(pk=int(customer_key)).first()
    return customer, order


def _line_rows(post: Any, order: Order | None, lines: list[Any] | None = None) -> list[dict[str, Any]]:
    """The products part of the form: one row per order line (blank quantity: not affected), else free rows."""
    given = {ln.order_line_id or -ln.product_id: ln for ln in lines or []}
    if order is not None:
        rows = []
        for ol in OrderLine.objects.filter(order=order).select_related("product").order_by("position"):
            old = given.get(ol.pk)
            rows.append(
                {
                    "key": f"ol{ol.pk}",
                    "order_line": ol,
                    "product_id": ol.product_id,
                    "quantity": post.get(f"qty-ol{ol.pk}", "") if post else (_plain(old.quantity) if old else ""),
                    "defect": post.get(f"defect-ol{ol.pk}", "") if post else (old.defect if old else ""),
                }
            )
        return rows
    rows = []
    olds = list(lines or [])
    for n in range(1, max(FREE_ROWS, len(olds) + 1) + 1):
        old = olds[n - 1] if n <= len(olds) else None
        rows.append(
            {
                "key": f"n{n}",
                "order_line": None,
                "product_id": post.get(f"product-n{n}", "") if post else (old.product_id if old else ""),
                "quantity": post.get(f"qty-n{n}", "") if post else (_plain(old.quantity) if old else ""),
                "defect": post.get(f"defect-n{n}", "") if post else (old.defect if old else ""),
            }
        )
    return rows


def _posted_lines(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result = []
    for r in rows:
        if not str(r["quantity"]).strip():
            continue
        if r["order_line"] is not None:
            result.append({"order_line_id": r["order_line"].pk, "quantity": r["quantity"], "defect": r["defect"]})
        else:
            result.append({"product_id": r["product_id"], "quantity": r["quantity"], "defect": r["defect"]})
    return result


def _form_context(customer: Customer, order: Order | None, values: dict[str, Any], rows: list[dict[str, Any]]):
    shipments = Shipment.objects.filter(customer=customer)
    if order is not None:
        shipments = shipments.filter(lines__order_line__order=order).distinct()
    return {
        "customer": customer,
        "order": order,
        "values": values,
        "rows": rows,
        "orders": Order.objects.filter(customer=customer)
        .exclude(status__in=(OrderStatus.DRAFT, OrderStatus.CANCELLED))
        .order_by("-order_date", "-id")[:200],
        "contacts": Contact.objects.filter(customer=customer).order_by("-is_primary", "name"),
        "shipments": shipments.order_by("-planned_ex_factory_date", "-id")[:100],
        "products": Product.objects.filter(is_active=True).order_by("code") if order is None else [],
        "channels": Channel.choices,
        "severities": Severity.choices,
        "currencies": Currency.choices,
        "owners": services.responsible_candidates(),
        "today": clock.today(),
    }


@perm_required("service.add_complaint")
def complaint_add(request: HttpRequest) -> HttpResponse:
    """Register a complaint: first the customer (or the order), then the facts, the products and the photos."""
    customer, order = _customer_and_order(request)
    if customer is None:
        return render(
            request,
            "service/complaint_start.html",
            {
                "customers": Customer.objects.filter(is_active=True).order_by("code"),
                "order_text": request.GET.get("order", ""),
                "not_found": bool(request.GET.get("order") or request.GET.get("customer")),
            },
        )
    errors: dict[str, str] = {}
    post = request.POST if request.method == "POST" else None
    rows = _line_rows(post, order)
    if post is not None:
        data: dict[str, Any] = {k: post.get(k, "") for k in FORM_FIELDS}
        data["customer_id"] = customer.pk
        data["order_id"] = order.pk if order else ""
        data["lines"] = _posted_lines(rows)
        try:
            complaint = services.create_complaint(by=request.user, data=data, photos=request.FILES.getlist("photos"))
        except GendanError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("%(number)s is registered.") % {"number": complaint.number})
            return redirect("service:detail", complaint_id=complaint.pk)
        values = data
    else:
        contacts = list(Contact.objects.filter(customer=customer).order_by("-is_primary", "name")[:1])
        values = {
            "channel": Channel.EMAIL,
            "severity": Severity.MAJOR,
            "received_date": clock.today().isoformat(),
            "currency": order.currency if order else customer.currency,
            "contact_id": contacts[0].pk if contacts else "",
            "claim_amount": "",
        }
    context = _form_context(customer, order, values, rows)
    return render(request, "service/complaint_form.html", {**context, "errors": errors, "complaint": None})


@perm_required("service.change_complaint")
def complaint_edit(request: HttpRequest, complaint_id: int) -> HttpResponse:
    complaint = _complaint(complaint_id)
    if complaint.status not in EDITABLE_STATUSES:
        messages.error(request, _("%(number)s is answered: its facts are kept.") % {"number": complaint.number})
        return redirect("service:detail", complaint_id=complaint.pk)
    order = complaint.order
    errors: dict[str, str] = {}
    post = request.POST if request.method == "POST" else None
    rows = _line_rows(post, order, selectors.lines_of(complaint) if post is None else None)
    if post is not None:
        data: dict[str, Any] = {k: post.get(k, "") for k in FORM_FIELDS if k in post}
        if str(post.get("order_id", "")) == str(complaint.order_id or ""):
            data["lines"] = _posted_lines(rows)
        # another order: the products are carried over to its lines (the rows shown were the old order's)
        try:
            services.update_complaint(
                complaint=complaint, by=request.user, data=data, version=request.POST.get("version")
            )
        except GendanError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("service:detail", complaint_id=complaint.pk)
        values = data
    else:
        values = {
            "customer_id": complaint.customer_id,
            "order_id": complaint.order_id or "",
            "contact_id": complaint.contact_id or "",
            "shipment_id": complaint.shipment_id or "",
            "lot": complaint.lot,
            "channel": complaint.channel,
            "received_date": _plain(complaint.received_date),
            "customer_reference": complaint.customer_reference,
            "title": complaint.title,
            "description": complaint.description,
            "severity": complaint.severity,
            "claim_amount": _plain(complaint.claim_amount),
            "currency": complaint.currency,
            "owner": complaint.owner.username,
        }
    context = _form_context(complaint.customer, order, values, rows)
    return render(request, "service/complaint_form.html", {**context, "errors": errors, "complaint": complaint})


# ---- a complaint's page ------------------------------------------------------------------------------------------


def _flow(complaint: Complaint) -> list[dict[str, Any]]:
    if complaint.status == ComplaintStatus.REJECTED:
        return []
    current = FLOW.index(complaint.status)
    return [
        {"label": ComplaintStatus(s).label, "state": "done" if n < current else ("current" if n == current else "")}
        for n, s in enumerate(FLOW)
    ]


def _actions_context(request: HttpRequest, complaint: Complaint, **extra: Any) -> dict[str, Any]:
    user = request.user
    return {
        "complaint": complaint,
        "actions": selectors.actions_of(complaint),
        "kind_colors": ACTION_KIND_COLORS,
        "kinds": ActionKind.choices,
        "owners": services.action_owner_candidates(),
        "today": clock.today(),
        "can_add_action": complaint.status in ACTION_STATUSES and user.has_perm("service.add_complaintaction"),
        "can_change_action": complaint.status in ACTION_STATUSES and user.has_perm("service.change_complaintaction"),
        "default_due": company_calendar().add(clock.today(), 3).isoformat(),
        **extra,
    }


@perm_required("service.view_complaint")
def complaint_detail(request: HttpRequest, complaint_id: int) -> HttpResponse:
    complaint = _complaint(complaint_id)
    user = request.user
    can_change = user.has_perm("service.change_complaint")
    status = complaint.status
    return render(
        request,
        "service/complaint_detail.html",
        {
            **_actions_context(request, complaint),
            "c": complaint,
            "lines": selectors.lines_of(complaint),
            "photos": selectors.photos_of(complaint),
            "flow": _flow(complaint),
            "colors": STATUS_COLORS,
            "severity_colors": SEVERITY_COLORS,
            "is_overdue": selectors.is_overdue(complaint),
            "can_edit": can_change and status in EDITABLE_STATUSES,
            "can_route": can_change and status in TRANSITIONS["route"][0],
            "can_start": can_change and status in TRANSITIONS["investigate"][0],
            "can_investigate": can_change and status in INVESTIGATION_STATUSES,
            "can_answer": can_change and status in TRANSITIONS["answer"][0],
            "can_send": can_change
            and status in (ComplaintStatus.ANSWERED, ComplaintStatus.VERIFIED, ComplaintStatus.CLOSED),
            "can_verify": can_change and status in TRANSITIONS["verify"][0],
            "can_close": can_change and status in TRANSITIONS["close"][0],
            "can_settle": user.has_perm(services.SETTLE_PERM),
            "can_reject": can_change and status in TRANSITIONS["reject"][0],
            "can_attach": can_change and complaint.is_open,
            "responsibles": services.responsible_candidates(),
            "departments": Department.objects.order_by("code"),
            "causes": selectors.root_causes(active_only=True),
            "languages": AnswerLanguage.choices,
            "route_due": company_calendar().add(clock.today(), services.answer_days(complaint.severity)).isoformat(),
            "replacement_price": _replacement_hint(complaint),
            "contact_emails": ", ".join(
                e for e in Contact.objects.filter(customer=complaint.customer).values_list("email", flat=True) if e
            ),
            "history": audit.history_for(complaint, limit=100),
            "credit_note_url": reverse("finance:credit_note", args=[complaint.credit_note_id])
            if complaint.credit_note_id
            else "",
        },
    )


def _replacement_hint(complaint: Complaint) -> Decimal | None:
    line = next((ln for ln in selectors.lines_of(complaint) if ln.order_line_id), None)
    if line is None or complaint.order_id is None or complaint.order.currency != complaint.currency:
        return None
    return line.order_line.unit_price


def _posted_version(request: HttpRequest) -> str | None:
    return request.POST.get("version") or None


@require_POST
@perm_required("service.change_complaint")
def complaint_step(request: HttpRequest, complaint_id: int, step: str) -> HttpResponse:
    """The workflow's forms on the complaint's page: route, investigate, investigation, answer, send, verify,
    not_accepted, close, reject."""
    complaint = _complaint(complaint_id)
    post, by, version = request.POST, request.user, _posted_version(request)
    anchor = ""
    try:
        if step == "route":
            services.route_complaint(
                complaint=complaint,
                by=by,
                responsible=post.get("responsible", ""),
                department=post.get("department", ""),
                due_date=post.get("due_date", ""),
                comment=post.get("comment", ""),
                version=version,
            )
            done = _("%(number)s is routed.")
            anchor = "routing"
        elif step == "investigate":
            services.start_investigation(complaint=complaint, by=by, version=version)
            done = _("%(number)s: investigation started.")
            anchor = "investigation"
        elif step == "investigation":
            services.save_investigation(
                complaint=complaint,
                by=by,
                root_cause=post.get("root_cause", ""),
                cause_detail=post.get("cause_detail", ""),
                version=version,
            )
            done = _("The investigation is saved.")
            anchor = "investigation"
        elif step == "answer":
            send_to = post.get("send_to", "").strip()
            if send_to:
                services.parse_addresses(send_to)
            answered = services.answer_complaint(
                complaint=complaint,
                by=by,
                answer_text=post.get("answer_text", ""),
                settlement_offer=post.get("settlement_offer", ""),
                language=post.get("language", ""),
                version=version,
            )
            done = _("%(number)s is answered.")
            if send_to:
                services.send_answer(complaint=answered, by=by, to=send_to, message=post.get("message", ""))
                done = _("%(number)s is answered and the answer is sent.")
            anchor = "answer"
        elif step == "send":
            services.send_answer(
                complaint=complaint,
                by=by,
                to=post.get("send_to", ""),
                language=post.get("language", ""),
                message=post.get("message", ""),
            )
            done = _("The answer to %(number)s is sent.")
            anchor = "answer"
        elif step in ("verify", "not_accepted"):
            services.verify_complaint(
                complaint=complaint,
                by=by,
                accepted=step == "verify",
                comment=post.get("comment", "") or post.get("reason", ""),
                day=post.get("date", ""),
                version=version,
            )
            done = (
                _("%(number)s is verified by the customer.")
                if step == "verify"
                else _("%(number)s is back under investigation.")
            )
            anchor = "verification"
        elif step == "close":
            complaint = services.close_complaint(
                complaint=complaint,
                by=by,
                credit_amount=post.get("credit_amount", ""),
                replacement_qty=post.get("replacement_qty", ""),
                replacement_value=post.get("replacement_value", ""),
                discount_pct=post.get("discount_pct", ""),
                note=post.get("note", ""),
                version=version,
            )
            if complaint.replacement_order_id and complaint.credit_note_number:
                done = _(
                    "%(number)s is closed; credit note %(note)s is issued and replacement order %(order)s is created."
                )
            elif complaint.replacement_order_id:
                done = _("%(number)s is closed; replacement order %(order)s is created.")
            elif complaint.credit_note_number:
                done = _("%(number)s is closed; credit note %(note)s is issued.")
            else:
                done = _("%(number)s is closed.")
            anchor = "settlement"
        elif step == "reject":
            services.reject_complaint(complaint=complaint, by=by, reason=post.get("reason", ""), version=version)
            done = _("%(number)s is rejected.")
        else:
            raise Http404
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        replacement = complaint.replacement_order.number if complaint.replacement_order_id else ""
        messages.success(
            request,
            done
            % {
                "number": complaint.number,
                "note": getattr(complaint, "credit_note_number", ""),
                "order": replacement,
            },
        )
    url = reverse("service:detail", args=[complaint.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


@require_POST
@perm_required("service.change_complaint")
def photo_add(request: HttpRequest, complaint_id: int) -> HttpResponse:
    complaint = _complaint(complaint_id)
    uploads = request.FILES.getlist("file")
    try:
        if not uploads:
            raise ValidationError({"file": _("Choose a file.")})
        for upload in uploads:
            services.add_photo(complaint=complaint, upload=upload, by=request.user)
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Attached."))
    return redirect(reverse("service:detail", args=[complaint.pk]) + "#photos")


# ---- actions (inline, htmx) --------------------------------------------------------------------------------------


def _actions_response(request: HttpRequest, complaint_id: int, status_before: str, **extra: Any) -> HttpResponse:
    """The actions card again (htmx), or the whole page when the complaint's status moved (its forms carry its
    version); without htmx, back to the page."""
    complaint = _complaint(complaint_id)
    if not htmx_partial(request):
        for level, text in (("error", extra.get("action_error")), ("success", extra.get("action_message"))):
            if text:
                getattr(messages, level)(request, text)
        return redirect(reverse("service:detail", args=[complaint_id]) + "#actions")
    if complaint.status != status_before:
        response = HttpResponse(status=204)
        if extra.get("action_message"):
            messages.success(request, extra["action_message"])
        response["HX-Refresh"] = "true"
        return response
    return render(request, "service/partials/_actions.html", _actions_context(request, complaint, **extra))


@require_POST
@perm_required("service.add_complaintaction")
def action_add(request: HttpRequest, complaint_id: int) -> HttpResponse:
    complaint = _complaint(complaint_id)
    data = {k: request.POST.get(k, "") for k in ("kind", "description", "owner", "due_date")}
    try:
        action = services.add_action(complaint=complaint, by=request.user, data=data)
    except GendanError as exc:
        return _actions_response(request, complaint_id, complaint.status, action_error=error_text(exc), new=data)
    return _actions_response(
        request,
        complaint_id,
        complaint.status,
        action_message=_("Action #%(n)s is added for %(owner)s.") % {"n": action.position, "owner": action.owner},
    )


@require_POST
@perm_required("service.change_complaintaction")
def action_edit(request: HttpRequest, complaint_id: int, action_id: int) -> HttpResponse:
    complaint = _complaint(complaint_id)
    try:
        action = selectors.get_action(complaint, action_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    data = {k: request.POST.get(k, "") for k in ("kind", "description", "owner", "due_date") if k in request.POST}
    try:
        services.update_action(action=action, by=request.user, data=data, version=_posted_version(request))
    except GendanError as exc:
        return _actions_response(request, complaint_id, complaint.status, action_error=error_text(exc))
    return _actions_response(
        request, complaint_id, complaint.status, action_message=_("Action #%(n)s is saved.") % {"n": action.position}
    )


@require_POST
@perm_required("service.change_complaintaction")
def action_done(request: HttpRequest, complaint_id: int, action_id: int) -> HttpResponse:
    complaint = _complaint(complaint_id)
    try:
        action = selectors.get_action(complaint, action_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    try:
        services.complete_action(
            action=action,
            by=request.user,
            result=request.POST.get("result", ""),
            day=request.POST.get("done_date", ""),
            version=_posted_version(request),
        )
    except GendanError as exc:
        return _actions_response(request, complaint_id, complaint.status, action_error=error_text(exc))
    return _actions_response(
        request, complaint_id, complaint.status, action_message=_("Action #%(n)s is done.") % {"n": action.position}
    )


# ---- the answer's PDF --------------------------------------------------------------------------------------------


@perm_required("service.view_complaint")
def answer_pdf(request: HttpRequest, complaint_id: int) -> HttpResponse:
    from gendan.service.documents import answer_pdf as render_pdf

    complaint = _complaint(complaint_id)
    lang = request.GET.get("language") or complaint.answer_language
    if lang not in AnswerLanguage.values:
        lang = AnswerLanguage.EN
    response = HttpResponse(render_pdf(complaint, lang), content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{complaint.number}-8D-{lang}.pdf"'
    return response


# ---- the report --------------------------------------------------------------------------------------------------


@perm_required("service.view_complaint")
def report(request: HttpRequest) -> HttpResponse:
    """Complaints by customer, product, cause, department, month or severity for a period, with their cost and the
    Pareto of root causes; Excel export."""
    today = clock.today()
    form = ReportForm(request.GET or None)
    f = cleaned_filters(form)
    date_from = f.get("date_from") or today.replace(month=1, day=1)
    date_to = f.get("date_to") or today
    group_by = f.get("group_by") or "customer"
    language = _language(request)
    error = ""
    try:
        data = selectors.complaint_report(
            date_from=date_from,
            date_to=date_to,
            group_by=group_by,
            language=language,
            customer_id=f["customer"].pk if f.get("customer") else None,
        )
    except ValidationError as exc:
        error = error_text(exc)
        date_from, date_to = date_to, date_to
        data = selectors.complaint_report(date_from=date_from, date_to=date_to, group_by=group_by, language=language)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(report_xlsx(data, language), f"complaints-{date_from}-{date_to}.xlsx")
    chart = pareto_svg(
        [{"cause": r["code"], "cause_label": r["label"], "lines": r["count"]} for r in data["causes"]],
        title=_("Root causes of complaints (Pareto)"),
        count_label=_("Complaints"),
        empty_text=_("No root cause found in this period yet."),
        tip=lambda label, n, pct, cumulative: (
            _("%(cause)s: %(n)s complaints (%(pct)s), cumulative %(cumulative)s")
            % {"cause": label, "n": n, "pct": pct, "cumulative": cumulative}
        ),
    )
    return render(
        request,
        "service/report.html",
        {
            "form": form,
            "data": data,
            "chart": chart,
            "error": error,
            "date_from": date_from,
            "date_to": date_to,
            "group_by": group_by,
            "group_label": dict(ReportForm.base_fields["group_by"].choices).get(group_by, group_by),
            "export_qs": request.GET.urlencode(),
            "list_qs": f"received_from={date_from}&received_to={date_to}",
        },
    )


# ---- the root-cause list -----------------------------------------------------------------------------------------


@perm_required("service.view_rootcause")
def causes(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if request.method == "POST":
        if not request.user.has_perm("service.add_rootcause"):
            raise DjangoPermissionDenied
        values = {k: request.POST.get(k, "") for k in ("code", "name_zh", "name_en", "position")}
        try:
            cause = services.save_root_cause(by=request.user, data=values)
        except GendanError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("%(code)s is added.") % {"code": cause.code})
            return redirect("service:causes")
    counts = dict(
        Complaint.objects.filter(root_cause__isnull=False)
        .values_list("root_cause_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = list(selectors.root_causes(active_only=False))
    for r in rows:
        r.complaints = counts.get(r.pk, 0)
    return render(
        request,
        "service/causes.html",
        {
            "causes": rows,
            "errors": errors,
            "values": values,
            "can_add": request.user.has_perm("service.add_rootcause"),
            "can_change": request.user.has_perm("service.change_rootcause"),
        },
    )


@require_POST
@perm_required("service.change_rootcause")
def cause_edit(request: HttpRequest, cause_id: int) -> HttpResponse:
    cause = RootCause.objects.filter(pk=cause_id).first()
    if cause is None:
        raise Http404
    data: dict[str, Any] = {k: request.POST.get(k, "") for k in ("name_zh", "name_en", "position")}
    data["is_active"] = request.POST.get("is_active") == "on"
    try:
        services.save_root_cause(by=request.user, data=data, cause=cause)
    except GendanError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("%(code)s is saved.") % {"code": cause.code})
    return redirect("service:causes")
