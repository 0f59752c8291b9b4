"""Use cases: one function each, taking the session first; the caller owns the transaction."""
