"""Importing this module registers every periodic job (one import line per feature)."""

import bot.reports.weekly  # noqa: F401  (the weekly report to the managers' channel)
import bot.services.absences  # noqa: F401  (out of office ends by itself)
import bot.services.closing  # noqa: F401  (who is on site at closing)
import bot.services.closures  # noqa: F401  (run-time closures reach every process)
import bot.services.retention  # noqa: F401  (personal data anonymised after retention)
import bot.sweep  # noqa: F401  (windows: reminders and alerts)
