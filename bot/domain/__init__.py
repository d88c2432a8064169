"""The domain: calendar, policy, services, reports, the sweep. No Slack, no handlers."""
