"""API plumbing shared by every router: authentication, error mapping, permission helpers."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from gendan.core.exceptions import (
    Conflict,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationError,
)
from gendan.core.services import user_for_token


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
            if user.language and "HTTP_ACCEPT_LANGUAGE" not in request.META:
                # messages in the token owner's language unless the client asks for one
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
        return user


AUTH = [BearerToken(), SessionAuth()]


def require_perm(request: HttpRequest, perm: str) -> None:
    """403 naming the missing permission."""
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("Your role lacks the permission %(perm)s.") % {"perm": perm})


def register_error_handlers(api: NinjaAPI) -> None:
    """Map Gendan's domain exceptions to HTTP once, for every router."""

    @api.exception_handler(ValidationError)
    def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        detail = [
            {"loc": ["body", field] if field != "__all__" else ["body"], "msg": msg, "type": "value_error"}
            for field, msgs in exc.errors.items()
            for msg in msgs
        ]
        return api.create_response(request, {"detail": detail}, status=422)

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(request, {"detail": exc.message}, status=403)

    @api.exception_handler(NotFound)
    def _not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
        return api.create_response(request, {"detail": exc.message or _("Not found.")}, status=404)

    @api.exception_handler(Conflict)
    def _conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
        if isinstance(exc, StaleVersion):
            body["current_version"] = exc.current_version
        body.update(getattr(exc, "extra", {}))  # figures a conflict carries (e.g. the overloads of a plan edit)
        return api.create_response(request, body, status=409)

    @api.exception_handler(AuthenticationError)
    def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request, {"detail": _("Authentication required: send a valid bearer token.")}, status=401
        )
