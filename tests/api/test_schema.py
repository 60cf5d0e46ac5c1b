"""The OpenAPI schema: valid, and every operation, parameter and field described, so an
integrator can work from the docs alone."""

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema


def _schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_is_valid_openapi(db):
    validate_schema(_schema())


def test_every_operation_parameter_and_field_is_described(db):
    schema = _schema()
    missing = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if not operation.get("summary"):
                missing.append(f"{method.upper()} {path}: summary")
            for parameter in operation.get("parameters", []):
                if not parameter.get("description"):
                    missing.append(f"{method.upper()} {path}: parameter {parameter['name']}")
    for name, component in schema["components"]["schemas"].items():
        for field, spec in (component.get("properties") or {}).items():
            if not spec.get("description"):
                missing.append(f"{name}.{field}")
    assert missing == []


def test_every_path_is_under_api_v1(db):
    assert all(path.startswith("/api/v1/") for path in _schema()["paths"])
