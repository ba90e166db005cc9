"""Pure domain: entities, slot engine, recurrence, policies. No AWS, no Chalice, no store."""
