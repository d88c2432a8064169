"""Every periodic job the bot runs, in the order a round runs them.

Add a job by adding its feature's `JOB` to this list (and nothing else: no job registers
itself because its module was imported).
"""

from __future__ import annotations

from bot.domain import sweep
from bot.domain.jobs import Job
from bot.domain.reports import weekly
from bot.domain.services import (
    absences,
    assist,
    closing,
    closures,
    directory_sync,
    late_visitors,
    planned_absences,
    retention,
)

JOBS: tuple[Job, ...] = (
    closures.JOB,  # run-time closures reach every process (before deadlines are read)
    planned_absences.JOB,  # a planned absence begins at its instant, with its hand-over
    absences.JOB,  # out of office ends by itself
    sweep.JOB,  # windows: reminders and alerts
    assist.JOB,  # a call for help nobody answered: alerted again, louder
    late_visitors.JOB,  # an expected visitor who has not come: the host told once
    closing.JOB,  # who is on site at closing (and who never came)
    weekly.JOB,  # the weekly report to the managers' channel
    retention.JOB,  # personal data anonymised after retention
    directory_sync.JOB,  # the people directory from users.list, about hourly (last: it waits on Slack)
)
