"""Feedback loops: request/response pairing and window feedback statistics."""
