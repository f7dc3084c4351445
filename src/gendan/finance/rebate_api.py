"""Verification (核销) and export tax rebate (退税) API: verifications per declaration, rebate rates, purchase VAT
invoices, their matches to customs lines, rebate claims and their steps, the rebates pending. Mounted on the finance
router (see `gendan.finance.api`)."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from gendan.core.apiutils import require_perm
from gendan.core.exceptions import NotFound
from gendan.core.money import round_money
from gendan.finance import rebates
from gendan.finance.models import PurchaseVatInvoice, RebateClaim, RebateRate, VatMatch
from gendan.finance.schemas import (
    ClaimIn,
    ClaimOut,
    ClaimPage,
    ClaimStepIn,
    PendingOut,
    RebateOut,
    RebateRateIn,
    RebateRateOut,
    RebateRatePatch,
    VatInvoiceIn,
    VatInvoiceOut,
    VatInvoicePatch,
    VatMatchIn,
    VerificationOut,
    VerificationPage,
)

router = Router(tags=["finance"])


def verification_dict(v: rebates.Verification) -> dict[str, Any]:
    d = v.declaration
    return {
        "declaration_id": d.pk,
        "declaration_no": d.declaration_no,
        "declaration_date": d.declaration_date,
        "shipment_id": d.shipment_id,
        "shipment_number": d.shipment.number,
        "customer_id": d.shipment.customer_id,
        "customer_code": d.shipment.customer.code,
        "currency": v.currency,
        "declared": v.declared,
        "collected_invoices": v.collected_invoices,
        "collected_deposits": v.collected_deposits,
        "collected": v.collected,
        "open": v.open_amount,
        "status": v.status,
    }


def _totals(rows: list[rebates.Verification]) -> list[dict[str, Any]]:
    return [
        {**t, **{k: round_money(t[k], t["currency"]) for k in ("declared", "collected", "open")}}
        for t in rebates.verification_totals(rows)
    ]


@router.get("/verifications", response=VerificationPage)
def verification_list(
    request: HttpRequest,
    customer_id: int | None = None,
    date_from: dt.date | None = Query(None, alias="from"),
    date_to: dt.date | None = Query(None, alias="to"),
    open_only: bool = False,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Export declarations (by declaration date, newest first) with what was declared, collected and is open, in
    the declaration's currency; `open_only` leaves out those fully collected. Totals per currency."""
    require_perm(request, "finance.view_invoice")
    rows = rebates.verifications(
        rebates.declarations(customer_id=customer_id, date_from=date_from, date_to=date_to), open_only=open_only
    )
    return {
        "items": [verification_dict(v) for v in rows[offset : offset + limit]],
        "count": len(rows),
        "totals": _totals(rows),
    }


@router.get("/verifications/{declaration_id}", response=VerificationOut)
def verification_detail(request: HttpRequest, declaration_id: int):
    require_perm(request, "finance.view_invoice")
    return verification_dict(rebates.verification(declaration_id))


# ---- rebate rates and VAT invoices --------------------------------------------------------------------------------


def rate_dict(r: RebateRate) -> dict[str, Any]:
    return {
        "id": r.pk,
        "hs_prefix": r.hs_prefix,
        "rate_pct": r.rate_pct,
        "valid_from": r.valid_from,
        "notes": r.notes,
        "version": r.version,
    }


@router.get("/rebate-rates", response=list[RebateRateOut])
def rate_list(request: HttpRequest):
    """Every rebate rate (a short list: a bare array), by HS prefix, latest first."""
    require_perm(request, "finance.view_rebaterate")
    return [rate_dict(r) for r in rebates.rebate_rates()]


@router.post("/rebate-rates", response={201: RebateRateOut})
def rate_create(request: HttpRequest, data: RebateRateIn):
    require_perm(request, "finance.add_rebaterate")
    return Status(201, rate_dict(rebates.create_rebate_rate(by=request.user, data=data.model_dump())))


@router.patch("/rebate-rates/{rate_id}", response=RebateRateOut)
def rate_update(request: HttpRequest, rate_id: int, data: RebateRatePatch):
    """Correct a rate (with `version`: 409 when someone changed it first)."""
    require_perm(request, "finance.change_rebaterate")
    found = RebateRate.objects.filter(pk=rate_id).first()
    if found is None:
        raise NotFound(_("There is no rebate rate %(id)s.") % {"id": rate_id})
    values = data.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    return rate_dict(rebates.update_rebate_rate(rate=found, by=request.user, data=values, version=version))


def vat_dict(i: Any) -> dict[str, Any]:
    matched = getattr(i, "matched", None)
    if matched is None:
        matched = sum((m.amount for m in i.matches.all()), rebates.ZERO)
    return {
        "id": i.pk,
        "version": i.version,
        "supplier_id": i.supplier_id,
        "supplier_code": i.supplier.code,
        "invoice_no": i.invoice_no,
        "invoice_date": i.invoice_date,
        "amount": i.amount,
        "vat_amount": i.vat_amount,
        "vat_rate": i.vat_rate,
        "hs_code": i.hs_code,
        "description": i.description,
        "matched": round_money(matched, "CNY"),
        "unmatched": round_money(i.amount - matched, "CNY"),
    }


@router.get("/vat-invoices", response=list[VatInvoiceOut])
def vat_list(
    request: HttpRequest,
    supplier_id: int | None = None,
    q: str = "",
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Purchase VAT invoices (增值税专用发票), newest first, with what is matched to customs lines."""
    require_perm(request, "finance.view_purchasevatinvoice")
    return [vat_dict(i) for i in rebates.vat_invoices(supplier_id=supplier_id, q=q)[offset : offset + limit]]


@router.post("/vat-invoices", response={201: VatInvoiceOut})
def vat_create(request: HttpRequest, data: VatInvoiceIn):
    require_perm(request, "finance.add_purchasevatinvoice")
    created = rebates.create_vat_invoice(by=request.user, data=data.model_dump())
    return Status(201, vat_dict(rebates.vat_invoices().get(pk=created.pk)))


@router.patch("/vat-invoices/{invoice_id}", response=VatInvoiceOut)
def vat_update(request: HttpRequest, invoice_id: int, data: VatInvoicePatch):
    """Correct a purchase VAT invoice: its amount never below what is matched; amount and VAT rate fixed once a
    claim using it is filed (422)."""
    require_perm(request, "finance.change_purchasevatinvoice")
    found = PurchaseVatInvoice.objects.filter(pk=invoice_id).first()
    if found is None:
        raise NotFound(_("There is no VAT invoice %(id)s.") % {"id": invoice_id})
    values = data.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    rebates.update_vat_invoice(invoice=found, by=request.user, data=values, version=version)
    return vat_dict(rebates.vat_invoices().get(pk=invoice_id))


# ---- rebates and claims -------------------------------------------------------------------------------------------


def rebate_dict(r: rebates.Rebate) -> dict[str, Any]:
    return {
        "declaration_id": r.declaration.pk,
        "currency": r.declaration.currency,
        "matched_amount": r.matched_amount,
        "matched_vat": r.matched_vat,
        "amount": r.amount,
        "lines": [
            {
                "customs_line_id": rl.line.pk,
                "position": rl.line.position,
                "hs_code": rl.line.hs_code,
                "declared_name": rl.line.declared_name,
                "value": rl.line.value,
                "rate_pct": rl.rate_pct,
                "rate_id": rl.rate.pk if rl.rate else None,
                "matched_amount": rl.matched_amount,
                "matched_value": rl.matched_value,
                "matches": [
                    {
                        "id": m.pk,
                        "vat_invoice_id": m.vat_invoice_id,
                        "vat_invoice_no": m.vat_invoice.invoice_no,
                        "customs_line_id": m.customs_line_id,
                        "amount": m.amount,
                        "line_value": m.line_value,
                        "vat_rate": m.vat_invoice.vat_rate,
                    }
                    for m in rl.matches
                ],
            }
            for rl in r.lines
        ],
    }


@router.get("/tax-rebates/declarations/{declaration_id}", response=RebateOut)
def rebate_detail(request: HttpRequest, declaration_id: int):
    """A declaration's rebate as computed now: per line its HS code's rate and the VAT invoices matched to it."""
    require_perm(request, "finance.view_rebateclaim")
    return rebate_dict(rebates.rebate_of(rebates.declaration(declaration_id)))


@router.post("/vat-matches", response={201: RebateOut})
def match_create(request: HttpRequest, data: VatMatchIn):
    """Match VAT invoices to a declaration's lines, all rows or none (422: above an invoice's amount or a line's
    value; 409: the claim is filed)."""
    require_perm(request, "finance.add_vatmatch")
    found = rebates.declaration(data.declaration_id)
    rebates.match_vat(declaration=found, by=request.user, rows=[r.model_dump() for r in data.rows])
    return Status(201, rebate_dict(rebates.rebate_of(found)))


@router.delete("/vat-matches/{match_id}", response={204: None})
def match_delete(request: HttpRequest, match_id: int):
    require_perm(request, "finance.delete_vatmatch")
    found = VatMatch.objects.select_related("customs_line").filter(pk=match_id).first()
    if found is None:
        raise NotFound(_("There is no VAT invoice match %(id)s.") % {"id": match_id})
    rebates.unmatch_vat(match=found, by=request.user)
    return HttpResponse(status=204)


def claim_dict(c: RebateClaim, computed: Any = None) -> dict[str, Any]:
    d = c.declaration
    return {
        "id": c.pk,
        "declaration_id": d.pk,
        "declaration_no": d.declaration_no,
        "declaration_date": d.declaration_date,
        "customer_code": d.shipment.customer.code,
        "status": c.status,
        "computed_amount": computed if computed is not None else rebates.rebate_of(d).amount,
        **{
            k: getattr(c, k)
            for k in (
                "filed_date",
                "filed_amount",
                "approved_date",
                "approved_amount",
                "approved_reason",
                "received_date",
                "received_amount",
                "received_reason",
                "notes",
                "version",
            )
        },
    }


@router.get("/tax-rebates", response=ClaimPage)
def claim_list(
    request: HttpRequest,
    status: str = "",
    date_from: dt.date | None = Query(None, alias="from"),
    date_to: dt.date | None = Query(None, alias="to"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
):
    """Tax rebate claims, newest first (period: the declaration date)."""
    require_perm(request, "finance.view_rebateclaim")
    qs = rebates.claims(status=status, date_from=date_from, date_to=date_to)
    items = list(qs[offset : offset + limit])
    computed = rebates.rebates([c.declaration for c in items])
    return {"items": [claim_dict(c, computed[c.declaration_id].amount) for c in items], "count": qs.count()}


@router.post("/tax-rebates", response={201: ClaimOut})
def claim_create(request: HttpRequest, data: ClaimIn):
    """Open a draft claim for a declaration (409 when it has one)."""
    require_perm(request, "finance.add_rebateclaim")
    found = rebates.declaration(data.declaration_id)
    created = rebates.create_claim(declaration=found, by=request.user, notes=data.notes)
    return Status(201, claim_dict(rebates.claim(created.pk)))


@router.get("/tax-rebates/pending", response=PendingOut)
def claim_pending(
    request: HttpRequest,
    date_from: dt.date | None = Query(None, alias="from"),
    date_to: dt.date | None = Query(None, alias="to"),
):
    """Rebates pending for declarations dated in the period: claims filed or approved, not received, and
    declarations with no claim yet."""
    require_perm(request, "finance.view_rebateclaim")
    data = rebates.pending(date_from=date_from, date_to=date_to)
    return {
        **data,
        "rows": [
            {
                "declaration_id": r["declaration"].pk,
                "declaration_no": r["declaration"].declaration_no,
                "declaration_date": r["declaration"].declaration_date,
                "customer_code": r["declaration"].shipment.customer.code,
                "claim_id": r["claim"].pk if r["claim"] else None,
                "status": r["status"],
                "amount": r["amount"],
            }
            for r in data["rows"]
        ],
    }


@router.get("/tax-rebates/{claim_id}", response=ClaimOut)
def claim_detail(request: HttpRequest, claim_id: int):
    require_perm(request, "finance.view_rebateclaim")
    return claim_dict(rebates.claim(claim_id))


def _step(request: HttpRequest, claim_id: int, step: str, data: ClaimStepIn) -> dict[str, Any]:
    require_perm(request, "finance.change_rebateclaim")
    values = data.model_dump()
    version = values.pop("version")
    rebates.STEPS[step](claim=rebates.claim(claim_id), by=request.user, data=values, version=version)
    return claim_dict(rebates.claim(claim_id))


@router.post("/tax-rebates/{claim_id}/file", response=ClaimOut)
def claim_file(request: HttpRequest, claim_id: int, data: ClaimStepIn):
    """File a draft claim: the amount claimed is the rebate computed now (409 unless draft)."""
    return _step(request, claim_id, "file", data)


@router.post("/tax-rebates/{claim_id}/approve", response=ClaimOut)
def claim_approve(request: HttpRequest, claim_id: int, data: ClaimStepIn):
    """The approved amount (default: claimed; a reason when it differs); 409 unless filed."""
    return _step(request, claim_id, "approve", data)


@router.post("/tax-rebates/{claim_id}/receive", response=ClaimOut)
def claim_receive(request: HttpRequest, claim_id: int, data: ClaimStepIn):
    """The rebate received (default: the approved amount; a reason when it differs); 409 unless approved."""
    return _step(request, claim_id, "receive", data)
