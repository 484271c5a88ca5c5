"""Views of results for people: figures and the self-contained HTML report."""

from narcoflow.report.html import write_report

__all__ = ["write_report"]
