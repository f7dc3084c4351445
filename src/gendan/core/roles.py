"""Roles are Django groups. Each Gendan app declares, on its AppConfig, which permissions each role
gets (`role_permissions = {Role.SALES: ["add_customer", ...]}`); `ensure_roles` creates the groups
and departments and grants those permissions after every migrate, so a new app's rights arrive with it.
"""

from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group, Permission

from gendan.core.choices import ROLE_DEPARTMENT, DepartmentCode, Role

DEPARTMENT_NAMES = {
    DepartmentCode.SALES: ("业务部", "Sales"),
    DepartmentCode.MERCHANDISING: ("跟单部", "Merchandising"),
    DepartmentCode.PURCHASING: ("采购部", "Purchasing"),
    DepartmentCode.PRODUCTION: ("生产计划部 (PMC)", "Production planning (PMC)"),
    DepartmentCode.QUALITY: ("品质部", "Quality control"),
    DepartmentCode.SHIPPING: ("船务单证部", "Shipping & documents"),
    DepartmentCode.FINANCE: ("财务部", "Finance"),
    DepartmentCode.MANAGEMENT: ("总经办", "Management"),
}


def role_permission_map() -> dict[str, set[tuple[str, str]]]:
    """{role: {(app_label, codename)}} gathered from every installed Gendan app."""
    result: dict[str, set[tuple[str, str]]] = {r.value: set() for r in Role}
    for config in apps.get_app_configs():
        declared = getattr(config, "role_permissions", None)
        if not declared:
            continue
        for role, codenames in declared.items():
            for codename in codenames:
                label, _, name = codename.rpartition(".")
                result[str(role)].add((label or config.label, name))
    return result


def ensure_roles(sender: Any = None, **kwargs: Any) -> None:
    """Create the departments and role groups and grant each group its permissions (idempotent)."""
    if sender is not None and not sender.name.startswith("gendan."):
        return
    from gendan.core.models import Department

    for code, (zh, en) in DEPARTMENT_NAMES.items():
        Department.objects.get_or_create(code=code, defaults={"name": zh, "name_en": en})
    perms = {(p.content_type.app_label, p.codename): p for p in Permission.objects.select_related("content_type")}
    for role, wanted in role_permission_map().items():
        group, _ = Group.objects.get_or_create(name=role)
        if role == Role.ADMIN:
            group.permissions.set(perms.values())
            continue
        group.permissions.set([perms[key] for key in wanted if key in perms])


def department_for_role(role: str) -> DepartmentCode:
    return ROLE_DEPARTMENT[Role(role)]


def has_role(user: Any, *roles: str) -> bool:
    names = {g.name for g in user.groups.all()}
    return bool(names.intersection(roles)) or user.is_superuser
