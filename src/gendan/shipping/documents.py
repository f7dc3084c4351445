"""The export documents (单证) of a shipment: commercial invoice, packing list, shipping marks, B/L instructions and
the certificate-of-origin application data sheet, as PDF (WeasyPrint, one letterhead template) and .xlsx
(openpyxl), in English, Chinese or both.

Each document is first built as one `Doc` (parties, facts, a table, its totals, notes) from the shipment; the PDF
and the workbook are two renderings of the same `Doc`, so they always show the same figures. The labels are the
documents' own (Chinese and English side by side), not the UI's translations: a customs officer reads the same
words whatever the clerk's language. Money is Decimal, each line rounded for the currency, totals the sums of the
lines as printed; weights and volumes are the packing's (shipping/packing.py).
"""

import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

from gendan.core.documents import company_name
from gendan.core.money import places, round_money
from gendan.shipping import selectors
from gendan.shipping.choices import DocumentKind
from gendan.shipping.models import Shipment

LANGS = ("en", "zh", "both")
UI_LANGUAGE = {"en": "en", "zh": "zh-hans", "both": "zh-hans"}
ZERO = Decimal(0)

# key: (中文, English)
LABELS: dict[str, tuple[str, str]] = {
    DocumentKind.COMMERCIAL_INVOICE: ("商业发票", "COMMERCIAL INVOICE"),
    DocumentKind.PACKING_LIST: ("装箱单", "PACKING LIST"),
    DocumentKind.SHIPPING_MARKS: ("唛头", "SHIPPING MARKS"),
    DocumentKind.BL_INSTRUCTIONS: ("提单确认/托书", "BILL OF LADING INSTRUCTIONS"),
    DocumentKind.CO_APPLICATION: ("原产地证申请资料", "CERTIFICATE OF ORIGIN APPLICATION DATA"),
    "shipper": ("发货人", "Shipper / Exporter"),
    "seller": ("卖方", "Seller"),
    "buyer": ("买方", "Buyer"),
    "consignee": ("收货人", "Consignee"),
    "notify": ("通知人", "Notify party"),
    "invoice_no": ("发票号", "Invoice No."),
    "invoice_date": ("发票日期", "Invoice date"),
    "shipment_no": ("出货单号", "Shipment No."),
    "orders": ("订单号", "Order No."),
    "customer_po": ("客户订单号", "Customer PO"),
    "terms": ("贸易术语", "Terms of delivery"),
    "payment": ("付款方式", "Terms of payment"),
    "mode": ("运输方式", "Means of transport"),
    "pol": ("起运港", "Port of loading"),
    "pod": ("目的港", "Port of discharge"),
    "vessel": ("船名/航次", "Vessel / voyage"),
    "booking": ("订舱号", "Booking No."),
    "etd": ("预计开船", "ETD"),
    "bl": ("提单号", "B/L No."),
    "containers": ("集装箱", "Containers"),
    "no": ("序号", "No."),
    "order": ("订单", "Order"),
    "code": ("货号", "Item"),
    "description": ("品名", "Description of goods"),
    "hs": ("海关编码", "HS code"),
    "qty": ("数量", "Quantity"),
    "unit": ("单位", "Unit"),
    "price": ("单价", "Unit price"),
    "amount": ("金额", "Amount"),
    "carton_nos": ("箱号", "Carton Nos."),
    "per_carton": ("每箱数量", "Qty/ctn"),
    "cartons": ("箱数", "Cartons"),
    "nw": ("净重 (kg)", "N.W. (kg)"),
    "gw": ("毛重 (kg)", "G.W. (kg)"),
    "cbm": ("体积 (CBM)", "Meas. (CBM)"),
    "dims": ("纸箱尺寸 (cm)", "Carton size (cm)"),
    "total": ("合计", "TOTAL"),
    "say": ("大写", "SAY"),
    "marks": ("唛头", "Shipping marks"),
    "main_mark": ("正唛", "Main mark"),
    "side_mark": ("侧唛", "Side mark"),
    "packages": ("件数及包装", "Number and kind of packages"),
    "freight": ("运费", "Freight"),
    "prepaid": ("预付", "FREIGHT PREPAID"),
    "collect": ("到付", "FREIGHT COLLECT"),
    "originals": ("正本份数", "Original B/L"),
    "form": ("证书类型", "Certificate"),
    "origin": ("原产国", "Country of origin"),
    "destination": ("进口国", "Importing country"),
    "transport": ("运输路线", "Means of transport and route"),
    "origin_criterion": ("原产地标准", "Origin criterion"),
    "part_carton": ("尾箱", "part carton"),
    "signature": ("签字盖章", "Authorised signature and stamp"),
    "china": ("中国", "CHINA"),
    "general": ("一般原产地证", "General certificate of origin (CCPIT / customs)"),
    "form_a": ("普惠制产地证 Form A", "GSP Form A"),
    "form_e": ("中国—东盟自贸区产地证 Form E", "ASEAN-China FTA Form E"),
    "wholly_obtained": ("完全原产 / 含进口成分", '"P" (wholly obtained) or the criterion of the product'),
    "declaration": ("声明", "Declaration"),
    "we_declare": (
        "兹证明上述货物原产于中国,所列内容真实无误。",
        "We hereby certify that the goods described above originate in China and that the particulars are correct.",
    ),
    "total_packages": ("总件数", "Total packages"),
}
MODE_LABELS = {
    "sea_fcl": ("海运整柜", "By sea (FCL)"),
    "sea_lcl": ("海运拼箱", "By sea (LCL)"),
    "air": ("空运", "By air"),
    "express": ("快递", "By express courier"),
    "rail": ("铁路", "By rail"),
    "truck": ("陆运", "By truck"),
}
PREPAID_TERMS = {"CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP"}
DEFAULT_MARKS = "{customer}\nPO: {po}\n{port}\nC/NO. 1-{cartons}\nMADE IN CHINA"


def label(key: str, lang: str) -> list[str]:
    zh, en = LABELS.get(key, (key, key))
    return {"en": [en], "zh": [zh], "both": [zh, en]}[lang]


def text(key: str, lang: str) -> str:
    return " / ".join(label(key, lang))


def pick(zh: str, en: str, lang: str) -> str:
    """A name in the document's language: English falls back to the Chinese one; both show both (once if same)."""
    en = en or zh
    if lang == "en":
        return en
    if lang == "zh":
        return zh or en
    return zh if zh == en or not zh else f"{en}\n{zh}"


def fmt_qty(value: Decimal) -> str:
    """A quantity without trailing zeros, grouped the way export documents write it: 21,600; 12.5."""
    number = Decimal(value).normalize()
    return format(number.quantize(Decimal(1)) if number == number.to_integral_value() else number, ",f")


def fmt_price(value: Decimal) -> str:
    """A unit price with 2 to 4 decimals: 2.5 → 2.50; 0.1235 → 0.1235."""
    number = Decimal(value).normalize()
    return fmt_fixed(number, min(max(2, -number.as_tuple().exponent), 4))


def fmt_fixed(value: Decimal, decimals: int) -> str:
    """A figure with its places, grouped: 42,000.00; 9,900.000."""
    return format(Decimal(value).quantize(Decimal(1).scaleb(-decimals)), f",.{decimals}f")


# ---- amount in words (SAY US DOLLARS … ONLY), as commercial invoices carry it -----------------------------------

_ONES = "ZERO ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE TEN ELEVEN TWELVE THIRTEEN FOURTEEN FIFTEEN SIXTEEN SEVENTEEN EIGHTEEN NINETEEN".split()  # noqa: E501
_TENS = "_ _ TWENTY THIRTY FORTY FIFTY SIXTY SEVENTY EIGHTY NINETY".split()
CURRENCY_WORDS = {
    "USD": "US DOLLARS",
    "EUR": "EUROS",
    "GBP": "POUNDS STERLING",
    "CNY": "CHINESE YUAN",
    "JPY": "JAPANESE YEN",
    "HKD": "HONG KONG DOLLARS",
    "AUD": "AUSTRALIAN DOLLARS",
    "CAD": "CANADIAN DOLLARS",
    "CHF": "SWISS FRANCS",
    "SGD": "SINGAPORE DOLLARS",
    "KRW": "KOREAN WON",
    "AED": "UAE DIRHAMS",
}  # noqa: E501


def _words_below_1000(n: int) -> str:
    parts = []
    if n >= 100:
        parts.append(f"{_ONES[n // 100]} HUNDRED")
        n %= 100
        if n:
            parts.append("AND")
    if n >= 20:
        parts.append(_TENS[n // 10] + (f"-{_ONES[n % 10]}" if n % 10 else ""))
    elif n or not parts:
        parts.append(_ONES[n])
    return " ".join(parts)


def number_words(n: int) -> str:
    if n == 0:
        return "ZERO"
    groups, scale = [], ["", " THOUSAND", " MILLION", " BILLION", " TRILLION"]
    i = 0
    while n:
        n, chunk = divmod(n, 1000)
        if chunk:
            groups.append(_words_below_1000(chunk) + scale[i])
        i += 1
    return " ".join(reversed(groups))


def amount_in_words(amount: Decimal, currency: str) -> str:
    whole = int(amount)
    cents = int((amount - whole) * 100) if places(currency) else 0
    text_ = f"SAY {CURRENCY_WORDS.get(currency, currency)} {number_words(whole)}"
    if cents:
        text_ += f" AND CENTS {number_words(cents)}"
    return text_ + " ONLY"


# ---- the document model --------------------------------------------------------------------------------------------


@dataclass
class Col:
    key: str
    label: list[str]
    kind: str = "text"  # text, num (a number already formatted; right-aligned)
    width: int = 14


@dataclass
class Doc:
    kind: str
    lang: str
    title: list[str]
    number: str
    date: str
    company: dict[str, str]
    parties: list[tuple[list[str], str]] = field(default_factory=list)
    facts: list[tuple[list[str], str]] = field(default_factory=list)
    columns: list[Col] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)  # each cell: (shown text, raw value for .xlsx)
    totals: dict[str, Any] = field(default_factory=dict)
    notes: list[tuple[list[str], str]] = field(default_factory=list)
    marks: list[tuple[list[str], str]] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)
    filename: str = ""
    currency: str = ""

    @property
    def column_widths(self) -> list[str]:
        """Each column's share of the printed table (from its .xlsx width), so the PDF lays the table out at fixed
        widths instead of measuring every cell twice."""
        total = sum(c.width for c in self.columns) or 1
        return [f"{c.width * 100 / total:.2f}%" for c in self.columns]


def letterhead(lang: str) -> dict[str, str]:
    """The shipper: the company's name, address, phone and e-mail from the settings (English ones in English)."""
    zh_name = settings.GENDAN_COMPANY_NAME or company_name("zh-hans")
    en_name = settings.GENDAN_COMPANY_NAME_EN or settings.GENDAN_COMPANY_NAME or company_name("en")
    zh_address = settings.GENDAN_COMPANY_ADDRESS
    en_address = settings.GENDAN_COMPANY_ADDRESS_EN or zh_address
    name = pick(zh_name, en_name, lang)
    address = pick(zh_address, en_address, lang)
    contact = " · ".join(
        p
        for p in (
            f"Tel {settings.GENDAN_COMPANY_PHONE}" if settings.GENDAN_COMPANY_PHONE else "",
            settings.GENDAN_COMPANY_EMAIL,
        )
        if p
    )
    block = "\n".join(p for p in (name, address, contact) if p)
    return {"name": name, "address": address, "contact": contact, "block": block}


def _cell(shown: str, raw: Any = None) -> tuple[str, Any]:
    return (shown, shown if raw is None else raw)


def marks_text(s: Shipment, total_cartons: int) -> str:
    """The shipment's shipping marks, its placeholders filled: {customer} {po} {orders} {port} {cartons}."""
    template = s.shipping_marks.strip() or DEFAULT_MARKS
    values = {
        "customer": (s.customer.name_en or s.customer.name).upper(),
        "po": ", ".join(selectors.customer_pos(s)) or ", ".join(selectors.order_numbers(s)),
        "orders": ", ".join(selectors.order_numbers(s)),
        "port": (s.port_of_discharge or "").upper(),
        "cartons": str(total_cartons),
    }
    lines = []
    for line in template.splitlines():
        filled = line
        for key, value in values.items():
            filled = filled.replace("{" + key + "}", value)
        if filled.strip() or not line.strip():  # a line whose placeholders are all empty goes
            lines.append(filled)
    return "\n".join(lines)


def _description(product: Any, lang: str) -> str:
    name = pick(product.name, product.name_en, lang)
    return f"{name}\n{product.spec}" if product.spec else name


def _common(s: Shipment, kind: str, lang: str) -> Doc:
    from gendan.shipping.services import issue_invoice_number

    issue_invoice_number(shipment=s, by=None)
    number = s.invoice_number or s.number
    return Doc(
        kind=kind,
        lang=lang,
        title=label(kind, lang),
        number=number,
        date=(s.invoice_date.isoformat() if s.invoice_date else ""),
        company=letterhead(lang),
        filename=f"{number}-{kind}",
        currency=s.currency,
    )


def _customer_block(s: Shipment, lang: str) -> str:
    name = pick(s.customer.name, s.customer.name_en, lang)
    return "\n".join(p for p in (name, s.customer.address) if p)


def _transport_facts(s: Shipment, lang: str) -> list[tuple[list[str], str]]:
    mode = pick(*MODE_LABELS[s.mode], lang)
    facts = [(label("mode", lang), mode), (label("pol", lang), s.port_of_loading or "—")]
    facts.append((label("pod", lang), s.port_of_discharge or "—"))
    if s.vessel_voyage:
        facts.append((label("vessel", lang), s.vessel_voyage))
    if s.etd:
        facts.append((label("etd", lang), s.etd.isoformat()))
    if s.bl_number:
        facts.append((label("bl", lang), s.bl_number))
    return facts


def _head(doc: Doc, s: Shipment, lang: str) -> None:
    """The parties and the facts the commercial invoice and the packing list share (the invoice adds its terms
    after the customer PO)."""
    doc.parties = [
        (label("seller", lang), doc.company["block"]),
        (label("buyer", lang), _customer_block(s, lang)),
        (label("consignee", lang), s.consignee or _customer_block(s, lang)),
    ]
    doc.facts = [
        (label("invoice_no", lang), doc.number),
        (label("invoice_date", lang), doc.date),
        (label("orders", lang), ", ".join(selectors.order_numbers(s))),
        (label("customer_po", lang), ", ".join(selectors.customer_pos(s)) or "—"),
        *_transport_facts(s, lang),
    ]


def commercial_invoice(s: Shipment, lang: str) -> Doc:
    doc = _common(s, DocumentKind.COMMERCIAL_INVOICE, lang)
    first = s.lines.all()[0].order_line.order if s.lines.all() else None
    _head(doc, s, lang)
    doc.facts[4:4] = [
        (label("terms", lang), f"{s.incoterm} {s.incoterm_place}".strip()),
        (label("payment", lang), first.payment_terms if first and first.payment_terms else "—"),
    ]
    cur = s.currency
    doc.columns = [
        Col("no", label("no", lang), "num", 6),
        Col("order", label("order", lang), "text", 16),
        Col("code", label("code", lang), "text", 12),
        Col("description", label("description", lang), "text", 31),
        Col("hs", label("hs", lang), "text", 12),
        Col("qty", label("qty", lang), "num", 11),
        Col("unit", label("unit", lang), "text", 6),
        Col("price", [f"{p} ({cur})" for p in label("price", lang)], "num", 13),
        Col("amount", [f"{p} ({cur})" for p in label("amount", lang)], "num", 14),
    ]
    total = ZERO
    for i, sl in enumerate(s.lines.all(), start=1):
        ol = sl.order_line
        amount = round_money(sl.quantity * ol.unit_price, cur)
        total += amount
        po = f"\n{ol.order.customer_po}" if ol.order.customer_po else ""
        doc.rows.append(
            {
                "no": _cell(str(i), i),
                "order": _cell(f"{ol.order.number}{po}", ol.order.number),
                "code": _cell(ol.product.code),
                "description": _cell(_description(ol.product, lang)),
                "hs": _cell(ol.product.hs_code),
                "qty": _cell(fmt_qty(sl.quantity), sl.quantity),
                "unit": _cell(ol.unit),
                "price": _cell(fmt_price(ol.unit_price), ol.unit_price),
                "amount": _cell(fmt_fixed(amount, places(cur)), amount),
            }
        )
    doc.totals = {"amount": _cell(fmt_fixed(total, places(cur)), total)}
    if len({sl.order_line.unit for sl in s.lines.all()}) == 1:  # a total quantity only of one unit
        quantity = sum((sl.quantity for sl in s.lines.all()), ZERO)
        doc.totals["qty"] = _cell(fmt_qty(quantity), quantity)
    doc.notes = [(label("say", lang), amount_in_words(total, cur))]
    doc.signature = label("signature", lang)
    return doc


def packing_list(s: Shipment, lang: str) -> Doc:
    doc = _common(s, DocumentKind.PACKING_LIST, lang)
    pk = selectors.packing_of(s)
    _head(doc, s, lang)
    doc.columns = [
        Col("carton_nos", label("carton_nos", lang), "text", 11),
        Col("order", label("order", lang), "text", 16),
        Col("description", label("description", lang), "text", 32),
        Col("per_carton", label("per_carton", lang), "num", 9),
        Col("cartons", label("cartons", lang), "num", 9),
        Col("qty", label("qty", lang), "num", 11),
        Col("nw", label("nw", lang), "num", 11),
        Col("gw", label("gw", lang), "num", 11),
        Col("cbm", label("cbm", lang), "num", 11),
    ]
    part = text("part_carton", lang)
    for line in pk.lines:
        sl = line.key
        ol = sl.order_line
        nos = f"{line.carton_from}-{line.carton_to}" if line.cartons > 1 else str(line.carton_from or "—")
        description = f"{ol.product.code} {_description(ol.product, lang)}"
        if line.has_part_carton and "cartons" not in line.overridden:
            description += f"\n({part}: {fmt_qty(line.part_units)} {ol.unit})"
        doc.rows.append(
            {
                "carton_nos": _cell(nos),
                "order": _cell(ol.order.number),
                "description": _cell(description),
                "per_carton": _cell(str(ol.product.units_per_carton), ol.product.units_per_carton),
                "cartons": _cell(str(line.cartons), line.cartons),
                "qty": _cell(f"{fmt_qty(line.quantity)} {ol.unit}", line.quantity),
                "nw": _cell(fmt_fixed(line.net_kg, 3), line.net_kg),
                "gw": _cell(fmt_fixed(line.gross_kg, 3), line.gross_kg),
                "cbm": _cell(fmt_fixed(line.cbm, 4), line.cbm),
            }
        )
    doc.totals = {
        "cartons": _cell(str(pk.total_cartons), pk.total_cartons),
        "nw": _cell(fmt_fixed(pk.total_net_kg, 3), pk.total_net_kg),
        "gw": _cell(fmt_fixed(pk.total_gross_kg, 3), pk.total_gross_kg),
        "cbm": _cell(fmt_fixed(pk.total_cbm, 4), pk.total_cbm),
    }
    _quantity_total(doc, s, pk.total_quantity, with_unit=True)
    doc.notes = [
        (label("total_packages", lang), f"{pk.total_cartons} CTNS"),
        (label("marks", lang), marks_text(s, pk.total_cartons)),
    ]
    if pk.suggestion is not None and s.mode in ("sea_fcl", "sea_lcl"):
        doc.notes.append((label("containers", lang), _containers(s, pk)))
    doc.signature = label("signature", lang)
    return doc


def _quantity_total(doc: Doc, s: Shipment, quantity: Decimal, *, with_unit: bool = False) -> None:
    """The total quantity, when every line counts in the same unit (pieces and sets do not add up)."""
    units = {sl.order_line.unit for sl in s.lines.all()}
    if len(units) == 1:
        shown = fmt_qty(quantity) + (f" {next(iter(units))}" if with_unit else "")
        doc.totals["qty"] = _cell(shown, quantity)


def _containers(s: Shipment, pk: Any) -> str:
    if s.container_count and s.container_type:
        return f"{s.container_count} × {s.container_type}"
    return pk.suggestion.text if pk.suggestion else "—"


def shipping_marks(s: Shipment, lang: str) -> Doc:
    doc = _common(s, DocumentKind.SHIPPING_MARKS, lang)
    pk = selectors.packing_of(s)
    doc.facts = [
        (label("invoice_no", lang), doc.number),
        (label("orders", lang), ", ".join(selectors.order_numbers(s))),
        (label("total_packages", lang), f"{pk.total_cartons} CTNS"),
    ]
    doc.marks = [(label("main_mark", lang), marks_text(s, pk.total_cartons))]
    seen = set()
    for line in pk.lines:
        product = line.key.order_line.product
        if product.pk in seen:
            continue
        seen.add(product.pk)
        side = "\n".join(
            [
                f"ITEM NO.: {product.code}",
                f"QTY: {product.units_per_carton} {line.key.order_line.unit.upper()}/CTN",
                f"N.W.: {fmt_fixed(product.net_weight_kg, 2)} KGS",
                f"G.W.: {fmt_fixed(product.gross_weight_kg, 2)} KGS",
                f"MEAS.: {fmt_qty(product.carton_length_cm)} × {fmt_qty(product.carton_width_cm)} × "
                f"{fmt_qty(product.carton_height_cm)} CM",
            ]
        )
        doc.marks.append((label("side_mark", lang) + [product.code], side))
    return doc


def _goods(s: Shipment, lang: str, pk: Any) -> str:
    """The goods as a B/L or CO describes them: one line per product with its HS code."""
    rows = []
    for line in pk.lines:
        product = line.key.order_line.product
        rows.append(f"{pick(product.name, product.name_en, lang)} · HS {product.hs_code or '—'} · {line.cartons} CTNS")
    return "\n".join(rows)


def bl_instructions(s: Shipment, lang: str) -> Doc:
    doc = _common(s, DocumentKind.BL_INSTRUCTIONS, lang)
    pk = selectors.packing_of(s)
    doc.parties = [
        (label("shipper", lang), doc.company["block"]),
        (label("consignee", lang), s.consignee or "TO ORDER"),
        (label("notify", lang), s.notify_party or "SAME AS CONSIGNEE"),
    ]
    freight = "prepaid" if s.incoterm in PREPAID_TERMS else "collect"
    doc.facts = [
        (label("booking", lang), s.booking_no or "—"),
        (label("invoice_no", lang), doc.number),
        *_transport_facts(s, lang),
        (label("containers", lang), _containers(s, pk)),
        (label("freight", lang), text(freight, lang)),
        (label("originals", lang), "3/3"),
    ]
    doc.columns = [
        Col("marks", label("marks", lang), "text", 26),
        Col("packages", label("packages", lang), "text", 16),
        Col("description", label("description", lang), "text", 40),
        Col("gw", label("gw", lang), "num", 12),
        Col("cbm", label("cbm", lang), "num", 12),
    ]
    doc.rows.append(
        {
            "marks": _cell(marks_text(s, pk.total_cartons)),
            "packages": _cell(f"{pk.total_cartons} CARTONS", pk.total_cartons),
            "description": _cell(_goods(s, lang, pk)),
            "gw": _cell(fmt_fixed(pk.total_gross_kg, 3), pk.total_gross_kg),
            "cbm": _cell(fmt_fixed(pk.total_cbm, 3), pk.total_cbm),
        }
    )
    doc.signature = label("signature", lang)
    return doc


def co_application(s: Shipment, lang: str) -> Doc:
    doc = _common(s, DocumentKind.CO_APPLICATION, lang)
    pk = selectors.packing_of(s)
    route = f"{pick(*MODE_LABELS[s.mode], lang)}: {s.port_of_loading or '—'} → {s.port_of_discharge or '—'}"
    if s.vessel_voyage:
        route += f" · {s.vessel_voyage}"
    if s.etd:
        route += f" · {s.etd.isoformat()}"
    doc.parties = [
        (label("shipper", lang), doc.company["block"]),
        (label("consignee", lang), s.consignee or _customer_block(s, lang)),
    ]
    doc.facts = [
        (label("form", lang), text(s.co_form, lang)),
        (label("invoice_no", lang), doc.number),
        (label("invoice_date", lang), doc.date),
        (label("origin", lang), text("china", lang)),
        (label("destination", lang), s.customer.country),
        (label("transport", lang), route),
    ]
    doc.columns = [
        Col("no", label("no", lang), "num", 6),
        Col("description", label("description", lang), "text", 36),
        Col("hs", label("hs", lang), "text", 11),
        Col("qty", label("qty", lang), "num", 12),
        Col("unit", label("unit", lang), "text", 6),
        Col("cartons", label("cartons", lang), "num", 9),
        Col("gw", label("gw", lang), "num", 12),
    ]
    for i, line in enumerate(pk.lines, start=1):
        ol = line.key.order_line
        doc.rows.append(
            {
                "no": _cell(str(i), i),
                "description": _cell(_description(ol.product, lang)),
                "hs": _cell(ol.product.hs_code),
                "qty": _cell(fmt_qty(line.quantity), line.quantity),
                "unit": _cell(ol.unit),
                "cartons": _cell(str(line.cartons), line.cartons),
                "gw": _cell(fmt_fixed(line.gross_kg, 3), line.gross_kg),
            }
        )
    doc.totals = {
        "cartons": _cell(str(pk.total_cartons), pk.total_cartons),
        "gw": _cell(fmt_fixed(pk.total_gross_kg, 3), pk.total_gross_kg),
    }
    _quantity_total(doc, s, pk.total_quantity)
    doc.notes = [
        (label("marks", lang), marks_text(s, pk.total_cartons)),
        (label("origin_criterion", lang), text("wholly_obtained", lang)),
        (label("declaration", lang), text("we_declare", lang)),
    ]
    doc.signature = label("signature", lang)
    return doc


BUILDERS = {
    DocumentKind.COMMERCIAL_INVOICE: commercial_invoice,
    DocumentKind.PACKING_LIST: packing_list,
    DocumentKind.SHIPPING_MARKS: shipping_marks,
    DocumentKind.BL_INSTRUCTIONS: bl_instructions,
    DocumentKind.CO_APPLICATION: co_application,
}


def build(shipment_id: int, kind: str, lang: str) -> Doc:
    """The document `kind` of the shipment in `lang` (en, zh, both); the invoice number is issued if it has none."""
    if kind not in BUILDERS:
        raise ValueError(kind)
    if lang not in LANGS:
        raise ValueError(lang)
    return BUILDERS[kind](selectors.shipment(shipment_id), lang)


DOCUMENT_CSS = Path(__file__).resolve().parent / "templates" / "shipping" / "documents" / "document.css"


def pdf_of(doc: Doc) -> bytes:
    from gendan.core.documents import pdf_from_template

    return pdf_from_template(
        "shipping/documents/document.html",
        {"doc": doc, "zh": doc.lang != "en", "total_label": label("total", doc.lang)},
        language=UI_LANGUAGE[doc.lang],
        base_dir=Path(__file__).resolve().parent,
        stylesheets=(DOCUMENT_CSS,),
    )


def xlsx_of(doc: Doc) -> bytes:
    """The document as one sheet: the title, the parties and facts, the table with typed numbers, the totals (the
    sums of the rows, as values), the notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = " ".join(doc.title)[:31].replace("/", "-")
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    ws.append([doc.company["name"]])
    ws["A1"].font = Font(bold=True, size=14)
    if doc.company["address"] or doc.company["contact"]:
        ws.append([" · ".join(p for p in (doc.company["address"], doc.company["contact"]) if p)])
    ws.append([" / ".join(doc.title)])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True, size=13)
    ws.append([])
    for lab, value in doc.parties:
        ws.append([" / ".join(lab), value])
        ws.cell(row=ws.max_row, column=1).font = bold
        ws.cell(row=ws.max_row, column=2).alignment = wrap
    for lab, value in doc.facts:
        ws.append([" / ".join(lab), value])
        ws.cell(row=ws.max_row, column=1).font = bold
    ws.append([])
    if doc.columns:
        ws.append([" / ".join(c.label) for c in doc.columns])
        header_row = ws.max_row
        fill = PatternFill("solid", fgColor="DDE7F3")
        thin = Side(style="thin", color="999999")
        for idx in range(1, len(doc.columns) + 1):
            cell = ws.cell(row=header_row, column=idx)
            cell.font, cell.fill, cell.alignment = bold, fill, wrap
            cell.border = Border(bottom=thin)
        for row in doc.rows:
            ws.append([row[c.key][1] if c.key in row else None for c in doc.columns])
            for idx in range(1, len(doc.columns) + 1):
                ws.cell(row=ws.max_row, column=idx).alignment = wrap
        if doc.totals:
            values = [doc.totals[c.key][1] if c.key in doc.totals else None for c in doc.columns]
            first_text = next(i for i, c in enumerate(doc.columns) if c.key not in doc.totals)
            values[first_text] = " / ".join(label("total", doc.lang))
            ws.append(values)
            for idx in range(1, len(doc.columns) + 1):
                ws.cell(row=ws.max_row, column=idx).font = bold
        for idx, col in enumerate(doc.columns, start=1):
            ws.column_dimensions[get_column_letter(idx)].width = col.width
            fmt = {"qty": "#,##0.###", "nw": "#,##0.000", "gw": "#,##0.000", "cbm": "#,##0.0000"}.get(col.key)
            if col.key == "price":
                fmt = "#,##0.00##"
            elif col.key == "amount":
                fmt = "#,##0" if places(doc.currency) == 0 else "#,##0.00"
            if fmt:
                for (cell,) in ws.iter_rows(min_row=header_row + 1, min_col=idx, max_col=idx):
                    if isinstance(cell.value, int | float | Decimal):
                        cell.number_format = fmt
    else:
        ws.column_dimensions["A"].width = 26
        ws.column_dimensions["B"].width = 60
    ws.append([])
    for lab, value in [*doc.marks, *doc.notes]:
        ws.append([" / ".join(lab), value])
        ws.cell(row=ws.max_row, column=1).font = bold
        ws.cell(row=ws.max_row, column=2).alignment = wrap
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render_pdf(shipment_id: int, kind: str, lang: str) -> bytes:
    return pdf_of(build(shipment_id, kind, lang))


def render_xlsx(shipment_id: int, kind: str, lang: str) -> bytes:
    return xlsx_of(build(shipment_id, kind, lang))
