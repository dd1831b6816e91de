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

from _docs_lots import build_ae, build_cctp, build_convention, build_crt
from _writer import Writer, group_list, lot_heading


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
    w.bullet(
        "pour les produits d'origine animale, le numéro d'agrément sanitaire de chaque établissement qui "
        "prépare, transforme ou entrepose les produits livrés (règlement (CE) n° 853/2004, article 4), ou la "
        "dérogation à l'agrément dont il bénéficie."
    )
    w.p(
        "Aucun niveau minimal de chiffre d'affaires n'est exigé ; si l'acheteur en fixait un, il ne "
        "dépasserait pas une fois et demie la valeur estimée du lot (article R2142-7). Le candidat n'est pas "
        "tenu de fournir les documents que l'acheteur peut obtenir directement par un système électronique "
        "gratuit (article R2143-13).",
        "justify",
    )
    w.h2("7.1. Documents à produire par l'attributaire")
    w.p(
        "Avant l'attribution, le candidat dont l'offre est retenue remet, dans le délai de dix jours fixé "
        "par l'acheteur (articles R2144-4 et R2144-7 du code de la commande publique) :",
        "justify",
    )
    w.bullet(
        "les certificats attestant qu'il a satisfait à ses obligations fiscales et sociales (article "
        "R2143-7), dont l'attestation de vigilance délivrée par l'organisme de recouvrement des cotisations "
        "sociales (articles L8222-1 et D8222-5 du code du travail) ;"
    )
    w.bullet(
        "un extrait d'inscription au registre du commerce et des sociétés ou au répertoire des métiers, ou "
        "un document équivalent, datant de moins de trois mois ;"
    )
    w.bullet(
        "le cas échéant, la liste nominative des salariés étrangers soumis à autorisation de travail "
        "(article D8254-2 du code du travail)."
    )
    w.p(
        "Pendant l'exécution, le titulaire remet l'attestation de vigilance tous les six mois jusqu'à la fin "
        "de l'accord-cadre (articles L8222-1 et D8222-5 du code du travail). Si l'attributaire ne remet pas "
        "ces documents dans le délai, son offre est rejetée et le candidat classé immédiatement après lui "
        "est "
        "sollicité (article R2144-7).",
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
    w.bullet(
        "le cadre de réponse technique du lot (fichier CRT_Lot_NN.docx du dossier de consultation), "
        "complété rubrique par rubrique : il sert de base à la notation des critères autres que le prix "
        "(article 9) ;"
    )
    w.bullet(
        "les fiches techniques des produits et les justificatifs des labels ou mentions demandés, ou "
        "de leurs équivalents."
    )
    w.tag("{%p if a_echantillons %}")
    w.h2("8.1. Échantillons")
    w.p(
        "Pour chaque lot dont un sous-critère porte sur les échantillons (article 9), le candidat remet "
        "gratuitement {{ echantillons_quantite }} de chacun des produits listés ci-dessous, le "
        "**{{ echantillons_date|date_fr }}** entre 8 h 00 et 11 h 00, à l'adresse suivante : "
        "{{ echantillons_lieu }}. Les échantillons sont livrés dans les conditions de température du CCTP, "
        "étiquetés du seul numéro du lot et d'un numéro d'ordre attribué par l'acheteur, sans marque ni nom "
        "du candidat. Ils sont goûtés à l'aveugle, de façon anonyme, par un jury de cuisiniers et de "
        "gestionnaires des membres, après cuisson selon la fiche technique remise. Ils ne sont pas "
        "restitués. "
        "Un échantillon non remis dans le délai est noté zéro.",
        "justify",
    )
    w.tag("{%p for lot in lots %}")
    w.tag("{%p if lot.echantillons %}")
    w.bullet("Lot {{ lot.numero }} : {{ lot.echantillons_produits }}.")
    w.tag("{%p endif %}")
    w.tag("{%p endfor %}")
    w.tag("{%p endif %}")

    w.h1("9. Jugement des offres")
    w.p(
        "L'offre économiquement la plus avantageuse est choisie, lot par lot, selon les critères pondérés "
        "ci-dessous (articles L2152-7, R2152-7 et R2152-11 du code de la commande publique). Le prix est "
        "noté sur la base du montant du DQE : note = 10 × montant de l'offre la moins-disante ÷ montant de "
        "l'offre examinée. Les offres anormalement basses sont traitées selon les articles R2152-3 à "
        "R2152-5.",
        "justify",
    )
    w.p(
        "Les critères autres que le prix sont notés sur les réponses apportées au cadre de réponse "
        "technique du lot, rubrique par rubrique{% if a_echantillons %}, et, pour les sous-critères qui le "
        "prévoient, sur la dégustation des échantillons (article 8.1){% endif %}. Lorsqu'un critère comporte "
        "plusieurs sous-critères, ceux-ci sont d'égale importance.",
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
    w.tag("{%p endfor %}")
    w.h2("9.{{ rc_numero_modalites }}. Modalités communes")
    group_list(w, "rc_clauses")

    w.h1("10. Conditions de remise des offres")
    w.p(
        "Le dossier de consultation est disponible gratuitement sur le profil d'acheteur du coordonnateur, "
        "à l'adresse {{ profil_acheteur }} (article R2132-2). Les plis sont transmis par voie électronique "
        "sur ce profil d'acheteur au plus tard le **{{ date_remise|date_fr }} à 12 h 00** (heure de Paris), "
        "soit "
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
        "Lot {{ lot.numero }} : {% if lot.mapa %}l'acheteur se réserve la possibilité de négocier "
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

    w.h1("13. Attribution, délai de suspension et recours")
    w.p(
        "Dès qu'il a fait son choix pour un lot, le coordonnateur informe les autres candidats du rejet de "
        "leur offre, avec les motifs de ce rejet, le nom de l'attributaire et les motifs du choix (article "
        "R2181-3). L'accord-cadre n'est pas signé avant l'expiration d'un délai de "
        "{{ delai_suspension_texte }} jours ({{ delai_suspension_jours }} jours) à compter de l'envoi "
        "électronique de cette décision (article R2182-1).",
        "justify",
    )
    w.p(
        "**Instance chargée des procédures de recours :** {{ tribunal_nom }}, {{ tribunal_adresse }}. "
        "Le même tribunal peut être saisi pour obtenir des renseignements sur l'introduction des recours.",
        "justify",
    )
    w.p("Les recours suivants peuvent être introduits :")
    w.bullet(
        "le référé précontractuel, jusqu'à la signature de l'accord-cadre (articles L551-1 à L551-12 du "
        "code de justice administrative) ;"
    )
    w.bullet(
        "le référé contractuel, après la signature, dans un délai de {{ refere_contractuel_avis_jours }} "
        "jours à compter de la publication de l'avis d'attribution ou, à défaut, de "
        "{{ refere_contractuel_max_mois }} mois à compter du lendemain de la conclusion du contrat (articles "
        "L551-13 à L551-23 et R551-7 du code de justice administrative) ;"
    )
    w.bullet(
        "le recours en contestation de la validité du contrat ouvert aux tiers, dans un délai de "
        "{{ recours_contrat_texte }} mois à compter des mesures de publicité appropriées (CE, assemblée, "
        "4 avril 2014, Département de Tarn-et-Garonne, n° 358994) ;"
    )
    w.bullet(
        "le recours pour excès de pouvoir contre les actes détachables du contrat, dans un délai de "
        "{{ recours_contrat_texte }} mois à compter de leur notification ou de leur publication (article "
        "R421-1 du code de justice administrative)."
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

    w.p(
        "Les valeurs surlignées sont à confirmer ou à compléter par l'acheteur avant la publication.",
        "justify",
    )

    w.h1("2. Durée")
    group_list(w, "ccap_duree")

    w.h1("3. Pièces contractuelles")
    w.p("Les pièces contractuelles prévalent dans l'ordre suivant :")
    w.bullet("l'acte d'engagement du lot ;")
    w.bullet("le présent cahier des clauses administratives particulières (CCAP) ;")
    w.bullet("le cahier des clauses techniques particulières (CCTP) ;")
    w.bullet("le bordereau des prix unitaires (BPU) du lot ;")
    w.bullet("le cahier des clauses administratives générales applicable : {{ ccag }} ;")
    w.bullet("l'offre technique du titulaire (cadre de réponse technique complété).")
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
        "commande publique), par la formule P = P0 × (a + b × I / I0), où P0 est le prix de l'offre, a la "
        "partie fixe et b = 1 − a la partie révisable, I0 la valeur de l'indice publiée pour le mois de la "
        "date limite de remise des offres (mois zéro) et I la dernière valeur publiée au premier jour de la "
        "période de révision. Le prix révisé s'applique aux bons de commande émis à compter de la date de "
        "révision ; il n'est pas appliqué rétroactivement. Les identifiants des séries sont ceux de la base "
        "de "
        "données macroéconomiques de l'INSEE.",
        "justify",
    )
    w.table(
        ["Lot", "Intitulé", "Indice de référence (INSEE)", "Périodicité", "Partie fixe a"],
        [
            "{{ lot.numero }}",
            "{{ lot.intitule }}",
            "{% if lot.a_indice %}{{ lot.indice }}{% else %}indice à désigner par l'acheteur{% endif %}",
            "{{ lot.indice_periodicite }}",
            "{{ lot.indice_partie_fixe }}",
        ],
        [1.2, 5.0, 6.3, 2.3, 2.2],
        loop="lot in lots",
    )
    group_list(w, "ccap_revision")

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
        "les dates limites, l'étiquetage et l'état des emballages.",
        "justify",
    )
    group_list(w, "ccap_livraison")

    w.h1("8. Pénalités")
    group_list(w, "ccap_penalites")

    w.h1("9. Règlement")
    group_list(w, "ccap_reglement")

    w.h1("10. Avance")
    w.p(
        "Pour un lot conclu sans montant minimum, une avance est accordée au titulaire pour chaque bon de "
        "commande d'un montant supérieur à {{ avance_seuil_ht|montant }} HT dont le délai d'exécution est "
        "supérieur à {{ avance_duree_mois }} mois (articles R2191-3, R2191-16 et R2191-18 du code de la "
        "commande publique) ; elle est versée par le membre qui émet le bon de commande. Pour un lot conclu "
        "avec un montant minimum, l'avance est calculée sur ce montant minimum s'il remplit les mêmes "
        "conditions. Le montant de l'avance est de {{ avance_taux_pourcent|pourcentage }} du montant toutes "
        "taxes comprises du bon de commande (article R2191-7). Son remboursement s'impute sur les sommes "
        "dues au titulaire ; il commence lorsque le montant des prestations exécutées au titre du bon de "
        "commande atteint 65 % de son montant et s'achève lorsqu'il atteint 80 % (article R2191-11). Le "
        "titulaire peut renoncer à l'avance dans l'acte d'engagement.",
        "justify",
    )

    w.h1("11. Conditions d'exécution et clauses particulières")
    w.p(
        "Les conditions d'exécution ci-dessous sont liées à l'objet de chaque lot (article L2112-2 du code "
        "de la commande publique). Leur méconnaissance peut entraîner les pénalités de l'article 8 et, si "
        "elle persiste, la résiliation du lot pour faute. Chaque stipulation s'applique à tous les lots, "
        "sauf lorsque les lots concernés sont indiqués.",
        "justify",
    )
    w.h2("11.1. Conditions d'exécution environnementales")
    group_list(w, "ccap_environnementales")
    w.h2("11.2. Conditions d'exécution sociales")
    w.tag("{%p if a_ccap_sociales %}")
    group_list(w, "ccap_sociales")
    w.tag("{%p elif a_exception_sociale %}")
    w.p(
        "Pas de condition sociale, pour le motif suivant (article L2112-2-1) : "
        "{{ exception_condition_sociale }}",
        "justify",
    )
    w.tag("{%p else %}")
    w.p("Aucune condition d'exécution sociale n'est retenue.")
    w.tag("{%p endif %}")
    w.h2("11.3. Autres clauses")
    group_list(w, "ccap_autres")

    w.h1("12. Résiliation et différends")
    w.p(
        "La résiliation est régie par le CCAG-FCS. Chaque lot peut être résilié indépendamment des autres. "
        "La résiliation est prononcée par le coordonnateur, après avis des membres concernés. Le "
        "coordonnateur représente les membres en justice pour les litiges relatifs à la passation et aux "
        "stipulations communes des accords-cadres. Après une tentative de règlement amiable, les différends "
        "sont portés devant le {{ tribunal_nom }}, {{ tribunal_adresse }}.",
        "justify",
    )

    w.h1("13. Récapitulatif des dérogations au CCAG-FCS")
    w.tag("{%p if derogations %}")
    w.p("Le présent CCAP déroge au CCAG-FCS sur les points suivants :")
    w.table(
        ["Article du CCAP", "Stipulation", "Dérogation", "Article du CCAG-FCS"],
        [
            "{{ d.article_ccap }}",
            "{{ d.titre }}",
            "{{ d.objet }}",
            "{{ d.article_ccag }}",
        ],
        [2.0, 4.5, 7.0, 3.5],
        loop="d in derogations",
    )
    w.tag("{%p else %}")
    w.p("Le présent CCAP ne déroge pas au CCAG-FCS.")
    w.tag("{%p endif %}")
    return w


BUILDERS: dict[str, Callable[[], Writer]] = {
    "rc.docx": build_rc,
    "ccap.docx": build_ccap,
    "cctp.docx": build_cctp,
    "ae.docx": build_ae,
    "convention.docx": build_convention,
    "crt.docx": build_crt,
}


def main() -> int:
    for name, build in BUILDERS.items():
        path = build().save(name)
        print(f"{path.name} : {path.stat().st_size} octets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
