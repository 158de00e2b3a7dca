"""The English prose of the yearly report pages (notebooks 01-04): the English half of
:data:`helpers.texts.TEXTS`.

Paragraphs are keyed ``"<page>.<paragraph>"`` (``01`` data quality, ``02`` declared share, ``03``
insertion outcomes, ``04`` declared versus delivered, ``all`` shared by every page) and written in
Markdown; :func:`helpers.texts.text` fills their ``{fields}``. The French twin is
:mod:`helpers.words.pages_fr`: both must have the same keys and the same fields
(``tests/test_report_html.py``).
"""

TEXTS: dict[str, str] = {
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
}
