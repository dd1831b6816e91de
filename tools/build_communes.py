"""Build ``catalogues/communes.json.gz``: every current French commune, from the official geographic code.

Source: the npm package ``@etalab/decoupage-administratif`` (MIT; data under the Licence Ouverte), which
packages INSEE's Code officiel géographique, the DGCL list of EPCI à fiscalité propre, INSEE's legal
populations and La Poste's official postcode base. Install it outside the repository, then run::

    mkdir -p /tmp/decoupage && cd /tmp/decoupage && npm install @etalab/decoupage-administratif
    python tools/build_communes.py /tmp/decoupage/node_modules/@etalab/decoupage-administratif

Only ``type: commune-actuelle`` entries are kept (delegated and associated communes and the municipal
arrondissements of Paris, Lyon and Marseille are parts of a current commune, not communes). The output is
a gzip'd JSON document, byte-identical for the same package version and date (gzip mtime 0, sorted keys):

    {"source": ..., "version": "6.0.0", "millesime": ..., "extrait_le": "AAAA-MM-JJ", "licence": ...,
     "regions": {code: nom}, "departements": {code: [nom, region]},
     "epci": {siren: nom}, "communes": [[code_insee, nom, "cp1 cp2", population, epci_siren], ...],
     "anciens_codes": {former INSEE code: current code}, "anciens_noms": [[former name, current code]]}

The department is not stored per commune: it is the INSEE code's first 2 characters (3 for 97x / 98x),
which this tool checks against the package's ``departement`` field.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
from datetime import date
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "catalogues" / "communes.json.gz"
PACKAGE = "@etalab/decoupage-administratif"


def departement_of(code_insee: str) -> str:
    return code_insee[:3] if code_insee.startswith(("97", "98")) else code_insee[:2]


def build(package_dir: Path, extrait_le: str) -> bytes:
    meta = json.loads((package_dir / "package.json").read_text(encoding="utf-8"))
    if meta.get("name") != PACKAGE:
        raise SystemExit(f"{package_dir} n'est pas le paquet {PACKAGE}")
    data = package_dir / "data"
    communes = json.loads((data / "communes.json").read_text(encoding="utf-8"))
    epcis = json.loads((data / "epci.json").read_text(encoding="utf-8"))
    departements = json.loads((data / "departements.json").read_text(encoding="utf-8"))
    regions = json.loads((data / "regions.json").read_text(encoding="utf-8"))

    epci_of: dict[str, str] = {}
    for e in epcis:
        for m in e["membres"]:
            if m["code"] in epci_of:
                raise SystemExit(f"commune {m['code']} dans deux EPCI")
            epci_of[m["code"]] = e["code"]
    rows: list[list[object]] = []
    for c in communes:
        if c.get("type") != "commune-actuelle":
            continue
        code = c["code"]
        if departement_of(code) != c["departement"]:
            raise SystemExit(f"commune {code} : département {c['departement']} ≠ préfixe du code INSEE")
        rows.append(
            [
                code,
                c["nom"],
                " ".join(sorted(set(c.get("codesPostaux") or []))),
                int(c.get("population") or 0),
                epci_of.get(code, ""),
            ]
        )
    rows.sort(key=lambda r: str(r[0]))
    current = {str(r[0]): str(r[1]) for r in rows}
    # Former communes (delegated or associated communes of a commune nouvelle, codes before a merger): a
    # buyer may still write them; they lead to the current commune.
    anciens_codes: dict[str, str] = {}
    anciens_noms: set[tuple[str, str]] = set()
    for c in communes:
        if c.get("type") == "commune-actuelle":
            for old in c.get("anciensCodes") or []:
                if old not in current:
                    anciens_codes[old] = c["code"]
        elif c.get("type") in ("commune-deleguee", "commune-associee"):
            chef = c["chefLieu"]
            if c["code"] not in current:
                anciens_codes.setdefault(c["code"], chef)
            if c["nom"] != current[chef]:
                anciens_noms.add((c["nom"], chef))
    doc = {
        "source": (
            f"npm {PACKAGE} {meta['version']} (Code officiel géographique INSEE, EPCI DGCL, "
            "populations légales INSEE, base officielle des codes postaux La Poste)"
        ),
        "version": meta["version"],
        "extrait_le": extrait_le,
        "licence": "code MIT, données Licence Ouverte (Etalab)",
        "regions": {r["code"]: r["nom"] for r in regions},
        "departements": {d["code"]: [d["nom"], d["region"]] for d in departements},
        "epci": {e["code"]: e["nom"] for e in epcis},
        "communes": rows,
        "anciens_codes": dict(sorted(anciens_codes.items())),
        "anciens_noms": sorted([nom, chef] for nom, chef in anciens_noms),
    }
    text = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package_dir", type=Path, help=f"dossier du paquet npm {PACKAGE}")
    parser.add_argument("--date", default=date.today().isoformat(), help="date d'extraction (AAAA-MM-JJ)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    blob = build(args.package_dir, args.date)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_bytes(blob)
    tmp.replace(args.out)
    print(f"{args.out} : {len(blob)} octets", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
