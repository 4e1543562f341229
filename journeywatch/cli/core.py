"""init, run and db commands (see flows/monitor.py for the run itself)."""
