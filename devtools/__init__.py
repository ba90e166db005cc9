"""Local development tools: the `make run` supervisor, the local scheduler, admin commands."""
