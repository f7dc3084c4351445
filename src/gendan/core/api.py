"""Core endpoints: tokens, users, departments, the caller's inbox."""

from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from gendan.core import notifications, selectors, services
from gendan.core.apiutils import require_perm
from gendan.core.schemas import (
    CalendarIO,
    DepartmentOut,
    Message,
    NotificationOut,
    TokenIn,
    TokenInfo,
    TokenOut,
    UserOut,
)

router = Router(tags=["users and tokens"])


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: Message, 429: Message})
def token_create(request: HttpRequest, data: TokenIn):
    """Exchange a username and password for a bearer token (shown once; stored hashed)."""
    try:
        user = authenticate(request, username=data.username, password=data.password)
    except AxesBackendPermissionDenied:
        return Status(429, {"detail": _("Too many failed attempts; try again in 15 minutes.")})
    if user is None or getattr(request, "axes_locked_out", False):
        if getattr(request, "axes_locked_out", False):
            return Status(429, {"detail": _("Too many failed attempts; try again in 15 minutes.")})
        return Status(401, {"detail": _("Wrong username or password.")})
    token, key = services.create_token(user=user, name=data.name)
    return Status(200, {"token": key, "id": token.id, "expires_at": token.expires_at})


@router.get("/auth/tokens", response=list[TokenInfo])
def token_list(request: HttpRequest):
    """The caller's tokens (never their secrets)."""
    return list(selectors.tokens_of(request.user))


@router.delete("/auth/tokens/{token_id}", response=TokenInfo)
def token_revoke(request: HttpRequest, token_id: int):
    return services.revoke_token(token_id=token_id, by=request.user)


@router.get("/users", response=list[UserOut])
@paginate
def user_list(request: HttpRequest, q: str = "", role: str = "", department: str = ""):
    """Active users, for look-ups (owners, merchandisers, assignees)."""
    return selectors.user_list(q=q, role=role, department=department)


@router.get("/users/me", response=UserOut)
def user_me(request: HttpRequest):
    return request.user


@router.get("/departments", response=list[DepartmentOut])
def department_list(request: HttpRequest):
    return list(selectors.department_list())


@router.get("/notifications", response=list[NotificationOut])
@paginate
def notification_list(request: HttpRequest, unread: bool = False):
    qs = notifications.inbox_for(request.user)
    return qs.filter(read_at__isnull=True) if unread else qs


@router.post("/notifications/read", response=dict)
def notification_read_all(request: HttpRequest):
    return {"marked": notifications.mark_read(user=request.user)}


@router.post("/notifications/{notification_id}/read", response=dict)
def notification_read(request: HttpRequest, notification_id: int):
    return {"marked": notifications.mark_read(user=request.user, notification_id=notification_id)}


def _calendar_out() -> dict:
    from gendan.core.models import CalendarDay, CompanySettings

    days = list(CalendarDay.objects.order_by("date").values("date", "name", "kind"))
    return {
        "rest_weekdays": CompanySettings.current().rest_weekdays,
        "holidays": [d for d in days if d["kind"] == CalendarDay.Kind.HOLIDAY],
        "working_days": [d for d in days if d["kind"] == CalendarDay.Kind.WORKING_DAY],
    }


@router.get("/calendar", response=CalendarIO, tags=["calendar"])
def calendar_get(request: HttpRequest):
    """The company's working calendar: every working-day count in Gendan uses it."""
    require_perm(request, "core.view_calendarday")
    return _calendar_out()


@router.put("/calendar", response=CalendarIO, tags=["calendar"])
def calendar_put(request: HttpRequest, data: CalendarIO):
    """Replace the working calendar whole (managers and production planning)."""
    services.set_calendar(
        by=request.user,
        rest_weekdays=data.rest_weekdays,
        holidays=[(d.date, d.name) for d in data.holidays],
        working_days=[(d.date, d.name) for d in data.working_days],
    )
    return _calendar_out()


@router.delete("/links/{link_id}", response=dict, tags=["links"])
def link_revoke(request: HttpRequest, link_id: int):
    """Withdraw an external link (a supplier's, a factory's...): it stops working at once. Needs the right to change
    the object it shows."""
    from gendan.core import links
    from gendan.core.exceptions import NotFound
    from gendan.core.models import ExternalLink

    link = ExternalLink.objects.select_related("content_type").filter(pk=link_id).first()
    if link is None:
        raise NotFound(_("There is no link %(id)s.") % {"id": link_id})
    require_perm(request, links.permission_for(link))
    links.revoke(link=link, by=request.user)
    return {"id": link.pk, "revoked_at": link.revoked_at}
