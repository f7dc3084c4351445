"""Orders in the admin are for looking only: every change goes through the services (pages, API)."""

from django.contrib import admin

from gendan.sales.models import Order, OrderLine, OrderRevision, ReviewItem


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


class LineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["position", "product", "quantity", "unit", "unit_price", "amount", "ex_factory_date"]


class ReviewInline(ReadOnlyInline):
    model = ReviewItem
    fields = ["round", "topic", "department", "verdict", "comment", "reviewed_by", "reviewed_at"]


class RevisionInline(ReadOnlyInline):
    model = OrderRevision
    fields = ["number", "reason", "changes", "created_by", "created_at"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "customer", "status", "ex_factory_date", "merchandiser", "total_amount", "currency"]
    list_filter = ["status", "priority"]
    search_fields = ["number", "customer_po", "customer__code", "customer__name"]
    list_select_related = ["customer", "merchandiser"]
    inlines = [LineInline, ReviewInline, RevisionInline]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
