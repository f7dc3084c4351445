from django.contrib import admin

from gendan.partners.models import Contact, Customer, Supplier


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "title", "phone", "email", "wechat", "is_primary"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "tier", "country", "currency", "merchandiser", "is_active"]
    list_filter = ["tier", "is_active", "currency"]
    search_fields = ["code", "name", "name_en"]
    list_select_related = ["merchandiser"]
    inlines = [ContactInline]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "country", "city", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "name_en", "city"]
    inlines = [ContactInline]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "supplier", "phone", "email", "is_primary"]
    search_fields = ["name", "email", "phone"]
    list_select_related = ["customer", "supplier"]
