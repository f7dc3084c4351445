from django.contrib import admin

from gendan.catalog.models import BomLine, Material, Product


class BomLineInline(admin.TabularInline):
    model = BomLine
    extra = 0
    fields = ["position", "material", "qty_per_unit", "scrap_pct", "note"]
    autocomplete_fields = ["material"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "spec", "unit", "category", "units_per_carton", "is_active"]
    list_filter = ["category", "unit", "is_active"]
    search_fields = ["code", "name", "name_en", "spec"]
    inlines = [BomLineInline]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "spec", "unit", "category", "lead_time_days", "default_supplier", "is_active"]
    list_filter = ["category", "unit", "is_active"]
    search_fields = ["code", "name", "spec"]
    list_select_related = ["default_supplier"]
    readonly_fields = ["version", "created_at", "updated_at"]
