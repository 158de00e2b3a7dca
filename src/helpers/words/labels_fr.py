"""The French labels of the reports: the French half of every table of :mod:`helpers.labels`.

One plain dictionary per kind of code, code → words. :mod:`helpers.labels` pairs each with its
English twin of :mod:`helpers.words.labels_en` (``labels.STATUS`` is
``{"fr": labels_fr.STATUS, "en": labels_en.STATUS}``) and looks codes up there; callers use
:mod:`helpers.labels`, never this module. The rules of statuses and verdicts hold ``{target}``,
``{ratio}``, ``{min_contracts}`` and ``{alpha}`` (filled by :func:`helpers.labels.rule`); other
``{fields}`` are filled by the caller. Both languages must have the same codes and the same fields
(``tests/test_labels.py``).
"""

#: Contract statuses.
STATUS: dict[str, str] = {
    "NOT_DUE": "Trop récent pour être jugé",
    "NOT_COVERED": "Hors suivi du facilitateur",
    "VERIFIED": "Réalisation vérifiée",
    "SHORTFALL": "Réalisation insuffisante",
    "NO_EVIDENCE": "Aucune preuve de réalisation",
    "UNVERIFIABLE": "Invérifiable (critère social seul)",
    "UNDECLARED_DELIVERY": "Réalisé sans avoir été déclaré",
    "NOT_DECLARED": "Aucune considération sociale déclarée",
}

#: The rule of each status, in one sentence (glossary).
STATUS_RULES: dict[str, str] = {
    "NOT_DUE": "Marché notifié moins d'un mois avant la date d'arrêté : trop tôt pour juger.",
    "NOT_COVERED": "Le facilitateur de l'acheteur ne suit pas ce marché (pas de données, ou "
                   "marché notifié avant le début de son suivi) : la réalisation ne peut pas "
                   "être jugée.",
    "VERIFIED": "Considération sociale déclarée et prouvée : heures d'insertion réalisées à "
                "au moins {ratio} des heures attendues, ou marché réservé attribué à une "
                "structure d'insertion ou du handicap reconnue.",
    "SHORTFALL": "Clause sociale déclarée avec des heures réalisées, mais moins de {ratio} des "
                 "heures attendues à la date d'arrêté.",
    "NO_EVIDENCE": "Clause sociale déclarée sans aucune heure réalisée, ou marché réservé "
                   "dont aucun titulaire n'est une structure d'insertion ou du handicap "
                   "reconnue.",
    "UNVERIFIABLE": "Seul un critère social d'attribution est déclaré : les données ne "
                    "permettent pas de vérifier l'engagement pris.",
    "UNDECLARED_DELIVERY": "Aucune considération sociale déclarée, mais des heures "
                           "d'insertion réalisées selon la même exigence de preuve.",
    "NOT_DECLARED": "Aucune considération sociale déclarée et aucune heure d'insertion "
                    "prouvée.",
}

#: Buyer verdicts.
VERDICT: dict[str, str] = {
    "insufficient_data": "Trop peu de marchés pour conclure",
    "not_measured": "Réalisation non mesurée",
    "compliant": "Objectif atteint",
    "social_washing": "Affichage social sans réalisation (écart significatif)",
    "possible_social_washing": "Soupçon d'affichage social sans réalisation (écart à "
                               "confirmer)",
    "below_target": "Objectif non atteint, même sur le papier",
}

#: The rule of each verdict, in one sentence (glossary).
VERDICT_RULES: dict[str, str] = {
    "insufficient_data": "Moins de {min_contracts} marchés évaluables : aucune conclusion.",
    "not_measured": "Moins de {min_contracts} marchés suivis par le facilitateur : seule la "
                    "part déclarée est donnée, sans conclusion sur la réalisation.",
    "compliant": "Parmi les marchés suivis par le facilitateur, la part dont la réalisation "
                 "est vérifiée atteint l'objectif de {target}.",
    "social_washing": "La part déclarée atteint {target} mais la part réalisée est "
                      "inférieure à {target}, et l'écart est significatif (risque d'erreur "
                      "inférieur à {alpha}).",
    "possible_social_washing": "La part déclarée atteint {target} mais la part réalisée est "
                               "inférieure à {target}, sans que l'écart soit significatif.",
    "below_target": "Ni la part déclarée ni la part réalisée n'atteignent {target}.",
}

#: Names of the indicators.
INDICATOR: dict[str, str] = {
    "assessable_contracts": "Marchés évaluables",
    "covered_contracts": "Marchés suivis par le facilitateur",
    "declared_share": "Part des marchés avec une considération sociale déclarée "
                      "(tous les marchés évaluables)",
    "declared_covered_share": "Même part, parmi les marchés suivis par le facilitateur",
    "declared_share_by_amount": "Part déclarée, en montant",
    "effective_share": "Part des marchés suivis dont la réalisation est vérifiée",
    "effective_share_by_amount": "Part réalisée, en montant",
    "effective_upper_share": "Part réalisée au plus (critères sociaux comptés comme tenus)",
    "unsubstantiated_share": "Part des marchés déclarés sans réalisation vérifiée",
    "gap_points": "Écart entre part déclarée et part réalisée",
    "significance": "Degré de certitude",
    "hours": "Heures d'insertion réalisées dans l'année",
    "activity_planned_hours": "Heures prévues (marchés notifiés dans l'année)",
    "activity_expected_hours": "Heures attendues dans l'année",
    "achievement_ratio": "Taux de réalisation des heures attendues",
    "beneficiaries": "Personnes en insertion",
    "hours_per_beneficiary": "Heures par personne",
    "etp": "Équivalents temps plein",
    "sorties_dynamiques": "Sorties vers l'emploi ou la formation",
    "missions_ended": "Parcours terminés dans l'année",
    "reserved_n": "Marchés réservés",
    "reserved_verified_n": "Marchés réservés attribués à une structure reconnue",
    "reserved_amount": "Montant des marchés réservés",
    "ess_amount": "Achats auprès de structures d'insertion et de l'économie sociale",
    "ess_share_of_amount": "Part de ces achats dans le montant des marchés de l'année",
    "ess_structures": "Structures titulaires",
}

#: Column headers of tables and spreadsheets.
HEADER: dict[str, str] = {
    "uid": "Identifiant du marché (SIRET acheteur + n°)",
    "contract_id": "N° du marché",
    "buyer_siret": "SIRET de l'acheteur",
    "buyer_name": "Acheteur",
    "notification_date": "Date de notification",
    "amount": "Montant (€ HT)",
    "status": "Statut",
    "planned_hours": "Heures prévues",
    "expected_hours": "Heures attendues à la date d'arrêté",
    "realized_hours": "Heures réalisées à la date d'arrêté",
    "considerations": "Considérations sociales déclarées",
    "holders": "Titulaires (SIRET)",
    "indicator": "Indicateur",
    "this_year": "Cette année",
    "last_year": "Année précédente",
    "interval": "Intervalle à 95 %",
    "label": "Libellé",
    "code": "Code",
    "rule": "Règle",
    "rank": "Rang",
    # the yearly report pages (notebooks 01-04)
    "table": "Table", "file": "Fichier", "format": "Format", "rows_read": "Lignes lues",
    "item": "Élément", "value": "Valeur", "reason": "Motif", "rows": "Lignes",
    "column": "Colonne", "n_rows": "Nombre de lignes", "message": "Message",
    "contracts": "Marchés notifiés dans l'année", "with_clause": "Avec une ligne de clauses",
    "with_participations": "Avec des heures enregistrées", "in_scope": "Dans le périmètre",
    "in_scope_covered": "Dans le périmètre et suivis",
    "consideration": "Considération sociale", "n": "Marchés évaluables qui la déclarent",
    "share": "Part des marchés évaluables", "covered_n": "Dont suivis par le facilitateur",
    "effective_n": "Dont réalisation vérifiée",
    "consideration_effective_share": "Part vérifiée parmi les suivis",
    "declared_n": "Marchés déclarant une considération sociale",
    "ci95": "Intervalle à 95 %", "year": "Année", "series": "Source",
    "official_scope": "Marchés comptés",
    "group": "Groupe", "people": "Personnes", "people_share": "Part",
    "verdict": "Conclusion", "reason_sentence": "Raison et degré de certitude",
    "q_value": "Valeur q", "n_contracts": "Nombre de marchés",
    # the sensitivity and power tables
    "h_ratio": "Seuil exigé", "h_scope_share": "Part réalisée (ensemble)",
    "h_scope_upper": "Borne haute (ensemble)", "h_scope_verdict": "Conclusion (ensemble)",
    "h_changed": "Acheteurs dont la conclusion change", "h_true_share": "Part réelle",
    "h_n": "Marchés suivis", "h_power": "Probabilité de conclure à un écart",
}

#: Figure titles, axes and legends.
FIGURE: dict[str, str] = {
    "fig_shares": "Part des marchés : déclarée et réalisée",
    "fig_status": "Marchés par statut",
    "fig_hours": "Heures d'insertion réalisées",
    "fig_trend": "Évolution de la part déclarée",
    "axis_share": "Part des marchés",
    "axis_contracts": "Nombre de marchés",
    "axis_hours": "Heures",
    "legend_declared": "Déclaré",
    "legend_effective": "Réalisé",
    "legend_target": "Objectif",
    # the figures of the yearly report pages (notebooks 01-04)
    "f_coverage_title": "Couverture des marchés par les données du facilitateur",
    "f_coverage_largest": "{title} : les {shown} plus gros des {total} acheteurs",
    "f_coverage_series": "Marchés notifiés|Avec une ligne de clauses|Avec des heures enregistrées",
    "f_buyer": "Acheteur",
    "f_empty": "Rien à montrer.",
    "f_consideration_title": "Considérations sociales déclarées dans les marchés évaluables",
    "f_consideration_x": "Nombre de marchés évaluables",
    "f_consideration_y": "Considération déclarée",
    "f_declared_title": "Part déclarée, par acheteur",
    "f_shares_title": "Part déclarée et part réalisée parmi les marchés suivis, par acheteur",
    "f_largest": "{title} : les {shown} plus gros sur {total}",
    "f_share_x": "Part des marchés (%)",
    "f_declared_ci": "Part déclarée (intervalle à 95 %)",
    "f_effective_ci": "Part réalisée (intervalle à 95 %)",
    "f_target": "Objectif {target}",
    "f_dist_title": "Répartition sur l'ensemble des {total} acheteurs",
    "f_dist_y": "Nombre d'acheteurs",
    "f_amount_title": "Part déclarée et part réalisée en montant (€ HT), par acheteur",
    "f_amount_x": "Part du montant des marchés suivis (%)",
    "f_official_title": "Part déclarée et série nationale officielle",
    "f_official_x": "Année de notification", "f_official_y": "Part des marchés (%)",
    "f_official_series": "Part nationale officielle",
    "f_official_scope": "Ce périmètre, part déclarée ({year})",
    "f_official_target": "Objectif du PNAD {target}",
    "f_official_break": "Rupture de série (DECP à partir de 2024)",
    "f_profile_title": "Profil des personnes de l'année",
    "f_profile_x": "Part des personnes (%)",
    "f_exits_title": "Sorties des parcours terminés dans l'année",
    "f_exits_x": "Part des parcours terminés (%)",
    "f_hours_title": "Concentration des heures d'insertion entre marchés",
    "f_hours_bars": "Les {shown} premiers des {total} marchés",
    "f_hours_x": "Rang du marché selon ses heures",
    "f_hours_y": "Heures d'insertion dans l'année",
    "f_lorenz": "Courbe de Lorenz",
    "f_lorenz_x": "Part des marchés (%, les moins d'heures d'abord)",
    "f_lorenz_y": "Part cumulée des heures (%)",
    "f_equal": "Heures égales",
    "f_status_title": "Marchés du périmètre par statut",
    "f_status_x": "Nombre de marchés du périmètre",
    "f_status_y": "Statut à la date d'arrêté",
    "f_funnel_title": "De la déclaration à la réalisation (marchés évaluables suivis)",
    "f_funnel_y": "Étape",
    "f_funnel_value": "{n} ({share} des déclarés)",
    "f_suppressed": "non publié",
    "f_group": "Groupe", "f_exit": "Sortie",
    # the sensitivity figure
    "f_sens_title": "Sensibilité de la part réalisée et des conclusions au seuil de réalisation",
    "f_sens_scope": "Ensemble des acheteurs", "f_sens_buyers": "Acheteurs par conclusion",
    "f_sens_x": "Part des heures attendues exigée (réalisées / attendues)",
    "f_sens_share": "Part des marchés suivis (%)", "f_sens_count": "Nombre d'acheteurs",
    "f_sens_effective": "Part réalisée",
    "f_sens_upper": "Borne haute (critères sociaux comptés comme tenus)",
    "f_sens_target": "Objectif {target}", "f_sens_current": "Seuil retenu",
}

#: Fixed texts of the one-page summary; ``{…}`` fields are filled by the caller.
TEXT: dict[str, str] = {
    "summary_title": "Clauses sociales {year} : ce qui est déclaré, ce qui est réalisé",
    "whole_scope": "Ensemble des acheteurs étudiés",
    "as_of": "Situation au {date}",
    "verdict_heading": "Conclusion",
    "key_figures": "Chiffres clés",
    "declared_vs_effective": "Déclaré et réalisé",
    "top_contracts": "Les {n} plus gros marchés déclarés sans réalisation vérifiée",
    "no_top_contracts": "Aucun marché déclaré sans réalisation vérifiée.",
    "glossary": "Glossaire",
    "significant": "écart significatif",
    "to_confirm": "à confirmer",
    "of_missions_ended": "des parcours terminés",
    "suppressed": "non publié (petit effectif)",
    "more_contracts": "… et {n} autres marchés dans le tableur joint.",
    "footer": "Sources : données essentielles de la commande publique et données du "
              "facilitateur des clauses sociales. Montants en euros hors taxes.",
}

#: The DECP's declared social considerations (French in the data), as shown to readers.
CONSIDERATION: dict[str, str] = {
    "Clause sociale": "Clause sociale", "Critère social": "Critère social",
    "Marché réservé": "Marché réservé",
    "Pas de considération sociale": "Pas de considération sociale",
}

#: Row labels of the pages' two-column tables, the data files and the groups of people and exits.
ROW: dict[str, str] = {
    # data files
    "tbl_contracts": "Marchés", "tbl_clauses": "Clauses", "tbl_participations":
    "Heures réalisées", "tbl_suppliers": "Registre des structures", "tbl_buyers": "Acheteurs",
    # data quality summary
    "q_contract_rows": "Lignes de marchés lues",
    "q_duplicates": "Lignes de marchés en double écartées (une ligne par marché)",
    "q_contracts": "Marchés après dédoublonnage",
    "q_clauses": "Lignes de clauses", "q_participations": "Lignes d'heures réalisées",
    "q_suppliers": "Structures du registre",
    "q_rejected": "Lignes mises de côté",
    "q_rejected_in": "Lignes mises de côté : {table}",
    "q_warnings": "Valeurs à vérifier",
    "scope_contracts_total": "Périmètre : marchés lus, toutes années",
    "scope_notified_in_year": "Périmètre : notifiés dans l'année",
    "scope_notified_in_year_of_buyers": "Périmètre : notifiés dans l'année par les acheteurs "
                                        "retenus",
    "scope_below_eu_threshold": "Périmètre : sous le seuil européen (écartés)",
    "scope_in_scope": "Périmètre : marchés étudiés",
    "scope_in_scope_missing_amount": "Périmètre : marchés étudiés sans montant",
    "scope_in_scope_missing_duration": "Périmètre : marchés étudiés sans durée",
    "scope_in_scope_unknown_category": "Périmètre : marchés étudiés de type inconnu",
    "scope_clauses_without_contract": "Lignes de clauses sans marché correspondant",
    "scope_participations_without_contract": "Lignes d'heures sans marché correspondant",
    # activity
    "act_hours": "Heures d'insertion travaillées dans l'année",
    "act_hours_clause": "dont sur des marchés avec une clause",
    "act_planned": "Heures prévues, marchés notifiés dans l'année",
    "act_expected": "Heures attendues dans l'année",
    "act_ratio": "Taux de réalisation (heures travaillées / heures attendues)",
    "act_people": "Personnes distinctes",
    "act_hours_per_person": "Heures par personne",
    "act_etp": "Équivalents temps plein",
    "act_hours_per_1000": "Heures pour 1 000 € HT de marchés à clause",
    "conc_contracts": "Marchés avec des heures d'insertion dans l'année",
    "conc_top5": "Part des heures sur les 5 plus gros marchés",
    "conc_gini": "Coefficient de Gini des heures entre marchés",
    "conc_works": "Part des heures sur des marchés de travaux",
    "res_n": "Marchés réservés déclarés", "res_amount": "Montant des marchés réservés",
    "res_verified": "dont vérifiés (titulaire reconnu)",
    "res_verified_share": "Part vérifiée",
    "res_unverified": "Réservés sans titulaire reconnu",
    "ess_n": "Marchés avec un titulaire du registre",
    "ess_amt": "Montant avec des titulaires du registre",
    "ess_share": "Part du montant des marchés de l'année",
    "ess_struct": "Structures titulaires distinctes",
    "ess_insertion": "dont structures d'insertion ou du handicap",
    # people
    "women": "Femmes", "under_26": "Moins de 26 ans", "age_50_plus": "50 ans et plus",
    "no_diploma": "Sans diplôme (infra bac)",
    "public_deld": "Demandeurs d'emploi de longue durée",
    "public_rsa": "Allocataires du RSA",
    "public_rqth": "Travailleurs handicapés (RQTH)",
    "public_jeune_moins_26": "Jeunes de moins de 26 ans (catégorie de public)",
    "public_senior_50": "Seniors de 50 ans et plus (catégorie de public)",
    "public_qpv": "Habitants des quartiers prioritaires",
    "public_siae": "Salariés de structures d'insertion", "public_autre": "Autres publics",
    # exits
    "emploi_durable": "Emploi durable", "emploi_transition": "Emploi de transition",
    "formation": "Formation qualifiante", "autre": "Autre sortie", "inconnu": "Inconnue",
    "en_cours": "Parcours en cours",
    "sorties_dynamiques_total": "Sorties dynamiques (les trois premières)",
    # funnel stages
    "stage_declared": "Déclarés", "stage_followed": "Suivis de près",
    "stage_delivered": "Réalisés",
    "suppressed_n": "non publié (moins de {n} personnes)",
}

#: Words of the index pages (the reports' table of contents).
INDEX: dict[str, str] = {
    "i_title_year": "Audit des clauses sociales — {year}",
    "i_title_root": "Audit des clauses sociales — rapports",
    "i_summary": "En bref", "i_verdict_scope": "Conclusion (ensemble des acheteurs)",
    "i_significant": "écart significatif", "i_assessable": "Marchés évaluables",
    "i_covered": "Marchés suivis par le facilitateur", "i_declared": "Part déclarée",
    "i_effective": "Part réalisée (marchés suivis)", "i_gap": "Écart (points)",
    "i_no_indicators": "Aucun indicateur.", "i_summaries": "Synthèses d'une page et marchés à vérifier",
    "i_whole_scope": "Ensemble des acheteurs", "i_one_page": "synthèse d'une page",
    "i_contracts_check": "marchés à vérifier (XLSX)", "i_reports": "Rapports",
    "i_data": "Données", "i_figures": "Figures", "i_none": "Aucun.",
    "i_rows_aside": "lignes mises de côté (quarantaine)", "i_notebook": "carnet\u00a0: {name}",
    "i_verdict": "conclusion\u00a0: {verdict}", "i_datasets": "Jeux de données",
    "i_years": "Années", "i_research": "Carnets d'étude", "i_years_list": "années\u00a0: {years}",
    "i_summary_file": "synthèse ({kind})",
}
