from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from gendan.api import api
from gendan.core.urls import auth_urlpatterns

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    *auth_urlpatterns,
    path("", include("gendan.core.urls")),
    path("partners/", include("gendan.partners.urls")),
    path("catalog/", include("gendan.catalog.urls")),
    path("orders/", include("gendan.sales.urls")),
    path("follow-up/", include("gendan.followup.urls")),
    path("inventory/", include("gendan.inventory.urls")),
    path("samples/", include("gendan.samples.urls")),
    path("quality/", include("gendan.quality.urls")),
    path("purchasing/", include("gendan.procurement.urls")),
    path("production/", include("gendan.production.urls")),
    path("shipping/", include("gendan.shipping.urls")),
    path("finance/", include("gendan.finance.urls")),
    path("office/", include("gendan.office.urls")),
    path("relations/", include("gendan.relations.urls")),
    path("quotations/", include("gendan.quotations.urls")),
    path("service/", include("gendan.service.urls")),
    path("reports/", include("gendan.reports.urls")),
    path("foresight/", include("gendan.foresight.urls")),
    path("s/", include("gendan.procurement.supplier_urls")),
    path("f/", include("gendan.production.factory_urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
