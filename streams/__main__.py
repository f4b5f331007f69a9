"""``python -m streams``: the orgpulse command line."""

from streams.cli import main

main()
