"""Settings for the test suite: SQLite by default, PostgreSQL when GENDAN_TEST_DATABASE_URL is set."""

import os
import tempfile

os.environ.setdefault("GENDAN_VAR_DIR", os.path.join(tempfile.gettempdir(), "gendan-test-var"))
os.environ.setdefault("GENDAN_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")

from gendan.settings import *  # noqa: E402,F403
from gendan.settings import database_from_url  # noqa: E402

DATABASES = {"default": database_from_url(os.environ.get("GENDAN_TEST_DATABASE_URL"))}
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
AXES_ENABLED = True
