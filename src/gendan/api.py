"""The one NinjaAPI: every app's router under /api/v1/."""

from ninja import NinjaAPI

from gendan.core.apiutils import AUTH, register_error_handlers

api = NinjaAPI(
    title="Gendan API",
    version="1",
    description="Order follow-up (跟单): master data, orders, contract review. Authenticate with "
    "`POST /api/v1/auth/token`, then send `Authorization: Bearer <token>`.",
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
)
register_error_handlers(api)

api.add_router("", "gendan.core.api.router")
api.add_router("", "gendan.partners.api.router")
api.add_router("", "gendan.catalog.api.router")
api.add_router("", "gendan.sales.api.router")
api.add_router("", "gendan.followup.api.router")
api.add_router("", "gendan.inventory.api.router")
api.add_router("", "gendan.samples.api.router")
api.add_router("", "gendan.quality.api.router")
api.add_router("", "gendan.procurement.api.router")
api.add_router("", "gendan.production.api.router")
api.add_router("", "gendan.shipping.api.router")
api.add_router("", "gendan.finance.api.router")
api.add_router("", "gendan.office.api.router")
api.add_router("", "gendan.relations.api.router")
api.add_router("", "gendan.quotations.api.router")
api.add_router("", "gendan.service.api.router")
api.add_router("", "gendan.reports.api.router")
api.add_router("", "gendan.foresight.api.router")
