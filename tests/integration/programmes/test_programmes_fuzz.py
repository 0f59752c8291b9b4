"""Random JSON (hypothesis) at every writing endpoint: always a JSON answer, never a 5xx."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.programmes.conftest import Caller, Partners, programme_body

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=25,
)


def mutated(base: dict) -> st.SearchStrategy:
    """The valid body with some fields replaced by random JSON, or dropped."""
    return st.fixed_dictionaries(
        {},
        optional={k: st.one_of(st.just(v), json_values) for k, v in base.items()},
    )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_body_makes_a_5xx(partners: Partners, secretariat: Caller, data):
    programme = programme_body(partners)
    targets = [
        (partners.jp_caller, "POST", "/v1/programmes", programme),
        (secretariat, "POST", "/v1/organisations", {"name": "n", "country": "JP"}),
        (
            secretariat,
            "POST",
            f"/v1/organisations/{partners.jp['id']}/api-keys",
            {"name": "k", "role": "partner", "expires_at": "2099-01-01T00:00:00Z"},
        ),
        (partners.jp_caller, "GET", "/v1/programmes", {}),
        (secretariat, "GET", "/v1/events", {}),
    ]
    caller, method, path, base = data.draw(st.sampled_from(targets))
    body = data.draw(st.one_of(mutated(base), json_values))
    if method == "GET":
        query = data.draw(
            st.dictionaries(
                st.sampled_from(["page", "page_size", "status", "q", "since", "type"]),
                st.text(max_size=30),
            )
        )
        answer = caller.client.get(path, query_string=query, headers=caller.headers())
    else:
        answer = caller.client.open(path, method=method, json=body, headers=caller.headers())
    assert answer.status_code < 500, (path, body, answer.get_data(as_text=True))
    assert answer.is_json or answer.status_code == 204
