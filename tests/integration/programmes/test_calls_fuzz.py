"""Random JSON (hypothesis) at the calls' and reviews' writing endpoints: always a JSON
answer, never a 5xx."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.programmes.conftest import Caller, Partners
from tests.integration.programmes.test_calls import call_body, new_call
from tests.integration.programmes.test_programmes_fuzz import json_values, mutated

times = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["0001-01-01T00:00:00", "9999-12-31T23:59:59+14:00", "2027-02-30", ""]),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_call_or_review_body_makes_a_5xx(partners: Partners, secretariat: Caller, data):
    base = call_body()
    draft = new_call(secretariat, opens_at="2099-01-01T00:00:00", closes_at="2099-02-01T00:00:00")
    review = base["review"]
    body = data.draw(
        st.one_of(
            mutated(base),
            mutated({**base, "review": data.draw(mutated(review))}),
            mutated({**base, "opens_at": data.draw(times), "closes_at": data.draw(times)}),
            mutated({**base, "timezone": data.draw(st.text(max_size=40))}),
            json_values,
        )
    )
    method, path = data.draw(
        st.sampled_from(
            [
                ("POST", "/v1/calls"),
                ("PATCH", f"/v1/calls/{draft['id']}"),
                ("POST", f"/v1/calls/{draft['id']}/transitions"),
                ("POST", "/v1/reviews/nothing/submission"),
                ("POST", "/v1/reviews/nothing/declaration"),
                ("POST", f"/v1/programmes/{draft['id']}/reviews"),
            ]
        )
    )
    answer = secretariat.client.open(path, method=method, json=body, headers=secretariat.headers())
    assert answer.status_code < 500, (method, path, body, answer.json)
    assert answer.is_json
