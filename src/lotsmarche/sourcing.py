"""Sourcing file (market research, R2111-1) → supplier profiles that size the lots.

CSV or XLSX, read with the intake machinery (separators, encodings, title rows, French headers). Columns:
``fournisseur`` (or ``nom``), ``type``, ``familles``, ``conservations``, ``groupes_especes``, ``produits``,
``capacite_annuelle_ht``, ``capacite_annuelle_kg``, ``zones``, ``livraison_reemployable`` (oui/non),
``labels``, ``circuit_court`` (oui/non). Lists are separated by ``|`` or ``,``. Sourcing never becomes an
award criterion: it only tells whether a lot can be served.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.errors import InputError, Problem
from lotsmarche.intake.headers import _keys, field_of, map_headers
from lotsmarche.intake.tabular import FORMULA_ERRORS, RawTable, header_tables
from lotsmarche.intake.values import Fixed, parse_fixed
from lotsmarche.models import CONSERVATIONS, Finding, Supplier
from lotsmarche.text import fold

HEADLINE = "Fichier de sourçage invalide"
SOURCING_BASIS = "Code de la commande publique, art. R2111-1 (sourçage : études et échanges préalables)"

ALIASES: dict[str, frozenset[str]] = {
    "nom": _keys("fournisseur", "nom", "raison sociale", "supplier", "name", "entreprise"),
    "type": _keys("type", "type de fournisseur", "kind"),
    "familles": _keys("familles", "famille", "families"),
    "conservations": _keys("conservations", "conservation"),
    "groupes_especes": _keys(
        "groupes_especes", "groupes d'espèces", "groupe d'espèces", "especes", "espèces"
    ),
    "produits": _keys("produits", "codes produits", "products"),
    "capacite_annuelle_ht": _keys(
        "capacite_annuelle_ht",
        "capacité annuelle ht",
        "capacité annuelle (€ ht)",
        "capacite ht",
        "capacité €",
        "capacity",
    ),
    "capacite_annuelle_kg": _keys(
        "capacite_annuelle_kg", "capacité annuelle kg", "capacité annuelle (kg)", "capacite kg", "tonnage"
    ),
    "zones": _keys("zones", "zone", "zones de livraison", "territoires", "delivery zones"),
    "livraison_reemployable": _keys(
        "livraison_reemployable", "livraison réemployable", "emballages réemployables", "reemployable"
    ),
    "labels": _keys("labels", "label", "signes de qualité"),
    "circuit_court": _keys("circuit_court", "circuit court", "short supply chain"),
}
_LIST_SPLIT = re.compile(r"[|,;]")
_YES = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
_NO = {"non", "n", "no", "faux", "false", "0", ""}


def _is_header(row: list[str]) -> bool:
    fields = {field_of(c, ALIASES) for c in row}
    return "nom" in fields and "familles" in fields


def load_sourcing(path: Path | None, cat: Catalogue) -> list[Supplier]:  # noqa: C901, PLR0912, PLR0915
    """Suppliers from ``path`` (CSV/XLSX), or the catalogue's illustrative profiles when None."""
    if path is None:
        return list(cat.fournisseurs)
    problems: list[Problem] = []

    def add(message: str, **where: Any) -> None:
        problems.append(Problem(message, **where))

    tables = header_tables(path, _is_header, add, "« fournisseur » et « familles »")
    suppliers: list[Supplier] = []
    for t in tables:
        cols = {f: pos for pos, f in map_headers(t.headers, ALIASES).items()}
        for i in range(len(t.data)):
            where = {
                "fichier": t.fichier,
                "feuille": t.feuille or None,
                "ligne": int(t.rows[i]),
            }

            def cell(f: str, i: int = i, t: RawTable = t, cols: dict[str, int] = cols) -> str:
                return str(t.data.iat[i, cols[f]]).strip() if f in cols else ""

            def col(f: str, t: RawTable = t, cols: dict[str, int] = cols) -> str:
                return t.headers[cols[f]] if f in cols else f

            row: dict[str, Any] = {"nom": cell("nom"), "type": cell("type") or "non précisé"}
            bad = False
            for f in ALIASES:
                if cell(f) in FORMULA_ERRORS:
                    add(f"erreur de formule « {cell(f)} »", colonne=col(f), **where)
                    bad = True
            if not row["nom"]:
                add("nom du fournisseur manquant", colonne=col("nom"), **where)
                bad = True
            row["familles"] = _items(cell("familles"))
            for fam in row["familles"]:
                if fam not in cat.familles:
                    add(
                        f"famille « {fam} » inconnue ; familles possibles : "
                        f"{', '.join(sorted(cat.familles))}",
                        colonne=col("familles"),
                        **where,
                    )
                    bad = True
            if not row["familles"]:
                add("au moins une famille est attendue", colonne=col("familles"), **where)
                bad = True
            for f, allowed in (
                ("conservations", set(CONSERVATIONS)),
                ("produits", set(cat.produits)),
                ("labels", set(cat.labels)),
            ):
                items = _items(cell(f))
                for item in items:
                    if item not in allowed:
                        add(
                            f"valeur « {item} » inconnue ; valeurs possibles : "
                            f"{', '.join(sorted(allowed)[:20])}" + ("…" if len(allowed) > 20 else ""),
                            colonne=col(f),
                            **where,
                        )
                        bad = True
                if f != "labels":
                    row[f] = items or None
                else:
                    row[f] = items
            row["groupes_especes"] = _items(cell("groupes_especes")) or None
            zones = _items(cell("zones")) or ["*"]
            row["zones"] = []
            for z in zones:
                if z == "*":
                    row["zones"].append("*")
                elif (named := cat.zone(z)) is not None:
                    # A territory (department map or EPCI), or a department: each of its territories.
                    row["zones"].extend(t for t in named if t not in row["zones"])
                else:
                    add(
                        f"zone « {z} » inconnue ; zones possibles : un territoire "
                        f"({', '.join(cat.territoires_cartes())}), un EPCI (nom officiel ou SIREN, ex. "
                        "« Bordeaux Métropole »), un département (code ou nom, ex. « 62 » ou « Gironde ») "
                        "ou « * »",
                        colonne=col("zones"),
                        **where,
                    )
                    bad = True
            for f in ("capacite_annuelle_ht", "capacite_annuelle_kg"):
                text = cell(f)
                if not text:
                    row[f] = None
                    continue
                r = parse_fixed(text, 2, "capacité")
                if isinstance(r, Fixed) and r.units > 0:
                    row[f] = Decimal(r.units) / 100
                else:
                    add(
                        r if isinstance(r, str) else f"capacité « {text} » nulle : laissez vide si inconnue",
                        colonne=col(f),
                        **where,
                    )
                    bad = True
            for f in ("livraison_reemployable", "circuit_court"):
                v = fold(cell(f))
                if v in _YES:
                    row[f] = True
                elif v in _NO:
                    row[f] = False
                else:
                    add(f"« {cell(f)} » : oui ou non attendu", colonne=col(f), **where)
                    bad = True
            if bad:
                continue
            try:
                suppliers.append(Supplier.model_validate(row))
            except ValidationError as exc:
                for err in exc.errors():
                    add(
                        f"valeur invalide ({err.get('msg', '')})",
                        colonne=".".join(map(str, err["loc"])),
                        **where,
                    )
    if problems:
        raise InputError(HEADLINE, problems)
    if not suppliers:
        raise InputError(HEADLINE, [Problem("aucun fournisseur dans le fichier", fichier=path.name)])
    return suppliers


def builtin_sourcing_findings(familles: Iterable[str], cat: Catalogue, k: int) -> list[Finding]:
    """What a plan sized on the catalogue's illustrative profiles (no sourcing file) must say.

    SRC-001: the built-in profiles stand in for the group's own sourcing, with the demand's families they
    cover with fewer than ``k`` profiles; SRC-002: one per family of the demand that no profile covers."""
    profiles = [s for s in cat.fournisseurs if s.illustratif] or list(cat.fournisseurs)
    thin: list[str] = []
    findings: list[Finding] = []
    for code in sorted(set(familles)):
        label = cat.familles[code].libelle if code in cat.familles else code
        names = [s.nom for s in profiles if code in s.familles]
        if not names:
            findings.append(
                Finding(
                    code="SRC-002",
                    severite="avertissement",
                    base_legale=SOURCING_BASIS,
                    message=f"Aucun profil de fournisseur intégré pour la famille « {label} » : aucun lot de "
                    "cette famille n'est servable selon le sourçage.",
                    correction="Décrire les fournisseurs de cette famille dans un fichier --sourcing.",
                )
            )
        elif len(names) < k:
            plural = "s" if len(names) > 1 else ""
            thin.append(f"« {label} » ({len(names)} profil{plural} : {', '.join(names)})")
    message = (
        "Aucun fichier de sourçage (--sourcing) : les profils illustratifs du catalogue (filière des "
        "produits de la mer du Boulonnais, aucun n'est une entreprise réelle) en tiennent lieu ; les nombres "
        "de fournisseurs capables et les découpages qui en dépendent ne valent que pour cet exemple."
    )
    if thin:
        message += f" Familles de la demande couvertes par moins de {k} profils : {' ; '.join(thin)}."
    findings.insert(
        0,
        Finding(
            code="SRC-001",
            severite="avertissement",
            base_legale=SOURCING_BASIS,
            message=message,
            correction="Fournir le sourçage du groupement avec --sourcing "
            "(colonnes : README, « Le sourçage »).",
        ),
    )
    return findings


def _items(text: str) -> list[str]:
    return [x.strip() for x in _LIST_SPLIT.split(text) if x.strip()]
