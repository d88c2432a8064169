"""The managers' report: figures from the tables, a chart, a CSV, and the weekly post."""
