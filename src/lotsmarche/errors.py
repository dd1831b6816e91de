"""One error hierarchy for the whole library.

The library raises these; only ``lotsmarche.cli`` turns them into French messages and exit codes.
Every error carries the structured place of the problem so the CLI can name file, sheet, row and column.
Bad user input is reported *all at once*: an :class:`InputError` holds a list of :class:`Problem`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One problem found in an input, located as precisely as possible (1-based row, as a user sees it)."""

    message: str
    fichier: str | None = None
    feuille: str | None = None
    ligne: int | None = None
    colonne: str | None = None

    def render(self) -> str:
        """French one-line message: ``fichier, feuille « F », ligne 12, colonne « quantite » : message``."""
        where: list[str] = []
        if self.fichier:
            where.append(self.fichier)
        if self.feuille:
            where.append(f"feuille « {self.feuille} »")
        if self.ligne is not None:
            where.append(f"ligne {self.ligne}")
        if self.colonne:
            # A command-line option (« --date-lancement ») is never called a column.
            kind = "option" if self.colonne.startswith("--") else "colonne"
            where.append(f"{kind} « {self.colonne} »")
        prefix = ", ".join(where)
        return f"{prefix} : {self.message}" if prefix else self.message


class LotsmarcheError(Exception):
    """Base of every error the library raises on purpose. ``exit_code`` is what the CLI returns."""

    exit_code: int = 2

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = list(problems or [])

    def lines(self) -> list[str]:
        """The French lines the CLI prints: the headline, then one line per problem."""
        out = [self.message]
        out.extend(p.render() for p in self.problems)
        return out


class InputError(LotsmarcheError):
    """A user input (demand, groupement, sourcing, plan, lots.json, option) is invalid."""


class CatalogueError(LotsmarcheError):
    """A catalogue file is missing or invalid (message names file, entry and field)."""


class LottingError(LotsmarcheError):
    """The demand cannot be split as asked (unknown strategy, overlapping plan rules, ...)."""


class RenderError(LotsmarcheError):
    """A template cannot be rendered (names template and variable) or an output cannot be written."""


class OutputExistsError(LotsmarcheError):
    """The output exists and ``--force`` was not given."""


@dataclass
class ProblemCollector:
    """Collects problems so that a reader can report every bad row at once instead of the first one."""

    problems: list[Problem] = field(default_factory=list)
    limit: int = 200

    def add(self, message: str, **where: object) -> None:
        if len(self.problems) < self.limit:
            self.problems.append(Problem(message, **where))  # type: ignore[arg-type]

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self, headline: str, cls: type[LotsmarcheError] = InputError) -> None:
        if self.problems:
            raise cls(headline, self.problems)
