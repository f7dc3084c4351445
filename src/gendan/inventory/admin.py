"""Inventory in the admin: warehouses with their locations; stock, movements and reservations for looking only,
since every change of stock goes through the services (pages, API) with its movement and audit record."""

from django.contrib import admin
from django.http import HttpRequest

from gendan.inventory.models import Location, Reservation, Stock, StockMovement, Warehouse


class LocationInline(admin.TabularInline):
    model = Location
    extra = 0
    fields = ["code", "name", "is_active"]


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "address", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "address"]
    inlines = [LocationInline]
    readonly_fields = ["version", "created_at", "updated_at"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Stock)
class StockAdmin(ReadOnlyAdmin):
    list_display = ["location", "material", "product", "on_hand", "reserved"]
    list_filter = ["location__warehouse"]
    search_fields = ["material__code", "material__name", "product__code", "product__name"]
    list_select_related = ["location__warehouse", "material", "product"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ["date", "kind", "material", "product", "location", "quantity", "balance_after", "order", "override"]
    list_filter = ["kind", "override", "location__warehouse"]
    search_fields = ["material__code", "product__code", "order__number", "reference", "reason"]
    list_select_related = ["location__warehouse", "material", "product", "order"]
    date_hierarchy = "date"


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ["order", "material", "location", "quantity", "updated_at"]
    search_fields = ["order__number", "material__code"]
    list_select_related = ["order", "material", "location__warehouse"]
