"""Social Clause Audit: declared versus real social impact of public procurement.

All the logic the notebooks call lives in this package; the notebooks stay thin.
"""

__version__ = "0.1.0"
