"""A filled supplier questionnaire (see ``questionnaire``) → one :class:`Supplier`, or every problem.

Rules a buyer can explain to a supplier: a product row left entirely blank is not offered; a month left
blank on a filled row counts as 0 (info SRC-003 names them); « 1 200,5 » is read as 1200.5; an unknown
product code is an error naming it and its column; a label past its expiry date at the reference date is not
counted (SRC-004); a label declared as equivalent is counted as the label it stands for (info SRC-005, the
buyer assesses the equivalence); a commune counts only when every commune of the group in its territory is
delivered (lots are cut by territory; info SRC-006 otherwise).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lotsmarche.intake.tabular import FORMULA_ERRORS, RawSource
from lotsmarche.models import CONSERVATIONS, Supplier
from lotsmarche.sourcing.common import (
    CANDIDATURES,
    FREQUENCIES,
    MONTHS,
    SUPPLIER_KINDS,
    Reading,
    amount,
    choice,
    counted_labels,
    parse_date,
    siret_error,
    volume,
    yes_no,
)
from lotsmarche.sourcing.questionnaire import (
    ALL_ZONES,
    IDENTITY,
    LABEL_HEADERS,
    LABELS,
    PRODUCTS,
    QUESTIONS,
    ZONE_HEADERS,
    ZONES,
)
from lotsmarche.text import fold


def is_questionnaire(source: RawSource) -> bool:
    return IDENTITY in source.sheets and PRODUCTS in source.sheets


class _Sheet:
    """One sheet of the questionnaire: cells by header name, problems placed on file, sheet, row, column."""

    def __init__(self, reader: QuestionnaireReader, title: str, first_header: str) -> None:
        self.reader, self.title = reader, title
        self.grid = reader.source.sheets.get(title, [])
        self.header_row = next(
            (i for i, row in enumerate(self.grid[:20]) if row and fold(row[0]) == fold(first_header)), None
        )
        headers = self.grid[self.header_row] if self.header_row is not None else []
        self.cols = {fold(h): j for j, h in enumerate(headers) if h.strip()}
        self.headers = headers
        if self.header_row is None and title in reader.source.sheets:
            reader.add(f"en-tête « {first_header} » introuvable", title, None, None)

    def rows(self) -> list[int]:
        start = -1 if self.header_row is None else self.header_row + 1
        return [i for i in range(start, len(self.grid)) if start >= 0]

    def get(self, i: int, header: str) -> str:
        j = self.cols.get(fold(header))
        row = self.grid[i]
        return row[j].strip() if j is not None and j < len(row) else ""

    def add(self, message: str, i: int, header: str) -> None:
        self.reader.add(message, self.title, i + 1, header)


class QuestionnaireReader:
    def __init__(self, source: RawSource, reading: Reading) -> None:
        self.source, self.reading, self.cat = source, reading, reading.cat
        self.bad = False

    def add(self, message: str, feuille: str, ligne: int | None, colonne: str | None) -> None:
        self.reading.problems.add(
            message, fichier=self.source.fichier, feuille=feuille, ligne=ligne, colonne=colonne
        )
        self.bad = True

    def read(self) -> Supplier | None:
        row = self.identity()
        nom = row.get("nom") or self.source.fichier
        volumes = self.products(nom)
        row["zones"] = self.zones(nom)
        held, echeances = self.labels(nom)
        if self.bad:
            return None
        codes = sorted(volumes)
        items = [self.cat.produits[c] for c in codes]
        conservations = {p.conservation for p in items}
        groups = sorted({p.groupe_espece for p in items if p.groupe_espece})
        row |= {
            "familles": sorted({p.famille for p in items}),
            "conservations": [c for c in CONSERVATIONS if c in conservations],
            "groupes_especes": groups or None,
            "produits": codes,
            "volumes_mensuels": {c: volumes[c] for c in codes},
            "labels": counted_labels(self.reading, nom, self.source.fichier, held, echeances),
            "labels_echeances": echeances,
            "source": self.source.fichier,
        }
        return Supplier.model_validate(row)

    # -- « Fournisseur » -----------------------------------------------------------------------------

    def identity(self) -> dict[str, Any]:
        grid = self.source.sheets[IDENTITY]
        by_label = {fold(q.libelle): q for q in QUESTIONS}
        answers: dict[str, tuple[str, int]] = {}
        for i, cells in enumerate(grid):
            q = by_label.get(fold(cells[0])) if cells else None
            if q is not None:
                answers[q.key] = ((cells[1] if len(cells) > 1 else "").strip(), i + 1)
        row: dict[str, Any] = {"jours_livraison": []}
        for q in QUESTIONS:
            text, line = answers.get(q.key, ("", None))
            if text in FORMULA_ERRORS:
                self.add(f"« {q.libelle} » : erreur de formule « {text} »", IDENTITY, line, "Réponse")
                continue
            value = self.answer(q.key, q.libelle, text)
            if isinstance(value, _Bad):
                self.add(f"« {q.libelle} » : {value.message}", IDENTITY, line, "Réponse")
            elif q.key.startswith("jour:"):
                if value:
                    row["jours_livraison"].append(q.key[5:])
            else:
                row[q.key] = value
        row["type"] = row.get("type") or "non précisé"
        row["commune_insee"] = row.pop("commune", None)
        return row

    def answer(self, key: str, libelle: str, text: str) -> Any:
        if key == "nom":
            return text or _Bad("le nom du fournisseur est obligatoire")
        if not text:
            return (
                False
                if key in ("circuit_court", "livraison_reemployable") or key.startswith("jour:")
                else None
            )
        if key == "siret":
            digits = "".join(text.split())
            return _Bad(err) if (err := siret_error(digits)) else digits
        if key == "type":
            return choice(text, SUPPLIER_KINDS) or _Bad(
                f"« {text} » inconnu ; types possibles : {', '.join(SUPPLIER_KINDS.values())}"
            )
        if key == "candidature":
            return choice(text, CANDIDATURES) or _Bad(
                f"« {text} » inconnue ; réponses possibles : {', '.join(CANDIDATURES.values())}"
            )
        if key == "commune":
            found = self.cat.trouver_commune(text)
            return found.code or _Bad(f"commune « {text} » : {found.erreur or 'introuvable'}")
        if key in ("circuit_court", "livraison_reemployable") or key.startswith("jour:"):
            flag = yes_no(text)
            return _Bad(f"« {text} » : oui ou non attendu") if flag is None else flag
        if key in ("minimum_commande_ht", "capacite_annuelle_ht", "capacite_annuelle_kg"):
            value = amount(text, libelle.lower())
            return _Bad(value) if isinstance(value, str) else (value or None)
        if key == "frequence_livraison":
            return next((f for f in FREQUENCIES if fold(f) == fold(text)), text)
        return text

    # -- « Produits » --------------------------------------------------------------------------------

    def products(self, nom: str) -> dict[str, tuple[Decimal, ...]]:
        sheet = _Sheet(self, PRODUCTS, "Code")
        volumes: dict[str, tuple[Decimal, ...]] = {}
        seen: dict[str, int] = {}
        blanks: list[str] = []
        month_headers = [m.capitalize() for m in MONTHS]
        for i in sheet.rows():
            code = sheet.get(i, "Code").split(" — ")[0].strip()
            texts = [sheet.get(i, h) for h in month_headers]
            if not any(texts):
                continue
            if not code:
                sheet.add("code produit manquant pour des volumes saisis", i, "Code")
                continue
            if code not in self.cat.produits:
                sheet.add(
                    f"produit « {code} » inconnu du catalogue (codes : feuille « Instructions »)", i, "Code"
                )
                continue
            months: list[Decimal] = []
            for header, text in zip(month_headers, texts, strict=True):
                value: Decimal | str = Decimal(0) if not text else volume(text)
                if text in FORMULA_ERRORS:
                    value = f"erreur de formule « {text} »"
                if isinstance(value, str):
                    sheet.add(f"{code} : {value}", i, header)
                    value = Decimal(0)
                months.append(value)
            if code in seen:
                sheet.add(f"produit « {code} » déjà indiqué ligne {seen[code]}", i, "Code")
                continue
            seen[code] = i + 1
            if not any(months):
                continue  # 0 every month: not offered
            empty = [MONTHS[m] for m, text in enumerate(texts) if not text]
            if empty:
                blanks.append(f"{code} ({', '.join(empty)})")
            volumes[code] = tuple(months)
        if not volumes and not self.bad:
            self.add("aucun produit proposé : indiquez au moins un volume mensuel", PRODUCTS, None, None)
        if blanks and not self.bad:
            self.reading.note(
                "SRC-003",
                "info",
                f"Fournisseur « {nom} » ({self.source.fichier}) : mois laissés vides comptés comme 0 : "
                + " ; ".join(blanks)
                + ".",
                "Faire confirmer au fournisseur qu'il n'a aucun volume ces mois-là.",
            )
        return volumes

    # -- « Zones » -----------------------------------------------------------------------------------

    def zones(self, nom: str) -> list[str]:
        sheet = _Sheet(self, ZONES, ZONE_HEADERS[0])
        zones: list[str] = []
        communes: dict[str, tuple[set[str], set[str]]] = {}  # territory -> (group communes, delivered)
        ignored: list[str] = []
        for i in sheet.rows():
            zone, nature = sheet.get(i, ZONE_HEADERS[0]), fold(sheet.get(i, ZONE_HEADERS[1]))
            answer = sheet.get(i, ZONE_HEADERS[2])
            delivered = yes_no(answer)
            if delivered is None:
                sheet.add(f"« {answer} » : oui ou non attendu", i, ZONE_HEADERS[2])
                continue
            if not zone:
                if delivered:
                    sheet.add("zone manquante sur une ligne cochée", i, ZONE_HEADERS[0])
                continue
            if nature == "commune":
                found = self.cat.trouver_commune(zone)
                if found.code is None:
                    continue
                group, ticked = communes.setdefault(self.cat.territoire(found.code), (set(), set()))
                group.add(found.code)
                if delivered:
                    ticked.add(found.code)
                continue
            if not delivered:
                continue
            named = self.named_zone(zone, nature)
            if named is None:
                sheet.add(
                    f"zone « {zone} » inconnue : un territoire, un EPCI (nom officiel), un département ou "
                    "une commune du groupement attendu",
                    i,
                    ZONE_HEADERS[0],
                )
            elif named:
                zones.extend(named)
            else:
                ignored.append(zone)
        whole, partial = _commune_territories(communes)
        zones += whole
        ignored += partial
        if ignored and not self.bad:
            self.reading.note(
                "SRC-006",
                "info",
                f"Fournisseur « {nom} » ({self.source.fichier}) : zones non retenues, les lots étant "
                f"découpés par territoire : {' ; '.join(ignored)}.",
                "Demander au fournisseur s'il livre tout le territoire.",
            )
        out = sorted(set(zones))
        if not out and sheet.header_row is not None:
            self.add(
                "aucune zone de livraison : répondez oui pour au moins une zone", ZONES, None, ZONE_HEADERS[2]
            )
        return ["*"] if "*" in out else out

    def named_zone(self, zone: str, nature: str) -> list[str] | None:
        """Territories of a zone row (``*`` for all); [] for a lone commune outside the group's list."""
        if nature == "toutes" or fold(zone) in (fold(ALL_ZONES), "*"):
            return ["*"]
        if (named := self.cat.zone(zone)) is not None:
            return named
        return [] if self.cat.trouver_commune(zone).code is not None else None

    # -- « Labels » ----------------------------------------------------------------------------------

    def labels(self, nom: str) -> tuple[list[str], dict[str, Any]]:
        sheet = _Sheet(self, LABELS, LABEL_HEADERS[0])
        held: list[str] = []
        echeances: dict[str, Any] = {}
        code_h, held_h, date_h, _cert_h, equiv_h = (LABEL_HEADERS[i] for i in (0, 2, 3, 4, 5))
        for i in sheet.rows():
            code, answer = sheet.get(i, code_h), sheet.get(i, held_h)
            flag = yes_no(answer)
            if flag is None:
                sheet.add(f"« {answer} » : oui ou non attendu", i, held_h)
                continue
            if not flag:
                continue
            target = code
            if code not in self.cat.labels:
                equivalent = sheet.get(i, equiv_h)
                if not code:
                    sheet.add("nom du label manquant", i, code_h)
                    continue
                if equivalent not in self.cat.labels:
                    sheet.add(
                        f"label « {code} » inconnu : indiquez en colonne « {equiv_h} » le code du label du "
                        "catalogue qu'il équivaut",
                        i,
                        equiv_h if equivalent else code_h,
                    )
                    continue
                target = equivalent
                self.reading.note(
                    "SRC-005",
                    "info",
                    f"Fournisseur « {nom} » ({self.source.fichier}) : « {code} » déclaré équivalent à "
                    f"{equivalent}, compté comme tel ; l'équivalence est à apprécier par l'acheteur.",
                )
            text = sheet.get(i, date_h)
            if text:
                expiry = parse_date(text)
                if expiry is None:
                    sheet.add(f"date « {text} » invalide : JJ/MM/AAAA attendu", i, date_h)
                    continue
                echeances[target] = max(expiry, echeances.get(target, expiry))  # the valid one counts
            if target not in held:
                held.append(target)
        return sorted(held), dict(sorted(echeances.items()))


def _commune_territories(communes: dict[str, tuple[set[str], set[str]]]) -> tuple[list[str], list[str]]:
    """Territories whose every group commune is delivered, and what is said of the partly delivered ones."""
    whole: list[str] = []
    partial: list[str] = []
    for territory, (group, ticked) in sorted(communes.items()):
        if group and group == ticked:
            whole.append(territory)
        elif ticked:
            partial.append(f"{len(ticked)} commune(s) sur {len(group)} du territoire {territory}")
    return whole, partial


class _Bad:
    def __init__(self, message: str) -> None:
        self.message = message


def read_questionnaire(source: RawSource, reading: Reading) -> Supplier | None:
    """The supplier a filled questionnaire describes; None when it has problems (in ``reading``)."""
    return QuestionnaireReader(source, reading).read()
