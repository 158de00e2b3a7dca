"""Every word a reader of the reports sees, in French (default) and English.

The machine-readable files (``indicators.json``, the CSVs) keep stable English codes; reports show
these labels instead. One table per kind of code and per language:

- the contract statuses (``VERIFIED``, ``SHORTFALL``…) and the buyer verdicts (``compliant``,
  ``social_washing``…), each with its rule in one sentence for the glossary at the end of a page;
- the names of the indicators, the column headers of tables and spreadsheets, figure titles and the
  fixed texts of the one-page summary;
- the declared social considerations (the DECP's own French words, translated for English).

:func:`label` looks a code up in every table (codes are unique across tables); :func:`glossary`
builds the glossary table (label, code, rule). French wording avoids anglicisms and code names: a
verdict reads "Affichage social sans réalisation (écart significatif)", not "social washing".

Rules mention the run's parameters (target, delivery ratio, minimum number of contracts, alpha);
:func:`glossary` fills them in with French or English number formats (:mod:`helpers.fmt`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from . import fmt

#: Contract statuses, in the order of the rules.
STATUS_CODES: tuple[str, ...] = ("NOT_DUE", "NOT_COVERED", "VERIFIED", "SHORTFALL", "NO_EVIDENCE",
                                 "UNVERIFIABLE", "UNDECLARED_DELIVERY", "NOT_DECLARED")
#: Buyer verdicts, in the order of the rules.
VERDICT_CODES: tuple[str, ...] = ("insufficient_data", "not_measured", "compliant", "social_washing",
                                  "possible_social_washing", "below_target")

STATUS: dict[str, dict[str, str]] = {
    "fr": {
        "NOT_DUE": "Trop récent pour être jugé",
        "NOT_COVERED": "Hors suivi du facilitateur",
        "VERIFIED": "Réalisation vérifiée",
        "SHORTFALL": "Réalisation insuffisante",
        "NO_EVIDENCE": "Aucune preuve de réalisation",
        "UNVERIFIABLE": "Invérifiable (critère social seul)",
        "UNDECLARED_DELIVERY": "Réalisé sans avoir été déclaré",
        "NOT_DECLARED": "Aucune considération sociale déclarée",
    },
    "en": {
        "NOT_DUE": "Too recent to be judged",
        "NOT_COVERED": "Not followed by the facilitator",
        "VERIFIED": "Delivery verified",
        "SHORTFALL": "Delivery short of plan",
        "NO_EVIDENCE": "No evidence of delivery",
        "UNVERIFIABLE": "Unverifiable (social criterion only)",
        "UNDECLARED_DELIVERY": "Delivered without being declared",
        "NOT_DECLARED": "No social consideration declared",
    },
}

STATUS_RULES: dict[str, dict[str, str]] = {
    "fr": {
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
    },
    "en": {
        "NOT_DUE": "Notified less than one month before the cut-off date: too early to judge.",
        "NOT_COVERED": "The buyer's facilitator does not follow this contract (no data, or "
                       "notified before its follow-up began): delivery cannot be judged.",
        "VERIFIED": "Social consideration declared and proven: insertion hours delivered at "
                    "{ratio} or more of the hours due, or a reserved contract held by a "
                    "recognised insertion or disability structure.",
        "SHORTFALL": "Social clause declared with hours delivered, but less than {ratio} of the "
                     "hours due at the cut-off date.",
        "NO_EVIDENCE": "Social clause declared with no hour delivered, or a reserved contract "
                       "none of whose holders is a recognised insertion or disability "
                       "structure.",
        "UNVERIFIABLE": "Only a social award criterion is declared: the data cannot show whether "
                        "the commitment was kept.",
        "UNDECLARED_DELIVERY": "No social consideration declared, but insertion hours delivered "
                               "under the same standard of proof.",
        "NOT_DECLARED": "No social consideration declared and no insertion hour proven.",
    },
}

VERDICT: dict[str, dict[str, str]] = {
    "fr": {
        "insufficient_data": "Trop peu de marchés pour conclure",
        "not_measured": "Réalisation non mesurée",
        "compliant": "Objectif atteint",
        "social_washing": "Affichage social sans réalisation (écart significatif)",
        "possible_social_washing": "Soupçon d'affichage social sans réalisation (écart à "
                                   "confirmer)",
        "below_target": "Objectif non atteint, même sur le papier",
    },
    "en": {
        "insufficient_data": "Too few contracts to conclude",
        "not_measured": "Delivery not measured",
        "compliant": "Target met",
        "social_washing": "Social washing (significant gap)",
        "possible_social_washing": "Possible social washing (to be confirmed)",
        "below_target": "Target not met, even on paper",
    },
}

VERDICT_RULES: dict[str, dict[str, str]] = {
    "fr": {
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
    },
    "en": {
        "insufficient_data": "Fewer than {min_contracts} assessable contracts: no conclusion.",
        "not_measured": "Fewer than {min_contracts} contracts followed by the facilitator: only "
                        "the declared share is given, with no conclusion on delivery.",
        "compliant": "Among the contracts followed by the facilitator, the share with verified "
                     "delivery meets the {target} target.",
        "social_washing": "The declared share meets {target} but the delivered share is below "
                          "{target}, and the gap is significant (error risk below {alpha}).",
        "possible_social_washing": "The declared share meets {target} but the delivered share "
                                   "is below {target}, and the gap is not significant.",
        "below_target": "Neither the declared nor the delivered share meets {target}.",
    },
}

INDICATOR: dict[str, dict[str, str]] = {
    "fr": {
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
    },
    "en": {
        "assessable_contracts": "Assessable contracts",
        "covered_contracts": "Contracts followed by the facilitator",
        "declared_share": "Share of contracts with a declared social consideration "
                          "(all assessable contracts)",
        "declared_covered_share": "Same share, among contracts followed by the facilitator",
        "declared_share_by_amount": "Declared share, by amount",
        "effective_share": "Share of followed contracts with verified delivery",
        "effective_share_by_amount": "Delivered share, by amount",
        "effective_upper_share": "Delivered share at most (social criteria counted as kept)",
        "unsubstantiated_share": "Share of declared contracts without verified delivery",
        "gap_points": "Gap between declared and delivered shares",
        "significance": "How sure",
        "hours": "Insertion hours worked in the year",
        "activity_planned_hours": "Planned hours (contracts notified in the year)",
        "activity_expected_hours": "Hours due in the year",
        "achievement_ratio": "Hours delivered / hours due",
        "beneficiaries": "People in insertion",
        "hours_per_beneficiary": "Hours per person",
        "etp": "Full-time equivalents",
        "sorties_dynamiques": "Exits to employment or training",
        "missions_ended": "Pathways ended in the year",
        "reserved_n": "Reserved contracts",
        "reserved_verified_n": "Reserved contracts held by a recognised structure",
        "reserved_amount": "Amount of reserved contracts",
        "ess_amount": "Spend with insertion and social-economy structures",
        "ess_share_of_amount": "Share of this spend in the year's contract amounts",
        "ess_structures": "Holding structures",
    },
}

HEADER: dict[str, dict[str, str]] = {
    "fr": {
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
    },
    "en": {
        "uid": "Contract identifier (buyer SIRET + no.)",
        "contract_id": "Contract no.",
        "buyer_siret": "Buyer SIRET",
        "buyer_name": "Buyer",
        "notification_date": "Notification date",
        "amount": "Amount (€ excl. VAT)",
        "status": "Status",
        "planned_hours": "Planned hours",
        "expected_hours": "Hours due at the cut-off date",
        "realized_hours": "Hours delivered at the cut-off date",
        "considerations": "Declared social considerations",
        "holders": "Holders (SIRET)",
        "indicator": "Indicator",
        "this_year": "This year",
        "last_year": "Previous year",
        "interval": "95% interval",
        "label": "Label",
        "code": "Code",
        "rule": "Rule",
        "rank": "Rank",
    },
}

FIGURE: dict[str, dict[str, str]] = {
    "fr": {
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
    },
    "en": {
        "fig_shares": "Share of contracts: declared and delivered",
        "fig_status": "Contracts by status",
        "fig_hours": "Insertion hours delivered",
        "fig_trend": "Declared share over time",
        "axis_share": "Share of contracts",
        "axis_contracts": "Number of contracts",
        "axis_hours": "Hours",
        "legend_declared": "Declared",
        "legend_effective": "Delivered",
        "legend_target": "Target",
    },
}

#: Fixed texts of the one-page summary; ``{…}`` fields are filled by the caller.
TEXT: dict[str, dict[str, str]] = {
    "fr": {
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
    },
    "en": {
        "summary_title": "Social clauses {year}: what is declared, what is delivered",
        "whole_scope": "All buyers studied",
        "as_of": "Situation at {date}",
        "verdict_heading": "Conclusion",
        "key_figures": "Key figures",
        "declared_vs_effective": "Declared and delivered",
        "top_contracts": "The {n} largest declared contracts without verified delivery",
        "no_top_contracts": "No declared contract without verified delivery.",
        "glossary": "Glossary",
        "significant": "significant gap",
        "to_confirm": "to be confirmed",
        "of_missions_ended": "of pathways ended",
        "suppressed": "not published (small count)",
        "more_contracts": "… and {n} more contracts in the attached spreadsheet.",
        "footer": "Sources: French open public procurement data (DECP) and the social clause "
                  "facilitator's data. Amounts in euros excluding VAT.",
    },
}

#: The DECP's declared social considerations (French in the data), as shown to readers.
CONSIDERATION: dict[str, dict[str, str]] = {
    "fr": {"Clause sociale": "Clause sociale", "Critère social": "Critère social",
           "Marché réservé": "Marché réservé",
           "Pas de considération sociale": "Pas de considération sociale"},
    "en": {"Clause sociale": "Social clause", "Critère social": "Social criterion",
           "Marché réservé": "Reserved contract",
           "Pas de considération sociale": "No social consideration"},
}

#: Every table of labels by kind; codes are unique across kinds (a test checks it).
TABLES: dict[str, dict[str, dict[str, str]]] = {
    "status": STATUS, "verdict": VERDICT, "indicator": INDICATOR, "header": HEADER,
    "figure": FIGURE, "text": TEXT, "consideration": CONSIDERATION,
}


def label(code: str, lang: str = "fr", kind: str | None = None) -> str:
    """The reader's label of ``code`` in ``lang`` (``kind`` restricts the search to one table).

    An unknown code raises ``KeyError`` naming it: a report never shows a code instead of words.
    """
    fmt.check_lang(lang)
    tables = [TABLES[kind]] if kind else list(TABLES.values())
    for table in tables:
        if code in table[lang]:
            return table[lang][code]
    raise KeyError(f"no {lang} label for {code!r}"
                   + (f" among the {kind} labels" if kind else "")
                   + ": add it to helpers.labels")


def consideration_text(value: Any, lang: str = "fr") -> str:
    """The declared considerations of a contract (``"Clause sociale; Marché réservé"`` or a list) in
    ``lang``, joined with ``"; "``; unknown values are kept as written."""
    if isinstance(value, str):
        items = [v.strip() for v in value.replace(",", ";").split(";")]
    elif isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        items = [str(v).strip() for v in list(value)]
    else:  # None, NaN: nothing declared
        return ""
    names = CONSIDERATION[fmt.check_lang(lang)]
    return "; ".join(names.get(v, v) for v in items if v)


def _rule_params(lang: str, target: float, min_delivery_ratio: float, min_contracts: int,
                 alpha: float) -> dict[str, str]:
    return {"target": fmt.target(target, lang), "ratio": fmt.target(min_delivery_ratio, lang),
            "min_contracts": fmt.number(min_contracts, lang),
            "alpha": fmt.target(alpha, lang)}


def rule(code: str, lang: str = "fr", *, target: float = 0.30, min_delivery_ratio: float = 0.8,
         min_contracts: int = 5, alpha: float = 0.05) -> str:
    """The rule of a status or verdict in one sentence, with the run's parameters filled in."""
    for table in (STATUS_RULES, VERDICT_RULES):
        if code in table[fmt.check_lang(lang)]:
            return table[lang][code].format(
                **_rule_params(lang, target, min_delivery_ratio, min_contracts, alpha))
    raise KeyError(f"no rule for {code!r}: only statuses and verdicts have one")


def glossary(lang: str = "fr", codes: Iterable[str] | None = None,
             params: Mapping[str, Any] | None = None) -> list[dict[str, str]]:
    """Glossary rows ``{"label", "code", "rule"}`` for ``codes`` (default: every verdict, then every
    status), in ``lang``, with the rules' parameters taken from ``params`` (a run's parameters;
    defaults for those absent). Column titles: ``label("label"|"code"|"rule", lang)``."""
    p = dict(params or {})
    kwargs = {k: p[k] for k in ("target", "min_delivery_ratio", "min_contracts", "alpha")
              if p.get(k) is not None}
    wanted = list(codes) if codes is not None else [*VERDICT_CODES, *STATUS_CODES]
    return [{"label": label(c, lang), "code": c, "rule": rule(c, lang, **kwargs)} for c in wanted]

# ---------------------------------------------------------------------------------------------------
# Words of the yearly report pages (notebooks 01-04): more column headers, the row labels of their
# two-column tables, the groups of people and exits, and the figures' texts.
# ---------------------------------------------------------------------------------------------------

HEADER["fr"].update({
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
})
HEADER["en"].update({
    "table": "Table", "file": "File", "format": "Format", "rows_read": "Rows read",
    "item": "Item", "value": "Value", "reason": "Reason", "rows": "Rows",
    "column": "Column", "n_rows": "Number of rows", "message": "Message",
    "contracts": "Contracts notified in the year", "with_clause": "With a clauses row",
    "with_participations": "With recorded hours", "in_scope": "In scope",
    "in_scope_covered": "In scope and followed",
    "consideration": "Social consideration", "n": "Assessable contracts declaring it",
    "share": "Share of assessable contracts", "covered_n": "Of which followed by the facilitator",
    "effective_n": "Of which with verified delivery",
    "consideration_effective_share": "Verified share among the followed",
    "declared_n": "Contracts declaring a social consideration",
    "ci95": "95% interval", "year": "Year", "series": "Source",
    "official_scope": "Contracts counted",
    "group": "Group", "people": "People", "people_share": "Share",
    "verdict": "Conclusion", "reason_sentence": "Reason and how sure",
    "q_value": "q-value", "n_contracts": "Number of contracts",
})

#: Row labels of the pages' two-column tables, the data files and the groups of people and exits.
ROW: dict[str, dict[str, str]] = {
    "fr": {
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
    },
    "en": {
        "tbl_contracts": "Contracts", "tbl_clauses": "Clauses", "tbl_participations":
        "Delivered hours", "tbl_suppliers": "Registry of structures", "tbl_buyers": "Buyers",
        "q_contract_rows": "Contract rows read",
        "q_duplicates": "Duplicate contract rows set aside (one row per contract)",
        "q_contracts": "Contracts after de-duplication",
        "q_clauses": "Clause rows", "q_participations": "Delivered-hours rows",
        "q_suppliers": "Registry structures",
        "q_rejected": "Rows set aside",
        "q_rejected_in": "Rows set aside: {table}",
        "q_warnings": "Values to check",
        "scope_contracts_total": "Scope: contracts read, all years",
        "scope_notified_in_year": "Scope: notified in the year",
        "scope_notified_in_year_of_buyers": "Scope: notified in the year by the selected buyers",
        "scope_below_eu_threshold": "Scope: below the European threshold (left out)",
        "scope_in_scope": "Scope: contracts studied",
        "scope_in_scope_missing_amount": "Scope: contracts studied without an amount",
        "scope_in_scope_missing_duration": "Scope: contracts studied without a duration",
        "scope_in_scope_unknown_category": "Scope: contracts studied of unknown kind",
        "scope_clauses_without_contract": "Clause rows without a matching contract",
        "scope_participations_without_contract": "Hours rows without a matching contract",
        "act_hours": "Insertion hours worked in the year",
        "act_hours_clause": "of which on contracts with a clause",
        "act_planned": "Hours planned, contracts notified in the year",
        "act_expected": "Hours due in the year",
        "act_ratio": "Achievement rate (hours worked / hours due)",
        "act_people": "Distinct people",
        "act_hours_per_person": "Hours per person",
        "act_etp": "Full-time equivalents",
        "act_hours_per_1000": "Hours per €1,000 excl. VAT of clause contracts",
        "conc_contracts": "Contracts with insertion hours in the year",
        "conc_top5": "Share of hours on the 5 largest contracts",
        "conc_gini": "Gini coefficient of hours over contracts",
        "conc_works": "Share of hours on works contracts",
        "res_n": "Reserved contracts declared", "res_amount": "Amount of reserved contracts",
        "res_verified": "of which verified (recognised holder)",
        "res_verified_share": "Verified share",
        "res_unverified": "Reserved without a recognised holder",
        "ess_n": "Contracts with a registry holder",
        "ess_amt": "Amount with registry holders",
        "ess_share": "Share of the year's contract amounts",
        "ess_struct": "Distinct holding structures",
        "ess_insertion": "of which insertion or disability structures",
        "women": "Women", "under_26": "Under 26", "age_50_plus": "50 and over",
        "no_diploma": "No diploma (below baccalauréat)",
        "public_deld": "Long-term jobseekers",
        "public_rsa": "RSA recipients",
        "public_rqth": "Disabled workers (RQTH)",
        "public_jeune_moins_26": "Young people under 26 (public category)",
        "public_senior_50": "Seniors aged 50 and over (public category)",
        "public_qpv": "Residents of priority neighbourhoods",
        "public_siae": "Employees of insertion structures", "public_autre": "Other publics",
        "emploi_durable": "Lasting job", "emploi_transition": "Transition job",
        "formation": "Qualifying training", "autre": "Other exit", "inconnu": "Unknown",
        "en_cours": "Pathway still running",
        "sorties_dynamiques_total": "Positive exits (the first three)",
        "stage_declared": "Declared", "stage_followed": "Tracked",
        "stage_delivered": "Delivered",
        "suppressed_n": "not published (fewer than {n} people)",
    },
}

FIGURE["fr"].update({
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
})
FIGURE["en"].update({
    "f_coverage_title": "Coverage of the contracts by the facilitator's data",
    "f_coverage_largest": "{title}: the {shown} largest of {total} buyers",
    "f_coverage_series": "Contracts notified|With a clauses row|With recorded hours",
    "f_buyer": "Buyer",
    "f_empty": "Nothing to show.",
    "f_consideration_title": "Social considerations declared in assessable contracts",
    "f_consideration_x": "Number of assessable contracts",
    "f_consideration_y": "Consideration declared",
    "f_declared_title": "Declared share, by buyer",
    "f_shares_title": "Declared and delivered shares among followed contracts, by buyer",
    "f_largest": "{title}: the {shown} largest of {total}",
    "f_share_x": "Share of contracts (%)",
    "f_declared_ci": "Declared share (95% interval)",
    "f_effective_ci": "Delivered share (95% interval)",
    "f_target": "Target {target}",
    "f_dist_title": "Distribution over all {total} buyers",
    "f_dist_y": "Number of buyers",
    "f_amount_title": "Declared and delivered shares by amount (excl. VAT), by buyer",
    "f_amount_x": "Share of the amount of followed contracts (%)",
    "f_official_title": "Declared share and the official national series",
    "f_official_x": "Year of notification", "f_official_y": "Share of contracts (%)",
    "f_official_series": "Official national share",
    "f_official_scope": "This scope, declared share ({year})",
    "f_official_target": "PNAD target {target}",
    "f_official_break": "Series break (DECP from 2024)",
    "f_profile_title": "Profile of the people of the year",
    "f_profile_x": "Share of people (%)",
    "f_exits_title": "Exits of the pathways ended in the year",
    "f_exits_x": "Share of pathways ended (%)",
    "f_hours_title": "Concentration of insertion hours over contracts",
    "f_hours_bars": "The first {shown} of {total} contracts",
    "f_hours_x": "Rank of the contract by hours",
    "f_hours_y": "Insertion hours in the year",
    "f_lorenz": "Lorenz curve",
    "f_lorenz_x": "Share of contracts (%, fewest hours first)",
    "f_lorenz_y": "Cumulative share of hours (%)",
    "f_equal": "Equal hours",
    "f_status_title": "Contracts in scope by status",
    "f_status_x": "Number of contracts in scope",
    "f_status_y": "Status at the cut-off date",
    "f_funnel_title": "From declaration to delivery (followed assessable contracts)",
    "f_funnel_y": "Stage",
    "f_funnel_value": "{n} ({share} of declared)",
    "f_suppressed": "not published",
    "f_group": "Group", "f_exit": "Exit",
})

FIGURE["fr"].update({
    "f_sens_title": "Sensibilité de la part réalisée et des conclusions au seuil de réalisation",
    "f_sens_scope": "Ensemble des acheteurs", "f_sens_buyers": "Acheteurs par conclusion",
    "f_sens_x": "Part des heures attendues exigée (réalisées / attendues)",
    "f_sens_share": "Part des marchés suivis (%)", "f_sens_count": "Nombre d'acheteurs",
    "f_sens_effective": "Part réalisée",
    "f_sens_upper": "Borne haute (critères sociaux comptés comme tenus)",
    "f_sens_target": "Objectif {target}", "f_sens_current": "Seuil retenu",
})
FIGURE["en"].update({
    "f_sens_title": "Sensitivity of the delivered share and the verdicts to the delivery threshold",
    "f_sens_scope": "All buyers", "f_sens_buyers": "Buyers by verdict",
    "f_sens_x": "Share of the expected hours required (realized / expected)",
    "f_sens_share": "Share of followed contracts (%)", "f_sens_count": "Number of buyers",
    "f_sens_effective": "Delivered share",
    "f_sens_upper": "Upper bound (social criteria counted as kept)",
    "f_sens_target": "Target {target}", "f_sens_current": "Threshold in use",
})
HEADER["fr"].update({"h_ratio": "Seuil exigé", "h_scope_share": "Part réalisée (ensemble)",
                     "h_scope_upper": "Borne haute (ensemble)", "h_scope_verdict": "Conclusion (ensemble)",
                     "h_changed": "Acheteurs dont la conclusion change", "h_true_share": "Part réelle",
                     "h_n": "Marchés suivis", "h_power": "Probabilité de conclure à un écart"})
HEADER["en"].update({"h_ratio": "Threshold required", "h_scope_share": "Delivered share (all)",
                     "h_scope_upper": "Upper bound (all)", "h_scope_verdict": "Verdict (all)",
                     "h_changed": "Buyers whose verdict changes", "h_true_share": "True share",
                     "h_n": "Followed contracts", "h_power": "Probability of detecting a gap"})

#: Words of the index pages (the reports' table of contents).
INDEX: dict[str, dict[str, str]] = {
    "fr": {
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
    },
    "en": {
        "i_title_year": "Social Clause Audit — {year}",
        "i_title_root": "Social Clause Audit — reports",
        "i_summary": "Summary", "i_verdict_scope": "Verdict (all buyers)",
        "i_significant": "significant gap", "i_assessable": "Assessable contracts",
        "i_covered": "Contracts followed by the facilitator", "i_declared": "Declared share",
        "i_effective": "Delivered share (followed contracts)", "i_gap": "Gap (points)",
        "i_no_indicators": "No indicators.", "i_summaries": "One-page summaries and contracts to check",
        "i_whole_scope": "All buyers", "i_one_page": "one-page summary",
        "i_contracts_check": "contracts to check (XLSX)", "i_reports": "Reports",
        "i_data": "Data", "i_figures": "Figures", "i_none": "None.",
        "i_rows_aside": "rows set aside (quarantine)", "i_notebook": "notebook: {name}",
        "i_verdict": "verdict: {verdict}", "i_datasets": "Data sets", "i_years": "Years",
        "i_research": "Research notebooks", "i_years_list": "years: {years}",
        "i_summary_file": "summary ({kind})",
    },
}
TABLES["index"] = INDEX

TABLES["row"] = ROW
