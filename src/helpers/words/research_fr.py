"""The French words of the research reports (notebooks 05 trends and 06 hypotheses): the French
half of the tables of :mod:`helpers.texts_research`.

:data:`TEXTS` holds the prose (Markdown, ``{fields}`` filled by :func:`helpers.texts_research.text`),
:data:`TERMS` the words shown for the codes of the research tables, :data:`GLOSSARY` the research
terms explained at the end of each report and :data:`FIGURE_TEXTS` the texts of their figures. The
English twin is :mod:`helpers.words.research_en`: both must have the same keys and the
same fields (``tests/test_texts_research.py``).
"""

TEXTS: dict[str, str] = {
    # ---- 05 trends
    "trends_title": "# Évolution d'une année sur l'autre : ce qui est déclaré, ce qui est réalisé",
    "small_cells": (
        "**Attention : seuil de secret statistique abaissé.** Les effectifs de personnes sont "
        "publiés à partir de {n} personnes, en dessous du seuil habituel de 11 personnes. Ce "
        "rapport ne doit pas être diffusé sans cette mention."),
    "trends_intro": (
        "Chaque année étudiée est auditée comme un rapport annuel : marchés notifiés cette "
        "année-là, situation au 31 décembre de l'année (sauf date d'arrêté fixée). Pour chaque "
        "année, la **part déclarée** (marchés qui déclarent une considération sociale) est "
        "comparée à la **part réalisée** (marchés dont les heures d'insertion ont vraiment été "
        "faites, ou marché réservé réellement attribué à une structure d'insertion ou du "
        "handicap), chacune avec son intervalle de confiance à 95 %, et à l'objectif de "
        "{target}.\n\nAnnées étudiées : {years}. Acheteurs suivis : {buyers}."),
    "changes_heading": "## Ce qui a changé d'une année sur l'autre",
    "changes_intro": (
        "Pour l'ensemble des acheteurs étudiés, la variation de chaque part entre deux années "
        "consécutives, en points de pourcentage, avec son intervalle de confiance à 95 % "
        "(méthode de Newcombe pour la différence de deux proportions : les deux années "
        "portent sur des marchés différents). Une variation est un **écart net** quand son "
        "intervalle ne contient pas 0 ; sinon elle reste **dans le bruit** : elle peut "
        "s'expliquer par le hasard des marchés de chaque année."),
    "changes_none": "Une seule année est disponible : aucune variation ne peut être calculée.",
    "scope_heading": "## L'ensemble des acheteurs étudiés, année par année",
    "scope_intro": (
        "Parts déclarée et réalisée de tous les marchés évaluables, par année de notification. "
        "La ligne grise en tirets est la part nationale officielle des marchés comportant une "
        "considération sociale (recensement de l'Observatoire économique de la commande "
        "publique, marchés d'au moins 90 000 € HT) : c'est une part *déclarée*, comme notre "
        "courbe bleue, sur une autre population ; c'est un repère, pas une norme. À partir de "
        "2024 la source nationale devient les données essentielles de la commande publique "
        "(marchés dès 40 000 € HT) : la ligne pointillée marque cette **rupture de série**, "
        "les parts d'avant et d'après ne se comparent pas. La ligne en tirets-points marque "
        "le 22 août 2026, date à laquelle une condition d'exécution sociale devient "
        "obligatoire au-dessus des seuils européens (loi Climat et Résilience, article 35)."),
    "trend_sentence": (
        "De {first} à {last}, la part déclarée de l'ensemble des acheteurs étudiés est passée "
        "de {declared_first} à {declared_last}, et la part réalisée de {effective_first} à "
        "{effective_last} (objectif : {target}). L'écart entre ce qui est déclaré et ce qui "
        "est réalisé était de {gap_first} en {first} et de {gap_last} en {last}."),
    "buyers_heading": "## Acheteur par acheteur",
    "buyers_intro": (
        "Un graphique par acheteur (au plus douze : ceux qui ont le plus de marchés "
        "évaluables sur la période). Une courbe bleue nettement au-dessus de la courbe "
        "orange, année après année, est la marque de l'affichage social sans réalisation. "
        "Les intervalles sont larges pour les petits acheteurs : c'est pourquoi aucune "
        "conclusion n'est tirée en dessous de {min_contracts} marchés évaluables."),
    "verdicts_heading": "## Les conclusions par acheteur, et leurs changements",
    "verdicts_intro": (
        "Le tableau suivant donne la conclusion de chaque acheteur chaque année. Seuls les "
        "acheteurs sont comptés dans les changements (l'ensemble des acheteurs n'est pas un "
        "acheteur). Pour chaque changement de conclusion, on regarde la part qui l'a "
        "provoqué (déclarée ou réalisée) : le changement est un **écart net** quand la "
        "variation de cette part est nette, **dans le bruit** sinon, et **non comparable** "
        "quand l'acheteur n'a pas été jugé sur la réalisation l'une des deux années (trop peu "
        "de marchés, réalisation non mesurée, ou absent)."),
    "no_change": "Aucune conclusion n'a changé entre deux années consécutives.",
    "change_sentence_counts": "Sur la période, {flagged} ; {cleared}.",
    "newly_flagged_0": ("aucun acheteur n'a été nouvellement signalé pour affichage social "
                        "sans réalisation"),
    "newly_flagged_1": "{n} acheteur a été nouvellement signalé pour affichage social sans réalisation",
    "newly_flagged_2": ("{n} acheteurs ont été nouvellement signalés pour affichage social "
                        "sans réalisation"),
    "cleared_0": "aucun acheteur n'a vu son signalement levé",
    "cleared_1": "{n} acheteur a vu son signalement levé",
    "cleared_2": "{n} acheteurs ont vu leur signalement levé",
    "of_which_clear": " ({clear} sur {n} avec un écart net)",
    "change_sentence_still_1": (
        "{names} était déjà signalé pour affichage social sans réalisation l'année précédente "
        "et l'est encore en {year}."),
    "change_sentence_still": (
        "Signalés pour affichage social sans réalisation en {year} comme l'année précédente : "
        "{names}."),
    "change_sentence_none_still": (
        "Aucun acheteur n'est signalé pour affichage social sans réalisation à la fois en "
        "{year} et l'année précédente."),
    "official_heading": "## La série nationale officielle",
    "official_intro": (
        "Les parts nationales tracées plus haut, avec leur source, et les dates repères."),
    "glossary_heading": "## Glossaire",
    # ---- 06 hypotheses
    "hyp_title": "# Hypothèses de recherche déclarées à l'avance",
    "hyp_intro": (
        "Quatre questions posées aux mêmes données, chacune avec un modèle statistique fixé "
        "**avant** de voir les résultats (protocole pré-enregistré). Chaque résultat donne "
        "l'effet mesuré avec son intervalle de confiance à 95 %, la probabilité critique "
        "(p), le nombre d'observations et une conclusion en clair. Les marchés des années "
        "{years} sont regroupés, avec leur situation au {as_of}."),
    "hyp_demo": (
        "Ces résultats portent sur les **données de démonstration**, où des effets ont été "
        "placés volontairement pour H1 à H3 et aucun pour H4 : le graphique montre ces "
        "valeurs placées par des losanges vides, pour vérifier que la méthode les retrouve."),
    "prereg_heading": "## Le protocole est-il resté celui déclaré à l'avance ?",
    "prereg_unchanged": (
        "Protocole **inchangé** : son empreinte numérique (SHA-256) est celle enregistrée le "
        "{registered}. Les modèles ci-dessous sont exactement ceux déclarés avant l'analyse."),
    "prereg_amended": (
        "Protocole **modifié** depuis son enregistrement du {registered} : {n} modification(s) "
        "datée(s) et expliquée(s) dans le registre des modifications, la dernière le {last}. "
        "L'empreinte numérique actuelle est bien celle de la dernière modification."),
    "prereg_problem": (
        "**Attention : le protocole ne correspond pas à son enregistrement.** Les résultats "
        "ci-dessous ne peuvent pas être présentés comme pré-enregistrés tant que la "
        "modification n'est pas datée et expliquée. Détail : {problems}"),
    "results_heading": "## Les résultats en un coup d'œil",
    "results_intro": (
        "L'effet est présenté comme un rapport : rapport de cotes pour H1 à H3, rapport de "
        "moyennes pour H4. Un rapport de 1 signifie « pas de différence » ; un intervalle qui "
        "ne contient pas 1 indique une différence nette."),
    "forest_intro": (
        "Le même résultat en graphique, sur l'échelle logarithmique (0 = pas d'effet) : le "
        "point est l'effet estimé, le trait son intervalle à 95 %."),
    "h_heading": "## {id} — {question}",
    "h_not_run": "{id} n'a pas été demandée dans ce rapport.",
    "h1_method": (
        "Marchés qui déclarent une clause sociale avec des heures prévues, et au moins un mois "
        "écoulé à la date d'arrêté. On compare la probabilité d'atteindre au moins {ratio} des "
        "heures attendues entre travaux et services, à montant, durée et avancement égaux et "
        "**au sein d'un même acheteur** (les acheteurs diffèrent beaucoup dans leur suivi)."),
    "h2_method": (
        "Parcours terminés à la date d'arrêté, embauche directe ou passage par une structure "
        "d'insertion. On compare la part des sorties vers un emploi durable (une sortie "
        "inconnue compte comme non durable), à sexe, âge, diplôme, secteur et acheteur égaux."),
    "h3_method": (
        "Heures d'insertion réalisées par des personnes de sexe connu : on compare la part des "
        "heures faites par des femmes entre travaux et services."),
    "h4_method": (
        "Marchés avec des heures prévues et un montant : on compare le nombre d'heures "
        "prévues pour 1 000 € entre secteurs. Sur les données de démonstration aucun écart "
        "n'a été placé : le test ne devrait pas conclure à une différence."),
    "power_heading": "## Que peut-on repérer avec peu de marchés ?",
    "power_intro": (
        "Un acheteur n'est déclaré en dessous de l'objectif de {target} que si l'écart est "
        "significatif au seuil de {alpha}. Avec peu de marchés suivis, même un acheteur qui "
        "réalise bien moins que l'objectif passe souvent inaperçu. Le tableau donne la "
        "probabilité de le repérer (la *puissance* du test, calculée exactement avec la loi "
        "binomiale) selon le nombre de marchés suivis et sa part réelle de marchés réalisés. "
        "Par exemple, à {n} marchés, un acheteur dont la part réelle est de {share} n'est "
        "repéré que {times} fois sur 10 ({power}). En dessous de {smallest} marchés, même "
        "zéro marché réalisé ne suffit pas : le test ne peut rien conclure. Une absence de "
        "signalement chez un petit acheteur n'est donc pas une preuve de bonne réalisation."),
    "reading_heading": "## Comment lire ces résultats",
    "reading": (
        "Un intervalle qui exclut l'absence d'effet est un indice d'effet dans le sens "
        "indiqué ; un intervalle qui la contient ne prouve pas qu'il n'y a *pas* d'effet, "
        "seulement qu'aucun effet n'est détectable avec ces données. La fiabilité des "
        "intervalles a été vérifiée par simulation. Ce sont des associations observées, pas "
        "des relations de cause à effet : les marchés de travaux et de services diffèrent "
        "aussi par des aspects que le modèle ne voit pas (métiers, entreprises, suivi par le "
        "facilitateur)."),
}

#: Words shown for the codes of the research tables.
TERMS: dict[str, str] = {
    "newly_flagged": "Nouvellement signalé", "cleared": "Signalement levé",
    "changed": "Autre changement", "unchanged": "Inchangé",
    "absent": "Absent cette année-là",
    "clear": "écart net", "within noise": "dans le bruit", "not comparable": "non comparable",
    "declared": "part déclarée", "effective": "part réalisée",
    "supported": "Hypothèse confirmée", "opposite": "Effet contraire à l'hypothèse",
    "not_supported": "Hypothèse non confirmée", "not_estimable": "Non estimable",
    "services": "services", "works": "travaux", "supplies": "fournitures",
    "direct_hire": "embauche directe", "insertion_structure": "structure d'insertion",
}

#: Research terms explained at the end of the reports: (term, explanation).
GLOSSARY: dict[str, tuple[str, str]] = {
    "declared_share": ("Part déclarée", "Part des marchés évaluables qui déclarent une "
                       "considération sociale (clause, critère ou marché réservé)."),
    "effective_share": ("Part réalisée", "Part des marchés suivis par le facilitateur dont "
                        "la réalisation est vérifiée."),
    "interval": ("Intervalle de confiance à 95 %", "Fourchette qui contient la vraie valeur "
                 "95 fois sur 100 ; plus il y a de marchés, plus elle est étroite."),
    "newcombe": ("Variation d'une année sur l'autre", "Différence de deux parts, en points, "
                 "avec son intervalle à 95 % calculé par la méthode de Newcombe (1998)."),
    "clear": ("Écart net", "Variation dont l'intervalle à 95 % ne contient pas 0."),
    "noise": ("Dans le bruit", "Variation dont l'intervalle à 95 % contient 0 : le hasard "
              "suffit à l'expliquer."),
    "not_comparable": ("Non comparable", "L'acheteur n'a pas été jugé sur la réalisation "
                       "l'une des deux années."),
    "series_break": ("Rupture de série", "Changement de source nationale au 1er janvier "
                     "2024 : les parts d'avant et d'après ne se comparent pas."),
    "odds_ratio": ("Rapport de cotes", "Rapport des chances d'un événement entre deux "
                   "groupes ; 1 = pas de différence."),
    "p_value": ("Probabilité critique (p)", "Probabilité d'observer un écart au moins aussi "
                "grand s'il n'y avait aucun effet ; petite, elle indique un effet."),
    "power": ("Puissance", "Probabilité qu'un test repère un écart qui existe vraiment."),
    "prereg": ("Pré-enregistrement", "Protocole d'analyse daté et figé avant de voir les "
               "résultats, identifié par son empreinte numérique."),
}

#: Texts of the figures of the research reports, by figure.
FIGURE_TEXTS: dict[str, dict[str, str]] = {
    "trend": {
        "title": "Part des marchés avec une considération sociale : déclarée et réalisée",
        "xlabel": "Année de notification",
        "ylabel": "Part des marchés",
        "declared_label": "Part déclarée (intervalle à 95 %)",
        "effective_label": "Part réalisée (intervalle à 95 %)",
        "official_label": "Part nationale officielle (déclarée, marchés ≥ 90 000 € HT)",
        "target_label": "Objectif {target}",
        "series_break_label": "Rupture de série : nouvelle source nationale ({date})",
        "obligation_label": "Condition sociale obligatoire ({date})",
    },
    "buyers": {
        "title": "Part déclarée et part réalisée, acheteur par acheteur",
        "xlabel": "Année de notification",
        "ylabel": "Part des marchés",
        "declared_label": "Part déclarée",
        "effective_label": "Part réalisée",
        "target_label": "Objectif {target}",
        "series_break_label": "Rupture de série (2024)",
    },
    "changes": {
        "title": "Variation des parts d'une année sur l'autre (ensemble des acheteurs)",
        "xlabel": "Variation en points de pourcentage (intervalle à 95 %)",
        "declared_label": "Part déclarée",
        "effective_label": "Part réalisée",
        "zero_label": "Aucune variation",
    },
    "forest": {
        "title": "Hypothèses pré-enregistrées : effet estimé et intervalle à 95 %",
        "xlabel": "Effet (logarithme du rapport ; 0 = pas d'effet)",
        "not_estimable": "non estimable",
        "planted_label": "Valeur placée dans les données de démonstration",
        "estimate_label": "Effet estimé (intervalle à 95 %)",
        "label_format": "{id} : {label}",
    },
}
