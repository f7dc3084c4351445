"""The quotation as the customer receives it: a PDF on the company's letterhead, in English or Chinese (WeasyPrint).

It shows the products with their quantities and prices, the quantity breaks, the totals, the validity and the terms
— never the cost build-up. The labels are the document's own (Chinese or English), not the UI's translations, so
the document reads the same whoever prints it.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

from gendan.core.documents import company_name, pdf_from_template
from gendan.core.money import places
from gendan.quotations import selectors
from gendan.quotations.models import Quotation

LANGS = ("en", "zh")
UI_LANGUAGE = {"en": "en", "zh": "zh-hans"}
DOCUMENT_CSS = Path(__file__).resolve().parent / "templates" / "quotations" / "documents" / "quotation.css"

# key: (中文, English)
LABELS: dict[str, tuple[str, str]] = {
    "title": ("报价单", "QUOTATION"),
    "to": ("客户", "To"),
    "from": ("报价人", "From"),
    "attn": ("联系人", "Attn."),
    "number": ("报价单号", "Quotation No."),
    "date": ("报价日期", "Date"),
    "valid_until": ("有效期至", "Valid until"),
    "currency": ("币种", "Currency"),
    "terms": ("贸易术语", "Terms of delivery"),
    "payment": ("付款方式", "Terms of payment"),
    "lead_time": ("交货期", "Delivery"),
    "revision": ("版本", "Revision"),
    "no": ("序号", "No."),
    "item": ("货号", "Item"),
    "description": ("品名及规格", "Description"),
    "qty": ("数量", "Quantity"),
    "unit": ("单位", "Unit"),
    "price": ("单价", "Unit price"),
    "amount": ("金额", "Amount"),
    "break": ("数量阶梯价", "Quantity break"),
    "total": ("合计", "TOTAL"),
    "remarks": ("备注", "Remarks"),
    "conditions": ("报价条款", "Conditions"),
    "signature": ("签字盖章", "Authorised signature"),
    "breaks_note": (
        "阶梯价: 订购数量达到所列数量时适用对应单价。",
        "Quantity breaks: the unit price of the largest listed quantity not above the quantity ordered applies.",
    ),
}


def label(key: str, lang: str) -> str:
    zh, en = LABELS[key]
    return zh if lang == "zh" else en


def pick(zh: str, en: str, lang: str) -> str:
    """A name in the document's language (the other one when it has none)."""
    return (en or zh) if lang == "en" else (zh or en)


def fmt_qty(value: Decimal) -> str:
    number = Decimal(value).normalize()
    return format(number.quantize(Decimal(1)) if number == number.to_integral_value() else number, ",f")


def fmt_price(value: Decimal, currency: str) -> str:
    """A unit price with the currency's places, more when it has them (a typed 0.1235 stays 0.1235)."""
    number = Decimal(value).normalize()
    decimals = min(max(places(currency), -number.as_tuple().exponent), 4)
    return format(Decimal(value).quantize(Decimal(1).scaleb(-decimals)), f",.{decimals}f")


def fmt_amount(value: Decimal, currency: str) -> str:
    decimals = places(currency)
    return format(Decimal(value).quantize(Decimal(1).scaleb(-decimals)), f",.{decimals}f")


def letterhead(lang: str) -> dict[str, str]:
    """The company's name, address, phone and e-mail from the settings (the English ones in English)."""
    zh_name = settings.GENDAN_COMPANY_NAME or company_name("zh-hans")
    en_name = settings.GENDAN_COMPANY_NAME_EN or settings.GENDAN_COMPANY_NAME or company_name("en")
    address = pick(settings.GENDAN_COMPANY_ADDRESS, settings.GENDAN_COMPANY_ADDRESS_EN, lang)
    contact = " · ".join(
        p
        for p in (
            f"Tel {settings.GENDAN_COMPANY_PHONE}" if settings.GENDAN_COMPANY_PHONE else "",
            settings.GENDAN_COMPANY_EMAIL,
        )
        if p
    )
    return {"name": pick(zh_name, en_name, lang), "address": address, "contact": contact}


@dataclass
class Row:
    no: str
    item: str
    description: str
    qty: str
    unit: str
    price: str
    amount: str
    kind: str = "line"  # line, break


@dataclass
class Sheet:
    lang: str
    number: str
    company: dict[str, str]
    customer: str
    sender: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    total: str = ""
    currency: str = ""
    remarks: str = ""
    conditions: list[str] = field(default_factory=list)
    has_breaks: bool = False

    def label(self, key: str) -> str:
        return label(key, self.lang)


def _unit(unit: str, lang: str) -> str:
    from django.utils import translation

    from gendan.catalog.choices import Unit

    with translation.override(UI_LANGUAGE[lang]):
        return str(dict(Unit.choices).get(unit, unit))


def build(quotation_id: int, lang: str) -> Sheet:
    """The document's content in `lang` (en or zh)."""
    q = selectors.get_quotation(quotation_id)
    lines = selectors.lines_of(q)
    customer = q.customer
    parts = [pick(customer.name, customer.name_en, lang)]
    if customer.address:
        parts.append(customer.address)
    if q.contact_id:
        contact = f"{label('attn', lang)} {q.contact.name}"
        if q.contact.email:
            contact += f" · {q.contact.email}"
        parts.append(contact)
    person = q.salesperson
    sender = "\n".join(
        p for p in (person.get_full_name() or person.username, person.email, letterhead(lang)["name"]) if p
    )
    terms = f"{q.incoterm} {q.incoterm_place}".strip()
    if lang == "zh":
        lead = f"订单确认后 {q.lead_time_days} 天"
    else:
        lead = f"{q.lead_time_days} days after order confirmation"
    facts = [
        (label("number", lang), q.number),
        (label("date", lang), q.quote_date.isoformat()),
        (label("valid_until", lang), q.valid_until.isoformat()),
        (label("currency", lang), q.currency),
        (label("terms", lang), terms),
        (label("payment", lang), q.payment_terms or "—"),
        (label("lead_time", lang), lead),
    ]
    if q.revision > 1:
        facts.append((label("revision", lang), f"R{q.revision}"))
    rows: list[Row] = []
    has_breaks = False
    for n, line in enumerate(lines, start=1):
        product = line.product
        name = line.description or pick(product.name, product.name_en, lang)
        description = f"{name}\n{product.spec}" if product.spec and not line.description else name
        unit = _unit(product.unit, lang)
        rows.append(
            Row(
                no=str(n),
                item=product.code,
                description=description,
                qty=fmt_qty(line.quantity),
                unit=unit,
                price=fmt_price(line.quoted_price, q.currency),
                amount=fmt_amount(line.amount, q.currency),
            )
        )
        for brk in line.breaks.all():
            has_breaks = True
            rows.append(
                Row(
                    no="",
                    item="",
                    description=label("break", lang),
                    qty=f"≥ {fmt_qty(brk.quantity)}",
                    unit=unit,
                    price=fmt_price(brk.unit_price, q.currency),
                    amount="",
                    kind="break",
                )
            )
    if lang == "zh":
        conditions = [f"本报价有效期至 {q.valid_until.isoformat()}。", f"价格以 {q.currency} 计, {terms}。"]
    else:
        conditions = [
            f"This quotation is valid until {q.valid_until.isoformat()}.",
            f"Prices are in {q.currency}, {terms}.",
        ]
    if has_breaks:
        conditions.append(label("breaks_note", lang))
    return Sheet(
        lang=lang,
        number=q.number,
        company=letterhead(lang),
        customer="\n".join(parts),
        sender=sender,
        facts=facts,
        rows=rows,
        total=fmt_amount(q.total_amount, q.currency),
        currency=q.currency,
        remarks=q.remarks,
        conditions=conditions,
        has_breaks=has_breaks,
    )


def quotation_pdf(quotation_id: int, lang: str) -> bytes:
    """The quotation as a PDF in `lang` (en or zh)."""
    sheet = build(quotation_id, lang)
    context: dict[str, Any] = {"sheet": sheet, "L": {k: label(k, lang) for k in LABELS}}
    return pdf_from_template(
        "quotations/documents/quotation.html",
        context,
        language=UI_LANGUAGE[lang],
        base_dir=Path(__file__).resolve().parent,
        stylesheets=(DOCUMENT_CSS,),
    )


def filename(quotation: Quotation, lang: str) -> str:
    return f"{quotation.number}-{lang}.pdf"
