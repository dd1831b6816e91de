"""Demand intake: read buyers' real files (CSV/XLSX, long/wide/one per member) into one canonical table.

Canonical demand table (a pandas DataFrame, one row per member × site × product), columns in this order:

================  ========  ==========================================================================
column            dtype     meaning
================  ========  ==========================================================================
ligne             int64     1..n, stable id (order: membre, site_livraison, produit, then source order)
fichier           category  file name the line comes from (name only, no folder)
feuille           category  sheet name ("" for CSV)
ligne_source      int64     1-based row as a spreadsheet user sees it
colonne_source    category  column holding the quantity (wide layout: the member column), else ""
membre            category  member name (as in groupement.yaml when known)
site_livraison    category  delivery site name (defaults to the member name)
code_postal       category  5-digit postcode
commune_insee     category  INSEE code of the commune ("" if the postcode is unknown: warning)
territoire        category  department territory ("" if unknown)
produit           category  catalogue product code
quantite_milli    int64     yearly quantity in thousandths of the product unit (after unit conversion)
prix_e4           int64     unit price HT in ten-thousandths of € per product unit (demand or catalogue)
prix_source       category  "demande" or "catalogue"
mois              int64     bit mask of months needed (bit 0 = January); 4095 = all year
label_requis      category  label code required ("" if none)
conditionnement   category  packaging code asked (product default if none)
livraisons_par_semaine float64 deliveries per week asked (NaN if not given)
================  ========  ==========================================================================

Text columns are pandas categoricals of ``str`` (``category`` above): the categories are the values the
rows use, sorted in string order (so sorting and grouping follow the strings), and the codes are small
integers, which keeps a 10^7-line demand in memory. ``table[col].astype(str)`` gives plain strings; the
fingerprint (``Demand.empreinte``) hashes them as it hashes ``str`` columns.
"""

from __future__ import annotations

from lotsmarche.intake.model import CANONICAL_COLUMNS, Demand

__all__ = ["CANONICAL_COLUMNS", "Demand"]
