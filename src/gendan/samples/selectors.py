"""Samples' reads: the sample and dispatch registers, a sample's rounds, an order's samples, and the chase-list rows
(late checklist steps, samples not sent by their required-by date, customers' feedback due on dispatches)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from gendan.core import clock
from gendan.core.exceptions import NotFound
from gendan.core.models import Attachment, User
from gendan.samples.choices import NOT_SENT_STATUSES, OPEN_STATUSES, ItemKind, SampleStatus
from gendan.samples.models import Dispatch, DispatchItem, Sample, SampleRound, SampleStep

SAMPLE = "sample"  # the chase-list kinds
DISPATCH = "dispatch"


def _late_steps(day: dt.date) -> QuerySet[SampleStep]:
    """Steps of a sample's current round past their planned date and not done."""
    return SampleStep.objects.filter(
        round__sample=OuterRef("pk"),
        round__number=OuterRef("round"),
        actual_date__isnull=True,
        planned_date__lt=day,
    )


def sample_list(
    *,
    q: str = "",
    status: str = "",
    kind: str = "",
    customer_id: int | None = None,
    order_id: int | None = None,
    order: str = "",
    owner: str | int | None = None,
    overdue: bool = False,
    required_from: dt.date | None = None,
    required_to: dt.date | None = None,
) -> QuerySet[Sample]:
    """Samples, newest first. `status` "open" means not yet decided nor cancelled; `overdue`: not sent by the
    required-by date, or a step of the current round late."""
    today = clock.today()
    qs = Sample.objects.select_related("customer", "order", "product", "owner", "maker_supplier").annotate(
        has_late_step=Exists(_late_steps(today))
    )
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if order_id:
        qs = qs.filter(order_id=order_id)
    order = (order or "").strip()
    if order:
        qs = qs.filter(order_id=int(order)) if order.isdigit() else qs.filter(order__number__icontains=order)
    if owner:
        qs = qs.filter(owner_id=int(owner)) if str(owner).isdigit() else qs.filter(owner__username=owner)
    if required_from:
        qs = qs.filter(required_date__gte=required_from)
    if required_to:
        qs = qs.filter(required_date__lte=required_to)
    if overdue:
        qs = qs.filter(
            Q(status__in=NOT_SENT_STATUSES, required_date__lt=today)
            | Q(status__in=NOT_SENT_STATUSES, has_late_step=True)
        )
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(description__icontains=q)
            | Q(customer__code__icontains=q)
            | Q(order__number__icontains=q)
            | Q(product__code__icontains=q)
        )
    return qs.order_by("-created_at", "-id")


def get_sample(pk: int) -> Sample:
    found = (
        Sample.objects.select_related(
            "customer", "order__customer", "order_line", "product", "owner", "requested_by", "maker_supplier"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("There is no sample %(id)s.") % {"id": pk})
    return found


def rounds_of(sample: Sample, *, newest_first: bool = True) -> list[SampleRound]:
    """A sample's rounds with their steps, attachments and dispatches (four queries)."""
    today = clock.today()
    rounds = list(
        SampleRound.objects.filter(sample=sample)
        .select_related("decided_by")
        .prefetch_related(
            Prefetch("steps", queryset=SampleStep.objects.order_by("position")),
            Prefetch("dispatch_items", queryset=DispatchItem.objects.select_related("dispatch")),
        )
        .order_by("-number" if newest_first else "number")
    )
    files: dict[int, list[Attachment]] = {}
    if rounds:
        ct = ContentType.objects.get_for_model(SampleRound)
        for att in Attachment.objects.filter(content_type=ct, object_id__in=[r.pk for r in rounds]).select_related(
            "uploaded_by"
        ):
            files.setdefault(att.object_id, []).append(att)
    for r in rounds:
        r.files = files.get(r.pk, [])
        r.is_current = r.number == sample.round
        for step in r.steps.all():
            step.is_late = step.actual_date is None and step.planned_date < today and r.is_current
    return rounds


def order_samples(order_id: int) -> list[Sample]:
    """An order's samples for its page (newest first)."""
    today = clock.today()
    return list(
        Sample.objects.filter(order_id=order_id)
        .select_related("product", "owner", "maker_supplier")
        .annotate(has_late_step=Exists(_late_steps(today)))
        .order_by("-created_at", "-id")
    )


def customer_samples(customer_id: int, *, limit: int = 15) -> list[Sample]:
    """A customer's latest samples for its file (newest first)."""
    today = clock.today()
    return list(
        Sample.objects.filter(customer_id=customer_id)
        .select_related("product", "owner", "maker_supplier", "order")
        .annotate(has_late_step=Exists(_late_steps(today)))
        .order_by("-created_at", "-id")[:limit]
    )


def open_samples_of(user: User) -> QuerySet[Sample]:
    """The user's open samples, the most pressing required-by date first."""
    today = clock.today()
    return (
        Sample.objects.filter(owner=user, status__in=OPEN_STATUSES)
        .select_related("customer", "order", "product")
        .annotate(has_late_step=Exists(_late_steps(today)))
        .order_by("required_date", "pk")
    )


# ---- dispatches --------------------------------------------------------------------------------------------------


def _pending_rounds() -> QuerySet[DispatchItem]:
    """Items of a dispatch whose sample round still waits for the customer's decision (a cancelled sample waits
    for nothing)."""
    return DispatchItem.objects.filter(
        dispatch=OuterRef("pk"), sample_round__isnull=False, sample_round__decision=""
    ).exclude(sample_round__sample__status=SampleStatus.CANCELLED)


def awaiting_feedback_q() -> Q:
    """Dispatches still waiting for the customer: feedback not marked received, and a sample round of it not
    decided yet, or no sample in it at all (catalogues, swatches: the owner hears back and marks it)."""
    has_samples = DispatchItem.objects.filter(dispatch=OuterRef("pk"), sample_round__isnull=False)
    return Q(feedback_received_date__isnull=True) & (Exists(_pending_rounds()) | ~Exists(has_samples))


def dispatch_list(
    *,
    q: str = "",
    customer_id: int | None = None,
    courier: str = "",
    courier_supplier_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    awaiting_feedback: bool = False,
    owner: str | int | None = None,
) -> QuerySet[Dispatch]:
    """The dispatch register (样品寄送登记), latest sent first, with its items (two queries a page)."""
    qs = (
        Dispatch.objects.select_related("customer", "contact", "courier_supplier", "owner")
        .prefetch_related(
            Prefetch("items", queryset=DispatchItem.objects.select_related("sample_round__sample").order_by("position"))
        )
        .annotate(
            is_awaiting=Q(feedback_received_date__isnull=True)
            & (
                Exists(_pending_rounds())
                | ~Exists(DispatchItem.objects.filter(dispatch=OuterRef("pk"), sample_round__isnull=False))
            )
        )
    )
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if courier_supplier_id:
        qs = qs.filter(courier_supplier_id=courier_supplier_id)
    if courier.strip():
        qs = qs.filter(courier__icontains=courier.strip())
    if date_from:
        qs = qs.filter(sent_date__gte=date_from)
    if date_to:
        qs = qs.filter(sent_date__lte=date_to)
    if awaiting_feedback:
        qs = qs.filter(awaiting_feedback_q())
    if owner:
        qs = qs.filter(owner_id=int(owner)) if str(owner).isdigit() else qs.filter(owner__username=owner)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(tracking_no__icontains=q) | Q(customer__code__icontains=q))
    return qs.order_by("-sent_date", "-id")


def get_dispatch(pk: int) -> Dispatch:
    found = dispatch_list().filter(pk=pk).first()
    if found is None:
        raise NotFound(_("There is no dispatch %(id)s.") % {"id": pk})
    return found


def dispatchable_samples(customer_id: int | None) -> QuerySet[Sample]:
    """Ready samples waiting to be sent (of one customer when given)."""
    qs = Sample.objects.filter(status=SampleStatus.READY).select_related("customer", "product", "order")
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return qs.order_by("required_date", "pk")


def item_summary(dispatch: Dispatch) -> str:
    """The items in one line, for the register and its export."""
    parts = []
    for item in dispatch.items.all():
        if item.kind == ItemKind.SAMPLE and item.sample_round_id:
            parts.append(f"{item.sample_round.sample.number} #{item.sample_round.number}")
        else:
            parts.append(f"{item.get_kind_display()} {item.description} × {item.quantity.normalize():f}")
    return "; ".join(parts)


# ---- the chase list ----------------------------------------------------------------------------------------------


def _row(**kw: Any) -> Any:
    from gendan.followup.selectors import ChaseRow

    return ChaseRow(**kw)


def _chase_samples(q: Any) -> list[Any]:
    """The user's samples (and, for samples a supplier makes, those of the orders or customers the user follows as
    merchandiser): the first checklist step of the current round not done by its planned date (due within the
    horizon), and the sample not sent by its required-by date."""
    user, day, until, calendar = q.user, q.day, q.until, q.calendar
    mine = Q(owner=user) | (
        Q(maker_supplier__isnull=False)
        & (Q(order__merchandiser=user) | Q(order__isnull=True, customer__merchandiser=user))
    )
    samples = list(
        Sample.objects.filter(mine, status__in=NOT_SENT_STATUSES)
        .select_related("customer", "order", "maker_supplier")
        .order_by("required_date", "pk")
    )
    if not samples:
        return []
    steps: dict[int, list[SampleStep]] = {}
    for step in (
        SampleStep.objects.filter(round__sample__in=samples, actual_date__isnull=True, planned_date__lte=until)
        .select_related("round")
        .order_by("position")
    ):
        steps.setdefault(step.round.sample_id, []).append(step)
    rows = []
    for s in samples:
        url = reverse("samples:detail", args=[s.pk])
        common = {
            "order_id": s.order_id,
            "order_number": s.order.number if s.order_id else "",
            "milestone_id": None,
            "milestone_code": None,
            "object_id": s.pk,
            "url": url,
            "customer": s.customer.code,
            "tier": s.customer.tier,
            "amount": s.order.total_amount if s.order_id else Decimal(0),
            "currency": s.order.currency if s.order_id else s.currency,
            "kind": SAMPLE,
            "kind_label": _("Sample"),
            "document": s.number,
        }
        maker = f" ({s.maker_supplier.code})" if s.maker_supplier_id else ""
        late = [st for st in steps.get(s.pk, []) if st.round.number == s.round]
        if late:
            step = late[0]
            reason = _("%(step)s planned %(planned)s, not done — %(number)s for %(customer)s, required by %(due)s") % {
                "step": step.get_step_display(),
                "planned": f"{step.planned_date:%m-%d}",
                "number": s.number,
                "customer": s.customer.code,
                "due": f"{s.required_date:%m-%d}",
            }
            if len(late) > 1:
                reason += " " + _("(and %(n)s more steps)") % {"n": len(late) - 1}
            rows.append(
                _row(
                    milestone_name=str(step.get_step_display()) + maker,
                    due_date=step.planned_date,
                    days_late=calendar.between(step.planned_date, day),
                    reason=reason,
                    **common,
                )
            )
        if s.required_date <= until:
            reason = _("%(number)s for %(customer)s is %(status)s, not sent — required by %(due)s") % {
                "number": s.number,
                "customer": s.customer.code,
                "status": s.get_status_display(),
                "due": f"{s.required_date:%m-%d}",
            }
            rows.append(
                _row(
                    milestone_name=s.get_kind_display() + maker,
                    due_date=s.required_date,
                    days_late=calendar.between(s.required_date, day),
                    reason=reason,
                    **common,
                )
            )
    return rows


def _chase_dispatches(q: Any) -> list[Any]:
    """The user's dispatches whose customer's feedback is due by the horizon's end and not in yet."""
    user, day, until, calendar = q.user, q.day, q.until, q.calendar
    dispatches = list(
        Dispatch.objects.filter(awaiting_feedback_q(), owner=user, feedback_due_date__lte=until)
        .select_related("customer")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=DispatchItem.objects.select_related("sample_round__sample__order").order_by("position"),
            )
        )
        .order_by("feedback_due_date", "pk")
    )
    rows = []
    for d in dispatches:
        items = list(d.items.all())
        waiting = [
            i.sample_round.sample
            for i in items
            if i.sample_round_id and not i.sample_round.decision and i.sample_round.sample.status != "cancelled"
        ]
        order = next((s.order for s in waiting if s.order_id), None)
        if d.arrival_date:
            when = _("arrived %(date)s") % {"date": f"{d.arrival_date:%m-%d}"}
        else:
            when = _("expected %(date)s") % {"date": f"{d.expected_arrival_date:%m-%d}"}
        what = ", ".join(s.number for s in waiting) or _("%(n)s items") % {"n": len(items)}
        reason = _("Feedback from %(customer)s due %(due)s on %(number)s (%(what)s, %(when)s)") % {
            "customer": d.customer.code,
            "due": f"{d.feedback_due_date:%m-%d}",
            "number": d.number,
            "what": what,
            "when": when,
        }
        rows.append(
            _row(
                kind=DISPATCH,
                kind_label=_("Sample feedback"),
                document=d.number,
                order_id=order.pk if order else None,
                order_number=order.number if order else "",
                milestone_id=None,
                milestone_code=None,
                milestone_name=d.courier,
                due_date=d.feedback_due_date,
                days_late=calendar.between(d.feedback_due_date, day),
                reason=reason,
                object_id=d.pk,
                url=reverse("samples:dispatch", args=[d.pk]),
                customer=d.customer.code,
                tier=d.customer.tier,
                amount=order.total_amount if order else Decimal(0),
                currency=order.currency if order else d.currency,
            )
        )
    return rows


def register() -> None:
    from gendan.followup.selectors import register_chase_source

    register_chase_source(_chase_samples)
    register_chase_source(_chase_dispatches)
