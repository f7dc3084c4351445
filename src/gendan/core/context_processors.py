from typing import Any

from django.http import HttpRequest

from gendan.core.notifications import unread_count


def gendan(request: HttpRequest) -> dict[str, Any]:
    """The unread inbox count for the page header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # the order page renders each domain's section with the request: count once per request
    if not hasattr(request, "_gendan_unread"):
        request._gendan_unread = unread_count(user)  # type: ignore[attr-defined]
    return {"unread_notifications": request._gendan_unread}  # type: ignore[attr-defined]
