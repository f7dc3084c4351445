"""The customer relations API: visits and surveys."""

from ninja import Router

router = Router(tags=["Customer relations"])
