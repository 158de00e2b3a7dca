"""Readers: every supported input file -> canonical tables (see helpers.schemas)."""
