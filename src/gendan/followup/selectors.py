"""Read side of follow-up: an order's plan, the chase list (每日跟进清单) and the risk board (风险看板)."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from gendan.core.calendar import WorkingCalendar, company_calendar
from gendan.core.exceptions import NotFound, ValidationError
from gendan.core.models import User
from gendan.followup.choices import ChaseKind, MilestoneStatus, Risk
from gendan.followup.models import FollowUp, Milestone, TaTemplate, bilingual
from gendan.partners.choices import CustomerTier
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order

# Orders that are followed day to day (on hold: paused, nothing to chase); shipped orders still have documents
# and payment to chase, but are no longer at risk of shipping late.
FOLLOWED_STATUSES = (OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION, OrderStatus.READY_TO_SHIP)
CHASED_STATUSES = (*FOLLOWED_STATUSES, OrderStatus.SHIPPED)
AT_RISK = (Risk.AT_RISK, Risk.LATE)
TIER_RANK = {CustomerTier.KEY: 0, CustomerTier.NORMAL: 1, CustomerTier.PROSPECT: 2}


def risk_threshold() -> float:
    """GENDAN_RISK_PROBABILITY_THRESHOLD (0.7): an order less likely than this to leave the factory by its committed
    date, by the learned forecast (`Order.on_time_probability`), is at risk; 1 flags every order not certain."""
    value = float(getattr(settings, "GENDAN_RISK_PROBABILITY_THRESHOLD", 0.7))
    if not 0 < value <= 1:
        raise ImproperlyConfigured("GENDAN_RISK_PROBABILITY_THRESHOLD must be more than 0 and at most 1")
    return value


def at_risk_q() -> Q:
    """Orders at risk by either forecast: the plan's (at risk or late) or the learned one (probability below the
    threshold)."""
    return Q(risk__in=AT_RISK) | Q(on_time_probability__lt=risk_threshold())


def chase_horizon() -> int:
    """Working days ahead a milestone enters its owner's chase list (GENDAN_CHASE_HORIZON, default 3)."""
    return int(getattr(settings, "GENDAN_CHASE_HORIZON", 3))


# ---- plans ---------------------------------------------------------------------------------------------


def milestones_of(order: Order) -> list[Milestone]:
    milestones = list(Milestone.objects.filter(order=order).select_related("owner").order_by("position", "id"))
    for m in milestones:
        m.order = order  # the page asks each milestone about its order: no query per row
    return milestones


def driving_chain(order: Order, milestones: list[Milestone]) -> list[str]:
    """The codes from the order's driving milestone to ex-factory, along each stored forecast's `driven_by`."""
    if not order.driving_milestone:
        return []
    by_code = {m.code: m for m in milestones}
    exf = next((m for m in milestones if m.is_ex_factory), None)
    if exf is None:
        return []
    chain, code = [exf.code], exf.code
    while code != order.driving_milestone and by_code.get(code) and by_code[code].driven_by:
        code = by_code[code].driven_by
        chain.append(code)
    chain.reverse()
    return chain if chain[0] == order.driving_milestone else [order.driving_milestone]


def get_milestone(milestone_id: int) -> Milestone:
    found = Milestone.objects.select_related("order", "owner").filter(pk=milestone_id).first()
    if found is None:
        raise NotFound(_("There is no milestone %(id)s.") % {"id": milestone_id})
    return found


def follow_ups_of(order: Order) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(order=order).select_related("created_by", "milestone").order_by("-created_at", "-id")


def template_list() -> QuerySet[TaTemplate]:
    return TaTemplate.objects.prefetch_related("milestones", "customers").order_by("-is_default", "code")


def get_template(template_id: int) -> TaTemplate:
    found = template_list().filter(pk=template_id).first()
    if found is None:
        raise NotFound(_("There is no T&A template %(id)s.") % {"id": template_id})
    return found


# ---- the chase list ------------------------------------------------------------------------------------


def chase_user(viewer: User, username: str | None) -> User:
    """Whose chase list `viewer` may see: their own, or anyone's for managers (sales.manage_all_orders)."""
    if not username or username == viewer.username:
        return viewer
    if not viewer.has_perm("sales.manage_all_orders"):
        raise NotFound(_("Only managers see other people's chase lists."))
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ValidationError({"user": _("There is no user %(name)s.") % {"name": username}})
    return user


@dataclass
class ChaseRow:
    """One thing to chase. `order_*` name the order it is about (None for a purchase line bought for stock);
    other domains set `kind_label` (the badge) and `document` (e.g. the PO number)."""

    kind: str
    order_id: int | None
    order_number: str
    milestone_id: int | None
    milestone_code: str | None
    milestone_name: str
    due_date: dt.date
    days_late: int  # working days past due; negative: working days left
    reason: str
    object_id: int
    url: str
    customer: str
    tier: str
    amount: Decimal
    currency: str
    promised_date: dt.date | None = None
    kind_label: str = ""
    document: str = ""
    probability: float | None = None  # an order's learned chance of leaving on time

    @property
    def urgency(self) -> tuple:
        likely = 1.0 if self.probability is None else self.probability
        return (-self.days_late, likely, TIER_RANK.get(self.tier, 9), -self.amount, self.due_date, self.order_number)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _order_url(order_id: int) -> str:
    return reverse("sales:order", args=[order_id])


def _late_text(days: int) -> str:
    if days > 0:
        return _("%(n)s working days late") % {"n": days}
    if days == 0:
        return _("due today")
    return _("due in %(n)s working days") % {"n": -days}


@dataclass(frozen=True)
class ChaseQuery:
    """What a chase-list source is asked: whose list, which day, rows due up to `until`, on which calendar."""

    user: User
    day: dt.date
    until: dt.date
    calendar: WorkingCalendar


ChaseSource = Callable[[ChaseQuery], Iterable[ChaseRow]]
_sources: list[ChaseSource] = []


def register_chase_source(source: ChaseSource) -> ChaseSource:
    """Add a source of chase-list rows (each domain adds its own: purchase-order lines, inspections, ...)."""
    if source not in _sources:
        _sources.append(source)
    return source


def chase_list(user: User, day: dt.date, *, horizon: int | None = None, calendar: WorkingCalendar | None = None):
    """What `user` should chase on `day`: every registered source's rows, most urgent first (ChaseRow.urgency)."""
    calendar = calendar or company_calendar()
    horizon = chase_horizon() if horizon is None else horizon
    query = ChaseQuery(user=user, day=day, until=calendar.add(day, horizon), calendar=calendar)
    rows = [row for source in _sources for row in source(query)]
    rows.sort(key=lambda r: r.urgency)
    return rows


@register_chase_source
def milestones_to_chase(q: ChaseQuery) -> list[ChaseRow]:
    """The user's milestones overdue or due by `until` (by the promise when one was recorded), except while a
    follow-up of it waits for a later date."""
    user, day, until, calendar = q.user, q.day, q.until, q.calendar
    rows: list[ChaseRow] = []
    snoozed = FollowUp.objects.filter(milestone=OuterRef("pk"), closed_at__isnull=True, next_follow_up_date__gt=day)
    milestones = (
        Milestone.objects.filter(
            owner=user,
            status__in=(MilestoneStatus.PENDING, MilestoneStatus.LATE),  # not done: the (owner, status) index
            order__status__in=CHASED_STATUSES,
            planned_date__lte=until,
        )
        .filter(Q(promised_date__isnull=True) | Q(promised_date__lte=until))
        .exclude(Exists(snoozed))
        .values(
            "id",
            "code",
            "name_zh",
            "name_en",
            "planned_date",
            "promised_date",
            "forecast_note",
            "fed_date",
            "fed_note",
            "order_id",
            "order__number",
            "order__customer__code",
            "order__customer__tier",
            "order__total_amount",
            "order__currency",
        )
    )
    for m in milestones:
        due = m["promised_date"] or m["planned_date"]
        late = calendar.between(due, day)
        name = bilingual(m["name_zh"], m["name_en"])
        if m["promised_date"]:
            reason = _("%(name)s: promised for %(promised)s (planned %(planned)s), %(late)s") % {
                "name": name,
                "promised": m["promised_date"].isoformat(),
                "planned": m["planned_date"].isoformat(),
                "late": _late_text(late),
            }
        elif late > 0:
            reason = _("%(name)s: overdue, planned %(planned)s, %(late)s") % {
                "name": name,
                "planned": m["planned_date"].isoformat(),
                "late": _late_text(late),
            }
        else:
            reason = _("%(name)s: planned %(planned)s, %(late)s") % {
                "name": name,
                "planned": m["planned_date"].isoformat(),
                "late": _late_text(late),
            }
        if m["fed_date"] and m["fed_date"] > m["planned_date"]:
            reason = f"{reason} · {m['fed_note']}"  # why it slips: the supplier's promise behind it
        rows.append(
            ChaseRow(
                kind=ChaseKind.MILESTONE,
                order_id=m["order_id"],
                order_number=m["order__number"],
                milestone_id=m["id"],
                milestone_code=m["code"],
                milestone_name=name,
                due_date=due,
                days_late=late,
                reason=reason,
                object_id=m["id"],
                url=_order_url(m["order_id"]) + f"#milestone-{m['id']}",
                customer=m["order__customer__code"],
                tier=m["order__customer__tier"],
                amount=m["order__total_amount"],
                currency=m["order__currency"],
                promised_date=m["promised_date"],
            )
        )
    return rows


@register_chase_source
def follow_ups_to_chase(q: ChaseQuery) -> list[ChaseRow]:
    """The user's follow-ups whose next follow-up date has come and that no later one answered."""
    user, day, calendar = q.user, q.day, q.calendar
    rows: list[ChaseRow] = []
    follow_ups = (
        FollowUp.objects.filter(
            created_by=user,
            closed_at__isnull=True,
            next_follow_up_date__lte=day,
            order__status__in=CHASED_STATUSES,
        )
        .select_related("order__customer", "milestone")
        .order_by("next_follow_up_date", "id")
    )
    for f in follow_ups:
        late = calendar.between(f.next_follow_up_date, day)
        rows.append(
            ChaseRow(
                kind=ChaseKind.FOLLOW_UP,
                order_id=f.order_id,
                order_number=f.order.number,
                milestone_id=f.milestone_id,
                milestone_code=f.milestone.code if f.milestone_id else None,
                milestone_name=f.milestone.name if f.milestone_id else "",
                due_date=f.next_follow_up_date,
                days_late=late,
                reason=_("Follow up with the %(party)s (%(channel)s, %(date)s): %(summary)s")
                % {
                    "party": f.get_party_display().lower(),
                    "channel": f.get_channel_display(),
                    "date": f.created_at.date().isoformat(),
                    "summary": f.summary[:120],
                },
                object_id=f.pk,
                url=_order_url(f.order_id) + "#follow-ups",
                customer=f.order.customer.code,
                tier=f.order.customer.tier,
                amount=f.order.total_amount,
                currency=f.order.currency,
            )
        )
    return rows


def _percent(probability: float) -> str:
    return f"{probability:.0%}"


@register_chase_source
def orders_to_chase(q: ChaseQuery) -> list[ChaseRow]:
    """The user's orders at risk or late, as merchandiser: by the plan's forecast or the learned one."""
    rows: list[ChaseRow] = []
    at_risk = Order.objects.filter(at_risk_q(), merchandiser=q.user, status__in=FOLLOWED_STATUSES).values(
        "id",
        "number",
        "ex_factory_date",
        "forecast_ex_factory_date",
        "slack_days",
        "risk",
        "driving_milestone",
        "on_time_probability",
        "learned_ex_factory_date",
        "learned_driver",
        "customer__code",
        "customer__tier",
        "total_amount",
        "currency",
    )
    for o in at_risk:
        slack = o["slack_days"] or 0
        probability = o["on_time_probability"]
        code = o["driving_milestone"]
        if o["risk"] == Risk.LATE:
            reason = _("Committed ex-factory %(committed)s has passed; forecast %(forecast)s, driven by %(code)s") % {
                "committed": o["ex_factory_date"].isoformat(),
                "forecast": o["forecast_ex_factory_date"].isoformat() if o["forecast_ex_factory_date"] else "—",
                "code": code or "—",
            }
        elif o["risk"] == Risk.AT_RISK:
            reason = _(
                "Forecast ex-factory %(forecast)s is %(n)s working days after the committed %(committed)s; "
                "driven by %(code)s"
            ) % {
                "forecast": o["forecast_ex_factory_date"].isoformat() if o["forecast_ex_factory_date"] else "—",
                "n": -slack,
                "committed": o["ex_factory_date"].isoformat(),
                "code": code or "—",
            }
        else:  # on plan, but history says it is unlikely to make it
            code = o["learned_driver"]
            reason = _(
                "On plan, but only %(p)s likely to leave by the committed %(committed)s as history runs; "
                "expected %(learned)s, most at stake: %(code)s"
            ) % {
                "p": _percent(probability),
                "committed": o["ex_factory_date"].isoformat(),
                "learned": o["learned_ex_factory_date"].isoformat() if o["learned_ex_factory_date"] else "—",
                "code": code or "—",
            }
        if probability is not None and o["risk"] != Risk.ON_TRACK:
            reason += " " + _("(%(p)s likely on time)") % {"p": _percent(probability)}
        rows.append(
            ChaseRow(
                kind=ChaseKind.ORDER,
                order_id=o["id"],
                order_number=o["number"],
                milestone_id=None,
                milestone_code=code or None,
                milestone_name="",
                due_date=o["ex_factory_date"],
                days_late=-slack,
                reason=reason,
                object_id=o["id"],
                url=_order_url(o["id"]),
                customer=o["customer__code"],
                tier=o["customer__tier"],
                amount=o["total_amount"],
                currency=o["currency"],
                probability=probability,
            )
        )
    return rows


# ---- the risk board ------------------------------------------------------------------------------------

_LIKELY = F("on_time_probability").asc(nulls_last=True)
RISK_SORTS = {
    "probability": (_LIKELY, "slack_days", "ex_factory_date", "id"),
    "-probability": (F("on_time_probability").desc(nulls_last=True), "slack_days", "ex_factory_date", "id"),
    "slack": ("slack_days", "ex_factory_date", "id"),
    "-slack": ("-slack_days", "ex_factory_date", "id"),
    "committed": ("ex_factory_date", "slack_days", "id"),
    "-committed": ("-ex_factory_date", "slack_days", "id"),
    "forecast": ("forecast_ex_factory_date", "slack_days", "id"),
    "-forecast": ("-forecast_ex_factory_date", "slack_days", "id"),
    "number": ("number",),
    "-number": ("-number",),
    "customer": ("customer__code", "slack_days", "id"),
    "-customer": ("-customer__code", "slack_days", "id"),
    "merchandiser": ("merchandiser__username", "slack_days", "id"),
    "-merchandiser": ("-merchandiser__username", "slack_days", "id"),
}


def risk_board(
    *,
    risk: str = "",
    merchandiser: str = "",
    customer_id: int | None = None,
    driving_milestone: str = "",
    q: str = "",
    include_on_hold: bool = False,
    sort: str = "probability",
) -> QuerySet[Order]:
    """Orders at risk or late by the plan's forecast or the learned one (`at_risk_q`), the least likely to leave on
    time first by default (then the worst slack: orders without a probability rank by slack after those with one)."""
    statuses = (*FOLLOWED_STATUSES, OrderStatus.ON_HOLD) if include_on_hold else FOLLOWED_STATUSES
    qs = Order.objects.filter(at_risk_q(), status__in=statuses)
    if risk:
        qs = qs.filter(risk=risk)
    if merchandiser:
        qs = qs.filter(merchandiser__username=merchandiser)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if driving_milestone:
        qs = qs.filter(driving_milestone=driving_milestone.upper())
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(customer_po__icontains=q) | Q(customer__code__icontains=q))
    return qs.order_by(*RISK_SORTS.get(sort, RISK_SORTS["probability"]))


def _shown(order: dict[str, Any]) -> str:
    """The milestone the board details: the plan's driving one, else the learned one (an order at risk only by
    the learned forecast)."""
    return order["driving_milestone"] or order["learned_driver"]


def risk_rows(qs: QuerySet[Order], *, offset: int = 0, limit: int = 50) -> list[dict[str, Any]]:
    """One page of the risk board with the driving milestone and the latest follow-up of each order."""
    orders = list(
        qs.values(
            "id",
            "number",
            "customer_id",
            "customer__code",
            "customer__name",
            "merchandiser__username",
            "ex_factory_date",
            "forecast_ex_factory_date",
            "slack_days",
            "risk",
            "driving_milestone",
            "on_time_probability",
            "learned_ex_factory_date",
            "learned_driver",
            "status",
            "total_amount",
            "currency",
        )[offset : offset + limit]
    )
    if not orders:
        return []
    ids = [o["id"] for o in orders]
    driving: dict[tuple[int, str], Milestone] = {
        (m.order_id, m.code): m
        for m in Milestone.objects.filter(
            order_id__in=ids, code__in={_shown(o) for o in orders if _shown(o)}
        ).select_related("owner")
    }
    latest: dict[int, FollowUp] = {}
    for f in FollowUp.objects.filter(order_id__in=ids).select_related("created_by").order_by("order_id", "-created_at"):
        latest.setdefault(f.order_id, f)
    rows = []
    for o in orders:
        m = driving.get((o["id"], _shown(o)))
        f = latest.get(o["id"])
        rows.append(
            {
                "id": o["id"],
                "number": o["number"],
                "customer_id": o["customer_id"],
                "customer_code": o["customer__code"],
                "customer_name": o["customer__name"],
                "merchandiser": o["merchandiser__username"],
                "status": o["status"],
                "ex_factory_date": o["ex_factory_date"],
                "forecast_ex_factory_date": o["forecast_ex_factory_date"],
                "slack_days": o["slack_days"],
                "risk": o["risk"],
                "total_amount": o["total_amount"],
                "currency": o["currency"],
                "driving_milestone": o["driving_milestone"] or None,
                "on_time_probability": o["on_time_probability"],
                "learned_ex_factory_date": o["learned_ex_factory_date"],
                "learned_driver": o["learned_driver"] or None,
                "driving_milestone_id": m.pk if m else None,
                "driving_milestone_name": m.name if m else "",
                "driving_owner": m.owner.username if m else None,
                "driving_planned_date": m.planned_date if m else None,
                "driving_forecast_date": m.forecast_date if m else None,
                # why another domain moved it (production's run rate, short stock…)
                "driving_note": m.fed_note if m and m.fed_date and not m.actual_date else "",
                "latest_follow_up": (
                    {
                        "date": f.created_at,
                        "by": f.created_by.username,
                        "party": f.party,
                        "channel": f.channel,
                        "summary": f.summary,
                        "promised_date": f.promised_date,
                    }
                    if f
                    else None
                ),
            }
        )
    return rows


# ---- the customer file ------------------------------------------------------------------------------------------

DELIVERY_WINDOW_DAYS = 365


def customer_delivery(customer_id: int, *, days: int = DELIVERY_WINDOW_DAYS) -> dict[str, Any]:
    """The customer's delivery record over the last `days` days: orders whose ex-factory milestone has its actual
    date in the window, on time when that date is on or before the order's committed ex-factory date; the average
    and worst calendar days late of the late ones (one query)."""
    from gendan.core import clock

    since = clock.today() - dt.timedelta(days=days)
    done = list(
        Milestone.objects.filter(
            order__customer_id=customer_id, is_ex_factory=True, actual_date__gte=since, actual_date__isnull=False
        ).values_list("order__number", "order__ex_factory_date", "actual_date")
    )
    late = sorted(((actual - committed).days, number) for number, committed, actual in done if actual > committed)
    count = len(done)
    return {
        "days": days,
        "count": count,
        "on_time": count - len(late),
        "on_time_pct": round(Decimal(count - len(late)) * 100 / count, 1) if count else None,
        "late": len(late),
        "average_days_late": round(Decimal(sum(d for d, _n in late)) / len(late), 1) if late else None,
        "worst": late[-1] if late else None,
    }


def customer_follow_ups(customer_id: int, *, limit: int = 15) -> list[FollowUp]:
    """The latest follow-ups logged on the customer's orders (the follow-up log of its file)."""
    return list(
        FollowUp.objects.filter(order__customer_id=customer_id)
        .select_related("order", "milestone", "created_by")
        .order_by("-created_at", "-id")[:limit]
    )
