"""The prose of the yearly report pages (notebooks 01-04), in French (default) and English.

A page's paragraphs cannot be Markdown cells, since a Markdown cell cannot follow the ``language``
run parameter: each paragraph is a small code cell, ``nb.say("02.whole_scope")``, that displays the
text of :data:`TEXTS` in the run's language. A paragraph is therefore written in one place per
language, keyed ``"<page>.<paragraph>"`` (``01`` data quality, ``02`` declared share, ``03``
insertion outcomes, ``04`` declared versus delivered, ``all`` shared by every page).

Texts are Markdown. ``{target}``, ``{ratio}``, ``{min_contracts}``, ``{alpha}``, ``{etp_hours}``,
``{min_cell_size}``, ``{year}`` and ``{as_of}`` are filled with the run's values in the language's
number and date formats (:func:`helpers.notebook.say`); other ``{fields}`` are given by the caller.
A test checks that both languages have the same keys and the same fields.

Wording: plain French for an elected official, no code names (statuses and verdicts by their labels
of :mod:`helpers.labels`), no file other than those published with the report.
"""

from __future__ import annotations

import string
from typing import Any

from . import fmt

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        # ---------------------------------------------------------------- shared by every page
        "all.small_cells": (
            "**Attention : seuil de secret statistique abaissé.** Les effectifs de personnes sont "
            "publiés à partir de {min_cell_size} personnes, en dessous du seuil habituel de 11 "
            "personnes. Ce rapport ne doit pas être diffusé sans cette mention."),
        "all.glossary": (
            "## Glossaire\n\nLes statuts des marchés et les conclusions par acheteur, avec la "
            "règle qui les attribue (objectif {target}, seuil de réalisation {ratio}, au moins "
            "{min_contracts} marchés)."),
        "all.none": "Aucun.",
        # ---------------------------------------------------------------- 01 data quality
        "01.title": "# Qualité des données {year}",
        "01.intro": (
            "Ce qui a été lu, ce qui a été dédoublonné ou écarté, et dans quelle mesure les "
            "données du facilitateur des clauses sociales couvrent les marchés. À lire en premier : "
            "chaque résultat des autres pages ne vaut que par la couverture montrée ici."),
        "01.files": (
            "## Fichiers lus\n\nChaque fichier du dossier de données, avec son format et le "
            "nombre de lignes (ou d'enregistrements JSON) lues. Les marchés peuvent venir des "
            "données essentielles de la commande publique (DECP) au format JSON, du fichier "
            "tabulaire de decp.info ou du fichier plat du ministère : tous sont ramenés à la même "
            "table."),
        "01.dedup": (
            "## Doublons et lignes écartées\n\nUn marché est identifié par le SIRET de l'acheteur "
            "et son numéro dans les DECP. Un même marché est souvent publié plusieurs fois "
            "(republication, modifications) : une seule ligne est gardée, la dernière publiée, avec "
            "les montants et durées mis à jour par ses modifications ; les autres sont comptées "
            "comme doublons.\n\nLes lignes « périmètre » suivent les marchés jusqu'à ceux qui sont "
            "étudiés : notifiés dans l'année, passés par les acheteurs retenus et, par défaut, d'un "
            "montant au moins égal au seuil européen applicable à l'acheteur et au type de marché."),
        "01.rejected": (
            "Par défaut, une ligne invalide arrête le traitement avec un message qui désigne le "
            "fichier, les lignes et la colonne en cause. Sur demande, les lignes invalides peuvent "
            "être mises de côté : elles sont alors comptées ci-dessous par motif, publiées avec "
            "leur motif dans le dossier du rapport, et les résultats ne portent que sur les lignes "
            "restantes."),
        "01.no_rejected": "Aucune ligne n'a été mise de côté.",
        "01.warnings": (
            "## Valeurs à vérifier\n\nDes valeurs admissibles mais inhabituelles (par exemple un "
            "montant très élevé ou un nombre d'heures très grand pour une seule personne) sont "
            "gardées et listées ici, pour être vérifiées à la source. Les messages sont ceux des "
            "contrôles automatiques, rédigés en anglais."),
        "01.no_warnings": "Aucune valeur à vérifier.",
        "01.coverage": (
            "## Couverture par acheteur\n\nPour chaque acheteur : les marchés notifiés dans "
            "l'année, combien ont une ligne dans le fichier des clauses (heures d'insertion "
            "prévues), combien ont des heures réalisées enregistrées, combien entrent dans le "
            "périmètre étudié et combien de ceux-ci sont **suivis** par le facilitateur. Un "
            "acheteur est suivi quand les fichiers du facilitateur contiennent au moins une ligne "
            "pour lui, ou quand la liste des acheteurs donne la date à partir de laquelle ses "
            "données sont complètes ; seule la réalisation des marchés suivis est jugée.\n\n"
            "**Précaution :** chez un acheteur suivi, un marché sans heures enregistrées compte "
            "comme *aucune heure réalisée*. Un facilitateur qui ne suit qu'une partie des marchés "
            "d'un acheteur doit indiquer à partir de quand son suivi est complet avant toute "
            "publication d'une conclusion."),
        # ---------------------------------------------------------------- 02 declared share
        "02.title": "# Part déclarée des marchés avec une considération sociale, {year}",
        "02.intro": (
            "Ce que les acheteurs **déclarent** dans les données essentielles de la commande "
            "publique : la part des marchés notifiés dans l'année qui portent au moins une "
            "considération sociale (clause sociale, critère social ou marché réservé), comparée à "
            "l'objectif de {target} du plan national pour des achats durables (PNAD 2022-2025). "
            "C'est le chiffre des statistiques nationales. Ce n'est qu'une déclaration : la page "
            "« Déclaré et réalisé » la confronte à ce qui a été réalisé."),
        "02.whole_scope": (
            "## Ensemble des acheteurs étudiés\n\nLes parts sont calculées sur les marchés "
            "**évaluables** : ceux du périmètre, sauf ceux notifiés moins d'un mois avant la date "
            "d'arrêté ({as_of}). La part déclarée ne dépend pas des données du facilitateur : elle "
            "est donnée pour chaque acheteur, y compris ceux dont la réalisation ne peut pas être "
            "jugée. Les intervalles sont des intervalles de confiance à 95 % (méthode de Wilson) ; "
            "la part en montant pondère chaque marché par son montant hors taxes."),
        "02.whole_scope_result": (
            "**{n}** marchés évaluables en {year}. Part déclarée : **{share}** (intervalle à "
            "95 % {ci}) ; en montant : **{share_amount}**. Objectif de {target} **{reached}** sur "
            "le papier."),
        "02.reached": "atteint",
        "02.not_reached": "non atteint",
        "02.by_consideration": (
            "## Par type de considération sociale\n\nUn marché peut déclarer plusieurs "
            "considérations : les lignes ne s'additionnent pas. Un critère social d'attribution "
            "n'engage le titulaire à rien de mesurable : il compte comme déclaré mais ne peut "
            "jamais être vérifié. La dernière colonne donne, parmi les marchés suivis par le "
            "facilitateur qui déclarent cette considération, la part dont la réalisation est "
            "vérifiée."),
        "02.by_buyer": (
            "## Par acheteur\n\nLes plus gros acheteurs (en nombre de marchés évaluables) sont "
            "montrés ; le tableau complet est dans le tableur des acheteurs joint au rapport. Avec "
            "peu de marchés, les intervalles sont larges : en dessous de {min_contracts} marchés "
            "évaluables, aucune conclusion n'est tirée pour un acheteur."),
        "02.context": (
            "## Contexte national\n\nParts nationales officielles des marchés avec au moins une "
            "considération sociale. Jusqu'en 2023 elles viennent du recensement de l'Observatoire "
            "économique de la commande publique (marchés d'au moins 90 000 € HT) ; à partir de "
            "2024, des DECP (marchés d'au moins 40 000 € HT). C'est une **rupture de série** : les "
            "deux ne sont pas directement comparables, ni l'une ni l'autre avec le périmètre "
            "étudié ici (par défaut, les marchés au-dessus des seuils européens, où les clauses "
            "sont plus fréquentes)."),
        # ---------------------------------------------------------------- 03 insertion outcomes
        "03.title": "# Résultats de l'insertion, {year}",
        "03.intro": (
            "Ce que les clauses ont produit pendant l'année civile : les heures travaillées par "
            "des personnes éloignées de l'emploi, qui étaient ces personnes, ce qu'elles sont "
            "devenues, et les achats auprès des structures d'insertion et de l'économie sociale. "
            "Ces indicateurs d'activité portent sur **tous les marchés des acheteurs retenus** en "
            "cours d'exécution dans l'année, pas seulement ceux notifiés dans l'année : c'est ce "
            "que le bilan annuel rapporte.\n\n**Secret statistique :** les chiffres sont agrégés. "
            "Un effectif de moins de {min_cell_size} personnes n'est jamais publié, et une part "
            "seulement quand elle et son complément atteignent ce nombre ; ces valeurs sont "
            "marquées « non publié »."),
        "03.hours": (
            "## Heures, personnes, équivalents temps plein\n\nLes heures travaillées dans l'année "
            "(une période à cheval sur deux années compte au prorata de ses jours), comparées aux "
            "heures prévues par les clauses des marchés notifiés dans l'année et aux heures "
            "attendues dans l'année (heures prévues au prorata de la durée écoulée). Le taux de "
            "réalisation rapporte les heures des marchés à clause aux heures attendues. Un "
            "équivalent temps plein compte {etp_hours} heures."),
        "03.profile": (
            "## Qui a été recruté\n\nParts des personnes distinctes de l'année. Les catégories de "
            "publics viennent des fichiers du facilitateur (une personne peut relever de "
            "plusieurs)."),
        "03.exits": (
            "## Ce que sont devenues les personnes\n\nSorties des parcours terminés dans l'année, "
            "selon les définitions de l'insertion par l'activité économique : *emploi durable* "
            "(CDI, CDD ou intérim de six mois ou plus, création d'entreprise), *emploi de "
            "transition* (contrats plus courts, contrats aidés), *formation qualifiante* ; "
            "ensemble, les *sorties dynamiques*. Les sorties inconnues sont montrées, pas "
            "cachées : une forte part d'inconnues affaiblit tous les autres chiffres de cette "
            "partie."),
        "03.missions_ended": "Parcours terminés dans l'année : **{n}**.",
        "03.concentration": (
            "## Concentration\n\nQuelques gros marchés (souvent de travaux, ou un marché "
            "exceptionnel) peuvent porter l'essentiel des heures ; le total dit alors peu de chose "
            "de la pratique de l'acheteur. La part des cinq plus gros marchés et le coefficient de "
            "Gini (0 : autant d'heures sur chaque marché, 1 : toutes les heures sur un seul) sur "
            "les marchés avec des heures la mesurent."),
        "03.reserved": (
            "## Marchés réservés et achats auprès des structures d'insertion et de l'économie "
            "sociale\n\nUn marché réservé est *vérifié* quand au moins un de ses titulaires figure "
            "au registre des structures d'insertion et du handicap (SIAE, GEIQ, EA, EATT, ESAT). "
            "Les achats comptent les marchés notifiés dans l'année dont au moins un titulaire "
            "figure au registre (pour un accord-cadre, le montant est un plafond, pas une "
            "dépense)."),
        "03.by_buyer": (
            "## Par acheteur\n\nIndicateurs d'activité par acheteur, les plus grands volumes "
            "d'heures d'abord (20 au plus ; les effectifs de moins de {min_cell_size} personnes ne "
            "sont pas publiés)."),
        # ---------------------------------------------------------------- 04 declared vs delivered
        "04.title": "# Déclaré et réalisé, {year} : les clauses sociales sont-elles tenues ?",
        "04.intro": (
            "L'objectif de {target} est-il atteint dans les faits, ou seulement sur le papier ? La "
            "réalisation ne peut être jugée que là où le facilitateur des clauses sociales a des "
            "données : un acheteur est **suivi** quand ses fichiers contiennent une ligne pour lui "
            "(ou quand la date de début de son suivi est connue), et un marché quand son acheteur "
            "est suivi et qu'il a été notifié après cette date.\n\nChaque marché du périmètre "
            "reçoit un **statut** à la date d'arrêté ({as_of}), le premier qui s'applique (voir "
            "le glossaire en fin de page). Un marché dont la réalisation est vérifiée, ou réalisé "
            "sans avoir été déclaré, compte comme **réalisé** ; une clause est réalisée quand au "
            "moins {ratio} des heures attendues à la date d'arrêté ont été travaillées.\n\n"
            "Parmi les marchés suivis, un acheteur dont la part déclarée atteint l'objectif mais "
            "dont la part réalisée est nettement en dessous reçoit la conclusion « {washing} » ; "
            "quand l'écart peut encore relever du hasard, « {possible} ». Avec trop peu de marchés "
            "suivis, la conclusion est « {not_measured} » : rien n'est conclu sur ce qui a été "
            "réalisé."),
        "04.whole_scope": (
            "## Ensemble des acheteurs étudiés\n\nToutes les parts ci-dessous portent sur les "
            "marchés **suivis** par le facilitateur. L'écart est la part déclarée moins la part "
            "réalisée, en points, avec son intervalle de confiance à 95 % ; le test de McNemar "
            "vérifie si les marchés déclarés mais non réalisés l'emportent sur les marchés "
            "réalisés sans déclaration au-delà du hasard. Un écart est *significatif* quand la "
            "part réalisée est sous l'objectif selon un test binomial exact au risque {alpha} "
            "(pour les acheteurs, après correction de Benjamini-Hochberg pour la comparaison de "
            "plusieurs acheteurs). La borne haute compte chaque critère social invérifiable comme "
            "tenu."),
        "04.whole_verdict": "**Conclusion pour l'ensemble : {verdict}.** {sentence}",
        "04.whole_details": (
            "Sur {covered} marchés suivis ({assessable} évaluables) : déclaré {declared}, réalisé "
            "{effective} (intervalle à 95 % {ci} ; au plus {upper} si chaque critère social était "
            "tenu). {unsub} des marchés déclarés sont sans réalisation vérifiée. Écart : "
            "**{gap}** (intervalle à 95 % de {gap_low} à {gap_high}), test de McNemar {mcnemar} ; "
            "{dne} marchés déclarés mais non réalisés, {end} réalisés sans avoir été déclarés."),
        "04.status": (
            "## Statut des marchés du périmètre\n\nNombre de marchés par statut à la date "
            "d'arrêté ; la règle de chaque statut est dans le glossaire en fin de page."),
        "04.funnel": (
            "## De la déclaration à la réalisation\n\nParmi les marchés évaluables suivis qui "
            "déclarent une considération sociale : combien sont **suivis de près** (heures prévues "
            "dans le fichier des clauses, heures enregistrées, ou titulaire reconnu d'un marché "
            "réservé : quelqu'un les suit) et combien sont **réalisés** (réalisation vérifiée). "
            "La baisse d'une barre à l'autre montre où les déclarations perdent leur substance."),
        "04.by_buyer": (
            "## Déclaré et réalisé, par acheteur\n\nPour chaque acheteur ayant des marchés suivis "
            "par le facilitateur : la part déclarée et la part réalisée **parmi ces marchés "
            "suivis**, avec leurs intervalles de confiance à 95 % (méthode de Wilson) ; la ligne "
            "en tirets est l'objectif. Un acheteur dont le point bleu est à droite de la ligne et "
            "le point orange à gauche déclare assez mais réalise trop peu. Avec peu de marchés, "
            "les intervalles sont larges : à lire avec prudence."),
        "04.verdicts": (
            "## Conclusions par acheteur\n\nLes acheteurs signalés d'abord, puis par nombre de "
            "marchés évaluables. Pour chacun, la raison de la conclusion en une phrase, en nombre "
            "de marchés et en montant, et le degré de certitude. Une conclusion n'est tirée "
            "qu'avec au moins {min_contracts} marchés évaluables, et {min_contracts} marchés "
            "suivis pour juger la réalisation. Le tableau complet est dans le tableur des "
            "acheteurs joint au rapport."),
        "04.verdict_table": (
            "Les mêmes acheteurs en chiffres : parts en pourcentage, écart en points ; la valeur q "
            "est la probabilité d'erreur corrigée pour la comparaison de plusieurs acheteurs "
            "(méthode de Benjamini-Hochberg)."),
        "04.more_buyers": "… et {n} autres acheteurs dans le tableur joint au rapport.",
        "04.flags": (
            "## Les marchés derrière les signalements\n\nLes marchés déclarés mais non réalisés "
            "des acheteurs signalés (écart significatif ou à confirmer), les plus gros montants "
            "d'abord. Les heures sont celles de la date d'arrêté. La liste complète, avec chaque "
            "marché du périmètre et son statut, est dans le tableur des marchés joint au rapport."),
        "04.no_flags": "Aucun marché n'est à l'origine d'un signalement dans ce périmètre.",
        "04.flags_count_all": (
            "{total} marchés déclarés mais non réalisés chez les acheteurs signalés ; tous sont "
            "montrés."),
        "04.flags_count_some": (
            "{total} marchés déclarés mais non réalisés chez les acheteurs signalés ; les {shown} "
            "plus gros sont montrés."),
        "04.no_facilitator": (
            "**Rien n'est conclu sur la réalisation :** le dossier de données ne contient aucune "
            "donnée du facilitateur (ni fichier des clauses, ni fichier des heures réalisées). "
            "Seule la part déclarée est donnée, et chaque acheteur d'au moins {min_contracts} "
            "marchés évaluables reçoit la conclusion « {not_measured} »."),
        "04.one_not_measured": (
            "**Un acheteur dont la réalisation n'est pas mesurée :** moins de {min_contracts} de "
            "ses marchés évaluables sont suivis par le facilitateur (aucune ligne pour l'acheteur, "
            "ou marchés notifiés avant le début de son suivi). Sa part déclarée est donnée ; rien "
            "n'est conclu sur ce qu'il a réalisé."),
        "04.some_not_measured": (
            "**{n} acheteurs dont la réalisation n'est pas mesurée :** moins de {min_contracts} "
            "de leurs marchés évaluables sont suivis par le facilitateur (aucune ligne pour "
            "l'acheteur, ou marchés notifiés avant le début de son suivi). Leur part déclarée est "
            "donnée ; rien n'est conclu sur ce qu'ils ont réalisé."),
        "04.sensitivity": (
            "## Le seuil de réalisation change-t-il les conclusions ?\n\n"
            "Une clause compte comme réalisée quand les heures réalisées atteignent {ratio} des "
            "heures attendues à la date d'arrêté. Ce seuil est une convention, pas une mesure : le "
            "tableau et la figure refont le calcul avec des seuils de 50 % à 100 %, sur les mêmes "
            "marchés. Si la conclusion d'un acheteur change d'un seuil à l'autre, elle dépend de "
            "cette convention et doit être présentée avec prudence."),
        "04.sensitivity_changed": "Acheteurs dont la conclusion dépend du seuil : {names}.",
        "04.sensitivity_stable": "Aucune conclusion d'acheteur ne change entre 50 % et 100 %.",
        "04.power": (
            "## Que peut établir le test ?\n\n"
            "Les intervalles et le test traitent les marchés d'une année comme des tirages d'une "
            "propension de l'acheteur à réaliser ses clauses, les marchés étant supposés "
            "indépendants (ce qui est discutable pour les lots d'une même procédure). Avec peu de "
            "marchés suivis, le test ne peut presque rien établir : le tableau donne la probabilité "
            "qu'un acheteur soit déclaré en « {washing} » (écart significatif au seuil de "
            "{alpha}) selon le nombre de ses marchés suivis et sa part réellement réalisée. "
            "{example}"),
        "04.power_example": (
            "Par exemple, à {n} marchés suivis, un acheteur dont la part réalisée est de {share} "
            "n'est repéré que {power} des fois."),
        "04.too_small": (
            "Acheteurs trop petits pour que le test puisse conclure à un écart (au moins "
            "{min_n} marchés suivis sont nécessaires) : {names}."),
        "04.caveats": (
            "## Précautions\n\n"
            "- La réalisation est mesurée à partir des heures enregistrées par le facilitateur, "
            "seulement pour les acheteurs et les dates qu'il suit : on suppose qu'il suit tous les "
            "marchés d'un acheteur suivi à partir de cette date.\n"
            "- Les heures attendues supposent une exécution régulière de la clause sur toute la "
            "durée du marché.\n"
            "- Un critère social seul (« {unverifiable} ») ne compte jamais comme réalisé : rien "
            "de mesurable n'est promis.\n"
            "- Le montant d'un accord-cadre est un plafond, ce qui pèse sur les parts en montant.\n"
            "- À partir de 2024, les déclarations viennent des DECP (marchés d'au moins "
            "40 000 € HT) : rupture de série avec les chiffres officiels antérieurs."),
    },
    "en": {
        "all.small_cells": (
            "**Warning: statistical secrecy threshold lowered.** Counts of people are published "
            "from {min_cell_size} people, below the usual threshold of 11 people. This report "
            "must not be circulated without this warning."),
        "all.glossary": (
            "## Glossary\n\nThe statuses of contracts and the conclusions per buyer, with the rule "
            "that gives them (target {target}, delivery threshold {ratio}, at least "
            "{min_contracts} contracts)."),
        "all.none": "None.",
        "01.title": "# Data quality {year}",
        "01.intro": (
            "What was read, what was de-duplicated or set aside, and how well the social clause "
            "facilitator's data covers the contracts. Read this first: every result of the other "
            "pages is only as good as the coverage shown here."),
        "01.files": (
            "## Files read\n\nEvery file of the data folder, with its format and the number of "
            "rows (or JSON records) read. Contracts may come from the French open procurement "
            "data (DECP) in JSON, from the decp.info tabular file or from the Ministry's flat "
            "file: all are brought to the same table."),
        "01.dedup": (
            "## Duplicates and rows set aside\n\nA contract is identified by its buyer's SIRET and "
            "its DECP number. The same contract is often published several times (republication, "
            "modifications): a single row is kept, the latest published, with amounts and "
            "durations updated by its modifications; the others are counted as duplicates.\n\n"
            "The \"scope\" lines follow the contracts down to those studied: notified in the year, "
            "awarded by the selected buyers and, by default, with an amount at least the European "
            "threshold for the buyer and the kind of contract."),
        "01.rejected": (
            "By default, an invalid row stops the processing with a message naming the file, the "
            "rows and the column at fault. On request, invalid rows can be set aside: they are "
            "then counted below by reason, published with their reason in the report folder, and "
            "the results only cover the remaining rows."),
        "01.no_rejected": "No row was set aside.",
        "01.warnings": (
            "## Values to check\n\nValues that are admissible but unusual (for example a very "
            "large amount or very many hours for one person) are kept and listed here, to be "
            "checked at the source."),
        "01.no_warnings": "No value to check.",
        "01.coverage": (
            "## Coverage per buyer\n\nFor each buyer: the contracts notified in the year, how many "
            "have a row in the clauses file (planned insertion hours), how many have delivered "
            "hours recorded, how many are in the scope studied and how many of those are "
            "**followed** by the facilitator. A buyer is followed when the facilitator's files "
            "hold at least one row for it, or when the list of buyers gives the date from which "
            "its data is complete; only the delivery of followed contracts is judged.\n\n"
            "**Caveat:** within a followed buyer, a contract without recorded hours counts as *no "
            "hour delivered*. A facilitator that follows only part of a buyer's contracts must "
            "state from when its follow-up is complete before any conclusion is published."),
        "02.title": "# Declared share of contracts with a social consideration, {year}",
        "02.intro": (
            "What buyers **declare** in the French open procurement data: the share of contracts "
            "notified in the year that carry at least one social consideration (social clause, "
            "social criterion or reserved contract), against the {target} target of the national "
            "plan for sustainable procurement (PNAD 2022-2025). This is the figure of national "
            "statistics. It is only a declaration: the page \"Declared and delivered\" checks it "
            "against what was delivered."),
        "02.whole_scope": (
            "## All buyers studied\n\nShares are computed over the **assessable** contracts: those "
            "in scope, except those notified less than one month before the cut-off date "
            "({as_of}). The declared share does not depend on the facilitator's data: it is given "
            "for every buyer, including those whose delivery cannot be judged. Intervals are 95% "
            "confidence intervals (Wilson method); the share by amount weighs each contract by its "
            "amount excluding VAT."),
        "02.whole_scope_result": (
            "**{n}** assessable contracts in {year}. Declared share: **{share}** (95% interval "
            "{ci}); by amount: **{share_amount}**. Target of {target} **{reached}** on paper."),
        "02.reached": "met",
        "02.not_reached": "not met",
        "02.by_consideration": (
            "## By kind of social consideration\n\nA contract may declare several considerations: "
            "the rows do not add up. A social award criterion commits the holder to nothing "
            "measurable: it counts as declared but can never be verified. The last column gives, "
            "among the contracts followed by the facilitator that declare this consideration, the "
            "share whose delivery is verified."),
        "02.by_buyer": (
            "## By buyer\n\nThe largest buyers (by number of assessable contracts) are shown; the "
            "complete table is in the buyers spreadsheet attached to the report. With few "
            "contracts, intervals are wide: below {min_contracts} assessable contracts, no "
            "conclusion is drawn for a buyer."),
        "02.context": (
            "## National context\n\nOfficial national shares of contracts with at least one social "
            "consideration. Until 2023 they come from the census of the public procurement "
            "economic observatory (contracts of at least €90,000 excl. VAT); from 2024, from the "
            "DECP (contracts of at least €40,000 excl. VAT). This is a **series break**: the two "
            "are not directly comparable, and neither is directly comparable with the scope "
            "studied here (by default, contracts above the European thresholds, where clauses are "
            "more frequent)."),
        "03.title": "# Insertion outcomes, {year}",
        "03.intro": (
            "What the clauses produced during the calendar year: hours worked by people far from "
            "employment, who they were, what became of them, and the spend with insertion and "
            "social-economy structures. These activity indicators cover **all contracts of the "
            "selected buyers** running in the year, not only those notified in it: this is what "
            "the yearly review reports.\n\n**Statistical secrecy:** figures are aggregates. A "
            "count of fewer than {min_cell_size} people is never published, and a share only when "
            "it and its complement both reach that number; such values read \"not published\"."),
        "03.hours": (
            "## Hours, people, full-time equivalents\n\nHours worked in the year (a period "
            "straddling two years counts pro rata of its days), against the hours planned by the "
            "clauses of contracts notified in the year and the hours due in the year (planned "
            "hours pro rata of the elapsed duration). The achievement rate compares the hours on "
            "clause contracts with the hours due. One full-time equivalent counts {etp_hours} "
            "hours."),
        "03.profile": (
            "## Who was hired\n\nShares of the distinct people of the year. Public categories come "
            "from the facilitator's files (a person may belong to several)."),
        "03.exits": (
            "## What became of them\n\nExits of the pathways ended in the year, with the "
            "definitions of insertion through economic activity: *lasting job* (permanent "
            "contract, fixed-term or temporary work of six months or more, business creation), "
            "*transition job* (shorter contracts, subsidised contracts), *qualifying training*; "
            "together the *positive exits*. Unknown exits are shown, not hidden: a high share of "
            "unknown exits weakens every other figure of this part."),
        "03.missions_ended": "Pathways ended in the year: **{n}**.",
        "03.concentration": (
            "## Concentration\n\nA few large contracts (often works, or one exceptional contract) "
            "can carry most of the hours; the total then says little about the buyer's practice. "
            "The share of the five largest contracts and the Gini coefficient (0: as many hours "
            "on every contract, 1: all hours on one) over the contracts with hours measure it."),
        "03.reserved": (
            "## Reserved contracts and spend with insertion and social-economy structures\n\n"
            "A reserved contract is *verified* when at least one of its holders is in the "
            "registry of insertion and disability structures (SIAE, GEIQ, EA, EATT, ESAT). Spend "
            "counts the contracts notified in the year with at least one holder in the registry "
            "(for a framework agreement, the amount is a ceiling, not money spent)."),
        "03.by_buyer": (
            "## By buyer\n\nActivity indicators per buyer, most hours first (20 at most; counts "
            "of fewer than {min_cell_size} people are not published)."),
        "04.title": "# Declared and delivered, {year}: are social clauses kept?",
        "04.intro": (
            "Is the {target} target met in reality, or only on paper? Delivery can only be judged "
            "where the social clause facilitator has data: a buyer is **followed** when its files "
            "hold a row for it (or when the date its follow-up began is known), and a contract "
            "when its buyer is followed and it was notified after that date.\n\nEach contract in "
            "scope gets a **status** at the cut-off date ({as_of}), the first that applies (see "
            "the glossary at the end of the page). A contract with verified delivery, or "
            "delivered without being declared, counts as **delivered**; a clause is delivered "
            "when at least {ratio} of the hours due at the cut-off date were worked.\n\n"
            "Among the followed contracts, a buyer whose declared share meets the target while "
            "its delivered share is clearly below it gets the conclusion \"{washing}\"; when the "
            "gap may still be due to chance, \"{possible}\". With too few followed contracts, the "
            "conclusion is \"{not_measured}\": nothing is concluded about what was delivered."),
        "04.whole_scope": (
            "## All buyers studied\n\nAll shares below are over the contracts **followed** by the "
            "facilitator. The gap is the declared share minus the delivered share, in points, "
            "with its 95% confidence interval; McNemar's test checks whether contracts declared "
            "but not delivered outnumber those delivered without a declaration beyond chance. A "
            "gap is *significant* when the delivered share is below the target by an exact "
            "binomial test at risk {alpha} (for buyers, after the Benjamini-Hochberg correction "
            "for comparing several buyers). The upper bound counts every unverifiable social "
            "criterion as kept."),
        "04.whole_verdict": "**Conclusion for all buyers: {verdict}.** {sentence}",
        "04.whole_details": (
            "Over {covered} followed contracts ({assessable} assessable): declared {declared}, "
            "delivered {effective} (95% interval {ci}; at most {upper} if every social criterion "
            "were kept). {unsub} of the declared contracts have no verified delivery. Gap: "
            "**{gap}** (95% interval from {gap_low} to {gap_high}), McNemar's test {mcnemar}; "
            "{dne} contracts declared but not delivered, {end} delivered without being declared."),
        "04.status": (
            "## Status of the contracts in scope\n\nNumber of contracts per status at the cut-off "
            "date; the rule of each status is in the glossary at the end of the page."),
        "04.funnel": (
            "## From declaration to delivery\n\nAmong the followed assessable contracts that "
            "declare a social consideration: how many are **tracked** (planned hours in the "
            "clauses file, recorded hours, or a recognised holder of a reserved contract: someone "
            "tracks them) and how many are **delivered** (verified delivery). The drop from one "
            "bar to the next shows where declarations lose their substance."),
        "04.by_buyer": (
            "## Declared and delivered, by buyer\n\nFor each buyer with contracts followed by the "
            "facilitator: the declared share and the delivered share **among these followed "
            "contracts**, with their 95% confidence intervals (Wilson method); the dashed line is "
            "the target. A buyer whose blue dot is right of the line and orange dot left of it "
            "declares enough but delivers too little. With few contracts, intervals are wide: "
            "read them with care."),
        "04.verdicts": (
            "## Conclusions per buyer\n\nFlagged buyers first, then by number of assessable "
            "contracts. For each, the reason for the conclusion in one sentence, by number of "
            "contracts and by amount, and how sure it is. A conclusion is only drawn with at "
            "least {min_contracts} assessable contracts, and {min_contracts} followed contracts "
            "to judge delivery. The complete table is in the buyers spreadsheet attached to the "
            "report."),
        "04.verdict_table": (
            "The same buyers in figures: shares in percent, gap in points; the q-value is the "
            "error probability corrected for comparing several buyers (Benjamini-Hochberg "
            "method)."),
        "04.more_buyers": "… and {n} more buyers in the spreadsheet attached to the report.",
        "04.flags": (
            "## The contracts behind the flags\n\nThe contracts declared but not delivered of the "
            "flagged buyers (significant gap or to be confirmed), largest amounts first. Hours are "
            "those of the cut-off date. The complete list, with every contract in scope and its "
            "status, is in the contracts spreadsheet attached to the report."),
        "04.no_flags": "No contract is behind a flag in this scope.",
        "04.flags_count_all": (
            "{total} contracts declared but not delivered at flagged buyers; all are shown."),
        "04.flags_count_some": (
            "{total} contracts declared but not delivered at flagged buyers; the {shown} largest "
            "are shown."),
        "04.no_facilitator": (
            "**Nothing is concluded about delivery:** the data folder holds no facilitator data "
            "(neither a clauses file nor a file of delivered hours). Only the declared share is "
            "given, and every buyer with at least {min_contracts} assessable contracts gets the "
            "conclusion \"{not_measured}\"."),
        "04.one_not_measured": (
            "**One buyer whose delivery is not measured:** fewer than {min_contracts} of its "
            "assessable contracts are followed by the facilitator (no row for the buyer, or "
            "contracts notified before its follow-up began). Its declared share is given; nothing "
            "is concluded about what it delivered."),
        "04.some_not_measured": (
            "**{n} buyers whose delivery is not measured:** fewer than {min_contracts} of their "
            "assessable contracts are followed by the facilitator (no row for the buyer, or "
            "contracts notified before its follow-up began). Their declared share is given; "
            "nothing is concluded about what they delivered."),
        "04.sensitivity": (
            "## Does the delivery threshold change the verdicts?\n\n"
            "A clause counts as delivered when the realized hours reach {ratio} of the hours "
            "expected at the cut-off date. This threshold is a convention, not a measurement: the "
            "table and the figure redo the calculation with thresholds from 50 % to 100 %, on the "
            "same contracts. When a buyer's verdict changes from one threshold to another, it "
            "depends on that convention and must be presented with care."),
        "04.sensitivity_changed": "Buyers whose verdict depends on the threshold: {names}.",
        "04.sensitivity_stable": "No buyer's verdict changes between 50 % and 100 %.",
        "04.power": (
            "## What can the test establish?\n\n"
            "The intervals and the test treat a year's contracts as draws from the buyer's "
            "propensity to deliver its clauses, the contracts being assumed independent "
            "(questionable for the lots of one procedure). With few followed contracts the test can "
            "establish almost nothing: the table gives the probability that a buyer is found "
            "\u201c{washing}\u201d (a gap significant at {alpha}) by its number of followed "
            "contracts and its truly delivered share. {example}"),
        "04.power_example": (
            "For instance, with {n} followed contracts, a buyer whose delivered share is {share} is "
            "caught only {power} of the time."),
        "04.too_small": (
            "Buyers too small for the test to find a gap (at least {min_n} followed contracts are "
            "needed): {names}."),
        "04.caveats": (
            "## Caveats\n\n"
            "- Delivery is measured from the hours recorded by the facilitator, only for the "
            "buyers and dates it follows: it is assumed to follow every contract of a followed "
            "buyer from that date.\n"
            "- Hours due assume the clause is executed evenly over the contract's duration.\n"
            "- A social criterion alone (\"{unverifiable}\") never counts as delivered: nothing "
            "measurable is promised.\n"
            "- A framework agreement's amount is a ceiling, which weighs on the shares by amount.\n"
            "- From 2024, declarations come from the DECP (contracts of at least €40,000 excl. "
            "VAT): a series break with earlier official figures."),
    },
}


def fields(text: str) -> set[str]:
    """The ``{fields}`` a text expects."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def text(key: str, lang: str = "fr", **values: Any) -> str:
    """The paragraph ``key`` in ``lang``, its ``{fields}`` filled from ``values`` (all must be
    given; extra values are ignored). An unknown key raises ``KeyError`` naming it."""
    table = TEXTS[fmt.check_lang(lang)]
    if key not in table:
        raise KeyError(f"no {lang} text {key!r}: add it to helpers.texts.TEXTS")
    raw = table[key]
    missing = fields(raw) - set(values)
    if missing:
        raise KeyError(f"text {key!r} needs {', '.join(sorted(missing))}")
    return raw.format(**{k: values[k] for k in fields(raw)})
