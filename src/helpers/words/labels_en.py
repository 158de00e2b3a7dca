"""The English labels of the reports: the English half of every table of :mod:`helpers.labels`.

One plain dictionary per kind of code, code → words. :mod:`helpers.labels` pairs each with its
French twin of :mod:`helpers.words.labels_fr` (``labels.STATUS`` is
``{"fr": labels_fr.STATUS, "en": labels_en.STATUS}``) and looks codes up there; callers use
:mod:`helpers.labels`, never this module. The rules of statuses and verdicts hold ``{target}``,
``{ratio}``, ``{min_contracts}`` and ``{alpha}`` (filled by :func:`helpers.labels.rule`); other
``{fields}`` are filled by the caller. Both languages must have the same codes and the same fields
(``tests/test_labels.py``).
"""

#: Contract statuses.
STATUS: dict[str, str] = {
    "NOT_DUE": "Too recent to be judged",
    "NOT_COVERED": "Not followed by the facilitator",
    "VERIFIED": "Delivery verified",
    "SHORTFALL": "Delivery short of plan",
    "NO_EVIDENCE": "No evidence of delivery",
    "UNVERIFIABLE": "Unverifiable (social criterion only)",
    "UNDECLARED_DELIVERY": "Delivered without being declared",
    "NOT_DECLARED": "No social consideration declared",
}

#: The rule of each status, in one sentence (glossary).
STATUS_RULES: dict[str, str] = {
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
}

#: Buyer verdicts.
VERDICT: dict[str, str] = {
    "insufficient_data": "Too few contracts to conclude",
    "not_measured": "Delivery not measured",
    "compliant": "Target met",
    "social_washing": "Social washing (significant gap)",
    "possible_social_washing": "Possible social washing (to be confirmed)",
    "below_target": "Target not met, even on paper",
}

#: The rule of each verdict, in one sentence (glossary).
VERDICT_RULES: dict[str, str] = {
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
}

#: Names of the indicators.
INDICATOR: dict[str, str] = {
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
}

#: Column headers of tables and spreadsheets.
HEADER: dict[str, str] = {
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
    # the yearly report pages (notebooks 01-04)
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
    # the sensitivity and power tables
    "h_ratio": "Threshold required", "h_scope_share": "Delivered share (all)",
    "h_scope_upper": "Upper bound (all)", "h_scope_verdict": "Verdict (all)",
    "h_changed": "Buyers whose verdict changes", "h_true_share": "True share",
    "h_n": "Followed contracts", "h_power": "Probability of detecting a gap",
}

#: Figure titles, axes and legends.
FIGURE: dict[str, str] = {
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
    # the figures of the yearly report pages (notebooks 01-04)
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
    # the sensitivity figure
    "f_sens_title": "Sensitivity of the delivered share and the verdicts to the delivery threshold",
    "f_sens_scope": "All buyers", "f_sens_buyers": "Buyers by verdict",
    "f_sens_x": "Share of the expected hours required (realized / expected)",
    "f_sens_share": "Share of followed contracts (%)", "f_sens_count": "Number of buyers",
    "f_sens_effective": "Delivered share",
    "f_sens_upper": "Upper bound (social criteria counted as kept)",
    "f_sens_target": "Target {target}", "f_sens_current": "Threshold in use",
}

#: Fixed texts of the one-page summary; ``{…}`` fields are filled by the caller.
TEXT: dict[str, str] = {
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
}

#: The DECP's declared social considerations (French in the data), as shown to readers.
CONSIDERATION: dict[str, str] = {
    "Clause sociale": "Social clause", "Critère social": "Social criterion",
    "Marché réservé": "Reserved contract",
    "Pas de considération sociale": "No social consideration",
}

#: Row labels of the pages' two-column tables, the data files and the groups of people and exits.
ROW: dict[str, str] = {
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
}

#: Words of the index pages (the reports' table of contents).
INDEX: dict[str, str] = {
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
}
