"""SetuFlask remembers, per function, whether a hook or view is a coroutine function."""

from __future__ import annotations

import functools

import pytest
from flask.views import MethodView

from setu_contract.http import SetuFlask


def test_a_method_views_bound_methods_are_remembered_by_their_function_only():
    app = SetuFlask(__name__)

    class Thing(MethodView):
        def get(self) -> dict:
            return {"ok": True}

    app.add_url_rule("/thing", view_func=Thing.as_view("thing"))

    @app.before_request
    def hook() -> None:
        return None

    client = app.test_client()
    for _ in range(50):
        assert client.get("/thing").get_json() == {"ok": True}
    # One entry per function of the code (the hook, the view function, Thing.get), however
    # many requests made a new bound method.
    remembered = {function.__qualname__ for function in app._coroutine}
    assert (
        "test_a_method_views_bound_methods_are_remembered_by_their_function_only.<locals>.hook"
        in remembered
    )
    assert any(name.endswith("Thing.get") for name in remembered)
    assert len(app._coroutine) <= 4


def test_a_partial_is_not_remembered_and_still_works():
    app = SetuFlask(__name__)
    answer = functools.partial(lambda word: {"word": word}, "kept")
    app.add_url_rule("/partial", "partial", answer)
    assert app.test_client().get("/partial").get_json() == {"word": "kept"}
    assert app._coroutine == {}


def test_a_coroutine_function_is_still_run_through_async_to_sync(monkeypatch):
    app = SetuFlask(__name__)
    wrapped: list[object] = []

    def fake_async_to_sync(func):
        wrapped.append(func)
        return lambda *a, **k: {"async": True}

    monkeypatch.setattr(app, "async_to_sync", fake_async_to_sync)

    async def view() -> dict:
        return {"async": True}

    app.add_url_rule("/async", "async", view)
    client = app.test_client()
    assert client.get("/async").get_json() == {"async": True}
    assert client.get("/async").get_json() == {"async": True}
    assert wrapped == [view, view]
    assert app._coroutine[view] is True


@pytest.mark.parametrize("calls", [1, 3])
def test_the_answer_for_a_plain_function_is_the_function_itself(calls):
    app = SetuFlask(__name__)

    def plain() -> None:
        return None

    for _ in range(calls):
        assert app.ensure_sync(plain) is plain
    assert app._coroutine == {plain: False}
