"""Merging the services' OpenAPI documents into the one the gateway serves."""

import pytest

from setu.openapi import SpecConflict, merge


def spec(paths, schemas):
    return {
        "openapi": "3.0.3",
        "paths": paths,
        "components": {"schemas": schemas},
        "tags": [{"name": next(iter(paths), "x")}],
    }


def test_paths_and_components_are_united_with_the_bearer_scheme():
    merged = merge(
        {
            "a": spec(
                {"/v1/a": {"get": {}}, "/healthz": {"get": {}}}, {"Error": {"type": "object"}}
            ),
            "b": spec({"/v1/b": {"post": {}}}, {"Error": {"type": "object"}, "B": {}}),
        }
    )
    assert set(merged["paths"]) == {"/v1/a", "/v1/b"}
    assert set(merged["components"]["schemas"]) == {"Error", "B"}
    assert merged["components"]["securitySchemes"] == {
        "bearer": {"type": "http", "scheme": "bearer", "description": "an API key"}
    }
    assert merged["security"] == [{"bearer": []}]


def test_two_services_defining_one_name_differently_is_an_error():
    with pytest.raises(SpecConflict, match="Error"):
        merge(
            {
                "a": spec({}, {"Error": {"type": "object"}}),
                "b": spec({}, {"Error": {"type": "string"}}),
            }
        )
