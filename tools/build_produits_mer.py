# ruff: noqa: E501 - data tables: one product per entry reads better than wrapped lines
"""Generate catalogues/produits_mer.yaml from the species and product tables below.

Run from the repository root: ``python tools/build_produits_mer.py``. Prices are wholesale catering orders of
magnitude for 2026 (``prix_estime: true``) unless a real source is named. Months of fresh products come from
the seasonality grid of RULES.md §15.5; frozen, canned and processed products are available all year.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from catalogue_yaml import ESTIMATE_SOURCE, GRID_SOURCE, PRICE_DATE, TRANSFORMED, months_of, write

PROCSEA = "https://procsea.com/fr/produits/calendrier-des-saisons/"
MAREIS = "http://mareis.over-blog.com/article-le-hareng-clupea-harengus-52412856.html"
CSJ_SEASON = "https://poissonneriemontmorency.blog4ever.com/coquilles-st-jacques-ca-vaut-le-gout"
EUROPE1 = "https://www.europe1.fr/societe/quelle-saison-pour-les-poissons-4026547"
CONSOGLOBE = "https://www.consoglobe.com/manger-de-saison-ejanvier-cg"
CHERBOURG = "http://www.peche-cherbourg.com/poissonplat.asp"
SMEL = "https://smel.fr/la-seiche-sur-la-cote-ouest-du-cotentin-de-la-ponte-a-la-capture"
MAQ_MARS = "https://synonyme-du-mot.com/les-articles/quel-poisson-consommer-en-mars"
COQ_ETE = "https://local-magazine.fr/fruits-de-mer-et-poissons-a-savourer-cet-ete/"

# Species: token -> (name, group, wild, fresh whole CPV, grid J..D, confidence, sourced statements)
# Grid key (RULES.md §15.5): H best, o available, . scarce or spawning, x closed. Only H and o count as available.
SPECIES: dict[str, tuple[str, str, bool, str, str, str, list[str]]] = {
    "HARENG": ("hareng", "poissons_bleus", True, "03311300-5", "o o . . . . . . . o H H", "S", [MAREIS]),
    "MAQUEREAU": ("maquereau", "poissons_bleus", True, "03311000-2", ". . o o o H H H H o . .", "S",
                  [PROCSEA, MAQ_MARS]),
    "SARDINE": ("sardine", "poissons_bleus", True, "03311000-2", ". . . . . H H H H o . .", "S", [PROCSEA]),
    "MERLAN": ("merlan", "poissons_blancs", True, "03311500-7", "H . . o o o o o o H H H", "S",
               [PROCSEA, CONSOGLOBE]),
    "LIEUNOIR": ("lieu noir", "poissons_blancs", True, "03311220-0", "o o o o o o o o o o o o", "U", []),
    "CABILLAUD": ("cabillaud", "poissons_blancs", True, "03311210-7", "o . . o o o o o o o H H", "U", []),
    "EGLEFIN": ("églefin", "poissons_blancs", True, "03311240-6", "", "U", [MAQ_MARS]),
    "TACAUD": ("tacaud", "poissons_blancs", True, "03311200-4", "H H o o o o o o o H H H", "U", []),
    "GRONDIN": ("grondin", "poissons_blancs", True, "03311000-2", "o o o o o H H H H H o o", "U", []),
    "ROUGET": ("rouget-barbet", "poissons_blancs", True, "03311000-2", ". . . . . o o H H H H o", "S", []),
    "BAR": ("bar", "poissons_blancs", True, "03311000-2", "o . . o o o o o H H H o", "S", [PROCSEA, EUROPE1]),
    "DORADE": ("dorade grise", "poissons_blancs", True, "03311000-2", "o . . . . o H H H H o o", "U",
               [CONSOGLOBE]),
    "ROUSSETTE": ("roussette", "poissons_blancs", True, "03311000-2", "o o o o o o o o o o o o", "U", []),
    "LOTTE": ("lotte", "poissons_blancs", True, "03311000-2", ". . o o o o o o o H H H", "S", []),
    "LIMANDE": ("limande", "poissons_plats", True, "03311100-3", "o . . . H H H H o o o o", "U",
                [CHERBOURG, CONSOGLOBE]),
    "PLIE": ("plie", "poissons_plats", True, "03311120-9", ". . . o H H H H H o o o", "U", []),
    "SOLE": ("sole", "poissons_plats", True, "03311110-6", "o . . o o o o o H H H H", "S", [PROCSEA]),
    "RAIE": ("raie", "poissons_plats", True, "03311000-2", "o o o o o o o o o o o o", "U", []),
    "ENCORNET": ("encornet", "cephalopodes", True, "03312300-2", "H o . . . . . o o H H H", "S", [PROCSEA]),
    "SEICHE": ("seiche", "cephalopodes", True, "03312300-2", ". . o H H H o o o o o .", "S", [SMEL]),
    "CSJ": ("coquille Saint-Jacques", "coquillages", True, "03312200-1", "o o o o o x x x x o H H", "S",
            [CSJ_SEASON]),
    "BULOT": ("bulot", "coquillages", True, "03312200-1", "H H H o o o o o o H H H", "U", [CONSOGLOBE]),
    "MOULE": ("moule", "coquillages", False, "03312200-1", "o . . . . o H H H H H o", "S", [PROCSEA, COQ_ETE]),
    "CREVETTEGRISE": ("crevette grise", "crustaces", True, "03312000-9", ". . . o o o o o H H H .", "U", []),
    "COLINALASKA": ("colin d'Alaska", "poissons_blancs", True, "03311200-4", "", "U", []),
    "THON": ("thon albacore", "poissons_bleus", True, "03311400-6", "", "U", []),
}
# Écolabel Pêche durable: certified fisheries include hareng, bar, baudroie/lotte (RULES.md §9) [S].
PECHE_DURABLE = {"HARENG", "BAR", "LOTTE"}

CONS = {"FR": "frais", "SG": "surgele", "AP": "appertise", "RE": "refrigere_elabore"}

# Product rows: (species, code token, presentation, conservation suffix, label, price €/kg HT, packaging,
#                CPV (None: species fresh CPV), CNRC code, conversions, specification, extra labels)
P = tuple[str, str, str, str, str, str, str, str | None, str | None, dict[str, str], str, list[str]]
WHOLE = "vidé, sous glace, catégorie de fraîcheur Extra ou A, débarqué depuis moins de 48 h"
FILLET = "filets sans arêtes, avec ou sans peau selon le bon de commande, levés du jour, sous glace"
IQF = "surgelé IQF, glazing ≤ 10 %, sans additif ni polyphosphates"
PORTION = "portions calibrées 100–120 g ± 10 %, sans arêtes, sans peau"
BREADED = "portions panées crues, 60 % de poisson minimum, sans arêtes, à cuire au four"
ROWS: list[P] = [
    # ---- poissons blancs
    ("MERLAN", "ENTIER", "entier", "FR", "Merlan entier frais", "5.50", "caisse_polystyrene", None, "10.08-2",
     {"colis": "10"}, f"Merlan (Merlangius merlangus), calibre 300–500 g, {WHOLE}.", []),
    ("MERLAN", "FILET", "filet", "FR", "Filet de merlan frais", "12.50", "caisse_polystyrene", "15211100-1",
     "10.08-4", {"colis": "5"}, f"Filets de 80–150 g, {FILLET}.", []),
    ("MERLAN", "PORTION", "portion_calibree", "FR", "Portion calibrée de merlan fraîche", "14.00",
     "caisse_polystyrene", "15211100-1", "10.08-4", {"piece": "0.12", "colis": "5"}, f"{PORTION}, fraîches.", []),
    ("MERLAN", "FILET", "filet", "SG", "Filet de merlan surgelé", "9.50", "sac_plastique_surgele", "15220000-6",
     "10.02-26", {"colis": "5"}, f"Filets 60–120 g sans arêtes, {IQF}.", []),
    ("MERLAN", "PORTION", "portion_calibree", "SG", "Portion calibrée de merlan surgelée", "10.50", "carton",
     "15220000-6", "10.02-4", {"piece": "0.12", "colis": "5"}, f"{PORTION}, {IQF}.", []),
    ("MERLAN", "PANE", "pane", "SG", "Portion panée de merlan surgelée", "9.20", "carton", "15241800-7",
     "10.02-10", {"piece": "0.10", "colis": "5"}, f"Portions de 100 g, {BREADED}, {IQF}.", []),
    ("LIEUNOIR", "ENTIER", "entier", "FR", "Lieu noir entier frais", "5.00", "caisse_polystyrene", None,
     "10.08-2", {"colis": "10"}, f"Lieu noir (colin, Pollachius virens), 1–3 kg, {WHOLE}.", []),
    ("LIEUNOIR", "FILET", "filet", "FR", "Filet de lieu noir frais", "11.00", "caisse_polystyrene", "15211100-1",
     "10.08-4", {"colis": "5"}, f"Filets de 300–800 g, {FILLET}.", []),
    ("LIEUNOIR", "PORTION", "portion_calibree", "FR", "Portion calibrée de lieu noir fraîche", "12.50",
     "caisse_polystyrene", "15211100-1", "10.08-4", {"piece": "0.12", "colis": "5"}, f"{PORTION}, fraîches.", []),
    ("LIEUNOIR", "FILET", "filet", "SG", "Filet de lieu noir surgelé", "8.90", "carton", "15220000-6", "10.02-40",
     {"colis": "5"}, f"Filets 100–400 g, interfoliés ou IQF, {IQF}.", []),
    ("LIEUNOIR", "PORTION", "portion_calibree", "SG", "Portion calibrée de lieu noir surgelée", "9.50",
     "carton", "15220000-6", "10.02-27", {"piece": "0.12", "colis": "5"},
     f"Morceaux de filet en forme naturelle, {PORTION}, {IQF}.", []),
    ("LIEUNOIR", "PANE", "pane", "SG", "Portion panée de lieu noir surgelée", "8.20", "carton", "15241800-7",
     "10.02-10", {"piece": "0.10", "colis": "5"}, f"Portions de 100 g, {BREADED}, {IQF}.", []),
    ("LIEUNOIR", "FUME", "fume", "RE", "Filet de lieu noir fumé", "17.00", "sous_vide", "15234000-7", "10.08-5",
     {"colis": "2"}, "Filet fumé, sans peau, pauvre en arêtes, sel ≤ 3 %.", []),
    ("LIEUNOIR", "FUME", "fume", "SG", "Filet de lieu noir fumé surgelé", "14.50", "carton", "15234000-7",
     "10.02-46", {"colis": "5"}, f"Filets 100–700 g fumés façon haddock, sans peau, {IQF}.", []),
    ("CABILLAUD", "ENTIER", "entier", "FR", "Cabillaud entier frais", "9.50", "caisse_polystyrene", None,
     "10.08-2", {"colis": "10"}, f"Cabillaud (Gadus morhua), 2–5 kg, {WHOLE}.", []),
    ("CABILLAUD", "FILET", "filet", "FR", "Filet de cabillaud frais", "19.00", "caisse_polystyrene",
     "15211100-1", "10.08-4", {"colis": "5"}, f"Filets de 400–1 000 g, {FILLET}.", []),
    ("CABILLAUD", "DOS", "portion_calibree", "FR", "Dos de cabillaud frais", "24.00", "caisse_polystyrene",
     "15211100-1", "10.08-4", {"piece": "0.12", "colis": "5"}, "Dos sans peau ni arêtes, 110–130 g, frais.", []),
    ("CABILLAUD", "FILET", "filet", "SG", "Filet de cabillaud surgelé", "13.50", "carton", "15220000-6",
     "10.02-39", {"colis": "5"}, f"Filets 200–400 g, interfoliés ou IQF, {IQF}.", []),
    ("CABILLAUD", "PORTION", "portion_calibree", "SG", "Dos de cabillaud surgelé", "16.50", "carton",
     "15220000-6", "10.02-34", {"piece": "0.12", "colis": "5"}, f"Dos sans peau ni arêtes, 110–130 g, {IQF}.", []),
    ("CABILLAUD", "SALE", "sale", "SG", "Filet de morue dessalée surgelé", "15.00", "carton", "15232000-3",
     "10.02-45", {"colis": "5"}, f"Filets de morue salée puis dessalée, 500–1 000 g, avec peau, {IQF}.", []),
    ("CABILLAUD", "PANE", "pane", "SG", "Portion panée de cabillaud surgelée", "11.50", "carton", "15241800-7",
     "10.02-10", {"piece": "0.10", "colis": "5"}, f"Portions de 100 g, {BREADED}, {IQF}.", []),
    ("EGLEFIN", "FILET", "filet", "FR", "Filet d'églefin frais", "14.00", "caisse_polystyrene", "15211100-1",
     "10.08-4", {"colis": "5"}, f"Filets de 200–600 g, {FILLET}.", []),
    ("EGLEFIN", "FILET", "filet", "SG", "Filet d'églefin surgelé", "11.00", "carton", "15220000-6", "10.02-38",
     {"colis": "5"}, f"Filets pelés 150–300 g, {IQF}.", []),
    ("EGLEFIN", "PORTION", "portion_calibree", "SG", "Portion calibrée d'églefin surgelée", "12.00", "carton",
     "15220000-6", "10.02-4", {"piece": "0.12", "colis": "5"}, f"{PORTION}, {IQF}.", []),
    ("EGLEFIN", "FUME", "fume", "RE", "Haddock (églefin fumé)", "19.50", "sous_vide", "15234000-7", "10.08-5",
     {"colis": "2"}, "Filet d'églefin fumé, sans colorant, avec peau, pauvre en arêtes.", []),
    ("TACAUD", "ENTIER", "entier", "FR", "Tacaud entier frais", "3.50", "caisse_polystyrene", None, "10.08-2",
     {"colis": "10"}, f"Tacaud (Trisopterus luscus), 200–400 g, {WHOLE}.", []),
    ("TACAUD", "FILET", "filet", "FR", "Filet de tacaud frais", "9.00", "caisse_polystyrene", "15211100-1",
     "10.08-4", {"colis": "5"}, f"Filets de 60–120 g, {FILLET}.", []),
    ("GRONDIN", "ENTIER", "entier", "FR", "Grondin entier frais", "5.00", "caisse_polystyrene", None, "10.08-2",
     {"colis": "10"}, f"Grondin rouge ou perlon, 300–800 g, {WHOLE}.", []),
    ("GRONDIN", "FILET", "filet", "FR", "Filet de grondin frais", "13.00", "caisse_polystyrene", "15211100-1",
     "10.08-4", {"colis": "5"}, f"Filets de 80–200 g, {FILLET}.", []),
    ("ROUGET", "ENTIER", "entier", "FR", "Rouget-barbet entier frais", "14.00", "caisse_polystyrene", None,
     "10.08-2", {"colis": "5"}, f"Rouget-barbet de roche ou de vase, 100–250 g, {WHOLE}.", []),
    ("ROUGET", "FILET", "filet", "FR", "Filet de rouget-barbet frais", "26.00", "caisse_polystyrene",
     "15211100-1", "10.08-4", {"colis": "3"}, f"Filets de 40–80 g, écaillés, {FILLET}.", []),
    ("BAR", "ENTIER", "entier", "FR", "Bar de pêche entier frais", "19.00", "caisse_polystyrene", None, "10.08-2",
     {"colis": "5"}, f"Bar sauvage (Dicentrarchus labrax), 0,8–2 kg, taille minimale réglementaire respectée, {WHOLE}.",
     []),
    ("BAR", "FILET", "filet", "FR", "Filet de bar de pêche frais", "32.00", "caisse_polystyrene", "15211100-1",
     "10.08-4", {"colis": "3"}, f"Filets de 150–400 g, écaillés, {FILLET}.", []),
    ("DORADE", "ENTIER", "entier", "FR", "Dorade grise (griset) entière fraîche", "9.00", "caisse_polystyrene",
     None, "10.08-2", {"colis": "5"}, f"Dorade grise de pêche, 400–800 g, {WHOLE}.", []),
    ("DORADE", "FILET", "filet", "FR", "Filet de dorade grise frais", "19.00", "caisse_polystyrene",
     "15211100-1", "10.08-4", {"colis": "3"}, f"Filets de 100–200 g, écaillés, {FILLET}.", []),
    ("ROUSSETTE", "PELEE", "entier", "FR", "Roussette pelée (saumonette) fraîche", "9.50", "caisse_polystyrene",
     None, "10.08-2", {"colis": "5"}, "Roussette étêtée, vidée et pelée, 300–800 g, sous glace.", []),
    ("ROUSSETTE", "PELEE", "entier", "SG", "Saumonette pelée surgelée", "8.50", "carton", "15221000-3",
     "10.02-24", {"colis": "5"}, f"Roussette pelée, étêtée, 400 g et plus, {IQF}.", []),
    ("LOTTE", "QUEUE", "entier", "FR", "Queue de lotte fraîche", "24.00", "caisse_polystyrene", None, "10.08-2",
     {"colis": "5"}, "Queue de baudroie dépouillée, 500 g–2 kg, sous glace, catégorie de fraîcheur Extra ou A.", []),
    ("LOTTE", "PORTION", "portion_calibree", "SG", "Médaillon de lotte surgelé", "19.00", "carton", "15220000-6",
     "10.02-21", {"piece": "0.10", "colis": "5"}, f"Médaillons sans arête centrale, 80–120 g, {IQF}.", []),
    # ---- poissons plats
    ("LIMANDE", "ENTIER", "entier", "FR", "Limande entière fraîche", "5.50", "caisse_polystyrene", None,
     "10.08-2", {"colis": "10"}, f"Limande (Limanda limanda), 200–400 g, {WHOLE}.", []),
    ("LIMANDE", "FILET", "filet", "FR", "Filet de limande frais", "13.50", "caisse_polystyrene", "15211100-1",
     "10.08-4", {"colis": "5"}, f"Filets de 40–100 g, {FILLET}.", []),
    ("LIMANDE", "FILET", "filet", "SG", "Filet de limande surgelé", "10.50", "sac_plastique_surgele",
     "15220000-6", "10.02-38", {"colis": "5"}, f"Filets 40–100 g, {IQF}.", []),
    ("PLIE", "ENTIER", "entier", "FR", "Plie (carrelet) entière fraîche", "5.00", "caisse_polystyrene", None,
     "10.08-2", {"colis": "10"}, f"Plie (Pleuronectes platessa), 300–600 g, {WHOLE}.", []),
    ("PLIE", "FILET", "filet", "FR", "Filet de plie frais", "12.00", "caisse_polystyrene", "15211100-1",
     "10.08-4", {"colis": "5"}, f"Filets de 60–150 g, {FILLET}.", []),
    ("PLIE", "FILET", "filet", "SG", "Filet de plie surgelé", "9.50", "sac_plastique_surgele", "15220000-6",
     "10.02-38", {"colis": "5"}, f"Filets 60–150 g, {IQF}.", []),
    ("PLIE", "PANE", "pane", "SG", "Filet de plie pané surgelé", "10.00", "carton", "15241800-7", "10.02-10",
     {"piece": "0.10", "colis": "5"}, f"Filets de 100 g, {BREADED}, {IQF}.", []),
    ("SOLE", "ENTIER", "entier", "FR", "Sole entière fraîche (portion)", "22.00", "caisse_polystyrene", None,
     "10.08-2", {"colis": "5"}, f"Sole (Solea solea), 250–350 g, {WHOLE}.", []),
    ("SOLE", "FILET", "filet", "FR", "Filet de sole frais", "38.00", "caisse_polystyrene", "15211100-1",
     "10.08-4", {"colis": "3"}, f"Filets de 50–100 g, pelés, {FILLET}.", []),
    ("RAIE", "AILE", "entier", "FR", "Aile de raie fraîche", "11.00", "caisse_polystyrene", None, "10.08-2",
     {"colis": "5"}, "Ailes de raie bouclée ou lisse, 300–800 g, pelées ou non, sous glace, fraîcheur Extra ou A.",
     []),
    ("RAIE", "AILE", "entier", "SG", "Aile de raie pelée surgelée", "9.00", "carton", "15221000-3", "10.02-25",
     {"colis": "5"}, f"Ailes pelées deux faces, ébarbées, 200–400 g, {IQF}.", []),
    # ---- poissons bleus
    ("HARENG", "ENTIER", "entier", "FR", "Hareng entier frais", "2.50", "caisse_polystyrene", None, "10.08-2",
     {"colis": "10"}, f"Hareng (Clupea harengus), 150–250 g, plein ou guais, {WHOLE}.", []),
    ("HARENG", "FILET", "filet", "FR", "Filet de hareng frais", "6.50", "caisse_polystyrene", "15211100-1",
     "10.08-4", {"colis": "5"}, f"Filets papillon ou simples, {FILLET}.", []),
    ("HARENG", "FILET", "filet", "SG", "Filet de hareng surgelé", "6.00", "sac_plastique_surgele", "15220000-6",
     "10.02-38", {"colis": "5"}, f"Filets papillon, {IQF}.", []),
    ("HARENG", "FUME", "fume", "RE", "Filet de hareng fumé doux", "12.00", "sous_vide", "15234000-7", "10.08-5",
     {"colis": "2"}, "Filets de hareng fumés, sans colorant.", []),
    ("HARENG", "MARINE", "marine", "RE", "Hareng mariné (rollmops)", "10.50", "bocal_verre", "15241200-1",
     "10.08-8", {"colis": "2"}, "Filets de hareng marinés au vinaigre et aux aromates, sans conservateur ajouté.", []),
    ("HARENG", "CONSERVE", "conserve", "AP", "Filets de hareng à l'huile (conserve)", "11.00", "boite_metal",
     "15241200-1", "10.14-9", {"piece": "0.4"}, "Filets de hareng fumés à l'huile végétale, boîte 1/2 (400 g net).", []),
    ("MAQUEREAU", "ENTIER", "entier", "FR", "Maquereau entier frais", "4.00", "caisse_polystyrene", None,
     "10.08-2", {"colis": "10"}, f"Maquereau (Scomber scombrus), 250–500 g, {WHOLE}.", []),
    ("MAQUEREAU", "FILET", "filet", "FR", "Filet de maquereau frais", "9.50", "caisse_polystyrene", "15211100-1",
     "10.08-4", {"colis": "5"}, f"Filets de 80–150 g, {FILLET}.", []),
    ("MAQUEREAU", "FILET", "filet", "SG", "Filet de maquereau surgelé", "7.50", "sac_plastique_surgele",
     "15220000-6", "10.02-38", {"colis": "5"}, f"Filets 80–150 g avec peau, {IQF}.", []),
    ("MAQUEREAU", "FUME", "fume", "RE", "Filet de maquereau fumé", "13.00", "sous_vide", "15234000-7", "10.08-5",
     {"colis": "2"}, "Filets fumés à chaud, nature ou au poivre.", []),
    ("MAQUEREAU", "MARINE", "marine", "RE", "Filet de maquereau mariné au vin blanc", "12.50", "bocal_verre",
     "15243000-3", "10.08-8", {"colis": "2"}, "Filets marinés au vin blanc et aux aromates.", []),
    ("MAQUEREAU", "CONSERVE", "conserve", "AP", "Filets de maquereau (conserve)", "12.00", "boite_metal",
     "15241500-4", "10.14-8", {"piece": "0.8"}, "Filets de maquereau au vin blanc ou à la tomate, boîte 4/4 (800 g net).", []),
    ("MAQUEREAU", "RILLETTES", "elabore", "RE", "Rillettes de maquereau", "16.00", "bocal_verre", "15243000-3",
     "10.08-8", {"colis": "1"}, "Rillettes à 50 % de maquereau minimum.", []),
    ("SARDINE", "ENTIER", "entier", "FR", "Sardine entière fraîche", "4.50", "caisse_polystyrene", None,
     "10.08-2", {"colis": "5"}, f"Sardine (Sardina pilchardus), 20–30 pièces au kg, {WHOLE}.", ["LABEL_ROUGE"]),
    ("SARDINE", "ENTIER", "entier", "SG", "Sardine entière surgelée", "4.00", "sac_plastique_surgele",
     "15221000-3", "10.02-3", {"colis": "5"}, f"Sardines entières IQF, 20–30 pièces au kg, {IQF}.", []),
    ("SARDINE", "CONSERVE", "conserve", "AP", "Sardines à l'huile d'olive (conserve)", "14.00", "boite_metal",
     "15241300-2", "10.14-8", {"piece": "0.115"}, "Sardines entières à l'huile d'olive, boîte 1/4 (115 g).", []),
    ("THON", "CONSERVE", "conserve", "AP", "Thon albacore au naturel (conserve)", "13.50", "boite_metal",
     "15241400-3", "10.14-8", {"piece": "1.705"}, "Thon albacore en morceaux au naturel, boîte 3/1 (1,705 kg net), zone de pêche indiquée.",
     []),
    # ---- céphalopodes
    ("ENCORNET", "ENTIER", "entier", "FR", "Encornet entier frais", "12.00", "caisse_polystyrene", None,
     "10.08-3", {"colis": "5"}, "Encornet (calmar, Loligo spp.), 10–30 pièces au kg, sous glace, fraîcheur Extra ou A.", []),
    ("ENCORNET", "NETTOYE", "entier", "SG", "Encornet nettoyé surgelé", "8.50", "carton", "15253000-6",
     "10.02-55", {"colis": "5"}, f"Tubes (blancs) d'encornet nettoyés, 60 pièces et plus au kg, {IQF}.", []),
    ("ENCORNET", "ANNEAUX", "anneaux", "SG", "Anneaux d'encornet surgelés", "9.00", "sac_plastique_surgele",
     "15253000-6", "10.02-58", {"colis": "5"}, f"Anneaux d'encornet crus, non panés, {IQF}.", []),
    ("ENCORNET", "PANE", "pane", "SG", "Anneaux d'encornet panés surgelés (beignets à la romaine)", "8.00",
     "carton", "15253000-6", "10.02-59", {"colis": "5"}, f"Beignets à la romaine précuits, {IQF}.", []),
    ("SEICHE", "ENTIER", "entier", "FR", "Seiche entière fraîche", "9.50", "caisse_polystyrene", None, "10.08-3",
     {"colis": "5"}, "Seiche (Sepia officinalis), 300 g–1 kg, sous glace, fraîcheur Extra ou A.", []),
    ("SEICHE", "NETTOYE", "entier", "SG", "Seiche nettoyée surgelée", "9.00", "carton", "15253000-6", "10.02-54",
     {"colis": "5"}, f"Petites seiches entières nettoyées, 40 pièces et plus au kg, {IQF}.", []),
    # ---- coquillages
    ("CSJ", "ENTIER", "entier", "FR", "Coquille Saint-Jacques entière fraîche", "6.00", "filet_vrac", None,
     "10.08-3", {"colis": "10"}, "Coquilles vivantes (Pecten maximus), taille minimale de capture de la zone de pêche respectée, pêchées pendant la période d'ouverture de la pêche.",
     ["LABEL_ROUGE"]),
    ("CSJ", "NOIX", "noix", "FR", "Noix de Saint-Jacques fraîche", "45.00", "sous_vide", "15253000-6", "10.08-3",
     {"colis": "1"}, "Noix avec ou sans corail, 20–40 pièces au kg, décortiquées du jour, sans eau ajoutée.",
     ["LABEL_ROUGE"]),
    ("CSJ", "NOIX", "noix", "SG", "Noix de Saint-Jacques surgelée", "32.00", "sac_plastique_surgele",
     "15253000-6", "10.02-53", {"colis": "1"}, f"Noix sans corail, 30–50 pièces au kg, Pecten maximus, {IQF}.", []),
    ("BULOT", "ENTIER", "entier", "FR", "Bulot vivant", "5.00", "filet_vrac", None, "10.08-3", {"colis": "5"},
     "Bulots vivants (Buccinum undatum), taille ≥ 4,5 cm, calibre 60–90 pièces au kg.", []),
    ("BULOT", "CUIT", "cuit", "RE", "Bulot cuit réfrigéré", "9.00", "sous_vide", "15253000-6", "10.08-8",
     {"colis": "2"}, "Bulots cuits au court-bouillon, égouttés.", []),
    ("MOULE", "ENTIER", "entier", "FR", "Moule vivante fraîche", "3.20", "filet_vrac", None, "10.08-3",
     {"colis": "5"}, "Moules vivantes (Mytilus edulis ou Mytilus galloprovincialis), lavées, débyssussées, taux de remplissage ≥ 25 %, sacs de 5 kg.",
     ["BIO", "AOCAOP", "STG"]),
    ("MOULE", "DECORTIQUE", "decortique", "SG", "Moule décoquillée cuite surgelée", "7.50",
     "sac_plastique_surgele", "15253000-6", "10.02-60", {"colis": "1"},
     f"Chair de moules cuites, 300–600 pièces au kg, {IQF}.", ["BIO"]),
    ("MOULE", "CUIT", "cuit", "SG", "Moule entière cuite surgelée", "4.50", "sac_plastique_surgele",
     "15253000-6", "10.02-61", {"colis": "1"}, f"Moules entières cuites dans leur jus, {IQF}.", ["BIO"]),
    # ---- crustacés
    ("CREVETTEGRISE", "CUIT", "cuit", "FR", "Crevette grise cuite fraîche", "16.00", "caisse_polystyrene",
     "15252000-9", "10.08-3", {"colis": "1"}, "Crevette grise (Crangon crangon) cuite, entière, livrée dans les 24 h suivant la cuisson.",
     []),
    ("CREVETTEGRISE", "DECORTIQUE", "decortique", "RE", "Crevette grise décortiquée", "55.00", "sous_vide",
     "15252000-9", "10.08-8", {"colis": "0.5"}, "Queues de crevettes grises cuites et décortiquées.", []),
    ("CREVETTEGRISE", "CUIT", "cuit", "SG", "Crevette grise cuite surgelée", "13.00", "sac_plastique_surgele",
     "15251000-2", "10.02-49", {"colis": "1"}, f"Crevettes grises entières cuites, {IQF}.", []),
    # ---- colin d'Alaska (produit de base de la restauration scolaire, hors pêche locale)
    ("COLINALASKA", "PORTION", "portion_calibree", "SG", "Portion de colin d'Alaska surgelée", "7.50", "carton",
     "15220000-6", "10.02-5", {"piece": "0.10", "colis": "5"},
     f"Blocs de plein filet, sans arêtes, portions de 100 ou 125 g, {IQF}.", []),
    ("COLINALASKA", "PANE", "pane", "SG", "Portion panée de colin d'Alaska surgelée", "6.90", "carton",
     "15241800-7", "10.02-11", {"piece": "0.10", "colis": "5"},
     f"Blocs de plein filet, qualité sans arêtes, portions de 50 ou 100 g, panure crue, {IQF}.", []),
    ("COLINALASKA", "BATONNET", "pane", "SG", "Bâtonnets de colin d'Alaska panés surgelés", "6.50", "carton",
     "15241700-6", "10.02-17", {"piece": "0.025", "colis": "5"},
     f"Bâtonnets de 25 g, 60 % de poisson minimum, précuits, {IQF}.", []),
]

# Delivery temperatures that differ from the family's (familles.yaml, by conservation): live bivalves and
# gastropods are not fishery products in the sense of Reg. (CE) 853/2004 (annex I, 3.1) and must be kept at
# a temperature that preserves their viability (annex III, section VII, chapter VIII); cooked crustaceans
# and molluscs are kept at melting-ice temperature (arrêté du 21 décembre 2009, annexe I).
LIVE = "vivants, de +5 °C à +15 °C (viabilité), sans contact avec la glace ni l'eau"
COOKED = "de 0 °C à +2 °C (produit cuit)"
TEMPERATURE = {
    "MER-CSJ-ENTIER-FR": LIVE,
    "MER-BULOT-ENTIER-FR": LIVE,
    "MER-MOULE-ENTIER-FR": LIVE,
    "MER-CREVETTEGRISE-DECORTIQUE-RE": COOKED,
    "MER-BULOT-CUIT-RE": COOKED,
}

EXTRA_FRESH = {
    # églefin has no row in the RULES.md grid: landed all year by offshore trawlers; spawning Feb–Apr [U].
    "EGLEFIN": ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], "inférence lotsmarche : pas de ligne dans la grille "
                "RULES.md §15.5 ; débarquements des chalutiers hauturiers toute l'année"),
}


def product(row: P) -> dict[str, Any]:
    sp, token, presentation, cons, libelle, price, pack, cpv, cnrc, conv, spec, labels = row
    name, group, wild, fresh_cpv, grid, conf, urls = SPECIES[sp]
    conservation = CONS[cons]
    transformed = presentation in ("pane", "fume", "sale", "marine", "conserve", "elabore") or (
        cons in ("AP", "RE"))
    entry: dict[str, Any] = {
        "code": f"MER-{sp}-{token}-{cons}",
        "libelle": libelle,
        "famille": "produits_de_la_mer",
        "espece": name,
        "groupe_espece": "produits_transformes" if transformed else group,
        "presentation": presentation,
        "conservation": conservation,
        "unite": "kg",
        "conversions": {k: Decimal(v) for k, v in conv.items()},
        "prix_reference_ht": Decimal(price),
        "prix_date": PRICE_DATE,
        "prix_source": ESTIMATE_SOURCE,
        "prix_estime": True,
        "tva": Decimal("5.5"),
        "cpv": cpv or fresh_cpv,
        "cnrc_code": cnrc,
        "indice_insee": None,
        "labels_possibles": [],
        "mois_disponibles": list(range(1, 13)),
        "saisonnalite_source": TRANSFORMED,
        "saisonnalite_confiance": "C",
        "conditionnement_defaut": pack,
        "sauvage": wild,
        "specifications": spec,
    }
    code = entry["code"]
    if code in TEMPERATURE:
        entry["temperature"] = TEMPERATURE[code]
        entry["vivant"] = TEMPERATURE[code] is LIVE
    lab = list(labels)
    if sp in PECHE_DURABLE and cons in ("FR", "SG", "RE"):
        lab.insert(0, "PECHE_DURABLE")
    entry["labels_possibles"] = lab
    if conservation == "frais":
        if sp in EXTRA_FRESH:
            months, why = EXTRA_FRESH[sp]
            entry["mois_disponibles"], entry["saisonnalite_source"] = months, why
        else:
            entry["mois_disponibles"] = months_of(grid)
            entry["saisonnalite_source"] = "; ".join([GRID_SOURCE, *urls])
        entry["saisonnalite_confiance"] = conf
    return entry


def main() -> None:
    from cnrc import index_of

    entries = [product(r) for r in ROWS]
    for e in entries:
        e["indice_insee"] = index_of(e["cnrc_code"])
        if e["cnrc_code"] is None:
            del e["cnrc_code"]
        if e["indice_insee"] is None:
            del e["indice_insee"]
        if not e["conversions"]:
            del e["conversions"]
    entries.sort(key=lambda e: e["code"])
    path = write(
        "produits_mer.yaml",
        [
            "Espèces et présentations : criée de Boulogne-sur-Mer (RULES.md §13) et nomenclature CNRC 10.02 / 10.08",
            "Saisonnalité des produits frais : RULES.md §15.5 (grille Manche Est – mer du Nord sud) et "
            "/work/shared/data/seafood/seasonality_statements_sourced.csv (adresses citées produit par produit)",
            "CPV : Règlement (CE) n° 213/2008, liste officielle en français (catalogues/cpv.csv)",
            "Codes CNRC et séries INSEE : CNRC, Référentiel des indicateurs de prix des denrées (2022)",
            "Labels : Code rural L230-5-1 ; écolabel Pêche durable (hareng, bar, baudroie), Label Rouge (coquille "
            "Saint-Jacques, sardine de bolinche), AOP et STG moules de bouchot (RULES.md §9)",
            "Prix : " + ESTIMATE_SOURCE + ", prix de gros HT indicatifs, à remplacer par les prix constatés",
        ],
        entries,
        "Généré par tools/build_produits_mer.py : modifier les tables du script puis le relancer.",
    )
    print(f"{path} : {len(entries)} produits")


if __name__ == "__main__":
    main()
