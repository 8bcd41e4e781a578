from django.contrib import admin

from .models import District, InstructionLanguage, Organization, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["kato", "name_kk", "name_ru"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["kato", "name_kk", "name_ru", "kind", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["kato", "name_kk", "name_ru"]


@admin.register(InstructionLanguage)
class InstructionLanguageAdmin(admin.ModelAdmin):
    list_display = ["code", "name_kk", "name_ru"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name_ru", "bin", "kind", "district", "is_active"]
    list_filter = ["kind", "district", "is_active"]
    search_fields = ["bin", "name_kk", "name_ru"]
    list_select_related = ["district"]
    filter_horizontal = ["languages"]
