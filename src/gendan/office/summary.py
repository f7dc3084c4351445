"""The daily summary (每日总结): for each person and working day, what they completed, what they followed up, what
slipped and why, and what is due on the next working day; the team's summary for managers.

Everything is read from what the day left behind, in a fixed number of queries for any number of people (plus one
chase list each for "due next"):

- completed: milestones whose actual date the person recorded that day (the audit trail), the tasks assigned to
  them they finished that day, and a count of every other change they made that day by kind of record;
- followed up: the follow-ups (跟进记录) they logged that day;
- slipped: milestones of their orders (as merchandiser) or their own whose date moved later that day — a promise, a
  date fed by purchasing, a moved plan — with the note or driver that came with it (the audit trail keeps it),
  milestones due that day and not done, and their tasks due that day and not done;
- due next: their chase list for the next working day (`followup.selectors.chase_list`, horizon 0).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gendan.core.calendar import WorkingCalendar, company_calendar
from gendan.core.choices import Role
from gendan.core.models import ObjectChange, User
from gendan.followup.models import FollowUp, Milestone
from gendan.followup.selectors import CHASED_STATUSES, ChaseRow, chase_list
from gendan.office.choices import TaskStatus
from gendan.office.models import Notice, NoticeRecipient, Task, TaskComment

SLIP_FIELDS = ("promised_date", "fed_date", "planned_date")
LIST_LIMIT = 50  # lines of one kind shown at most (the counts stay exact)


@dataclass
class Line:
    """One line of a summary: what (`label`, linked by `url`), the facts (`detail`), and why (`reason`, `by`)."""

    label: str
    detail: str = ""
    url: str = ""
    reason: str = ""
    by: str = ""
    is_late: bool = False
    order_number: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "detail": self.detail,
            "url": self.url,
            "reason": self.reason,
            "by": self.by,
            "is_late": self.is_late,
            "order_number": self.order_number,
        }


@dataclass
class DailySummary:
    user: User
    day: dt.date
    next_day: dt.date
    milestones_done: list[Line] = field(default_factory=list)
    tasks_done: list[Line] = field(default_factory=list)
    other_work: list[tuple[str, int]] = field(default_factory=list)
    follow_ups: list[Line] = field(default_factory=list)
    slips: list[Line] = field(default_factory=list)
    due_next: list[ChaseRow] = field(default_factory=list)

    @property
    def completed_count(self) -> int:
        return len(self.milestones_done) + len(self.tasks_done)

    @property
    def other_count(self) -> int:
        return sum(n for _label, n in self.other_work)

    @property
    def overdue_next(self) -> int:
        return sum(1 for r in self.due_next if r.days_late > 0)

    @property
    def is_empty(self) -> bool:
        return not (
            self.milestones_done or self.tasks_done or self.other_work or self.follow_ups or self.slips or self.due_next
        )

    def counts(self) -> dict[str, int]:
        return {
            "milestones_done": len(self.milestones_done),
            "tasks_done": len(self.tasks_done),
            "other_records": self.other_count,
            "follow_ups": len(self.follow_ups),
            "slips": len(self.slips),
            "due_next": len(self.due_next),
            "overdue_next": self.overdue_next,
        }


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The company's day as an aware [start, end) range."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())
    return start, start + dt.timedelta(days=1)


def _iso(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def _order_url(order_id: int, anchor: str = "") -> str:
    return reverse("sales:order", args=[order_id]) + anchor


def _late_words(days: int) -> str:
    return ngettext("%(n)s working day late", "%(n)s working days late", days) % {"n": days}


def team_members() -> list[User]:
    """The people a team summary covers: active users with a role other than administrator."""
    return list(
        User.objects.filter(is_active=True, groups__isnull=False)
        .exclude(groups__name=Role.ADMIN)
        .distinct()
        .order_by("username")
    )


def summaries(
    users: Iterable[User], day: dt.date, *, calendar: WorkingCalendar | None = None, with_due_next: bool = True
) -> dict[int, DailySummary]:
    """Each user's summary of `day` (keyed by user id): the same dozen queries for any number of people, plus one chase
    list each for what is due next (unless `with_due_next` is False)."""
    users = list({u.pk: u for u in users}.values())
    calendar = calendar or company_calendar()
    next_day = calendar.add(day, 1)
    result = {u.pk: DailySummary(user=u, day=day, next_day=next_day) for u in users}
    if not users:
        return result
    ids = list(result)
    start, end = _day_bounds(day)
    ct = ContentType.objects.get_for_models(Milestone, FollowUp, Task, TaskComment, Notice, NoticeRecipient)
    milestone_ct = ct[Milestone]

    # -- completed: milestones whose actual date they recorded, tasks they finished, every other change they made
    changes = list(
        ObjectChange.objects.filter(
            content_type=milestone_ct, user_id__in=ids, time__gte=start, time__lt=end, changes__has_key="actual_date"
        ).values("user_id", "object_id", "changes")
    )
    done_by: dict[int, list[int]] = defaultdict(list)
    for c in changes:
        pair = c["changes"].get("actual_date")
        if isinstance(pair, list) and len(pair) == 2 and pair[1] and c["object_id"] not in done_by[c["user_id"]]:
            done_by[c["user_id"]].append(c["object_id"])
    milestones = Milestone.objects.filter(pk__in={m for ms in done_by.values() for m in ms}).select_related(
        "order__customer"
    )
    by_id = {m.pk: m for m in milestones}
    for user_id, milestone_ids in done_by.items():
        for m in (by_id[pk] for pk in milestone_ids if pk in by_id):
            if m.actual_date is None:
                continue  # recorded, then taken back the same day
            late = calendar.between(m.planned_date, m.actual_date)
            detail = _("done %(date)s") % {"date": m.actual_date.isoformat()}
            detail += " · " + (_late_words(late) if late > 0 else _("on time"))
            result[user_id].milestones_done.append(
                Line(
                    label=f"{m.order.number} · {m.code} {m.name}",
                    detail=detail,
                    url=_order_url(m.order_id, f"#milestone-{m.pk}"),
                    is_late=late > 0,
                    order_number=m.order.number,
                )
            )
    for t in (
        Task.objects.filter(assignee_id__in=ids, status=TaskStatus.DONE, completed_at__gte=start, completed_at__lt=end)
        .select_related("order", "assigned_by")
        .order_by("completed_at")
    ):
        late = calendar.between(t.due_date, day)
        result[t.assignee_id].tasks_done.append(
            Line(
                label=f"{t.number} {t.title}",
                detail=(
                    _("for %(name)s, due %(date)s") % {"name": _name(t.assigned_by), "date": t.due_date.isoformat()}
                )
                + (" · " + _late_words(late) if late > 0 else ""),
                url=reverse("office:task", args=[t.pk]),
                reason=t.completion_note[:300],
                is_late=late > 0,
                order_number=t.order.number if t.order_id else "",
            )
        )
    counted_elsewhere = [milestone_ct.pk, ct[FollowUp].pk, ct[Task].pk, ct[TaskComment].pk, ct[NoticeRecipient].pk]
    other = (
        ObjectChange.objects.filter(user_id__in=ids, time__gte=start, time__lt=end)
        .exclude(content_type_id__in=counted_elsewhere)
        .values("user_id", "content_type_id")
        .annotate(n=Count("object_id", distinct=True))
        .order_by("user_id", "-n", "content_type_id")
    )
    for row in other:
        model = ContentType.objects.get_for_id(row["content_type_id"]).model_class()
        label = str(model._meta.verbose_name_plural).capitalize() if model else "?"
        result[row["user_id"]].other_work.append((label, row["n"]))
    task_comments = (
        ObjectChange.objects.filter(user_id__in=ids, time__gte=start, time__lt=end, content_type=ct[TaskComment])
        .values("user_id")
        .annotate(n=Count("object_id", distinct=True))
    )
    for row in task_comments:
        result[row["user_id"]].other_work.append((_("Comments on tasks"), row["n"]))

    # -- followed up
    for f in (
        FollowUp.objects.filter(created_by_id__in=ids, created_at__gte=start, created_at__lt=end)
        .select_related("order", "milestone")
        .order_by("created_at", "id")
    ):
        what = f"{f.order.number}" + (f" · {f.milestone.code}" if f.milestone_id else "")
        detail = f"{f.get_party_display()}{' ' + f.contact if f.contact else ''} · {f.get_channel_display()}"
        if f.promised_date:
            detail += " · " + _("promised %(date)s") % {"date": f.promised_date.isoformat()}
        if f.next_follow_up_date:
            detail += " · " + _("next %(date)s") % {"date": f.next_follow_up_date.isoformat()}
        result[f.created_by_id].follow_ups.append(
            Line(
                label=what,
                detail=detail,
                url=_order_url(f.order_id, "#follow-ups"),
                reason=f.summary[:300],
                order_number=f.order.number,
            )
        )

    # -- slipped: dates moved later today on their orders' milestones, with the note that came with the move
    moved: dict[int, dict[str, Any]] = {}
    for c in (
        ObjectChange.objects.filter(content_type=milestone_ct, time__gte=start, time__lt=end)
        .filter(
            Q(changes__has_key="promised_date") | Q(changes__has_key="fed_date") | Q(changes__has_key="planned_date")
        )
        .order_by("time", "id")
        .values("object_id", "changes", "message", "user_name")
    ):
        for name in SLIP_FIELDS:
            pair = c["changes"].get(name)
            if not isinstance(pair, list) or len(pair) != 2:
                continue
            old, new = _iso(pair[0]), _iso(pair[1])
            if new is None:
                continue
            note = c["changes"].get("forecast_note")
            reason = (note[1] if isinstance(note, list) and len(note) == 2 and note[1] else "") or c["message"]
            entry = moved.setdefault(c["object_id"], {"old": old, "field": name, "old_is_plan": old is None})
            entry.update(new=new, reason=reason or entry.get("reason", ""), by=c["user_name"], field=name)
    if moved:
        for m in (
            Milestone.objects.filter(pk__in=moved)
            .filter(Q(owner_id__in=ids) | Q(order__merchandiser_id__in=ids))
            .select_related("order")
        ):
            entry = moved[m.pk]
            old = entry["old"] or m.planned_date
            if entry["new"] <= old:
                continue
            kind = {
                "promised_date": _("promised"),
                "fed_date": _("expected"),
                "planned_date": _("planned"),
            }[entry["field"]]
            line = Line(
                label=f"{m.order.number} · {m.code} {m.name}",
                detail=_("%(kind)s %(new)s, was %(old)s (+%(n)s working days)")
                % {
                    "kind": kind,
                    "new": entry["new"].isoformat(),
                    "old": old.isoformat(),
                    "n": calendar.between(old, entry["new"]),
                },
                url=_order_url(m.order_id, f"#milestone-{m.pk}"),
                reason=entry.get("reason") or m.forecast_note or m.fed_note,
                by=entry.get("by", ""),
                is_late=True,
                order_number=m.order.number,
            )
            for user_id in {m.owner_id, m.order.merchandiser_id} & set(ids):
                result[user_id].slips.append(line)
    # milestones due that day (by their promise, else their plan) and not done by its end
    for m in (
        Milestone.objects.annotate(due=Coalesce("promised_date", "planned_date"))
        .filter(Q(owner_id__in=ids) | Q(order__merchandiser_id__in=ids))
        .filter(due=day, order__status__in=CHASED_STATUSES)
        .filter(Q(actual_date__isnull=True) | Q(actual_date__gt=day))
        .select_related("order")
        .order_by("order__number", "position")
    ):
        line = Line(
            label=f"{m.order.number} · {m.code} {m.name}",
            detail=_("due %(date)s, not done") % {"date": day.isoformat()},
            url=_order_url(m.order_id, f"#milestone-{m.pk}"),
            reason=m.forecast_note or m.fed_note,
            is_late=True,
            order_number=m.order.number,
        )
        for user_id in {m.owner_id, m.order.merchandiser_id} & set(ids):
            result[user_id].slips.append(line)
    # their tasks due that day and not finished by its end
    for t in (
        Task.objects.filter(assignee_id__in=ids, due_date=day)
        .exclude(status__in=(TaskStatus.CANCELLED, TaskStatus.DECLINED))
        .filter(Q(completed_at__isnull=True) | Q(completed_at__gte=end))
        .select_related("order", "assigned_by")
    ):
        result[t.assignee_id].slips.append(
            Line(
                label=f"{t.number} {t.title}",
                detail=_("task due %(date)s, not done (%(status)s)")
                % {"date": day.isoformat(), "status": t.get_status_display()},
                url=reverse("office:task", args=[t.pk]),
                by=_name(t.assigned_by),
                is_late=True,
                order_number=t.order.number if t.order_id else "",
            )
        )

    # -- due on the next working day
    for summary in result.values():
        if with_due_next:
            summary.due_next = chase_list(summary.user, next_day, horizon=0, calendar=calendar)
        for name in ("milestones_done", "tasks_done", "follow_ups", "slips"):
            setattr(summary, name, getattr(summary, name)[:LIST_LIMIT])
    return result


def daily_summary(user: User, day: dt.date) -> DailySummary:
    return summaries([user], day)[user.pk]


def team_summary(day: dt.date) -> list[DailySummary]:
    """One summary per team member (team_members), in username order."""
    members = team_members()
    found = summaries(members, day)
    return [found[u.pk] for u in members]


def can_see_summary_of(viewer: User, user: User) -> bool:
    return viewer.pk == user.pk or viewer.has_perm("office.view_team_summary")


def summary_user(viewer: User, username: str | None) -> User:
    """Whose summary `viewer` asks for: their own, or anyone's for those who see the team's."""
    from gendan.core.exceptions import NotFound, ValidationError

    if not username or username == viewer.username:
        return viewer
    if not viewer.has_perm("office.view_team_summary"):
        raise NotFound(_("Only managers see other people's daily summaries."))
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ValidationError({"user": _("There is no user %(name)s.") % {"name": username}})
    return user


def summary_dict(s: DailySummary) -> dict[str, Any]:
    from gendan.followup.digest import row_context

    return {
        "user": s.user.username,
        "name": _name(s.user),
        "date": s.day,
        "next_working_day": s.next_day,
        "counts": s.counts(),
        "milestones_done": [line.as_dict() for line in s.milestones_done],
        "tasks_done": [line.as_dict() for line in s.tasks_done],
        "other_work": [{"label": label, "count": n} for label, n in s.other_work],
        "follow_ups": [line.as_dict() for line in s.follow_ups],
        "slips": [line.as_dict() for line in s.slips],
        "due_next": [
            {**row_context(rank, r), "url": r.url, "object_id": r.object_id, "document": r.document}
            for rank, r in enumerate(s.due_next, start=1)
        ],
    }


# ---- the evening e-mail ------------------------------------------------------------------------------------------


def summary_email(
    user: User, day: dt.date, *, team: list[DailySummary] | None = None, own: DailySummary | None = None
) -> tuple[str, str, str] | None:
    """(subject, text, html) of `user`'s end-of-day summary in their language, with the team's for a manager; None
    when the user gets no e-mail (inactive, no address) or there is nothing to say."""
    from gendan.followup.digest import absolute_url, row_context

    if not user.is_active or not user.email:
        return None
    with translation.override(user.language or settings.LANGUAGE_CODE):
        own = own or daily_summary(user, day)
        team = team if user.has_perm("office.view_team_summary") else None
        if own.is_empty and not team:
            return None
        subject = _("[Gendan] Daily summary %(day)s") % {"day": day.isoformat()}
        if team:
            subject = _("[Gendan] Daily summary %(day)s — your team") % {"day": day.isoformat()}
        context = {
            "name": _name(user),
            "day": day.isoformat(),
            "s": own,
            "next_day": own.next_day.isoformat(),
            "due_rows": [row_context(rank, r) for rank, r in enumerate(own.due_next, start=1)],
            "team": [t for t in (team or []) if not t.is_empty],
            "page_url": absolute_url(reverse("office:summary") + f"?date={day.isoformat()}"),
            "team_url": absolute_url(reverse("office:summary") + f"?date={day.isoformat()}&team=1"),
            "abs": absolute_url,
        }
        for line in [*own.milestones_done, *own.tasks_done, *own.follow_ups, *own.slips]:
            line.abs_url = absolute_url(line.url) if line.url else ""
        text = render_to_string("office/email/daily_summary.txt", context)
        html = render_to_string("office/email/daily_summary.html", context)
    return subject, text, html
