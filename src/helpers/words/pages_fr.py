"""The French prose of the yearly report pages (notebooks 01-04): the French half of
:data:`helpers.texts.TEXTS`.

Paragraphs are keyed ``"<page>.<paragraph>"`` (``01`` data quality, ``02`` declared share, ``03``
insertion outcomes, ``04`` declared versus delivered, ``all`` shared by every page) and written in
Markdown; :func:`helpers.texts.text` fills their ``{fields}``. The English twin is
:mod:`helpers.words.pages_en`: both must have the same keys and the same fields
(``tests/test_report_html.py``).
"""

TEXTS: dict[str, str] = {
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
}
