"""Customer complaints' reads: the complaint register, a complaint with its products, actions and photos, an order's
and a customer's complaints, a person's open complaints and actions, the chase-list rows, and the report of
complaints by customer, product, cause and cost for a period."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils.translation import gettext as _

from gendan.core import clock
from gendan.core.calendar import company_calendar
from gendan.core.exceptions import NotFound, ValidationError
from gendan.core.models import Attachment, User
from gendan.core.money import round_money
from gendan.service.choices import (
    ACTION_STATUSES,
    ANSWER_DUE_STATUSES,
    OPEN_STATUSES,
    ComplaintStatus,
)
from gendan.service.models import Complaint, ComplaintAction, ComplaintLine, RootCause

COMPLAINT = "complaint"  # the chase-list kinds
COMPLAINT_ACTION = "complaint_action"
ZERO = Decimal(0)
GROUPS = ("customer", "product", "cause", "department", "month", "severity")


def _late_actions(day: dt.date) -> QuerySet[ComplaintAction]:
    return ComplaintAction.objects.filter(complaint=OuterRef("pk"), done_date__isnull=True, due_date__lt=day)


def overdue_q(day: dt.date) -> Q:
    """An open complaint whose answer is past due, or with an action past due."""
    return Q(status__in=ANSWER_DUE_STATUSES, due_date__lt=day) | Q(status__in=ACTION_STATUSES, has_late_action=True)


def complaint_list(
    *,
    q: str = "",
    status: str = "",
    customer_id: int | None = None,
    product_id: int | None = None,
    order_id: int | None = None,
    responsible: str | int | None = None,
    owner: str | int | None = None,
    department_id: int | None = None,
    root_cause: str = "",
    severity: str = "",
    overdue: bool = False,
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
) -> QuerySet[Complaint]:
    """Complaints, latest received first. `status` "open" means not closed nor rejected; `overdue`: the answer is
    past due, or an action is. `responsible`/`owner` by id or username."""
    today = clock.today()
    qs = Complaint.objects.select_related(
        "customer", "order", "shipment", "owner", "responsible", "department", "root_cause", "replacement_order"
    ).annotate(has_late_action=Exists(_late_actions(today)))
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if product_id:
        qs = qs.filter(Exists(ComplaintLine.objects.filter(complaint=OuterRef("pk"), product_id=product_id)))
    if order_id:
        qs = qs.filter(order_id=order_id)
    for field, value in (("responsible", responsible), ("owner", owner)):
        if value:
            qs = (
                qs.filter(**{f"{field}_id": int(value)})
                if str(value).isdigit()
                else qs.filter(**{f"{field}__username": value})
            )
    if department_id:
        qs = qs.filter(department_id=department_id)
    if root_cause:
        qs = qs.filter(root_cause__code=root_cause)
    if severity:
        qs = qs.filter(severity=severity)
    if received_from:
        qs = qs.filter(received_date__gte=received_from)
    if received_to:
        qs = qs.filter(received_date__lte=received_to)
    if overdue:
        qs = qs.filter(overdue_q(today))
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(title__icontains=q)
            | Q(description__icontains=q)
            | Q(customer__code__icontains=q)
            | Q(customer__name__icontains=q)
            | Q(order__number__icontains=q)
            | Q(order__customer_po__icontains=q)
            | Q(customer_reference__icontains=q)
            | Q(lot__icontains=q)
        )
    return qs.order_by("-received_date", "-id")


def with_products(qs: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """The complaints with their products (one more query for a page)."""
    return qs.prefetch_related(
        Prefetch("lines", queryset=ComplaintLine.objects.select_related("product").order_by("position"))
    )


def get_complaint(pk: int) -> Complaint:
    found = (
        Complaint.objects.select_related(
            "customer",
            "contact",
            "order__customer",
            "shipment",
            "owner",
            "created_by",
            "responsible",
            "department",
            "root_cause",
            "discount_order",
            "replacement_order",
        )
        .annotate(has_late_action=Exists(_late_actions(clock.today())))
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("There is no complaint %(id)s.") % {"id": pk})
    return found


def is_overdue(complaint: Complaint, day: dt.date | None = None) -> bool:
    day = day or clock.today()
    return bool(
        (complaint.status in ANSWER_DUE_STATUSES and complaint.due_date and complaint.due_date < day)
        or (complaint.status in ACTION_STATUSES and getattr(complaint, "has_late_action", False))
    )


def lines_of(complaint: Complaint) -> list[ComplaintLine]:
    return list(complaint.lines.select_related("product", "order_line").order_by("position"))


def actions_of(complaint: Complaint) -> list[ComplaintAction]:
    today = clock.today()
    actions = list(complaint.actions.select_related("owner").order_by("position"))
    for a in actions:
        a.is_late = a.done_date is None and a.due_date < today
    return actions


def get_action(complaint: Complaint, action_id: int) -> ComplaintAction:
    found = (
        ComplaintAction.objects.select_related("owner", "complaint").filter(pk=action_id, complaint=complaint).first()
    )
    if found is None:
        raise NotFound(_("%(number)s has no action %(id)s.") % {"number": complaint.number, "id": action_id})
    return found


def photos_of(complaint: Complaint) -> list[Attachment]:
    ct = ContentType.objects.get_for_model(Complaint)
    return list(
        Attachment.objects.filter(content_type=ct, object_id=complaint.pk)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "pk")
    )


def root_causes(*, active_only: bool = True) -> QuerySet[RootCause]:
    qs = RootCause.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("position", "code")


def order_complaints(order_id: int) -> list[Complaint]:
    """An order's complaints for its page (latest first)."""
    return list(
        Complaint.objects.filter(order_id=order_id)
        .select_related("responsible", "root_cause", "owner")
        .annotate(has_late_action=Exists(_late_actions(clock.today())))
        .order_by("-received_date", "-id")
    )


def complaint_replaced_by(order_id: int) -> Complaint | None:
    """The complaint a replacement order (补货订单) was made for, if it is one."""
    return Complaint.objects.filter(replacement_order_id=order_id).first()


def customer_summary(customer_id: int, *, rows: int = 10) -> dict[str, Any]:
    """The customer file's complaints: the latest ones, how many are open, and the last twelve months' figures
    (complaints, claims asked and credits granted per currency) — three queries."""
    today = clock.today()
    since = today - dt.timedelta(days=365)
    latest = list(
        Complaint.objects.filter(customer_id=customer_id)
        .select_related("order", "responsible", "root_cause")
        .annotate(has_late_action=Exists(_late_actions(today)))
        .order_by("-received_date", "-id")[:rows]
    )
    counts = Complaint.objects.filter(customer_id=customer_id).aggregate(
        total=Count("id"),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        year=Count("id", filter=Q(received_date__gte=since)),
    )
    money = list(
        Complaint.objects.filter(customer_id=customer_id, received_date__gte=since)
        .values("currency")
        .annotate(
            claim=Sum("claim_amount"),
            credit=Sum("credit_amount", filter=Q(status=ComplaintStatus.CLOSED)),
        )
        .order_by("currency")
    )
    return {
        "complaints": latest,
        "counts": counts,
        "money": [
            {"currency": m["currency"], "claim": m["claim"] or ZERO, "credit": m["credit"] or ZERO} for m in money
        ],
        "customer_id": customer_id,
    }


def open_complaints_of(user: User) -> QuerySet[Complaint]:
    """The open complaints the user is responsible for or follows, the most pressing answer first."""
    today = clock.today()
    return (
        Complaint.objects.filter(Q(responsible=user) | Q(owner=user), status__in=OPEN_STATUSES)
        .select_related("customer", "order")
        .annotate(has_late_action=Exists(_late_actions(today)))
        .order_by(F("due_date").asc(nulls_last=True), "received_date", "pk")
    )


def open_actions_of(user: User) -> QuerySet[ComplaintAction]:
    """The user's open complaint actions, the earliest due first."""
    return (
        ComplaintAction.objects.filter(owner=user, done_date__isnull=True, complaint__status__in=ACTION_STATUSES)
        .select_related("complaint__customer")
        .order_by("due_date", "pk")
    )


# ---- the chase list ----------------------------------------------------------------------------------------------


def _row(**kw: Any) -> Any:
    from gendan.followup.selectors import ChaseRow

    return ChaseRow(**kw)


def _common(c: Complaint) -> dict[str, Any]:
    return {
        "order_id": c.order_id,
        "order_number": c.order.number if c.order_id else "",
        "milestone_id": None,
        "milestone_code": None,
        "object_id": c.pk,
        "url": reverse("service:detail", args=[c.pk]),
        "customer": c.customer.code,
        "tier": c.customer.tier,
        "amount": c.claim_amount,
        "currency": c.currency,
        "document": c.number,
    }


def _chase_actions(q: Any) -> list[Any]:
    """The user's open complaint actions due by the horizon's end."""
    user, day, until, calendar = q.user, q.day, q.until, q.calendar
    actions = (
        ComplaintAction.objects.filter(
            owner=user, done_date__isnull=True, due_date__lte=until, complaint__status__in=ACTION_STATUSES
        )
        .select_related("complaint__customer", "complaint__order")
        .order_by("due_date", "pk")
    )
    rows = []
    for a in actions:
        c = a.complaint
        reason = _("%(kind)s action #%(n)s on %(number)s for %(customer)s: %(what)s — due %(due)s") % {
            "kind": a.get_kind_display(),
            "n": a.position,
            "number": c.number,
            "customer": c.customer.code,
            "what": a.description[:120],
            "due": f"{a.due_date:%m-%d}",
        }
        rows.append(
            _row(
                kind=COMPLAINT_ACTION,
                kind_label=_("Complaint action"),
                milestone_name=str(a.get_kind_display()),
                due_date=a.due_date,
                days_late=calendar.between(a.due_date, day),
                reason=reason,
                **_common(c),
            )
        )
    return rows


def _chase_complaints(q: Any) -> list[Any]:
    """The user's complaints waiting on them: to route (owner, the working day after it came in), to answer
    (responsible, by the answer's due date), the customer's verification to chase (owner, some working days after
    the answer), the settlement to close (owner, two working days after the verification)."""
    from gendan.service.services import verification_days

    user, day, until, calendar = q.user, q.day, q.until, q.calendar
    complaints = (
        Complaint.objects.filter(
            Q(responsible=user, status__in=ANSWER_DUE_STATUSES, due_date__lte=until)
            | Q(owner=user, status__in=ANSWER_DUE_STATUSES, due_date__lt=day)
            | Q(
                owner=user,
                status__in=(ComplaintStatus.REGISTERED, ComplaintStatus.ANSWERED, ComplaintStatus.VERIFIED),
            )
        )
        .select_related("customer", "order", "responsible")
        .order_by("received_date", "pk")
    )
    rows = []
    for c in complaints:
        values = {"number": c.number, "customer": c.customer.code, "title": c.title[:80]}
        if c.status == ComplaintStatus.REGISTERED:
            due = calendar.add(c.received_date, 1)
            name = _("Route the complaint")
            reason = _("Route %(number)s from %(customer)s (%(title)s): registered %(date)s, not routed yet") % {
                **values,
                "date": f"{c.received_date:%m-%d}",
            }
        elif c.status in ANSWER_DUE_STATUSES and c.responsible_id == user.pk:
            due = c.due_date
            name = _("Answer the customer")
            reason = _("Answer %(customer)s on %(number)s (%(title)s) — due %(due)s") % {
                **values,
                "due": f"{c.due_date:%m-%d}",
            }
        elif c.status in ANSWER_DUE_STATUSES:  # the owner's: someone else owes the answer, and it is late
            due = c.due_date
            name = _("Answer overdue")
            reason = _("The answer to %(customer)s on %(number)s (%(title)s) was due %(due)s — %(person)s") % {
                **values,
                "due": f"{c.due_date:%m-%d}",
                "person": c.responsible.get_full_name() or c.responsible.username if c.responsible_id else "—",
            }
        elif c.status == ComplaintStatus.ANSWERED:
            due = calendar.add(c.answered_date or c.received_date, verification_days())
            name = _("Customer's verification")
            reason = _("Ask %(customer)s to verify the answer to %(number)s (answered %(date)s)") % {
                **values,
                "date": f"{(c.answered_date or c.received_date):%m-%d}",
            }
        else:
            due = calendar.add(c.verified_date or c.received_date, 2)
            name = _("Settlement")
            reason = _("Close %(number)s with the settlement agreed with %(customer)s (verified %(date)s)") % {
                **values,
                "date": f"{(c.verified_date or c.received_date):%m-%d}",
            }
        if due > until:
            continue
        rows.append(
            _row(
                kind=COMPLAINT,
                kind_label=_("Complaint"),
                milestone_name=str(name),
                due_date=due,
                days_late=calendar.between(due, day),
                reason=reason,
                **_common(c),
            )
        )
    return rows


def register() -> None:
    from gendan.followup.selectors import register_chase_source

    register_chase_source(_chase_complaints)
    register_chase_source(_chase_actions)


# ---- the report --------------------------------------------------------------------------------------------------


def _costs_list(costs: dict[str, dict[str, Decimal]]) -> list[dict[str, Any]]:
    return [
        {
            "currency": cur,
            "claim_amount": round_money(v["claim"], cur),
            "credit_amount": round_money(v["credit"], cur),
            "replacement_value": round_money(v["replacement"], cur),
        }
        for cur, v in sorted(costs.items())
    ]


def _empty_costs() -> dict[str, Decimal]:
    return {"claim": ZERO, "credit": ZERO, "replacement": ZERO}


def complaint_report(
    *,
    date_from: dt.date,
    date_to: dt.date,
    group_by: str = "customer",
    language: str = "en",
    customer_id: int | None = None,
) -> dict[str, Any]:
    """Complaints received in [date_from, date_to] grouped by customer, product, root cause, responsible
    department, month or severity: how many, the quantity affected, and per currency the claim asked, the credit
    notes granted and the replacements' value (granted = of the closed complaints). Grouped by product, a complaint
    about several products is shared between them by the quantity affected (its money too, so the groups add up to
    the totals); a complaint without products is its own group. The Pareto counts the complaints per root cause.
    Everything is aggregated in the database (three queries; grouped by product, one more)."""
    if group_by not in GROUPS:
        raise ValidationError({"group_by": _("Choose one of: %(choices)s.") % {"choices": ", ".join(GROUPS)}})
    if date_to < date_from:
        raise ValidationError({"date_to": _("The period ends before it starts.")})
    zh = (language or "").startswith("zh")
    base = Complaint.objects.filter(received_date__gte=date_from, received_date__lte=date_to)
    if customer_id:
        base = base.filter(customer_id=customer_id)
    closed = Q(status=ComplaintStatus.CLOSED)
    money = {
        "claim": Sum("claim_amount"),
        "credit": Sum("credit_amount", filter=closed),
        "replacement": Sum("replacement_value", filter=closed),
    }

    groups: dict[Any, dict[str, Any]] = {}

    def group(key: Any, label: str, sort: Any) -> dict[str, Any]:
        if key not in groups:
            groups[key] = {
                "key": key,
                "label": label,
                "sort": sort,
                "count": 0,
                "quantity": ZERO,
                "costs": defaultdict(_empty_costs),
            }
        return groups[key]

    if group_by == "product":
        _by_product(base, group)
    else:
        key_field, label_fields = {
            "customer": ("customer_id", ("customer__code", "customer__name", "customer__name_en")),
            "cause": ("root_cause_id", ("root_cause__code", "root_cause__name_zh", "root_cause__name_en")),
            "department": ("department_id", ("department__code", "department__name", "department__name_en")),
            "month": ("month", ()),
            "severity": ("severity", ()),
        }[group_by]
        qs = base.annotate(month=TruncMonth("received_date")) if group_by == "month" else base
        rows = qs.values(key_field, *label_fields, "currency").annotate(n=Count("id"), **money).order_by()
        qty_rows = (
            ComplaintLine.objects.filter(complaint__in=base)
            .annotate(month=TruncMonth("complaint__received_date"))
            .values(key_field if group_by == "month" else f"complaint__{key_field}")
            .annotate(qty=Sum("quantity"))
            .order_by()
        )
        for r in rows:
            key = r[key_field]
            if isinstance(key, dt.datetime):
                key = key.date()
            label, sort = _label(group_by, key, r, label_fields, zh)
            g = group(key, label, sort)
            g["count"] += r["n"]
            c = g["costs"][r["currency"]]
            c["claim"] += r["claim"] or ZERO
            c["credit"] += r["credit"] or ZERO
            c["replacement"] += r["replacement"] or ZERO
        for r in qty_rows:
            key = r[key_field if group_by == "month" else f"complaint__{key_field}"]
            if isinstance(key, dt.datetime):
                key = key.date()
            if key in groups:
                groups[key]["quantity"] += r["qty"] or ZERO

    totals = base.aggregate(n=Count("id"))
    total_costs: dict[str, dict[str, Decimal]] = defaultdict(_empty_costs)
    for r in base.values("currency").annotate(**money).order_by():
        total_costs[r["currency"]] = {
            "claim": r["claim"] or ZERO,
            "credit": r["credit"] or ZERO,
            "replacement": r["replacement"] or ZERO,
        }
    total_qty = ComplaintLine.objects.filter(complaint__in=base).aggregate(q=Sum("quantity"))["q"] or ZERO

    ordered = sorted(groups.values(), key=lambda g: g["sort"] if group_by == "month" else (-g["count"], g["sort"]))
    result_rows = [
        {
            "key": g["key"].isoformat() if isinstance(g["key"], dt.date) else g["key"],
            "label": g["label"],
            "count": g["count"],
            "quantity": g["quantity"],
            "costs": _costs_list(g["costs"]),
        }
        for g in ordered
    ]
    causes = cause_pareto(base, zh=zh)
    figures = base.aggregate(
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        rejected=Count("id", filter=Q(status=ComplaintStatus.REJECTED)),
        closed=Count("id", filter=closed),
    )
    answered = list(base.filter(answered_date__isnull=False).values_list("received_date", "answered_date"))
    calendar = company_calendar()
    average = (
        (Decimal(sum(calendar.between(r, a) for r, a in answered)) / len(answered)).quantize(Decimal("0.1"))
        if answered
        else None
    )
    return {
        "date_from": date_from,
        "date_to": date_to,
        "group_by": group_by,
        "rows": result_rows,
        "totals": {"count": totals["n"], "quantity": total_qty, "costs": _costs_list(total_costs)},
        "causes": causes["rows"],
        "not_investigated": causes["without"],
        "open": figures["open"],
        "closed": figures["closed"],
        "rejected": figures["rejected"],
        "average_days_to_answer": average,
    }


def _label(group_by: str, key: Any, row: dict[str, Any], fields: tuple[str, ...], zh: bool) -> tuple[str, Any]:
    if group_by == "month":
        return (f"{key:%Y-%m}" if key else "—"), key
    if group_by == "severity":
        from gendan.service.choices import Severity

        order = {s: n for n, s in enumerate(Severity.values)}
        return str(Severity(key).label), order.get(key, 9)
    if key is None:
        empty = {
            "cause": _("No root cause"),
            "department": _("Not routed yet"),
        }.get(group_by, "—")
        return str(empty), "~"
    code, name, name_en = (row[f] for f in fields)
    if group_by == "customer":
        return f"{code} {(name if zh else (name_en or name))}", code
    if group_by == "department":
        return (name if zh else (name_en or name)) or code, code
    return (name if zh else name_en) or code, code


def _by_product(base: QuerySet[Complaint], group: Any) -> None:
    """Each complaint's quantity and money shared between its products by their quantity affected."""
    lines = list(
        ComplaintLine.objects.filter(complaint__in=base)
        .values(
            "complaint_id",
            "product_id",
            "product__code",
            "product__name",
            "quantity",
        )
        .order_by("complaint_id", "position")
    )
    complaints = {
        r["id"]: r
        for r in base.values(
            "id", "currency", "claim_amount", "credit_amount", "replacement_value", "status"
        ).order_by()
    }
    per_complaint: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        per_complaint[line["complaint_id"]].append(line)
    for cid, c in complaints.items():
        cur = c["currency"]
        closed = c["status"] == ComplaintStatus.CLOSED
        amounts = {
            "claim": c["claim_amount"],
            "credit": c["credit_amount"] if closed else ZERO,
            "replacement": c["replacement_value"] if closed else ZERO,
        }
        own = per_complaint.get(cid)
        if not own:
            g = group(None, str(_("No product given")), "~")
            g["count"] += 1
            for k, v in amounts.items():
                g["costs"][cur][k] += v
            continue
        total = sum((ln["quantity"] for ln in own), ZERO)
        left = dict(amounts)
        seen: set[int] = set()
        for i, ln in enumerate(own):
            g = group(ln["product_id"], f"{ln['product__code']} {ln['product__name']}", ln["product__code"])
            if ln["product_id"] not in seen:
                g["count"] += 1
                seen.add(ln["product_id"])
            g["quantity"] += ln["quantity"]
            last = i == len(own) - 1
            for k, v in amounts.items():
                share = left[k] if last else round_money(v * ln["quantity"] / total, cur)
                left[k] -= share
                g["costs"][cur][k] += share


def cause_pareto(base: QuerySet[Complaint], *, zh: bool) -> dict[str, Any]:
    """Complaints per root-cause category, most first, with the share and the cumulative share (percent)."""
    counts = list(
        base.filter(root_cause__isnull=False)
        .values("root_cause__code", "root_cause__name_zh", "root_cause__name_en")
        .annotate(n=Count("id"))
        .order_by("-n", "root_cause__code")
    )
    without = base.filter(root_cause__isnull=True).exclude(status=ComplaintStatus.REJECTED).count()
    total = sum(r["n"] for r in counts)
    rows, running = [], 0
    for r in counts:
        running += r["n"]
        rows.append(
            {
                "code": r["root_cause__code"],
                "label": (r["root_cause__name_zh"] if zh else r["root_cause__name_en"]) or r["root_cause__code"],
                "count": r["n"],
                "pct": (Decimal(r["n"] * 100) / total).quantize(Decimal("0.1")),
                "cumulative_pct": (Decimal(running * 100) / total).quantize(Decimal("0.1")),
            }
        )
    return {"rows": rows, "without": without}
