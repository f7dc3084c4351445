"""Packing (装箱): cartons, weights, volume and the container that holds them. Pure functions, no database.

Rules (docs/guide/shipping.md says the same to the clerk):
- A line of `quantity` units of a product packed `units_per_carton` to a carton fills `quantity // units_per_carton`
  full cartons; what is left goes in one last part carton (尾箱), noted with its units.
- Carton numbers run 1…N across the shipment's lines in their order (line 1: 1–40, line 2: 41–65 …).
- The product's weights are per full carton. A part carton weighs its share of the net weight (units ÷ units per
  carton) plus the whole carton's tare (gross − net): the box and its packing weigh the same however full it is.
- Volume: every carton, the part one too, takes the carton's L × W × H (cm³ ÷ 1,000,000 = CBM).
- Weights are rounded to 0.001 kg and volumes to 0.0001 CBM per line, half up; the totals are the sums of the lines
  as shown, so a packing list always adds up.
- A line's cartons, net, gross or CBM typed by the clerk (what the factory actually packed) replace the computed
  figure of that line; the carton numbers and the totals follow.
- The container suggestion: below `lcl_below_cbm` (and the smallest container's payload) the load goes LCL;
  else the smallest single container that holds both the volume and the weight; else the cheapest combination
  (by the containers' relative cost) that holds both, fewer containers first on a tie.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
KG = Decimal("0.001")
CBM = Decimal("0.0001")
CM3_PER_M3 = Decimal(1_000_000)


@dataclass(frozen=True)
class CartonSpec:
    """A product's carton: units per carton, outside dimensions (cm), net and gross weight of a full carton (kg)."""

    units_per_carton: int
    length_cm: Decimal = ZERO
    width_cm: Decimal = ZERO
    height_cm: Decimal = ZERO
    net_kg: Decimal = ZERO
    gross_kg: Decimal = ZERO

    @property
    def cbm(self) -> Decimal:
        return self.length_cm * self.width_cm * self.height_cm / CM3_PER_M3


@dataclass(frozen=True)
class LineIn:
    """One shipment line to pack: a key (the caller's id), the quantity, the carton, and the clerk's figures."""

    key: object
    quantity: Decimal
    spec: CartonSpec
    cartons: int | None = None
    net_kg: Decimal | None = None
    gross_kg: Decimal | None = None
    cbm: Decimal | None = None


@dataclass(frozen=True)
class LinePacking:
    key: object
    quantity: Decimal
    full_cartons: int
    part_units: Decimal  # units in the last part carton; 0 when every carton is full
    cartons: int
    carton_from: int  # 0 when the line has no carton
    carton_to: int
    net_kg: Decimal
    gross_kg: Decimal
    cbm: Decimal
    overridden: tuple[str, ...] = ()  # which figures the clerk typed

    @property
    def has_part_carton(self) -> bool:
        return self.part_units > 0


@dataclass(frozen=True)
class Container:
    code: str
    cbm: Decimal  # usable volume
    kg: Decimal  # payload
    cost: Decimal  # relative freight cost, to compare combinations


@dataclass(frozen=True)
class Suggestion:
    lcl: bool
    containers: tuple[tuple[str, int], ...]  # (code, count), biggest first
    cbm_capacity: Decimal
    kg_capacity: Decimal
    cbm_fill_pct: Decimal | None  # the load's share of the containers' volume
    kg_fill_pct: Decimal | None

    @property
    def text(self) -> str:
        if self.lcl:
            return "LCL"
        return " + ".join(f"{count} × {code}" for code, count in self.containers)

    @property
    def count(self) -> int:
        return sum(count for _code, count in self.containers)


@dataclass(frozen=True)
class Packing:
    lines: list[LinePacking]
    total_cartons: int
    total_quantity: Decimal
    total_net_kg: Decimal
    total_gross_kg: Decimal
    total_cbm: Decimal
    suggestion: Suggestion | None = field(default=None)


def carton_count(quantity: Decimal, units_per_carton: int) -> tuple[int, Decimal]:
    """(full cartons, units in the last part carton) of a quantity."""
    if units_per_carton < 1:
        raise ValueError("units_per_carton must be at least 1")
    if quantity <= 0:
        return 0, ZERO
    full = int((quantity / units_per_carton).to_integral_value(rounding="ROUND_FLOOR"))
    return full, quantity - full * units_per_carton


def pack_line(line: LineIn, first_carton: int) -> LinePacking:
    """One line's cartons, numbers from `first_carton`, weights and volume (the clerk's figures win)."""
    spec = line.spec
    full, part = carton_count(line.quantity, spec.units_per_carton)
    cartons = full + (1 if part > 0 else 0)
    share = part / spec.units_per_carton if part > 0 else ZERO
    net = spec.net_kg * full + spec.net_kg * share
    gross = spec.gross_kg * full + ((spec.net_kg * share + (spec.gross_kg - spec.net_kg)) if part > 0 else ZERO)
    cbm = spec.cbm * cartons
    overridden = []
    if line.cartons is not None:
        cartons = line.cartons
        overridden.append("cartons")
    if line.net_kg is not None:
        net = line.net_kg
        overridden.append("net_kg")
    if line.gross_kg is not None:
        gross = line.gross_kg
        overridden.append("gross_kg")
    if line.cbm is not None:
        cbm = line.cbm
        overridden.append("cbm")
    return LinePacking(
        key=line.key,
        quantity=line.quantity,
        full_cartons=full,
        part_units=part,
        cartons=cartons,
        carton_from=first_carton if cartons else 0,
        carton_to=first_carton + cartons - 1 if cartons else 0,
        net_kg=net.quantize(KG, rounding=ROUND_HALF_UP),
        gross_kg=gross.quantize(KG, rounding=ROUND_HALF_UP),
        cbm=cbm.quantize(CBM, rounding=ROUND_HALF_UP),
        overridden=tuple(overridden),
    )


def pack(
    lines: Sequence[LineIn],
    *,
    containers: Sequence[Container] = (),
    lcl_below_cbm: Decimal | None = None,
) -> Packing:
    """The packing of the lines in their order, with the totals and (given the containers) the suggestion."""
    packed: list[LinePacking] = []
    next_carton = 1
    for line in lines:
        result = pack_line(line, next_carton)
        packed.append(result)
        next_carton += result.cartons
    total_cbm = sum((p.cbm for p in packed), ZERO)
    total_gross = sum((p.gross_kg for p in packed), ZERO)
    return Packing(
        lines=packed,
        total_cartons=sum(p.cartons for p in packed),
        total_quantity=sum((p.quantity for p in packed), ZERO),
        total_net_kg=sum((p.net_kg for p in packed), ZERO),
        total_gross_kg=total_gross,
        total_cbm=total_cbm,
        suggestion=suggest(total_cbm, total_gross, containers, lcl_below_cbm=lcl_below_cbm) if containers else None,
    )


def _pct(load: Decimal, capacity: Decimal) -> Decimal | None:
    return (load * 100 / capacity).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if capacity else None


def _suggestion(
    load_cbm: Decimal, load_kg: Decimal, counts: dict[str, int], by_code: dict[str, Container]
) -> Suggestion:
    chosen = tuple(
        (code, n) for code, n in sorted(counts.items(), key=lambda kv: (-by_code[kv[0]].cbm, kv[0])) if n > 0
    )
    cbm_cap = sum((by_code[c].cbm * n for c, n in chosen), ZERO)
    kg_cap = sum((by_code[c].kg * n for c, n in chosen), ZERO)
    return Suggestion(False, chosen, cbm_cap, kg_cap, _pct(load_cbm, cbm_cap), _pct(load_kg, kg_cap))


def _needed(load: Decimal, per: Decimal) -> int:
    if load <= 0:
        return 0
    return int((load / per).to_integral_value(rounding=ROUND_CEILING))


def suggest(
    load_cbm: Decimal, load_kg: Decimal, containers: Sequence[Container], *, lcl_below_cbm: Decimal | None = None
) -> Suggestion:
    """The container(s) for a load of `load_cbm` and `load_kg` (see the module's rules)."""
    usable = [c for c in containers if c.cbm > 0 and c.kg > 0]
    if not usable:
        raise ValueError("no container with a volume and a payload")
    by_code = {c.code: c for c in usable}
    smallest = min(usable, key=lambda c: (c.cost, c.cbm))
    if lcl_below_cbm is not None and load_cbm < lcl_below_cbm and load_kg <= smallest.kg:
        return Suggestion(True, (), ZERO, ZERO, None, None)
    singles = [c for c in usable if c.cbm >= load_cbm and c.kg >= load_kg]
    if singles:
        best = min(singles, key=lambda c: (c.cost, c.cbm, c.code))
        return _suggestion(load_cbm, load_kg, {best.code: 1}, by_code)
    # the cheapest combination: every count of all but the first type, the first type filling the rest
    ordered = sorted(usable, key=lambda c: (c.cost, c.code))
    first, others = ordered[0], ordered[1:]
    bounds = [max(_needed(load_cbm, c.cbm), _needed(load_kg, c.kg)) for c in others]
    best_key: tuple | None = None
    best_counts: dict[str, int] = {}

    def walk(index: int, counts: dict[str, int], cbm: Decimal, kg: Decimal, cost: Decimal) -> None:
        nonlocal best_key, best_counts
        if index == len(others):
            rest = max(_needed(load_cbm - cbm, first.cbm), _needed(load_kg - kg, first.kg))
            total_cost = cost + first.cost * rest
            total = {**counts, first.code: rest}
            key = (total_cost, sum(total.values()), -(cbm + first.cbm * rest))
            if best_key is None or key < best_key:
                best_key, best_counts = key, total
            return
        c = others[index]
        for n in range(bounds[index] + 1):
            walk(index + 1, {**counts, c.code: n}, cbm + c.cbm * n, kg + c.kg * n, cost + c.cost * n)

    walk(0, {}, ZERO, ZERO, ZERO)
    return _suggestion(load_cbm, load_kg, best_counts, by_code)
