from typing import Any

from django.http import HttpRequest

from gendan.core.notifications import unread_count


def gendan(request: HttpRequest) -> dict[str, Any]:
    """The unread inbox count for the page header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
