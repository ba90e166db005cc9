"""The Jinja environment, shared by the pages (web) and the messages (notify).

Templates live in the project's top-level `templates/`, beside `chalicelib/` both in
the work tree and at the root of the Lambda zip (the build copies it into `vendor/`,
whose content Chalice puts at the zip's root). Built on first use, once per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"


@lru_cache(maxsize=1)
def environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from chalicelib import filters

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(("html", "xml")),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(filters.FILTERS)
    return env


def render_text(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
