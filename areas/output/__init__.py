"""Output: labels and number formats, charts, table writers, maps and reports.

The wing reads computed frames; it does no analysis of its own.
"""
