"""Generic create/update for services: validate, check the version, save, audit — in one transaction."""

from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction

from gendan.core import audit
from gendan.core.choices import AuditAction
from gendan.core.exceptions import StaleVersion, ValidationError
from gendan.core.models import User

M = TypeVar("M", bound=models.Model)


def from_django(exc: DjangoValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return ValidationError({k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()})
    return ValidationError({"__all__": list(exc.messages)})


def _as_decimal(value: Any, places: int) -> Any:
    """`value` as a Decimal padded to `places`; left as it is when it is not a number or has more places."""
    if isinstance(value, bool) or value is None:
        return value
    try:
        if isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, int | Decimal):
            number = Decimal(value)
        elif isinstance(value, str) and value.strip():
            number = Decimal(value.strip().replace(",", ""))
        else:
            return value
        if not number.is_finite() or number.normalize().as_tuple().exponent < -places:
            return number
        return number.quantize(Decimal(1).scaleb(-places))
    except (InvalidOperation, ValueError):
        return value


def normalise(model: type[models.Model], data: dict[str, Any]) -> dict[str, Any]:
    """Input values as the model stores them: text stripped, decimals padded to the field's places.

    Padding only (1.5 → 1.500): a value with too many places is left for validation to refuse, never rounded.
    Comparing stored and new values then shows no change where there is none.
    """
    result: dict[str, Any] = {}
    for name, value in data.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            result[name] = value
            continue
        if isinstance(field, models.DecimalField):
            value = _as_decimal(value, field.decimal_places)
        elif isinstance(field, models.CharField | models.TextField):
            if isinstance(value, str):
                value = value.strip()
            elif value is None and not field.null:
                value = ""  # JSON null for a text field means "empty"
        result[name] = value
    return result


def validate(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except DjangoValidationError as exc:
        raise from_django(exc) from exc


def check_version(instance: models.Model, version: int | None) -> None:
    """Raise StaleVersion when the caller read an older version than the one stored."""
    if version is not None and int(version) != instance.version:
        raise StaleVersion(instance.version)


@transaction.atomic
def create(model: type[M], *, data: dict[str, Any], by: User | None, audit_fields: list[str] | None = None) -> M:
    """Create a record from cleaned data, validating every field, and record it."""
    instance = model(**data)
    validate(instance)
    instance.save()
    audit.record_create(instance=instance, by=by, fields=audit_fields or list(data))
    return instance


@transaction.atomic
def update(
    instance: M,
    *,
    data: dict[str, Any],
    by: User | None,
    version: int | None,
    related: models.Model | None = None,
) -> tuple[M, dict[str, list[Any]]]:
    """Apply `data` to a locked, fresh copy of `instance`; returns it and the {field: [old, new]} changes."""
    locked = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    check_version(locked, version)
    fields = [f for f in data if f != "version"]
    before = audit.snapshot(locked, fields)
    for name, value in data.items():
        if name != "version":
            setattr(locked, name, value)
    validate(locked)
    after = audit.snapshot(locked, fields)
    changes = audit.diff(before, after)
    if changes:
        if hasattr(locked, "version"):
            locked.version += 1
        locked.save()
        audit.record(instance=locked, action=AuditAction.UPDATE, by=by, changes=changes, related=related)
    return locked, changes
