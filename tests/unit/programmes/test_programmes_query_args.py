"""A query string is loaded through its schema once; errors and lists are never kept."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.views import MethodView
from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields, post_load, validate

from programmes.api.query_args import QueryArgumentsParser

LOADS: list[dict[str, Any]] = []


class PageQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    q = fields.String()

    @post_load
    def counted(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        LOADS.append(dict(data))
        return data


class TagsQuery(Schema):
    tag = fields.List(fields.String())

    @post_load
    def counted(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        LOADS.append(dict(data))
        return data


@pytest.fixture
def parser() -> QueryArgumentsParser:
    return QueryArgumentsParser()


@pytest.fixture
def client(parser: QueryArgumentsParser):
    LOADS.clear()

    class Kept(Blueprint):
        ARGUMENTS_PARSER = parser

    blp = Kept("things", __name__, url_prefix="/v1")

    @blp.route("/pages")
    class Pages(MethodView):
        @blp.arguments(PageQuery(), location="query")
        def get(self, query: dict[str, Any]) -> dict[str, Any]:
            return {"page": query.pop("page"), "rest": query}  # the view pops from its copy

    @blp.route("/tags")
    class Tags(MethodView):
        @blp.arguments(TagsQuery(), location="query")
        def get(self, query: dict[str, Any]) -> dict[str, Any]:
            query.setdefault("tag", []).append("seen")  # and may change what it holds
            return query

    app = Flask(__name__)
    app.config.update(API_TITLE="t", API_VERSION="1", OPENAPI_VERSION="3.0.3")
    Api(app).register_blueprint(blp)
    return app.test_client()


def test_the_same_query_string_is_loaded_once_and_each_request_gets_its_own_copy(client):
    first = client.get("/v1/pages?page=2&q=chips").json
    again = client.get("/v1/pages?page=2&q=chips").json
    assert first == again == {"page": 2, "rest": {"q": "chips"}}
    assert LOADS == [{"page": 2, "q": "chips"}]
    client.get("/v1/pages?page=3&q=chips")
    assert len(LOADS) == 2  # another string is loaded


def test_a_bad_query_string_answers_422_each_time_and_is_not_kept(client, parser):
    for _ in range(2):
        answer = client.get("/v1/pages?page=0")
        assert answer.status_code == 422
        assert "page" in answer.json["errors"]["query"]
    assert parser._loaded == {}


def test_a_query_that_loads_to_a_list_is_loaded_every_time(client):
    assert client.get("/v1/tags?tag=a").json == {"tag": ["a", "seen"]}
    assert client.get("/v1/tags?tag=a").json == {"tag": ["a", "seen"]}
    assert len(LOADS) == 2


def test_at_most_max_kept_strings_are_kept(client, parser, monkeypatch):
    monkeypatch.setattr(QueryArgumentsParser, "MAX_KEPT", 3)
    for page in range(1, 5):
        client.get(f"/v1/pages?page={page}")
    assert len(parser._loaded) == 1  # the fourth found it full: all forgotten, itself kept
    client.get("/v1/pages?page=4")
    assert len(LOADS) == 4
