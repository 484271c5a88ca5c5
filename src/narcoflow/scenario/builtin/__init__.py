"""Built-in scenario files (YAML)."""
