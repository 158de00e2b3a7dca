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
