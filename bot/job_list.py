"""Importing this module registers every periodic job (one import line per feature)."""
import bot.sweep  # noqa: F401  (windows: reminders and alerts)
