"""Purchasing data for the benchmarks: a year of purchase orders, receipts and incoming inspections.

`make_scorecard_data(suppliers=100, lines=20000, seed=1)` bulk-creates, in about six seconds on SQLite, what a
supplier scorecard and the delay Pareto read over a year: ~100 suppliers of uneven size and reliability, ~5,000 POs
of 1-7 lines (20,000 lines, ordered over the year before 2026-11-24; most confirmed with a first promise), ~28,000
receipt lines in ~13,000 receipts (a PO is delivered in one to three parts, some lines over or short), an incoming
inspection per receipt line (nearly all done; some rejects, reworks and concessions), invoiced prices that sometimes
drift from the agreed ones, ~2 % of the receipts at the wrong warehouse, and a delay cause on about two thirds of
the late lines (Pareto-shaped: over capacity and weak expediting first).

Call it after `django.setup()` on a migrated database (SQLite or PostgreSQL), outside any timing; it uses
`random.Random(seed)` only, so the same arguments give the same data. Codes start with "SC" so it can sit beside
other benchmark data; call it once per database.
"""

import datetime as dt
import random
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

TODAY = dt.date(2026, 11, 24)
BATCH_SIZE = 1000
MATERIALS = 300

# how often each cause is given to a late line (a Pareto: a few causes explain most delays)
CAUSE_WEIGHTS = {
    "over_capacity": 30,
    "weak_expediting": 18,
    "poor_process": 12,
    "late_information": 10,
    "poor_quality": 8,
    "unclear_quality": 7,
    "too_far": 5,
    "forced_price": 4,
    "beyond_technology": 3,
    "wrong_supplier": 3,
}
P_CAUSE = 0.65  # a late line has a cause recorded


def _q(value: float | Decimal, places: str = "0.001") -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _saved(objs: list[Any]) -> list[Any]:
    if objs and objs[0].pk is None:
        raise RuntimeError("bulk_create did not return primary keys: use SQLite >= 3.35 or PostgreSQL")
    return objs


def _profile(rng: random.Random) -> dict[str, float]:
    """One supplier's habits: how often it is on time, rejected, off the price, at the wrong place, off quantity."""
    return {
        "on_time": rng.uniform(0.6, 0.98),
        "defects": rng.uniform(0.0, 0.15),
        "concession": rng.uniform(0.0, 0.05),
        "price_drift": rng.uniform(0.0, 0.25),
        "wrong_place": rng.choice([0.0, 0.0, 0.01, 0.02, 0.05]),
        "qty_error": rng.uniform(0.02, 0.2),
        "weight": rng.paretovariate(1.5),  # some suppliers get many more orders
    }


def make_scorecard_data(
    suppliers: int = 100, lines: int = 20000, seed: int = 1, *, today: dt.date = TODAY
) -> dict[str, Any]:
    """Bulk-create a year of purchasing up to `today` (see the module docstring).

    Returns {"date_from", "date_to" (the year: today − 364 days … today), "supplier_ids", "counts": {suppliers,
    purchase_orders, po_lines, receipts, receipt_lines, inspections_done, wrong_place_receipts, late_lines,
    caused_lines, ...}}.
    """
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from gendan.catalog.models import Material
    from gendan.core.models import User
    from gendan.inventory.models import Location, Warehouse
    from gendan.partners.models import Supplier
    from gendan.procurement.choices import Disposition, InspectionStatus, PoStatus
    from gendan.procurement.models import IncomingInspection, PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine

    rng = random.Random(seed)
    counts: Counter[str] = Counter()
    tz = timezone.get_current_timezone()
    causes, cause_weights = list(CAUSE_WEIGHTS), list(CAUSE_WEIGHTS.values())

    with transaction.atomic():
        buyer = User.objects.create(username=f"sc_buyer_{seed}", password=make_password(None), language="zh-hans")
        warehouses = _saved(
            Warehouse.objects.bulk_create(
                [
                    Warehouse(code="SC-RAW", name="原料仓"),
                    Warehouse(code="SC-TRIM", name="辅料仓"),
                    Warehouse(code="SC-OUT", name="外仓"),
                ]
            )
        )
        locations = _saved(Location.objects.bulk_create([Location(warehouse=w, code="A01") for w in warehouses]))
        location_of = {w.pk: loc for w, loc in zip(warehouses, locations, strict=True)}

        supplier_objs = _saved(
            Supplier.objects.bulk_create(
                [Supplier(code=f"SC{i:04d}", name=f"评分供应商{i:03d}", kind="material") for i in range(suppliers)],
                batch_size=BATCH_SIZE,
            )
        )
        profiles = {s.pk: _profile(rng) for s in supplier_objs}
        weights = [profiles[s.pk]["weight"] for s in supplier_objs]
        materials = _saved(
            Material.objects.bulk_create(
                [
                    Material(
                        code=f"SCM{i:04d}",
                        name=f"物料{i:04d}",
                        unit=rng.choice(["m", "pcs", "kg"]),
                        default_supplier=rng.choice(supplier_objs),
                    )
                    for i in range(MATERIALS)
                ],
                batch_size=BATCH_SIZE,
            )
        )

        # ---- purchase orders and their lines (plans of the deliveries kept aside)
        pos: list[Any] = []
        po_lines: list[list[dict[str, Any]]] = []
        made = 0
        while made < lines:
            n = min(rng.randint(1, 7), lines - made)
            supplier = rng.choices(supplier_objs, weights=weights)[0]
            order_date = today - dt.timedelta(days=rng.randint(20, 380))
            required = order_date + dt.timedelta(days=rng.randint(15, 45))
            ship_to = warehouses[0] if rng.random() < 0.7 else warehouses[1]
            pos.append(
                PurchaseOrder(
                    number=f"SC{seed}-{len(pos) + 1:06d}",
                    supplier=supplier,
                    buyer=buyer,
                    order_date=order_date,
                    ship_to=ship_to,
                    status=PoStatus.CONFIRMED,
                )
            )
            profile = profiles[supplier.pk]
            # the supplier confirms and ships a PO as a whole: one promise offset, one delay, one gap between parts
            schedule = {
                "promise": rng.choice([0, 0, 0, 0, -2, 1, 3, 5, 7]) if rng.random() < 0.85 else None,
                "delay": -rng.randint(0, 6) if rng.random() < profile["on_time"] else rng.randint(1, 15),
                "gap": rng.randint(2, 8),
            }
            po_lines.append([_plan_line(rng, required, profile, schedule) for _ in range(n)])
            made += n
        _saved(PurchaseOrder.objects.bulk_create(pos, batch_size=BATCH_SIZE))

        line_objs: list[Any] = []
        for po, plans in zip(pos, po_lines, strict=True):
            total = Decimal(0)
            for position, plan in enumerate(plans, start=1):
                obj = PurchaseOrderLine(
                    purchase_order=po,
                    position=position,
                    material=rng.choice(materials),
                    quantity=plan["quantity"],
                    confirmed_qty=plan["confirmed"],
                    unit=rng.choice(["m", "pcs", "kg"]),
                    unit_price=plan["price"],
                    required_date=plan["required"],
                    first_promised_date=plan["first_promised"],
                    promised_date=plan["promised"],
                )
                plan["obj"] = obj
                line_objs.append(obj)
                total += plan["quantity"] * plan["price"]
            po.total_amount = _q(total, "0.01")

        # ---- deliveries: receipts grouped per PO and date, a line per delivery, an inspection per line
        receipts: list[Any] = []
        receipt_items: list[list[tuple[dict[str, Any], Decimal]]] = []
        for po, plans in zip(pos, po_lines, strict=True):
            profile = profiles[po.supplier_id]
            by_date: dict[dt.date, list[tuple[dict[str, Any], Decimal]]] = defaultdict(list)
            for plan in plans:
                for date, qty in plan["deliveries"]:
                    if date <= today:
                        by_date[date].append((plan, qty))
            for date in sorted(by_date):
                wrong = rng.random() < profile["wrong_place"]
                warehouse_id = po.ship_to_id
                if wrong:
                    warehouse_id = rng.choice([w.pk for w in warehouses if w.pk != po.ship_to_id])
                    counts["wrong_place_receipts"] += 1
                receipts.append(
                    Receipt(
                        number=f"SCR{seed}-{len(receipts) + 1:07d}",
                        purchase_order=po,
                        received_date=date,
                        location=location_of[warehouse_id],
                        received_by=buyer,
                        created_at=dt.datetime.combine(date, dt.time(10, rng.randint(0, 59)), tzinfo=tz),
                    )
                )
                receipt_items.append(by_date[date])

        receipt_lines: list[Any] = []
        inspections: list[tuple[Any, dict[str, Any]]] = []
        for receipt, items in zip(receipts, receipt_items, strict=True):
            po = receipt.purchase_order
            profile = profiles[po.supplier_id]
            for plan, qty in items:
                price = plan["price"]
                if rng.random() < profile["price_drift"]:
                    price = _q(price * Decimal(str(1 + rng.uniform(-0.03, 0.08))), "0.0001")
                rl = ReceiptLine(receipt=receipt, po_line=plan["obj"], quantity=qty, unit_price=price)
                receipt_lines.append(rl)
                plan["received"] += qty
                plan["last_receipt"] = receipt.received_date
                pending = receipt.received_date > today - dt.timedelta(days=2) or rng.random() < 0.02
                if pending:
                    inspections.append((rl, {"status": InspectionStatus.PENDING}))
                    continue
                rejected = Decimal(0)
                if rng.random() < profile["defects"]:
                    rejected = _q(qty * Decimal(str(rng.uniform(0.02, 0.3))))
                accepted = qty - rejected
                if rejected:
                    disposition = Disposition.REJECT if rng.random() < 0.7 else Disposition.REWORK
                elif rng.random() < profile["concession"]:
                    disposition = Disposition.CONCESSION
                else:
                    disposition = Disposition.ACCEPT
                plan["accepted"] += accepted
                inspections.append(
                    (
                        rl,
                        {
                            "status": InspectionStatus.DONE,
                            "inspected_on": min(receipt.received_date + dt.timedelta(days=rng.randint(0, 2)), today),
                            "inspector": buyer,
                            "checked_qty": qty,
                            "accepted_qty": accepted,
                            "rejected_qty": rejected,
                            "disposition": disposition,
                        },
                    )
                )
                counts["inspections_done"] += 1

        # ---- line totals, delay causes, PO statuses
        for po, plans in zip(pos, po_lines, strict=True):
            complete = True
            any_received = False
            for plan in plans:
                obj = plan["obj"]
                obj.received_qty = plan["received"]
                obj.accepted_qty = plan["accepted"]
                expected = plan["confirmed"] if plan["confirmed"] is not None else plan["quantity"]
                any_received = any_received or plan["received"] > 0
                complete = complete and plan["received"] >= expected
                due = plan["first_promised"] or plan["required"]
                last = plan["last_receipt"]
                late = (last is not None and last > due) or (plan["received"] < expected and due < today)
                if late:
                    counts["late_lines"] += 1
                    if rng.random() < P_CAUSE:
                        obj.delay_cause = rng.choices(causes, weights=cause_weights)[0]
                        counts["caused_lines"] += 1
            if complete:
                po.status = PoStatus.CLOSED if rng.random() < 0.3 else PoStatus.RECEIVED
            elif any_received:
                old = po.order_date < today - dt.timedelta(days=150)
                po.status = PoStatus.CLOSED if old and rng.random() < 0.5 else PoStatus.PARTIALLY_RECEIVED
            else:
                po.status = PoStatus.CONFIRMED if rng.random() < 0.8 else PoStatus.SENT
            counts[f"po_{po.status}"] += 1
        PurchaseOrder.objects.bulk_update(pos, ["status", "total_amount"], batch_size=BATCH_SIZE)

        _saved(PurchaseOrderLine.objects.bulk_create(line_objs, batch_size=BATCH_SIZE))
        _saved(Receipt.objects.bulk_create(receipts, batch_size=BATCH_SIZE))
        _saved(ReceiptLine.objects.bulk_create(receipt_lines, batch_size=BATCH_SIZE))
        IncomingInspection.objects.bulk_create(
            [IncomingInspection(receipt_line=rl, **fields) for rl, fields in inspections], batch_size=BATCH_SIZE
        )

    counts.update(
        {
            "suppliers": suppliers,
            "materials": MATERIALS,
            "purchase_orders": len(pos),
            "po_lines": len(line_objs),
            "receipts": len(receipts),
            "receipt_lines": len(receipt_lines),
        }
    )
    return {
        "date_from": today - dt.timedelta(days=364),
        "date_to": today,
        "supplier_ids": [s.pk for s in supplier_objs],
        "counts": dict(counts),
    }


def _plan_line(
    rng: random.Random, po_required: dt.date, profile: dict[str, float], schedule: dict[str, Any]
) -> dict[str, Any]:
    """One PO line's quantities, price, dates and deliveries [(date, quantity)] (some may fall after today), on
    the PO's schedule: its promise offset, its delay and the gap between partial deliveries."""
    required = po_required if rng.random() < 0.9 else po_required + dt.timedelta(days=rng.randint(3, 20))
    quantity = Decimal(rng.choice([100, 200, 300, 500, 1000, 2000, 5000]))
    r = rng.random()
    confirmed = quantity if r < 0.6 else None if r < 0.9 else _q(quantity * Decimal("0.9"))
    expected = confirmed if confirmed is not None else quantity
    first_promised = None
    if schedule["promise"] is not None:
        first_promised = required + dt.timedelta(days=schedule["promise"])
    due = first_promised or required
    delay = schedule["delay"] if rng.random() < 0.95 else rng.randint(-3, 10)  # a line off the PO's schedule
    first = due + dt.timedelta(days=delay)
    promised = first_promised
    if first_promised is not None and delay > 0 and rng.random() < 0.6:
        promised = first_promised + dt.timedelta(days=rng.randint(1, 10))  # a new promise once it slipped
    # how much comes in all: mostly exact, sometimes over or short
    total = expected
    if rng.random() < profile["qty_error"]:
        total = _q(expected * Decimal(str(rng.uniform(1.01, 1.1) if rng.random() < 0.5 else rng.uniform(0.8, 0.98))))
    parts = rng.choices([1, 2, 3], weights=[60, 30, 10])[0]
    deliveries = []
    left = total
    date = first
    for k in range(parts):
        qty = left if k == parts - 1 else _q(total * Decimal(str(rng.uniform(0.3, 0.6))))
        qty = min(qty, left)
        if qty <= 0:
            break
        deliveries.append((date, qty))
        left -= qty
        date += dt.timedelta(days=schedule["gap"])
    return {
        "quantity": quantity,
        "confirmed": confirmed,
        "price": _q(Decimal(rng.randint(50, 5000)) / 100, "0.0001"),
        "required": required,
        "first_promised": first_promised,
        "promised": promised,
        "deliveries": deliveries,
        "received": Decimal(0),
        "accepted": Decimal(0),
        "last_receipt": None,
    }
