"""Follow-up services: plans from templates, re-forecasting, milestone edits, the follow-up log.

Every write that changes dates re-forecasts the order in the same transaction, so what a user reads after a
change (the milestone, the order's risk) is already the consequence of it. `reforecast_orders` does the same for
many orders at once with a few statements per thousand orders (the nightly run).
"""

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils.translation import gettext as _

from gendan.core import audit, clock
from gendan.core.calendar import WorkingCalendar, company_calendar
from gendan.core.choices import AuditAction, Role
from gendan.core.editing import check_version
from gendan.core.exceptions import NotFound, PermissionDenied, ValidationError
from gendan.core.models import User
from gendan.followup import engine
from gendan.followup.choices import (
    DEFAULT_TEMPLATE,
    EX_FACTORY_CODE,
    MATERIALS_CODE,
    OWNER_ROLES,
    Channel,
    MilestoneStatus,
    Party,
    Risk,
)
from gendan.followup.models import FollowUp, Milestone, RiskFlag, TaTemplate, TemplateMilestone
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order

# Orders whose plan is followed and re-forecast each night: from confirmation to cash (documents sent and payment
# received come after shipment), on hold included.
PLANNED_STATUSES = (
    OrderStatus.CONFIRMED,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.READY_TO_SHIP,
    OrderStatus.SHIPPED,
    OrderStatus.ON_HOLD,
)
CODE_MAX = 10
OWNER_ROLE_CHOICES = [(r.value, r.label) for r in OWNER_ROLES]


# ---- the computation shared by one order and many ------------------------------------------------------


@dataclass
class Row:
    """What the forecast needs of one milestone (a model instance or a values() row)."""

    id: int
    code: str
    depends_on: list[dict[str, Any]]
    planned_date: dt.date
    forecast_date: dt.date | None
    actual_date: dt.date | None
    promised_date: dt.date | None
    fed_date: dt.date | None
    status: str
    driven_by: str
    is_ex_factory: bool


ROW_FIELDS = [
    "id",
    "code",
    "depends_on",
    "planned_date",
    "forecast_date",
    "actual_date",
    "promised_date",
    "fed_date",
    "status",
    "driven_by",
    "is_ex_factory",
]


@dataclass(frozen=True)
class Outcome:
    """The order's summary after a forecast, and the milestones whose computed fields changed."""

    forecast_ex_factory_date: dt.date | None
    risk: str
    slack_days: int | None
    driving_milestone: str
    changed: list[Row]
    chain: list[str]


def _specs(rows: Sequence[Row]) -> list[engine.Spec]:
    return [engine.Spec(r.code, 0, tuple((d["code"], int(d.get("lag", 0))) for d in r.depends_on)) for r in rows]


def compute(
    rows: Sequence[Row], *, status: str, committed: dt.date, today: dt.date, calendar: WorkingCalendar
) -> Outcome:
    """Forecast one order's milestones; update `rows` in place and say which changed and what the order's risk is."""
    states = {r.code: engine.State(r.planned_date, r.actual_date, r.promised_date, r.fed_date) for r in rows}
    result = engine.forecast(_specs(rows), states, today, calendar)
    changed = []
    for r in rows:
        forecast = result.dates[r.code]
        if r.actual_date is not None:
            new_status = MilestoneStatus.DONE
        elif r.planned_date < today:
            new_status = MilestoneStatus.LATE
        else:
            new_status = MilestoneStatus.PENDING
        driven_by = result.driven_by.get(r.code) or ""
        if (forecast, new_status, driven_by) != (r.forecast_date, r.status, r.driven_by):
            r.forecast_date, r.status, r.driven_by = forecast, new_status, driven_by
            changed.append(r)
    exf = next((r for r in rows if r.is_ex_factory), None)
    if exf is None or status == OrderStatus.CANCELLED:
        return Outcome(None, "", None, "", changed, [])
    forecast_exf = exf.actual_date or result.dates[exf.code]
    slack = calendar.between(forecast_exf, committed)
    shipped = exf.actual_date is not None or status in (OrderStatus.SHIPPED, OrderStatus.CLOSED)
    if shipped:
        risk = Risk.ON_TRACK
    elif today > committed:
        risk = Risk.LATE
    elif forecast_exf > committed:
        risk = Risk.AT_RISK
    else:
        risk = Risk.ON_TRACK
    chain: list[str] = []
    driving = ""
    if risk != Risk.ON_TRACK:
        chain = engine.driving_chain(result, states, exf.code) or [exf.code]
        driving = chain[0]
    return Outcome(forecast_exf, risk, slack, driving, changed, chain)


def _save_outcome(order_id: int, outcome: Outcome) -> None:
    for r in outcome.changed:
        Milestone.objects.filter(pk=r.id).update(forecast_date=r.forecast_date, status=r.status, driven_by=r.driven_by)
    Order.objects.filter(pk=order_id).update(
        forecast_ex_factory_date=outcome.forecast_ex_factory_date,
        risk=outcome.risk,
        slack_days=outcome.slack_days,
        driving_milestone=outcome.driving_milestone,
    )


def _rows_of(order_id: int) -> list[Row]:
    return [Row(**values) for values in Milestone.objects.filter(order_id=order_id).values(*ROW_FIELDS)]


FLAGGED_RISKS = (Risk.AT_RISK, Risk.LATE)


def record_flags(
    *, method: str, day: dt.date, outcomes: Mapping[int, tuple[bool, str, dt.date | None, dt.date]]
) -> None:
    """Open or close the orders' risk flags of `method` on `day`.

    `outcomes` maps an order's id to (flagged now, driving milestone, forecast ex-factory date, committed date); an
    order flagged now without an open flag gets one from `day`, an open flag of an order no longer flagged is cleared
    on `day`. Pass the orders whose flagged state may have changed (passing others is harmless)."""
    if not outcomes:
        return
    open_flags = dict(
        RiskFlag.objects.filter(order_id__in=list(outcomes), method=method, cleared_on__isnull=True).values_list(
            "order_id", "id"
        )
    )
    cleared = [flag_id for order_id, flag_id in open_flags.items() if not outcomes[order_id][0]]
    if cleared:
        RiskFlag.objects.filter(pk__in=cleared).update(cleared_on=day)
    RiskFlag.objects.bulk_create(
        [
            RiskFlag(
                order_id=order_id,
                method=method,
                flagged_on=day,
                driver=driver,
                forecast_ex_factory_date=forecast,
                committed_date=committed,
            )
            for order_id, (flagged, driver, forecast, committed) in outcomes.items()
            if flagged and order_id not in open_flags
        ]
    )


def reforecast(order: Order, *, calendar: WorkingCalendar | None = None) -> Outcome:
    """Re-forecast one order's plan and store its forecast, risk, slack and driving milestone (and open or close its
    risk flag when the risk crosses the line)."""
    rows = _rows_of(order.pk)
    if not rows:
        return Outcome(None, "", None, "", [], [])
    status, committed, before = Order.objects.filter(pk=order.pk).values_list("status", "ex_factory_date", "risk").get()
    today = clock.today()
    outcome = compute(rows, status=status, committed=committed, today=today, calendar=calendar or company_calendar())
    _save_outcome(order.pk, outcome)
    if (before in FLAGGED_RISKS) != (outcome.risk in FLAGGED_RISKS):
        record_flags(
            method=RiskFlag.Method.PLAN,
            day=today,
            outcomes={
                order.pk: (
                    outcome.risk in FLAGGED_RISKS,
                    outcome.driving_milestone,
                    outcome.forecast_ex_factory_date,
                    committed,
                )
            },
        )
    for name in ("forecast_ex_factory_date", "risk", "slack_days", "driving_milestone"):
        setattr(order, name, getattr(outcome, name))
    return outcome


def locked_batches(
    order_ids: Iterable[int], *, order_fields: Sequence[str], batch_size: int
) -> Iterator[tuple[list[int], dict[int, list[Any]], dict[int, list[Row]]]]:
    """The orders `order_ids` in batches of `batch_size`, each yielded inside its own transaction with its orders
    locked: (the batch's ids, order id → the values of `order_fields`, order id → its milestones as Rows).

    A batch is read, computed and written before the next is read, so a user's change to one of its orders waits for
    the batch (or the batch for it) and nothing is written from a stale read; an error in the caller's work rolls its
    batch back."""
    ids = list(order_ids)
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        with transaction.atomic():
            orders = {
                pk: values
                for pk, *values in Order.objects.select_for_update()
                .filter(pk__in=chunk)
                .values_list("pk", *order_fields)
            }
            grouped: dict[int, list[Row]] = {}
            for values in (
                Milestone.objects.filter(order_id__in=chunk)
                .order_by("order_id", "position", "pk")
                .values("order_id", *ROW_FIELDS)
            ):
                grouped.setdefault(values.pop("order_id"), []).append(Row(**values))
            yield chunk, orders, grouped


def reforecast_orders(
    *,
    order_ids: Iterable[int] | None = None,
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Re-forecast many orders (all planned open orders by default): the nightly run.

    Reads the milestones of `batch_size` orders at a time and writes only what changed, with one executemany per
    table and batch. Returns counts: orders, milestones changed, orders whose risk changed.
    """
    calendar, today = company_calendar(), clock.today()
    if order_ids is None:
        order_ids = Order.objects.filter(status__in=PLANNED_STATUSES, milestones__isnull=False).distinct()
        order_ids = order_ids.order_by("pk").values_list("pk", flat=True)
    totals = {"orders": 0, "milestones_changed": 0, "risk_changed": 0}
    milestone_table = connection.ops.quote_name(Milestone._meta.db_table)
    order_table = connection.ops.quote_name(Order._meta.db_table)
    fields = ("status", "ex_factory_date", "forecast_ex_factory_date", "risk", "slack_days", "driving_milestone")
    for chunk, orders, grouped in locked_batches(order_ids, order_fields=fields, batch_size=batch_size):
        milestone_updates, order_updates = [], []
        flags: dict[int, tuple[bool, str, dt.date | None, dt.date]] = {}
        for order_id, rows in grouped.items():
            status, committed, *before = orders[order_id]
            outcome = compute(rows, status=status, committed=committed, today=today, calendar=calendar)
            milestone_updates += [(r.forecast_date, r.status, r.driven_by, r.id) for r in outcome.changed]
            after = [outcome.forecast_ex_factory_date, outcome.risk, outcome.slack_days, outcome.driving_milestone]
            if after != before:
                order_updates.append((*after, order_id))
                totals["risk_changed"] += after[1] != before[1]
                flagged = outcome.risk in FLAGGED_RISKS
                if flagged != (before[1] in FLAGGED_RISKS):
                    flags[order_id] = (flagged, outcome.driving_milestone, after[0], committed)
        with connection.cursor() as cursor:
            if milestone_updates:
                cursor.executemany(
                    f"UPDATE {milestone_table} SET forecast_date = %s, status = %s, driven_by = %s WHERE id = %s",
                    milestone_updates,
                )
            if order_updates:
                cursor.executemany(
                    f"UPDATE {order_table} SET forecast_ex_factory_date = %s, risk = %s, slack_days = %s, "
                    "driving_milestone = %s WHERE id = %s",
                    order_updates,
                )
        record_flags(method=RiskFlag.Method.PLAN, day=today, outcomes=flags)
        totals["orders"] += len(grouped)
        totals["milestones_changed"] += len(milestone_updates)
        if progress is not None:
            progress(len(chunk))
    return totals


# ---- templates -----------------------------------------------------------------------------------------


def ensure_default_template() -> TaTemplate:
    """The default template, created with the standard 12 milestones when there is none."""
    template = TaTemplate.objects.filter(is_default=True).first()
    if template is not None:
        return template
    template = TaTemplate.objects.create(code="STD", name="标准出口订单 / Standard export order", is_default=True)
    TemplateMilestone.objects.bulk_create(
        [
            TemplateMilestone(
                template=template,
                position=position,
                code=code,
                name_zh=zh,
                name_en=en,
                owner_role=role,
                offset_days=offset,
                depends_on=[{"code": c, "lag": lag} for c, lag in deps],
                is_ex_factory=code == EX_FACTORY_CODE,
                done_on_confirm=position == 1,
            )
            for position, (code, zh, en, role, offset, deps) in enumerate(DEFAULT_TEMPLATE, start=1)
        ]
    )
    return template


def template_for(order: Order) -> TaTemplate:
    """The customer's template, else the one of the first line's product category, else the default."""
    active = TaTemplate.objects.filter(is_active=True)
    found = active.filter(customers=order.customer_id).order_by("code").first()
    if found is None:
        category = order.lines.order_by("position", "id").values_list("product__category", flat=True).first()
        if category:
            found = next(
                (t for t in active.exclude(product_categories=[]).order_by("code") if category in t.product_categories),
                None,
            )
    return found or active.filter(is_default=True).first() or ensure_default_template()


def clean_template_milestones(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Check a template's milestone list: codes unique and short, one ex-factory milestone, known predecessors,
    no circle. Each item: code, name_zh, name_en, owner_role, offset_days, depends_on [{code, lag}],
    is_ex_factory, done_on_confirm. Raises ValidationError naming the line."""
    errors: dict[str, str] = {}
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, raw in enumerate(items, start=1):
        key = f"milestones.{index}"
        code = str(raw.get("code") or "").strip().upper()
        if not code or len(code) > CODE_MAX:
            errors[f"{key}.code"] = _("Line %(n)s: give a code of at most %(max)s characters.") % {
                "n": index,
                "max": CODE_MAX,
            }
            continue
        if code in seen:
            errors[f"{key}.code"] = _("Line %(n)s: the code %(code)s is used twice.") % {"n": index, "code": code}
        seen.add(code)
        name_zh, name_en = str(raw.get("name_zh") or "").strip(), str(raw.get("name_en") or "").strip()
        if not name_zh and not name_en:
            errors[f"{key}.name"] = _("Line %(n)s: give a Chinese or an English name.") % {"n": index}
        role = str(raw.get("owner_role") or Role.MERCHANDISER)
        if role not in Role.values:
            errors[f"{key}.owner_role"] = _("Line %(n)s: unknown role %(role)s.") % {"n": index, "role": role}
        try:
            offset = int(raw.get("offset_days"))
        except (TypeError, ValueError):
            errors[f"{key}.offset_days"] = _("Line %(n)s: the offset is a whole number of working days.") % {"n": index}
            offset = 0
        try:
            deps = _clean_depends_on(raw.get("depends_on") or [])
        except ValidationError as exc:
            errors[f"{key}.depends_on"] = _("Line %(n)s: %(error)s") % {"n": index, "error": _first(exc)}
            deps = []
        cleaned.append(
            {
                "code": code,
                "name_zh": name_zh or name_en,
                "name_en": name_en or name_zh,
                "owner_role": role,
                "offset_days": offset,
                "depends_on": deps,
                "is_ex_factory": bool(raw.get("is_ex_factory")),
                "done_on_confirm": bool(raw.get("done_on_confirm")),
            }
        )
    if not items:
        errors["milestones"] = _("A template needs at least one milestone.")
    if errors:
        raise ValidationError(errors)
    if sum(1 for c in cleaned if c["is_ex_factory"]) != 1:
        raise ValidationError({"milestones": _("Exactly one milestone must be the ex-factory milestone.")})
    _check_graph(cleaned)
    return cleaned


def _clean_depends_on(value: Any) -> list[dict[str, Any]]:
    """[{code, lag}] from a list of dicts or of "CODE" / "CODE+lag" strings."""
    if isinstance(value, str):
        value = [part for part in value.replace("，", ",").split(",") if part.strip()]
    result = []
    for item in value:
        if isinstance(item, dict):
            code, lag = str(item.get("code") or "").strip().upper(), item.get("lag", 0)
        else:
            code, _sep, lag = str(item).strip().upper().partition("+")
            code, lag = code.strip(), lag.strip() or 0
        try:
            lag = int(lag)
        except (TypeError, ValueError):
            raise ValidationError(_("the lag after %(code)s is not a whole number.") % {"code": code}) from None
        if not code:
            raise ValidationError(_("a predecessor has no code."))
        if lag < 0:
            raise ValidationError(_("the lag after %(code)s cannot be negative.") % {"code": code})
        result.append({"code": code, "lag": lag})
    return result


def _first(exc: ValidationError) -> str:
    return next(iter(exc.errors.values()))[0]


def _check_graph(items: Sequence[dict[str, Any]]) -> None:
    try:
        engine.order_of(engine.Spec(i["code"], 0, tuple((d["code"], d["lag"]) for d in i["depends_on"])) for i in items)
    except ValueError as exc:
        message = _("The milestones cannot be scheduled: %(error)s") % {"error": exc}
        raise ValidationError({"milestones": message}) from exc


@transaction.atomic
def save_template(
    *, by: User, data: dict[str, Any], milestones: Sequence[dict[str, Any]], template: TaTemplate | None = None
) -> TaTemplate:
    """Create or replace a template (its milestones are replaced as a whole; plans already made keep theirs)."""
    if not by.has_perm("followup.change_tatemplate"):
        raise PermissionDenied(
            _("Editing T&A templates needs the permission %(perm)s.") % {"perm": "followup.change_tatemplate"}
        )
    cleaned = clean_template_milestones(milestones)
    code = str(data.get("code") or (template.code if template else "")).strip().upper()
    name = str(data.get("name") or (template.name if template else "")).strip()
    errors = {}
    if not code:
        errors["code"] = _("This field is required.")
    if not name:
        errors["name"] = _("This field is required.")
    if code and TaTemplate.objects.filter(code=code).exclude(pk=getattr(template, "pk", None)).exists():
        errors["code"] = _("Another template has the code %(code)s.") % {"code": code}
    categories = data.get("product_categories")
    if isinstance(categories, str):
        categories = [c.strip() for c in categories.replace("，", ",").split(",") if c.strip()]
    if errors:
        raise ValidationError(errors)
    before = None
    if template is None:
        template = TaTemplate(code=code, name=name)
    else:
        template = TaTemplate.objects.select_for_update().get(pk=template.pk)
        check_version(template, data.get("version"))
        before = {"code": template.code, "name": template.name, "milestones": _template_summary(template)}
        template.version += 1
    template.code, template.name = code, name
    if categories is not None:
        template.product_categories = categories
    if "is_active" in data:
        template.is_active = bool(data["is_active"])
    if data.get("is_default"):
        TaTemplate.objects.filter(is_default=True).exclude(pk=template.pk).update(is_default=False)
        template.is_default = True
    template.save()
    if "customers" in data:
        template.customers.set(data["customers"] or [])
    template.milestones.all().delete()
    TemplateMilestone.objects.bulk_create(
        [TemplateMilestone(template=template, position=p, **item) for p, item in enumerate(cleaned, start=1)]
    )
    after = {"code": code, "name": name, "milestones": _template_summary(template)}
    if before is None:
        audit.record(instance=template, action=AuditAction.CREATE, by=by, changes=audit.diff({}, after))
    else:
        audit.record(instance=template, action=AuditAction.UPDATE, by=by, changes=audit.diff(before, after))
    return template


def _template_summary(template: TaTemplate) -> str:
    return ", ".join(f"{m.code}{m.offset_days:+d}" for m in template.milestones.order_by("position"))


# ---- plans ---------------------------------------------------------------------------------------------


def _owners_by_role(order: Order, roles: Iterable[str]) -> dict[str, User]:
    """For each role, the active user of it with the fewest open milestones (the merchandiser for theirs)."""
    owners: dict[str, User] = {Role.MERCHANDISER: order.merchandiser}
    for role in set(roles) - {Role.MERCHANDISER}:
        user = (
            User.objects.filter(is_active=True, groups__name=role)
            .annotate(load=Count("milestones", filter=~Q(milestones__status=MilestoneStatus.DONE)))
            .order_by("load", "username")
            .first()
        )
        owners[role] = user or order.merchandiser
    return owners


def generate_plan(*, order: Order, by: User | None, template: TaTemplate | None = None) -> list[Milestone]:
    """Make the order's milestones from its template by backward scheduling from the committed ex-factory date.

    A planned date already past is moved to the next working day and flagged compressed; a milestone done on
    confirmation gets today as its actual date. Then the order is forecast. Runs in the caller's transaction.
    """
    if Milestone.objects.filter(order=order).exists():
        return list(Milestone.objects.filter(order=order))
    template = template or template_for(order)
    items = list(template.milestones.order_by("position", "id"))
    calendar, today = company_calendar(), clock.today()
    anchor = calendar.previous_working_day(order.ex_factory_date)
    specs = [engine.Spec(m.code, m.offset_days, tuple((d["code"], d["lag"]) for d in m.depends_on)) for m in items]
    planned = engine.backward_schedule(specs, anchor, calendar)
    first_day = calendar.next_working_day(today)
    owners = _owners_by_role(order, (m.owner_role for m in items))
    milestones = []
    for position, item in enumerate(items, start=1):
        date = planned[item.code]
        compressed = date < first_day and not item.done_on_confirm
        milestones.append(
            Milestone(
                order=order,
                position=position,
                code=item.code,
                name_zh=item.name_zh,
                name_en=item.name_en,
                owner=owners.get(item.owner_role, order.merchandiser),
                owner_role=item.owner_role,
                depends_on=item.depends_on,
                is_ex_factory=item.is_ex_factory,
                done_on_confirm=item.done_on_confirm,
                planned_date=today if item.done_on_confirm else max(date, first_day),
                forecast_date=today if item.done_on_confirm else max(date, first_day),
                actual_date=today if item.done_on_confirm else None,
                status=MilestoneStatus.DONE if item.done_on_confirm else MilestoneStatus.PENDING,
                compressed=compressed,
            )
        )
    Milestone.objects.bulk_create(milestones)
    audit.record(
        instance=order,
        action=AuditAction.CREATE,
        by=by,
        changes={"plan": [None, f"{template.code}: " + ", ".join(f"{m.code} {m.planned_date}" for m in milestones)]},
        message=_("T&A plan made from template %(code)s") % {"code": template.code},
    )
    reforecast(order, calendar=calendar)
    return milestones


def make_missing_plans(*, by: User | None = None) -> int:
    """Plans for the followed orders that have none (confirmed before Gendan made plans): the same backward
    schedule, each in its own transaction. Milestones already past are compressed to the next working day, as at
    a late confirmation. Returns the number of plans made."""
    made = 0
    missing = Order.objects.filter(status__in=PLANNED_STATUSES, milestones__isnull=True).order_by("pk")
    for order in missing.select_related("merchandiser"):
        with transaction.atomic():
            generate_plan(order=order, by=by)
        made += 1
    return made


def plan_messages(order: Order) -> list[str]:
    """What the user who confirmed the order should know about its new plan."""
    compressed = list(Milestone.objects.filter(order=order, compressed=True).order_by("position"))
    messages = []
    if compressed:
        messages.append(
            _("The plan is compressed: %(n)s milestones were already due and are now planned for %(date)s: %(codes)s.")
            % {
                "n": len(compressed),
                "date": compressed[0].planned_date.isoformat(),
                "codes": ", ".join(f"{m.code} {m.name}" for m in compressed),
            }
        )
    if order.risk in (Risk.AT_RISK, Risk.LATE):
        messages.append(
            _("Forecast ex-factory %(forecast)s is after the committed %(committed)s (driven by %(code)s).")
            % {
                "forecast": order.forecast_ex_factory_date.isoformat() if order.forecast_ex_factory_date else "—",
                "committed": order.ex_factory_date.isoformat(),
                "code": order.driving_milestone,
            }
        )
    return messages


def replan(*, order: Order, by: User | None) -> None:
    """After the committed ex-factory date changed: shift the plan of milestones not yet done by the same number
    of working days, then re-forecast."""
    calendar = company_calendar()
    exf = Milestone.objects.filter(order=order, is_ex_factory=True).first()
    if exf is None:
        return
    anchor = calendar.previous_working_day(order.ex_factory_date)
    shift = calendar.between(calendar.previous_working_day(exf.planned_date), anchor)
    if shift == 0:
        return
    first_day = calendar.next_working_day(clock.today())
    moved = []
    for m in Milestone.objects.filter(order=order, actual_date__isnull=True):
        old = m.planned_date
        m.planned_date = max(calendar.add(old, shift), first_day)
        if m.planned_date != old:
            moved.append(f"{m.code} {old} → {m.planned_date}")
            Milestone.objects.filter(pk=m.pk).update(planned_date=m.planned_date)
    if moved:
        audit.record(
            instance=order,
            action=AuditAction.UPDATE,
            by=by,
            changes={"plan": ["", "; ".join(moved)]},
            message=_("Plan moved with the committed ex-factory date"),
        )
    reforecast(order, calendar=calendar)


# ---- milestone edits -----------------------------------------------------------------------------------


def can_edit_milestone(milestone: Milestone, user: User) -> bool:
    """The owner, the order's merchandiser, and whoever manages plans or all orders."""
    return (
        user.pk in (milestone.owner_id, milestone.order.merchandiser_id)
        or user.has_perm("followup.manage_plans")
        or user.has_perm("sales.manage_all_orders")
    )


def can_manage_plan(order: Order, user: User) -> bool:
    return user.pk == order.merchandiser_id or user.has_perm("followup.manage_plans")


def _ensure(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _lock_milestone(milestone: Milestone) -> Milestone:
    """The milestone, fresh, with its order row locked too (FOR UPDATE covers the joined order): every change to
    one order's plan and its re-forecast run one at a time, so none re-forecasts from a sibling milestone another
    transaction is changing (tests/followup/test_concurrency.py)."""
    found = Milestone.objects.select_for_update().select_related("order").filter(pk=milestone.pk).first()
    if found is None:
        raise NotFound(_("There is no milestone %(id)s.") % {"id": milestone.pk})
    return found


def _parse_date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: _("Give a date as YYYY-MM-DD.")}) from None


def _ensure_open(order: Order) -> None:
    if order.status not in PLANNED_STATUSES:
        raise ValidationError(
            _("Order %(number)s is %(status)s: its plan is no longer followed.")
            % {"number": order.number, "status": order.get_status_display()}
        )


EDITABLE_FIELDS = ("actual_date", "forecast_date", "note", "planned_date", "owner", "name_zh", "name_en", "depends_on")


@transaction.atomic
def update_milestone(*, milestone: Milestone, by: User, data: dict[str, Any], version: int | None = None) -> Milestone:
    """Record an actual date, a forecast (promise) with a note, move the planned date, change owner, names or
    predecessors; then re-forecast the order. Moving, renaming and re-linking need plan rights; owners and
    managers record actuals and forecasts. Audited as one change."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    locked = _lock_milestone(milestone)
    order = locked.order
    check_version(locked, version)
    _ensure(
        can_edit_milestone(locked, by),
        _("Only the owner, the order's merchandiser or a plan manager may update milestone %(code)s.")
        % {"code": locked.code},
    )
    _ensure_open(order)
    today = clock.today()
    changes: dict[str, list[Any]] = {}

    def put(field: str, value: Any) -> None:
        old = getattr(locked, field)
        if old != value:
            changes[field] = [old, value]
            setattr(locked, field, value)

    if "actual_date" in data:
        actual = _parse_date(data["actual_date"], "actual_date")
        if actual is not None and actual > today:
            raise ValidationError({"actual_date": _("An actual date cannot be in the future.")})
        put("actual_date", actual)
        if actual is not None:
            put("promised_date", None)
    if "forecast_date" in data:
        if locked.actual_date is not None and "actual_date" not in data:
            raise ValidationError({"forecast_date": _("This milestone is done: change its actual date instead.")})
        promised = _parse_date(data["forecast_date"], "forecast_date")
        if promised is not None and promised < today:
            raise ValidationError({"forecast_date": _("A forecast cannot be in the past.")})
        put("promised_date", promised)
        put("forecast_note", str(data.get("note") or "").strip()[:300])
    elif "note" in data:
        put("forecast_note", str(data.get("note") or "").strip()[:300])
    plan_fields = {"planned_date", "owner", "name_zh", "name_en", "depends_on"} & set(data)
    if plan_fields - {"owner"}:
        _ensure(
            can_manage_plan(order, by),
            _("Only the order's merchandiser or a plan manager may change the plan of %(number)s.")
            % {"number": order.number},
        )
    if "owner" in data:
        _ensure(
            can_manage_plan(order, by) or by.has_perm("sales.manage_all_orders"),
            _("Only the order's merchandiser or a manager may reassign milestone %(code)s.") % {"code": locked.code},
        )
        owner = _active_user(data["owner"], "owner")
        put("owner", owner)
    if "planned_date" in data:
        planned = _parse_date(data["planned_date"], "planned_date")
        if planned is None:
            raise ValidationError({"planned_date": _("This field is required.")})
        put("planned_date", planned)
    for name in ("name_zh", "name_en"):
        if name in data:
            value = str(data[name] or "").strip()
            if not value:
                raise ValidationError({name: _("This field is required.")})
            put(name, value[:100])
    if "depends_on" in data:
        deps = _clean_depends_on(data["depends_on"])
        codes = set(Milestone.objects.filter(order=order).exclude(pk=locked.pk).values_list("code", flat=True))
        unknown_codes = [d["code"] for d in deps if d["code"] not in codes]
        if unknown_codes:
            raise ValidationError(
                {"depends_on": _("This order has no milestone %(codes)s.") % {"codes": ", ".join(unknown_codes)}}
            )
        put("depends_on", deps)
    if not changes:
        return locked
    if "depends_on" in changes:
        _check_graph(
            [
                {"code": m.code, "depends_on": locked.depends_on if m.pk == locked.pk else m.depends_on}
                for m in Milestone.objects.filter(order=order)
            ]
        )
    locked.version += 1
    locked.save()
    if "actual_date" in changes and locked.actual_date is not None:
        FollowUp.objects.filter(milestone=locked, closed_at__isnull=True).update(closed_at=clock.now())
    audit.record(
        instance=locked,
        action=AuditAction.UPDATE,
        by=by,
        changes={k: [_plain(v[0]), _plain(v[1])] for k, v in changes.items()},
        message=str(data.get("note") or ""),
        related=order,
    )
    reforecast(order)
    locked.refresh_from_db()
    return locked


def _plain(value: Any) -> Any:
    return value.username if isinstance(value, User) else value


def _active_user(value: Any, field: str) -> User:
    if isinstance(value, User):
        user = value
    else:
        lookup = {"pk": value} if isinstance(value, int) or str(value).isdigit() else {"username": value}
        user = User.objects.filter(**lookup).first()
    if user is None or not user.is_active:
        raise ValidationError({field: _("There is no active user %(user)s.") % {"user": value}})
    return user


@transaction.atomic
def add_milestone(*, order: Order, by: User, data: dict[str, Any]) -> Milestone:
    """Add a milestone to one order's plan (after `after`, or at the end), then re-forecast."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    _ensure(
        can_manage_plan(order, by),
        _("Only the order's merchandiser or a plan manager may change the plan of %(number)s.")
        % {"number": order.number},
    )
    _ensure_open(order)
    existing = list(Milestone.objects.filter(order=order).order_by("position", "id"))
    if not existing:
        raise ValidationError(_("Order %(number)s has no plan yet.") % {"number": order.number})
    code = str(data.get("code") or "").strip().upper()
    errors: dict[str, str] = {}
    if not code or len(code) > CODE_MAX:
        errors["code"] = _("Give a code of at most %(max)s characters.") % {"max": CODE_MAX}
    elif any(m.code == code for m in existing):
        errors["code"] = _("This order already has a milestone %(code)s.") % {"code": code}
    name_zh, name_en = str(data.get("name_zh") or "").strip(), str(data.get("name_en") or "").strip()
    if not (name_zh or name_en):
        errors["name_zh"] = _("Give a Chinese or an English name.")
    try:
        planned = _parse_date(data.get("planned_date"), "planned_date")
    except ValidationError as exc:
        errors.update(exc.errors)
        planned = None
    if planned is None and "planned_date" not in errors:
        errors["planned_date"] = _("This field is required.")
    deps: list[dict[str, Any]] = []
    try:
        deps = _clean_depends_on(data.get("depends_on") or [])
    except ValidationError as exc:
        errors["depends_on"] = _first(exc)
    codes = {m.code for m in existing}
    missing = [d["code"] for d in deps if d["code"] not in codes]
    if missing:
        errors["depends_on"] = _("This order has no milestone %(codes)s.") % {"codes": ", ".join(missing)}
    owner = order.merchandiser
    if data.get("owner"):
        try:
            owner = _active_user(data["owner"], "owner")
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    after = str(data.get("after") or "").strip().upper()
    position = next((m.position for m in existing if m.code == after), existing[-1].position)
    Milestone.objects.filter(order=order, position__gt=position).update(position=F("position") + 1)
    milestone = Milestone.objects.create(
        order=order,
        position=position + 1,
        code=code,
        name_zh=name_zh or name_en,
        name_en=name_en or name_zh,
        owner=owner,
        owner_role=str(data.get("owner_role") or Role.MERCHANDISER),
        depends_on=deps,
        planned_date=planned,
        forecast_date=planned,
    )
    audit.record_create(
        instance=milestone, by=by, fields=["code", "name_zh", "name_en", "planned_date", "owner"], related=order
    )
    reforecast(order)
    milestone.refresh_from_db()
    return milestone


@transaction.atomic
def remove_milestone(*, milestone: Milestone, by: User, reason: str = "") -> None:
    """Remove a milestone from one order's plan (never the ex-factory one); its successors lose the link."""
    locked = _lock_milestone(milestone)
    order = locked.order
    _ensure(
        can_manage_plan(order, by),
        _("Only the order's merchandiser or a plan manager may change the plan of %(number)s.")
        % {"number": order.number},
    )
    _ensure_open(order)
    if locked.is_ex_factory:
        raise ValidationError(_("The ex-factory milestone cannot be removed."))
    for other in Milestone.objects.filter(order=order).exclude(pk=locked.pk):
        if locked.code in other.predecessor_codes:
            other.depends_on = [d for d in other.depends_on if d["code"] != locked.code]
            other.save(update_fields=["depends_on"])
    audit.record(
        instance=locked,
        action=AuditAction.DELETE,
        by=by,
        changes={"code": [locked.code, None], "planned_date": [locked.planned_date, None]},
        message=(reason or "").strip(),
        related=order,
    )
    locked.delete()
    reforecast(order)


@transaction.atomic
def reassign_owner(*, milestone: Milestone, by: User, owner: Any) -> Milestone:
    """Give a milestone another owner (the risk board's reassign)."""
    return update_milestone(milestone=milestone, by=by, data={"owner": owner})


# ---- the follow-up log ---------------------------------------------------------------------------------


@transaction.atomic
def log_follow_up(*, order: Order, by: User, data: dict[str, Any]) -> FollowUp:
    """Record a chase. A promised date on a milestone becomes its forecast (and re-forecasts the order); earlier
    open follow-ups of the same order and milestone are closed by it."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    errors: dict[str, str] = {}
    party = str(data.get("party") or "")
    if party not in Party.values:
        errors["party"] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(Party.values)}
    channel = str(data.get("channel") or "")
    if channel not in Channel.values:
        errors["channel"] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(Channel.values)}
    summary = str(data.get("summary") or "").strip()
    if not summary:
        errors["summary"] = _("Say what was said.")
    today = clock.today()
    dates: dict[str, dt.date | None] = {}
    for field in ("promised_date", "next_follow_up_date"):
        try:
            dates[field] = _parse_date(data.get(field), field)
        except ValidationError as exc:
            errors.update(exc.errors)
            dates[field] = None
    if dates["next_follow_up_date"] and dates["next_follow_up_date"] < today:
        errors["next_follow_up_date"] = _("The next follow-up cannot be in the past.")
    milestone = None
    if data.get("milestone_id") not in (None, ""):
        milestone = Milestone.objects.filter(order=order, pk=data["milestone_id"]).first()
        if milestone is None:
            errors["milestone_id"] = _("Order %(number)s has no milestone %(id)s.") % {
                "number": order.number,
                "id": data["milestone_id"],
            }
    if dates["promised_date"] and milestone is not None:
        if milestone.actual_date is not None:
            errors["promised_date"] = _("Milestone %(code)s is already done.") % {"code": milestone.code}
        elif dates["promised_date"] < today:
            errors["promised_date"] = _("A promised date cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    FollowUp.objects.filter(order=order, milestone=milestone, closed_at__isnull=True).update(closed_at=clock.now())
    follow_up = FollowUp.objects.create(
        order=order,
        milestone=milestone,
        party=party,
        contact=str(data.get("contact") or "").strip()[:100],
        channel=channel,
        summary=summary,
        promised_date=dates["promised_date"],
        next_follow_up_date=dates["next_follow_up_date"],
        created_by=by,
        created_at=clock.now(),
    )
    audit.record_create(
        instance=follow_up,
        by=by,
        fields=["party", "channel", "summary", "promised_date", "next_follow_up_date"],
        related=order,
    )
    if dates["promised_date"] and milestone is not None and order.status in PLANNED_STATUSES:
        # the promise becomes the milestone's forecast, whoever heard it (a colleague may log for the owner)
        promised = dates["promised_date"]
        old = (milestone.promised_date, milestone.forecast_note)
        Milestone.objects.filter(pk=milestone.pk).update(
            promised_date=promised, forecast_note=summary[:300], version=F("version") + 1
        )
        audit.record(
            instance=milestone,
            action=AuditAction.UPDATE,
            by=by,
            changes=audit.diff(
                {"promised_date": old[0], "forecast_note": old[1]},
                {"promised_date": promised, "forecast_note": summary[:300]},
            ),
            message=_("Promised in a follow-up"),
            related=order,
        )
        reforecast(order)
    return follow_up


# ---- dates fed by other domains ------------------------------------------------------------------------


def materials_milestone_code() -> str:
    """The milestone purchasing feeds, whose plan is the materials' need-by date (GENDAN_MATERIALS_MILESTONE)."""
    return str(getattr(settings, "GENDAN_MATERIALS_MILESTONE", MATERIALS_CODE))


def feed_dates(*, code: str, dates: dict[int, tuple[dt.date | None, str]], by: User | None = None) -> int:
    """Feed milestone `code` of each order ({order_id: (date or None, note)}): a domain's own forecast of it, such as
    the latest promised delivery of an order's materials. The forecast takes it like a promise (never earlier than
    the plan). Orders whose fed date or note changed are audited and re-forecast; returns how many changed."""
    if not dates:
        return 0
    with transaction.atomic():
        current = {
            m.order_id: m
            for m in Milestone.objects.filter(order_id__in=list(dates), code=code, actual_date__isnull=True)
            .select_related("order")
            .order_by()
        }
        changed: list[int] = []
        for order_id, milestone in current.items():
            date, note = dates[order_id]
            note = note[:300] if date else ""
            if (milestone.fed_date, milestone.fed_note) == (date, note):
                continue
            Milestone.objects.filter(pk=milestone.pk).update(fed_date=date, fed_note=note)
            audit.record(
                instance=milestone,
                action=AuditAction.UPDATE,
                by=by,
                changes={"fed_date": [milestone.fed_date, date]},
                message=note,
                related=milestone.order,
            )
            changed.append(order_id)
        if changed:
            reforecast_orders(order_ids=sorted(changed))
    return len(changed)


@transaction.atomic
def complete_milestone(*, order_id: int, code: str, day: dt.date, note: str, by: User | None) -> bool:
    """Record milestone `code` of the order as done on `day` because another domain's facts say so (every material
    in stock: "materials in house"); False when there is no such open milestone."""
    milestone = (
        Milestone.objects.select_for_update()
        .select_related("order")
        .filter(order_id=order_id, code=code, actual_date__isnull=True, order__status__in=PLANNED_STATUSES)
        .first()
    )
    if milestone is None:
        return False
    Milestone.objects.filter(pk=milestone.pk).update(
        actual_date=day, promised_date=None, fed_date=None, fed_note="", version=F("version") + 1
    )
    FollowUp.objects.filter(milestone=milestone, closed_at__isnull=True).update(closed_at=clock.now())
    audit.record(
        instance=milestone,
        action=AuditAction.UPDATE,
        by=by,
        changes={"actual_date": [None, day]},
        message=note,
        related=milestone.order,
    )
    reforecast(milestone.order)
    return True


# ---- order events --------------------------------------------------------------------------------------


def on_order_confirmed(*, order: Order, by: User) -> list[str]:
    generate_plan(order=order, by=by)
    return plan_messages(order)


def on_order_changed(*, order: Order, by: User) -> None:
    if Milestone.objects.filter(order=order).exists():
        replan(order=order, by=by)


def on_order_moved(*, order: Order, old: str, new: str, by: User) -> None:
    """Shipping records the ex-factory milestone's actual date; any move re-forecasts (risk follows status)."""
    if not Milestone.objects.filter(order=order).exists():
        return
    if new == OrderStatus.SHIPPED:
        exf = Milestone.objects.filter(order=order, is_ex_factory=True, actual_date__isnull=True).first()
        if exf is not None:
            Milestone.objects.filter(pk=exf.pk).update(actual_date=clock.today(), promised_date=None)
            audit.record(
                instance=exf,
                action=AuditAction.UPDATE,
                by=by,
                changes={"actual_date": [None, clock.today()]},
                message=_("Recorded when the order was shipped"),
                related=order,
            )
    reforecast(order)
