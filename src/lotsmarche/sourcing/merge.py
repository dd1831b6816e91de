"""Read every sourcing input at once (questionnaires, tables, folders of them), and write the merged table.

``read_sourcing`` reports every problem of every file in one InputError (nothing is kept of a reading with
problems); ``sourcing_csv`` writes the suppliers in the table layout of ``csvfile``, which reads back into
equal suppliers (month-level volumes, expiry dates and the file each answer came from included).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from lotsmarche.catalogue.model import Catalogue
from lotsmarche.errors import InputError, OutputExistsError, Problem
from lotsmarche.models import Finding, Supplier
from lotsmarche.sourcing.common import HEADLINE, Reading

INPUT_SUFFIXES = (".xlsx", ".csv")
COLUMNS = (
    "fournisseur",
    "type",
    "familles",
    "conservations",
    "groupes_especes",
    "produits",
    "capacite_annuelle_ht",
    "capacite_annuelle_kg",
    "zones",
    "livraison_reemployable",
    "labels",
    "circuit_court",
    "siret",
    "commune",
    "jours_livraison",
    "frequence_livraison",
    "labels_echeances",
    "agrement_sanitaire",
    "minimum_commande_ht",
    "candidature",
    "volumes_mensuels",
    "source",
)


@dataclass(frozen=True)
class SourcingRead:
    """Suppliers read (file order, then row order), the findings of the reading, the files read."""

    fournisseurs: list[Supplier]
    findings: list[Finding] = field(default_factory=list)
    fichiers: list[str] = field(default_factory=list)


def input_files(paths: Iterable[Path]) -> list[Path]:
    """The files to read: each file given, and the questionnaires and tables of each folder given (sorted;
    office lock files ``~$…`` and hidden files skipped)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(
                p
                for p in path.iterdir()
                if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES and not p.name.startswith(("~$", "."))
            )
        else:
            out.append(path)
    return out


def read_sourcing(
    paths: Sequence[Path],
    cat: Catalogue,
    *,
    reference: date | None = None,
    reference_text: str = "date de référence",
) -> SourcingRead:
    """Every supplier of ``paths`` (files or folders); InputError listing every problem of every file.

    ``reference`` is the date labels must still be valid on (the consultation's launch date, else today):
    a certificate expired by then is not counted (SRC-004). Without it, expiry dates are not checked."""
    from lotsmarche.intake.tabular import read_source
    from lotsmarche.sourcing.answers import is_questionnaire, read_questionnaire
    from lotsmarche.sourcing.csvfile import read_table

    reading = Reading(cat, reference, reference_text)
    files = input_files(paths)
    if not files:
        raise InputError(
            HEADLINE,
            [
                Problem("aucun questionnaire ni fichier de sourçage (.xlsx, .csv) dans", fichier=str(p))
                for p in paths
            ],
        )
    suppliers: list[Supplier] = []
    first_seen: dict[str, str] = {}
    for path in files:
        found: list[Supplier] = []
        source = read_source(path, reading.problems.add) if path.suffix.lower() == ".xlsx" else None
        if source is not None and is_questionnaire(source):
            one = read_questionnaire(source, reading)
            found = [one] if one is not None else []
        elif path.suffix.lower() != ".xlsx" or source is not None:
            found = read_table(path, reading)
            if not found and not reading.problems:
                reading.problems.add("aucun fournisseur dans le fichier", fichier=path.name)
        for s in found:
            where = s.source or path.name
            if s.nom in first_seen:
                reading.problems.add(
                    f"fournisseur « {s.nom} » déjà décrit dans {first_seen[s.nom]} : un seul questionnaire "
                    "ou une seule ligne par fournisseur",
                    fichier=path.name,
                )
            first_seen.setdefault(s.nom, where)
        suppliers += found
    reading.problems.raise_if_any(HEADLINE)
    return SourcingRead(suppliers, reading.findings, [p.name for p in files])


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value else "0"
    return text.replace(".", ",")


def _row(s: Supplier) -> list[str]:
    volumes = " | ".join(
        f"{code}:" + "/".join(_number(v) for v in months)
        for code, months in (s.volumes_mensuels or {}).items()
    )
    return [
        s.nom,
        s.type,
        "|".join(s.familles),
        "|".join(s.conservations or []),
        "|".join(s.groupes_especes or []),
        "|".join(s.produits or []),
        _number(s.capacite_annuelle_ht) if s.capacite_annuelle_ht is not None else "",
        _number(s.capacite_annuelle_kg) if s.capacite_annuelle_kg is not None else "",
        "|".join(s.zones),
        "oui" if s.livraison_reemployable else "non",
        "|".join(s.labels),
        "oui" if s.circuit_court else "non",
        s.siret or "",
        f"insee:{s.commune_insee}" if s.commune_insee else "",
        "|".join(s.jours_livraison),
        s.frequence_livraison or "",
        "|".join(f"{code}:{d.isoformat()}" for code, d in s.labels_echeances.items()),
        s.agrement_sanitaire or "",
        _number(s.minimum_commande_ht) if s.minimum_commande_ht is not None else "",
        s.candidature or "",
        volumes,
        s.source or "",
    ]


def sourcing_csv(suppliers: Sequence[Supplier]) -> str:
    """The suppliers as a sourcing table (``;``, French decimals, UTF-8): read back into equal suppliers.

    A text a spreadsheet would take for a formula (« =… ») is written as is: the table is data, read by
    lotsmarche; spreadsheets open it as text only through their import dialog."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(_row(s) for s in suppliers)
    return buf.getvalue()


def merge_sourcing(
    paths: Sequence[Path],
    out: Path,
    cat: Catalogue,
    *,
    reference: date | None = None,
    reference_text: str = "date de référence",
    force: bool = False,
) -> SourcingRead:
    """Read ``paths`` and write the merged table to ``out`` (atomically; never over an input, never over
    an existing file without ``force``). Nothing is written when an input has a problem."""
    from lotsmarche.atomic import check_apart, write_bytes

    check_apart([out], list(paths))
    if out.exists() and not force:
        raise OutputExistsError(
            "Le fichier de sortie existe déjà",
            [Problem("ajoutez --force pour le remplacer", fichier=str(out))],
        )
    if out.suffix.lower() != ".csv":
        raise InputError(
            "Nom de fichier invalide",
            [Problem("le sourçage fusionné est un tableau : nom en .csv attendu", fichier=str(out))],
        )
    result = read_sourcing(paths, cat, reference=reference, reference_text=reference_text)
    if out.resolve() in {p.resolve() for p in input_files(paths)}:
        raise InputError(
            "Fichier de sortie invalide",
            [Problem("la sortie ne peut pas remplacer une entrée", fichier=str(out))],
        )
    write_bytes(out, sourcing_csv(result.fournisseurs).encode("utf-8"))
    return result


def sourcing_step(
    paths: Sequence[Path],
    *,
    groupement_file: Path | None,
    catalogues: Path | None,
    today: date,
    out: Path | None = None,
    force: bool = False,
) -> SourcingRead:
    """What ``sourcing check`` (``out`` None) and ``sourcing merge`` do: catalogue and groupement loaded,
    labels checked on the group's launch date (with ``groupement_file``), else on ``today``."""
    from lotsmarche.catalogue import load_catalogue
    from lotsmarche.groupement import load_groupement

    if out is not None:
        from lotsmarche.atomic import check_apart

        check_apart([out], [*paths, groupement_file, catalogues])
        if out.exists() and not force:  # checked first: nothing is read in vain
            raise OutputExistsError(
                "Le fichier de sortie existe déjà",
                [Problem("ajoutez --force pour le remplacer", fichier=str(out))],
            )
    cat = load_catalogue(catalogues)
    if groupement_file is not None:
        reference, text = load_groupement(groupement_file, cat).date_lancement, "date de lancement"
    else:
        reference, text = today, "date du jour"
    if out is None:
        return read_sourcing(paths, cat, reference=reference, reference_text=text)
    return merge_sourcing(paths, out, cat, reference=reference, reference_text=text, force=force)
