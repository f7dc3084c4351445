"""The foresight API: `GET /api/v1/foresight?from=&to=&method=` (see `gendan.foresight.selectors` for the
definitions). Needs `foresight.view_report`; a bad date, an unknown method or a period that ends before it starts is a
422 naming the parameter.

The learned delay profiles of suppliers and work centres (`gendan.foresight.profiles`):
`GET /api/v1/suppliers/{id}/delay-profile` (with the right to see the supplier) and
`GET /api/v1/work-centres/{id}/delay-profile` (with the right to see the work centre); 404 for an unknown id."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as RequestInvalid

from gendan.catalog import selectors as catalog
from gendan.core.apiutils import require_perm
from gendan.core.exceptions import ValidationError
from gendan.foresight import selectors
from gendan.foresight.profiles import DelayProfile, delay_profile
from gendan.foresight.schemas import ForesightOut, SupplierDelayProfileOut, WorkCentreDelayProfileOut
from gendan.partners import selectors as partners

router = Router(tags=["foresight"])


class ForesightQuery(Schema):
    date_from: str = Field("", alias="from", description="YYYY-MM-DD (default: six months before `to`)")
    date_to: str = Field("", alias="to", description="YYYY-MM-DD (default: today)")
    method: str = Field("plan", description="plan or learned")


@router.get("/foresight", response=ForesightOut)
def foresight(request: HttpRequest, q: Query[ForesightQuery]):
    """How far ahead the risk flags warned of the orders that shipped late, and the false alarms, over the orders
    committed to leave the factory in the period."""
    require_perm(request, "foresight.view_report")
    try:
        start, end, method = selectors.parse_params(start=q.date_from, end=q.date_to, method=q.method)
    except ValidationError as exc:
        raise RequestInvalid(
            [
                {"loc": ["query", name], "msg": message, "type": "value_error"}
                for name, messages in exc.errors.items()
                for message in messages
            ]
        ) from exc
    return selectors.foresight_report(start=start, end=end, method=method).as_dict()


def profile_dict(profile: DelayProfile) -> dict[str, Any]:
    """A delay profile in the API's shape (without the id of its source)."""
    return {
        "p10": profile.p10,
        "p50": profile.p50,
        "p90": profile.p90,
        "sample_size": profile.sample_size,
        "weight": profile.weight,
        "mean": profile.mean,
        "on_time_share": profile.on_time_share,
        "pooled": {
            "p10": profile.pooled.p10,
            "p50": profile.pooled.p50,
            "p90": profile.pooled.p90,
            "sample_size": profile.pooled.sample_size,
        },
        "histogram": [{"days": b.days, "count": b.count} for b in profile.histogram],
        "window": {"from": profile.window_from, "to": profile.window_to},
    }


@router.get("/suppliers/{supplier_id}/delay-profile", response=SupplierDelayProfileOut, by_alias=True)
def supplier_delay_profile(request: HttpRequest, supplier_id: int):
    """How late the supplier's deliveries run against its first promise, learned from the history of the learning
    window: quantiles shrunk towards every supplier's history, its own observations by days late."""
    require_perm(request, "partners.view_supplier")
    supplier = partners.supplier_detail(pk=supplier_id)
    return {"supplier_id": supplier.pk, **profile_dict(delay_profile("supplier", supplier.pk))}


@router.get("/work-centres/{work_centre_id}/delay-profile", response=WorkCentreDelayProfileOut, by_alias=True)
def work_centre_delay_profile(request: HttpRequest, work_centre_id: int):
    """How late the production milestones of the orders made at the work centre run, learned from the history of
    the learning window: quantiles shrunk towards every work centre's history, its own observations by days late."""
    require_perm(request, "catalog.view_workcentre")
    centre = catalog.work_centre_detail(pk=work_centre_id)
    return {"work_centre_id": centre.pk, **profile_dict(delay_profile("work_centre", centre.pk))}
