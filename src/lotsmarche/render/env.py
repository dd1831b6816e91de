"""The two Jinja environments shared by every document: one for the built-in templates, one sandboxed.

Both escape every value (``autoescape=True``: an ``&`` or ``<`` in a member's name must never break or
truncate the XML) and refuse unknown names (``StrictUndefined``). User templates (``--templates DIR``)
run in the sandbox, so a template can format data but never reach Python internals.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from lotsmarche.render.filters import FILTERS


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
