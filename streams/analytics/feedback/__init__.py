"""Feedback loops: request → first-response pairing (:mod:`tracker`) and the window
statistics and metric labels of requests (:mod:`stats`).
"""

from streams.analytics.feedback.stats import FeedbackRules, Request, open_by_age, window_stats
from streams.analytics.feedback.tracker import FeedbackFacts, FeedbackTracker

__all__ = [
    "FeedbackFacts",
    "FeedbackRules",
    "FeedbackTracker",
    "Request",
    "open_by_age",
    "window_stats",
]
