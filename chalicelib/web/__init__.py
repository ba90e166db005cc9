"""HTTP-side helpers: templates, form parsing, sessions, CSRF, rate limits, errors."""
