"""Use cases of the notifications service: one function each, taking the session first; the
caller owns the transaction (a view, a task, or notifications.handling's steps for a task)."""
