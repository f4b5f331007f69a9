"""orgpulse: live organizational network analysis."""
