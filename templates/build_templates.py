"""Regenerate the Word templates of the DCE with python-docx, so that their source is reviewable in git.

Run ``python templates/build_templates.py`` after editing this file or its companions (``_writer.py``
helpers, ``_docs_lots.py`` for the CCTP, the AE and the convention). It rewrites ``rc.docx``,
``ccap.docx``, ``cctp.docx``, ``ae.docx`` and ``convention.docx`` next to it, byte-identical for the same
source. Lawyers may also edit the .docx files directly in Word or LibreOffice.

Template rules (docxtpl pitfalls): each structural tag (``{%p ... %}``, ``{%tr ... %}``) stands alone in its
paragraph or table row; conditions are booleans computed in Python (no ``%``, ``}``, quotes or « » inside a
tag); Jinja never enters the PAGE / NUMPAGES / TOC field runs. Every variable is a field of the context model
of the template (``lotsmarche.render.context``); amounts and dates go through the French filters.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _docs_lots import build_ae, build_cctp, build_convention
from _writer import Writer, clause_list, lot_heading


def build_rc() -> Writer:  # noqa: PLR0915
    w = Writer("Règlement de la consultation")
    w.sub("{{ objet }}")
    w.p(
        "**Acheteur :** groupement de commandes « {{ groupement }} », représenté par son coordonnateur, "
        "{{ coordonnateur }}."
    )
    w.p("**Référence de la consultation :** {{ reference }}")
    w.p("**Date limite de remise des offres :** {{ date_remise|date_fr }} à 12 h 00")
    w.toc()
    w.page_break()

    w.h1("1. Objet de la consultation")
    w.h2("1.1. Objet")
    w.p(
        "La présente consultation a pour objet : {{ objet }}. Elle est organisée par le groupement de "
        "commandes « {{ groupement }} », constitué en application des articles L2113-6 et L2113-7 du code de "
        "la commande publique. Le coordonnateur, {{ coordonnateur }}, conduit la procédure au nom et pour le "
        "compte des membres ci-dessous, qui exécutent chacun l'accord-cadre pour leurs propres besoins.",
        "justify",
    )
    w.table(
        ["Membre", "Catégorie", "Lots concernés"],
        ["{{ m.nom }}", "{{ m.type }}", "{{ m.lots }}"],
        [8.0, 5.5, 3.5],
        loop="m in membres",
    )
    w.h2("1.2. Forme des contrats")
    w.p(
        "Chaque lot donne lieu à un {{ forme }} mono-attributaire, exécuté par bons de commande "
        "(articles R2162-2, R2162-13 et R2162-14 du code de la commande publique). Les montants minimum et "
        "maximum de chaque lot figurent à l'article 5.",
        "justify",
    )

    w.h1("2. Procédure de passation")
    w.p("La consultation est passée selon la procédure suivante : **{{ procedure }}**.")
    w.tag("{%p for motif in procedure_motifs %}")
    w.bullet("{{ motif }}")
    w.tag("{%p endfor %}")
    w.p("Procédure applicable à chaque lot :")
    w.table(
        ["Lot", "Procédure", "Dérogation"],
        [
            "{{ lot.numero }}",
            "{{ lot.procedure }} ({{ lot.articles_texte }})",
            "{% if lot.a_derogation %}{{ lot.derogation }}{% else %}aucune{% endif %}",
        ],
        [1.5, 6.0, 9.5],
        loop="lot in lots",
    )

    w.h1("3. Allotissement")
    w.tag("{%p if allotissement %}")
    w.p(
        "En application de l'article L2113-10 du code de la commande publique, les besoins sont répartis en "
        "{{ nb_lots }} lots, chacun faisant l'objet d'un contrat distinct :",
        "justify",
    )
    w.table(
        ["Lot", "Intitulé", "CPV principal", "Territoires de livraison"],
        ["{{ lot.numero }}", "{{ lot.intitule }}", "{{ lot.cpv_principal }}", "{{ lot.territoires }}"],
        [1.2, 6.3, 5.5, 4.0],
        loop="lot in lots",
    )
    w.tag("{%p else %}")
    w.p(
        "La consultation n'est pas allotie, pour les motifs de droit et de fait suivants (article L2113-11 "
        "du code de la commande publique) : {{ justification_non_allotissement }}",
        "justify",
    )
    w.tag("{%p endif %}")
    w.p(
        "Les candidats peuvent présenter une offre pour un lot, pour plusieurs lots ou pour l'ensemble des "
        "lots. Les offres sont examinées lot par lot ; aucune offre variable selon le nombre de lots obtenus "
        "n'est admise (article R2113-1 du code de la commande publique).",
        "justify",
    )
    w.tag("{%p if a_limite_lots %}")
    w.p(
        "Un même candidat ne peut se voir attribuer plus de {{ lots_max_par_candidat }} lots. Si le "
        "classement des offres devait lui en attribuer davantage, les lots lui sont attribués dans l'ordre "
        "décroissant d'importance des lots, l'importance d'un lot s'appréciant par son montant maximum ; "
        "chacun des autres lots est attribué au candidat classé immédiatement après lui.",
        "justify",
    )
    w.tag("{%p else %}")
    w.p("Le nombre de lots pouvant être attribués à un même candidat n'est pas limité.")
    w.tag("{%p endif %}")

    w.h1("4. Durée")
    w.p(
        "Chaque accord-cadre est conclu pour une période initiale de {{ duree_initiale_mois }} mois à "
        "compter de sa notification{% if reconductions %}, reconductible tacitement {{ reconductions }} "
        "fois par période de {{ duree_reconduction_mois }} mois{% endif %}, soit une durée totale maximale "
        "de {{ duree_totale_mois }} mois (article L2125-1 du code de la commande publique). Le titulaire "
        "ne peut pas refuser la reconduction (article R2112-4).",
        "justify",
    )

    w.h1("5. Montants minimum et maximum par lot")
    w.p(
        "Conformément à l'article R2162-4 du code de la commande publique, chaque accord-cadre comporte un "
        "montant maximum sur sa durée totale, reconductions comprises ; une fois ce montant atteint, "
        "l'accord-cadre cesse de produire effet.",
        "justify",
    )
    w.table(
        [
            "Lot",
            "Intitulé",
            "Estimation annuelle HT",
            "Minimum HT (durée totale)",
            "Maximum HT (durée totale)",
        ],
        [
            "{{ lot.numero }}",
            "{{ lot.intitule }}",
            "{{ lot.montant_annuel_ht|montant }}",
            "{% if lot.a_minimum %}{{ lot.montant_minimum_ht|montant }}{% else %}sans minimum{% endif %}",
            "{{ lot.montant_maximum_ht|montant }}",
        ],
        [1.2, 6.0, 3.2, 3.3, 3.3],
        loop="lot in lots",
        footer=[
            "",
            "Total",
            "{{ montant_total_annuel_ht|montant }}",
            "",
            "{{ montant_total_maximum_ht|montant }}",
        ],
    )

    w.h1("6. Variantes et prestations supplémentaires")
    w.p("Les variantes ne sont pas autorisées. Aucune prestation supplémentaire éventuelle n'est prévue.")

    w.h1("7. Contenu des candidatures")
    w.p("Chaque candidat, ou chaque membre d'un groupement d'opérateurs économiques, remet :")
    w.bullet(
        "la lettre de candidature (formulaire DC1) et la déclaration du candidat (formulaire DC2), ou "
        "le document unique de marché européen (DUME), que l'acheteur accepte en toute hypothèse "
        "(articles R2143-3 et R2143-4 du code de la commande publique) ;"
    )
    w.bullet(
        "la déclaration sur l'honneur qu'il n'entre dans aucun des cas d'exclusion des articles L2141-1 "
        "à L2141-5 et L2141-7 à L2141-10 ;"
    )
    w.bullet(
        "les renseignements sur son chiffre d'affaires des trois derniers exercices et la liste des "
        "principales livraisons comparables effectuées au cours des trois dernières années."
    )
    w.p(
        "Aucun niveau minimal de chiffre d'affaires n'est exigé ; si l'acheteur en fixait un, il ne "
        "dépasserait pas une fois et demie la valeur estimée du lot (article R2142-7). Le candidat n'est pas "
        "tenu de fournir les documents que l'acheteur peut obtenir directement par un système électronique "
        "gratuit (article R2143-13).",
        "justify",
    )

    w.h1("8. Contenu des offres")
    w.p("Pour chaque lot auquel il répond, le candidat remet :")
    w.bullet("l'acte d'engagement du lot, complété ; il n'est signé que par l'attributaire ;")
    w.bullet(
        "le bordereau des prix unitaires (BPU) du lot, complété dans les seules cellules prévues à cet "
        "effet, au format tableur fourni ;"
    )
    w.bullet(
        "le détail quantitatif estimatif (DQE) du lot, qui sert uniquement au jugement du prix et n'a "
        "pas de valeur contractuelle ;"
    )
    w.bullet("un mémoire technique répondant à chacun des sous-critères de l'article 9 ;")
    w.bullet(
        "les fiches techniques des produits et les justificatifs des labels ou mentions demandés, ou "
        "de leurs équivalents."
    )

    w.h1("9. Jugement des offres")
    w.p(
        "L'offre économiquement la plus avantageuse est choisie, lot par lot, selon les critères pondérés "
        "ci-dessous (articles L2152-7, R2152-7 et R2152-11 du code de la commande publique). Le prix est "
        "noté sur la base du montant du DQE : note = 10 × montant de l'offre la moins-disante ÷ montant de "
        "l'offre examinée. Les offres anormalement basses sont traitées selon les articles R2152-3 à "
        "R2152-5.",
        "justify",
    )
    w.tag("{%p for lot in lots %}")
    lot_heading(w, "9.")
    w.tag("{%p if lot.a_criteres %}")
    w.table(
        ["Critère", "Pondération", "Sous-critères"],
        ["{{ c.libelle }}", "{{ c.ponderation|pourcentage }}", "{{ c.sous_criteres_texte }}"],
        [5.5, 2.5, 9.0],
        loop="c in lot.criteres",
    )
    w.tag("{%p else %}")
    w.p("Critères du lot à compléter par l'acheteur avant la publication.")
    w.tag("{%p endif %}")
    clause_list(w, "lot.clauses_rc")
    w.tag("{%p endfor %}")

    w.h1("10. Conditions de remise des offres")
    w.p(
        "Les plis sont transmis par voie électronique, sur le profil d'acheteur du coordonnateur, au plus "
        "tard le **{{ date_remise|date_fr }} à 12 h 00** (heure de Paris), soit "
        "{{ delai_remise_jours }} jours après le lancement de la consultation le "
        "{{ date_lancement|date_fr }} (article R2132-7). Une copie de sauvegarde peut être adressée dans le "
        "même délai (article R2132-11). Les plis reçus hors délai ne sont pas ouverts.",
        "justify",
    )
    w.p("Le délai de validité des offres est de 120 jours à compter de la date limite de remise des offres.")

    w.h1("11. Négociation")
    w.tag("{%p if procedure_formalisee %}")
    w.p(
        "Pour les lots passés en appel d'offres, l'offre est choisie sans négociation (article L2124-2 du "
        "code de la commande publique) ; seules des précisions peuvent être demandées aux candidats.",
        "justify",
    )
    w.tag("{%p endif %}")
    w.tag("{%p for lot in lots %}")
    w.bullet(
        "Lot {{ lot.numero }} : {% if lot.negociation %}l'acheteur se réserve la possibilité de négocier "
        "avec les candidats ayant présenté une offre (article R2123-5) ; il peut aussi attribuer sans "
        "négociation sur la base des offres initiales.{% else %}aucune négociation.{% endif %}"
    )
    w.tag("{%p endfor %}")

    w.h1("12. Renseignements complémentaires")
    w.p(
        "Les questions sont posées sur le profil d'acheteur au plus tard dix jours avant la date limite de "
        "remise des offres ; les réponses sont communiquées à tous les candidats au plus tard six jours "
        "avant cette date.",
        "justify",
    )
    w.table(
        ["Rôle", "Nom", "Courriel", "Téléphone"],
        ["{{ c.role }}", "{{ c.nom }}", "{{ c.courriel }}", "{{ c.telephone }}"],
        [4.0, 4.5, 5.0, 3.5],
        loop="c in contacts",
    )
    w.p(
        "Instance chargée des procédures de recours : le tribunal administratif territorialement "
        "compétent au regard du siège du coordonnateur ({{ coordonnateur }})."
    )
    return w


def build_ccap() -> Writer:  # noqa: PLR0915
    w = Writer("Cahier des clauses administratives particulières")
    w.sub("{{ objet }}")
    w.p("**Acheteur :** groupement de commandes « {{ groupement }} » — coordonnateur : {{ coordonnateur }}")
    w.p("**Référence de la consultation :** {{ reference }}")
    w.toc()
    w.page_break()

    w.h1("1. Objet et forme des accords-cadres")
    w.p(
        "Le présent cahier fixe les stipulations administratives des accords-cadres ayant pour objet : "
        "{{ objet }}. Chaque lot est un {{ forme }} mono-attributaire conclu avec un montant maximum "
        "(article R2162-4 du code de la commande publique) et exécuté par bons de commande émis par chaque "
        "membre du groupement pour ses propres besoins.",
        "justify",
    )
    w.table(
        ["Lot", "Intitulé", "Minimum HT (durée totale)", "Maximum HT (durée totale)"],
        [
            "{{ lot.numero }}",
            "{{ lot.intitule }}",
            "{% if lot.a_minimum %}{{ lot.montant_minimum_ht|montant }}{% else %}sans minimum{% endif %}",
            "{{ lot.montant_maximum_ht|montant }}",
        ],
        [1.2, 8.8, 3.5, 3.5],
        loop="lot in lots",
    )

    w.h1("2. Durée")
    w.p(
        "La période initiale est de {{ duree_initiale_mois }} mois à compter de la notification"
        "{% if reconductions %} ; l'accord-cadre est reconduit tacitement {{ reconductions }} fois par "
        "période de {{ duree_reconduction_mois }} mois, sauf décision contraire notifiée par le "
        "coordonnateur au moins trois mois avant l'échéance{% endif %}. La durée totale ne peut excéder "
        "{{ duree_totale_mois }} mois.",
        "justify",
    )

    w.h1("3. Pièces contractuelles")
    w.p("Les pièces contractuelles prévalent dans l'ordre suivant :")
    w.bullet("l'acte d'engagement du lot ;")
    w.bullet("le présent cahier des clauses administratives particulières (CCAP) ;")
    w.bullet("le cahier des clauses techniques particulières (CCTP) ;")
    w.bullet("le bordereau des prix unitaires (BPU) du lot ;")
    w.bullet("le cahier des clauses administratives générales applicable : {{ ccag }} ;")
    w.bullet("l'offre technique du titulaire.")
    w.p("Le détail quantitatif estimatif (DQE) n'a pas de valeur contractuelle.")

    w.h1("4. Prix")
    w.p(
        "Les prix sont unitaires ; ils sont ceux du BPU du lot, appliqués aux quantités réellement "
        "commandées. Ils sont exprimés hors taxes et comprennent le conditionnement, la livraison franco sur "
        "chaque site, la reprise des emballages réemployables et toutes les charges du titulaire. La TVA "
        "est facturée au taux en vigueur à la date du fait générateur.",
        "justify",
    )

    w.h1("5. Révision des prix")
    w.p(
        "Les prix sont révisables sur un indice officiel (articles R2112-13 et R2112-14 du code de la "
        "commande publique). La formule, la périodicité et la clause de sauvegarde propres à chaque lot "
        "figurent à l'article 11 ; l'indice de chaque lot est rappelé ci-dessous. I0 est la valeur de "
        "l'indice du mois de la date limite de remise des offres (mois zéro) et I la dernière valeur "
        "publiée à la date de révision. Le prix révisé s'applique aux bons de commande émis à compter de "
        "la date de révision ; il n'est pas appliqué rétroactivement. Les identifiants des séries sont "
        "ceux de la base de données macroéconomiques de l'INSEE.",
        "justify",
    )
    w.table(
        ["Lot", "Intitulé", "Indice de référence (INSEE)"],
        [
            "{{ lot.numero }}",
            "{{ lot.intitule }}",
            "{% if lot.a_indice %}{{ lot.indice }}{% else %}indice à désigner par l'acheteur{% endif %}",
        ],
        [1.2, 7.3, 8.5],
        loop="lot in lots",
    )

    w.h1("6. Bons de commande")
    w.p(
        "Chaque membre émet ses bons de commande par écrit, sans négociation ni nouvelle mise en "
        "concurrence (articles R2162-13 et R2162-14). Un bon précise la référence de l'accord-cadre et du "
        "lot, les produits et quantités, le site, la date et le créneau de livraison. Il est transmis au "
        "moins deux jours ouvrés avant la livraison. Les bons ne peuvent être émis que pendant la durée de "
        "validité de l'accord-cadre.",
        "justify",
    )

    w.h1("7. Livraison et admission")
    w.p(
        "Les livraisons ont lieu sur les sites et selon les fréquences définis au CCTP, aux horaires "
        "convenus avec chaque membre. À la réception, le membre vérifie les quantités, les températures, "
        "les dates limites, l'étiquetage et l'état des emballages. Un produit non conforme est refusé ; le "
        "titulaire le remplace dans les 24 heures à ses frais, faute de quoi le membre peut s'approvisionner "
        "ailleurs aux frais du titulaire.",
        "justify",
    )

    w.h1("8. Pénalités")
    w.p(
        "En cas de retard, le titulaire encourt, sans mise en demeure préalable, la pénalité prévue par "
        "l'article 14.1 du CCAG-FCS : **P = V × R ÷ 1 000**, où V est la valeur des prestations en retard et "
        "R le nombre de jours de retard. Le montant total des pénalités est plafonné à 10 % du montant du "
        "bon de commande concerné ; le titulaire n'est pas redevable des pénalités dont le montant total ne "
        "dépasse pas 1 000 € HT sur l'ensemble du marché. Avant toute retenue, il est invité à présenter ses "
        "observations dans un délai de 15 jours.",
        "justify",
    )
    w.p(
        "**Rupture de la chaîne du froid :** chaque livraison dont la température à cœur mesurée à "
        "réception sort des plages du CCTP donne lieu, outre le refus et le remplacement des produits, à une "
        "pénalité forfaitaire de 50 € HT (dérogation récapitulée à l'article 13).",
        "justify",
    )

    w.h1("9. Règlement")
    w.p(
        "Chaque membre règle les factures de ses propres commandes dans un délai de 30 jours à compter de "
        "leur réception (article R2192-10 du code de la commande publique). Tout retard ouvre droit, de "
        "plein droit, aux intérêts moratoires et à l'indemnité forfaitaire pour frais de recouvrement de "
        "40 €. Les factures sont déposées sur le portail de facturation électronique (Chorus Pro) et "
        "mentionnent le numéro du bon de commande.",
        "justify",
    )

    w.h1("10. Avance")
    w.p(
        "Une avance est due au titulaire lorsque le montant du lot est supérieur à 50 000 € HT et que son "
        "délai d'exécution dépasse deux mois (article R2191-3). Son taux est de 5 % ; le titulaire peut y "
        "renoncer dans l'acte d'engagement.",
        "justify",
    )
    w.tag("{%p for lot in lots %}")
    w.bullet(
        "Lot {{ lot.numero }} : {% if lot.avance %}avance de 5 %, sauf renonciation du titulaire."
        "{% else %}le montant maximum du lot ne dépasse pas 50 000 € HT : pas d'avance obligatoire."
        "{% endif %}"
    )
    w.tag("{%p endfor %}")

    w.h1("11. Conditions d'exécution et clauses particulières")
    w.p(
        "Les conditions d'exécution ci-dessous sont liées à l'objet de chaque lot (article L2112-2 du code "
        "de la commande publique). Leur méconnaissance peut entraîner les pénalités de l'article 8 et, si "
        "elle persiste, la résiliation du lot pour faute.",
        "justify",
    )
    w.tag("{%p for lot in lots %}")
    lot_heading(w, "11.")
    w.p("**Conditions d'exécution environnementales :**")
    clause_list(w, "lot.conditions_environnementales")
    w.p("**Conditions d'exécution sociales :**")
    w.tag("{%p if lot.a_condition_sociale %}")
    clause_list(w, "lot.conditions_sociales")
    w.tag("{%p elif a_exception_sociale %}")
    w.p(
        "Pas de condition sociale, pour le motif suivant (article L2112-2-1) : "
        "{{ exception_condition_sociale }}",
        "justify",
    )
    w.tag("{%p else %}")
    w.p("Aucune condition d'exécution sociale n'est retenue pour ce lot.")
    w.tag("{%p endif %}")
    w.p("**Autres clauses :**")
    clause_list(w, "lot.clauses_ccap")
    w.tag("{%p endfor %}")

    w.h1("12. Résiliation et différends")
    w.p(
        "La résiliation est régie par le CCAG-FCS. Chaque lot peut être résilié indépendamment des autres. "
        "Les différends sont portés devant le tribunal administratif territorialement compétent, après "
        "une tentative de règlement amiable.",
        "justify",
    )

    w.h1("13. Dérogations au CCAG-FCS")
    w.p("Le présent CCAP déroge au CCAG-FCS sur le seul point suivant :")
    w.bullet(
        "article 8, second alinéa (pénalité forfaitaire pour rupture de la chaîne du froid) : déroge "
        "à l'article 14.1 du CCAG-FCS."
    )
    return w


BUILDERS: dict[str, Callable[[], Writer]] = {
    "rc.docx": build_rc,
    "ccap.docx": build_ccap,
    "cctp.docx": build_cctp,
    "ae.docx": build_ae,
    "convention.docx": build_convention,
}


def main() -> int:
    for name, build in BUILDERS.items():
        path = build().save(name)
        print(f"{path.name} : {path.stat().st_size} octets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
