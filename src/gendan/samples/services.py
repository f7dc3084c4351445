"""Samples' writes: requests and their transitions, rounds and the sampling checklist, the dispatch register.

A sample request (打样) moves requested → in progress → ready → sent → approved / approved with comments, or is
cancelled from any open status with a reason. The customer's rejection is a decision on the round: the sample goes
back in progress in a new round (1, 2, 3…) with a new required-by date and a fresh checklist. Each round's
checklist (pattern, material, making, internal check) is planned backwards from its required-by date on working
days. A dispatch (寄样) sends ready samples (they become sent) and free items by courier; the customer's feedback is
due `GENDAN_SAMPLE_FEEDBACK_DAYS` working days after the arrival (the expected one while the actual is unknown).

An order's PP sample drives its T&A plan: approval records the "PPS" milestone's actual date, a rejection feeds the
milestone the new round's expected approval date, so the order re-forecasts.

Every command runs in one transaction, locks the row it changes, checks the optimistic `version` when given and
records the audit trail.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from gendan.catalog.models import Product
from gendan.core import audit, clock
from gendan.core.calendar import WorkingCalendar, company_calendar
from gendan.core.choices import AuditAction
from gendan.core.cleaning import clean_choice as _choice
from gendan.core.cleaning import clean_date as _date
from gendan.core.cleaning import clean_decimal as _decimal
from gendan.core.cleaning import clean_id as _id
from gendan.core.cleaning import clean_text as _text
from gendan.core.editing import check_version
from gendan.core.exceptions import TransitionNotAllowed, ValidationError
from gendan.core.models import Attachment, User
from gendan.core.money import Currency, places
from gendan.core.numbering import next_number
from gendan.partners.choices import SupplierKind
from gendan.partners.models import Contact, Customer, Supplier
from gendan.sales import selectors as sales_selectors
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order, OrderLine
from gendan.samples.choices import (
    OPEN_STATUSES,
    STEP_LEAD_DAYS,
    TRANSITIONS,
    Decision,
    ItemKind,
    PaidBy,
    SampleKind,
    SampleStatus,
    Step,
)
from gendan.samples.models import Dispatch, DispatchItem, Sample, SampleRound, SampleStep

SAMPLE_PREFIX = "SP"
DISPATCH_PREFIX = "DS"
PPS_CODE = "PPS"  # the default T&A template's "PP sample approved" (产前样确认) milestone

# Working days a new round takes after a rejection: the pattern corrected, material, making, the internal check
# (the checklist's leads, STEP_LEAD_DAYS, fit in it). The new round is required by then.
RESAMPLE_DAYS = 7
# Working days an express courier takes to the customer: the default expected arrival of a dispatch, and part of
# a round's expected approval date (required by + courier + the customer's feedback days).
COURIER_DAYS = 3

SAMPLE_FIELDS = [
    "kind",
    "customer",
    "order",
    "order_line",
    "product",
    "description",
    "quantity",
    "colours_sizes",
    "required_date",
    "maker_supplier",
    "cost",
    "currency",
    "paid_by",
    "owner",
    "notes",
]
DISPATCH_FIELDS = [
    "customer",
    "contact",
    "address",
    "phone",
    "sent_date",
    "courier_supplier",
    "courier",
    "tracking_no",
    "cost",
    "currency",
    "expected_arrival_date",
    "notes",
]
MAKER_KINDS = (SupplierKind.MATERIAL, SupplierKind.SUBCONTRACT)


def feedback_days() -> int:
    """Working days after a dispatch arrives when the customer's feedback is chased (GENDAN_SAMPLE_FEEDBACK_DAYS)."""
    return int(getattr(settings, "GENDAN_SAMPLE_FEEDBACK_DAYS", 3))


def _ensure(by: User, perm: str, message: str) -> None:
    from gendan.core.services import ensure_can

    ensure_can(by, perm, message)


# ---- input cleaning ----------------------------------------------------------------------------------------------


def _cost(data: dict[str, Any], current: dict[str, Any], errors: dict[str, str]) -> tuple[Decimal, str]:
    """A cost and its currency from `data`, else as they are (`current`): the cost in the currency's decimals."""
    currency = current.get("currency", Currency.CNY)
    if "currency" in data:
        currency = str(data.get("currency") or "").upper()
        if currency not in Currency.values:
            errors["currency"] = _("Choose a currency.")
            currency = Currency.CNY
    cost = current.get("cost", Decimal(0))
    if "cost" in data or "currency" in data:
        raw = data.get("cost", cost)
        cost = _decimal(
            0 if raw in (None, "") else raw, "cost", errors, decimals=places(currency), positive=False, max_digits=16
        )
    return cost, currency


def plan_steps(required: dt.date, start: dt.date, calendar: WorkingCalendar) -> dict[str, dt.date]:
    """Each checklist step's planned date: its lead in working days before the required-by date, not before the
    round's start (a short round piles its steps up on the first days: that shows how tight it is)."""
    return {step: max(calendar.add(required, -lead), start) for step, lead in STEP_LEAD_DAYS.items()}


def expected_approval(round_: SampleRound, calendar: WorkingCalendar | None = None) -> dt.date:
    """When the customer is expected to decide on a round: sent by its required-by date, a courier's days on the
    way, then the feedback days."""
    calendar = calendar or company_calendar()
    return calendar.add(round_.required_date, COURIER_DAYS + feedback_days())


def _clean_sample(data: dict[str, Any], *, sample: Sample | None, by: User) -> dict[str, Any]:
    """Check a sample's fields (`sample` is the one being changed: what `data` does not name is kept)."""
    errors: dict[str, str] = {}
    current = {name: getattr(sample, name) for name in SAMPLE_FIELDS} if sample else {}

    def given(name: str, key: str | None = None) -> bool:
        return (key or name) in data

    kind = current.get("kind")
    if given("kind") or sample is None:
        kind = _choice(data.get("kind"), SampleKind, "kind", errors)

    order = current.get("order")
    if given("order_id"):
        order_id = _id(data.get("order_id"))
        order = (
            Order.objects.select_related("customer", "merchandiser").filter(pk=order_id).first() if order_id else None
        )
        if order_id and order is None:
            errors["order_id"] = _("There is no order %(id)s.") % {"id": data.get("order_id")}
        elif order is not None and order.status == OrderStatus.CANCELLED:
            errors["order_id"] = _("Order %(number)s is cancelled.") % {"number": order.number}

    customer = sales_selectors.customer_for(
        data,
        current=current.get("customer"),
        order=order,
        errors=errors,
        missing=_("Choose the customer (or the order) the sample is for."),
    )

    line = current.get("order_line")
    if given("order_line_id") or (
        given("order_id") and line is not None and (order is None or line.order_id != order.pk)
    ):
        line_id = _id(data.get("order_line_id"))
        line = OrderLine.objects.select_related("product").filter(pk=line_id).first() if line_id else None
        if line_id and (line is None or order is None or line.order_id != order.pk):
            errors["order_line_id"] = (
                _("Order %(number)s has no line %(id)s.") % {"number": order.number, "id": data.get("order_line_id")}
                if order is not None
                else _("Choose the order first.")
            )
            line = None

    product = current.get("product")
    if given("product_id") and data.get("product_id") not in (None, ""):
        product_id = _id(data.get("product_id"))
        product = Product.objects.filter(pk=product_id).first()
        if product is None:
            errors["product_id"] = _("There is no product %(id)s.") % {"id": data.get("product_id")}
    elif given("product_id"):
        product = line.product if line is not None else None
    elif line is not None and (sample is None or given("order_line_id")):
        product = line.product

    description = _text(data.get("description"), 5000) if given("description") else current.get("description", "")
    if product is None and not description and "product_id" not in errors:
        errors["description"] = _("Describe the sample, or choose its product.")

    quantity = current.get("quantity")
    if given("quantity") or sample is None:
        raw = data.get("quantity")
        quantity = _decimal(
            1 if raw in (None, "") and sample is None else raw,
            "quantity",
            errors,
            decimals=3,
            positive=True,
            max_digits=14,
        )

    colours = _text(data.get("colours_sizes"), 300) if given("colours_sizes") else current.get("colours_sizes", "")

    required = current.get("required_date")
    if given("required_date") or sample is None:
        required = _date(data.get("required_date"), "required_date", errors)
        if required is None and "required_date" not in errors:
            errors["required_date"] = _("Say by when the sample is required.")
        elif required is not None and required < clock.today() and required != current.get("required_date"):
            errors["required_date"] = _("The required-by date cannot be in the past.")

    maker = current.get("maker_supplier")
    if given("maker_supplier_id"):
        maker_id = _id(data.get("maker_supplier_id"))
        maker = Supplier.objects.filter(pk=maker_id).first() if maker_id else None
        if maker_id and maker is None:
            errors["maker_supplier_id"] = _("There is no supplier %(id)s.") % {"id": data.get("maker_supplier_id")}
        elif maker is not None and maker.kind not in MAKER_KINDS:
            errors["maker_supplier_id"] = _("%(code)s is a %(kind)s: choose a material supplier or a factory.") % {
                "code": maker.code,
                "kind": maker.get_kind_display(),
            }
        elif maker is not None and not maker.is_active and maker != current.get("maker_supplier"):
            errors["maker_supplier_id"] = _("%(code)s is inactive.") % {"code": maker.code}

    cost, currency = _cost(data, current, errors)

    paid_by = current.get("paid_by", PaidBy.COMPANY)
    if given("paid_by"):
        paid_by = _choice(data.get("paid_by") or PaidBy.COMPANY, PaidBy, "paid_by", errors)

    owner = current.get("owner")
    if given("owner_id") and data.get("owner_id") not in (None, ""):
        owner = User.objects.filter(pk=_id(data.get("owner_id")), is_active=True).first()
        if owner is None:
            errors["owner_id"] = _("There is no active user %(id)s.") % {"id": data.get("owner_id")}
        elif not owner.has_perm("samples.change_sample"):
            errors["owner_id"] = _("%(name)s cannot follow samples.") % {"name": owner.username}
    elif sample is None:
        owner = order.merchandiser if order is not None and order.merchandiser_id else by

    if kind == SampleKind.PP and order is None and "order_id" not in errors:
        errors["order_id"] = _("A PP sample is made for an order: choose the order.")

    if sample is not None and sample.status != SampleStatus.REQUESTED:
        for name, key, value in (
            ("kind", "kind", kind),
            ("customer", "customer_id", customer),
            ("order", "order_id", order),
        ):
            if key in data and value != current[name]:
                errors[key] = _("%(number)s is %(status)s: its kind, customer and order are kept.") % {
                    "number": sample.number,
                    "status": sample.get_status_display(),
                }

    notes = _text(data.get("notes"), 5000) if given("notes") else current.get("notes", "")
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "customer": customer,
        "order": order,
        "order_line": line,
        "product": product,
        "description": description,
        "quantity": quantity,
        "colours_sizes": colours,
        "required_date": required,
        "maker_supplier": maker,
        "cost": cost,
        "currency": currency,
        "paid_by": paid_by,
        "owner": owner,
        "notes": notes,
    }


# ---- rounds ------------------------------------------------------------------------------------------------------


def _new_round(sample: Sample, number: int, required: dt.date, *, started: dt.date | None) -> SampleRound:
    calendar = company_calendar()
    round_ = SampleRound.objects.create(sample=sample, number=number, required_date=required, started_date=started)
    planned = plan_steps(required, clock.today(), calendar)
    SampleStep.objects.bulk_create(
        [
            SampleStep(round=round_, step=step, position=position, planned_date=planned[step])
            for position, step in enumerate(Step.values, start=1)
        ]
    )
    return round_


def current_round(sample: Sample) -> SampleRound:
    return SampleRound.objects.get(sample=sample, number=sample.round)


def _replan_round(round_: SampleRound) -> None:
    """A new required-by date: the steps not done and not planned by hand are planned again from it."""
    planned = plan_steps(round_.required_date, clock.today(), company_calendar())
    for step in round_.steps.filter(actual_date__isnull=True, planned_edited=False):
        if step.planned_date != planned[step.step]:
            step.planned_date = planned[step.step]
            step.save(update_fields=["planned_date"])


# ---- samples -----------------------------------------------------------------------------------------------------


def _lock(sample: Sample) -> Sample:
    return (
        Sample.objects.select_for_update(of=("self",))
        .select_related("customer", "order", "product", "owner", "maker_supplier")
        .get(pk=sample.pk)
    )


@transaction.atomic
def create_sample(*, by: User, data: dict[str, Any]) -> Sample:
    """Request a sample: for a customer, and an order (the owner is then the order's merchandiser) or an enquiry.
    Round 1 is opened with its checklist planned backwards from the required-by date."""
    _ensure(by, "samples.add_sample", _("You may not request samples."))
    clean = _clean_sample(data, sample=None, by=by)
    sample = Sample.objects.create(number=next_number(SAMPLE_PREFIX), requested_by=by, **clean)
    _new_round(sample, 1, sample.required_date, started=None)
    audit.record_create(instance=sample, by=by, fields=SAMPLE_FIELDS, related=sample.order)
    return sample


@transaction.atomic
def update_sample(*, sample: Sample, by: User, data: dict[str, Any], version: int | None = None) -> Sample:
    """Change an open sample (kind, customer and order only while it is requested). A new required-by date moves
    the current round's and its checklist's plan; for a PP sample in a later round, the PPS forecast follows."""
    _ensure(by, "samples.change_sample", _("You may not change samples."))
    locked = _lock(sample)
    check_version(locked, version)
    if locked.status not in OPEN_STATUSES:
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s: it cannot be changed.")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    clean = _clean_sample(data, sample=locked, by=by)
    before = audit.snapshot(locked, SAMPLE_FIELDS)
    for name, value in clean.items():
        setattr(locked, name, value)
    changes = audit.diff(before, audit.snapshot(locked, SAMPLE_FIELDS))
    if not changes:
        return locked
    locked.version += 1
    locked.save()
    audit.record(instance=locked, action=AuditAction.UPDATE, by=by, changes=changes, related=locked.order)
    if "required_date" in changes:
        round_ = current_round(locked)
        round_.required_date = locked.required_date
        round_.save(update_fields=["required_date"])
        _replan_round(round_)
        if locked.round > 1:
            _feed_pps(
                locked,
                round_,
                by=by,
                note=_("PP sample round %(n)s now required by %(date)s")
                % {
                    "n": locked.round,
                    "date": locked.required_date.isoformat(),
                },
            )
    return locked


def _refuse(sample: Sample, action: str) -> TransitionNotAllowed:
    target = SampleStatus(TRANSITIONS[action][1]).label
    return TransitionNotAllowed(
        _("%(number)s is %(status)s: it cannot move to %(target)s.")
        % {"number": sample.number, "status": sample.get_status_display(), "target": target}
    )


def _move(sample: Sample, action: str, *, by: User, message: str = "", **fields: Any) -> None:
    """Move a locked sample by `action` (its other changed fields too), count a version, record it."""
    allowed, status = TRANSITIONS[action]
    if sample.status not in allowed:
        raise _refuse(sample, action)
    changes: dict[str, list[Any]] = {"status": [sample.status, status]}
    for name, value in fields.items():
        changes[name] = [getattr(sample, name), value]
        setattr(sample, name, value)
    sample.status = status
    sample.version += 1
    sample.save()
    audit.record(
        instance=sample,
        action=AuditAction.TRANSITION,
        by=by,
        changes=changes,
        message=message[:500],
        related=sample.order,
    )


def _record_round(round_: SampleRound, sample: Sample, by: User | None, **fields: Any) -> None:
    changes = {name: [getattr(round_, name), value] for name, value in fields.items() if getattr(round_, name) != value}
    if not changes:
        return
    for name, value in fields.items():
        setattr(round_, name, value)
    round_.save(update_fields=list(fields))
    audit.record(instance=round_, action=AuditAction.UPDATE, by=by, changes=changes, related=sample)


@transaction.atomic
def start_sample(*, sample: Sample, by: User, comment: str = "", version: int | None = None) -> Sample:
    """The sample room or the supplier starts on it: the round's start date is today."""
    _ensure(by, "samples.change_sample", _("You may not move samples."))
    locked = _lock(sample)
    check_version(locked, version)
    _move(locked, "start", by=by, message=comment)
    round_ = current_round(locked)
    _record_round(round_, locked, by, started_date=clock.today())
    return locked


@transaction.atomic
def mark_ready(*, sample: Sample, by: User, comment: str = "", version: int | None = None) -> Sample:
    """The sample is made and checked: the round is ready today, and the checklist's steps still open are done
    today (the sample exists, so they are)."""
    _ensure(by, "samples.change_sample", _("You may not move samples."))
    locked = _lock(sample)
    check_version(locked, version)
    _move(locked, "ready", by=by, message=comment)
    today = clock.today()
    round_ = current_round(locked)
    _record_round(round_, locked, by, ready_date=today, started_date=round_.started_date or today)
    open_steps = list(round_.steps.filter(actual_date__isnull=True))
    if open_steps:
        round_.steps.filter(pk__in=[s.pk for s in open_steps]).update(actual_date=today)
        audit.record(
            instance=round_,
            action=AuditAction.UPDATE,
            by=by,
            changes={s.step: [None, today] for s in open_steps},
            message=_("Done when the sample was marked ready"),
            related=locked,
        )
    return locked


def _send(locked: Sample, *, by: User, day: dt.date, message: str) -> SampleRound:
    _move(locked, "send", by=by, message=message)
    round_ = current_round(locked)
    _record_round(round_, locked, by, sent_date=day)
    return round_


@transaction.atomic
def send_sample(
    *, sample: Sample, by: User, comment: str = "", version: int | None = None, day: dt.date | None = None
) -> Sample:
    """Sent without a dispatch (handed over at a visit, fetched by the customer): the round is sent on `day`."""
    _ensure(by, "samples.change_sample", _("You may not move samples."))
    locked = _lock(sample)
    check_version(locked, version)
    errors: dict[str, str] = {}
    day = _date(day, "date", errors) or clock.today()
    if not errors and day > clock.today():
        errors["date"] = _("The sample cannot be sent in the future.")
    if errors:
        raise ValidationError(errors)
    _send(locked, by=by, day=day, message=comment)
    return locked


def _decision_day(value: Any, round_: SampleRound) -> dt.date:
    errors: dict[str, str] = {}
    day = _date(value, "date", errors) or clock.today()
    if not errors and day > clock.today():
        errors["date"] = _("The customer cannot decide in the future.")
    elif not errors and round_.sent_date and day < round_.sent_date:
        errors["date"] = _("The customer cannot decide before the sample was sent (%(date)s).") % {
            "date": round_.sent_date.isoformat()
        }
    if errors:
        raise ValidationError(errors)
    return day


@transaction.atomic
def approve_sample(
    *,
    sample: Sample,
    by: User,
    with_comments: bool = False,
    comment: str = "",
    day: Any = None,
    version: int | None = None,
) -> Sample:
    """The customer approves the round (with comments: what to correct in bulk, required then). An order's PP
    sample records the order's "PP sample approved" milestone as done that day."""
    _ensure(by, "samples.change_sample", _("You may not record the customer's decision."))
    locked = _lock(sample)
    check_version(locked, version)
    action = "approve_with_comments" if with_comments else "approve"
    if locked.status not in TRANSITIONS[action][0]:
        raise _refuse(locked, action)
    comment = str(comment or "").strip()
    if with_comments and not comment:
        raise ValidationError({"comment": _("Write the customer's comments.")})
    round_ = current_round(locked)
    decided = _decision_day(day, round_)
    decision = Decision.APPROVED_WITH_COMMENTS if with_comments else Decision.APPROVED
    _move(locked, action, by=by, message=comment)
    _record_round(round_, locked, by, decision=decision, decided_date=decided, comments=comment, decided_by=by)
    if locked.kind == SampleKind.PP and locked.order_id:
        from gendan.followup.services import complete_milestone

        note = _("%(number)s round %(n)s approved") % {"number": locked.number, "n": round_.number}
        if with_comments:
            note = _("%(number)s round %(n)s approved with comments: %(comment)s") % {
                "number": locked.number,
                "n": round_.number,
                "comment": comment,
            }
        complete_milestone(order_id=locked.order_id, code=PPS_CODE, day=decided, note=note[:500], by=by)
    return locked


def _feed_pps(sample: Sample, round_: SampleRound, *, by: User | None, note: str) -> None:
    """An order's PP sample in a later round: the PPS milestone's forecast is the round's expected approval."""
    if sample.kind != SampleKind.PP or not sample.order_id:
        return
    from gendan.followup.services import feed_dates

    feed_dates(code=PPS_CODE, dates={sample.order_id: (expected_approval(round_), note[:300])}, by=by)


@transaction.atomic
def reject_sample(
    *, sample: Sample, by: User, comment: str = "", day: Any = None, version: int | None = None
) -> Sample:
    """The customer rejects the round (the comments say why, required): the sample goes back in progress in a new
    round, required RESAMPLE_DAYS working days from today, its checklist planned again. An order's PP sample moves
    the "PP sample approved" forecast to the new round's expected approval, and the order re-forecasts."""
    _ensure(by, "samples.change_sample", _("You may not record the customer's decision."))
    locked = _lock(sample)
    check_version(locked, version)
    if locked.status not in TRANSITIONS["reject"][0]:
        raise _refuse(locked, "reject")
    comment = str(comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Write why the customer rejected the sample.")})
    round_ = current_round(locked)
    decided = _decision_day(day, round_)
    today = clock.today()
    calendar = company_calendar()
    required = calendar.add(today, RESAMPLE_DAYS)
    _record_round(round_, locked, by, decision=Decision.REJECTED, decided_date=decided, comments=comment, decided_by=by)
    _move(locked, "reject", by=by, message=comment, round=locked.round + 1, required_date=required)
    new_round = _new_round(locked, locked.round, required, started=today)
    audit.record(
        instance=new_round,
        action=AuditAction.CREATE,
        by=by,
        changes={"required_date": [None, required]},
        message=_("Round %(n)s after the customer's rejection") % {"n": new_round.number},
        related=locked,
    )
    note = _("PP sample round %(n)s rejected: %(comment)s") % {"n": round_.number, "comment": comment}
    _feed_pps(locked, new_round, by=by, note=note)
    return locked


@transaction.atomic
def cancel_sample(*, sample: Sample, by: User, reason: str = "", version: int | None = None) -> Sample:
    """Cancel an open sample (the reason is required). A PP sample no longer feeds its milestone's forecast."""
    _ensure(by, "samples.change_sample", _("You may not cancel samples."))
    locked = _lock(sample)
    check_version(locked, version)
    if locked.status not in TRANSITIONS["cancel"][0]:
        raise _refuse(locked, "cancel")
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError({"comment": _("Say why the sample is cancelled.")})
    _move(locked, "cancel", by=by, message=reason, cancel_reason=reason[:5000])
    if locked.kind == SampleKind.PP and locked.order_id:
        from gendan.followup.services import feed_dates

        feed_dates(code=PPS_CODE, dates={locked.order_id: (None, "")}, by=by)
    return locked


ACTIONS = ("start", "ready", "send", "approve", "reject", "cancel")


def transition(
    *, sample: Sample, action: str, by: User, comment: str = "", version: int | None = None, **extra: Any
) -> Sample:
    """One entry for the pages and the API: the named action with its comment."""
    if action == "start":
        return start_sample(sample=sample, by=by, comment=comment, version=version)
    if action == "ready":
        return mark_ready(sample=sample, by=by, comment=comment, version=version)
    if action == "send":
        return send_sample(sample=sample, by=by, comment=comment, version=version, day=extra.get("day"))
    if action == "approve":
        return approve_sample(
            sample=sample,
            by=by,
            comment=comment,
            with_comments=bool(extra.get("with_comments")),
            day=extra.get("day"),
            version=version,
        )
    if action == "reject":
        return reject_sample(sample=sample, by=by, comment=comment, day=extra.get("day"), version=version)
    if action == "cancel":
        return cancel_sample(sample=sample, by=by, reason=comment, version=version)
    raise ValidationError({"action": _("Unknown action %(action)s.") % {"action": action}})


# ---- the checklist -----------------------------------------------------------------------------------------------


@transaction.atomic
def update_steps(
    *,
    sample: Sample,
    round_number: int,
    by: User,
    steps: dict[str, dict[str, Any]],
    version: int | None = None,
) -> SampleRound:
    """Set planned and/or actual dates of a round's checklist steps ({step: {"planned_date", "actual_date"}}; a
    key left out is kept, an empty actual date clears it). Only the current round of an open sample; an actual
    date is not in the future."""
    _ensure(by, "samples.change_sample", _("You may not change the sampling checklist."))
    locked = _lock(sample)
    check_version(locked, version)
    if locked.status not in OPEN_STATUSES:
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s: its checklist is closed.")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    round_ = SampleRound.objects.filter(sample=locked, number=round_number).first()
    if round_ is None:
        raise ValidationError(
            {"round": _("%(number)s has no round %(n)s.") % {"number": locked.number, "n": round_number}}
        )
    if round_.number != locked.round:
        raise ValidationError({"round": _("Only the current round's checklist is changed.")})
    existing = {s.step: s for s in round_.steps.all()}
    errors: dict[str, str] = {}
    today = clock.today()
    changed: list[tuple[SampleStep, dict[str, list[Any]]]] = []
    for key, values in steps.items():
        step = existing.get(key)
        if step is None:
            errors["step"] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(Step.values)}
            continue
        changes: dict[str, list[Any]] = {}
        if "planned_date" in values:
            planned = _date(values["planned_date"], f"{key}.planned_date", errors)
            if planned is None and f"{key}.planned_date" not in errors:
                errors[f"{key}.planned_date"] = _("Give the planned date.")
            elif planned is not None and planned != step.planned_date:
                changes["planned_date"] = [step.planned_date, planned]
        if "actual_date" in values:
            actual = _date(values["actual_date"], f"{key}.actual_date", errors)
            if actual is not None and actual > today:
                errors[f"{key}.actual_date"] = _("A step cannot be done in the future.")
            elif f"{key}.actual_date" not in errors and actual != step.actual_date:
                changes["actual_date"] = [step.actual_date, actual]
        if changes:
            changed.append((step, changes))
    if errors:
        raise ValidationError(errors)
    if not changed:
        return round_
    for step, changes in changed:
        fields = []
        for name, (_old, new) in changes.items():
            setattr(step, name, new)
            fields.append(name)
        if "planned_date" in changes:
            step.planned_edited = True
            fields.append("planned_edited")
        step.save(update_fields=fields)
        audit.record(
            instance=step,
            action=AuditAction.UPDATE,
            by=by,
            changes={f"{step.step}.{name}": change for name, change in changes.items()},
            related=locked,
        )
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    return round_


@transaction.atomic
def add_round_attachment(*, sample: Sample, round_number: int, upload: Any, by: User) -> Attachment:
    """A photo or file of a round (the sample as sent, the customer's marked-up photos)."""
    from gendan.core.services import add_attachment

    _ensure(by, "samples.change_sample", _("You may not attach files to samples."))
    round_ = SampleRound.objects.filter(sample=sample, number=round_number).first()
    if round_ is None:
        raise ValidationError(
            {"round": _("%(number)s has no round %(n)s.") % {"number": sample.number, "n": round_number}}
        )
    return add_attachment(instance=round_, upload=upload, by=by, related=sample)


# ---- dispatches --------------------------------------------------------------------------------------------------


def feedback_due(arrival: dt.date, calendar: WorkingCalendar | None = None) -> dt.date:
    return (calendar or company_calendar()).add(arrival, feedback_days())


def _clean_dispatch(data: dict[str, Any], *, dispatch: Dispatch | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    current = {name: getattr(dispatch, name) for name in DISPATCH_FIELDS} if dispatch else {}
    calendar = company_calendar()

    def given(key: str) -> bool:
        return key in data

    customer = current.get("customer")
    if dispatch is None:
        customer_id = _id(data.get("customer_id"))
        customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
        if customer is None:
            errors["customer_id"] = (
                _("There is no customer %(id)s.") % {"id": data.get("customer_id")}
                if customer_id
                else _("Choose the customer.")
            )
    contact = current.get("contact")
    if given("contact_id"):
        contact_id = _id(data.get("contact_id"))
        contact = Contact.objects.filter(pk=contact_id).first() if contact_id else None
        if contact_id and (contact is None or customer is None or contact.customer_id != customer.pk):
            errors["contact_id"] = _("Choose a contact of the customer.")
            contact = None
    address = _text(data.get("address"), 2000) if given("address") else current.get("address", "")
    if not address and customer is not None and dispatch is None:
        address = customer.address.strip()
    if not address and "customer_id" not in errors:
        errors["address"] = _("Give the delivery address.")
    phone = _text(data.get("phone"), 50) if given("phone") else current.get("phone", "")
    if not phone and contact is not None and dispatch is None:
        phone = contact.phone
    sent = current.get("sent_date")
    if dispatch is None:
        sent = _date(data.get("sent_date"), "sent_date", errors) or clock.today()
        if sent > clock.today():
            errors["sent_date"] = _("The dispatch cannot be sent in the future.")
    courier_supplier = current.get("courier_supplier")
    if given("courier_supplier_id"):
        courier_id = _id(data.get("courier_supplier_id"))
        courier_supplier = Supplier.objects.filter(pk=courier_id).first() if courier_id else None
        if courier_id and (courier_supplier is None or courier_supplier.kind != SupplierKind.COURIER):
            errors["courier_supplier_id"] = _("Choose a supplier of kind courier.")
            courier_supplier = None
    courier = _text(data.get("courier"), 100) if given("courier") else current.get("courier", "")
    if given("courier_supplier_id") and courier_supplier is not None and not _text(data.get("courier"), 100):
        courier = courier_supplier.name
    if not courier and "courier_supplier_id" not in errors:
        errors["courier"] = _("Say which courier carries it.")
    tracking = _text(data.get("tracking_no"), 60) if given("tracking_no") else current.get("tracking_no", "")
    cost, currency = _cost(data, current, errors)
    expected = current.get("expected_arrival_date")
    if given("expected_arrival_date") or dispatch is None:
        expected = _date(data.get("expected_arrival_date"), "expected_arrival_date", errors)
        if expected is None and sent is not None and "expected_arrival_date" not in errors:
            expected = calendar.add(sent, COURIER_DAYS)
        if expected is not None and sent is not None and expected < sent:
            errors["expected_arrival_date"] = _("It cannot arrive before it is sent (%(date)s).") % {
                "date": sent.isoformat()
            }
    notes = _text(data.get("notes"), 5000) if given("notes") else current.get("notes", "")
    if errors:
        raise ValidationError(errors)
    return {
        "customer": customer,
        "contact": contact,
        "address": address,
        "phone": phone,
        "sent_date": sent,
        "courier_supplier": courier_supplier,
        "courier": courier,
        "tracking_no": tracking,
        "cost": cost,
        "currency": currency,
        "expected_arrival_date": expected,
        "notes": notes,
    }


def _clean_items(items: Any, customer: Customer | None) -> list[dict[str, Any]]:
    """The dispatched items: ready samples of the customer (locked) or free items with a description."""
    if not isinstance(items, list | tuple) or not items:
        raise ValidationError({"items": _("Add at least one item: a ready sample, a catalogue, a swatch…")})
    errors: dict[str, str] = {}
    cleaned: list[dict[str, Any]] = []
    seen: set[int] = set()
    for index, item in enumerate(items, start=1):
        where = f"items.{index}."
        if not isinstance(item, dict):
            errors[f"{where}kind"] = _("Give the item's kind and quantity.")
            continue
        sample_id = _id(item.get("sample_id"))
        if sample_id:
            sample = (
                Sample.objects.select_for_update(of=("self",))
                .select_related("customer", "product", "order")
                .filter(pk=sample_id)
                .first()
            )
            if sample is None:
                errors[f"{where}sample_id"] = _("There is no sample %(id)s.") % {"id": item.get("sample_id")}
                continue
            if sample_id in seen:
                errors[f"{where}sample_id"] = _("%(number)s is listed twice.") % {"number": sample.number}
                continue
            seen.add(sample_id)
            if customer is not None and sample.customer_id != customer.pk:
                errors[f"{where}sample_id"] = _("%(number)s is for %(customer)s.") % {
                    "number": sample.number,
                    "customer": sample.customer.code,
                }
                continue
            if sample.status != SampleStatus.READY:
                errors[f"{where}sample_id"] = _("%(number)s is %(status)s: only a ready sample is sent.") % {
                    "number": sample.number,
                    "status": sample.get_status_display(),
                }
                continue
            raw = item.get("quantity")
            quantity = (
                sample.quantity
                if raw in (None, "")
                else _decimal(raw, f"{where}quantity", errors, decimals=3, positive=True, max_digits=14)
            )
            description = (
                _text(item.get("description"), 300)
                or (f"{sample.number} {sample.get_kind_display()} #{sample.round} · {sample.what}")[:300]
            )
            cleaned.append(
                {"kind": ItemKind.SAMPLE, "sample": sample, "description": description, "quantity": quantity}
            )
            continue
        kind = str(item.get("kind") or "")
        if kind == ItemKind.SAMPLE:
            errors[f"{where}sample_id"] = _("Choose the sample.")
            continue
        if kind not in ItemKind.values:
            errors[f"{where}kind"] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(ItemKind.values)}
            continue
        description = _text(item.get("description"), 300)
        if not description:
            errors[f"{where}description"] = _("Describe the item.")
        raw = item.get("quantity")
        quantity = _decimal(
            1 if raw in (None, "") else raw, f"{where}quantity", errors, decimals=3, positive=True, max_digits=14
        )
        cleaned.append({"kind": kind, "sample": None, "description": description, "quantity": quantity})
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def create_dispatch(*, by: User, data: dict[str, Any]) -> Dispatch:
    """Register a dispatch: its samples (ready ones of the customer: their rounds become sent on the sent date) and
    free items. The feedback is due the feedback days after the expected arrival until the arrival is recorded."""
    _ensure(by, "samples.add_dispatch", _("You may not register dispatches."))
    clean = _clean_dispatch(data, dispatch=None)
    items = _clean_items(data.get("items"), clean["customer"])
    dispatch = Dispatch.objects.create(
        number=next_number(DISPATCH_PREFIX),
        owner=by,
        feedback_due_date=feedback_due(clean["expected_arrival_date"]),
        **clean,
    )
    rows = []
    for position, item in enumerate(items, start=1):
        round_ = None
        if item["sample"] is not None:
            round_ = _send(
                item["sample"],
                by=by,
                day=dispatch.sent_date,
                message=_("In dispatch %(number)s") % {"number": dispatch.number},
            )
        rows.append(
            DispatchItem(
                dispatch=dispatch,
                position=position,
                kind=item["kind"],
                sample_round=round_,
                description=item["description"],
                quantity=item["quantity"],
            )
        )
    DispatchItem.objects.bulk_create(rows)
    audit.record_create(instance=dispatch, by=by, fields=[*DISPATCH_FIELDS, "feedback_due_date"])
    return dispatch


def _lock_dispatch(dispatch: Dispatch) -> Dispatch:
    return Dispatch.objects.select_for_update(of=("self",)).select_related("customer").get(pk=dispatch.pk)


@transaction.atomic
def update_dispatch(*, dispatch: Dispatch, by: User, data: dict[str, Any], version: int | None = None) -> Dispatch:
    """Complete or correct a dispatch's facts (the tracking number known later, the cost, the expected arrival);
    its customer, sent date and items stay."""
    _ensure(by, "samples.change_dispatch", _("You may not change dispatches."))
    locked = _lock_dispatch(dispatch)
    check_version(locked, version)
    for key in ("customer_id", "sent_date", "items"):
        if key in data:
            raise ValidationError({key: _("A dispatch's customer, sent date and items are kept.")})
    clean = _clean_dispatch(data, dispatch=locked)
    before = audit.snapshot(locked, [*DISPATCH_FIELDS, "feedback_due_date"])
    for name, value in clean.items():
        setattr(locked, name, value)
    if locked.arrival_date is None:
        locked.feedback_due_date = feedback_due(locked.expected_arrival_date)
    changes = audit.diff(before, audit.snapshot(locked, [*DISPATCH_FIELDS, "feedback_due_date"]))
    if changes:
        locked.version += 1
        locked.save()
        audit.record(instance=locked, action=AuditAction.UPDATE, by=by, changes=changes)
    return locked


@transaction.atomic
def record_arrival(*, dispatch: Dispatch, by: User, day: Any, version: int | None = None) -> Dispatch:
    """The dispatch arrived on `day` (the courier's proof of delivery): the feedback is due the feedback days later."""
    _ensure(by, "samples.change_dispatch", _("You may not change dispatches."))
    locked = _lock_dispatch(dispatch)
    check_version(locked, version)
    errors: dict[str, str] = {}
    arrived = _date(day, "date", errors)
    if arrived is None and not errors:
        errors["date"] = _("Give the arrival date.")
    elif arrived is not None and arrived > clock.today():
        errors["date"] = _("An arrival cannot be in the future.")
    elif arrived is not None and arrived < locked.sent_date:
        errors["date"] = _("It cannot arrive before it was sent (%(date)s).") % {"date": locked.sent_date.isoformat()}
    if errors:
        raise ValidationError(errors)
    due = feedback_due(arrived)
    changes = audit.diff(
        {"arrival_date": audit.plain(locked.arrival_date), "feedback_due_date": audit.plain(locked.feedback_due_date)},
        {"arrival_date": audit.plain(arrived), "feedback_due_date": audit.plain(due)},
    )
    if changes:
        locked.arrival_date, locked.feedback_due_date = arrived, due
        locked.version += 1
        locked.save()
        audit.record(instance=locked, action=AuditAction.UPDATE, by=by, changes=changes)
    return locked


@transaction.atomic
def mark_feedback_received(*, dispatch: Dispatch, by: User, note: str = "", version: int | None = None) -> Dispatch:
    """The owner heard from the customer (or gave up waiting): the follow-up leaves the chase list."""
    _ensure(by, "samples.change_dispatch", _("You may not change dispatches."))
    locked = _lock_dispatch(dispatch)
    check_version(locked, version)
    if locked.feedback_received_date is not None:
        raise TransitionNotAllowed(
            _("The feedback on %(number)s was recorded on %(date)s.")
            % {"number": locked.number, "date": locked.feedback_received_date.isoformat()}
        )
    today = clock.today()
    locked.feedback_received_date = today
    locked.version += 1
    locked.save()
    audit.record(
        instance=locked,
        action=AuditAction.UPDATE,
        by=by,
        changes={"feedback_received_date": [None, today]},
        message=str(note or "")[:500],
    )
    return locked
