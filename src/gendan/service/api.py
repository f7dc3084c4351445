"""The service API."""

from ninja import Router

router = Router(tags=["Customer service"])
