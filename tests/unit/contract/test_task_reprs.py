"""What Celery shows of a task's arguments (its ``argsrepr``) for the tasks that carry events."""

from __future__ import annotations

from setu_contract.messaging import event_task_reprs, task_reprs


def _application_event() -> dict:
    """An envelope's shape (its data cut down to the applicant)."""
    return {
        "id": "5b7f1c1e-0a4e-4f5e-9a53-2f0d7f4b9c11",
        "type": "application.status_changed",
        "producer": "programmes",
        "correlation_id": "cid-1",
        "data": {"applicant": {"full_name": "Aarav Sharma", "email": "aarav@example.in"}},
    }


def test_an_event_task_shows_its_events_type_and_id_and_none_of_its_data():
    envelope = _application_event()

    reprs = event_task_reprs(envelope)

    assert reprs == {
        "argsrepr": f"[<application.status_changed {envelope['id']}>]",
        "kwargsrepr": "{}",
    }
    assert "Aarav" not in str(reprs) and "aarav@" not in str(reprs)


def test_a_dead_letter_sent_again_shows_its_event_the_same_way():
    envelope = _application_event()

    assert task_reprs([envelope]) == event_task_reprs(envelope)


def test_a_task_of_ids_keeps_celerys_own_repr():
    assert task_reprs(["3f0c6a52-delivery"]) == {}
    assert task_reprs([]) == {}
    assert task_reprs([{"id": "x"}, {"type": "y"}]) == {}
