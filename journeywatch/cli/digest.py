"""digest commands (filled in by their issue)."""
