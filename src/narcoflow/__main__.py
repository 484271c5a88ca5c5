"""``python -m narcoflow`` — the same as the ``narcoflow`` command."""

from narcoflow.cli import app

if __name__ == "__main__":
    app()
