#!/usr/bin/env python3
"""Fill the bundled example's supplier questionnaires from tools/fournisseurs_boulonnais.yaml.

    python tools/build_questionnaires.py            # rewrite examples/boulonnais/fournisseurs/, sourcing.csv
    python tools/build_questionnaires.py --check    # exit 1 if the committed files differ

Each profile gets the questionnaire ``lotsmarche sourcing template`` writes for the example's groupement,
filled with openpyxl the way a supplier would (answers typed in the unlocked cells, 0 out of season), saved
with fixed dates: the same YAML gives the same bytes. ``sourcing.csv`` is their merge (``sourcing merge``),
the table layout for users who keep their sourcing in a spreadsheet.
"""

from __future__ import annotations

import argparse
import sys
from io import BytesIO
from pathlib import Path
from typing import Any

import yaml

from lotsmarche.catalogue import load_catalogue
from lotsmarche.catalogue.model import Catalogue
from lotsmarche.groupement import load_groupement
from lotsmarche.sourcing import read_sourcing
from lotsmarche.sourcing.common import CANDIDATURES, SUPPLIER_KINDS, date_fr
from lotsmarche.sourcing.merge import sourcing_csv
from lotsmarche.sourcing.questionnaire import TITLE, questionnaire_bytes
from lotsmarche.xlsxutil import workbook_bytes

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tools" / "fournisseurs_boulonnais.yaml"
EXAMPLE = ROOT / "examples" / "boulonnais"
QUESTIONS = {
    "nom": "Nom ou raison sociale",
    "type": "Type d'activité",
    "commune": "Commune de l'établissement",
    "circuit_court": "Vente directe ou un seul intermédiaire",
    "reemployable": "Livraison en caisses réemployables",
    "frequence": "Fréquence de livraison",
    "minimum_ht": "Minimum de commande (€ HT)",
    "capacite_ht": "Capacité annuelle pour le groupement (€ HT)",
    "capacite_kg": "Capacité annuelle pour le groupement (kg)",
    "candidature": "Candidature envisagée",
}


def _rows(ws: Any) -> dict[str, int]:
    return {str(ws.cell(r, 1).value): r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value is not None}


def _french(value: object) -> str:
    return str(value).replace(".", ",")


def fill(cat: Catalogue, template: dict[str | None, bytes], profile: dict[str, Any]) -> bytes:
    """The questionnaire of one profile, answered."""
    familles = None if profile.get("familles") == "toutes" else "mer"
    wb = __import__("openpyxl").load_workbook(BytesIO(template[familles]))
    ws = wb["Fournisseur"]
    rows = _rows(ws)
    answers = dict(profile)
    answers["type"] = SUPPLIER_KINDS[profile["type"]]
    answers["candidature"] = CANDIDATURES[profile["candidature"]]
    for key, question in QUESTIONS.items():
        if key in answers:
            value = answers[key]
            ws.cell(rows[question], 2).value = value if isinstance(value, str) else _french(value)
    for day in profile.get("jours", []):
        ws.cell(rows[f"Livraison possible le {day}"], 2).value = "oui"
    products = wb["Produits"]
    rows = _rows(products)
    for code, spec in profile["produits"].items():
        months = spec.get("mois") or cat.produits[code].mois_disponibles
        for m in range(1, 13):  # 0 out of season: a supplier who read the instructions
            products.cell(rows[code], 5 + m).value = spec["par_mois"] if m in months else 0
    zones = wb["Zones"]
    rows = _rows(zones)
    for zone in profile["zones"]:
        zones.cell(rows[zone], 3).value = "oui"
    labels = wb["Labels"]
    rows = _rows(labels)
    for code, expiry in profile["labels"].items():
        labels.cell(rows[code], 3).value = "oui"
        labels.cell(rows[code], 4).value = date_fr(expiry)
    return workbook_bytes(wb, TITLE, "Réponse illustrative de l'exemple intégré (aucune entreprise réelle)")


def build(cat: Catalogue) -> dict[str, bytes]:
    """File name (relative to the example folder) -> bytes."""
    groupement = load_groupement(EXAMPLE / "groupement.yaml", cat)
    template = {
        "mer": questionnaire_bytes(cat, ["produits_de_la_mer"], groupement),
        None: questionnaire_bytes(cat, None, groupement),
    }
    profiles = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))["profils"]
    return {
        f"fournisseurs/profil_{letter.lower()}.xlsx": fill(cat, template, profile)  # type: ignore[arg-type]
        for letter, profile in profiles.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--out", type=Path, default=EXAMPLE, help="example folder (default: the bundled one)")
    args = parser.parse_args(argv)
    cat = load_catalogue()
    files = build(cat)
    out: Path = args.out
    if args.check:
        stale = [n for n, data in files.items() if not (out / n).is_file() or (out / n).read_bytes() != data]
        if stale:
            print("out of date: " + ", ".join(stale), file=sys.stderr)
            return 1
    else:
        (out / "fournisseurs").mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            tmp = out / f"{name}.tmp"
            tmp.write_bytes(data)
            tmp.replace(out / name)
    groupement = load_groupement(EXAMPLE / "groupement.yaml", cat)
    read = read_sourcing([out / "fournisseurs"], cat, reference=groupement.date_lancement)
    csv_text = sourcing_csv(read.fournisseurs)
    if args.check:
        if (out / "sourcing.csv").read_text(encoding="utf-8") != csv_text:
            print("out of date: sourcing.csv", file=sys.stderr)
            return 1
        return 0
    (out / "sourcing.csv").write_text(csv_text, encoding="utf-8", newline="\n")
    for s in read.fournisseurs:
        value = sum(
            (sum(v) * cat.produits[c].prix_reference_ht for c, v in (s.volumes_mensuels or {}).items()),
            start=0,
        )
        print(
            f"{s.nom}: {len(s.produits or [])} produits, volumes au prix de référence {value:.0f} EUR HT/an"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
