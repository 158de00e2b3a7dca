"""The English words of the research reports (notebooks 05 trends and 06 hypotheses): the English
half of the tables of :mod:`helpers.texts_research`.

:data:`TEXTS` holds the prose (Markdown, ``{fields}`` filled by :func:`helpers.texts_research.text`),
:data:`TERMS` the words shown for the codes of the research tables, :data:`GLOSSARY` the research
terms explained at the end of each report and :data:`FIGURE_TEXTS` the texts of their figures. The
French twin is :mod:`helpers.words.research_fr`: both must have the same keys and the
same fields (``tests/test_texts_research.py``).
"""

TEXTS: dict[str, str] = {
    "trends_title": "# Year after year: what is declared, what is delivered",
    "small_cells": (
        "**Warning: statistical secrecy threshold lowered.** Counts of people are published "
        "from {n} people, below the usual threshold of 11 people. This report must not be "
        "circulated without this warning."),
    "trends_intro": (
        "Each year studied is audited like a yearly report: contracts notified that year, "
        "situation at 31 December of the year (unless a cut-off date is set). For each year, "
        "the **declared share** (contracts declaring a social consideration) is compared with "
        "the **delivered share** (contracts whose insertion hours were really delivered, or "
        "a reserved contract really held by an insertion or disability structure), each with "
        "its 95% confidence interval, and with the {target} target.\n\nYears studied: "
        "{years}. Buyers followed: {buyers}."),
    "changes_heading": "## What changed from one year to the next",
    "changes_intro": (
        "For all the buyers studied, the change of each share between two consecutive years, "
        "in percentage points, with its 95% confidence interval (Newcombe's method for the "
        "difference of two proportions: the two years hold different contracts). A change is "
        "a **clear change** when its interval excludes 0; otherwise it is **within noise**: "
        "the chance make-up of each year's contracts can explain it."),
    "changes_none": "Only one year is available: no change can be computed.",
    "scope_heading": "## All the buyers studied, year by year",
    "scope_intro": (
        "Declared and delivered shares of all assessable contracts, by year of notification. "
        "The grey dashed line is the official national share of contracts with a social "
        "consideration (census of the public procurement economic observatory, contracts of "
        "at least €90,000 excl. VAT): it is a *declared* share, like our blue line, over "
        "another population; it is a reference, not a benchmark. From 2024 the national "
        "source becomes the open procurement data (contracts from €40,000): the dotted line "
        "marks this **series break**, shares before and after do not compare. The "
        "dash-dotted line marks 22 August 2026, when a social execution condition becomes "
        "mandatory above the EU thresholds (Climate and Resilience Act, article 35)."),
    "trend_sentence": (
        "From {first} to {last}, the declared share of all the buyers studied went from "
        "{declared_first} to {declared_last}, and the delivered share from {effective_first} "
        "to {effective_last} (target: {target}). The gap between what is declared and what "
        "is delivered was {gap_first} in {first} and {gap_last} in {last}."),
    "buyers_heading": "## Buyer by buyer",
    "buyers_intro": (
        "One panel per buyer (at most twelve: those with the most assessable contracts over "
        "the period). A blue line well above the orange one, year after year, is the "
        "signature of social washing. Intervals are wide for small buyers: that is why no "
        "conclusion is drawn below {min_contracts} assessable contracts."),
    "verdicts_heading": "## Conclusions by buyer, and how they changed",
    "verdicts_intro": (
        "The next table gives each buyer's conclusion each year. Only buyers are counted in "
        "the changes (all buyers together are not a buyer). For each change of conclusion, "
        "we look at the share that caused it (declared or delivered): the change is a "
        "**clear change** when that share's change is clear, **within noise** otherwise, and "
        "**not comparable** when the buyer was not judged on delivery in one of the two "
        "years (too few contracts, delivery not measured, or absent)."),
    "no_change": "No conclusion changed between two consecutive years.",
    "change_sentence_counts": "Over the period, {flagged}; {cleared}.",
    "newly_flagged_0": "no buyer was newly flagged for social washing",
    "newly_flagged_1": "{n} buyer was newly flagged for social washing",
    "newly_flagged_2": "{n} buyers were newly flagged for social washing",
    "cleared_0": "no buyer was cleared",
    "cleared_1": "{n} buyer was cleared",
    "cleared_2": "{n} buyers were cleared",
    "of_which_clear": " ({clear} of {n} with a clear change)",
    "change_sentence_still_1": (
        "{names} was already flagged for social washing the year before and still is in "
        "{year}."),
    "change_sentence_still": (
        "Flagged for social washing in {year} as in the year before: {names}."),
    "change_sentence_none_still": (
        "No buyer is flagged for social washing both in {year} and the year before."),
    "official_heading": "## The official national series",
    "official_intro": "The national shares drawn above, with their sources, and the milestones.",
    "glossary_heading": "## Glossary",
    "hyp_title": "# Research hypotheses registered in advance",
    "hyp_intro": (
        "Four questions asked of the same data, each with a statistical model fixed "
        "**before** seeing the results (pre-registered protocol). Each result gives the "
        "measured effect with its 95% confidence interval, the p-value, the number of "
        "observations and a plain-language conclusion. The contracts of the years {years} "
        "are pooled, with their situation at {as_of}."),
    "hyp_demo": (
        "These results are on the **demonstration data**, where effects were planted on "
        "purpose for H1 to H3 and none for H4: the chart shows these planted values as open "
        "diamonds, to check that the method finds them."),
    "prereg_heading": "## Is the protocol still the one registered in advance?",
    "prereg_unchanged": (
        "Protocol **unchanged**: its digital fingerprint (SHA-256) is the one registered on "
        "{registered}. The models below are exactly those declared before the analysis."),
    "prereg_amended": (
        "Protocol **amended** since its registration on {registered}: {n} change(s), dated "
        "and explained in the amendment log, the last on {last}. The current fingerprint is "
        "that of the last amendment."),
    "prereg_problem": (
        "**Warning: the protocol does not match its registration.** The results below cannot "
        "be presented as pre-registered until the change is dated and explained. Details: "
        "{problems}"),
    "results_heading": "## Results at a glance",
    "results_intro": (
        "The effect is shown as a ratio: odds ratio for H1 to H3, ratio of means for H4. A "
        "ratio of 1 means \"no difference\"; an interval that excludes 1 shows a clear "
        "difference."),
    "forest_intro": (
        "The same results as a chart, on the log scale (0 = no effect): the dot is the "
        "estimated effect, the line its 95% interval."),
    "h_heading": "## {id} — {question}",
    "h_not_run": "{id} was not requested in this report.",
    "h1_method": (
        "Contracts declaring a social clause with planned hours, at least one month after "
        "notification at the cut-off date. We compare the probability of reaching at least "
        "{ratio} of the hours due between works and services, for equal amount, duration and "
        "progress and **within the same buyer** (buyers differ a lot in their follow-up)."),
    "h2_method": (
        "Pathways ended at the cut-off date, direct hire or through an insertion structure. "
        "We compare the share of exits to durable employment (an unknown exit counts as not "
        "durable), for equal sex, age, diploma, sector and buyer."),
    "h3_method": (
        "Insertion hours worked by people of known sex: we compare the share of hours worked "
        "by women between works and services."),
    "h4_method": (
        "Contracts with planned hours and an amount: we compare planned hours per €1,000 "
        "between sectors. On the demonstration data no difference was planted: the test "
        "should not find one."),
    "power_heading": "## What can be found with few contracts?",
    "power_intro": (
        "A buyer is found below the {target} target only when the gap is significant at the "
        "{alpha} level. With few followed contracts, even a buyer delivering far below the "
        "target often goes unnoticed. The table gives the probability of finding it (the "
        "*power* of the test, computed exactly from the binomial law) by number of followed "
        "contracts and true share of delivered contracts. For example, with {n} contracts, a "
        "buyer whose true share is {share} is found only {times} times in 10 ({power}). Below "
        "{smallest} contracts, even zero delivered contracts are not enough: the test cannot "
        "conclude. A small buyer that is not flagged has therefore not proved that it "
        "delivers."),
    "reading_heading": "## Reading these results",
    "reading": (
        "An interval that excludes no effect is evidence of an effect in its direction; one "
        "that includes it is not evidence of *no* effect, only of none detectable with these "
        "data. The intervals' reliability was checked by simulation. These are associations "
        "in observational data, not causes: works and services contracts also differ in ways "
        "the model does not see (trades, firms, follow-up by the facilitator)."),
}

#: Words shown for the codes of the research tables.
TERMS: dict[str, str] = {
    "newly_flagged": "Newly flagged", "cleared": "Cleared",
    "changed": "Other change", "unchanged": "Unchanged",
    "absent": "Absent that year",
    "clear": "clear change", "within noise": "within noise", "not comparable": "not comparable",
    "declared": "declared share", "effective": "delivered share",
    "supported": "Hypothesis supported", "opposite": "Effect opposite to the hypothesis",
    "not_supported": "Hypothesis not supported", "not_estimable": "Not estimable",
    "services": "services", "works": "works", "supplies": "supplies",
    "direct_hire": "direct hire", "insertion_structure": "insertion structure",
}

#: Research terms explained at the end of the reports: (term, explanation).
GLOSSARY: dict[str, tuple[str, str]] = {
    "declared_share": ("Declared share", "Share of assessable contracts that declare a "
                       "social consideration (clause, criterion or reserved contract)."),
    "effective_share": ("Delivered share", "Share of the contracts followed by the "
                        "facilitator whose delivery is verified."),
    "interval": ("95% confidence interval", "Range that holds the true value 95 times in "
                 "100; the more contracts, the narrower."),
    "newcombe": ("Year-over-year change", "Difference of two shares, in points, with its "
                 "95% interval computed by Newcombe's method (1998)."),
    "clear": ("Clear change", "Change whose 95% interval excludes 0."),
    "noise": ("Within noise", "Change whose 95% interval includes 0: chance can explain it."),
    "not_comparable": ("Not comparable", "The buyer was not judged on delivery in one of "
                       "the two years."),
    "series_break": ("Series break", "Change of national source on 1 January 2024: shares "
                     "before and after do not compare."),
    "odds_ratio": ("Odds ratio", "Ratio of the odds of an event between two groups; 1 = no "
                   "difference."),
    "p_value": ("p-value", "Probability of a gap at least as large if there were no effect; "
                "a small one points to an effect."),
    "power": ("Power", "Probability that a test finds a gap that really exists."),
    "prereg": ("Pre-registration", "Analysis protocol dated and frozen before seeing the "
               "results, identified by its digital fingerprint."),
}

#: Texts of the figures of the research reports, by figure.
FIGURE_TEXTS: dict[str, dict[str, str]] = {
    "trend": {
        "title": "Share of contracts with a social consideration: declared and delivered",
        "xlabel": "Year of notification",
        "ylabel": "Share of contracts",
        "declared_label": "Declared share (95% interval)",
        "effective_label": "Delivered share (95% interval)",
        "official_label": "Official national share (declared, contracts ≥ €90,000)",
        "target_label": "Target {target}",
        "series_break_label": "Series break: new national source ({date})",
        "obligation_label": "Social condition mandatory ({date})",
    },
    "buyers": {
        "title": "Declared and delivered share, buyer by buyer",
        "xlabel": "Year of notification",
        "ylabel": "Share of contracts",
        "declared_label": "Declared share",
        "effective_label": "Delivered share",
        "target_label": "Target {target}",
        "series_break_label": "Series break (2024)",
    },
    "changes": {
        "title": "Year-over-year change of the shares (all buyers)",
        "xlabel": "Change in percentage points (95% interval)",
        "declared_label": "Declared share",
        "effective_label": "Delivered share",
        "zero_label": "No change",
    },
    "forest": {
        "title": "Pre-registered hypotheses: estimated effect and 95% interval",
        "xlabel": "Effect (log of the ratio; 0 = no effect)",
        "not_estimable": "not estimable",
        "planted_label": "Value planted in the demonstration data",
        "estimate_label": "Estimated effect (95% interval)",
        "label_format": "{id}: {label}",
    },
}
