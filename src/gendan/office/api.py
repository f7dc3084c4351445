"""The office API."""

from ninja import Router

router = Router(tags=["Office"])
