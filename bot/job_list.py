"""Importing this module registers every periodic job (one import line per feature)."""
