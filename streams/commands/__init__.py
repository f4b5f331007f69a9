"""The ``orgpulse`` subcommands, one module each; :mod:`streams.cli` registers them."""
