"""Every word of the research reports (trends across years, pre-registered hypotheses), in French
(default) and English.

A Markdown cell of a notebook cannot depend on the run's ``language`` parameter, so the prose of
these two reports lives here, one table per language (:data:`TEXTS`), and is displayed by
:func:`say`. Texts may hold ``{fields}`` filled in by the caller with numbers already formatted for
the language (:mod:`helpers.fmt`).

Besides the prose:

- :data:`TERMS` — the words shown for the codes of the research tables (kinds of verdict change,
  certainty of a change, hypothesis outcome, sectors and groups); :func:`term` looks a code up there,
  then among the statuses and verdicts of :mod:`helpers.labels`;
- :data:`GLOSSARY` — the research terms explained at the end of each report (:func:`glossary_frame`);
- :func:`figure_texts` — the keyword arguments (titles, axis labels, legend entries, number format)
  of the figures of these reports in one language.

French wording avoids code names and anglicisms: a verdict change reads "dans le bruit", not
"within noise".
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from . import fmt
from . import labels as _labels

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
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
    },
    "en": {
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
    },
}

#: Words shown for the codes of the research tables.
TERMS: dict[str, dict[str, str]] = {
    "fr": {
        "newly_flagged": "Nouvellement signalé", "cleared": "Signalement levé",
        "changed": "Autre changement", "unchanged": "Inchangé",
        "absent": "Absent cette année-là",
        "clear": "écart net", "within noise": "dans le bruit", "not comparable": "non comparable",
        "declared": "part déclarée", "effective": "part réalisée",
        "supported": "Hypothèse confirmée", "opposite": "Effet contraire à l'hypothèse",
        "not_supported": "Hypothèse non confirmée", "not_estimable": "Non estimable",
        "services": "services", "works": "travaux", "supplies": "fournitures",
        "direct_hire": "embauche directe", "insertion_structure": "structure d'insertion",
    },
    "en": {
        "newly_flagged": "Newly flagged", "cleared": "Cleared",
        "changed": "Other change", "unchanged": "Unchanged",
        "absent": "Absent that year",
        "clear": "clear change", "within noise": "within noise", "not comparable": "not comparable",
        "declared": "declared share", "effective": "delivered share",
        "supported": "Hypothesis supported", "opposite": "Effect opposite to the hypothesis",
        "not_supported": "Hypothesis not supported", "not_estimable": "Not estimable",
        "services": "services", "works": "works", "supplies": "supplies",
        "direct_hire": "direct hire", "insertion_structure": "insertion structure",
    },
}

#: Research terms explained at the end of the reports: (term, explanation).
GLOSSARY: dict[str, dict[str, tuple[str, str]]] = {
    "fr": {
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
    },
    "en": {
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
    },
}

#: Glossary entries of each report.
TRENDS_GLOSSARY = ("declared_share", "effective_share", "interval", "newcombe", "clear", "noise",
                   "not_comparable", "series_break")
HYPOTHESES_GLOSSARY = ("interval", "odds_ratio", "p_value", "power", "prereg")

#: Texts of the figures of the research reports, by figure.
FIGURE_TEXTS: dict[str, dict[str, dict[str, str]]] = {
    "fr": {
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
    },
    "en": {
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
    },
}


def text(key: str, lang: str = "fr", **fields: Any) -> str:
    """The text ``key`` in ``lang`` with its ``{fields}`` filled in; ``KeyError`` naming a missing
    key."""
    table = TEXTS[fmt.check_lang(lang)]
    if key not in table:
        raise KeyError(f"no {lang} research text {key!r}: add it to helpers.texts_research.TEXTS")
    body = table[key].format(**fields) if fields else table[key]
    return french_spaces(body) if lang == "fr" else body


def french_spaces(body: str) -> str:
    """French typography: a no-break space before ``%``, ``:``, ``?`` and ``!`` and a narrow one
    before ``;``, so that a sign never starts a line (``30 %``, ``Objectif : …``)."""
    for sign, space in (("%", fmt.NBSP), (":", fmt.NBSP), ("?", fmt.NBSP), ("!", fmt.NBSP),
                        (";", fmt.NNBSP)):
        body = body.replace(f" {sign}", f"{space}{sign}")
    return body


def say(key: str, lang: str = "fr", **fields: Any) -> None:
    """Display :func:`text` as Markdown in the notebook (printed outside IPython)."""
    body = text(key, lang, **fields)
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:  # pragma: no cover - IPython is a dependency of ipykernel
        print(body)
        return
    if get_ipython() is None:
        print(body)
        return
    display(Markdown(body))


def show_md(body: str) -> None:
    """Display a Markdown text built elsewhere (a sentence with computed numbers)."""
    from IPython.display import Markdown, display

    display(Markdown(body))


def term(code: str, lang: str = "fr") -> str:
    """The word shown for ``code``: :data:`TERMS`, then the statuses and verdicts of
    :mod:`helpers.labels`; an unknown code is returned as written (never an error in a report)."""
    table = TERMS[fmt.check_lang(lang)]
    if code in table:
        return table[code]
    try:
        return _labels.label(str(code), lang)
    except KeyError:
        return str(code)


def percent_formatter(lang: str = "fr"):  # noqa: ANN201 - a figures.Percent callable
    """A ``percent(value, digits)`` callable for the figures, in ``lang``'s number format."""
    return functools.partial(_percent, lang=fmt.check_lang(lang))


def _percent(value: float, digits: int = 0, *, lang: str = "fr") -> str:
    return fmt.share(value, lang, digits)


def figure_texts(figure: str, lang: str = "fr") -> dict[str, Any]:
    """Keyword arguments of a research figure (``"trend"``, ``"buyers"``, ``"changes"``,
    ``"forest"``) in ``lang``: its texts and, for share axes, the ``percent`` formatter."""
    out: dict[str, Any] = dict(FIGURE_TEXTS[fmt.check_lang(lang)][figure])
    if figure in ("trend", "buyers"):
        out["percent"] = percent_formatter(lang)
        out["date_text"] = functools.partial(fmt.date, lang=lang)
    if figure == "changes":
        out["number"] = functools.partial(_points_number, lang=lang)
    if figure == "forest":
        out["number"] = functools.partial(_points_number, lang=lang, digits=1)
    return out


def _points_number(value: float, *, lang: str = "fr", digits: int = 0) -> str:
    """A tick value in ``lang``'s format with a true minus sign (U+2212): ``-1.5`` → ``−1,5``."""
    return fmt.number(value, lang, digits).replace("-", "\u2212")


def glossary_frame(lang: str = "fr", entries: Iterable[str] = TRENDS_GLOSSARY,
                   verdicts: Iterable[str] = (), params: Mapping[str, Any] | None = None
                   ) -> pd.DataFrame:
    """The glossary of a research report: the research ``entries`` of :data:`GLOSSARY`, then the
    ``verdicts`` (labels and rules of :func:`helpers.labels.glossary`), columns "Terme"/"Term" and
    "Définition"/"Definition", indexed from 1."""
    head = ("Terme", "Définition") if lang == "fr" else ("Term", "Definition")
    rows = [GLOSSARY[fmt.check_lang(lang)][e] for e in entries]
    codes = list(verdicts)
    if codes:
        rows += [(g["label"], g["rule"]) for g in _labels.glossary(lang, codes, params)]
    out = pd.DataFrame(rows, columns=list(head))
    out.index = range(1, len(out) + 1)
    return out


def glossary_markdown(lang: str = "fr", entries: Iterable[str] = TRENDS_GLOSSARY,
                      verdicts: Iterable[str] = (), params: Mapping[str, Any] | None = None) -> str:
    """:func:`glossary_frame` as a Markdown list (``- **Terme** : définition``), easier to read than
    a table of long texts."""
    frame = glossary_frame(lang, entries, verdicts, params)
    colon = f"{fmt.NBSP}:" if lang == "fr" else ":"
    body = "\n".join(f"- **{t}**{colon} {d}" for t, d in frame.itertuples(index=False))
    return french_spaces(body) if lang == "fr" else body


__all__ = ["FIGURE_TEXTS", "GLOSSARY", "HYPOTHESES_GLOSSARY", "TERMS", "TEXTS", "TRENDS_GLOSSARY",
           "figure_texts", "french_spaces", "glossary_frame", "glossary_markdown", "percent_formatter",
           "say", "show_md", "term", "text"]
