"""The HTTP layer: the blueprints, authentication and the unit of work (the one error shape
is ``setu_contract.edge.ServiceApi``'s)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from flask import Response, current_app, g, request
from sqlalchemy.orm import Session

from programmes.api.query_args import QueryArgumentsParser
from programmes.domain.versioning import etag
from setu_contract.edge import abort
from setu_contract.errors import ServiceError
from setu_contract.request_json import Blueprint

JSON = "application/json"


def refuse_nul_in_path() -> None:
    """before_request of /v1 blueprints: no resource's id holds a NUL, which no database
    column takes (404, not the 500 of the driver's refusal)."""
    if any("\x00" in str(value) for value in (request.view_args or {}).values()):
        abort(404, "no such resource")


def authenticate_request() -> None:
    """before_request of /v1 blueprints: a valid Bearer key within its rate limit, or 401/429.

    A key the process has not kept is read in the request's session, in the transaction the
    view's unit of work then commits: one connection and one transaction per request, not two.
    """
    from programmes.api.identity import identify

    g.principal = identify()


READ_METHODS = ("GET", "HEAD")


def request_session() -> Session:
    """The request's one session, opened on first use and closed when the request ends.

    Reads (GET, HEAD) run in autocommit: each statement sees committed data, and the
    request saves the BEGIN and COMMIT round trips, which a read has no use for.
    """
    session = g.get("db_session")
    if session is None:
        kind = "read_sessions" if request.method in READ_METHODS else "sessions"
        session = g.db_session = current_app.extensions[f"programmes.{kind}"]()
    return session


def close_request_session(_error: BaseException | None = None) -> None:
    """teardown_appcontext: give the connection back (rolling back anything uncommitted)."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


@contextmanager
def unit_of_work(one_write: bool = False) -> Iterator[Session]:
    """The request's session: its transaction (begun by the first statement, perhaps the key
    lookup) is committed when the block ends and rolled back on error, but for a refusal
    whose writes stand (``keeps_writes``): the route owns the transaction, not the use case.

    ``one_write``: the block writes with one statement at most, so on PostgreSQL it runs in
    autocommit (no ``BEGIN`` and ``COMMIT`` round trips) when the request has no session
    yet; a second write is refused there (``setu_contract.database.one_write``). A request
    whose session is open (the caller's sign-in session read, a stored answer looked up)
    keeps its transaction.
    """
    if one_write and "db_session" not in g:
        g.db_session = current_app.extensions["programmes.one_write_sessions"]()
    session = request_session()
    try:
        yield session
        session.commit()
    except ServiceError as refused:
        if refused.keeps_writes:
            session.commit()
        else:
            session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise


class PublicV1Blueprint(Blueprint):
    """A /v1 resource answered without a key (signing in): every body read by the one JSON
    reader (api.query_args), a query string loaded once."""

    ARGUMENTS_PARSER = QueryArgumentsParser()

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.before_request(refuse_nul_in_path)


class V1Blueprint(PublicV1Blueprint):
    """A /v1 resource: every request authenticated, then as a public one."""

    def __init__(self, *args: Any, **kwargs: Any):
        Blueprint.__init__(self, *args, **kwargs)
        self.before_request(authenticate_request)
        self.before_request(refuse_nul_in_path)


def json_bytes(value: Any) -> bytes:
    """``value`` as the app's JSON provider writes an answer's body."""
    return cast(Response, current_app.json.response(value)).get_data()


def etag_header(snapshot: dict[str, Any]) -> dict[str, str]:
    return {"ETag": etag(snapshot["id"], snapshot["version"])}


def with_etag(snapshot: dict[str, Any], status: int = 200, answer: bytes | None = None) -> Any:
    """The resource and its ETag (derived from its version); 304 when a GET already has it.

    The snapshot is written as it is, not dumped again through the view's response schema:
    every snapshot is already in its schema's shape (tests hold each one to it), and the
    dump was a tenth of a GET's CPU. ``answer``: the snapshot already written as JSON.
    """
    headers = etag_header(snapshot)
    if request.method == "GET" and request.if_none_match.contains_weak(headers["ETag"].strip('"')):
        return Response(status=304, headers=headers)
    if answer is None:
        return current_app.json.response(snapshot), status, headers
    return current_app.response_class(answer, mimetype=JSON), status, headers


def if_match() -> str | None:
    return request.headers.get("If-Match")
