"""Factories shared by every app's tests (factory_boy)."""

from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from gendan.catalog.models import BomLine, Material, Product
from gendan.core.choices import Role
from gendan.core.models import Department, User
from gendan.core.roles import department_for_role
from gendan.partners.models import Contact, Customer, Supplier


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", "pass-1234-word")

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        role = extracted or Role.MERCHANDISER
        if not create:
            return
        self.groups.add(Group.objects.get(name=role))
        if self.department_id is None:
            self.department = Department.objects.get(code=department_for_role(role))
        if role == Role.ADMIN:
            self.is_superuser = self.is_staff = True
        self.save()


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"C{n:04d}")
    name = factory.Sequence(lambda n: f"客户{n}")
    name_en = factory.Sequence(lambda n: f"Customer {n} Ltd")
    tier = "normal"
    country = "US"
    currency = "USD"
    payment_terms = "T/T 30 days"
    default_incoterm = "FOB"


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    code = factory.Sequence(lambda n: f"S{n:04d}")
    name = factory.Sequence(lambda n: f"供应商{n}")
    kind = "material"
    country = "CN"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Faker("name")
    email = factory.Faker("email")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"P{n:05d}")
    name = factory.Sequence(lambda n: f"产品{n}")
    spec = "40x60cm"
    unit = "pcs"
    units_per_carton = 24
    carton_length_cm = Decimal("60.0")
    carton_width_cm = Decimal("40.0")
    carton_height_cm = Decimal("30.0")
    net_weight_kg = Decimal("10.000")
    gross_weight_kg = Decimal("11.000")
    hs_code = "630231"


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material

    code = factory.Sequence(lambda n: f"M{n:05d}")
    name = factory.Sequence(lambda n: f"物料{n}")
    unit = "m"
    lead_time_days = 10
    default_supplier = factory.SubFactory(SupplierFactory)


class BomLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BomLine

    product = factory.SubFactory(ProductFactory)
    material = factory.SubFactory(MaterialFactory)
    qty_per_unit = Decimal("1.500")
    scrap_pct = Decimal("3")
