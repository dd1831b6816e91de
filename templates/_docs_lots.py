"""CCTP, acte d'engagement and convention templates (companion of ``build_templates.py``)."""

from __future__ import annotations

from _writer import Writer, clause_list, lot_heading


def build_cctp() -> Writer:
    w = Writer("Cahier des clauses techniques particulières")
    w.sub("{{ objet }}")
    w.p("**Acheteur :** groupement de commandes « {{ groupement }} » — coordonnateur : {{ coordonnateur }}")
    w.p("**Référence de la consultation :** {{ reference }}")
    w.toc()
    w.page_break()

    w.h1("1. Objet et textes applicables")
    w.p(
        "Le présent cahier définit les spécifications techniques des denrées de chaque lot et leurs "
        "conditions de livraison. Les produits respectent la réglementation en vigueur, notamment le "
        "règlement (CE) n° 178/2002 (principes de la législation alimentaire et traçabilité), les "
        "règlements (CE) n° 852/2004 et 853/2004 (hygiène) et le règlement (UE) n° 1169/2011 (information "
        "des consommateurs, allergènes).",
        "justify",
    )
    w.p(
        "Lorsqu'un label ou une mention est exigé, tout label ou toute mention équivalente est accepté sur "
        "justificatif. Les quantités indiquées sont des estimations annuelles, sans engagement des membres "
        "au-delà du minimum éventuel de l'accord-cadre.",
        "justify",
    )

    w.h1("2. Exigences communes à tous les lots")
    w.h2("2.1. Traçabilité")
    w.p(
        "Chaque colis porte la dénomination du produit, le numéro de lot de fabrication, la date limite "
        "applicable, le nom du fournisseur et, pour les produits d'origine animale, la marque "
        "d'identification de l'établissement. Le titulaire communique sur demande, dans les 24 heures, "
        "l'origine et l'historique de tout lot livré.",
        "justify",
    )
    w.h2("2.2. Documents de livraison")
    w.p(
        "Chaque livraison est accompagnée d'un bon de livraison indiquant le numéro du bon de commande, "
        "les produits, les quantités, les numéros de lot et, pour les produits réfrigérés ou surgelés, la "
        "température relevée au chargement. Les fiches techniques et la liste des allergènes sont tenues à "
        "jour et transmises à chaque membre.",
        "justify",
    )

    w.h1("3. Dispositions propres à chaque lot")
    w.tag("{%p for lot in lots %}")
    lot_heading(w, "3.")
    w.p(
        "**Famille :** {{ lot.famille }} — **conservation :** {{ lot.conservation }} — **CPV :** "
        "{{ lot.cpv_principal }}"
    )
    w.p("**Membres concernés :** {{ lot.membres }}")
    w.h3("Produits")
    w.p(
        "Chaque produit respecte la spécification, le signe de qualité exigé (ou un équivalent, dont le "
        "titulaire apporte la preuve) et la température de livraison indiqués sur sa ligne.",
        "justify",
    )
    w.table(
        [
            "Code",
            "Désignation",
            "Unité",
            "Quantité annuelle",
            "Spécifications",
            "Signe de qualité exigé",
            "Température de livraison",
        ],
        [
            "{{ p.code }}",
            "{{ p.libelle }}",
            "{{ p.unite_libelle }}",
            "{{ p.quantite|quantite }}",
            "{{ p.specifications }}",
            "{{ p.label_exige }}",
            "{{ p.temperature }}",
        ],
        [2.4, 3.0, 1.1, 1.6, 4.3, 2.2, 2.4],
        loop="p in lot.produits",
        size=8,
    )
    w.h3("Saisonnalité")
    w.p(
        "Mois d'approvisionnement du lot : {{ lot.mois }}. Les quantités estimées du lot, mois par mois et "
        "produit par produit, figurent à l'annexe « {{ lot.calendrier_titre }} » du présent CCTP et, site "
        "par site, dans le fichier {{ lot.calendrier_fichier }} du dossier de consultation. Le "
        "titulaire livre les espèces et variétés de saison et propose, hors saison, un produit de "
        "substitution de qualité équivalente, au même prix ou à un prix inférieur.",
        "justify",
    )
    w.table(
        ["Code", "Désignation", "Mois de livraison demandés", "Disponibilité habituelle"],
        ["{{ p.code }}", "{{ p.libelle }}", "{{ p.mois }}", "{{ p.disponibilite }}"],
        [3.2, 4.8, 4.5, 4.5],
        loop="p in lot.produits",
        size=8,
    )
    w.h3("Fraîcheur et températures")
    w.p(
        "Les produits sont livrés à la température indiquée pour chacun d'eux dans le tableau des produits "
        "du lot, relevée à cœur à la réception.",
        "justify",
    )
    w.p("{{ lot.fraicheur }}", "justify")
    w.h3("Emballages")
    w.p("Régime d'emballage du lot : {{ lot.regime }}.")
    w.tag("{%p for regle in lot.emballages %}")
    w.bullet("{{ regle }}")
    w.tag("{%p endfor %}")
    w.h3("Traçabilité propre au lot")
    w.tag("{%p if lot.produits_de_la_mer %}")
    w.p(
        "Pour chaque produit de la pêche, l'étiquetage ou le document commercial indique la dénomination "
        "commerciale et scientifique de l'espèce, la méthode de production, la zone de capture ou "
        "d'élevage et la catégorie d'engin de pêche (règlement (UE) n° 1379/2013, article 35).",
        "justify",
    )
    w.tag("{%p else %}")
    w.p("L'origine des produits et leur numéro de lot figurent sur chaque colis et sur le bon de livraison.")
    w.tag("{%p endif %}")
    w.h3("Lieux et fréquences de livraison")
    w.table(
        ["Membre", "Site de livraison", "Code postal", "Commune", "Territoire"],
        ["{{ s.membre }}", "{{ s.site }}", "{{ s.code_postal }}", "{{ s.commune }}", "{{ s.territoire }}"],
        [4.0, 4.0, 2.0, 3.5, 3.5],
        loop="s in lot.sites",
        size=8,
    )
    w.p(
        "Fréquence prévisionnelle : {{ lot.livraisons_annuelles }} livraisons par an pour l'ensemble du lot, "
        "réparties entre les sites selon les bons de commande.",
        "justify",
    )
    w.tag("{%p if lot.produits_de_la_mer %}")
    w.h3("Pêche durable")
    w.p(
        "Le titulaire ne livre aucun produit d'une taille inférieure à la taille minimale de capture "
        "applicable, ni d'espèce dont la pêche est interdite ou fermée à la date de capture. Il indique pour "
        "chaque espèce la zone de capture (zone FAO et sous-zone) et l'engin de pêche. Les produits portant "
        "l'écolabel « Pêche durable » ou un équivalent apprécié par l'acheteur sur justificatif sont "
        "identifiés dans l'offre.",
        "justify",
    )
    w.tag("{%p endif %}")
    w.h3("Clauses techniques particulières")
    clause_list(w, "lot.clauses_cctp")
    w.tag("{%p endfor %}")
    _calendar_annexes(w)
    return w


def _calendar_annexes(w: Writer) -> None:
    """The CCTP's annexes: one delivery calendar per lot (quantities per month and product, deliveries per
    site), from the demand's months; the lot's workbook (Annexes/Lot_NN_calendrier.xlsx) details each site."""
    w.h1("Annexes — Calendriers d'approvisionnement")
    w.p(
        "Pour chaque lot, les quantités estimées par mois de chaque produit, tous sites confondus, et les "
        "livraisons prévues par site, d'après le recensement des besoins des membres : la quantité annuelle "
        "de chaque besoin est répartie également sur les mois où il est demandé. Le fichier du calendrier "
        "de chaque lot, dans le dossier Annexes du dossier de consultation, donne les mêmes quantités site "
        "par site. Ces calendriers sont indicatifs : les bons de commande fixent les dates et les quantités "
        "livrées.",
        "justify",
    )
    w.tag("{%p for lot in lots %}")
    w.h2("{{ lot.calendrier_titre }}")
    w.p("**Lot {{ lot.numero }} :** {{ lot.intitule }}.")
    w.p("Détail par site de livraison : fichier {{ lot.calendrier_fichier }} du dossier de consultation.")
    w.tag("{%p if lot.calendrier_approche %}")
    w.p(
        "Calendrier établi sans le fichier de la demande : pour chaque site, les mois sont ceux demandés "
        "pour le produit dans l'ensemble du lot.",
        "justify",
    )
    w.tag("{%p endif %}")
    w.table(
        ["Désignation", "Unité", *MOIS_COURTS, "Total"],
        [
            "{{ p.libelle }}",
            "{{ p.unite }}",
            *[f"{{{{ p.mois[{i}] }}}}" for i in range(12)],
            "{{ p.total }}",
        ],
        [3.0, 0.8, *[1.0] * 12, 1.2],
        loop="p in lot.calendrier_produits",
        size=7,
    )
    w.table(
        ["Membre et site", "Livr. par sem.", *MOIS_COURTS],
        ["{{ s.site }}", "{{ s.livraisons }}", *[f"{{{{ s.mois[{i}] }}}}" for i in range(12)]],
        [4.0, 1.0, *[1.0] * 12],
        loop="s in lot.calendrier_sites",
        size=7,
    )
    w.p(
        "Livraisons par mois : livraisons par semaine (« Livr. par sem. ») × 52/12, arrondi à l'unité, dans "
        "les mois où le site commande un produit du lot."
    )
    w.tag("{%p endfor %}")


# Month headings of the calendar tables (the same as calendrier.MOIS_COURTS, capitalised)
MOIS_COURTS = (
    "Janv.",
    "Févr.",
    "Mars",
    "Avr.",
    "Mai",
    "Juin",
    "Juil.",
    "Août",
    "Sept.",
    "Oct.",
    "Nov.",
    "Déc.",
)


def build_ae() -> Writer:
    w = Writer("Acte d'engagement — lot {{ lot.numero }}")
    w.sub("{{ lot.intitule }}")
    w.p(
        "Le présent acte d'engagement suit la structure du formulaire ATTRI1. Il est remis par le candidat "
        "pour le seul lot {{ lot.numero }} et n'est signé que par l'attributaire.",
        "justify",
    )

    w.h1("A. Objet de l'acte d'engagement")
    w.p("**Objet de la consultation :** {{ objet }}")
    w.p("**Référence :** {{ reference }} — lot {{ lot.numero_texte }}")
    w.p(
        "**Le présent acte d'engagement correspond au lot n° {{ lot.numero }} :** {{ lot.intitule }}, à "
        "l'offre de base ; les variantes ne sont pas autorisées."
    )
    w.p("**Code CPV principal :** {{ lot.cpv_principal }}")
    w.p(
        "**Forme :** {{ forme }}, passé selon la procédure suivante : {{ lot.procedure }} (code de la "
        "commande publique, {{ lot.articles_texte }})."
    )

    w.h1("B. Engagement du titulaire")
    w.h2("B1. Identification et engagement du titulaire")
    w.p(
        "Après avoir pris connaissance du CCAP, du CCTP, du bordereau des prix unitaires du lot et du "
        "{{ ccag }}, le signataire s'engage, sur la base de son offre, à livrer les fournitures du lot aux "
        "prix unitaires de son bordereau, dans les conditions de ces documents.",
        "justify",
    )
    w.form(
        [
            "Nom, prénom et qualité du signataire",
            "Nom commercial et dénomination sociale",
            "Adresse postale et du siège social",
            "Courriel et téléphone",
            "Numéro SIRET",
        ]
    )
    w.p(
        "Le candidat agit : ☐ pour son propre compte ; ☐ pour le compte du groupement dont il est mandataire."
    )
    w.h2("Montants de l'accord-cadre")
    w.p(
        "**Montant maximum du lot sur la durée totale de l'accord-cadre :** "
        "{{ lot.montant_maximum_ht|montant }} HT, soit {{ lot.montant_maximum_ht|montant_lettres }} hors "
        "taxes.",
        "justify",
    )
    w.tag("{%p if lot.a_minimum %}")
    w.p(
        "**Montant minimum :** {{ lot.montant_minimum_ht|montant }} HT, soit "
        "{{ lot.montant_minimum_ht|montant_lettres }} hors taxes.",
        "justify",
    )
    w.tag("{%p else %}")
    w.p("L'accord-cadre est conclu sans montant minimum.")
    w.tag("{%p endif %}")
    w.p(
        "L'offre ne lie le candidat que si son acceptation lui est notifiée dans un délai de 120 jours à "
        "compter de la date limite de remise des offres.",
        "justify",
    )
    w.h2("B2. Groupement d'opérateurs économiques")
    w.p(
        "Le groupement est : ☐ conjoint ; ☐ solidaire. En cas de groupement conjoint, répartition des "
        "prestations :"
    )
    w.table(
        ["Membre du groupement", "Nature des prestations", "Montant HT"],
        ["", "", ""],
        [6.0, 7.0, 4.0],
        rows=3,
    )
    w.h2("B3. Compte à créditer")
    w.p(
        "Joindre un relevé d'identité bancaire. Établissement : ____________ IBAN : ______________________ "
        "BIC : ____________"
    )
    w.h2("B4. Avance")
    w.tag("{%p if lot.a_minimum %}")
    w.p(
        "Une avance est due dans les conditions de l'article 10 du CCAP, calculée sur le montant minimum "
        "(articles R2191-3 et R2191-16 du code de la commande publique)."
    )
    w.tag("{%p else %}")
    w.p(
        "L'accord-cadre étant conclu sans montant minimum, l'avance est due pour chaque bon de commande d'un "
        "montant supérieur à {{ avance_seuil_ht|montant }} HT et d'une durée d'exécution supérieure à "
        "{{ avance_duree_mois }} mois (articles R2191-16 et R2191-18 du code de la commande publique ; "
        "article 10 du CCAP).",
        "justify",
    )
    w.tag("{%p endif %}")
    w.p("Le titulaire renonce au bénéfice de l'avance : ☐ non ☐ oui.")
    w.h2("B5. Durée d'exécution")
    w.p(
        "L'accord-cadre est conclu pour {{ duree_initiale_mois }} mois à compter de sa notification"
        "{% if reconductions %}, reconductible {{ reconductions }} fois par période de "
        "{{ duree_reconduction_mois }} mois{% endif %}, soit {{ duree_totale_mois }} mois au plus.",
        "justify",
    )
    w.tag("{%p if lot.clauses_ae %}")
    w.h2("Engagements particuliers")
    clause_list(w, "lot.clauses_ae")
    w.tag("{%p endif %}")

    w.h1("C. Signature du titulaire")
    w.table(
        ["Nom, prénom et qualité du signataire", "Lieu et date de signature", "Signature"],
        ["", "", ""],
        [6.0, 5.5, 5.5],
        rows=2,
    )

    w.h1("D. Identification et signature de l'acheteur")
    w.p(
        "**Acheteur :** {{ coordonnateur }}, coordonnateur du groupement de commandes « {{ groupement }} », "
        "agissant au nom et pour le compte de ses membres (article L2113-7 du code de la commande publique).",
        "justify",
    )
    w.p("**Membres concernés par le lot :** {{ lot.membres }}")
    w.p(
        "Chaque membre émet et paie ses propres bons de commande. Pour chacun, le tableau désigne "
        "l'ordonnateur, le comptable public assignataire des paiements, la personne habilitée à fournir les "
        "renseignements prévus à l'article R2191-59 du code de la commande publique (cession ou nantissement "
        "des créances) et l'imputation budgétaire des dépenses.",
        "justify",
    )
    w.table(
        [
            "Membre",
            "Ordonnateur",
            "Comptable assignataire",
            "Personne désignée (article R2191-59)",
            "Imputation budgétaire",
        ],
        [
            "{{ p.membre }}",
            "{{ p.ordonnateur }}",
            "{{ p.comptable }}",
            "{{ p.designe }}",
            "{{ p.imputation }}",
        ],
        [3.6, 3.2, 3.8, 3.4, 3.0],
        loop="p in lot.payeurs",
    )
    w.p("La présente offre est acceptée pour le lot {{ lot.numero }}.")
    w.table(["Signataire (nom, qualité)", "Lieu et date", "Signature"], ["", "", ""], [6.0, 5.5, 5.5], rows=1)
    return w


def build_convention() -> Writer:
    w = Writer("Convention constitutive du groupement de commandes")
    w.sub("{{ groupement }}")
    w.p("Vu le code de la commande publique, notamment ses articles L2113-6 à L2113-8 ;")
    w.p("Vu le code général des collectivités territoriales, notamment son article L1414-3 ;")
    w.p(
        "Vu les décisions des membres autorisant leur adhésion au groupement et la signature de la "
        "convention :"
    )
    w.tag("{%p for m in membres %}")
    w.bullet("pour {{ m.nom }} : {{ m.decision }} ;")
    w.tag("{%p endfor %}")
    w.p("Les membres désignés à l'article 2 conviennent de ce qui suit.")

    w.h1("Article 1. Objet")
    w.p(
        "La présente convention constitue un groupement de commandes en vue de la passation, pour le "
        "compte de ses membres, des accords-cadres ayant pour objet : {{ objet }} (référence "
        "{{ reference }}). Le besoin est réparti en {{ nb_lots }} lots ; la procédure envisagée est la "
        "suivante : {{ procedure }}.",
        "justify",
    )

    w.h1("Article 2. Membres et parts")
    w.p(
        "Le groupement réunit les membres suivants ; la part de chacun est la valeur annuelle estimée HT de "
        "ses besoins, qui sert à répartir les éventuels frais communs.",
        "justify",
    )
    w.table(
        ["Membre", "Catégorie", "Commune", "Lots", "Part annuelle HT", "Part"],
        [
            "{{ m.nom }}",
            "{{ m.type }}",
            "{{ m.commune }}",
            "{{ m.lots }}",
            "{{ m.montant_annuel_ht|montant }}",
            "{{ m.part|pourcentage }}",
        ],
        [4.5, 3.2, 2.8, 1.8, 2.9, 1.8],
        loop="m in membres",
        footer=["Total", "", "", "", "{{ montant_total_annuel_ht|montant }}", "100 %"],
    )

    w.h1("Article 3. Coordonnateur")
    w.p(
        "{{ coordonnateur }} est {{ coordonnateur_designe }} coordonnateur du groupement. Le coordonnateur "
        "est chargé, au nom et pour le compte des membres (article L2113-7) :",
        "justify",
    )
    w.tag("{%p for a in actes_coordonnateur %}")
    w.bullet("{{ a.libelle }} ;")
    w.tag("{%p endfor %}")
    w.p(
        "Les membres donnent mandat au coordonnateur pour agir en justice en leur nom, en demande comme en "
        "défense, dans les litiges relatifs à la passation des accords-cadres et à leurs stipulations "
        "communes ; chaque membre reste seul compétent pour les litiges nés de ses propres bons de commande.",
        "justify",
    )

    w.h1("Article 4. Obligations des membres")
    w.p(
        "Chaque membre communique ses besoins dans les délais fixés par le coordonnateur, émet ses propres "
        "bons de commande, réceptionne les livraisons, règle les factures qui le concernent et informe le "
        "coordonnateur de toute difficulté d'exécution.",
        "justify",
    )

    w.h1("Article 5. Responsabilité")
    w.p(
        "Les membres sont solidairement responsables des seules opérations de passation menées "
        "conjointement en leur nom et pour leur compte (article L2113-7). Chaque membre répond seul de "
        "l'exécution des accords-cadres pour ses propres besoins.",
        "justify",
    )

    w.h1("Article 6. Commission d'appel d'offres")
    w.p(
        "La commission compétente pour l'attribution des accords-cadres est {{ cao }}. Le coordonnateur "
        "transmet à chaque membre le procès-verbal de ses séances.",
        "justify",
    )

    w.h1("Article 7. Frais de fonctionnement")
    w.p(
        "Le coordonnateur assure ses missions sans contrepartie financière. Les frais de publicité sont "
        "répartis entre les membres au prorata de leur part définie à l'article 2.",
        "justify",
    )

    w.h1("Article 8. Durée")
    w.p(
        "La convention entre en vigueur à sa signature par tous les membres, avant le lancement de la "
        "consultation prévu le {{ date_lancement|date_fr }}. Elle prend fin à l'expiration des "
        "accords-cadres, soit {{ duree_totale_mois }} mois au plus après leur notification.",
        "justify",
    )

    w.h1("Article 9. Adhésion et retrait")
    w.p(
        "Un nouveau membre ne peut adhérer que par avenant signé avant le lancement d'une consultation ; il "
        "ne bénéficie pas des procédures en cours. Un membre peut se retirer par lettre recommandée adressée "
        "au coordonnateur ; le retrait prend effet à l'expiration des accords-cadres en cours.",
        "justify",
    )

    w.h1("Article 10. Litiges")
    w.p(
        "Les litiges relatifs à la présente convention et aux accords-cadres passés en son application "
        "relèvent, après une tentative de règlement amiable, du {{ tribunal_nom }}, {{ tribunal_adresse }}.",
        "justify",
    )

    w.h1("Signatures")
    w.table(
        ["Membre", "Représentant (nom, qualité)", "Date", "Signature"],
        ["{{ m.nom }}", "", "", ""],
        [5.5, 5.0, 2.5, 4.0],
        loop="m in membres",
    )
    return w


def build_crt() -> Writer:
    w = Writer("Cadre de réponse technique — lot {{ lot.numero }}")
    w.sub("{{ lot.intitule }}")
    w.p("**Référence de la consultation :** {{ reference }} — lot {{ lot.numero_texte }}")
    w.p(
        "Le candidat complète chaque rubrique ci-dessous. Ses réponses servent de base à la notation des "
        "critères autres que le prix (article 9 du règlement de la consultation) et, pour l'attributaire, "
        "valent engagement contractuel (article 3 du CCAP). Une rubrique sans réponse est notée zéro. Le "
        "candidat peut joindre des annexes, à condition d'y renvoyer depuis la rubrique concernée.",
        "justify",
    )
    w.p("**Candidat (dénomination sociale) :** ________________________________________________")
    w.tag("{%p for c in lot.criteres_techniques %}")
    w.h1("{{ c.libelle }} — {{ c.ponderation|pourcentage }}")
    w.tag("{%p for s in c.sous_criteres %}")
    w.h2("{{ s }}")
    w.form(["Réponse du candidat"])
    w.tag("{%p endfor %}")
    w.tag("{%p endfor %}")
    return w
