import datetime as dt

from ninja import Schema


class TokenIn(Schema):
    username: str
    password: str
    name: str = "API"


class TokenOut(Schema):
    token: str
    id: int
    expires_at: dt.datetime | None = None


class TokenInfo(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    department: str | None
    roles: list[str]
    language: str
    is_active: bool

    @staticmethod
    def resolve_full_name(obj) -> str:  # noqa: ANN001
        return obj.get_full_name()

    @staticmethod
    def resolve_department(obj) -> str | None:  # noqa: ANN001
        return obj.department.code if obj.department_id else None

    @staticmethod
    def resolve_roles(obj) -> list[str]:  # noqa: ANN001
        return [g.name for g in obj.groups.all()]


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    name_en: str


class NotificationOut(Schema):
    id: int
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    actor_name: str


class Message(Schema):
    detail: str


class CalendarDayIO(Schema):
    date: dt.date
    name: str = ""


class CalendarIO(Schema):
    """The working calendar: ISO rest weekdays (Monday 1 … Sunday 7), holidays, make-up working days (调休)."""

    rest_weekdays: list[int]
    holidays: list[CalendarDayIO] = []
    working_days: list[CalendarDayIO] = []
