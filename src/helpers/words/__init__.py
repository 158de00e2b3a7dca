"""Every word a reader of the reports sees, one module per kind of word and per language.

The words are plain dictionaries, with no code, so that a translator can work on one language
without reading the rest of the package:

- ``labels_fr`` / ``labels_en`` — the labels of the codes: contract statuses and buyer verdicts with
  their rules, indicator names, column headers, figure texts, the fixed texts of the one-page
  summary, the declared considerations, the rows of the pages' tables and the words of the index
  pages. Read through :mod:`helpers.labels` (:func:`helpers.labels.label`, ``labels.STATUS``…);
- ``pages_fr`` / ``pages_en`` — the prose of the yearly report pages (notebooks 01-04), keyed
  ``"<page>.<paragraph>"``. Read through :mod:`helpers.texts` (:func:`helpers.texts.text`,
  ``texts.TEXTS``);
- ``research_fr`` / ``research_en`` — the prose, terms, glossary and figure texts of the research
  reports (notebooks 05 trends and 06 hypotheses). Read through :mod:`helpers.texts_research`.

Those three modules pair the two languages into tables ``{"fr": {...}, "en": {...}}`` (their public
names have not changed); the rest of the package imports them, never this package.

To change or add a word, edit the same key in both language modules of its kind; a new key needs
both languages. Texts may hold ``{fields}`` (filled with the run's values or by the caller); a text
and its translation must expect the same fields. The tests check both languages have the same keys
and fields: ``tests/test_labels.py`` (labels and rules), ``tests/test_report_html.py`` (yearly pages)
and ``tests/test_texts_research.py`` (research reports).

To add a language (say ``de``): write ``labels_de``, ``pages_de`` and ``research_de`` with the same
names and keys as the French modules, add ``"de": ...`` to every table of :mod:`helpers.labels`,
:mod:`helpers.texts` and :mod:`helpers.texts_research`, and add the language to the number and date
formats (``helpers.fmt.LANGUAGES`` and its Babel locale), to the run parameters
(``helpers.config.LANGUAGES``) and to the report pages' language checks in :mod:`helpers.report`.
"""
