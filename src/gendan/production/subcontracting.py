"""Outsourcing (外发/外协): subcontract orders, their place in the plan, receipts with inspection, factory links.

A subcontract order sends a quantity of some of a production notice's operations to a subcontract factory at a
price, to come back by a date. Sending it schedules the quantity on the factory's finite capacity (it must fit by
the return date) and stores that as the factory's share of the plan; the notice's in-house plan of those
operations shrinks by the quantity (and grows back if the order is cancelled). The factory reports its daily output
through its link like a line does; what comes back is received with an inspection (accepted and rejected
quantities). `factory_record` is each factory's on-time and quality record.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from gendan.catalog.choices import CapacityUnit, WorkCentreKind
from gendan.catalog.models import RoutingStep, WorkCentre
from gendan.catalog.selectors import day_capacity
from gendan.core import audit, clock, links
from gendan.core.choices import AuditAction
from gendan.core.editing import check_version
from gendan.core.exceptions import PermissionDenied, TransitionNotAllowed, ValidationError
from gendan.core.models import ExternalLink, User
from gendan.core.money import Currency
from gendan.core.numbering import next_number
from gendan.production.choices import SUBCONTRACT_COMMITTED, NoticeStatus, SubcontractStatus
from gendan.production.models import PlanLoad, ProductionNotice, SubcontractOrder, SubcontractReceipt
from gendan.production.scheduler import Op, schedule
from gendan.production.selectors import planned_load

ZERO = Decimal(0)
PREFIX = "SC"
LINK_PURPOSE = "factory_reports"
HORIZON_DAYS = 366


def factory_link_days() -> int:
    return int(getattr(settings, "GENDAN_FACTORY_LINK_DAYS", 60))


def _ensure(by: User, perm: str, message: str) -> None:
    from gendan.core.services import ensure_can

    ensure_can(by, perm, message)


def _lock(sc: SubcontractOrder) -> SubcontractOrder:
    return (
        SubcontractOrder.objects.select_for_update(of=("self",))
        .select_related("notice__product", "factory__supplier", "order")
        .get(pk=sc.pk)
    )


def _move(sc: SubcontractOrder, status: str, *, by: User, message: str = "", **fields: Any) -> None:
    """Move a locked order to `status` (with its other changed fields), count a version, record it."""
    changes: dict[str, list[Any]] = {"status": [sc.status, status]}
    for name, value in fields.items():
        changes[name] = [getattr(sc, name), value]
        setattr(sc, name, value)
    sc.status = status
    sc.version += 1
    sc.save()
    changes.pop("sent_at", None)
    changes.pop("closed_at", None)
    audit.record(
        instance=sc, action=AuditAction.TRANSITION, by=by, changes=changes, message=message[:500], related=sc.order
    )


def _refuse(sc: SubcontractOrder, action: str) -> TransitionNotAllowed:
    return TransitionNotAllowed(
        _("%(number)s is %(status)s: it cannot be %(action)s.")
        % {"number": sc.number, "status": sc.get_status_display(), "action": action}
    )


def _date(value: Any, field: str, errors: dict[str, str]) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors[field] = _("Give a date as YYYY-MM-DD.")
        return None


def _decimal(value: Any, field: str, errors: dict[str, str], *, places: int, positive: bool) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        errors[field] = _("Enter a number.")
        return None
    if not number.is_finite() or number < 0 or (positive and number == 0):
        errors[field] = _("Enter a quantity greater than zero.") if positive else _("Enter zero or more.")
        return None
    if number != number.quantize(Decimal(1).scaleb(-places)):
        errors[field] = _("Use at most %(n)s decimal places.") % {"n": places}
        return None
    return number


def operations_text(steps: list[RoutingStep], first: int, last: int) -> str:
    """The operations sent out, as the factory reads them: "2 Sewing → 3 Finishing"."""
    return " → ".join(f"{s.position} {s.name}" for s in steps if first <= s.position <= last)


def _clean(data: dict[str, Any], *, sc: SubcontractOrder | None = None) -> dict[str, Any]:
    """Check a subcontract order's fields; `sc` is the draft being changed (its own quantity is not counted as
    already sent out)."""
    errors: dict[str, str] = {}
    notice = sc.notice if sc else ProductionNotice.objects.filter(pk=data.get("notice_id") or 0).first()
    if notice is None:
        errors["notice_id"] = _("There is no production notice %(id)s.") % {"id": data.get("notice_id")}
        raise ValidationError(errors)
    if notice.status not in (NoticeStatus.DRAFT, NoticeStatus.RELEASED):
        errors["notice_id"] = _("%(number)s is %(status)s: only work still to do is sent out.") % {
            "number": notice.number,
            "status": notice.get_status_display(),
        }
        raise ValidationError(errors)
    steps = list(RoutingStep.objects.filter(product_id=notice.product_id).select_related("work_centre"))
    steps.sort(key=lambda s: s.position)
    if not steps:
        raise ValidationError({"notice_id": _("The product has no routing: give it its operations first.")})
    factory_id = data.get("factory_id", sc.factory_id if sc else None)
    factory = WorkCentre.objects.filter(pk=factory_id or 0).select_related("supplier").first()
    if factory is None or factory.kind != WorkCentreKind.FACTORY:
        errors["factory_id"] = _("Choose a subcontract factory.")
    elif not factory.is_active:
        errors["factory_id"] = _("%(code)s is inactive.") % {"code": factory.code}
    elif (
        factory.capacity_unit == CapacityUnit.UNITS
        and factory.product_family
        and factory.product_family != notice.product.category
    ):
        errors["factory_id"] = _("%(code)s makes %(family)s, not %(category)s.") % {
            "code": factory.code,
            "family": factory.product_family,
            "category": notice.product.category or "—",
        }
    positions = [s.position for s in steps]
    first = data.get("first_position", sc.first_position if sc else positions[0])
    last = data.get("last_position", sc.last_position if sc else positions[-1])
    try:
        first, last = int(first), int(last)
    except (TypeError, ValueError):
        first = last = -1
    if first not in positions or last not in positions or first > last:
        errors["first_position"] = _("Choose operations of the routing, from %(a)s to %(b)s.") % {
            "a": positions[0],
            "b": positions[-1],
        }
    quantity = _decimal(
        data.get("quantity", sc.quantity if sc else notice.quantity), "quantity", errors, places=3, positive=True
    )
    price = _decimal(
        data.get("unit_price", sc.unit_price if sc else 0) or 0, "unit_price", errors, places=4, positive=False
    )
    currency = str(data.get("currency") or (sc.currency if sc else Currency.CNY))
    if currency not in Currency.values:
        errors["currency"] = _("Choose a currency.")
    send_date = _date(data.get("send_date") or (sc.send_date if sc else clock.today()), "send_date", errors)
    due_raw = data.get("due_date") or (sc.due_date if sc else None)
    due_date = _date(due_raw, "due_date", errors) if due_raw else None
    if due_raw in (None, ""):
        errors["due_date"] = _("Say by when the factory returns the goods.")
    if send_date and due_date and due_date < send_date:
        errors["due_date"] = _("The goods cannot come back before they are sent.")
    if quantity is not None and "first_position" not in errors:
        # no operation may be sent out beyond the notice's quantity (drafts count: they are about to go)
        taken = ZERO
        others = SubcontractOrder.objects.filter(
            notice=notice,
            status__in=(SubcontractStatus.DRAFT, *SUBCONTRACT_COMMITTED),
            first_position__lte=last,
            last_position__gte=first,
        )
        if sc is not None:
            others = others.exclude(pk=sc.pk)
        spans = list(others.values_list("first_position", "last_position", "quantity"))
        for position in range(first, last + 1):
            out = sum((qty for a, b, qty in spans if a <= position <= b), ZERO)
            taken = max(taken, out)
        if quantity + taken > notice.quantity:
            errors["quantity"] = _("At most %(free)s of %(number)s is left to send out for these operations.") % {
                "free": f"{(notice.quantity - taken).normalize():f}",
                "number": notice.number,
            }
    if errors:
        raise ValidationError(errors)
    return {
        "notice": notice,
        "factory": factory,
        "first_position": first,
        "last_position": last,
        "quantity": quantity,
        "unit_price": price,
        "currency": currency,
        "send_date": send_date,
        "due_date": due_date,
        "steps": steps,
    }


FIELDS = ["factory", "first_position", "last_position", "quantity", "unit_price", "currency", "send_date", "due_date"]


@transaction.atomic
def create_subcontract(*, by: User, data: dict[str, Any]) -> SubcontractOrder:
    """A draft subcontract order for a notice's operations (all of them unless `first_position`/`last_position`
    say which), the notice's whole quantity unless `quantity` says less."""
    _ensure(by, "production.add_subcontractorder", _("You may not send work out to factories."))
    clean = _clean(data)
    clean.pop("steps")
    notice = clean["notice"]
    sc = SubcontractOrder.objects.create(
        number=next_number(PREFIX),
        order_id=notice.order_id,
        owner=by,
        notes=str(data.get("notes") or "")[:5000],
        **clean,
    )
    audit.record_create(instance=sc, by=by, fields=FIELDS, related=notice.order)
    return sc


@transaction.atomic
def update_subcontract(
    *, sc: SubcontractOrder, by: User, data: dict[str, Any], version: int | None = None
) -> SubcontractOrder:
    """Change a draft (a sent order is cancelled and sent again instead)."""
    _ensure(by, "production.change_subcontractorder", _("You may not change subcontract orders."))
    locked = _lock(sc)
    check_version(locked, version)
    if locked.status != SubcontractStatus.DRAFT:
        raise _refuse(locked, _("changed"))
    clean = _clean(data, sc=locked)
    clean.pop("steps")
    clean.pop("notice")
    before = audit.snapshot(locked, FIELDS + ["notes"])
    for name, value in clean.items():
        setattr(locked, name, value)
    if "notes" in data:
        locked.notes = str(data.get("notes") or "")[:5000]
    changes = audit.diff(before, audit.snapshot(locked, FIELDS + ["notes"]))
    if changes:
        locked.version += 1
        locked.save()
        audit.record(instance=locked, action=AuditAction.UPDATE, by=by, changes=changes, related=locked.order)
    return locked


def factory_amount(sc: SubcontractOrder, steps: list[RoutingStep] | None = None) -> Decimal:
    """The capacity the order takes at its factory: units, or the hours of its operations (setups included)."""
    if sc.factory.capacity_unit == CapacityUnit.UNITS:
        return sc.quantity
    steps = steps if steps is not None else list(RoutingStep.objects.filter(product_id=sc.notice.product_id))
    sent = [s for s in steps if sc.first_position <= s.position <= sc.last_position]
    minutes = sum((s.setup_minutes + sc.quantity * s.minutes_per_unit for s in sent), ZERO)
    return (minutes / 60).quantize(Decimal("0.01"))


def _replan_notice(notice: ProductionNotice, *, by: User | None) -> list[int]:
    """After the factories' share of a released notice changed: plan its in-house work again, and the notices due
    after it. Returns the orders whose plan moved."""
    from gendan.production.services import _plan, replan_after

    if notice.status != NoticeStatus.RELEASED:
        return []
    locked = ProductionNotice.objects.select_for_update().select_related("product").get(pk=notice.pk)
    was_edited = locked.plan_edited
    _plan(locked)  # a plan adjusted by hand no longer adds up to the in-house quantity: it is planned afresh
    ProductionNotice.objects.filter(pk=locked.pk).update(
        planned_start=locked.planned_start, planned_finish=locked.planned_finish, plan_edited=False
    )
    if was_edited:
        audit.record(
            instance=locked,
            action=AuditAction.UPDATE,
            by=by,
            changes={"plan_edited": [True, False]},
            message=_("The in-house quantity changed: the plan adjusted by hand was planned again."),
            related=locked.order,
        )
    return [locked.order_id, *replan_after(locked.due_date, exclude=locked.pk)]


@transaction.atomic
def send_subcontract(*, sc: SubcontractOrder, by: User, version: int | None = None) -> SubcontractOrder:
    """Send a draft to its factory: its quantity is scheduled on the factory's free capacity from the send date
    (refused, with the earliest possible return, when it does not fit by the return date), the notice's in-house
    plan shrinks by it, and the order's production milestones follow."""
    from gendan.production.services import _days, feed_plan, spread

    _ensure(by, "production.change_subcontractorder", _("You may not send work out to factories."))
    locked = _lock(sc)
    check_version(locked, version)
    if locked.status != SubcontractStatus.DRAFT:
        raise _refuse(locked, _("sent"))
    _clean({}, sc=locked)  # the notice, factory and quantities may have changed since the draft
    amount = factory_amount(locked)
    start = max(locked.send_date, clock.today())
    days = _days(start, max(locked.due_date, start) + dt.timedelta(days=HORIZON_DAYS))
    factory = locked.factory
    capacity = day_capacity([factory.pk], days[0], days[-1])
    used = planned_load([factory.pk], days[0], days[-1], due_date=None)
    result = schedule([Op(locked.last_position, factory.pk, amount)], days=days, capacity=capacity, used=used)
    if result.finish is None or result.finish > locked.due_date:
        raise ValidationError(
            {
                "due_date": _(
                    "%(factory)s has room to finish %(number)s by %(finish)s at the earliest, after its return date "
                    "%(due)s: agree a later date, send less, or choose another factory."
                )
                % {
                    "factory": factory.code,
                    "number": locked.number,
                    "finish": result.finish.isoformat() if result.finish else _("not within a year"),
                    "due": locked.due_date.isoformat(),
                }
            }
        )
    PlanLoad.objects.bulk_create(
        [
            PlanLoad(
                notice_id=locked.notice_id,
                subcontract=locked,
                position=locked.last_position,
                work_centre_id=factory.pk,
                date=slot.day,
                load=slot.amount,
                quantity=quantity,
                due_date=locked.due_date,
            )
            for slot, quantity in zip(
                result.slots, spread(locked.quantity, [s.amount for s in result.slots]), strict=True
            )
        ]
    )
    _move(locked, SubcontractStatus.SENT, by=by, sent_at=clock.now(), planned_finish=result.finish)
    moved = _replan_notice(locked.notice, by=by)
    feed_plan({locked.order_id, *moved}, by=by)
    return locked


@transaction.atomic
def cancel_subcontract(*, sc: SubcontractOrder, by: User, reason: str = "") -> SubcontractOrder:
    """Cancel a draft, or a sent order nothing came back from: the factory's share leaves the plan and the work
    returns to the notice's in-house plan."""
    from gendan.production.services import feed_plan

    _ensure(by, "production.change_subcontractorder", _("You may not change subcontract orders."))
    locked = _lock(sc)
    if locked.status not in (SubcontractStatus.DRAFT, SubcontractStatus.SENT) or locked.received_qty > 0:
        raise _refuse(locked, _("cancelled"))
    if locked.status == SubcontractStatus.SENT and locked.reports.exists():
        raise TransitionNotAllowed(
            _("%(factory)s already reported output on %(number)s: receive what it made, then close it short.")
            % {"factory": locked.factory.code, "number": locked.number}
        )
    was = locked.status
    PlanLoad.objects.filter(subcontract=locked).delete()
    _move(locked, SubcontractStatus.CANCELLED, by=by, message=reason, closed_at=clock.now())
    if was == SubcontractStatus.SENT:
        moved = _replan_notice(locked.notice, by=by)
        feed_plan({locked.order_id, *moved}, by=by)
    return locked


@transaction.atomic
def receive(*, sc: SubcontractOrder, by: User, data: dict[str, Any]) -> SubcontractReceipt:
    """Goods back from the factory, inspected: `quantity` received (at most what is outstanding), of which
    `rejected_qty` rejected (the rest accepted), on `date` (today unless given), with the inspection's findings.
    The order is received once everything is back."""
    _ensure(by, "production.add_subcontractreceipt", _("You may not receive goods from factories."))
    locked = _lock(sc)
    if locked.status != SubcontractStatus.SENT:
        raise _refuse(locked, _("received"))
    errors: dict[str, str] = {}
    day = _date(data.get("date") or clock.today(), "date", errors)
    if day and day > clock.today():
        errors["date"] = _("Goods cannot be received on a day to come.")
    quantity = _decimal(data.get("quantity"), "quantity", errors, places=3, positive=True)
    rejected = _decimal(data.get("rejected_qty") or 0, "rejected_qty", errors, places=3, positive=False)
    findings = str(data.get("findings") or "").strip()
    if quantity is not None and quantity > locked.outstanding:
        errors["quantity"] = _("Only %(n)s of %(number)s is still out.") % {
            "n": f"{locked.outstanding.normalize():f}",
            "number": locked.number,
        }
    if quantity is not None and rejected is not None and rejected > quantity:
        errors["rejected_qty"] = _("More rejected than received.")
    if rejected and not findings:
        errors["findings"] = _("Say what the inspection found wrong.")
    if errors:
        raise ValidationError(errors)
    receipt = SubcontractReceipt.objects.create(
        subcontract=locked,
        date=day,
        quantity=quantity,
        accepted_qty=quantity - rejected,
        rejected_qty=rejected,
        findings=findings[:500],
        by=by,
        created_at=clock.now(),
    )
    before = locked.status
    locked.received_qty += quantity
    locked.accepted_qty += quantity - rejected
    locked.rejected_qty += rejected
    if locked.received_qty >= locked.quantity:
        locked.status = SubcontractStatus.RECEIVED
        locked.closed_at = clock.now()
    locked.version += 1
    locked.save()
    audit.record(
        instance=locked,
        action=AuditAction.TRANSITION if locked.status != before else AuditAction.UPDATE,
        by=by,
        changes={"received_qty": [locked.received_qty - quantity, locked.received_qty]}
        | ({"status": [before, locked.status]} if locked.status != before else {}),
        message=_("%(day)s: %(qty)s received, %(rejected)s rejected. %(findings)s")
        % {
            "day": day.isoformat(),
            "qty": f"{quantity.normalize():f}",
            "rejected": f"{rejected.normalize():f}",
            "findings": findings[:300],
        },
        related=locked.order,
    )
    return receipt


@transaction.atomic
def close_short(*, sc: SubcontractOrder, by: User, reason: str) -> SubcontractOrder:
    """Close a sent order with part of it received: the rest is not coming back."""
    _ensure(by, "production.change_subcontractorder", _("You may not change subcontract orders."))
    locked = _lock(sc)
    if locked.status != SubcontractStatus.SENT or locked.received_qty <= 0:
        raise _refuse(locked, _("closed short"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the rest is not coming back.")})
    _move(locked, SubcontractStatus.CLOSED, by=by, message=reason, closed_at=clock.now())
    return locked


# ---- the factory's link --------------------------------------------------------------------------------------------


def _ensure_factory(factory: WorkCentre) -> None:
    if factory.kind != WorkCentreKind.FACTORY:
        raise ValidationError({"work_centre_id": _("%(code)s is not a subcontract factory.") % {"code": factory.code}})


@transaction.atomic
def create_factory_link(*, factory: WorkCentre, by: User) -> tuple[ExternalLink, str]:
    """A new link for the factory to report its daily output on the work sent to it (the old one stops)."""
    _ensure(by, "production.change_subcontractorder", _("You may not share links with factories."))
    _ensure_factory(factory)
    party = factory.supplier.name if factory.supplier_id else factory.name
    return links.create_link(target=factory, purpose=LINK_PURPOSE, party=party, by=by, days=factory_link_days())


def factory_links(factory: WorkCentre) -> list[ExternalLink]:
    return list(links.live_links(factory, LINK_PURPOSE).order_by("-created_at"))


def revoke_factory_link(*, link: ExternalLink, by: User) -> ExternalLink:
    _ensure(by, "production.change_subcontractorder", _("You may not share links with factories."))
    if link.purpose != LINK_PURPOSE:
        raise PermissionDenied(_("This is not a factory's link."))
    return links.revoke(link=link, by=by)


def factory_for_token(token: str) -> tuple[WorkCentre, ExternalLink]:
    """The factory behind a link token (LinkInvalid when it does not open)."""
    link = links.resolve(token, LINK_PURPOSE)
    factory = WorkCentre.objects.select_related("supplier").filter(pk=link.object_id).first()
    if factory is None:
        raise links.LinkInvalid(_("This link is not valid. Ask your contact for a new one."))
    return factory, link


def record_factory_reports(*, factory: WorkCentre, link: ExternalLink, items: list[dict[str, Any]]) -> list[Any]:
    """Daily reports a factory sends through its link: only on its own sent subcontract orders. The owners of
    the orders behind plan hear of it."""
    from django.urls import reverse

    from gendan.core.notifications import notify_in_their_language
    from gendan.production.services import record_reports

    mine = {
        sc.pk: sc
        for sc in SubcontractOrder.objects.filter(factory=factory, status=SubcontractStatus.SENT).select_related(
            "owner", "order"
        )
    }
    for index, item in enumerate(items, start=1):
        if int(item.get("subcontract_id") or 0) not in mine:
            where = f"items.{index}." if len(items) > 1 else ""
            raise ValidationError({f"{where}subcontract_id": _("This is not an open order of yours.")})
        item["work_centre_id"] = factory.pk
    reports = record_reports(by=None, items=items, reporter=f"{link.party} ({_('factory link')})")
    for report in reports:
        if report.variance_reason:
            sc = mine[report.subcontract_id]
            notify_in_their_language(
                recipients=[sc.owner],
                title=lambda sc=sc: (
                    _("%(factory)s is behind plan on %(number)s")
                    % {
                        "factory": factory.code,
                        "number": sc.number,
                    }
                ),
                body=lambda report=report: (
                    f"{report.date.isoformat()}: {report.get_variance_reason_display()}. {report.note}"
                ),
                url=reverse("production:subcontract", args=[sc.pk]),
                actor=None,
            )
    return reports


# ---- read side: the register, the chase list, each factory's record ------------------------------------------------


def subcontract_list(*, q: str = "", status: str = "", factory_id: int | None = None) -> Any:
    """Subcontract orders, newest first, by number, order, product or factory, status and factory."""
    from django.db.models import Q

    qs = SubcontractOrder.objects.select_related("order__customer", "notice__product", "factory", "owner")
    if status == "open":
        qs = qs.filter(status__in=(SubcontractStatus.DRAFT, SubcontractStatus.SENT))
    elif status:
        qs = qs.filter(status=status)
    if factory_id:
        qs = qs.filter(factory_id=factory_id)
    if q.strip():
        q = q.strip()
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(order__number__icontains=q)
            | Q(notice__number__icontains=q)
            | Q(notice__product__code__icontains=q)
            | Q(factory__code__icontains=q)
        )
    return qs.order_by("-created_at", "-id")


def progress_at_factory(ids: list[int], day: dt.date) -> dict[int, tuple[Decimal, Decimal]]:
    """(planned, reported good output) of each subcontract order at its factory up to `day` (two queries)."""
    from django.db.models import Sum

    from gendan.production.models import DailyReport

    planned = dict(
        PlanLoad.objects.filter(subcontract_id__in=ids, date__lte=day)
        .order_by()
        .values("subcontract_id")
        .annotate(total=Sum("quantity"))
        .values_list("subcontract_id", "total")
    )
    made = dict(
        DailyReport.objects.filter(subcontract_id__in=ids, date__lte=day)
        .order_by()
        .values("subcontract_id")
        .annotate(total=Sum("good_qty"))
        .values_list("subcontract_id", "total")
    )
    return {pk: (planned.get(pk, ZERO), made.get(pk, ZERO)) for pk in ids}


SUBCONTRACT = "subcontract"  # the chase-list kind


def _chase_rows(q: Any) -> list[Any]:
    """The user's subcontract orders out at factories: due back by the horizon's end (late ones every day), and
    those whose factory reports less than its plan by more than the tolerance."""
    from django.urls import reverse

    from gendan.followup.selectors import ChaseRow
    from gendan.production.selectors import is_behind, tolerance

    open_orders = list(
        SubcontractOrder.objects.filter(owner=q.user, status=SubcontractStatus.SENT)
        .select_related("order__customer", "factory")
        .order_by("due_date", "pk")
    )
    figures = progress_at_factory([sc.pk for sc in open_orders], q.day - dt.timedelta(days=1))
    rows = []
    for sc in open_orders:
        planned, made = figures[sc.pk]
        lagging = is_behind(planned, made, tolerance())
        if sc.due_date > q.until and not lagging:
            continue
        if sc.due_date <= q.until:
            reason = _("%(factory)s owes %(qty)s of %(quantity)s, due back %(due)s") % {
                "factory": sc.factory.code,
                "qty": f"{sc.outstanding.normalize():f}",
                "quantity": f"{sc.quantity.normalize():f}",
                "due": sc.due_date.isoformat(),
            }
        else:
            reason = _("%(factory)s reported %(made)s of the %(planned)s planned by yesterday") % {
                "factory": sc.factory.code,
                "made": f"{made.normalize():f}",
                "planned": f"{planned.normalize():f}",
            }
        rows.append(
            ChaseRow(
                kind=SUBCONTRACT,
                kind_label=_("Subcontract"),
                document=sc.number,
                order_id=sc.order_id,
                order_number=sc.order.number,
                milestone_id=None,
                milestone_code=None,
                milestone_name=sc.factory.code,
                due_date=sc.due_date,
                days_late=q.calendar.between(sc.due_date, q.day),
                reason=reason,
                object_id=sc.pk,
                url=reverse("production:subcontract", args=[sc.pk]),
                customer=sc.order.customer.code,
                tier=sc.order.customer.tier,
                amount=sc.order.total_amount,
                currency=sc.order.currency,
            )
        )
    return rows


def register() -> None:
    """Hook outsourcing into the shared mechanisms: its chase-list rows, who manages the factories' links."""
    from gendan.followup.selectors import register_chase_source

    register_chase_source(_chase_rows)
    links.register_purpose(LINK_PURPOSE, "production.change_subcontractorder")


RECORD_DAYS_BACK, RECORD_DAYS_AHEAD = 90, 30  # the record's default period: orders due back in it


def record_period(date_from: dt.date | None = None, date_to: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The record's period, the default filling what is not given, in order."""
    today = clock.today()
    start = date_from or today - dt.timedelta(days=RECORD_DAYS_BACK)
    end = date_to or today + dt.timedelta(days=RECORD_DAYS_AHEAD)
    return (start, end) if start <= end else (end, start)


def live_factory_links() -> dict[int, ExternalLink]:
    """Each factory's newest live report link (one query)."""
    found: dict[int, ExternalLink] = {}
    for link in ExternalLink.objects.filter(
        purpose=LINK_PURPOSE, revoked_at__isnull=True, expires_at__gt=clock.now()
    ).order_by("created_at"):
        found[link.object_id] = link
    return found


def factory_days(sc: SubcontractOrder) -> list[dict[str, Any]]:
    """A subcontract order's days at its factory: planned and reported output, each cumulated (two queries)."""
    from gendan.production.models import DailyReport

    planned = dict(PlanLoad.objects.filter(subcontract=sc).order_by("date").values_list("date", "quantity"))
    reports = {r.date: r for r in DailyReport.objects.filter(subcontract=sc).order_by("date")}
    rows, planned_cum, actual_cum = [], ZERO, ZERO
    for day in sorted(set(planned) | set(reports)):
        planned_cum += planned.get(day, ZERO)
        report = reports.get(day)
        actual_cum += report.good_qty if report else ZERO
        rows.append(
            {
                "date": day,
                "planned": planned.get(day),
                "planned_cum": planned_cum,
                "report": report,
                "actual_cum": actual_cum,
            }
        )
    return rows


def factory_record(date_from: dt.date, date_to: dt.date, *, factory_id: int | None = None) -> list[dict[str, Any]]:
    """Each subcontract factory's record over the subcontract orders due back in the period: orders and quantity
    sent, received, on-time delivery (quantity back by its return date ÷ quantity due by today), days late,
    orders late and still out, rejected at receipt, defects the factory reported, and the first-pass yield of the
    lots it made that quality inspected (five queries)."""
    from django.db.models import Sum

    from gendan.production.models import DailyReport

    today = clock.today()
    factories = WorkCentre.objects.filter(kind=WorkCentreKind.FACTORY).select_related("supplier").order_by("code")
    if factory_id:
        factories = factories.filter(pk=factory_id)
    factories = list(factories)
    orders = list(
        SubcontractOrder.objects.filter(
            factory__in=factories, status__in=SUBCONTRACT_COMMITTED, due_date__gte=date_from, due_date__lte=date_to
        ).order_by()
    )
    on_time: dict[int, Decimal] = {}
    finished_on: dict[int, dt.date] = {}
    for sc_id, day, quantity, due in SubcontractReceipt.objects.filter(subcontract__in=orders).values_list(
        "subcontract_id", "date", "quantity", "subcontract__due_date"
    ):
        if day <= due:
            on_time[sc_id] = on_time.get(sc_id, ZERO) + quantity
        finished_on[sc_id] = max(day, finished_on.get(sc_id, day))
    reported = {
        wc: (good or ZERO, defects or ZERO, scrap or ZERO)
        for wc, good, defects, scrap in DailyReport.objects.filter(subcontract__in=orders)
        .order_by()
        .values("work_centre_id")
        .annotate(g=Sum("good_qty"), d=Sum("defect_qty"), s=Sum("scrap_qty"))
        .values_list("work_centre_id", "g", "d", "s")
    }
    from gendan.quality.selectors import factory_first_pass

    first_pass = factory_first_pass({f.supplier_id for f in factories}, since=date_from, until=date_to)
    rows = []
    for factory in factories:
        mine = [sc for sc in orders if sc.factory_id == factory.pk]
        due = [sc for sc in mine if sc.due_date <= today or sc.status != SubcontractStatus.SENT]
        due_qty = sum((sc.quantity for sc in due), ZERO)
        on_time_qty = sum((on_time.get(sc.pk, ZERO) for sc in due), ZERO)
        received = sum((sc.received_qty for sc in mine), ZERO)
        rejected = sum((sc.rejected_qty for sc in mine), ZERO)
        late_days = [
            (finished_on[sc.pk] - sc.due_date).days
            for sc in mine
            if sc.status == SubcontractStatus.RECEIVED and finished_on.get(sc.pk, sc.due_date) > sc.due_date
        ]
        good, defects, scrap = reported.get(factory.pk, (ZERO, ZERO, ZERO))
        made = good + defects + scrap
        rows.append(
            {
                "factory": factory,
                "orders": len(mine),
                "quantity": sum((sc.quantity for sc in mine), ZERO),
                "received": received,
                "due_qty": due_qty,
                "on_time_pct": (on_time_qty * 100 / due_qty).quantize(Decimal("0.1")) if due_qty else None,
                "late_orders": len(late_days),
                "avg_days_late": (Decimal(sum(late_days)) / len(late_days)).quantize(Decimal("0.1"))
                if late_days
                else None,
                "late_open": sum(1 for sc in mine if sc.status == SubcontractStatus.SENT and sc.due_date < today),
                "rejected": rejected,
                "rejected_pct": (rejected * 100 / received).quantize(Decimal("0.1")) if received else None,
                "defect_pct": (defects * 100 / made).quantize(Decimal("0.1")) if made else None,
                # lots of its orders inspected in the period that passed the first time (quality's record)
                "first_pass_pct": first_pass.get(factory.supplier_id),
            }
        )
    return rows
