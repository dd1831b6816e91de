"""The two Jinja environments shared by every document: one for the built-in templates, one sandboxed.

Both escape every value (``autoescape=True``: an ``&`` or ``<`` in a member's name must never break or
truncate the XML) and refuse unknown names (``StrictUndefined``). User templates (``--templates DIR``)
run in the sandbox, so a template can format data but never reach Python internals.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import markupsafe
from jinja2 import Environment, StrictUndefined, Template
from jinja2.sandbox import SandboxedEnvironment

from lotsmarche.render.filters import FILTERS

# The function behind markupsafe.escape (C when markupsafe's speedups are built): str -> escaped str.
_HAS_INNER = callable(getattr(markupsafe, "_escape_inner", None))
_INNER: Callable[[str], str] = getattr(markupsafe, "_escape_inner", lambda s: str(markupsafe.escape(s)))


def _configure(env: Environment) -> Environment:
    env.filters.update(FILTERS)
    return env


@cache
def builtin_env() -> Environment:
    """Environment of the templates shipped with lotsmarche (trusted, reviewed in the repository)."""
    return _configure(Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True))


@cache
def sandbox_env() -> Environment:
    """Environment of user templates: same options and filters, inside Jinja's sandbox."""
    return _configure(
        SandboxedEnvironment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    )


def _escape_to_str(value: object) -> str:
    """``str(markupsafe.escape(value))`` without building the Markup object: the same text."""
    if value.__class__ is str:
        return _INNER(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return _INNER(str(value))


def escape_outputs_as_str(template: Template) -> Template:
    """Make a compiled template escape its ``{{ }}`` outputs to plain ``str`` (same text, faster).

    Under autoescape, the code Jinja generates calls the module-level name ``escape`` (markupsafe's) on
    each output and joins the results: the Markup object built for each value (9 000 in a 50-lot CCTP)
    is dropped at once, and building them took half of the Jinja time. Every value is still escaped by
    markupsafe's own function. Left untouched (correct, slower) if the generated module does not bind
    markupsafe's escape under that name or if markupsafe does not expose its inner function.
    """
    namespace = template.root_render_func.__globals__
    if _HAS_INNER and namespace.get("escape") is markupsafe.escape:
        namespace["escape"] = _escape_to_str
    return template
