"""Background tasks of core. Tasks are thin: they call a service or Django's mail API."""

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task


@task()
def send_notification_email(recipients: list[str], subject: str, body: str) -> int:
    """E-mail copy of an inbox notification."""
    return send_mail(
        f"[Gendan] {subject}", body or subject, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True
    )
