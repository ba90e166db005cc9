"""Domain failures become answers here, in one place: a French page (or JSON) with the
right status, never a stack trace."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from chalicelib.domain.errors import DomainError
from chalicelib.web.templating import render


def html_errors(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Render a DomainError as the error page, with its status code."""

    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return handler(*args, **kwargs)
        except DomainError as error:
            return render(
                "public/error.html",
                status_code=error.status_code,
                message=error.message,
                organisation=getattr(error, "organisation", None),
            )

    return wrapper
