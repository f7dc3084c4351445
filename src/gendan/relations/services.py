"""Customer relations' writes: visit plans, their preparation tasks, minutes and follow-up actions; survey templates,
rounds, invitations through signed links, answers and the follow-ups of low scores.

A visit (客户来访接待) moves planned → confirmed → in progress → visited → closed, or is cancelled before the visitors
come (with a reason). Each preparation item (a sample to prepare, the hotel, the pick-up, a factory tour) is a task
with an owner and a due date on or before the arrival; after the visit the minutes are recorded and the follow-up
actions agreed get owners and due dates. Open tasks and actions are in their owners' chase lists; owners are told
in their inbox. A visit closes once its minutes are recorded and every follow-up action is done.

A survey template (调查问卷) has questions in Chinese and English, scored 1–5 or answered in words. A revision used
by a round is frozen: editing it makes the next revision with the same code (questions keep their keys). A round
sends each chosen customer contact a signed link that expires when the round closes, by e-mail in the contact's
language (Chinese for customers in China, else English). The contact answers once; a score of 2 or less asks the
customer's merchandiser to follow up. Reminders go to those who have not answered (a button, and a daily job).

Every command runs in one transaction, locks what it changes, checks the optimistic `version` when given, and
records the audit trail (the outside party's answers in its name).
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from gendan.catalog.models import Product
from gendan.core import audit, clock, links
from gendan.core.calendar import company_calendar
from gendan.core.choices import AuditAction
from gendan.core.cleaning import clean_bool as _bool
from gendan.core.cleaning import clean_choice as _choice
from gendan.core.cleaning import clean_date as _date
from gendan.core.cleaning import clean_id as _id
from gendan.core.cleaning import clean_text as _text
from gendan.core.cleaning import clean_time as _time
from gendan.core.editing import check_version
from gendan.core.exceptions import PermissionDenied, TransitionNotAllowed, ValidationError
from gendan.core.models import ExternalLink, User
from gendan.core.notifications import notify_in_their_language
from gendan.core.numbering import next_number
from gendan.partners.choices import CustomerTier, SupplierKind
from gendan.partners.models import Contact, Customer, Supplier
from gendan.relations.choices import (
    BEFORE_STATUSES,
    LOW_SCORE,
    MINUTES_STATUSES,
    SCORES,
    VISIT_TRANSITIONS,
    QuestionCategory,
    QuestionKind,
    RoundStatus,
    TaskKind,
    TaskPhase,
    VisitPurpose,
    VisitStatus,
)
from gendan.relations.models import (
    AgendaItem,
    SurveyAnswer,
    SurveyFollowUp,
    SurveyInvitation,
    SurveyQuestion,
    SurveyRound,
    SurveyTemplate,
    Visit,
    Visitor,
    VisitSite,
    VisitTask,
)

VISIT_PREFIX = "VIS"
ROUND_PREFIX = "CSAT"
LINK_PURPOSE = "survey_answer"
MAX_VISIT_DAYS = 60
FOLLOW_UP_DAYS = 5  # working days after the visit (or today) a follow-up action is due by default
LOW_SCORE_DAYS = 2  # working days the merchandiser has to call back after a low score
DEFAULT_ROUND_DAYS = 30  # calendar days a new round accepts answers by default
MAX_REMINDERS = 2

VISIT_FIELDS = [
    "customer",
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
]
TASK_FIELDS = ["kind", "description", "product", "note", "owner", "due_date"]
TEMPLATE_FIELDS = ["code", "name", "name_en", "intro_zh", "intro_en"]
ROUND_FIELDS = ["template", "title", "period_start", "period_end", "closes_on", "notes"]
MINUTES_FIELDS = ["attendees", "minutes", "decisions"]


def remind_days() -> int:
    """Days after the invitation (or the last reminder) before a contact who has not answered is reminded
    (GENDAN_SURVEY_REMIND_DAYS, default 7)."""
    return int(getattr(settings, "GENDAN_SURVEY_REMIND_DAYS", 7))


def _ensure(by: User | None, perm: str, message: str) -> None:
    from gendan.core.services import ensure_can

    if by is None:
        raise PermissionDenied(message)
    ensure_can(by, perm, message)


# ---- input cleaning ----------------------------------------------------------------------------------------------


def _user(value: Any, field: str, errors: dict[str, str]) -> User | None:
    """An active user by id or username."""
    if value in (None, ""):
        return None
    if isinstance(value, User):
        return value
    text = str(value).strip()
    qs = User.objects.filter(is_active=True)
    found = qs.filter(pk=int(text)).first() if text.isdigit() else qs.filter(username=text).first()
    if found is None:
        errors[field] = _("There is no active user %(user)s.") % {"user": text}
    return found


def _snapshot(instance: Any, fields: list[str]) -> dict[str, Any]:
    """audit.snapshot with times of day as HH:MM (the audit trail stores JSON)."""
    return {
        k: v.strftime("%H:%M") if isinstance(v, dt.time) else v for k, v in audit.snapshot(instance, fields).items()
    }


def _notify(user: User | None, by: User | None, title: Callable[[], str], body: Callable[[], str], url: str) -> None:
    """Tell `user` in their language, unless they did it themselves."""
    if user is None or (by is not None and user.pk == by.pk) or not user.is_active:
        return
    notify_in_their_language(recipients=[user], title=title, body=body, url=url, actor=by)


# ==== visits ======================================================================================================


def _visit_url(visit: Visit, anchor: str = "") -> str:
    return reverse("relations:visit", args=[visit.pk]) + (f"#{anchor}" if anchor else "")


def _clean_visit(data: dict[str, Any], *, visit: Visit | None, by: User) -> dict[str, Any]:
    """A visit's own fields (`visit` is the one being changed: what `data` does not name is kept)."""
    errors: dict[str, str] = {}
    current = {name: getattr(visit, name) for name in VISIT_FIELDS} if visit else {}

    def given(key: str) -> bool:
        return key in data or visit is None

    customer = current.get("customer")
    if given("customer_id"):
        customer_id = _id(data.get("customer_id"))
        customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
        if customer is None:
            errors["customer_id"] = (
                _("There is no customer %(id)s.") % {"id": data.get("customer_id")}
                if customer_id
                else _("Choose the customer who visits.")
            )
        elif visit is not None and customer != current["customer"] and visit.status != VisitStatus.PLANNED:
            errors["customer_id"] = _("%(number)s is %(status)s: its customer is kept.") % {
                "number": visit.number,
                "status": visit.get_status_display(),
            }
    title = current.get("title", "")
    if given("title"):
        title = _text(data.get("title"), 200)
        if not title:
            if visit is None and customer is not None:
                title = _("Visit of %(customer)s") % {"customer": customer.name_en or customer.name}
            else:
                errors["title"] = _("Give the visit a title.")
    purpose = current.get("purpose", VisitPurpose.BUSINESS)
    if given("purpose"):
        purpose = _choice(data.get("purpose"), VisitPurpose, "purpose", errors, default=VisitPurpose.BUSINESS)
    objectives = _text(data.get("objectives"), 5000) if given("objectives") else current.get("objectives", "")

    arrival = current.get("arrival_date")
    if given("arrival_date"):
        arrival = _date(data.get("arrival_date"), "arrival_date", errors)
        if arrival is None and "arrival_date" not in errors:
            errors["arrival_date"] = _("Say when the visitors arrive.")
    departure = current.get("departure_date")
    if given("departure_date"):
        departure = _date(data.get("departure_date"), "departure_date", errors) or arrival
    elif visit is not None and arrival is not None and departure is not None and arrival > departure:
        departure = arrival + (visit.departure_date - visit.arrival_date)
    if arrival and departure and "departure_date" not in errors:
        if departure < arrival:
            errors["departure_date"] = _("They cannot leave before they arrive (%(date)s).") % {
                "date": arrival.isoformat()
            }
        elif (departure - arrival).days >= MAX_VISIT_DAYS:
            errors["departure_date"] = _("A visit lasts at most %(n)s days.") % {"n": MAX_VISIT_DAYS}

    host = current.get("host")
    if given("host") and data.get("host") not in (None, ""):
        host = _user(data.get("host"), "host", errors)
    elif visit is None:
        host = customer.merchandiser if customer is not None and customer.merchandiser_id else by
        if host is not None and not host.is_active:
            host = by

    texts: dict[str, Any] = {}
    for name, limit in (
        ("hotel", 300),
        ("hotel_note", 300),
        ("pickup_place", 200),
        ("pickup_driver", 100),
        ("pickup_car", 100),
        ("notes", 5000),
    ):
        texts[name] = _text(data.get(name), limit) if given(name) else current.get(name, "")
    pickup_date = current.get("pickup_date")
    if given("pickup_date"):
        pickup_date = _date(data.get("pickup_date"), "pickup_date", errors)
    pickup_time = current.get("pickup_time")
    if given("pickup_time"):
        pickup_time = _time(data.get("pickup_time"), "pickup_time", errors)
    if pickup_time is not None and pickup_date is None and arrival is not None and "pickup_date" not in errors:
        pickup_date = arrival
    if pickup_date and arrival and departure and not {"pickup_date", "departure_date"} & set(errors):
        if not (arrival - dt.timedelta(days=1) <= pickup_date <= departure):
            errors["pickup_date"] = _("The pick-up falls between the day before the arrival and the departure.")
    if errors:
        raise ValidationError(errors)
    return {
        "customer": customer,
        "title": title,
        "purpose": purpose,
        "objectives": objectives,
        "arrival_date": arrival,
        "departure_date": departure,
        "host": host,
        "pickup_date": pickup_date,
        "pickup_time": pickup_time,
        **texts,
    }


def _clean_visitors(items: Any, customer: Customer) -> list[dict[str, Any]]:
    if not isinstance(items, list | tuple):
        raise ValidationError({"visitors": _("Give the visitors as a list.")})
    errors: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    contacts = {c.pk: c for c in Contact.objects.filter(customer=customer)}
    seen: set[int] = set()
    for index, item in enumerate(items, start=1):
        where = f"visitors.{index}."
        if not isinstance(item, dict):
            errors[f"{where}name"] = _("Give the visitor's name or contact.")
            continue
        contact = None
        contact_id = _id(item.get("contact_id"))
        if contact_id:
            contact = contacts.get(contact_id)
            if contact is None:
                errors[f"{where}contact_id"] = _("Choose a contact of %(customer)s.") % {"customer": customer.code}
                continue
            if contact_id in seen:
                errors[f"{where}contact_id"] = _("%(name)s is listed twice.") % {"name": contact.name}
                continue
            seen.add(contact_id)
        name = _text(item.get("name"), 100) or (contact.name if contact else "")
        if not name:
            if any(_text(item.get(k), 10) for k in ("title", "note")):
                errors[f"{where}name"] = _("Give the visitor's name.")
            continue
        title = _text(item.get("title"), 100) or (contact.title if contact else "")
        rows.append({"contact": contact, "name": name, "title": title, "note": _text(item.get("note"), 200)})
    if errors:
        raise ValidationError(errors)
    return rows


def _clean_agenda(items: Any, arrival: dt.date, departure: dt.date) -> list[dict[str, Any]]:
    if not isinstance(items, list | tuple):
        raise ValidationError({"agenda": _("Give the agenda as a list.")})
    errors: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    for index, item in enumerate(items, start=1):
        where = f"agenda.{index}."
        if not isinstance(item, dict):
            errors[f"{where}topic"] = _("Give the item's day and topic.")
            continue
        topic = _text(item.get("topic"), 300)
        if not topic and not any(_text(item.get(k), 10) for k in ("place", "people", "start_time", "end_time")):
            continue  # an empty row of the form
        day = _date(item.get("date"), f"{where}date", errors) or (arrival if f"{where}date" not in errors else None)
        start = _time(item.get("start_time"), f"{where}start_time", errors)
        end = _time(item.get("end_time"), f"{where}end_time", errors)
        if not topic:
            errors[f"{where}topic"] = _("Say what happens.")
        if day is not None and not (arrival <= day <= departure):
            errors[f"{where}date"] = _("The agenda falls within the visit (%(start)s to %(end)s).") % {
                "start": arrival.isoformat(),
                "end": departure.isoformat(),
            }
        if start and end and end < start:
            errors[f"{where}end_time"] = _("It cannot end before it starts.")
        rows.append(
            {
                "date": day,
                "start_time": start,
                "end_time": end,
                "topic": topic,
                "place": _text(item.get("place"), 200),
                "people": _text(item.get("people"), 200),
            }
        )
    if errors:
        raise ValidationError(errors)
    return sorted(rows, key=lambda r: (r["date"], r["start_time"] or dt.time(0)))


def _clean_sites(items: Any, arrival: dt.date, departure: dt.date) -> list[dict[str, Any]]:
    if not isinstance(items, list | tuple):
        raise ValidationError({"sites": _("Give the factories to see as a list.")})
    errors: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    ids = [_id(i.get("supplier_id")) for i in items if isinstance(i, dict)]
    suppliers = {s.pk: s for s in Supplier.objects.filter(pk__in=[i for i in ids if i and i > 0])}
    for index, item in enumerate(items, start=1):
        where = f"sites.{index}."
        if not isinstance(item, dict):
            errors[f"{where}name"] = _("Give the factory or the site's name.")
            continue
        supplier = None
        supplier_id = _id(item.get("supplier_id"))
        if supplier_id:
            supplier = suppliers.get(supplier_id)
            if supplier is None or supplier.kind != SupplierKind.SUBCONTRACT:
                errors[f"{where}supplier_id"] = _("Choose a subcontract factory, or name one of our own sites.")
                continue
        name = _text(item.get("name"), 200) or (supplier.name if supplier else "")
        if not name:
            if _text(item.get("note"), 10) or item.get("date"):
                errors[f"{where}name"] = _("Give the factory or the site's name.")
            continue
        day = _date(item.get("date"), f"{where}date", errors)
        if day is not None and not (arrival <= day <= departure):
            errors[f"{where}date"] = _("The tour falls within the visit (%(start)s to %(end)s).") % {
                "start": arrival.isoformat(),
                "end": departure.isoformat(),
            }
        rows.append({"supplier": supplier, "name": name, "date": day, "note": _text(item.get("note"), 300)})
    if errors:
        raise ValidationError(errors)
    return rows


def _replace_children(visit: Visit, children: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Replace the visitors, agenda and factories given (each as a whole); the audit's changes."""
    changes: dict[str, Any] = {}
    specs = (
        ("visitors", Visitor, ["name", "title"]),
        ("agenda", AgendaItem, ["date", "start_time", "topic"]),
        ("sites", VisitSite, ["name", "date"]),
    )
    for key, model, shown in specs:
        if key not in children:
            continue
        old = [
            " ".join(str(audit.plain(getattr(o, f)) or "") for f in shown).strip()
            for o in model.objects.filter(visit=visit).order_by("position", "pk")
        ]
        model.objects.filter(visit=visit).delete()
        model.objects.bulk_create(
            [model(visit=visit, position=position, **row) for position, row in enumerate(children[key], start=1)]
        )
        new = [" ".join(str(audit.plain(row.get(f)) or "") for f in shown).strip() for row in children[key]]
        if old != new:
            changes[key] = [old, new]
    return changes


def _clean_children(data: dict[str, Any], customer: Customer, arrival: dt.date, departure: dt.date) -> dict:
    children: dict[str, list[dict[str, Any]]] = {}
    errors: dict[str, list[str]] = {}
    for key, clean in (
        ("visitors", lambda v: _clean_visitors(v, customer)),
        ("agenda", lambda v: _clean_agenda(v, arrival, departure)),
        ("sites", lambda v: _clean_sites(v, arrival, departure)),
    ):
        if key in data and data[key] is not None:
            try:
                children[key] = clean(data[key])
            except ValidationError as exc:
                errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    return children


def prep_due_default(arrival: dt.date) -> dt.date:
    """A preparation task is due by default the working day before the arrival (not before today)."""
    return max(clock.today(), min(company_calendar().add(arrival, -1), arrival))


def action_due_default(visit: Visit) -> dt.date:
    """A follow-up action is due by default five working days after the visit ends (or after today)."""
    return company_calendar().add(max(clock.today(), visit.departure_date), FOLLOW_UP_DAYS)


@transaction.atomic
def create_visit(*, by: User, data: dict[str, Any]) -> Visit:
    """Plan a visit: customer, title, purpose, dates, host (default: the customer's merchandiser), hotel and pick-up;
    with its visitors, agenda, factories to see and preparation tasks when given."""
    _ensure(by, "relations.add_visit", _("You may not plan customer visits."))
    clean = _clean_visit(data, visit=None, by=by)
    children = _clean_children(data, clean["customer"], clean["arrival_date"], clean["departure_date"])
    tasks = data.get("tasks") or []
    visit = Visit.objects.create(number=next_number(VISIT_PREFIX), created_by=by, **clean)
    _replace_children(visit, children)
    audit.record(
        instance=visit,
        action=AuditAction.CREATE,
        by=by,
        changes={k: [None, v] for k, v in _snapshot(visit, VISIT_FIELDS).items() if v not in (None, "")},
    )
    if tasks:
        if not isinstance(tasks, list | tuple):
            raise ValidationError({"tasks": _("Give the preparation tasks as a list.")})
        errors: dict[str, list[str]] = {}
        for index, item in enumerate(tasks, start=1):
            try:
                add_task(visit=visit, by=by, phase=TaskPhase.PREPARATION, data=item if isinstance(item, dict) else {})
            except ValidationError as exc:
                errors.update({f"tasks.{index}.{k}": v for k, v in exc.errors.items()})
        if errors:
            raise ValidationError(errors)
    return visit


def _lock_visit(visit: Visit) -> Visit:
    return Visit.objects.select_for_update(of=("self",)).select_related("customer", "host").get(pk=visit.pk)


@transaction.atomic
def update_visit(*, visit: Visit, by: User, data: dict[str, Any], version: int | None = None) -> Visit:
    """Change the plan while it is live (before closing or cancelling): its fields, and the visitors, agenda and
    factories when given (each list replaced whole). Open preparation tasks due after a new arrival move to it."""
    _ensure(by, "relations.change_visit", _("You may not change customer visits."))
    locked = _lock_visit(visit)
    check_version(locked, version)
    if locked.status in (VisitStatus.CLOSED, VisitStatus.CANCELLED):
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s: its plan is kept.")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    clean = _clean_visit(data, visit=locked, by=by)
    children = _clean_children(data, clean["customer"], clean["arrival_date"], clean["departure_date"])
    # the children kept must still fit the (new) dates and customer
    errors: dict[str, list[str]] = {}
    if "agenda" not in children:
        for item in locked.agenda.all():
            if not (clean["arrival_date"] <= item.date <= clean["departure_date"]):
                errors["agenda"] = [_("Move the agenda into the new dates, or give the agenda again.")]
                break
    if "sites" not in children:
        for site in locked.sites.all():
            if site.date and not (clean["arrival_date"] <= site.date <= clean["departure_date"]):
                errors["sites"] = [_("Move the factory tours into the new dates, or give them again.")]
                break
    if "visitors" not in children and clean["customer"] != locked.customer:
        children["visitors"] = [
            {"contact": None, "name": v.name, "title": v.title, "note": v.note} for v in locked.visitors.all()
        ]
    if errors:
        raise ValidationError(errors)
    before = _snapshot(locked, VISIT_FIELDS)
    for name, value in clean.items():
        setattr(locked, name, value)
    changes = audit.diff(before, _snapshot(locked, VISIT_FIELDS))
    changes.update(_replace_children(locked, children))
    if not changes:
        return locked
    locked.version += 1
    locked.save()
    audit.record(instance=locked, action=AuditAction.UPDATE, by=by, changes=changes)
    if "arrival_date" in changes:
        for task in VisitTask.objects.filter(
            visit=locked, phase=TaskPhase.PREPARATION, done_date__isnull=True, due_date__gt=locked.arrival_date
        ).select_related("owner"):
            old_due = task.due_date
            task.due_date = locked.arrival_date
            task.version += 1
            task.save(update_fields=["due_date", "version", "updated_at"])
            audit.record(
                instance=task,
                action=AuditAction.UPDATE,
                by=by,
                changes={"due_date": [old_due, task.due_date]},
                message=_("The visitors now arrive %(date)s") % {"date": locked.arrival_date.isoformat()},
                related=locked,
            )
            _notify_task(task, locked, by, moved=True)
    return locked


def _refuse(visit: Visit, action: str) -> TransitionNotAllowed:
    target = VisitStatus(VISIT_TRANSITIONS[action][1]).label
    return TransitionNotAllowed(
        _("%(number)s is %(status)s: it cannot move to %(target)s.")
        % {"number": visit.number, "status": visit.get_status_display(), "target": target}
    )


@transaction.atomic
def transition(*, visit: Visit, action: str, by: User, reason: str = "", version: int | None = None) -> Visit:
    """Move a visit: confirm (its visitors are known), start (they are here), finish (they left), close (the minutes
    are recorded and every follow-up action is done) or cancel (before they come; a reason is needed). Owners of
    open preparation tasks hear of a confirmation or a cancellation."""
    _ensure(by, "relations.change_visit", _("You may not change customer visits."))
    if action not in VISIT_TRANSITIONS:
        raise ValidationError({"action": _("Choose one of: %(choices)s.") % {"choices": ", ".join(VISIT_TRANSITIONS)}})
    locked = _lock_visit(visit)
    check_version(locked, version)
    allowed, status = VISIT_TRANSITIONS[action]
    if locked.status not in allowed:
        raise _refuse(locked, action)
    reason = _text(reason, 1000)
    fields: dict[str, Any] = {}
    if action == "confirm" and not locked.visitors.exists():
        raise ValidationError({"visitors": _("Name at least one visitor before confirming the visit.")})
    if action == "cancel":
        if not reason:
            raise ValidationError({"reason": _("Say why the visit is cancelled.")})
        fields["cancel_reason"] = reason
    if action == "close":
        errors: dict[str, str] = {}
        if not locked.has_minutes:
            errors["minutes"] = _("Record the visit's minutes before closing it.")
        open_actions = list(
            locked.tasks.filter(phase=TaskPhase.FOLLOW_UP, done_date__isnull=True).order_by("due_date", "pk")
        )
        if open_actions:
            errors["actions"] = _("%(n)s follow-up actions are still open: %(list)s.") % {
                "n": len(open_actions),
                "list": "; ".join(a.description for a in open_actions[:5]),
            }
        if errors:
            raise ValidationError(errors)
    changes: dict[str, list[Any]] = {"status": [locked.status, status]}
    for name, value in fields.items():
        changes[name] = [getattr(locked, name), value]
        setattr(locked, name, value)
    locked.status = status
    locked.version += 1
    locked.save()
    audit.record(instance=locked, action=AuditAction.TRANSITION, by=by, changes=changes, message=reason)
    if action in ("confirm", "cancel"):
        open_tasks = list(
            locked.tasks.filter(phase=TaskPhase.PREPARATION, done_date__isnull=True).select_related("owner")
        )
        owners = {t.owner_id: t.owner for t in open_tasks}
        for owner in owners.values():
            mine = [t for t in open_tasks if t.owner_id == owner.pk]
            if action == "confirm":
                _notify(
                    owner,
                    by,
                    lambda v=locked: (
                        _("%(customer)s's visit %(number)s is confirmed: arriving %(date)s")
                        % {"customer": v.customer.code, "number": v.number, "date": v.arrival_date.isoformat()}
                    ),
                    lambda m=mine: "; ".join(
                        _("%(task)s, due %(due)s") % {"task": t.description, "due": t.due_date.isoformat()} for t in m
                    ),
                    _visit_url(locked, "preparation"),
                )
            else:
                _notify(
                    owner,
                    by,
                    lambda v=locked: (
                        _("%(customer)s's visit %(number)s is cancelled")
                        % {"customer": v.customer.code, "number": v.number}
                    ),
                    lambda r=reason: _("Your preparation is no longer needed. Reason: %(reason)s") % {"reason": r},
                    _visit_url(locked),
                )
    return locked


@transaction.atomic
def record_minutes(*, visit: Visit, by: User, data: dict[str, Any], version: int | None = None) -> Visit:
    """The visit's minutes (会议纪要): who attended, what was discussed, what was decided. Written while the visitors
    are here or after they left."""
    _ensure(by, "relations.change_visit", _("You may not change customer visits."))
    locked = _lock_visit(visit)
    check_version(locked, version)
    if locked.status not in MINUTES_STATUSES:
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s: minutes are written once the visitors are here, until it is closed.")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    values = {name: _text(data.get(name), 20000) if name in data else getattr(locked, name) for name in MINUTES_FIELDS}
    if not values["minutes"]:
        raise ValidationError({"minutes": _("Write what was discussed.")})
    before = {name: getattr(locked, name) for name in MINUTES_FIELDS}
    changes = audit.diff(before, values)
    if not changes:
        return locked
    for name, value in values.items():
        setattr(locked, name, value)
    locked.minutes_by = by
    locked.minutes_at = clock.now()
    locked.version += 1
    locked.save()
    audit.record(
        instance=locked,
        action=AuditAction.UPDATE,
        by=by,
        changes={k: [(v[0] or "")[:500], (v[1] or "")[:500]] for k, v in changes.items()},
        message=_("Minutes recorded"),
    )
    return locked


# ---- preparation tasks and follow-up actions ---------------------------------------------------------------------


def _clean_task(data: dict[str, Any], *, visit: Visit, phase: str, task: VisitTask | None, by: User) -> dict[str, Any]:
    errors: dict[str, str] = {}
    current = {name: getattr(task, name) for name in TASK_FIELDS} if task else {}

    def given(key: str) -> bool:
        return key in data or task is None

    kind = current.get("kind", TaskKind.OTHER)
    if given("kind"):
        kind = _choice(data.get("kind"), TaskKind, "kind", errors, default=TaskKind.OTHER)
    product = current.get("product")
    if given("product_id"):
        product_id = _id(data.get("product_id"))
        product = Product.objects.filter(pk=product_id).first() if product_id else None
        if product_id and product is None:
            errors["product_id"] = _("There is no product %(id)s.") % {"id": data.get("product_id")}
    if product is not None and phase == TaskPhase.PREPARATION and kind == TaskKind.OTHER and task is None:
        kind = TaskKind.SAMPLE
    description = current.get("description", "")
    if given("description"):
        description = _text(data.get("description"), 300)
        if not description and product is not None:
            description = _("Sample: %(code)s %(name)s") % {"code": product.code, "name": product.name}
        if not description and "product_id" not in errors:
            errors["description"] = _("Say what is to be done.")
    if kind == TaskKind.SAMPLE and product is None and not description and "product_id" not in errors:
        errors["product_id"] = _("Choose the product of the sample to prepare.")
    note = _text(data.get("note"), 5000) if given("note") else current.get("note", "")
    owner = current.get("owner")
    if given("owner") and data.get("owner") not in (None, ""):
        owner = _user(data.get("owner"), "owner", errors)
    elif task is None:
        owner = visit.host
    due = current.get("due_date")
    if given("due_date"):
        due = _date(data.get("due_date"), "due_date", errors)
        if due is None and "due_date" not in errors:
            due = prep_due_default(visit.arrival_date) if phase == TaskPhase.PREPARATION else action_due_default(visit)
        elif due is not None:
            if due < clock.today() and due != current.get("due_date"):
                errors["due_date"] = _("The due date cannot be in the past.")
            elif phase == TaskPhase.PREPARATION and due > visit.arrival_date:
                errors["due_date"] = _("Preparation is due by the arrival (%(date)s).") % {
                    "date": visit.arrival_date.isoformat()
                }
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind if phase == TaskPhase.PREPARATION else TaskKind.OTHER,
        "description": description,
        "product": product,
        "note": note,
        "owner": owner,
        "due_date": due,
    }


def _notify_task(task: VisitTask, visit: Visit, by: User | None, *, moved: bool = False) -> None:
    prep = task.phase == TaskPhase.PREPARATION

    def title() -> str:
        if moved:
            return _("%(task)s is now due %(due)s (visit %(number)s)") % {
                "task": task.description,
                "due": task.due_date.isoformat(),
                "number": visit.number,
            }
        if prep:
            return _("Prepare for %(customer)s's visit %(number)s: %(task)s") % {
                "customer": visit.customer.code,
                "number": visit.number,
                "task": task.description,
            }
        return _("Follow-up of %(customer)s's visit %(number)s: %(task)s") % {
            "customer": visit.customer.code,
            "number": visit.number,
            "task": task.description,
        }

    def body() -> str:
        return _("Due %(due)s. The visitors arrive %(arrival)s.") % {
            "due": task.due_date.isoformat(),
            "arrival": visit.arrival_date.isoformat(),
        }

    _notify(task.owner, by, title, body, _visit_url(visit, f"task-{task.pk}"))


def _lock_task(task: VisitTask) -> VisitTask:
    return (
        VisitTask.objects.select_for_update(of=("self",))
        .select_related("visit__customer", "owner", "product")
        .get(pk=task.pk)
    )


def _can_work_on(task: VisitTask, by: User) -> None:
    """A task's owner ticks and updates it; anyone who changes visits may too."""
    if by.pk != task.owner_id and not by.has_perm("relations.change_visit"):
        raise PermissionDenied(_("Only %(owner)s or someone who changes visits may do this.") % {"owner": task.owner})


@transaction.atomic
def add_task(*, visit: Visit, by: User, phase: str, data: dict[str, Any]) -> VisitTask:
    """A preparation task (before the arrival, while the visit is planned or confirmed) or a follow-up action
    (once the visitors are here, until the visit closes): an owner (default: the host) and a due date."""
    _ensure(by, "relations.change_visit", _("You may not change customer visits."))
    if phase not in TaskPhase.values:
        raise ValidationError({"phase": _("Choose one of: %(choices)s.") % {"choices": ", ".join(TaskPhase.values)}})
    locked = _lock_visit(visit)
    if phase == TaskPhase.PREPARATION and locked.status not in BEFORE_STATUSES:
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s: preparation is added before the visitors come.")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    if phase == TaskPhase.FOLLOW_UP and locked.status not in MINUTES_STATUSES:
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s: follow-up actions are agreed at the visit, until it is closed.")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    clean = _clean_task(data, visit=locked, phase=phase, task=None, by=by)
    position = (VisitTask.objects.filter(visit=locked, phase=phase).aggregate(m=Max("position"))["m"] or 0) + 1
    task = VisitTask.objects.create(visit=locked, phase=phase, position=position, **clean)
    audit.record_create(instance=task, by=by, fields=TASK_FIELDS, related=locked)
    _notify_task(task, locked, by)
    return task


@transaction.atomic
def update_task(*, task: VisitTask, by: User, data: dict[str, Any], version: int | None = None) -> VisitTask:
    """Change an open task: what, the product, a note, the owner (told in their inbox) or the due date."""
    locked = _lock_task(task)
    _can_work_on(locked, by)
    check_version(locked, version)
    visit = locked.visit
    if visit.status in (VisitStatus.CLOSED, VisitStatus.CANCELLED):
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s: its tasks are kept.")
            % {"number": visit.number, "status": visit.get_status_display()}
        )
    if "owner" in data and by.pk == locked.owner_id and not by.has_perm("relations.change_visit"):
        owner_errors: dict[str, str] = {}
        new_owner = _user(data.get("owner"), "owner", owner_errors)
        if new_owner is not None and new_owner.pk != locked.owner_id:
            raise PermissionDenied(_("Only someone who changes visits may give a task to another owner."))
    clean = _clean_task(data, visit=visit, phase=locked.phase, task=locked, by=by)
    before = audit.snapshot(locked, TASK_FIELDS)
    old_owner = locked.owner_id
    for name, value in clean.items():
        setattr(locked, name, value)
    changes = audit.diff(before, audit.snapshot(locked, TASK_FIELDS))
    if not changes:
        return locked
    locked.version += 1
    locked.save()
    audit.record(instance=locked, action=AuditAction.UPDATE, by=by, changes=changes, related=visit)
    if locked.owner_id != old_owner and locked.done_date is None:
        _notify_task(locked, visit, by)
    return locked


@transaction.atomic
def set_task_done(
    *, task: VisitTask, by: User, done: bool = True, note: str = "", version: int | None = None
) -> VisitTask:
    """Tick a task done today (it leaves the chase list), or open it again."""
    locked = _lock_task(task)
    _can_work_on(locked, by)
    check_version(locked, version)
    visit = locked.visit
    if visit.status in (VisitStatus.CLOSED, VisitStatus.CANCELLED):
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s: its tasks are kept.")
            % {"number": visit.number, "status": visit.get_status_display()}
        )
    if done == locked.is_done:
        return locked
    changes: dict[str, list[Any]] = {}
    if done:
        changes["done_date"] = [None, clock.today()]
        locked.done_date, locked.done_by = clock.today(), by
    else:
        changes["done_date"] = [locked.done_date, None]
        locked.done_date, locked.done_by = None, None
    note = _text(note, 2000)
    if note:
        locked.note = f"{locked.note}\n{note}".strip() if locked.note else note
    locked.version += 1
    locked.save()
    audit.record(instance=locked, action=AuditAction.UPDATE, by=by, changes=changes, message=note, related=visit)
    return locked


@transaction.atomic
def remove_task(*, task: VisitTask, by: User) -> None:
    """Remove a task that is not done (planned by mistake, or no longer needed)."""
    _ensure(by, "relations.change_visit", _("You may not change customer visits."))
    locked = _lock_task(task)
    if locked.is_done:
        raise TransitionNotAllowed(_("%(task)s is done: it is kept.") % {"task": locked.description})
    if locked.visit.status in (VisitStatus.CLOSED, VisitStatus.CANCELLED):
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s: its tasks are kept.")
            % {"number": locked.visit.number, "status": locked.visit.get_status_display()}
        )
    audit.record(
        instance=locked.visit,
        action=AuditAction.UPDATE,
        by=by,
        changes={"tasks": [locked.description, None]},
        message=_("Task removed"),
    )
    locked.delete()


# ==== survey templates ============================================================================================


def _clean_questions(items: Any, used_keys: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The questions in order: both texts, a kind, an optional category, whether an answer is required; each keeps
    its key (new ones get the next free `qN`)."""
    if not isinstance(items, list | tuple):
        raise ValidationError({"questions": _("Give the questions as a list.")})
    errors: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    keys: set[str] = set()
    for index, item in enumerate(items, start=1):
        where = f"questions.{index}."
        if not isinstance(item, dict):
            errors[f"{where}text_en"] = _("Give the question's texts.")
            continue
        text_zh, text_en = _text(item.get("text_zh"), 500), _text(item.get("text_en"), 500)
        if not text_zh and not text_en:
            continue  # an empty row of the form
        if not text_zh:
            errors[f"{where}text_zh"] = _("Give the question in Chinese too.")
        if not text_en:
            errors[f"{where}text_en"] = _("Give the question in English too.")
        kind = _choice(item.get("kind"), QuestionKind, f"{where}kind", errors, default=QuestionKind.SCORE)
        category = str(item.get("category") or "")
        if category and category not in QuestionCategory.values:
            errors[f"{where}category"] = _("Choose one of: %(choices)s.") % {
                "choices": ", ".join(QuestionCategory.values)
            }
        key = slugify(_text(item.get("key"), 40))[:40]
        if key and key in keys:
            errors[f"{where}key"] = _("The key %(key)s is used twice.") % {"key": key}
        if key:
            keys.add(key)
        rows.append(
            {
                "key": key,
                "kind": kind,
                "category": category,
                "text_zh": text_zh,
                "text_en": text_en,
                "required": _bool(item.get("required", True)),
            }
        )
    if not rows and not errors:
        errors["questions"] = _("Ask at least one question.")
    if errors:
        raise ValidationError(errors)
    taken = keys | set(used_keys)
    n = 1
    for row in rows:
        if not row["key"]:
            while f"q{n}" in taken:
                n += 1
            row["key"] = f"q{n}"
            taken.add(row["key"])
    return rows


def _question_summary(rows: Iterable[Any]) -> list[str]:
    def get(row: Any, name: str) -> Any:
        return row[name] if isinstance(row, dict) else getattr(row, name)

    lines = []
    for r in rows:
        category = get(r, "category")
        kind = f"{get(r, 'kind')}/{category}" if category else get(r, "kind")
        lines.append(f"{get(r, 'key')} [{kind}] {get(r, 'text_en')}")
    return lines


def _clean_template(data: dict[str, Any], *, template: SurveyTemplate | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    current = {name: getattr(template, name) for name in TEMPLATE_FIELDS} if template else {}
    code = current.get("code", "")
    if template is None:
        code = _text(data.get("code"), 30).upper()
        if not code:
            errors["code"] = _("Give the template a short code, e.g. CSAT.")
        elif not re.fullmatch(r"[A-Z0-9][A-Z0-9_.\-]*", code):
            errors["code"] = _("Use letters, digits, '-', '_' or '.'.")
        elif SurveyTemplate.objects.filter(code=code).exists():
            errors["code"] = _("A template %(code)s exists: edit it to make a new revision.") % {"code": code}
    elif "code" in data and _text(data.get("code"), 30).upper() != template.code:
        errors["code"] = _("A template keeps its code.")
    values: dict[str, Any] = {"code": code}
    for name, limit in (("name", 200), ("name_en", 200), ("intro_zh", 5000), ("intro_en", 5000)):
        values[name] = _text(data.get(name), limit) if name in data or template is None else current[name]
    if not values["name"]:
        errors["name"] = _("Give the template a name.")
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def create_template(*, by: User, data: dict[str, Any]) -> SurveyTemplate:
    """A new questionnaire (revision 1 of its code) with its questions."""
    _ensure(by, "relations.add_surveytemplate", _("You may not make survey templates."))
    errors: dict[str, list[str]] = {}
    try:
        values = _clean_template(data, template=None)
    except ValidationError as exc:
        errors.update(exc.errors)
        values = {}
    try:
        questions = _clean_questions(data.get("questions") if "questions" in data else [])
    except ValidationError as exc:
        errors.update(exc.errors)
        questions = []
    if errors:
        raise ValidationError(errors)
    template = SurveyTemplate.objects.create(revision=1, is_current=True, created_by=by, **values)
    SurveyQuestion.objects.bulk_create(
        [SurveyQuestion(template=template, position=i, **q) for i, q in enumerate(questions, start=1)]
    )
    audit.record_create(
        instance=template, by=by, fields=TEMPLATE_FIELDS, message="\n".join(_question_summary(questions))
    )
    return template


def family_keys(code: str) -> set[str]:
    return set(SurveyQuestion.objects.filter(template__code=code).values_list("key", flat=True))


@transaction.atomic
def update_template(
    *, template: SurveyTemplate, by: User, data: dict[str, Any], version: int | None = None
) -> SurveyTemplate:
    """Edit the current revision: in place while no round used it; else the next revision is made with the changes
    (the used one stays as it was, for its rounds). Returns the revision that holds the changes."""
    _ensure(by, "relations.change_surveytemplate", _("You may not change survey templates."))
    locked = SurveyTemplate.objects.select_for_update().get(pk=template.pk)
    check_version(locked, version)
    if not locked.is_current:
        current = SurveyTemplate.objects.filter(code=locked.code, is_current=True).first()
        raise TransitionNotAllowed(
            _("Revision %(old)s of %(code)s was replaced by revision %(new)s: edit that one.")
            % {"old": locked.revision, "code": locked.code, "new": current.revision if current else "?"}
        )
    errors: dict[str, list[str]] = {}
    try:
        values = _clean_template(data, template=locked)
    except ValidationError as exc:
        errors.update(exc.errors)
        values = {}
    old_questions = list(locked.questions.order_by("position", "pk"))
    questions = None
    if "questions" in data:
        try:
            questions = _clean_questions(data.get("questions"), family_keys(locked.code))
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    new_summary = _question_summary(questions) if questions is not None else _question_summary(old_questions)
    before = {name: getattr(locked, name) for name in TEMPLATE_FIELDS}
    changes = audit.diff(before, values)
    old_summary = _question_summary(old_questions)
    if new_summary != old_summary:
        changes["questions"] = [old_summary, new_summary]
    if not changes:
        return locked
    if locked.rounds.exists():
        rows = (
            questions
            if questions is not None
            else [
                {f: getattr(q, f) for f in ("key", "kind", "category", "text_zh", "text_en", "required")}
                for q in old_questions
            ]
        )
        locked.is_current = False
        locked.version += 1
        locked.save(update_fields=["is_current", "version", "updated_at"])
        new = SurveyTemplate.objects.create(
            revision=locked.revision + 1, is_current=True, created_by=by, **{**before, **values}
        )
        SurveyQuestion.objects.bulk_create(
            [SurveyQuestion(template=new, position=i, **q) for i, q in enumerate(rows, start=1)]
        )
        audit.record(
            instance=new,
            action=AuditAction.CREATE,
            by=by,
            changes=changes,
            message=_("Revision %(new)s of %(code)s: revision %(old)s is used by a survey round and kept as it was.")
            % {"new": new.revision, "code": new.code, "old": locked.revision},
        )
        return new
    for name, value in values.items():
        setattr(locked, name, value)
    if questions is not None:
        locked.questions.all().delete()
        SurveyQuestion.objects.bulk_create(
            [SurveyQuestion(template=locked, position=i, **q) for i, q in enumerate(questions, start=1)]
        )
    locked.version += 1
    locked.save()
    audit.record(instance=locked, action=AuditAction.UPDATE, by=by, changes=changes)
    return locked


# ==== survey rounds ===============================================================================================


def contact_language(customer: Customer) -> str:
    """The language a customer's contacts are written to: Chinese for customers in China (and its SARs and
    Taiwan), else English."""
    return "zh-hans" if customer.country in {"CN", "HK", "MO", "TW"} else "en"


def _clean_round(data: dict[str, Any], *, round_: SurveyRound | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    current = {name: getattr(round_, name) for name in ROUND_FIELDS} if round_ else {}
    today = clock.today()

    def given(key: str) -> bool:
        return key in data or round_ is None

    template = current.get("template")
    if round_ is None:
        template_id = _id(data.get("template_id"))
        template = SurveyTemplate.objects.filter(pk=template_id).first() if template_id else None
        if template is None:
            errors["template_id"] = (
                _("There is no survey template %(id)s.") % {"id": data.get("template_id")}
                if template_id
                else _("Choose the survey template.")
            )
        elif not template.is_current:
            errors["template_id"] = _("Revision %(r)s of %(code)s was replaced: use the current revision.") % {
                "r": template.revision,
                "code": template.code,
            }
        elif not template.questions.exists():
            errors["template_id"] = _("%(code)s has no questions.") % {"code": template.code}
    elif "template_id" in data and _id(data.get("template_id")) != round_.template_id:
        errors["template_id"] = _("A round keeps its template.")
    start = current.get("period_start")
    if given("period_start"):
        start = _date(data.get("period_start"), "period_start", errors)
        if start is None and "period_start" not in errors:
            errors["period_start"] = _("Give the period the survey is about.")
    end = current.get("period_end")
    if given("period_end"):
        end = _date(data.get("period_end"), "period_end", errors)
        if end is None and "period_end" not in errors:
            errors["period_end"] = _("Give the period the survey is about.")
    if start and end and end < start:
        errors["period_end"] = _("The period cannot end before it starts.")
    closes = current.get("closes_on")
    if given("closes_on"):
        closes = _date(data.get("closes_on"), "closes_on", errors)
        if closes is None and "closes_on" not in errors:
            closes = today + dt.timedelta(days=DEFAULT_ROUND_DAYS)
        if closes is not None and closes < today and closes != current.get("closes_on"):
            errors["closes_on"] = _("Answers cannot close in the past.")
        elif closes is not None and closes > today + dt.timedelta(days=366):
            errors["closes_on"] = _("A round accepts answers for at most a year.")
    title = current.get("title", "")
    if given("title"):
        title = _text(data.get("title"), 200)
        if not title and template is not None and start and end:
            title = f"{template.name} {start:%Y-%m} – {end:%Y-%m}"
        if not title and "template_id" not in errors:
            errors["title"] = _("Give the round a title.")
    notes = _text(data.get("notes"), 5000) if given("notes") else current.get("notes", "")
    if errors:
        raise ValidationError(errors)
    return {
        "template": template,
        "title": title,
        "period_start": start,
        "period_end": end,
        "closes_on": closes,
        "notes": notes,
    }


SELECTION_KEYS = ("contact_ids", "customer_ids", "tiers", "merchandiser", "all_active", "primary_only")


@transaction.atomic
def create_round(*, by: User, data: dict[str, Any]) -> SurveyRound:
    """A draft round of the current revision of a template, for a period; its recipients are chosen with it when the
    data names them (contacts, customers, tiers, a merchandiser's customers or all active customers)."""
    _ensure(by, "relations.add_surveyround", _("You may not make survey rounds."))
    clean = _clean_round(data, round_=None)
    round_ = SurveyRound.objects.create(number=next_number(ROUND_PREFIX), owner=by, **clean)
    audit.record_create(instance=round_, by=by, fields=ROUND_FIELDS)
    if any(data.get(k) for k in SELECTION_KEYS if k != "primary_only"):
        add_recipients(round_=round_, by=by, **{k: data.get(k) for k in SELECTION_KEYS if k in data})
        round_.refresh_from_db()
    return round_


def _lock_round(round_: SurveyRound) -> SurveyRound:
    return SurveyRound.objects.select_for_update(of=("self",)).select_related("template", "owner").get(pk=round_.pk)


@transaction.atomic
def update_round(*, round_: SurveyRound, by: User, data: dict[str, Any], version: int | None = None) -> SurveyRound:
    """Change a round's title, period, closing date and notes (not once it is closed). A later closing date does not
    lengthen the links already sent: send a new one to a contact who needs it."""
    _ensure(by, "relations.change_surveyround", _("You may not change survey rounds."))
    locked = _lock_round(round_)
    check_version(locked, version)
    if locked.status == RoundStatus.CLOSED:
        raise TransitionNotAllowed(_("%(number)s is closed: it is kept.") % {"number": locked.number})
    clean = _clean_round(data, round_=locked)
    before = audit.snapshot(locked, ROUND_FIELDS)
    for name, value in clean.items():
        setattr(locked, name, value)
    changes = audit.diff(before, audit.snapshot(locked, ROUND_FIELDS))
    if changes:
        locked.version += 1
        locked.save()
        audit.record(instance=locked, action=AuditAction.UPDATE, by=by, changes=changes)
    return locked


def _ids(value: Any, field: str, errors: dict[str, str]) -> list[int]:
    if value in (None, "", []):
        return []
    if not isinstance(value, list | tuple):
        value = [value]
    result = []
    for v in value:
        n = _id(v)
        if n is None or n < 1:
            errors[field] = _("Give ids as whole numbers.")
            return []
        result.append(n)
    return result


def recipients_for(
    *,
    contact_ids: Any = None,
    customer_ids: Any = None,
    tiers: Any = None,
    merchandiser: Any = None,
    all_active: Any = False,
    primary_only: Any = True,
) -> list[Contact]:
    """The customer contacts a selection names: the contacts given, and for the customers picked (by id, by tier,
    by merchandiser, or all active ones) their primary contact (else the first with an e-mail; every contact when
    `primary_only` is false)."""
    errors: dict[str, str] = {}
    contact_ids = _ids(contact_ids, "contact_ids", errors)
    customer_ids = _ids(customer_ids, "customer_ids", errors)
    tier_list = [tiers] if isinstance(tiers, str) else list(tiers or [])
    tier_list = [t for t in tier_list if t]
    for tier in tier_list:
        if tier not in CustomerTier.values:
            errors["tiers"] = _("Choose tiers among: %(choices)s.") % {"choices": ", ".join(CustomerTier.values)}
    merch = _user(merchandiser, "merchandiser", errors) if merchandiser not in (None, "") else None
    if errors:
        raise ValidationError(errors)
    chosen: dict[int, Contact] = {}
    if contact_ids:
        found = {c.pk: c for c in Contact.objects.filter(pk__in=contact_ids).select_related("customer")}
        for pk in contact_ids:
            contact = found.get(pk)
            if contact is None or contact.customer_id is None:
                errors["contact_ids"] = _("%(id)s is not a customer's contact.") % {"id": pk}
                continue
            chosen[pk] = contact
    picked = Q(pk__in=customer_ids) if customer_ids else Q()
    criteria = Q()
    if tier_list:
        criteria &= Q(tier__in=tier_list)
    if merch is not None:
        criteria &= Q(merchandiser=merch)
    if errors:
        raise ValidationError(errors)
    customers: list[Customer] = []
    if customer_ids or tier_list or merch is not None or _bool(all_active):
        qs = Customer.objects.all()
        if customer_ids:
            qs = qs.filter(picked)
        if tier_list or merch is not None or _bool(all_active):
            extra = Customer.objects.filter(is_active=True).filter(criteria)
            qs = (qs | extra) if customer_ids else extra
        customers = list(qs.distinct())
    if customers:
        by_customer: dict[int, list[Contact]] = {}
        for contact in (
            Contact.objects.filter(customer__in=customers)
            .select_related("customer")
            .order_by("customer_id", "-is_primary", "pk")
        ):
            by_customer.setdefault(contact.customer_id, []).append(contact)
        for customer in customers:
            contacts = by_customer.get(customer.pk, [])
            if not contacts:
                continue
            if _bool(primary_only):
                primary = next((c for c in contacts if c.is_primary), None) or next(
                    (c for c in contacts if c.email), contacts[0]
                )
                chosen.setdefault(primary.pk, primary)
            else:
                for contact in contacts:
                    chosen.setdefault(contact.pk, contact)
    return sorted(chosen.values(), key=lambda c: (c.customer.code, c.name, c.pk))


def _describe_selection(**kw: Any) -> str:
    parts = []
    if kw.get("all_active"):
        parts.append(_("all active customers"))
    if kw.get("tiers"):
        tiers = [kw["tiers"]] if isinstance(kw["tiers"], str) else kw["tiers"]
        parts.append(_("tiers: %(t)s") % {"t": ", ".join(str(CustomerTier(t).label) for t in tiers if t)})
    if kw.get("merchandiser"):
        parts.append(_("merchandiser: %(m)s") % {"m": kw["merchandiser"]})
    if kw.get("customer_ids"):
        parts.append(_("%(n)s customers chosen") % {"n": len(kw["customer_ids"])})
    if kw.get("contact_ids"):
        parts.append(_("%(n)s contacts chosen") % {"n": len(kw["contact_ids"])})
    return "; ".join(parts)


@transaction.atomic
def add_recipients(
    *,
    round_: SurveyRound,
    by: User,
    contact_ids: Any = None,
    customer_ids: Any = None,
    tiers: Any = None,
    merchandiser: Any = None,
    all_active: Any = False,
    primary_only: Any = True,
) -> list[SurveyInvitation]:
    """Invite the contacts a selection names (those already invited are skipped). The customer's tier and
    merchandiser are recorded with each invitation, and the language it is written in."""
    _ensure(by, "relations.change_surveyround", _("You may not change survey rounds."))
    locked = _lock_round(round_)
    if locked.status == RoundStatus.CLOSED:
        raise TransitionNotAllowed(_("%(number)s is closed: nobody more is asked.") % {"number": locked.number})
    selection = {
        "contact_ids": contact_ids,
        "customer_ids": customer_ids,
        "tiers": tiers,
        "merchandiser": merchandiser,
        "all_active": _bool(all_active),
        "primary_only": primary_only,
    }
    contacts = recipients_for(**selection)
    invited = set(SurveyInvitation.objects.filter(round=locked).values_list("contact_id", flat=True))
    new = [c for c in contacts if c.pk not in invited]
    if not new:
        raise ValidationError(
            {
                "contact_ids": _("No new contact matches: everyone chosen is invited already.")
                if contacts
                else _("No customer contact matches this selection.")
            }
        )
    rows = [
        SurveyInvitation(
            round=locked,
            customer=c.customer,
            contact=c,
            contact_name=c.name,
            email=c.email,
            language=contact_language(c.customer),
            tier=c.customer.tier,
            merchandiser_id=c.customer.merchandiser_id,
        )
        for c in new
    ]
    SurveyInvitation.objects.bulk_create(rows)
    described = _describe_selection(**selection)
    if described:
        locked.selection = f"{locked.selection}\n{described}".strip()[:5000]
    locked.version += 1
    locked.save(update_fields=["selection", "version", "updated_at"])
    audit.record(
        instance=locked,
        action=AuditAction.UPDATE,
        by=by,
        changes={"recipients": [len(invited), len(invited) + len(new)]},
        message=described,
    )
    return list(SurveyInvitation.objects.filter(round=locked, contact__in=new).select_related("customer"))


@transaction.atomic
def remove_recipient(*, invitation: SurveyInvitation, by: User) -> None:
    """Take a contact off a round before it is sent to them."""
    _ensure(by, "relations.change_surveyround", _("You may not change survey rounds."))
    locked = SurveyInvitation.objects.select_for_update().select_related("round").get(pk=invitation.pk)
    if locked.sent_at is not None:
        raise TransitionNotAllowed(
            _("%(name)s was sent the survey: withdraw the link instead.") % {"name": locked.contact_name}
        )
    audit.record(
        instance=locked.round,
        action=AuditAction.UPDATE,
        by=by,
        changes={"recipients": [str(locked), None]},
        message=_("Recipient removed"),
    )
    locked.delete()


def survey_url(token: str) -> str:
    return settings.GENDAN_BASE_URL + reverse("relations:survey_answer", args=[token])


def _link_days(round_: SurveyRound) -> int:
    return max(1, (round_.closes_on - clock.today()).days + 1)


def _email(invitation: SurveyInvitation, token: str, *, reminder: bool) -> None:
    """The invitation (or a reminder) by e-mail in the contact's language, sent after the transaction commits."""
    if not invitation.email:
        return
    from gendan.core.documents import company_name
    from gendan.relations.tasks import send_survey_email

    round_ = invitation.round
    template = round_.template
    language = invitation.language
    with translation.override(language):
        company = company_name(language)
        if language.startswith("zh"):
            intro, title = template.intro_zh or template.intro_en, template.name
        else:
            intro, title = template.intro_en, template.name_en or template.name
        if reminder:
            subject = _("Reminder: %(title)s") % {"title": title}
        else:
            subject = _("%(company)s: %(title)s") % {"company": company, "title": title}
        body = "\n\n".join(
            p
            for p in (
                _("Dear %(name)s,") % {"name": invitation.contact_name},
                _("We have not yet received your answers. It takes about five minutes.") if reminder else "",
                intro,
                _("Please tell us how we did from %(start)s to %(end)s:")
                % {"start": round_.period_start.isoformat(), "end": round_.period_end.isoformat()},
                survey_url(token),
                _("The link is for you alone and works until %(date)s.") % {"date": round_.closes_on.isoformat()},
                _("Thank you,\n%(company)s") % {"company": company},
            )
            if p
        )
    to = invitation.email
    transaction.on_commit(lambda: send_survey_email.enqueue(to, subject, body))


def _party(invitation: SurveyInvitation) -> str:
    return f"{invitation.contact_name} ({invitation.customer.code})"


def _new_link(invitation: SurveyInvitation, by: User | None) -> str:
    _link, token = links.create_link(
        target=invitation, purpose=LINK_PURPOSE, party=_party(invitation), by=by, days=_link_days(invitation.round)
    )
    return token


@transaction.atomic
def send_round(*, round_: SurveyRound, by: User, version: int | None = None) -> int:
    """Send the survey to every recipient not sent yet: each gets a signed link of its own (valid until the round
    closes), by e-mail in its language when it has an address (else copy the link from the round's page). The
    round is then sent. Returns how many were sent."""
    _ensure(by, "relations.change_surveyround", _("You may not send survey rounds."))
    locked = _lock_round(round_)
    check_version(locked, version)
    if locked.status == RoundStatus.CLOSED:
        raise TransitionNotAllowed(_("%(number)s is closed: it cannot be sent.") % {"number": locked.number})
    if locked.closes_on < clock.today():
        raise ValidationError(
            {
                "closes_on": _("Answers closed on %(date)s: move the date first.")
                % {"date": locked.closes_on.isoformat()}
            }
        )
    pending = list(
        SurveyInvitation.objects.select_for_update(of=("self",))
        .filter(round=locked, sent_at__isnull=True)
        .select_related("customer", "round__template")
    )
    if not pending:
        raise ValidationError(
            {
                "recipients": _("Every recipient was sent the survey already.")
                if SurveyInvitation.objects.filter(round=locked).exists()
                else _("Choose the recipients first.")
            }
        )
    now = clock.now()
    for invitation in pending:
        invitation.round = locked
        token = _new_link(invitation, by)
        invitation.sent_at = now
        _email(invitation, token, reminder=False)
    SurveyInvitation.objects.bulk_update(pending, ["sent_at"])
    changes: dict[str, list[Any]] = {"sent": [None, len(pending)]}
    if locked.status == RoundStatus.DRAFT:
        changes["status"] = [locked.status, RoundStatus.SENT]
        locked.status = RoundStatus.SENT
        locked.sent_at = now
    locked.version += 1
    locked.save()
    audit.record(instance=locked, action=AuditAction.TRANSITION, by=by, changes=changes)
    return len(pending)


def _remind(invitations: list[SurveyInvitation], by: User | None) -> int:
    now = clock.now()
    count = 0
    for invitation in invitations:
        live = links.live_links(invitation, LINK_PURPOSE).order_by("-created_at").first()
        if live is None or not invitation.email:
            continue
        _email(invitation, links.token_for(live), reminder=True)
        invitation.reminded_at = now
        invitation.reminder_count += 1
        count += 1
    SurveyInvitation.objects.bulk_update(invitations, ["reminded_at", "reminder_count"])
    return count


def _waiting(round_: SurveyRound) -> Any:
    return (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .filter(round=round_, sent_at__isnull=False, answered_at__isnull=True)
        .exclude(email="")
        .select_related("customer", "round__template")
    )


@transaction.atomic
def remind(*, round_: SurveyRound, by: User, invitation_ids: list[int] | None = None) -> int:
    """E-mail a reminder with their link to the contacts who have not answered yet (all, or those given) and whose
    link still works. Returns how many were reminded."""
    _ensure(by, "relations.change_surveyround", _("You may not send survey reminders."))
    locked = _lock_round(round_)
    if locked.status != RoundStatus.SENT:
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s: reminders go out while it is sent.")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    qs = _waiting(locked)
    if invitation_ids:
        qs = qs.filter(pk__in=invitation_ids)
    count = _remind(list(qs), by)
    if count:
        audit.record(instance=locked, action=AuditAction.UPDATE, by=by, changes={"reminded": [None, count]})
    return count


@transaction.atomic
def close_round(*, round_: SurveyRound, by: User | None, version: int | None = None) -> SurveyRound:
    """No more answers: the live links are withdrawn and the round is closed (its results stay)."""
    if by is not None:
        _ensure(by, "relations.change_surveyround", _("You may not close survey rounds."))
    locked = _lock_round(round_)
    check_version(locked, version)
    if locked.status != RoundStatus.SENT:
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s: only a sent round is closed.")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    ids = list(SurveyInvitation.objects.filter(round=locked).values_list("pk", flat=True))
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(SurveyInvitation)
    now = clock.now()
    withdrawn = ExternalLink.objects.filter(
        content_type=ct, object_id__in=ids, purpose=LINK_PURPOSE, revoked_at__isnull=True, expires_at__gt=now
    ).update(revoked_at=now, revoked_by=by)
    locked.status = RoundStatus.CLOSED
    locked.closed_at = now
    locked.version += 1
    locked.save()
    audit.record(
        instance=locked,
        action=AuditAction.TRANSITION,
        by=by,
        changes={"status": [RoundStatus.SENT, RoundStatus.CLOSED], "links_withdrawn": [None, withdrawn]},
    )
    return locked


def _lock_invitation(invitation: SurveyInvitation) -> SurveyInvitation:
    return (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("round__template", "customer", "merchandiser")
        .get(pk=invitation.pk)
    )


@transaction.atomic
def withdraw_link(*, invitation: SurveyInvitation, by: User) -> int:
    """Withdraw a contact's link (sent to the wrong person, or the contact left): it stops working."""
    _ensure(by, "relations.change_surveyround", _("You may not change survey rounds."))
    locked = _lock_invitation(invitation)
    count = 0
    for link in links.live_links(locked, LINK_PURPOSE):
        links.revoke(link=link, by=by)
        count += 1
    if not count:
        raise TransitionNotAllowed(_("%(name)s has no working link.") % {"name": locked.contact_name})
    return count


@transaction.atomic
def renew_link(*, invitation: SurveyInvitation, by: User, send: bool = True) -> str:
    """A new link for a contact who has not answered (the old one stops working), e-mailed again when `send`;
    valid until the round closes. Returns the token."""
    _ensure(by, "relations.change_surveyround", _("You may not change survey rounds."))
    locked = _lock_invitation(invitation)
    round_ = locked.round
    if round_.status != RoundStatus.SENT:
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s: links are sent while it is sent.")
            % {"number": round_.number, "status": round_.get_status_display()}
        )
    if locked.sent_at is None:
        raise TransitionNotAllowed(
            _("%(name)s was not sent the survey yet: send the round.") % {"name": locked.contact_name}
        )
    if locked.answered_at is not None:
        raise TransitionNotAllowed(
            _("%(name)s answered on %(date)s.")
            % {"name": locked.contact_name, "date": locked.answered_at.date().isoformat()}
        )
    if round_.closes_on < clock.today():
        raise ValidationError(
            {
                "closes_on": _("Answers closed on %(date)s: move the date first.")
                % {"date": round_.closes_on.isoformat()}
            }
        )
    token = _new_link(locked, by)
    if send:
        _email(locked, token, reminder=False)
    return token


# ---- answering through the link ----------------------------------------------------------------------------------


def invitation_for_token(token: str) -> tuple[SurveyInvitation, ExternalLink]:
    """The invitation a survey link opens (LinkInvalid when altered, expired or withdrawn)."""
    link = links.resolve(token, LINK_PURPOSE)
    invitation = (
        SurveyInvitation.objects.select_related("round__template", "customer").filter(pk=link.object_id).first()
    )
    if invitation is None or invitation.sent_at is None:
        raise links.LinkInvalid(_("This link is not valid. Ask your contact for a new one."))
    return invitation, link


def _score(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return -1
    try:
        number = int(str(value).strip())
    except ValueError:
        return -1
    return number if number in SCORES else -1


@transaction.atomic
def submit_answers(
    *, invitation: SurveyInvitation, link: ExternalLink, answers: dict[str, Any], comment: str = ""
) -> SurveyInvitation:
    """The contact's answers, once: `answers` maps a question's key to a score (1–5) or a text. A score of 2 or less
    asks the customer's merchandiser (else the round's owner) to call back within two working days. Recorded in the
    contact's name."""
    locked = _lock_invitation(invitation)
    if link.object_id != locked.pk or link.purpose != LINK_PURPOSE:
        raise links.LinkInvalid(_("This link is not valid. Ask your contact for a new one."))
    if locked.answered_at is not None:
        raise TransitionNotAllowed(
            _("Your answers were received on %(date)s. Thank you: a survey is answered once.")
            % {"date": locked.answered_at.date().isoformat()}
        )
    round_ = locked.round
    if round_.status != RoundStatus.SENT:
        raise TransitionNotAllowed(_("This survey is closed. Thank you for your time."))
    questions = list(round_.template.questions.order_by("position", "pk"))
    errors: dict[str, str] = {}
    rows: list[SurveyAnswer] = []
    low: list[tuple[SurveyQuestion, int]] = []
    for question in questions:
        raw = answers.get(question.key)
        if question.kind == QuestionKind.SCORE:
            score = _score(raw)
            if score == -1:
                errors[question.key] = _("Choose a score from 1 to 5.")
            elif score is None:
                if question.required:
                    errors[question.key] = _("Please answer this question.")
            else:
                rows.append(SurveyAnswer(invitation=locked, question=question, score=score))
                if score <= LOW_SCORE:
                    low.append((question, score))
        else:
            text = _text(raw, 5000)
            if text:
                rows.append(SurveyAnswer(invitation=locked, question=question, text=text))
            elif question.required:
                errors[question.key] = _("Please answer this question.")
    if errors:
        raise ValidationError(errors)
    SurveyAnswer.objects.bulk_create(rows)
    locked.answered_at = clock.now()
    locked.comment = _text(comment, 5000)
    locked.save(update_fields=["answered_at", "comment"])
    audit.record(
        instance=locked,
        action=AuditAction.UPDATE,
        by=None,
        actor=link.party,
        changes={"answered": [None, len(rows)]},
        message=_("Answered the survey"),
        related=round_,
    )
    if low:
        _low_score_follow_up(locked, low)
    return locked


def _low_score_follow_up(invitation: SurveyInvitation, low: list[tuple[SurveyQuestion, int]]) -> SurveyFollowUp:
    customer = invitation.customer
    owner = invitation.merchandiser or customer.merchandiser or invitation.round.owner
    if not owner.is_active:
        owner = invitation.round.owner
    language = owner.language or settings.LANGUAGE_CODE
    with translation.override(language):
        summary = "; ".join(f"{q.text(language)[:60]} {score}/5" for q, score in low)[:500]
    follow_up = SurveyFollowUp.objects.create(
        invitation=invitation,
        owner=owner,
        summary=summary,
        due_date=company_calendar().add(clock.today(), LOW_SCORE_DAYS),
    )
    audit.record_create(instance=follow_up, by=None, fields=["owner", "summary", "due_date"], related=invitation.round)
    notify_in_their_language(
        recipients=[owner],
        title=lambda: (
            _("Low survey score from %(customer)s: call %(name)s")
            % {"customer": customer.code, "name": invitation.contact_name}
        ),
        body=lambda: summary,
        url=reverse("relations:follow_ups") + f"#fu-{follow_up.pk}",
        actor=None,
    )
    return follow_up


@transaction.atomic
def close_follow_up(*, follow_up: SurveyFollowUp, by: User, note: str, version: int | None = None) -> SurveyFollowUp:
    """The merchandiser called the customer back: what was said and done. It leaves the chase list."""
    locked = SurveyFollowUp.objects.select_for_update().select_related("invitation__round").get(pk=follow_up.pk)
    if by.pk != locked.owner_id and not by.has_perm("relations.change_surveyfollowup"):
        raise PermissionDenied(
            _("Only %(owner)s or someone who manages survey follow-ups may close it.") % {"owner": locked.owner}
        )
    check_version(locked, version)
    if locked.done_date is not None:
        raise TransitionNotAllowed(_("This follow-up was closed on %(date)s.") % {"date": locked.done_date.isoformat()})
    note = _text(note, 5000)
    if not note:
        raise ValidationError({"note": _("Say what the customer said and what was done.")})
    locked.done_date, locked.done_by, locked.note = clock.today(), by, note
    locked.version += 1
    locked.save()
    audit.record(
        instance=locked,
        action=AuditAction.UPDATE,
        by=by,
        changes={"done_date": [None, locked.done_date]},
        message=note,
        related=locked.invitation.round,
    )
    return locked


# ---- the daily job -----------------------------------------------------------------------------------------------


def daily_round_upkeep() -> dict[str, int]:
    """Close the rounds whose answering date passed, then remind the contacts who have not answered a week after
    the invitation or the last reminder (GENDAN_SURVEY_REMIND_DAYS; at most two reminders)."""
    today = clock.today()
    closed = 0
    for round_ in SurveyRound.objects.filter(status=RoundStatus.SENT, closes_on__lt=today):
        close_round(round_=round_, by=None)
        closed += 1
    cutoff = clock.now() - dt.timedelta(days=remind_days())
    reminded = 0
    for round_ in SurveyRound.objects.filter(status=RoundStatus.SENT, closes_on__gte=today):
        with transaction.atomic():
            locked = _lock_round(round_)
            due = list(
                _waiting(locked)
                .filter(reminder_count__lt=MAX_REMINDERS, sent_at__lte=cutoff)
                .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lte=cutoff))
            )
            count = _remind(due, None)
            if count:
                audit.record(instance=locked, action=AuditAction.UPDATE, by=None, changes={"reminded": [None, count]})
            reminded += count
    return {"closed": closed, "reminded": reminded}
