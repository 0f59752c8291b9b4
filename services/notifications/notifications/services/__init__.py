"""Use cases of the notifications service: one function each, one transaction each."""
