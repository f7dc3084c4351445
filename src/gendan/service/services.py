"""Customer complaints' writes (客户投诉处理).

A complaint is registered from a customer (channel, order / shipment / lot, the products and quantities affected,
description, photos, the claim amount asked) and moves registered → routed → investigating → answered → verified →
closed, or is rejected with a reason from registered, routed or investigating:

- routed to a responsible department and person with an answer due date (by default a number of working days that
  depends on the severity); the person is notified. Routing again hands it to someone else.
- investigated: the root cause from the maintained list of categories plus the analysis in free text; containment,
  corrective and preventive actions, each with an owner (notified), a due date, a done date and a result.
- answered: the 8D-style answer (problem, cause, containment, corrective actions, settlement offered) as a PDF in
  English or Chinese, sent by e-mail from the page.
- verified by the customer (accepted), or not accepted: back to investigating.
- closed with the agreed settlement: a credit note (issued in finance), a replacement quantity (and its value: the
  replacement order, a free-of-charge draft order of the complained products, is made through the order service and
  followed like any order), a discount on the customer's next order (shown in that order's contract review), or none.

Every command runs in one transaction, locks the row it changes, checks the optimistic `version` when given, checks
the permission and the allowed transition, and records the audit trail; a refused command writes nothing.
"""

import datetime as dt
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from gendan.catalog.models import Product
from gendan.core import audit, clock
from gendan.core.calendar import company_calendar
from gendan.core.choices import AuditAction
from gendan.core.cleaning import clean_choice as _choice
from gendan.core.cleaning import clean_date as _date
from gendan.core.cleaning import clean_decimal as _decimal
from gendan.core.cleaning import clean_id as _id
from gendan.core.cleaning import clean_text as _text
from gendan.core.editing import check_version
from gendan.core.exceptions import PermissionDenied, TransitionNotAllowed, ValidationError
from gendan.core.models import Attachment, Department, User
from gendan.core.money import Currency, places, round_money
from gendan.core.numbering import next_number
from gendan.partners.models import Contact
from gendan.sales import selectors as sales_selectors
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order, OrderLine
from gendan.service.choices import (
    ACTION_STATUSES,
    DEFAULT_CAUSES,
    EDITABLE_STATUSES,
    INVESTIGATION_STATUSES,
    TRANSITIONS,
    ActionKind,
    AnswerLanguage,
    Channel,
    ComplaintStatus,
    Severity,
)
from gendan.service.models import Complaint, ComplaintAction, ComplaintLine, RootCause
from gendan.shipping.models import Shipment, ShipmentLine

PREFIX = "CP"
# Working days the responsible person has to answer, from the day it is routed, by severity (GENDAN_COMPLAINT_
# ANSWER_DAYS overrides any of them: {"critical": 1, ...}).
ANSWER_DAYS = {Severity.CRITICAL: 2, Severity.MAJOR: 5, Severity.MINOR: 10}
# Days from closing to a replacement order's ex-factory date when there is no complained order to take the lead time
# from (GENDAN_REPLACEMENT_LEAD_DAYS overrides it).
REPLACEMENT_LEAD_DAYS = 30

COMPLAINT_FIELDS = [
    "customer",
    "contact",
    "channel",
    "received_date",
    "customer_reference",
    "order",
    "shipment",
    "lot",
    "title",
    "description",
    "severity",
    "claim_amount",
    "currency",
    "owner",
]
ACTION_FIELDS = ["kind", "description", "owner", "due_date"]
SETTLE_PERM = "service.settle_complaint"


def answer_days(severity: str) -> int:
    configured = getattr(settings, "GENDAN_COMPLAINT_ANSWER_DAYS", None) or {}
    return int(configured.get(str(severity), ANSWER_DAYS.get(severity, 5)))


def verification_days() -> int:
    """Working days after the answer when the owner chases the customer's verification."""
    return int(getattr(settings, "GENDAN_COMPLAINT_VERIFY_DAYS", 10))


def _ensure(by: User, perm: str, message: str) -> None:
    from gendan.core.services import ensure_can

    ensure_can(by, perm, message)


# ---- input cleaning ----------------------------------------------------------------------------------------------


def _user(value: Any, field: str, errors: dict[str, str], *, perm: str, cannot: str) -> User | None:
    """An active user given by id or username who has `perm`."""
    if value in (None, ""):
        return None
    if isinstance(value, User):
        user: User | None = value
    else:
        key = _id(value)
        qs = User.objects.filter(is_active=True)
        user = qs.filter(pk=key).first() if key and key > 0 else qs.filter(username=str(value).strip()).first()
    if user is None or not user.is_active:
        errors[field] = _("There is no active user %(user)s.") % {"user": value}
        return None
    if not user.has_perm(perm):
        errors[field] = cannot % {"name": user.username}
        return None
    return user


def _users_with(perm: str) -> list[User]:
    app_label, codename = perm.split(".")
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
        )
        .distinct()
        .order_by("username")
    )


def responsible_candidates() -> list[User]:
    """Who may be made responsible for a complaint (users who may work on complaints)."""
    return _users_with("service.change_complaint")


def action_owner_candidates() -> list[User]:
    return _users_with("service.change_complaintaction")


def _clean_complaint(data: dict[str, Any], *, complaint: Complaint | None, by: User) -> dict[str, Any]:
    """Check a complaint's facts (`complaint` is the one being changed: what `data` does not name is kept)."""
    errors: dict[str, str] = {}
    current = {name: getattr(complaint, name) for name in COMPLAINT_FIELDS} if complaint else {}

    def given(key: str) -> bool:
        return key in data

    order = current.get("order")
    if given("order_id"):
        order_id = _id(data.get("order_id"))
        order = (
            Order.objects.select_related("customer", "merchandiser").filter(pk=order_id).first() if order_id else None
        )
        if order_id and order is None:
            errors["order_id"] = _("There is no order %(id)s.") % {"id": data.get("order_id")}
        elif order is not None and order.status in (OrderStatus.DRAFT, OrderStatus.CANCELLED):
            errors["order_id"] = _(
                "Order %(number)s is %(status)s: a complaint concerns an order the customer has."
            ) % {
                "number": order.number,
                "status": order.get_status_display(),
            }

    customer = sales_selectors.customer_for(
        data,
        current=current.get("customer"),
        order=order,
        errors=errors,
        missing=_("Choose the customer (or the order) the complaint comes from."),
    )
    if (
        complaint is not None
        and complaint.status != ComplaintStatus.REGISTERED
        and customer is not None
        and customer != current["customer"]
    ):
        errors["customer_id"] = _("%(number)s is routed: its customer is kept.") % {"number": complaint.number}

    contact = current.get("contact")
    if given("contact_id"):
        contact_id = _id(data.get("contact_id"))
        contact = Contact.objects.filter(pk=contact_id).first() if contact_id else None
        if contact_id and (contact is None or customer is None or contact.customer_id != customer.pk):
            errors["contact_id"] = _("Choose a contact of the customer.")
            contact = None
    elif contact is not None and customer is not None and contact.customer_id != customer.pk:
        contact = None

    shipment = current.get("shipment")
    if given("shipment_id"):
        shipment_id = _id(data.get("shipment_id"))
        shipment = Shipment.objects.filter(pk=shipment_id).first() if shipment_id else None
        if shipment_id and shipment is None:
            errors["shipment_id"] = _("There is no shipment %(id)s.") % {"id": data.get("shipment_id")}
    if shipment is not None and "shipment_id" not in errors:
        if customer is not None and shipment.customer_id != customer.pk:
            errors["shipment_id"] = _("Shipment %(number)s is for another customer.") % {"number": shipment.number}
        elif order is not None and not ShipmentLine.objects.filter(shipment=shipment, order_line__order=order).exists():
            errors["shipment_id"] = _("Shipment %(number)s carries nothing of order %(order)s.") % {
                "number": shipment.number,
                "order": order.number,
            }

    channel = current.get("channel", Channel.EMAIL)
    if given("channel") or complaint is None:
        channel = _choice(data.get("channel") or Channel.EMAIL, Channel, "channel", errors)

    received = current.get("received_date")
    if given("received_date") or complaint is None:
        received = _date(data.get("received_date"), "received_date", errors) or (
            clock.today() if "received_date" not in errors else None
        )
        if received is not None and received > clock.today():
            errors["received_date"] = _("A complaint cannot be received in the future.")

    severity = current.get("severity", Severity.MAJOR)
    if given("severity") or complaint is None:
        severity = _choice(data.get("severity") or Severity.MAJOR, Severity, "severity", errors)

    description = _text(data.get("description"), 10000) if given("description") else current.get("description", "")
    if not description:
        errors["description"] = _("Describe what the customer complains about.")
    title = _text(data.get("title"), 200) if given("title") else current.get("title", "")
    if not title and description:
        title = description.splitlines()[0][:80]

    currency = current.get("currency")
    if given("currency") and data.get("currency") not in (None, ""):
        currency = str(data.get("currency")).upper()
        if currency not in Currency.values:
            errors["currency"] = _("Choose a currency.")
            currency = Currency.USD
    elif complaint is None or not currency or (given("order_id") and order is not None):
        currency = order.currency if order is not None else (customer.currency if customer else Currency.USD)
    if order is not None and currency != order.currency and "currency" not in errors:
        errors["currency"] = _("Order %(number)s is in %(currency)s: the claim is in the same currency.") % {
            "number": order.number,
            "currency": order.currency,
        }
    claim = current.get("claim_amount", Decimal(0))
    if given("claim_amount") or currency != current.get("currency") or complaint is None:
        raw = data.get("claim_amount", claim)
        claim = _decimal(
            0 if raw in (None, "") else raw,
            "claim_amount",
            errors,
            decimals=places(currency),
            positive=False,
            max_digits=16,
        )

    owner = current.get("owner")
    if given("owner") and data.get("owner") not in (None, ""):
        owner = _user(
            data.get("owner"),
            "owner",
            errors,
            perm="service.change_complaint",
            cannot=_("%(name)s cannot follow complaints."),
        )
    elif complaint is None:
        candidates = [order.merchandiser if order is not None else None, customer.merchandiser if customer else None]
        owner = next((u for u in candidates if u is not None and u.is_active), None) or by

    if errors:
        raise ValidationError(errors)
    return {
        "customer": customer,
        "contact": contact,
        "channel": channel,
        "received_date": received,
        "customer_reference": _text(data.get("customer_reference"), 60)
        if given("customer_reference")
        else current.get("customer_reference", ""),
        "order": order,
        "shipment": shipment,
        "lot": _text(data.get("lot"), 60) if given("lot") else current.get("lot", ""),
        "title": title,
        "description": description,
        "severity": severity,
        "claim_amount": claim,
        "currency": currency,
        "owner": owner,
    }


def _clean_lines(lines: Any, order: Order | None) -> list[dict[str, Any]]:
    """The products complained about: each a product (of the order, when there is one) and the quantity affected."""
    if lines in (None, ""):
        return []
    if not isinstance(lines, list | tuple):
        raise ValidationError({"lines": _("Give the products as a list.")})
    errors: dict[str, str] = {}
    cleaned: list[dict[str, Any]] = []
    order_lines: dict[int, OrderLine] = {}
    if order is not None:
        order_lines = {ol.pk: ol for ol in OrderLine.objects.filter(order=order).select_related("product")}
    product_ids = {_id(line.get("product_id")) for line in lines if isinstance(line, dict)}
    products = {p.pk: p for p in Product.objects.filter(pk__in=[p for p in product_ids if p and p > 0])}
    seen: set[int] = set()
    for index, line in enumerate(lines, start=1):
        where = f"lines.{index}."
        if not isinstance(line, dict):
            errors[f"{where}product_id"] = _("Give the product and the quantity affected.")
            continue
        order_line = None
        line_id = _id(line.get("order_line_id"))
        if line_id:
            order_line = order_lines.get(line_id)
            if order_line is None:
                errors[f"{where}order_line_id"] = (
                    _("Order %(number)s has no line %(id)s.")
                    % {"number": order.number, "id": line.get("order_line_id")}
                    if order is not None
                    else _("Choose the order first.")
                )
                continue
        product_id = _id(line.get("product_id"))
        product = products.get(product_id) if product_id else (order_line.product if order_line else None)
        if product is None:
            errors[f"{where}product_id"] = (
                _("There is no product %(id)s.") % {"id": line.get("product_id")}
                if product_id
                else _("Choose the product.")
            )
            continue
        if order_line is not None and order_line.product_id != product.pk:
            errors[f"{where}product_id"] = _("Line %(n)s of the order is %(code)s.") % {
                "n": order_line.position,
                "code": order_line.product.code,
            }
            continue
        if order is not None and order_line is None:
            order_line = next((ol for ol in order_lines.values() if ol.product_id == product.pk), None)
            if order_line is None:
                errors[f"{where}product_id"] = _("Order %(number)s has no %(code)s.") % {
                    "number": order.number,
                    "code": product.code,
                }
                continue
        key = order_line.pk if order_line else -product.pk
        if key in seen:
            errors[f"{where}product_id"] = _("%(code)s is listed twice.") % {"code": product.code}
            continue
        seen.add(key)
        quantity = _decimal(line.get("quantity"), f"{where}quantity", errors, decimals=3, positive=True, max_digits=14)
        if order_line is not None and quantity is not None and quantity > order_line.quantity:
            errors[f"{where}quantity"] = _("More than the %(qty)s ordered.") % {
                "qty": f"{order_line.quantity.normalize():f}"
            }
        cleaned.append(
            {
                "product": product,
                "order_line": order_line,
                "quantity": quantity,
                "defect": _text(line.get("defect"), 200),
            }
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


def _lines_text(rows: list[dict[str, Any]] | list[ComplaintLine]) -> list[str]:
    def one(row: Any) -> str:
        product = row["product"] if isinstance(row, dict) else row.product
        quantity = row["quantity"] if isinstance(row, dict) else row.quantity
        defect = row["defect"] if isinstance(row, dict) else row.defect
        return f"{product.code} × {quantity.normalize():f}" + (f" ({defect})" if defect else "")

    return [one(r) for r in rows]


def _write_lines(complaint: Complaint, rows: list[dict[str, Any]]) -> None:
    ComplaintLine.objects.filter(complaint=complaint).delete()
    ComplaintLine.objects.bulk_create(
        [ComplaintLine(complaint=complaint, position=n, **row) for n, row in enumerate(rows, start=1)]
    )


# ---- the complaint -----------------------------------------------------------------------------------------------


def _lock(complaint: Complaint) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("customer", "order", "owner", "responsible", "root_cause", "department")
        .get(pk=complaint.pk)
    )


@transaction.atomic
def create_complaint(*, by: User, data: dict[str, Any], photos: list[Any] | None = None) -> Complaint:
    """Register a complaint: from a customer (or an order: its customer), with the products and quantities affected
    and the customer's photos. It belongs to the order's merchandiser (else the customer's, else the one registering
    it) unless `owner` says; that person is notified."""
    from gendan.core.services import add_attachment

    _ensure(by, "service.add_complaint", _("You may not register complaints."))
    clean = _clean_complaint(data, complaint=None, by=by)
    rows = _clean_lines(data.get("lines"), clean["order"])
    complaint = Complaint.objects.create(number=next_number(PREFIX), created_by=by, **clean)
    _write_lines(complaint, rows)
    audit.record_create(instance=complaint, by=by, fields=COMPLAINT_FIELDS)
    if rows:
        audit.record(
            instance=complaint,
            action=AuditAction.UPDATE,
            by=by,
            changes={"lines": [None, _lines_text(rows)]},
        )
    for upload in photos or []:
        add_attachment(instance=complaint, upload=upload, by=by)
    if complaint.owner_id != by.pk:
        _notify(
            [complaint.owner],
            complaint,
            by,
            title=lambda: (
                _("Complaint %(number)s from %(customer)s is yours to follow")
                % {"number": complaint.number, "customer": complaint.customer.code}
            ),
            body=lambda: complaint.title,
        )
    return complaint


@transaction.atomic
def update_complaint(*, complaint: Complaint, by: User, data: dict[str, Any], version: int | None = None) -> Complaint:
    """Correct a complaint's facts until it is answered (its customer only while it is registered); `lines`, when
    given, replaces the products whole."""
    _ensure(by, "service.change_complaint", _("You may not change complaints."))
    locked = _lock(complaint)
    check_version(locked, version)
    if locked.status not in EDITABLE_STATUSES:
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s: its facts are kept.")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    clean = _clean_complaint(data, complaint=locked, by=by)
    rows = None
    if "lines" in data or ("order_id" in data and clean["order"] != locked.order):
        old_lines = list(locked.lines.select_related("product"))
        if "lines" in data:
            rows = _clean_lines(data.get("lines"), clean["order"])
        else:  # another order: the products must be on it
            rows = _clean_lines(
                [{"product_id": ln.product_id, "quantity": ln.quantity, "defect": ln.defect} for ln in old_lines],
                clean["order"],
            )
    before = audit.snapshot(locked, COMPLAINT_FIELDS)
    for name, value in clean.items():
        setattr(locked, name, value)
    changes = audit.diff(before, audit.snapshot(locked, COMPLAINT_FIELDS))
    if rows is not None:
        old_text, new_text = _lines_text(old_lines), _lines_text(rows)
        if old_text != new_text:
            changes["lines"] = [old_text, new_text]
    if not changes:
        return locked
    if rows is not None and "lines" in changes:
        _write_lines(locked, rows)
    locked.version += 1
    locked.save()
    audit.record(instance=locked, action=AuditAction.UPDATE, by=by, changes=changes)
    if "owner" in changes and locked.owner_id != by.pk:
        _notify(
            [locked.owner],
            locked,
            by,
            title=lambda: (
                _("Complaint %(number)s from %(customer)s is yours to follow")
                % {"number": locked.number, "customer": locked.customer.code}
            ),
            body=lambda: locked.title,
        )
    return locked


@transaction.atomic
def add_photo(*, complaint: Complaint, upload: Any, by: User) -> Attachment:
    """A photo or file of the complaint (the customer's photos of the defect, the claim letter, a test report)."""
    from gendan.core.services import add_attachment

    _ensure(by, "service.change_complaint", _("You may not attach files to complaints."))
    if upload is None:
        raise ValidationError({"file": _("Choose a file.")})
    return add_attachment(instance=complaint, upload=upload, by=by)


def _refuse(complaint: Complaint, action: str) -> TransitionNotAllowed:
    target = ComplaintStatus(TRANSITIONS[action][1]).label
    return TransitionNotAllowed(
        _("%(number)s is %(status)s: it cannot move to %(target)s.")
        % {"number": complaint.number, "status": complaint.get_status_display(), "target": target}
    )


def _check(complaint: Complaint, action: str) -> None:
    if complaint.status not in TRANSITIONS[action][0]:
        raise _refuse(complaint, action)


def _move(
    complaint: Complaint, action: str, *, by: User, message: str = "", to_status: str | None = None, **fields: Any
) -> None:
    """Move a locked complaint by `action` (with its other changed fields), count a version, record it."""
    _check(complaint, action)
    status = to_status or TRANSITIONS[action][1]
    changes: dict[str, list[Any]] = {}
    if complaint.status != status:
        changes["status"] = [complaint.status, status]
    for name, value in fields.items():
        old = getattr(complaint, name)
        if old != value:
            changes[name] = [old, value]
        setattr(complaint, name, value)
    complaint.status = status
    complaint.version += 1
    complaint.save()
    audit.record(
        instance=complaint,
        action=AuditAction.TRANSITION if "status" in changes else AuditAction.UPDATE,
        by=by,
        changes=changes,
        message=message[:1000],
    )


def _url(complaint: Complaint) -> str:
    return reverse("service:detail", args=[complaint.pk])


def _notify(recipients: list[User], complaint: Complaint, by: User | None, *, title: Any, body: Any) -> None:
    from gendan.core.notifications import notify_in_their_language

    people = [u for u in recipients if u is not None and u.is_active and (by is None or u.pk != by.pk)]
    if people:
        notify_in_their_language(recipients=people, title=title, body=body, url=_url(complaint), actor=by)


@transaction.atomic
def route_complaint(
    *,
    complaint: Complaint,
    by: User,
    responsible: Any,
    department: Any = None,
    due_date: Any = None,
    comment: str = "",
    version: int | None = None,
) -> Complaint:
    """Hand the complaint to a responsible person (and department: by default the person's) who owes the customer
    an answer by `due_date` (by default the severity's working days from today). A registered complaint becomes
    routed; routing it again hands it to someone else and keeps its status. The person is notified."""
    _ensure(by, "service.change_complaint", _("You may not route complaints."))
    locked = _lock(complaint)
    check_version(locked, version)
    _check(locked, "route")
    errors: dict[str, str] = {}
    person = _user(
        responsible,
        "responsible",
        errors,
        perm="service.change_complaint",
        cannot=_("%(name)s cannot work on complaints."),
    )
    if person is None and "responsible" not in errors:
        errors["responsible"] = _("Choose the person responsible.")
    dept = None
    if department not in (None, ""):
        if isinstance(department, Department):
            dept = department
        else:
            key = _id(department)
            dept = (
                Department.objects.filter(pk=key).first()
                if key and key > 0
                else Department.objects.filter(code=str(department)).first()
            )
        if dept is None:
            errors["department"] = _("There is no department %(d)s.") % {"d": department}
    elif person is not None:
        dept = person.department
    if dept is None and "department" not in errors and "responsible" not in errors:
        errors["department"] = _("Choose the responsible department.")
    today = clock.today()
    due = _date(due_date, "due_date", errors)
    if due is None and "due_date" not in errors:
        due = company_calendar().add(today, answer_days(locked.severity))
    if due is not None and due < today and due != locked.due_date:
        errors["due_date"] = _("The answer cannot be due in the past.")
    if errors:
        raise ValidationError(errors)
    if (
        locked.status != ComplaintStatus.REGISTERED
        and person == locked.responsible
        and dept == locked.department
        and due == locked.due_date
    ):
        return locked
    handed_over = person != locked.responsible
    _move(
        locked,
        "route",
        by=by,
        message=_text(comment, 1000),
        # routing again hands it over and keeps the investigation going
        to_status=ComplaintStatus.ROUTED if locked.status == ComplaintStatus.REGISTERED else locked.status,
        responsible=person,
        department=dept,
        due_date=due,
        routed_date=locked.routed_date or today,
    )
    if handed_over:
        _notify(
            [person],
            locked,
            by,
            title=lambda: (
                _("Complaint %(number)s from %(customer)s: answer due %(due)s")
                % {"number": locked.number, "customer": locked.customer.code, "due": due.isoformat()}
            ),
            body=lambda: "\n".join(p for p in (locked.title, _text(comment, 1000)) if p),
        )
    return locked


@transaction.atomic
def start_investigation(*, complaint: Complaint, by: User, comment: str = "", version: int | None = None) -> Complaint:
    """The responsible person starts on it: routed → investigating."""
    _ensure(by, "service.change_complaint", _("You may not work on complaints."))
    locked = _lock(complaint)
    check_version(locked, version)
    _move(locked, "investigate", by=by, message=_text(comment, 1000))
    return locked


def _investigating(locked: Complaint, by: User) -> None:
    """Writing the investigation or adding an action to a routed complaint starts the investigation."""
    if locked.status == ComplaintStatus.ROUTED:
        _move(locked, "investigate", by=by)


@transaction.atomic
def save_investigation(
    *, complaint: Complaint, by: User, root_cause: Any = None, cause_detail: Any = None, version: int | None = None
) -> Complaint:
    """The root cause: a category of the maintained list (by code or id) and the analysis in free text (5 whys,
    what the inspection missed...). A routed complaint moves to investigating."""
    _ensure(by, "service.change_complaint", _("You may not work on complaints."))
    locked = _lock(complaint)
    check_version(locked, version)
    if locked.status not in INVESTIGATION_STATUSES:
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s: its investigation is written while it is routed or under investigation.")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    errors: dict[str, str] = {}
    cause = locked.root_cause
    if root_cause is not None:
        cause = _root_cause(root_cause, errors, current=locked.root_cause)
    detail = locked.cause_detail if cause_detail is None else _text(cause_detail, 10000)
    if errors:
        raise ValidationError(errors)
    changes = {}
    if cause != locked.root_cause:
        changes["root_cause"] = [str(locked.root_cause) if locked.root_cause else None, str(cause) if cause else None]
    if detail != locked.cause_detail:
        changes["cause_detail"] = [locked.cause_detail, detail]
    if not changes:
        return locked
    _investigating(locked, by)
    locked.root_cause, locked.cause_detail = cause, detail
    locked.version += 1
    locked.save()
    audit.record(instance=locked, action=AuditAction.UPDATE, by=by, changes=changes)
    return locked


def _root_cause(value: Any, errors: dict[str, str], *, current: RootCause | None) -> RootCause | None:
    if value in ("", None):
        return None
    if isinstance(value, RootCause):
        found: RootCause | None = value
    else:
        key = _id(value)
        found = (
            RootCause.objects.filter(pk=key).first()
            if key and key > 0
            else RootCause.objects.filter(code=str(value).strip()).first()
        )
    if found is None:
        errors["root_cause"] = _("There is no root-cause category %(c)s.") % {"c": value}
        return None
    if not found.is_active and found != current:
        errors["root_cause"] = _("%(code)s is no longer used.") % {"code": found.code}
        return None
    return found


# ---- actions -----------------------------------------------------------------------------------------------------


def _clean_action(data: dict[str, Any], *, action: ComplaintAction | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    current = {name: getattr(action, name) for name in ACTION_FIELDS} if action else {}
    kind = current.get("kind")
    if "kind" in data or action is None:
        kind = _choice(data.get("kind"), ActionKind, "kind", errors)
    description = _text(data.get("description"), 5000) if "description" in data else current.get("description", "")
    if not description:
        errors["description"] = _("Say what is to be done.")
    owner = current.get("owner")
    if "owner" in data or action is None:
        owner = _user(
            data.get("owner"),
            "owner",
            errors,
            perm="service.change_complaintaction",
            cannot=_("%(name)s cannot take complaint actions."),
        )
        if owner is None and "owner" not in errors:
            errors["owner"] = _("Choose who does it.")
    due = current.get("due_date")
    if "due_date" in data or action is None:
        due = _date(data.get("due_date"), "due_date", errors)
        if due is None and "due_date" not in errors:
            errors["due_date"] = _("Say by when it is due.")
        elif due is not None and due < clock.today() and due != current.get("due_date"):
            errors["due_date"] = _("An action cannot be due in the past.")
    if errors:
        raise ValidationError(errors)
    return {"kind": kind, "description": description, "owner": owner, "due_date": due}


def _notify_action(action: ComplaintAction, complaint: Complaint, by: User) -> None:
    _notify(
        [action.owner],
        complaint,
        by,
        title=lambda: (
            _("%(kind)s action on complaint %(number)s, due %(due)s")
            % {"kind": action.get_kind_display(), "number": complaint.number, "due": action.due_date.isoformat()}
        ),
        body=lambda: action.description,
    )


@transaction.atomic
def add_action(*, complaint: Complaint, by: User, data: dict[str, Any]) -> ComplaintAction:
    """A containment, corrective or preventive action with its owner (notified) and due date. A routed complaint
    moves to investigating."""
    _ensure(by, "service.add_complaintaction", _("You may not add complaint actions."))
    locked = _lock(complaint)
    if locked.status not in ACTION_STATUSES:
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s: actions are added once it is routed and until it is closed.")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    clean = _clean_action(data, action=None)
    _investigating(locked, by)
    position = (locked.actions.aggregate(n=Max("position"))["n"] or 0) + 1
    action = ComplaintAction.objects.create(complaint=locked, position=position, **clean)
    audit.record_create(instance=action, by=by, fields=ACTION_FIELDS, related=locked)
    _notify_action(action, locked, by)
    return action


def _lock_action(action: ComplaintAction) -> tuple[ComplaintAction, Complaint]:
    complaint = _lock(action.complaint)
    locked = ComplaintAction.objects.select_for_update(of=("self",)).select_related("owner").get(pk=action.pk)
    locked.complaint = complaint
    return locked, complaint


@transaction.atomic
def update_action(
    *, action: ComplaintAction, by: User, data: dict[str, Any], version: int | None = None
) -> ComplaintAction:
    """Change an open action (what, who, by when); a new owner is notified."""
    _ensure(by, "service.change_complaintaction", _("You may not change complaint actions."))
    locked, complaint = _lock_action(action)
    check_version(locked, version)
    if complaint.status not in ACTION_STATUSES:
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s: its actions are kept.")
            % {"number": complaint.number, "status": complaint.get_status_display()}
        )
    if locked.done_date is not None:
        raise TransitionNotAllowed(_("This action was done on %(date)s.") % {"date": locked.done_date.isoformat()})
    clean = _clean_action(data, action=locked)
    before = audit.snapshot(locked, ACTION_FIELDS)
    old_owner = locked.owner_id
    for name, value in clean.items():
        setattr(locked, name, value)
    changes = audit.diff(before, audit.snapshot(locked, ACTION_FIELDS))
    if not changes:
        return locked
    locked.version += 1
    locked.save()
    audit.record(instance=locked, action=AuditAction.UPDATE, by=by, changes=changes, related=complaint)
    if locked.owner_id != old_owner:
        _notify_action(locked, complaint, by)
    return locked


@transaction.atomic
def complete_action(
    *, action: ComplaintAction, by: User, result: str = "", day: Any = None, version: int | None = None
) -> ComplaintAction:
    """The action is done (on `day`, default today) with its result; it leaves the owner's chase list."""
    _ensure(by, "service.change_complaintaction", _("You may not change complaint actions."))
    locked, complaint = _lock_action(action)
    check_version(locked, version)
    if complaint.status not in ACTION_STATUSES:
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s: its actions are kept.")
            % {"number": complaint.number, "status": complaint.get_status_display()}
        )
    if locked.done_date is not None:
        raise TransitionNotAllowed(_("This action was done on %(date)s.") % {"date": locked.done_date.isoformat()})
    errors: dict[str, str] = {}
    done = _date(day, "done_date", errors) or (clock.today() if not errors else None)
    if done is not None and done > clock.today():
        errors["done_date"] = _("An action cannot be done in the future.")
    text = _text(result, 5000)
    if not text:
        errors["result"] = _("Say what was done and what it gave.")
    if errors:
        raise ValidationError(errors)
    locked.done_date, locked.result = done, text
    locked.version += 1
    locked.save()
    audit.record(
        instance=locked,
        action=AuditAction.UPDATE,
        by=by,
        changes={"done_date": [None, done], "result": ["", text]},
        related=complaint,
    )
    return locked


# ---- answer, verification, settlement, rejection ------------------------------------------------------------------


@transaction.atomic
def answer_complaint(
    *,
    complaint: Complaint,
    by: User,
    answer_text: str = "",
    settlement_offer: str = "",
    language: str = "",
    version: int | None = None,
) -> Complaint:
    """The answer to the customer is ready: investigating → answered. It needs the root cause (category and
    analysis) and at least one corrective action; the 8D-style PDF is then made in `language` (en or zh)."""
    _ensure(by, "service.change_complaint", _("You may not answer complaints."))
    locked = _lock(complaint)
    check_version(locked, version)
    _check(locked, "answer")
    errors: dict[str, str] = {}
    if locked.root_cause_id is None:
        errors["root_cause"] = _("Give the root cause before answering.")
    if not locked.cause_detail.strip():
        errors["cause_detail"] = _("Write the root-cause analysis before answering.")
    if not locked.actions.filter(kind__in=(ActionKind.CORRECTIVE, ActionKind.PREVENTIVE)).exists():
        errors["actions"] = _("Add at least one corrective action before answering.")
    lang = str(language or locked.answer_language or AnswerLanguage.EN)
    if lang not in AnswerLanguage.values:
        errors["language"] = _("Choose en or zh.")
    if errors:
        raise ValidationError(errors)
    _move(
        locked,
        "answer",
        by=by,
        answer_text=_text(answer_text, 10000),
        settlement_offer=_text(settlement_offer, 5000),
        answer_language=lang,
        answered_date=clock.today(),
    )
    return locked


def parse_addresses(to: Any) -> list[str]:
    from django.core.exceptions import ValidationError as DjangoInvalid
    from django.core.validators import validate_email

    if isinstance(to, str):
        to = [part for chunk in to.split(",") for part in chunk.split(";")]
    addresses = [str(a).strip() for a in (to or []) if a and str(a).strip()]
    if not addresses:
        raise ValidationError({"to": _("Give at least one e-mail address.")})
    for address in addresses:
        try:
            validate_email(address)
        except DjangoInvalid:
            raise ValidationError({"to": _("%(address)s is not an e-mail address.") % {"address": address}}) from None
    return addresses


def send_answer(*, complaint: Complaint, by: User, to: Any, language: str = "", message: str = "") -> Complaint:
    """E-mail the answer (the 8D PDF in `language`, default the answer's) to the customer's addresses; audited."""
    from django.core.mail import EmailMessage

    from gendan.service.documents import answer_pdf

    _ensure(by, "service.change_complaint", _("You may not send answers to customers."))
    addresses = parse_addresses(to)
    lang = str(language or complaint.answer_language or AnswerLanguage.EN)
    if lang not in AnswerLanguage.values:
        raise ValidationError({"language": _("Choose en or zh.")})
    if complaint.status not in (ComplaintStatus.ANSWERED, ComplaintStatus.VERIFIED, ComplaintStatus.CLOSED):
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s: record the answer first.")
            % {"number": complaint.number, "status": complaint.get_status_display()}
        )
    pdf = answer_pdf(complaint, lang)  # made before the transaction: WeasyPrint takes a while and holds no lock
    with transaction.atomic():
        locked = _lock(complaint)
        subject = (
            f"{locked.number} — 客户投诉答复 / {locked.title}"
            if lang == AnswerLanguage.ZH
            else f"{locked.number} — Answer to your complaint: {locked.title}"
        )
        if locked.customer_reference:
            subject += f" ({locked.customer_reference})"
        mail = EmailMessage(
            subject=subject[:250],
            body=_text(message, 10000) or locked.answer_text or subject,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=addresses,
        )
        mail.attach(f"{locked.number}-8D-{lang}.pdf", pdf, "application/pdf")
        mail.send()
        sent_at = clock.now()
        sent_to = ", ".join(addresses)[:500]
        audit.record(
            instance=locked,
            action=AuditAction.UPDATE,
            by=by,
            changes={"answer_sent_to": [locked.answer_sent_to or None, sent_to]},
            message=_("Answer (%(lang)s) sent to %(to)s") % {"lang": lang, "to": sent_to},
        )
        locked.answer_sent_at, locked.answer_sent_to = sent_at, sent_to
        locked.save(update_fields=["answer_sent_at", "answer_sent_to", "updated_at"])
    return locked


@transaction.atomic
def verify_complaint(
    *,
    complaint: Complaint,
    by: User,
    accepted: bool,
    comment: str = "",
    day: Any = None,
    version: int | None = None,
) -> Complaint:
    """The customer's verification of the answer: accepted → verified; not accepted (say why) → back to
    investigating, and the responsible person is told."""
    _ensure(by, "service.change_complaint", _("You may not record the customer's verification."))
    locked = _lock(complaint)
    check_version(locked, version)
    _check(locked, "verify" if accepted else "not_accepted")
    errors: dict[str, str] = {}
    when = _date(day, "date", errors) or (clock.today() if not errors else None)
    if when is not None and when > clock.today():
        errors["date"] = _("The customer cannot verify in the future.")
    elif when is not None and locked.answered_date and when < locked.answered_date:
        errors["date"] = _("The customer cannot verify before the answer (%(date)s).") % {
            "date": locked.answered_date.isoformat()
        }
    note = _text(comment, 5000)
    if not accepted and not note:
        errors["comment"] = _("Say why the customer does not accept the answer.")
    if errors:
        raise ValidationError(errors)
    if accepted:
        _move(locked, "verify", by=by, message=note, verified_date=when, verification_note=note)
        return locked
    _move(
        locked,
        "not_accepted",
        by=by,
        message=note,
        verification_note=note,
        not_accepted_count=locked.not_accepted_count + 1,
    )
    _notify(
        [locked.responsible, locked.owner],
        locked,
        by,
        title=lambda: (
            _("%(customer)s does not accept the answer to complaint %(number)s")
            % {"customer": locked.customer.code, "number": locked.number}
        ),
        body=lambda: note,
    )
    return locked


# ---- the replacement order (补货订单) ---------------------------------------------------------------------------


def replacement_lead_days() -> int:
    """Days from closing to the replacement order's ex-factory date when the complaint has no order to copy the lead
    time from (GENDAN_REPLACEMENT_LEAD_DAYS)."""
    return int(getattr(settings, "GENDAN_REPLACEMENT_LEAD_DAYS", REPLACEMENT_LEAD_DAYS))


def spread_replacement(qty: Decimal, quantities: list[Decimal]) -> list[Decimal]:
    """The replacement quantity shared between the complained products (`quantities`: each one's quantity affected).

    One product takes all of it. Several share it in proportion to their quantities affected (so replacing all that
    was affected gives each its own quantity back), in whole units when every quantity is whole, else to 0.001; the
    units left by the rounding go to the largest remainders (the first product on a tie), so the parts always add up
    to `qty`."""
    if not quantities:
        return []
    if len(quantities) == 1:
        return [qty]
    total = sum(quantities, Decimal(0))
    whole = all(q == q.to_integral_value() for q in (qty, *quantities))
    step = Decimal(1) if whole else Decimal("0.001")
    units = int((qty / step).to_integral_value(rounding=ROUND_FLOOR))
    exact = [Decimal(units) * q / total for q in quantities]
    floors = [int(e.to_integral_value(rounding=ROUND_FLOOR)) for e in exact]
    left = units - sum(floors)
    order = sorted(range(len(quantities)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [(Decimal(n) * step).quantize(step) for n in floors]


def _replacement_rows(locked: Complaint, qty: Decimal) -> list[dict[str, Any]] | None:
    """The replacement order's lines: the complaint's products (or the order's only product when the complaint names
    none) with their share of `qty`; None when there is no product to replace."""
    lines = list(locked.lines.select_related("product", "order_line").order_by("position"))
    if lines:
        sources = [(ln.product, ln.order_line, ln.quantity) for ln in lines]
    elif locked.order_id is not None:
        order_lines = list(locked.order.lines.select_related("product")[:2])
        if len(order_lines) != 1:
            return None
        sources = [(order_lines[0].product, order_lines[0], order_lines[0].quantity)]
    else:
        return None
    parts = spread_replacement(qty, [quantity for _p, _ol, quantity in sources])
    return [
        {"product": product, "order_line": order_line, "quantity": part}
        for (product, order_line, _q), part in zip(sources, parts, strict=True)
        if part > 0
    ]


def _replacement_value(locked: Complaint, rows: list[dict[str, Any]]) -> Decimal | None:
    """The replacement's value at the order's prices of the complained products (None when it cannot be known)."""
    if locked.order_id is None or locked.order.currency != locked.currency or not rows:
        return None
    if any(row["order_line"] is None for row in rows):
        return None
    return round_money(
        sum((row["quantity"] * row["order_line"].unit_price for row in rows), Decimal(0)), locked.currency
    )


def _replacement_merchandiser(locked: Complaint) -> User | None:
    """Who follows the replacement order: the complaint's owner, else the complained order's merchandiser (one who
    may edit orders); None lets the order service choose."""
    for user in (locked.owner, locked.order.merchandiser if locked.order_id else None):
        if user is not None and user.is_active and user.has_perm("sales.change_order"):
            return user
    return None


def _make_replacement_order(locked: Complaint, rows: list[dict[str, Any]], *, by: User) -> Order:
    """The replacement order, made through the order service as a user's new order would be: a draft for the
    complaint's customer, one line per product at unit price 0 (free of charge) in the complaint's currency, the
    complained order's terms, ship-to and requirements, its lead time from today, high priority, the customer's
    complaint reference as PO, and "Replacement for complaint CP-…" in the remarks. Its errors become the
    complaint's (nothing is written)."""
    from gendan.sales.choices import Priority
    from gendan.sales.services import create_order

    if not by.has_perm("sales.add_order"):
        raise PermissionDenied(
            _("Closing with a replacement makes a replacement order: your role lacks the permission %(perm)s.")
            % {"perm": "sales.add_order"}
        )
    source = locked.order
    today = clock.today()
    lead = (source.ex_factory_date - source.order_date).days if source is not None else 0
    fields: dict[str, Any] = {
        "currency": locked.currency,
        "ex_factory_date": today + dt.timedelta(days=lead if lead > 0 else replacement_lead_days()),
        "customer_po": locked.customer_reference[:60],
        "priority": Priority.HIGH,
        "remarks": _("Replacement for complaint %(number)s: %(title)s")
        % {"number": locked.number, "title": locked.title},
    }
    if source is not None:
        fields.update(
            incoterm=source.incoterm,
            incoterm_place=source.incoterm_place,
            payment_terms=source.payment_terms,
            ship_to=source.ship_to,
            quality_requirements=source.quality_requirements,
            packaging_requirements=source.packaging_requirements,
        )
    merchandiser = _replacement_merchandiser(locked)
    if merchandiser is not None:
        fields["merchandiser"] = merchandiser
    lines = [
        {
            "product": row["product"],
            "quantity": row["quantity"],
            "unit_price": Decimal(0),
            "packaging_note": row["order_line"].packaging_note if row["order_line"] is not None else "",
        }
        for row in rows
    ]
    try:
        order = create_order(by=by, customer=locked.customer, lines=lines, **fields)
    except ValidationError as exc:
        problems = "; ".join(dict.fromkeys(m for messages in exc.errors.values() for m in messages))
        raise ValidationError(
            {"replacement_qty": _("The replacement order cannot be made: %(problems)s") % {"problems": problems}}
        ) from exc
    if order.merchandiser_id != by.pk:
        from gendan.core.notifications import notify_in_their_language
        from gendan.sales.services import order_url

        number, complaint_number = order.number, locked.number
        notify_in_their_language(
            recipients=[order.merchandiser],
            title=lambda: (
                _("Replacement order %(order)s for complaint %(number)s is yours to follow")
                % {"order": number, "number": complaint_number}
            ),
            body=lambda: _("A draft, free of charge: check its lines and date, then submit it for review."),
            url=order_url(order),
            actor=by,
        )
    return order


@transaction.atomic
def close_complaint(
    *,
    complaint: Complaint,
    by: User,
    credit_amount: Any = 0,
    replacement_qty: Any = 0,
    replacement_value: Any = None,
    discount_pct: Any = 0,
    note: str = "",
    version: int | None = None,
) -> Complaint:
    """Close a verified complaint with the agreed settlement: a credit note amount (issued in finance now, in the
    complaint's currency), a replacement quantity and its value (default: at the order's prices), a discount % on the
    customer's next order (it appears in that order's contract review), or none. Every action must be done. A
    settlement is agreed by a manager (`service.settle_complaint`); closing without one is anyone's who works on it.

    A replacement makes the replacement order (补货订单) through the order service: a free-of-charge draft of the
    complained products, the quantity shared between them by `spread_replacement`, linked both ways. If the order
    (or the credit note) cannot be made, the complaint stays open and nothing is written."""
    _ensure(by, "service.change_complaint", _("You may not close complaints."))
    locked = _lock(complaint)
    check_version(locked, version)
    _check(locked, "close")
    errors: dict[str, str] = {}
    currency = locked.currency
    credit = _decimal(
        credit_amount if credit_amount not in (None, "") else 0,
        "credit_amount",
        errors,
        decimals=places(currency),
        positive=False,
        max_digits=16,
    )
    qty = _decimal(
        replacement_qty if replacement_qty not in (None, "") else 0,
        "replacement_qty",
        errors,
        decimals=3,
        positive=False,
        max_digits=14,
    )
    rows: list[dict[str, Any]] = []
    if qty:
        rows = _replacement_rows(locked, qty) or []
        if not rows:
            errors["replacement_qty"] = _(
                "%(number)s names no product: the replacement order needs the products to replace."
            ) % {"number": locked.number}
    value: Decimal | None = Decimal(0)
    if replacement_value not in (None, ""):
        value = _decimal(
            replacement_value, "replacement_value", errors, decimals=places(currency), positive=False, max_digits=16
        )
    elif qty:
        value = _replacement_value(locked, rows)
        if value is None:
            errors["replacement_value"] = _("Give the replacement's value in %(currency)s.") % {"currency": currency}
    discount = _decimal(
        discount_pct if discount_pct not in (None, "") else 0,
        "discount_pct",
        errors,
        decimals=2,
        positive=False,
        max_digits=5,
    )
    if discount is not None and discount >= 100:
        errors["discount_pct"] = _("A discount is less than 100 %.")
    if credit and locked.claim_amount and credit > locked.claim_amount:
        errors["credit_amount"] = _("More than the %(amount)s %(currency)s the customer claimed.") % {
            "amount": f"{locked.claim_amount:f}",
            "currency": currency,
        }
    open_actions = list(locked.actions.filter(done_date__isnull=True).order_by("position"))
    if open_actions:
        errors["actions"] = _("Actions still open: %(list)s. Complete them first.") % {
            "list": ", ".join(f"#{a.position} {a.get_kind_display()}" for a in open_actions)
        }
    if errors:
        raise ValidationError(errors)
    if (credit or qty or discount) and not by.has_perm(SETTLE_PERM):
        raise PermissionDenied(
            _("A settlement (credit note, replacement or discount) is agreed by a manager: you may close it without.")
        )
    fields: dict[str, Any] = {
        "closed_date": clock.today(),
        "credit_amount": credit,
        "replacement_qty": qty,
        "replacement_value": value or Decimal(0),
        "discount_pct": discount,
        "settlement_note": _text(note, 5000),
    }
    if qty and locked.replacement_order_id is None:  # made once: a closed complaint cannot be closed again
        fields["replacement_order"] = _make_replacement_order(locked, rows, by=by)
    if credit:
        from gendan.finance.credit_notes import issue_credit_note

        credit_note = issue_credit_note(
            customer=locked.customer,
            currency=currency,
            amount=credit,
            reason=_("Complaint %(number)s: %(title)s") % {"number": locked.number, "title": locked.title},
            order=locked.order,
            reference=locked.number,
            by=by,
            checked=True,  # the settlement's permission is checked above
        )
        fields["credit_note_id"] = credit_note.pk
        fields["credit_note_number"] = str(credit_note.number)
    _move(locked, "close", by=by, message=_text(note, 1000), **fields)
    return locked


@transaction.atomic
def reject_complaint(*, complaint: Complaint, by: User, reason: str, version: int | None = None) -> Complaint:
    """The complaint does not stand (the goods were right, the customer's use, out of warranty...): closed as
    rejected with the reason, from registered, routed or investigating. Open actions are left as they are."""
    _ensure(by, "service.change_complaint", _("You may not reject complaints."))
    locked = _lock(complaint)
    check_version(locked, version)
    _check(locked, "reject")
    text = _text(reason, 5000)
    if not text:
        raise ValidationError({"reason": _("Say why the complaint does not stand.")})
    _move(locked, "reject", by=by, message=text, reject_reason=text, rejected_date=clock.today())
    return locked


# ---- the discount on the next order (a contract review note) -------------------------------------------------------


def discount_note(order: Any) -> str:
    """The price item's note in an order's contract review: the discounts complaints of its customer agreed on "the
    next order". The first order submitted for review after the agreement takes it (it is recorded on the
    complaint, so a second review round of the same order shows it again and later orders do not). A replacement
    order is not "the next order": it takes no discount."""
    if Complaint.objects.filter(replacement_order_id=order.pk).exists():
        return ""
    pending = list(
        Complaint.objects.filter(customer_id=order.customer_id, status=ComplaintStatus.CLOSED, discount_pct__gt=0)
        .exclude(order_id=order.pk)
        .filter(Q(discount_order__isnull=True) | Q(discount_order_id=order.pk))
        .order_by("closed_date", "pk")
    )
    lines = []
    for c in pending:
        if c.discount_order_id is None:
            Complaint.objects.filter(pk=c.pk, discount_order__isnull=True).update(discount_order=order)
            audit.record(
                instance=c,
                action=AuditAction.UPDATE,
                by=None,
                changes={"discount_order": [None, order.number]},
                message=_("Discount taken by order %(order)s") % {"order": order.number},
            )
        lines.append(
            _("Complaint %(number)s agreed a %(pct)s %% discount on this order.")
            % {"number": c.number, "pct": f"{c.discount_pct.normalize():f}"}
        )
    return "\n".join(lines)


def replacement_note(order: Any) -> str:
    """The price item's note in a replacement order's contract review: why its lines are free of charge."""
    number = Complaint.objects.filter(replacement_order_id=order.pk).values_list("number", flat=True).first()
    if number is None:
        return ""
    return _("Replacement for complaint %(number)s: free of charge, agreed in its settlement.") % {"number": number}


# ---- the root-cause categories -------------------------------------------------------------------------------------


@transaction.atomic
def save_root_cause(*, by: User, data: dict[str, Any], cause: RootCause | None = None) -> RootCause:
    """Add or change a category of the root-cause list (its code stays once made: the reports group on it)."""
    _ensure(
        by,
        "service.add_rootcause" if cause is None else "service.change_rootcause",
        _("You may not maintain the root-cause list."),
    )
    errors: dict[str, str] = {}
    code = cause.code if cause is not None else _text(data.get("code"), 30).lower()
    if cause is None:
        from django.utils.text import slugify

        if not code or slugify(code).replace("-", "_") != code:
            errors["code"] = _("Give a short code of lower-case letters, digits and _.")
        elif RootCause.objects.filter(code=code).exists():
            errors["code"] = _("%(code)s exists already.") % {"code": code}
    elif "code" in data and _text(data.get("code"), 30) not in ("", cause.code):
        errors["code"] = _("A category's code is kept.")
    names = {
        key: _text(data.get(key), 100) if key in data else (getattr(cause, key) if cause else "")
        for key in ("name_zh", "name_en")
    }
    if not names["name_zh"] and not names["name_en"]:
        errors["name_zh"] = _("Name the category.")
    position = cause.position if cause else (RootCause.objects.aggregate(n=Max("position"))["n"] or 0) + 10
    if "position" in data and data.get("position") not in (None, ""):
        value = _id(data.get("position"))
        if value is None or value < 0 or value > 32767:
            errors["position"] = _("Give a position from 0 to 32767.")
        else:
            position = value
    if errors:
        raise ValidationError(errors)
    target = cause or RootCause(code=code)
    fields = ["name_zh", "name_en", "position", "is_active"]
    before = audit.snapshot(target, fields) if cause else {}
    target.name_zh = names["name_zh"] or names["name_en"]
    target.name_en = names["name_en"] or names["name_zh"]
    target.position = position
    if "is_active" in data:
        target.is_active = bool(data.get("is_active"))
    target.save()
    if cause is None:
        audit.record_create(instance=target, by=by, fields=["code", *fields])
    else:
        changes = audit.diff(before, audit.snapshot(target, fields))
        if changes:
            audit.record(instance=target, action=AuditAction.UPDATE, by=by, changes=changes)
    return target


def ensure_default_causes() -> int:
    """Create the default categories that are missing (a new database, the demo, the tests); returns how many."""
    existing = set(RootCause.objects.values_list("code", flat=True))
    rows = [
        RootCause(code=code, name_zh=zh, name_en=en, position=10 * n)
        for n, (code, zh, en) in enumerate(DEFAULT_CAUSES, start=1)
        if code not in existing
    ]
    RootCause.objects.bulk_create(rows)
    return len(rows)
