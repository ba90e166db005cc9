"""Local development tools, never packaged: the `make run` supervisor, the local
scheduler, the demo data, the outbox pages, the messaging set-up on moto, admin commands."""
