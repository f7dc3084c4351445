"""The audit trail: one ObjectChange per write, recorded by services in their transaction."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from gendan.core import clock
from gendan.core.choices import AuditAction
from gendan.core.models import ObjectChange, User


def plain(value: Any) -> Any:
    """A JSON-friendly form of a field value, for the change record."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The current values of `fields` (foreign keys by their string form)."""
    data: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.is_relation:
            data[name] = str(getattr(instance, name)) if getattr(instance, field.attname) is not None else None
        else:
            data[name] = plain(getattr(instance, name))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for each field whose value changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def record(
    *,
    instance: models.Model,
    action: str,
    by: User | None,
    changes: dict[str, Any] | None = None,
    message: str = "",
    related: models.Model | None = None,
    actor: str = "",
) -> ObjectChange:
    """Write one change record. `by` None means the system (a task or the CLI without a user), or the outside party
    named by `actor` (a supplier acting through its link)."""
    change = ObjectChange(
        time=clock.now(),
        user=by,
        user_name=by.username if by else (actor[:150] or "system"),
        action=action,
        content_type=ContentType.objects.get_for_model(instance),
        object_id=instance.pk,
        object_repr=str(instance)[:200],
        changes=plain(changes or {}),
        message=message,
    )
    if related is not None:
        change.related_content_type = ContentType.objects.get_for_model(related)
        change.related_object_id = related.pk
    change.save()
    return change


def record_create(*, instance: models.Model, by: User | None, fields: list[str], **kw: Any) -> ObjectChange:
    after = snapshot(instance, fields)
    return record(
        instance=instance,
        action=AuditAction.CREATE,
        by=by,
        changes={k: [None, v] for k, v in after.items() if v not in (None, "")},
        **kw,
    )


def history_for(instance: models.Model, *, limit: int = 200) -> models.QuerySet[ObjectChange]:
    """The object's changes and its children's (newest first)."""
    ct = ContentType.objects.get_for_model(instance)
    return (
        ObjectChange.objects.filter(
            models.Q(content_type=ct, object_id=instance.pk)
            | models.Q(related_content_type=ct, related_object_id=instance.pk)
        )
        .select_related("content_type")
        .order_by("-time", "-id")[:limit]
    )
