"""The foresight API: `GET /api/v1/foresight?from=&to=&method=` (see `gendan.foresight.selectors` for the
definitions). Needs `foresight.view_report`; a bad date, an unknown method or a period that ends before it starts is a
422 naming the parameter."""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as RequestInvalid

from gendan.core.apiutils import require_perm
from gendan.core.exceptions import ValidationError
from gendan.foresight import selectors
from gendan.foresight.schemas import ForesightOut

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
