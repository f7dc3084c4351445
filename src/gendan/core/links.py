"""External links (外部链接): signed, expiring, revocable URLs that show an outside party one object.

`create_link` makes one for an object and a purpose ("supplier_po"); `token_for` gives its token again (the
signature is deterministic, so the page that made it can show it later); `resolve` turns a token from a URL back
into the link, or raises `LinkInvalid` saying why (altered, expired, revoked); `revoke` ends it. Each domain's
public view resolves the token, checks the purpose, and records what the party does with `audit.record(...,
actor=link.party)`.
"""

import datetime as dt
import secrets

from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gendan.core import audit, clock
from gendan.core.choices import AuditAction
from gendan.core.exceptions import GendanError
from gendan.core.models import ExternalLink, User

SALT = "gendan.external-link"


class LinkInvalid(GendanError):
    """The link does not open: altered, unknown, expired or revoked (the message says which, for the visitor)."""

    code = "link_invalid"


_purpose_perms: dict[str, str] = {}


def register_purpose(purpose: str, perm: str) -> None:
    """Say which permission manages the links of `purpose` (default: the right to change the object shown)."""
    _purpose_perms[purpose] = perm


def permission_for(link: ExternalLink) -> str:
    """The permission needed to withdraw `link`."""
    ct = link.content_type
    return _purpose_perms.get(link.purpose, f"{ct.app_label}.change_{ct.model}")


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def token_for(link: ExternalLink) -> str:
    return _signer().sign_object([link.pk, link.nonce])


@transaction.atomic
def create_link(
    *, target: models.Model, purpose: str, party: str, by: User | None, days: int, revoke_others: bool = True
) -> tuple[ExternalLink, str]:
    """A new link to `target` for `party`, valid `days` days; by default the earlier live links of the same target
    and purpose are revoked, so only the newest one works."""
    if days < 1:
        raise ValueError("a link lives at least a day")
    now = clock.now()
    ct = ContentType.objects.get_for_model(target)
    if revoke_others:
        for old in live_links(target, purpose):
            revoke(link=old, by=by)
    link = ExternalLink.objects.create(
        content_type=ct,
        object_id=target.pk,
        purpose=purpose,
        party=party[:200],
        nonce=secrets.token_urlsafe(12),
        expires_at=now + dt.timedelta(days=days),
        created_by=by,
        created_at=now,
    )
    audit.record(
        instance=target,
        action=AuditAction.UPDATE,
        by=by,
        message=_("Link for %(party)s created, valid until %(date)s")
        % {"party": link.party, "date": link.expires_at.date().isoformat()},
    )
    return link, token_for(link)


def live_links(target: models.Model, purpose: str) -> models.QuerySet[ExternalLink]:
    ct = ContentType.objects.get_for_model(target)
    return ExternalLink.objects.filter(
        content_type=ct, object_id=target.pk, purpose=purpose, revoked_at__isnull=True, expires_at__gt=clock.now()
    )


def resolve(token: str, purpose: str) -> ExternalLink:
    """The live link behind `token`, counted as used; LinkInvalid when it is not (or no longer) valid."""
    try:
        pk, nonce = _signer().unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkInvalid(_("This link is not valid. Ask your contact for a new one.")) from None
    link = ExternalLink.objects.filter(pk=pk, nonce=nonce, purpose=purpose).first()
    if link is None:
        raise LinkInvalid(_("This link is not valid. Ask your contact for a new one."))
    if link.revoked_at is not None:
        raise LinkInvalid(_("This link was withdrawn. Ask your contact for a new one."))
    if link.expires_at <= clock.now():
        raise LinkInvalid(
            _("This link expired on %(date)s. Ask your contact for a new one.")
            % {"date": link.expires_at.date().isoformat()}
        )
    ExternalLink.objects.filter(pk=link.pk).update(last_used_at=clock.now(), use_count=F("use_count") + 1)
    return link


@transaction.atomic
def revoke(*, link: ExternalLink, by: User | None) -> ExternalLink:
    if link.revoked_at is not None:
        return link
    link.revoked_at = clock.now()
    link.revoked_by = by
    link.save(update_fields=["revoked_at", "revoked_by"])
    target = link.target
    if target is not None:
        audit.record(
            instance=target,
            action=AuditAction.UPDATE,
            by=by,
            message=_("Link for %(party)s withdrawn") % {"party": link.party},
        )
    return link
