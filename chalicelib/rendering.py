"""The Jinja environment, shared by the pages (web) and the messages (notify).

Templates live in the project's top-level `templates/`, beside `chalicelib/` both in
the work tree and at the root of the Lambda zip (the build copies it into `vendor/`,
whose content Chalice puts at the zip's root). Built on first use, once per process.

Messages (SMS and e-mail texts) have their own environment, which keeps a template's
last line break: with `trim_blocks`, the line break after `{% include %}` goes, and
without its own last line break the included text (the rdv's details) would run into
the next line, losing the blank line a plain-text e-mail needs there."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"


@lru_cache(maxsize=2)
def environment(messages: bool = False) -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from chalicelib import filters

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(("html", "xml")),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=messages,
    )
    env.filters.update(filters.FILTERS)
    return env


def render_text(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def render_message(template: str, **context: Any) -> str:
    """A message's text (templates/messages/): an included part keeps its last line
    break, so a blank line written after `{% include %}` stays blank."""
    return environment(messages=True).get_template(template).render(**context)
