"""Proof, once per template, that every rendering of a part is well-formed XML, whatever the data.

Re-parsing a rendered 50-lot CCTP (1.5 MB of XML) to check it cost more than all the rest of the
rendering. It is not needed when the template guarantees the result: a rendering is the static XML of
the template, with escaped values in place of ``{{ }}`` and zero, one or several copies of each branch of
``{% for %}`` / ``{% if %}``. It is well-formed for any data when

- every branch, taken alone, is a balanced fragment (it closes every tag it opens);
- every branch and every value stands where content may go (not inside a tag; the template has no
  comment, CDATA section or processing instruction);
- every value is escaped text: autoescape is on, and the template outputs only data references, constants
  and filters of lotsmarche (which return plain ``str``); it has no ``{% set %}``, macro, call, other
  filter or statement, any of which could produce markup.

The first two points are tested with expat on the template with a sample value in place of each
``{{ }}`` and an empty element in place of each branch. A template that cannot be proven (a user template
may do anything) is checked after each rendering instead, exactly as before. Data characters that XML
forbids are removed when the context models are built; the renderer still checks for control
characters with a fast byte scan.
"""

from __future__ import annotations

from xml.parsers import expat

from jinja2 import Environment, nodes
from markupsafe import escape

from lotsmarche.render.filters import FILTERS

# Spaces break a tag name or an attribute list, "--" breaks a comment: a value placed there fails.
_VALUE = " x--y &amp; "
# Two elements stand for a branch: allowed only where content may go inside an element, so a branch placed
# in a tag, in an attribute value or beside the root element fails (two copies of it would not parse).
_BRANCH = "<lotsmarche-branche/><lotsmarche-branche/>"


class _Unproven(Exception):
    pass


def _parses(xml: str) -> bool:
    try:
        expat.ParserCreate().Parse(xml.encode(), True)
    except expat.ExpatError:
        return False
    return True


def _is_reference(expr: nodes.Node) -> bool:
    """``lot``, ``lot.produits``, ``lot["x"]``: data of the context models (text, numbers, lists of them)."""
    if isinstance(expr, nodes.Name):
        return True
    if isinstance(expr, nodes.Getattr):
        return _is_reference(expr.node)
    if isinstance(expr, nodes.Getitem):
        return _is_reference(expr.node) and isinstance(expr.arg, nodes.Const)
    return False


def _is_text(expr: nodes.Node, filters: frozenset[str]) -> bool:
    """An expression whose value is never markup, so that autoescape escapes all of it."""
    if _is_reference(expr) or isinstance(expr, nodes.Const):
        return True
    if isinstance(expr, nodes.Filter):
        return (
            expr.name in filters
            and expr.node is not None
            and _is_text(expr.node, filters)
            and all(_is_text(arg, filters) for arg in expr.args)
            and not expr.kwargs
            and expr.dyn_args is None
            and expr.dyn_kwargs is None
        )
    if isinstance(expr, nodes.CondExpr):
        return expr.expr2 is not None and _is_text(expr.expr1, filters) and _is_text(expr.expr2, filters)
    return False


def _branch(body: list[nodes.Node], filters: frozenset[str]) -> str:
    sample = _flatten(body, filters)
    if not _parses(f"<r>{sample}</r>"):
        raise _Unproven
    return _BRANCH


def _flatten(body: list[nodes.Node], filters: frozenset[str]) -> str:
    """The static XML of ``body`` with a sample value per ``{{ }}`` and one element per proven branch."""
    out: list[str] = []
    for node in body:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    if "<!" in child.data or "<?" in child.data:
                        raise _Unproven  # a comment, CDATA or instruction: a value inside could break it
                    out.append(child.data)
                elif isinstance(child, nodes.Const):
                    out.append(str(escape(child.value)))  # as Jinja prints it: checked as it is
                elif _is_text(child, filters):
                    out.append(_VALUE)
                else:
                    raise _Unproven
        elif isinstance(node, nodes.For) and not node.recursive and _is_reference(node.iter):
            out.append(_branch(node.body, filters) + _branch(node.else_, filters))
        elif isinstance(node, nodes.If):
            branches = [node.body, *(elif_.body for elif_ in node.elif_), node.else_]
            out.append("".join(_branch(b, filters) for b in branches))
        else:
            raise _Unproven
    return "".join(out)


def always_well_formed(source: str, env: Environment) -> bool:
    """True when every rendering of ``source`` in ``env`` is well-formed XML (see the module doc)."""
    if env.autoescape is not True:
        return False
    filters = frozenset(name for name, fn in FILTERS.items() if env.filters.get(name) is fn)
    try:
        return _parses(_flatten(env.parse(source).body, filters))
    except _Unproven:
        return False
