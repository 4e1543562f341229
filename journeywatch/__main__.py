"""`python -m journeywatch` is the `journeywatch` command."""

from .cli import main

main()
