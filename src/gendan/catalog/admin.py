from django.contrib import admin

from gendan.catalog.models import BomLine, CapacityException, Material, Product, RoutingStep, WorkCentre


class BomLineInline(admin.TabularInline):
    model = BomLine
    extra = 0
    fields = ["position", "material", "qty_per_unit", "scrap_pct", "note"]
    autocomplete_fields = ["material"]


class RoutingStepInline(admin.TabularInline):
    model = RoutingStep
    extra = 0
    fields = ["position", "name", "work_centre", "minutes_per_unit", "setup_minutes"]
    autocomplete_fields = ["work_centre"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "spec", "unit", "category", "units_per_carton", "is_active"]
    list_filter = ["category", "unit", "is_active"]
    search_fields = ["code", "name", "name_en", "spec"]
    inlines = [BomLineInline, RoutingStepInline]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "spec", "unit", "category", "lead_time_days", "default_supplier", "is_active"]
    list_filter = ["category", "unit", "is_active"]
    search_fields = ["code", "name", "spec"]
    list_select_related = ["default_supplier"]
    readonly_fields = ["version", "created_at", "updated_at"]


class CapacityExceptionInline(admin.TabularInline):
    model = CapacityException
    extra = 0
    fields = ["date", "capacity", "kind", "reason"]


@admin.register(WorkCentre)
class WorkCentreAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "supplier", "capacity_unit", "daily_capacity", "is_active"]
    list_filter = ["kind", "capacity_unit", "is_active"]
    search_fields = ["code", "name", "product_family"]
    list_select_related = ["supplier"]
    autocomplete_fields = ["supplier"]
    inlines = [CapacityExceptionInline]
    readonly_fields = ["version", "created_at", "updated_at"]
