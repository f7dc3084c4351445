"""Quality services: inspections (验货) planned, booked, inspected with AQL sampling, disposed of; their report
sent to the customer; the defect catalogue and each customer's defaults.

The sampling plan of an inspection follows from its lot size, inspection level and the AQL of each defect class
(ISO 2859-1, `gendan.quality.aql`). The result is computed when the findings are recorded: a class fails when the
defects found in it reach its rejection number; the lot fails when a class fails or a check (carton marks, packing,
labels, quantity counted, a measurement) does not conform. A final inspection that passes records the actual of the
order's final-inspection milestone; one that fails moves the milestone's forecast to the re-inspection date (a
couple of working days out until a re-inspection is planned), so the order shows on the risk board with the reason.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils.translation import gettext as _

from gendan.catalog.models import Product
from gendan.core import audit, clock
from gendan.core.choices import AuditAction
from gendan.core.editing import check_version
from gendan.core.exceptions import NotFound, PermissionDenied, TransitionNotAllowed, ValidationError
from gendan.core.models import User
from gendan.core.numbering import next_number
from gendan.core.services import ensure_can
from gendan.partners.choices import SupplierKind
from gendan.partners.models import Supplier
from gendan.quality import aql
from gendan.quality.choices import (
    DEFAULT_AQLS,
    DEFAULT_LEVEL,
    OPEN_STATUSES,
    CheckKind,
    DefectClass,
    Disposition,
    InspectionKind,
    InspectionStatus,
    Result,
)
from gendan.quality.models import DefectType, Inspection, InspectionCheck, InspectionDefect, QualityDefaults
from gendan.sales.choices import OrderStatus
from gendan.sales.models import Order, OrderLine

PREFIX = "QI"
FINAL_CODE = "FI"  # the order's final-inspection milestone (尾期检验)
REINSPECT_DAYS = 2  # working days a failed lot needs before a re-inspection, until one is planned
INSPECTABLE = (OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION, OrderStatus.READY_TO_SHIP)
AQL_FIELDS = {"critical": "aql_critical", "major": "aql_major", "minor": "aql_minor"}
EDITABLE = ("lot_size", "level", "aql_critical", "aql_major", "aql_minor", "planned_date", "certificate_no", "notes")


# ---- the sampling plan ------------------------------------------------------------------------------------------


def defaults_for(customer_id: int) -> tuple[str, dict[str, Decimal]]:
    """A customer's inspection level and AQL per class, else the house defaults (II, 0 / 2.5 / 4.0)."""
    found = QualityDefaults.objects.filter(customer_id=customer_id).first()
    if found is None:
        return str(DEFAULT_LEVEL), {str(k): v for k, v in DEFAULT_AQLS.items()}
    return found.level, {"critical": found.aql_critical, "major": found.aql_major, "minor": found.aql_minor}


def sampling_plan(lot_size: Any, level: Any, aqls: dict[str, Any]) -> dict[str, aql.SamplingPlan]:
    """The plan of each defect class; bad input is a ValidationError naming the field."""
    try:
        return aql.plan_for_classes(lot_size, aql.parse_level(level), {k: aql.parse_aql(v) for k, v in aqls.items()})
    except aql.AqlError as exc:
        field = exc.field
        if field == "aql":
            bad = next((k for k, v in aqls.items() if not _is_aql(v)), "major")
            field = AQL_FIELDS.get(bad, "aql_major")
        raise ValidationError({field: str(exc)}) from None


def _is_aql(value: Any) -> bool:
    try:
        aql.parse_aql(value)
    except aql.AqlError:
        return False
    return True


def plan_rows(inspection: Inspection) -> dict[str, Any]:
    """The code letter and each class's sample size, Ac and Re: as inspected when done, else as planned now."""
    if inspection.results:
        return inspection.results
    plans = sampling_plan(inspection.lot_size, inspection.level, inspection.aqls)
    return _plan_dict(inspection, plans, found=None)


def _plan_dict(inspection: Inspection, plans: dict[str, aql.SamplingPlan], found: dict[str, int] | None) -> dict:
    classes = {}
    for name, p in plans.items():
        row: dict[str, Any] = {
            "aql": f"{Decimal(inspection.aqls[name]).normalize():f}",
            "plan_letter": p.plan_letter,
            "sample_size": p.sample_size,
            "accept": p.accept,
            "reject": p.reject,
            "full_inspection": p.full_inspection,
        }
        if found is not None:
            row["found"] = found.get(name, 0)
            row["result"] = Result.FAIL.value if aql.is_fail(row["found"], p) else Result.PASS.value
        classes[name] = row
    letter = next(iter(plans.values())).code_letter if plans else ""
    return {"code_letter": letter, "classes": classes}


# ---- planning and booking ---------------------------------------------------------------------------------------


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: _("Enter a date (YYYY-MM-DD).")}) from None


def _int(value: Any, field: str, *, minimum: int = 1) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a whole number.")}) from None
    if number < minimum:
        raise ValidationError({field: _("Enter %(n)s or more.") % {"n": minimum}})
    return number


def _supplier(value: Any, field: str, *, kind: str | None = None) -> Supplier | None:
    if value in (None, ""):
        return None
    found = Supplier.objects.filter(pk=value).first() if str(value).isdigit() else None
    found = found or Supplier.objects.filter(code=str(value)).first()
    if found is None:
        raise ValidationError({field: _("There is no supplier %(value)s.") % {"value": value}})
    if kind and found.kind != kind:
        raise ValidationError({field: _("%(code)s is not an inspection agency.") % {"code": found.code}})
    return found


def _user(value: Any, field: str) -> User | None:
    if value in (None, ""):
        return None
    found = User.objects.filter(pk=value, is_active=True).first() if str(value).isdigit() else None
    found = found or User.objects.filter(username=str(value), is_active=True).first()
    if found is None:
        raise ValidationError({field: _("There is no active user %(value)s.") % {"value": value}})
    return found


def milestone_date(order_id: int, code: str = FINAL_CODE) -> dt.date | None:
    """When the order's milestone is due by its forecast (or plan): the final inspection's default date."""
    from gendan.followup.models import Milestone

    found = Milestone.objects.filter(order_id=order_id, code=code).values("forecast_date", "planned_date").first()
    return (found["forecast_date"] or found["planned_date"]) if found else None


@transaction.atomic
def plan_inspection(*, by: User, data: dict[str, Any]) -> Inspection:
    """Plan an inspection of an order's lot: the kind, the lot (an order line, its product and quantity by default;
    else the order's whole quantity), who made it, the level and AQLs (the customer's defaults), the date (the
    order's final-inspection milestone for a final inspection), the inspector; a third party's agency."""
    ensure_can(by, "quality.add_inspection", _("You may not plan inspections."))
    order = data.get("order") or Order.objects.filter(pk=data.get("order_id") or 0).select_related("customer").first()
    if order is None:
        raise ValidationError({"order_id": _("Choose the order whose lot is inspected.")})
    if order.status not in INSPECTABLE:
        raise ValidationError(
            {
                "order_id": _("Order %(number)s is %(status)s: only a confirmed order in progress is inspected.")
                % {"number": order.number, "status": order.get_status_display()}
            }
        )
    kind = str(data.get("kind") or InspectionKind.FINAL)
    if kind not in InspectionKind.values:
        raise ValidationError({"kind": _("Choose a kind of inspection.")})
    line = None
    if data.get("order_line_id"):
        line = OrderLine.objects.filter(pk=data["order_line_id"], order=order).select_related("product").first()
        if line is None:
            raise ValidationError(
                {"order_line_id": _("That line is not on order %(number)s.") % {"number": order.number}}
            )
    product = line.product if line else None
    if data.get("product_id") and not line:
        product = Product.objects.filter(pk=data["product_id"]).first()
        if product is None:
            raise ValidationError({"product_id": _("There is no such product.")})
    if data.get("lot_size") not in (None, ""):
        lot_size = _int(data["lot_size"], "lot_size")
    else:
        quantity = line.quantity if line else sum(li.quantity for li in order.lines.all())
        lot_size = max(int(quantity.to_integral_value()), 1)
    level, aqls = defaults_for(order.customer_id)
    level = str(data.get("level") or level)
    for name, field in AQL_FIELDS.items():
        if data.get(field) not in (None, ""):
            aqls[name] = data[field]
    sampling_plan(lot_size, level, aqls)  # checked before anything is written
    planned = data.get("planned_date") or (milestone_date(order.pk) if kind == InspectionKind.FINAL else None)
    if not planned:
        raise ValidationError({"planned_date": _("Give the date the lot is inspected.")})
    inspection = Inspection.objects.create(
        number=next_number(PREFIX),
        kind=kind,
        order=order,
        order_line=line,
        product=product,
        factory=_supplier(data.get("factory_id"), "factory_id"),
        agency=_supplier(data.get("agency_id"), "agency_id", kind=SupplierKind.INSPECTION),
        certificate_no=str(data.get("certificate_no") or "")[:60],
        lot_size=lot_size,
        level=aql.parse_level(level),
        aql_critical=aql.parse_aql(aqls["critical"]),
        aql_major=aql.parse_aql(aqls["major"]),
        aql_minor=aql.parse_aql(aqls["minor"]),
        planned_date=_date(planned, "planned_date"),
        inspector=_user(data.get("inspector_id"), "inspector_id"),
        notes=str(data.get("notes") or ""),
        created_by=by,
    )
    audit.record_create(instance=inspection, by=by, fields=["kind", "lot_size", "level", "planned_date"], related=order)
    _notify_inspector(inspection, by)
    return inspection


def _locked(inspection: Inspection, version: int | None = None) -> Inspection:
    locked = (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("order__customer", "product", "factory")
        .get(pk=inspection.pk)
    )
    check_version(locked, version)
    return locked


def _ensure_open(inspection: Inspection) -> None:
    if inspection.status not in OPEN_STATUSES:
        raise TransitionNotAllowed(
            _("%(number)s is %(status)s: only a planned or booked inspection can change.")
            % {"number": inspection.number, "status": inspection.get_status_display()}
        )


@transaction.atomic
def update_inspection(
    *, inspection: Inspection, by: User, data: dict[str, Any], version: int | None = None
) -> Inspection:
    """Change a planned or booked inspection: lot size, level, AQLs, date, inspector, maker, agency, certificate."""
    ensure_can(by, "quality.change_inspection", _("You may not change inspections."))
    locked = _locked(inspection, version)
    _ensure_open(locked)
    before = audit.snapshot(locked, [*EDITABLE, "inspector", "factory", "agency"])
    aqls = dict(locked.aqls)
    for name, field in AQL_FIELDS.items():
        if data.get(field) not in (None, ""):
            aqls[name] = data[field]
    lot_size = _int(data["lot_size"], "lot_size") if data.get("lot_size") not in (None, "") else locked.lot_size
    level = str(data.get("level") or locked.level)
    sampling_plan(lot_size, level, aqls)
    locked.lot_size, locked.level = lot_size, aql.parse_level(level)
    locked.aql_critical, locked.aql_major, locked.aql_minor = (aql.parse_aql(aqls[k]) for k in AQL_FIELDS)
    if data.get("planned_date"):
        locked.planned_date = _date(data["planned_date"], "planned_date")
    if "inspector_id" in data:
        locked.inspector = _user(data["inspector_id"], "inspector_id")
    if "factory_id" in data:
        locked.factory = _supplier(data["factory_id"], "factory_id")
    if "agency_id" in data:
        locked.agency = _supplier(data["agency_id"], "agency_id", kind=SupplierKind.INSPECTION)
    for field in ("certificate_no", "notes"):
        if field in data:
            setattr(locked, field, str(data[field] or ""))
    locked.version += 1
    locked.save()
    changes = audit.diff(before, audit.snapshot(locked, [*EDITABLE, "inspector", "factory", "agency"]))
    if changes:
        audit.record(instance=locked, action=AuditAction.UPDATE, by=by, changes=changes, related=locked.order)
    return locked


@transaction.atomic
def book_inspection(
    *, inspection: Inspection, by: User, date: Any, inspector: Any = None, version: int | None = None
) -> Inspection:
    """Book the inspection for a day (with the factory, or the agency), with its inspector."""
    ensure_can(by, "quality.change_inspection", _("You may not book inspections."))
    locked = _locked(inspection, version)
    _ensure_open(locked)
    day = _date(date, "booked_date")
    if day < clock.today():
        raise ValidationError({"booked_date": _("Book a day from today on.")})
    chosen = _user(inspector, "inspector_id") if inspector not in (None, "") else locked.inspector
    if chosen is None:
        raise ValidationError({"inspector_id": _("Choose the inspector.")})
    was = (locked.status, locked.booked_date)
    locked.status, locked.booked_date, locked.inspector = InspectionStatus.BOOKED, day, chosen
    locked.version += 1
    locked.save()
    audit.record(
        instance=locked,
        action=AuditAction.TRANSITION,
        by=by,
        changes={"status": [was[0], locked.status], "booked_date": [was[1], day], "inspector": [None, chosen.username]},
        related=locked.order,
    )
    _notify_inspector(locked, by)
    return locked


@transaction.atomic
def cancel_inspection(*, inspection: Inspection, by: User, reason: str, version: int | None = None) -> Inspection:
    ensure_can(by, "quality.change_inspection", _("You may not cancel inspections."))
    locked = _locked(inspection, version)
    _ensure_open(locked)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the inspection is cancelled.")})
    was = locked.status
    locked.status = InspectionStatus.CANCELLED
    locked.version += 1
    locked.save()
    audit.record(
        instance=locked,
        action=AuditAction.TRANSITION,
        by=by,
        changes={"status": [was, locked.status]},
        message=reason.strip()[:300],
        related=locked.order,
    )
    return locked


def _notify_inspector(inspection: Inspection, by: User) -> None:
    from django.urls import reverse

    from gendan.core.notifications import notify_in_their_language

    if inspection.inspector is None or inspection.inspector == by:
        return
    day = inspection.booked_date or inspection.planned_date
    notify_in_their_language(
        recipients=[inspection.inspector],
        title=lambda: (
            _("Inspection %(number)s of %(order)s on %(day)s")
            % {"number": inspection.number, "order": inspection.order.number, "day": day.isoformat()}
        ),
        body=lambda: inspection.get_kind_display(),
        url=reverse("quality:inspection", args=[inspection.pk]),
        actor=by,
    )


# ---- findings, result, disposition -------------------------------------------------------------------------------


def _defect_rows(inspection: Inspection, items: list[dict[str, Any]]) -> list[InspectionDefect]:
    category = inspection.product.category if inspection.product_id else ""
    catalogue = {
        d.code.upper(): d
        for d in DefectType.objects.filter(category__in={"", category}).order_by("-category")  # own category wins
    }
    rows = []
    for index, item in enumerate(items, start=1):
        code = str(item.get("code") or "").strip()
        known = catalogue.get(code.upper()) if code else None
        if item.get("defect_type_id"):
            known = DefectType.objects.filter(pk=item["defect_type_id"]).first()
            if known is None:
                raise ValidationError({"defects": _("Defect %(n)s: no such defect type.") % {"n": index}})
        if known is None and not code and not str(item.get("description") or "").strip():
            raise ValidationError({"defects": _("Defect %(n)s: give its code or describe it.") % {"n": index}})
        klass = str(item.get("class") or item.get("defect_class") or (known.defect_class if known else ""))
        if klass not in DefectClass.values:
            raise ValidationError({"defects": _("Defect %(n)s: the class is critical, major or minor.") % {"n": index}})
        try:
            quantity = _int(item.get("quantity"), "defects")
        except ValidationError:
            raise ValidationError(
                {"defects": _("Defect %(n)s: the quantity is a whole number of 1 or more.") % {"n": index}}
            ) from None
        rows.append(
            InspectionDefect(
                inspection=inspection,
                defect_type=known,
                code=(known.code if known else code)[:30],
                description=str(item.get("description") or (known.name_zh if known else ""))[:200],
                defect_class=klass,
                quantity=quantity,
            )
        )
    return rows


def _check_rows(inspection: Inspection, items: list[dict[str, Any]]) -> list[InspectionCheck]:
    rows = []
    for index, item in enumerate(items, start=1):
        kind = str(item.get("kind") or "")
        if kind not in CheckKind.values:
            raise ValidationError({"checks": _("Check %(n)s: choose what was checked.") % {"n": index}})
        ok = item.get("ok", True)
        if isinstance(ok, str):
            ok = ok.lower() in ("1", "true", "yes", "on", "ok")
        rows.append(
            InspectionCheck(
                inspection=inspection,
                kind=kind,
                name=str(item.get("name") or "")[:100],
                expected=str(item.get("expected") or "")[:100],
                actual=str(item.get("actual") or "")[:100],
                ok=bool(ok),
            )
        )
    return rows


@transaction.atomic
def record_findings(
    *,
    inspection: Inspection,
    by: User,
    inspected_qty: Any,
    defects: list[dict[str, Any]],
    checks: list[dict[str, Any]] | None = None,
    inspected_on: Any = None,
    version: int | None = None,
) -> Inspection:
    """Record what the inspector found: the pieces inspected (at least the plan's sample), the defects per class,
    the checks. The result per class and overall is computed; a final inspection moves the order's milestone."""
    ensure_can(by, "quality.inspect_lot", _("Only quality control records inspection findings."))
    locked = _locked(inspection, version)
    _ensure_open(locked)
    day = _date(inspected_on, "inspected_on") if inspected_on else clock.today()
    if day > clock.today():
        raise ValidationError({"inspected_on": _("An inspection is recorded on the day it was made, not ahead.")})
    plans = sampling_plan(locked.lot_size, locked.level, locked.aqls)
    sample = max(p.sample_size for p in plans.values())
    qty = _int(inspected_qty, "inspected_qty")
    if qty < sample:
        raise ValidationError(
            {
                "inspected_qty": _("The plan needs a sample of %(n)s pieces; %(qty)s were inspected.")
                % {"n": sample, "qty": qty}
            }
        )
    if qty > locked.lot_size:
        raise ValidationError(
            {
                "inspected_qty": _("The lot has %(n)s pieces; %(qty)s cannot be inspected.")
                % {"n": locked.lot_size, "qty": qty}
            }
        )
    defect_rows = _defect_rows(locked, defects or [])
    check_rows = _check_rows(locked, checks or [])
    found = {c: sum(d.quantity for d in defect_rows if d.defect_class == c) for c in DefectClass.values}
    results = _plan_dict(locked, plans, found)
    failed_checks = [c for c in check_rows if not c.ok]
    failed = any(c["result"] == Result.FAIL for c in results["classes"].values()) or bool(failed_checks)
    results["checks_failed"] = len(failed_checks)
    InspectionDefect.objects.filter(inspection=locked).delete()
    InspectionCheck.objects.filter(inspection=locked).delete()
    InspectionDefect.objects.bulk_create(defect_rows)
    InspectionCheck.objects.bulk_create(check_rows)
    was = locked.status
    locked.status = InspectionStatus.DONE
    locked.inspected_on, locked.inspected_qty = day, qty
    locked.result = Result.FAIL if failed else Result.PASS
    locked.results = results
    if locked.inspector_id is None:
        locked.inspector = by
    locked.version += 1
    locked.save()
    audit.record(
        instance=locked,
        action=AuditAction.TRANSITION,
        by=by,
        changes={
            "status": [was, locked.status],
            "result": [None, locked.result],
        },
        message=_summary(locked),
        related=locked.order,
    )
    _feed_final(locked, by)
    _notify_result(locked, by)
    return locked


def _summary(inspection: Inspection) -> str:
    """ "Major 8 (Re 8) — fail" for each class with defects, and the checks that do not conform."""
    parts = []
    for name, row in (inspection.results.get("classes") or {}).items():
        if row.get("found"):
            label = DefectClass(name).label
            parts.append(f"{label} {row['found']} (Ac {row['accept']} Re {row['reject']})")
    if inspection.results.get("checks_failed"):
        parts.append(_("%(n)s checks do not conform") % {"n": inspection.results["checks_failed"]})
    return "; ".join(parts) or _("no defects found")


def _feed_final(inspection: Inspection, by: User) -> None:
    """A final inspection passed: the milestone's actual. Failed: its forecast moves to the re-inspection."""
    from gendan.core.calendar import company_calendar
    from gendan.followup.services import complete_milestone, feed_dates

    if inspection.kind != InspectionKind.FINAL:
        return
    if inspection.result == Result.PASS:
        complete_milestone(
            order_id=inspection.order_id,
            code=FINAL_CODE,
            day=inspection.inspected_on,
            note=_("%(number)s passed") % {"number": inspection.number},
            by=by,
        )
        return
    retry = company_calendar().add(inspection.inspected_on, REINSPECT_DAYS)
    note = _("%(number)s failed: %(summary)s; re-inspection not planned yet") % {
        "number": inspection.number,
        "summary": _summary(inspection),
    }
    feed_dates(code=FINAL_CODE, dates={inspection.order_id: (retry, note)}, by=by)


def _notify_result(inspection: Inspection, by: User) -> None:
    from django.urls import reverse

    from gendan.core.notifications import notify_in_their_language

    owner = inspection.order.merchandiser if inspection.order.merchandiser_id else None
    if owner is None or owner == by:
        return
    notify_in_their_language(
        recipients=[owner],
        title=lambda: (
            _("%(number)s of %(order)s: %(result)s")
            % {"number": inspection.number, "order": inspection.order.number, "result": inspection.get_result_display()}
        ),
        body=lambda: _summary(inspection),
        url=reverse("quality:inspection", args=[inspection.pk]),
        actor=by,
    )


@transaction.atomic
def set_disposition(
    *,
    inspection: Inspection,
    by: User,
    disposition: str,
    note: str = "",
    reinspection_date: Any = None,
    version: int | None = None,
) -> Inspection:
    """Decide what happens to a failed lot: re-work and re-inspect (a re-inspection is planned for the date, and the
    final-inspection milestone's forecast moves to it), accept under the customer's concession (the milestone is
    done), or reject the lot (a note says what next)."""
    ensure_can(by, "quality.inspect_lot", _("Only quality control decides what happens to a failed lot."))
    locked = _locked(inspection, version)
    if locked.status != InspectionStatus.DONE or locked.result != Result.FAIL:
        raise TransitionNotAllowed(_("Only a failed inspection gets a disposition."))
    if locked.disposition:
        raise TransitionNotAllowed(
            _("%(number)s is already disposed of: %(disposition)s.")
            % {"number": locked.number, "disposition": locked.get_disposition_display()}
        )
    if disposition not in Disposition.values:
        raise ValidationError({"disposition": _("Choose re-work, concession or reject.")})
    note = (note or "").strip()[:300]
    if disposition in (Disposition.CONCESSION, Disposition.REJECT) and not note:
        raise ValidationError({"note": _("Say who agreed and on what terms, or what happens to the lot.")})
    retry_day = None
    if disposition == Disposition.REWORK:
        if not reinspection_date:
            raise ValidationError({"reinspection_date": _("Give the re-inspection date.")})
        retry_day = _date(reinspection_date, "reinspection_date")
        if retry_day < clock.today():
            raise ValidationError({"reinspection_date": _("Re-inspect from today on.")})
    locked.disposition, locked.disposition_note = disposition, note
    locked.version += 1
    locked.save()
    audit.record(
        instance=locked,
        action=AuditAction.UPDATE,
        by=by,
        changes={"disposition": [None, disposition]},
        message=note,
        related=locked.order,
    )
    if retry_day is not None:
        _reinspection(locked, by, retry_day)
    elif disposition == Disposition.CONCESSION and locked.kind == InspectionKind.FINAL:
        from gendan.followup.services import complete_milestone

        complete_milestone(
            order_id=locked.order_id,
            code=FINAL_CODE,
            day=clock.today(),
            note=_("%(number)s accepted under concession: %(note)s") % {"number": locked.number, "note": note},
            by=by,
        )
    return locked


def _reinspection(failed: Inspection, by: User, day: dt.date) -> Inspection:
    from gendan.followup.services import feed_dates

    again = Inspection.objects.create(
        number=next_number(PREFIX),
        kind=failed.kind,
        order=failed.order,
        order_line=failed.order_line,
        product=failed.product,
        factory=failed.factory,
        agency=failed.agency,
        lot_size=failed.lot_size,
        level=failed.level,
        aql_critical=failed.aql_critical,
        aql_major=failed.aql_major,
        aql_minor=failed.aql_minor,
        planned_date=day,
        inspector=failed.inspector,
        reinspection_of=failed,
        round=failed.round + 1,
        notes=failed.disposition_note,
        created_by=by,
    )
    audit.record_create(
        instance=again, by=by, fields=["kind", "lot_size", "planned_date", "reinspection_of"], related=failed.order
    )
    if failed.kind == InspectionKind.FINAL:
        note = _("%(failed)s failed; re-inspection %(number)s on %(day)s") % {
            "failed": failed.number,
            "number": again.number,
            "day": day.isoformat(),
        }
        feed_dates(code=FINAL_CODE, dates={failed.order_id: (day, note)}, by=by)
    _notify_inspector(again, by)
    return again


# ---- the report to the customer ---------------------------------------------------------------------------------


@transaction.atomic
def send_report(*, inspection: Inspection, by: User, to: list[str], language: str, message: str = "") -> Inspection:
    """E-mail the inspection report (PDF, in `language`) to the customer's addresses."""
    from django.core.validators import validate_email

    from gendan.core.exceptions import ValidationError as Invalid
    from gendan.quality.documents import report_pdf

    if not by.has_perm("quality.view_inspection"):
        raise PermissionDenied(_("You may not send inspection reports."))
    locked = _locked(inspection)
    if locked.status != InspectionStatus.DONE:
        raise TransitionNotAllowed(_("Only an inspection that was made has a report."))
    addresses = [a.strip() for a in to if a and a.strip()]
    if not addresses:
        raise Invalid({"to": _("Give at least one e-mail address.")})
    for address in addresses:
        try:
            validate_email(address)
        except Exception:  # noqa: BLE001 - Django's ValidationError, reported in ours
            raise Invalid({"to": _("%(address)s is not an e-mail address.") % {"address": address}}) from None
    pdf = report_pdf(locked, language)
    subject = _("Inspection report %(number)s — order %(order)s") % {
        "number": locked.number,
        "order": locked.order.customer_po or locked.order.number,
    }
    mail = EmailMessage(subject=subject, body=message or subject, from_email=settings.DEFAULT_FROM_EMAIL, to=addresses)
    mail.attach(f"{locked.number}.pdf", pdf, "application/pdf")
    mail.send()
    locked.report_sent_at = clock.now()
    locked.save(update_fields=["report_sent_at", "updated_at"])
    audit.record(
        instance=locked,
        action=AuditAction.UPDATE,
        by=by,
        changes={"report_sent_to": [None, ", ".join(addresses)]},
        related=locked.order,
    )
    return locked


# ---- the defect catalogue and customer defaults ---------------------------------------------------------------


@transaction.atomic
def save_defect_type(*, by: User, data: dict[str, Any], defect: DefectType | None = None) -> DefectType:
    ensure_can(by, "quality.add_defecttype" if defect is None else "quality.change_defecttype")
    code = str(data.get("code") or "").strip().upper()
    if not code:
        raise ValidationError({"code": _("Give the defect a code.")})
    category = str(data.get("category") or "").strip()
    clash = DefectType.objects.filter(code=code, category=category).exclude(pk=defect.pk if defect else None)
    if clash.exists():
        raise ValidationError({"code": _("%(code)s is already in this category.") % {"code": code}})
    klass = str(data.get("defect_class") or DefectClass.MAJOR)
    if klass not in DefectClass.values:
        raise ValidationError({"defect_class": _("The class is critical, major or minor.")})
    names = {f: str(data.get(f) or "").strip() for f in ("name_zh", "name_en")}
    if not names["name_zh"] and not names["name_en"]:
        raise ValidationError({"name_zh": _("Name the defect.")})
    target = defect or DefectType()
    before = audit.snapshot(target, ["code", "category", "defect_class", "name_zh", "name_en", "is_active"])
    target.code, target.category, target.defect_class = code, category, klass
    target.name_zh = names["name_zh"] or names["name_en"]
    target.name_en = names["name_en"] or names["name_zh"]
    target.is_active = bool(data.get("is_active", True))
    target.save()
    if defect is None:
        audit.record_create(instance=target, by=by, fields=["code", "category", "defect_class", "name_zh"])
    else:
        after = audit.snapshot(target, ["code", "category", "defect_class", "name_zh", "name_en", "is_active"])
        audit.record(instance=target, action=AuditAction.UPDATE, by=by, changes=audit.diff(before, after))
    return target


@transaction.atomic
def set_customer_defaults(*, by: User, customer_id: int, data: dict[str, Any]) -> QualityDefaults:
    """A customer's inspection level and AQLs (checked against the standard's table)."""
    ensure_can(by, "quality.change_qualitydefaults", _("You may not change a customer's inspection defaults."))
    from gendan.partners.models import Customer

    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("There is no customer %(id)s.") % {"id": customer_id})
    level, aqls = defaults_for(customer_id)
    level = str(data.get("level") or level)
    for name, field in AQL_FIELDS.items():
        if data.get(field) not in (None, ""):
            aqls[name] = data[field]
    sampling_plan(100, level, aqls)
    found, _created = QualityDefaults.objects.get_or_create(customer=customer)
    before = audit.snapshot(found, ["level", "aql_critical", "aql_major", "aql_minor"])
    found.level = aql.parse_level(level)
    found.aql_critical, found.aql_major, found.aql_minor = (aql.parse_aql(aqls[k]) for k in AQL_FIELDS)
    found.save()
    after = audit.snapshot(found, ["level", "aql_critical", "aql_major", "aql_minor"])
    audit.record(instance=customer, action=AuditAction.UPDATE, by=by, changes=audit.diff(before, after))
    return found
