"""Core writes: users, API tokens, attachments, language."""

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils.translation import gettext as _

from gendan.core import audit, clock
from gendan.core.choices import AuditAction, Role
from gendan.core.exceptions import NotFound, PermissionDenied, ValidationError
from gendan.core.models import ApiToken, Attachment, Department, User
from gendan.core.roles import department_for_role

TOKEN_PREFIX = "gdn_"
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str,
    role: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    department_code: str | None = None,
    language: str = "zh-hans",
    validate: bool = True,
    by: User | None = None,
) -> User:
    """Create a user with one role (a group) and a department (the role's, unless given)."""
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = [
            _("Unknown role %(role)s; choose one of %(roles)s.") % {"role": role, "roles": ", ".join(Role.values)}
        ]
    if not username or User.objects.filter(username=username).exists():
        errors["username"] = [_("This username is taken or empty.")]
    candidate = User(username=username, email=email, first_name=first_name, last_name=last_name)
    if validate and "username" not in errors:
        try:
            validate_password(password, candidate)
        except DjangoValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    code = department_code or department_for_role(role)
    candidate.department = Department.objects.filter(code=code).first()
    candidate.language = language
    candidate.is_staff = role == Role.ADMIN
    candidate.is_superuser = role == Role.ADMIN
    candidate.set_password(password)
    candidate.save()
    candidate.groups.add(Group.objects.get_or_create(name=role)[0])
    audit.record_create(instance=candidate, by=by, fields=["username", "email", "department"], message=role)
    return candidate


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def create_token(*, user: User, name: str, expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """A new API token for `user`; returns the row and the secret, which is shown once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the script that uses it.")})
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=key[: len(TOKEN_PREFIX) + 6], key_hash=hash_token(key), expires_at=expires_at
    )
    audit.record(instance=token, action=AuditAction.CREATE, by=user, changes={"name": [None, token.name]})
    return token, key


def user_for_token(key: str) -> User | None:
    """The active user a bearer token belongs to, or None. Marks the token used at most once a minute."""
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(key), revoked_at__isnull=True).first()
    now = clock.now()
    if token is None or not token.user.is_active or (token.expires_at and token.expires_at <= now):
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def revoke_token(*, token_id: int, by: User) -> ApiToken:
    """Revoke one of the caller's tokens (a manager of users may revoke anybody's)."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None or (token.user_id != by.pk and not by.has_perm("core.change_user")):
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        audit.record(instance=token, action=AuditAction.UPDATE, by=by, changes={"revoked": [False, True]})
    return token


def set_language(*, user: User, language: str) -> User:
    from django.conf import settings

    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unknown language.")})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


@transaction.atomic
def add_attachment(
    *, instance: models.Model, upload: UploadedFile, by: User, related: models.Model | None = None
) -> Attachment:
    """Attach a file to a business object through Django's storage API."""
    from django.contrib.contenttypes.models import ContentType

    if upload.size is not None and upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("The file is larger than 20 MB.")})
    att = Attachment(
        content_type=ContentType.objects.get_for_model(instance),
        object_id=instance.pk,
        name=(upload.name or "file")[:200],
        size=upload.size or 0,
        uploaded_by=by,
        uploaded_at=clock.now(),
    )
    att.file.save(upload.name or "file", upload, save=False)
    att.save()
    audit.record(
        instance=instance, action=AuditAction.UPDATE, by=by, changes={"attachment": [None, att.name]}, related=related
    )
    return att


def attachments_for(instance: models.Model) -> models.QuerySet[Attachment]:
    from django.contrib.contenttypes.models import ContentType

    return Attachment.objects.filter(content_type=ContentType.objects.get_for_model(instance), object_id=instance.pk)


def ensure_can(user: User, perm: str, message: str = "") -> None:
    """Raise PermissionDenied naming the missing permission."""
    if not user.has_perm(perm):
        raise PermissionDenied(message or _("You lack the permission %(perm)s.") % {"perm": perm})


@transaction.atomic
def set_calendar(
    *,
    by: User,
    rest_weekdays: list[int],
    holidays: list[tuple[dt.date, str]],
    working_days: list[tuple[dt.date, str]],
) -> None:
    """Replace the working calendar whole: weekly rest days, public holidays and make-up working days.

    A make-up working day must fall on a rest weekday and a holiday on a working weekday; a date appears once.
    """
    from gendan.core.models import CalendarDay, CompanySettings

    ensure_can(by, "core.change_calendarday")
    errors: dict[str, list[str]] = {}
    weekdays = sorted(set(rest_weekdays))
    if any(d not in range(1, 8) for d in weekdays):
        errors["rest_weekdays"] = [_("Weekdays are 1 (Monday) to 7 (Sunday).")]
    elif len(weekdays) == 7:
        errors["rest_weekdays"] = [_("At least one weekday must be a working day.")]
    seen: set[dt.date] = set()
    for key, days, on_rest_day in (("holidays", holidays, False), ("working_days", working_days, True)):
        for index, (day, _name) in enumerate(days):
            if day in seen:
                errors.setdefault(f"{key}[{index}].date", []).append(_("This date is listed twice."))
            seen.add(day)
            if on_rest_day and day.isoweekday() not in weekdays:
                errors.setdefault(f"{key}[{index}].date", []).append(
                    _("A make-up working day must fall on a weekly rest day.")
                )
            if not on_rest_day and day.isoweekday() in weekdays:
                errors.setdefault(f"{key}[{index}].date", []).append(
                    _("This day is already a weekly rest day; list only holidays that fall on working weekdays.")
                )
    if errors:
        raise ValidationError(errors)
    settings_row = CompanySettings.objects.select_for_update().filter(pk=CompanySettings.current().pk).get()
    before = {
        "rest_weekdays": settings_row.rest_weekdays,
        "days": [f"{d} {k}" for d, k in CalendarDay.objects.values_list("date", "kind")],
    }
    CalendarDay.objects.all().delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, name=n[:100], kind=CalendarDay.Kind.HOLIDAY) for d, n in holidays]
        + [CalendarDay(date=d, name=n[:100], kind=CalendarDay.Kind.WORKING_DAY) for d, n in working_days]
    )
    settings_row.rest_weekdays = weekdays
    settings_row.version += 1
    settings_row.save(update_fields=["rest_weekdays", "version"])
    after = {
        "rest_weekdays": weekdays,
        "days": sorted(
            [f"{d} {CalendarDay.Kind.HOLIDAY}" for d, _n in holidays]
            + [f"{d} {CalendarDay.Kind.WORKING_DAY}" for d, _n in working_days]
        ),
    }
    audit.record(instance=settings_row, action=AuditAction.UPDATE, by=by, changes=audit.diff(before, after))
