"""The cost build-up (成本核算) of a quotation line as pure functions over Decimals (no database), property-tested.

Per unit of the product, in CNY:

    processing = run cost + setup cost ÷ quantity              (the setup of a batch spread over its units)
    base       = material + processing + packaging
    overheads  = base × overhead %
    cost       = base + overheads + freight                      (freight to the Incoterm's named place)
    price CNY  = cost ÷ (1 − margin %)                           (the margin is a share of the price)
    unit price = price CNY ÷ quoted rate, rounded for the currency (2 places; JPY, KRW 0)

Each figure up to the cost is kept to 4 places (as shown on the page), the price is computed from them, so the
table a salesperson reads adds up. The unit price never falls when the margin rises, and never rises when the
quantity does.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from gendan.core.money import round_money

FOUR = Decimal("0.0001")
HUNDRED = Decimal(100)
ZERO = Decimal(0)
MAX_MARGIN_PCT = Decimal(95)
MAX_OVERHEAD_PCT = Decimal(100)


def q4(value: Decimal) -> Decimal:
    return Decimal(value).quantize(FOUR, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CostInputs:
    """What a line's price is made of, per unit in CNY (the setup per batch)."""

    material: Decimal = ZERO
    run: Decimal = ZERO
    setup: Decimal = ZERO
    packaging: Decimal = ZERO
    overhead_pct: Decimal = ZERO
    freight: Decimal = ZERO
    margin_pct: Decimal = ZERO


@dataclass(frozen=True)
class BuildUp:
    """The build-up of one unit at one quantity: every figure the page shows, and the unit price it gives."""

    quantity: Decimal
    material: Decimal
    run: Decimal
    setup_share: Decimal
    processing: Decimal
    packaging: Decimal
    base: Decimal
    overheads: Decimal
    freight: Decimal
    cost: Decimal
    margin: Decimal  # the margin per unit in CNY (price − cost)
    price_cny: Decimal
    unit_price: Decimal  # in the quotation's currency, rounded for it
    currency: str


def setup_share(setup: Decimal, quantity: Decimal) -> Decimal:
    """The setup cost of a batch spread over its units (4 places); none for a quantity of zero or less."""
    if quantity <= 0 or setup <= 0:
        return ZERO
    return q4(Decimal(setup) / Decimal(quantity))


def unit_cost(inputs: CostInputs, quantity: Decimal) -> Decimal:
    """The full cost of one unit in CNY at `quantity` (before the margin)."""
    return build_up(inputs, quantity, fx_rate=Decimal(1), currency="CNY").cost


def price_from_cost(cost: Decimal, margin_pct: Decimal, fx_rate: Decimal, currency: str) -> Decimal:
    """The unit price in `currency`: the cost with the margin as a share of the price, at the quoted rate."""
    if fx_rate <= 0:
        raise ValueError("the quoted rate must be above zero")
    if not ZERO <= margin_pct <= MAX_MARGIN_PCT:
        raise ValueError("the margin must be between 0 and 95 %")
    price_cny = Decimal(cost) / (1 - Decimal(margin_pct) / HUNDRED)
    return round_money(price_cny / Decimal(fx_rate), currency)


def build_up(inputs: CostInputs, quantity: Decimal, *, fx_rate: Decimal, currency: str) -> BuildUp:
    """The line's build-up at `quantity` and the unit price it gives in `currency` at `fx_rate` (CNY per unit)."""
    material = q4(inputs.material)
    run = q4(inputs.run)
    share = setup_share(inputs.setup, quantity)
    processing = run + share
    packaging = q4(inputs.packaging)
    base = material + processing + packaging
    overheads = q4(base * Decimal(inputs.overhead_pct) / HUNDRED)
    freight = q4(inputs.freight)
    cost = base + overheads + freight
    unit_price = price_from_cost(cost, Decimal(inputs.margin_pct), Decimal(fx_rate), currency)
    price_cny = q4(cost / (1 - Decimal(inputs.margin_pct) / HUNDRED))
    return BuildUp(
        quantity=Decimal(quantity),
        material=material,
        run=run,
        setup_share=share,
        processing=processing,
        packaging=packaging,
        base=base,
        overheads=overheads,
        freight=freight,
        cost=cost,
        margin=price_cny - cost,
        price_cny=price_cny,
        unit_price=unit_price,
        currency=currency,
    )


def effective_margin_pct(price: Decimal, cost: Decimal, fx_rate: Decimal) -> Decimal | None:
    """The margin (as a share of the price, %) a given price in the quotation's currency leaves over the cost in CNY;
    None for a price of zero."""
    price_cny = Decimal(price) * Decimal(fx_rate)
    if price_cny <= 0:
        return None
    return ((price_cny - Decimal(cost)) / price_cny * HUNDRED).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def materials_cost(rows: list[tuple[Decimal, Decimal, Decimal]]) -> Decimal:
    """Σ quantity per unit × (1 + scrap %) × price, each row rounded to 4 places as shown: [(qty, scrap %, price)]."""
    return sum((q4(qty * (1 + scrap / HUNDRED) * price) for qty, scrap, price in rows), ZERO)


def routing_cost(rows: list[tuple[Decimal, Decimal, Decimal]]) -> tuple[Decimal, Decimal]:
    """(run cost per unit, setup cost per batch) of operations [(minutes per unit, setup minutes, CNY per hour)]."""
    run = sum((Decimal(m) * Decimal(rate) for m, _s, rate in rows), ZERO) / 60
    setup = sum((Decimal(s) * Decimal(rate) for _m, s, rate in rows), ZERO) / 60
    return q4(run), Decimal(setup).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def tier_price(tiers: list[tuple[Decimal, Decimal]], quantity: Decimal) -> Decimal | None:
    """The price for `quantity` from [(tier quantity, unit price)]: the price of the largest tier not above it
    (None below the smallest tier)."""
    fitting = [(q, p) for q, p in tiers if q <= quantity]
    if not fitting:
        return None
    return max(fitting, key=lambda t: t[0])[1]
