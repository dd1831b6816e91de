"""Reading the YAML files a buyer writes (groupement.yaml, plan YAML, members list, catalogues) safely.

``yaml.safe_load`` never runs code, but a hostile or clumsy file can still hurt: a few kilobytes of
aliases (``&a``/``*a``, the "billion laughs") expand into gigabytes, a file nested thousands of levels
deep exhausts Python's recursion, and an impossible date (``2026-02-30``) raises a bare ``ValueError``
from inside the parser. :func:`load_yaml` parses once into the node tree, then walks it (iteratively)
before anything is built:

* **aliases are refused**: no file of lotsmarche needs them, and refusing them bounds the data by the
  size of the text;
* the **nesting depth** is capped (:data:`MAX_DEPTH`, far above what any of our files needs);
* every **date** is checked where it stands, so an impossible one is reported with its line and key.

Each refusal is a :class:`YamlProblem` carrying the French message, the 1-based line and column and the
key path (``membres[2].date``); callers turn it into their own located :class:`~lotsmarche.errors.Problem`.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_DEPTH = 64
QUOTE_MAX = 80  # characters of a user's value quoted in a message

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_DATES = yaml.constructor.SafeConstructor()  # builds one timestamp at a time, to test it


class YamlProblem(Exception):
    """A YAML file that cannot be read: French message, 1-based line/column (when known), key path."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        column: int | None = None,
        key: str = "",
        *,
        inline: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.inline = inline  # the message already says where (syntax errors)
        self.line = line
        self.column = column
        self.key = key

    def text(self) -> str:
        """« ligne 4, colonne 3, clé « date_lancement » : message » (the parts that are known)."""
        if self.inline:
            return self.message
        where = []
        if self.line is not None:
            where.append(f"ligne {self.line}" + (f", colonne {self.column}" if self.column else ""))
        if self.key:
            where.append(f"clé « {quote(self.key)} »")
        return (", ".join(where) + " : " if where else "") + self.message


def quote(value: object, limit: int = QUOTE_MAX) -> str:
    """A user's value as quoted in a message: one line, at most ``limit`` characters (then « … »)."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def load_yaml(text: str, loader: type[yaml.SafeLoader] | None = None) -> tuple[yaml.Node | None, Any]:
    """Parse ``text`` into (node tree, data) with a safe loader; :class:`YamlProblem` on any refusal.

    ``loader`` is a SafeLoader subclass (the catalogue reads floats as Decimal); the C loader by default.
    """
    parser = (loader or _BaseLoader)(text)
    try:
        try:
            node = parser.get_single_node()
        except yaml.MarkedYAMLError as exc:
            raise _syntax(exc) from None
        except yaml.YAMLError as exc:
            raise YamlProblem(f"syntaxe YAML invalide : {exc}") from None
        except RecursionError:
            raise YamlProblem(_too_deep()) from None
        if node is None:
            return None, None
        _check_tree(node)
        try:
            data = parser.construct_document(node)
        except yaml.MarkedYAMLError as exc:
            raise _syntax(exc) from None
        except RecursionError:
            raise YamlProblem(_too_deep()) from None
        except (ValueError, TypeError, ArithmeticError) as exc:  # a constructor refused a scalar
            raise YamlProblem(f"valeur illisible ({quote(exc)})") from None
    finally:
        parser.dispose()
    return node, data


def _syntax(exc: yaml.MarkedYAMLError) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    where = f" (ligne {line}, colonne {column})" if mark is not None else ""
    return YamlProblem(
        f"syntaxe YAML invalide{where} : vérifiez l'indentation, les deux-points et les guillemets",
        line,
        column,
        inline=True,
    )


def _too_deep() -> str:
    return f"structure imbriquée trop profonde (plus de {MAX_DEPTH} niveaux)"


def _check_tree(root: yaml.Node) -> None:
    """Refuse aliases (a node met twice), too deep nesting and impossible dates, with their place."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int, str]] = [(root, 0, "")]
    while stack:
        node, depth, key = stack.pop()
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        if id(node) in seen:
            # The node tree keeps no trace of the alias itself: name the key and the anchor's line.
            raise YamlProblem(
                "les alias YAML (« *nom » renvoyant à une ancre « &nom ») ne sont pas acceptés : "
                f"recopiez la valeur (ancre de la ligne {line})",
                key=key,
            )
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise YamlProblem(_too_deep(), line, column, key)
        if isinstance(node, yaml.MappingNode):
            for k, v in reversed(node.value):
                name = k.value if isinstance(k, yaml.ScalarNode) else "?"
                stack.append((v, depth + 1, f"{key}.{name}" if key else str(name)))
                stack.append((k, depth + 1, key))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in reversed(list(enumerate(node.value))):
                stack.append((v, depth + 1, f"{key}[{i + 1}]"))
        elif isinstance(node, yaml.ScalarNode) and node.tag == _TIMESTAMP:
            _check_date(node, line, column, key)


def _check_date(node: yaml.ScalarNode, line: int, column: int, key: str) -> None:
    try:
        _DATES.construct_yaml_timestamp(node)
    except (ValueError, OverflowError):
        raise YamlProblem(
            f"« {quote(node.value)} » n'est pas une date du calendrier (jour ou mois impossible)",
            line,
            column,
            key,
        ) from None
