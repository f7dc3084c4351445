"""Admin for administrators: users with their roles (groups), departments and language; read-only records."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from gendan.core.models import ApiToken, Department, Notification, ObjectChange, User


@admin.register(User)
class GendanUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "department", "language", "is_active"]
    list_filter = ["groups", "department", "is_active", "language"]
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Gendan"), {"fields": ("department", "language")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("Gendan"), {"fields": ("email", "first_name", "department", "language", "groups")}),
    )


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    readonly_fields = ["user", "name", "prefix", "key_hash", "created_at", "last_used_at"]
    search_fields = ["name", "user__username"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001 - tokens are created by their owners only
        return False


@admin.register(ObjectChange)
class ObjectChangeAdmin(admin.ModelAdmin):
    list_display = ["time", "user_name", "action", "content_type", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "user_name"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "title", "read_at"]
    list_filter = ["read_at"]
