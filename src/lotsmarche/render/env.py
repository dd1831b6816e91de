"""The two Jinja environments shared by every document: one for the built-in templates, one sandboxed.

Both escape every value (``autoescape=True``: an ``&`` or ``<`` in a member's name must never break or
truncate the XML) and refuse unknown names (``StrictUndefined``). User templates (``--templates DIR``)
run in the sandbox, so a template can format data but never reach Python internals.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import time
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import markupsafe
from jinja2 import Environment, FunctionLoader, StrictUndefined, Template
from jinja2.exceptions import SecurityError
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


# Budget of one rendering of a user template. Jinja's sandbox blocks attribute escapes but not work:
# nested ``range(100000)`` loops or ``'a' * 10**10`` would run for hours or exhaust memory.
RENDER_SECONDS = 30.0  # wall time of one document part
MAX_ITEMS = 1_000_000  # items built by range() and by ``*`` on texts and lists, summed over a rendering
MAX_SEQUENCE = 100_000  # length of one range() or one repeated text or list (Jinja's own MAX_RANGE)


class BudgetExceeded(SecurityError):
    """A user template asked for more work than one rendering is allowed (French message)."""


class _Budget:
    def __init__(self) -> None:
        self.deadline = time.monotonic() + RENDER_SECONDS
        self.items = 0

    def spend(self, items: int) -> None:
        self.items += items
        if self.items > MAX_ITEMS:
            raise BudgetExceeded(
                f"le modèle construit trop d'éléments (plus de {MAX_ITEMS:_} par rendu)".replace("_", " ")
            )
        self.tick()

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise BudgetExceeded(f"le rendu du modèle dépasse {RENDER_SECONDS:.0f} secondes")


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("lotsmarche_budget", default=None)


def _spend(items: int = 0) -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.spend(items)


@contextlib.contextmanager
def render_budget() -> Iterator[None]:
    """Give the renderings inside the block a fresh time and size budget (user templates only)."""
    token = _BUDGET.set(_Budget())
    try:
        yield
    finally:
        _BUDGET.reset(token)


def _counted_range(*args: int) -> Iterator[int]:
    numbers = range(*args)
    if len(numbers) > MAX_SEQUENCE:
        raise BudgetExceeded(f"range() de {len(numbers)} éléments : {MAX_SEQUENCE} au plus")
    _spend(len(numbers))
    return _ticking(numbers)


def _ticking(numbers: range) -> Iterator[int]:
    for i, n in enumerate(numbers):
        if i % 1024 == 0:
            _spend()
        yield n


def _no_template(name: str) -> None:
    raise SecurityError(
        f"« {name[:80]} » : include, import et extends ne sont pas permis dans un modèle Word "
        "(recopiez le contenu dans le modèle)"
    )


class BudgetSandbox(SandboxedEnvironment):
    """Jinja's sandbox with a budget: time, length of built sequences, no other template loaded."""

    intercepted_binops = frozenset(["*", "**", "+"])

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _spend()
        if operator == "**" and isinstance(right, int) and abs(right) > 1000:
            raise BudgetExceeded(f"puissance trop grande (exposant {right}, 1000 au plus)")
        if operator == "*":
            size, times = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(size, str | list | tuple | bytes) and isinstance(times, int):
                length = len(size) * max(times, 0)
                if length > MAX_SEQUENCE * 10:
                    raise BudgetExceeded(f"texte ou liste répété trop long ({length} éléments)")
                _spend(length // 64)
        result = super().call_binop(context, operator, left, right)
        if isinstance(result, str | list | tuple) and len(result) > MAX_SEQUENCE * 10:
            raise BudgetExceeded(f"texte ou liste trop long ({len(result)} éléments)")
        return result

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _spend()
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj: Any, attribute: str) -> Any:
        _spend()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _spend()
        return super().getitem(obj, argument)


@cache
def sandbox_env() -> Environment:
    """Environment of user templates: same options and filters, inside Jinja's sandbox, with a budget
    (:func:`render_budget`) and no access to other templates (include, import, extends)."""
    env = BudgetSandbox(
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        loader=FunctionLoader(_no_template),
    )
    env.globals["range"] = _counted_range
    env.globals.pop("lipsum", None)  # random filler text: no use in a DCE, and unbounded
    return _configure(env)


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


# Jinja's messages are English; these are the ones a template author meets, in French.
_SYNTAX_FR = (
    (
        re.compile(r"^unexpected end of template"),
        "fin du modèle inattendue : une balise {% … %} n'est pas fermée",
    ),
    (re.compile(r"^Encountered unknown tag '([^']*)'"), "balise inconnue « {0} »"),
    (re.compile(r"^unexpected '([^']*)'"), "élément inattendu « {0} »"),
    (re.compile(r"^unexpected char '?(.+?)'? at"), "caractère inattendu « {0} »"),
    (re.compile(r"^expected token '([^']*)', got '([^']*)'"), "« {0} » attendu, « {1} » trouvé"),
    (re.compile(r"^'([^']*)' is undefined"), "variable inconnue « {0} »"),
    (re.compile(r"^'([^']*)' has no attribute '([^']*)'"), "« {0} » n'a pas d'attribut « {1} »"),
    (re.compile(r"^'([^']*)' object has no attribute '([^']*)'"), "« {0} » n'a pas d'attribut « {1} »"),
    (re.compile(r"^No (?:filter|test) named '([^']*)'"), "filtre ou test inconnu « {0} »"),
    (
        re.compile(r"^access to attribute '([^']*)' of '([^']*)' object is unsafe"),
        "accès interdit à l'attribut interne « {0} » (bac à sable des modèles)",
    ),
    (re.compile(r"^(?:block|tag) '([^']*)' .*"), "balise « {0} » mal placée"),
)


def french_template_error(exc: BaseException) -> str:
    """One French sentence for an error raised while compiling or rendering a template."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError

    if isinstance(exc, BudgetExceeded):
        return str(exc)
    message = str(getattr(exc, "message", None) or exc)
    if isinstance(exc, TemplateNotFound | SecurityError) and "include, import et extends" in message:
        return message
    for pattern, french in _SYNTAX_FR:
        found = pattern.match(message)
        if found:
            return french.format(*(g[:80] for g in found.groups()))
    if isinstance(exc, TemplateSyntaxError):
        return "syntaxe de balise invalide"
    if isinstance(exc, UndefinedError):
        return "variable ou attribut inconnu"
    if isinstance(exc, SecurityError):
        return "opération interdite dans un modèle (bac à sable)"
    if isinstance(exc, ZeroDivisionError):
        return "division par zéro"
    if isinstance(exc, OverflowError):
        return "nombre trop grand"
    if isinstance(exc, MemoryError):
        return "mémoire insuffisante pour rendre le modèle"
    if isinstance(exc, RecursionError):
        return "appels imbriqués trop profondément (macro récursive ?)"
    if isinstance(exc, LookupError):
        return "élément absent d'une liste ou d'un dictionnaire"
    return "opération impossible sur une valeur (types incompatibles ?)"
