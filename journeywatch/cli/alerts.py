"""alerts commands (filled in by their issue)."""
