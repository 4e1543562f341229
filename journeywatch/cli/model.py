"""model commands (filled in by their issue)."""
