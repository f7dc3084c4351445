"""Every request and response schema of the API has its own name: the OpenAPI document names its components by
class name, and two schemas of one name would silently leave one app's shape in the place of the other's."""

import importlib
import pkgutil
from collections import defaultdict

from pydantic import BaseModel

import gendan


def test_no_two_api_schemas_share_a_name() -> None:
    defined: dict[str, set[str]] = defaultdict(set)
    for info in pkgutil.walk_packages(gendan.__path__, "gendan."):
        leaf = info.name.rsplit(".", 1)[-1]
        if leaf != "schemas" and not leaf.endswith("api"):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == module.__name__:
                defined[value.__name__].add(module.__name__)
    clashes = {name: sorted(modules) for name, modules in defined.items() if len(modules) > 1}
    assert clashes == {}


def test_the_openapi_document_keeps_each_apps_shape(api_as, merchandiser) -> None:
    schemas = api_as(merchandiser).get("/openapi.json").json()["components"]["schemas"]
    assert "category" in schemas["MaterialOut"]["properties"]  # the catalog's material, not a quotation's
    assert "QuotationMaterialOut" in schemas
