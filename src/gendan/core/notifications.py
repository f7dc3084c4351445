"""The inbox: notify users, read and mark notifications. E-mail copies go out after commit."""

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation

from gendan.core import clock
from gendan.core.models import Notification, User


def notify(*, recipients: Iterable[User], title: str, body: str = "", url: str = "", actor: User | None = None) -> int:
    """Put one notification in each recipient's inbox (one INSERT); returns how many."""
    now = clock.now()
    rows = [
        Notification(
            recipient=u,
            title=title[:200],
            body=body,
            url=url,
            created_at=now,
            actor_name=actor.username if actor else "",
        )
        for u in {u.pk: u for u in recipients}.values()
    ]
    Notification.objects.bulk_create(rows)
    emails = [u.email for u in {u.pk: u for u in recipients}.values() if u.email]
    if emails:
        from gendan.core.tasks import send_notification_email

        transaction.on_commit(lambda: send_notification_email.enqueue(emails, title, body))
    return len(rows)


def notify_in_their_language(
    *, recipients: Iterable[User], title: Callable[[], str], body: Callable[[], str], url: str, actor: User | None
) -> int:
    """One notification per recipient, its title and body written in the recipient's own language."""
    by_lang: dict[str, list[User]] = defaultdict(list)
    for user in recipients:
        by_lang[user.language or settings.LANGUAGE_CODE].append(user)
    sent = 0
    for lang, users in by_lang.items():
        with translation.override(lang):
            sent += notify(recipients=users, title=title(), body=body(), url=url, actor=actor)
    return sent


def inbox_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications read, or all of them when no id is given."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=clock.now())
