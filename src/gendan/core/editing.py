"""Generic create/update for services: validate, check the version, save, audit — in one transaction."""

from typing import Any, TypeVar

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
