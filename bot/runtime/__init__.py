"""The runtime: the Bolt app, the CLI, serve, the worker, the outbox sender."""
