"""The quotations API."""

from ninja import Router

router = Router(tags=["Quotations"])
