"""Gendan's domain exceptions. Services raise them; the API and the pages map them once."""

from django.utils.translation import gettext as _


class GendanError(Exception):
    """Base of every domain error."""

    code = "error"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class ValidationError(GendanError):
    """Bad input. `errors` maps a field name (or "__all__") to a list of messages."""

    code = "invalid"

    def __init__(self, errors: dict[str, list[str] | str] | str, message: str = "") -> None:
        if isinstance(errors, str):
            errors = {"__all__": [errors]}
        self.errors: dict[str, list[str]] = {k: [v] if isinstance(v, str) else list(v) for k, v in errors.items()}
        text = message or "; ".join(f"{k}: {', '.join(v)}" for k, v in self.errors.items())
        super().__init__(text)


class PermissionDenied(GendanError):
    code = "permission_denied"


class NotFound(GendanError):
    code = "not_found"


class Conflict(GendanError):
    """Base of the 409 errors."""

    code = "conflict"


class StaleVersion(Conflict):
    """Somebody else saved the object since the caller read it."""

    code = "stale_version"

    def __init__(self, current_version: int, message: str = "") -> None:
        self.current_version = current_version
        super().__init__(
            message
            or _("This record was changed by someone else (now version %(v)s). Reload it and try again.")
            % {"v": current_version}
        )


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"


class InsufficientQuantity(Conflict, ValidationError):
    """Taking more than is available now (stock, a reservation, capacity): 409 in the API, a field error on pages."""

    code = "insufficient_quantity"

    def __init__(self, errors: dict[str, list[str] | str] | str, message: str = "") -> None:
        ValidationError.__init__(self, errors, message)
        if not message:
            self.message = "; ".join(m for msgs in self.errors.values() for m in msgs)
