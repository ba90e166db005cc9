"""Use cases: one module per verb the user would use (book, cancel, move, remind...)."""
