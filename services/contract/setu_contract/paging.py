"""The one page of a list every service answers: ``page`` (from 1) and ``page_size``
(default 20, at most 100) in the query, ``{"items", "page", "page_size", "total"}`` in the
answer (PRODUCT.md, "Resources")."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from setu_contract.input_fields import Integer

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Far beyond any list's last page: a bound only so that the page's offset stays an integer
# every database holds.
MAX_PAGE = 1_000_000


class PageQuerySchema(Schema):
    """The query of a list; a list's own filters are fields of a subclass."""

    class Meta:
        # A misspelt filter must not silently list everything.
        unknown = RAISE

    page = Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    page_size = Integer(
        load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE)
    )


class PageSchema(Schema):
    """The envelope of a page, without its items (``page_schema`` adds them)."""

    page = Integer()
    page_size = Integer()
    total = Integer()


def page_schema(item: type[Schema]) -> type[PageSchema]:
    """The envelope {items, page, page_size, total} of ``item``, named ``<Item>PageSchema``."""
    name = item.__name__.removesuffix("Schema") + "PageSchema"
    envelope: type[PageSchema] = type(
        name, (PageSchema,), {"items": fields.List(fields.Nested(item))}
    )
    return envelope


def total_if_last(page: int, page_size: int, found: int) -> int | None:
    """The list's total when a page read shows it (a page with fewer than ``page_size`` items,
    not past the end, is the last: the total is the rows before it and on it), or None: a
    page that says so needs no count of its own."""
    if found >= page_size or (found == 0 and page > 1):
        return None
    return (page - 1) * page_size + found


def page_body(items: list[Any], total: int, page: int, page_size: int) -> dict[str, Any]:
    """The answer of a page, in the envelope ``page_schema`` describes."""
    return {"items": items, "page": page, "page_size": page_size, "total": total}
