"""``python -m narcoflow`` runs the command-line interface."""

from narcoflow.cli import app

app(prog_name="narcoflow")
