"""Core reads."""

from django.db.models import Q, QuerySet

from gendan.core.models import ApiToken, Department, User


def user_list(*, q: str = "", role: str = "", department: str = "", active_only: bool = True) -> QuerySet[User]:
    qs = User.objects.select_related("department").prefetch_related("groups").order_by("username")
    if active_only:
        qs = qs.filter(is_active=True)
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q))
    if role:
        qs = qs.filter(groups__name=role)
    if department:
        qs = qs.filter(department__code=department)
    return qs


def users_in_departments(codes: list[str]) -> QuerySet[User]:
    return User.objects.filter(is_active=True, department__code__in=codes)


def department_list() -> QuerySet[Department]:
    return Department.objects.order_by("code")


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")
