"""Webhook signature checks against signatures computed as the vendors document them."""

from __future__ import annotations

import hashlib
import hmac

from streams.web.signatures import github_valid, slack_problem

SECRET = b"It's a Secret to Everybody"


def test_github_example_from_its_documentation() -> None:
    # GitHub's documented test vector for validating webhook deliveries
    signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert github_valid(SECRET, b"Hello, World!", signature)
    assert not github_valid(SECRET, b"Hello, World?", signature)
    assert not github_valid(b"other", b"Hello, World!", signature)
    assert not github_valid(SECRET, b"Hello, World!", None)
    assert not github_valid(SECRET, b"Hello, World!", signature.replace("sha256=", "sha1="))


def slack_signature(secret: bytes, timestamp: str, body: bytes) -> str:
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()


def test_slack_valid_tampered_and_stale() -> None:
    body = b'{"type":"event_callback"}'
    signature = slack_signature(SECRET, "1700000000", body)
    assert slack_problem(SECRET, body, "1700000000", signature, now=1700000100) is None
    assert (
        slack_problem(SECRET, body + b" ", "1700000000", signature, 1700000100) == "bad signature"
    )
    assert slack_problem(SECRET, body, "1700000000", signature, 1700000301) == "stale timestamp"
    assert slack_problem(SECRET, body, None, signature, 1700000000) == "missing signature headers"
