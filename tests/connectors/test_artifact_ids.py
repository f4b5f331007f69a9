"""URL normalization, artifact ids and URL extraction shared by the importers."""

from __future__ import annotations

import hashlib

import pytest

from streams.connectors.artifacts import artifact_id, artifact_ids, find_urls, normalize_url


def expected_id(normalized: str) -> str:
    """``a_`` + the first 32 hex digits of SHA-256 of an already normalized URL."""
    return "a_" + hashlib.sha256(normalized.encode()).hexdigest()[:32]


@pytest.mark.parametrize(
    ("url", "normalized"),
    [
        ("HTTPS://Docs.Example.COM/Guide", "https://docs.example.com/Guide"),
        ("http://x.test:80/a", "http://x.test/a"),
        ("https://x.test:443/a", "https://x.test/a"),
        ("http://x.test:443/a", "http://x.test:443/a"),
        ("https://x.test:8443/a", "https://x.test:8443/a"),
        ("https://x.test/a#section-2", "https://x.test/a"),
        ("https://x.test/a?utm_source=s&UTM_Medium=m&id=3", "https://x.test/a?id=3"),
        ("https://x.test/a?fbclid=abc&gclid=def&q=1", "https://x.test/a?q=1"),
        ("https://x.test/a?b=2&a=1&a=0", "https://x.test/a?a=0&a=1&b=2"),
        ("https://x.test/a?flag=&b=1", "https://x.test/a?b=1&flag="),
        ("https://x.test/a?q=a%20b", "https://x.test/a?q=a+b"),
        ("https://x.test/a/", "https://x.test/a"),
        ("https://x.test/", "https://x.test"),
        ("https://x.test/?utm_campaign=launch", "https://x.test"),
        ("http://[::1]:80/x", "http://[::1]/x"),
        ("https://User@X.test/a", "https://User@x.test/a"),
        ("  https://x.test/a  ", "https://x.test/a"),
        ("https://X.test:abc/a", "https://x.test:abc/a"),
    ],
)
def test_normalize_url(url: str, normalized: str) -> None:
    assert normalize_url(url) == normalized


def test_artifact_id_hashes_the_normalized_url() -> None:
    url = "HTTPS://Wiki.Acme.Test:443/Runbooks/Deploy/?utm_source=slack#top"
    assert artifact_id(url) == expected_id("https://wiki.acme.test/Runbooks/Deploy")
    assert len(artifact_id(url)) == 34


def test_equivalent_spellings_share_an_id_and_paths_stay_case_sensitive() -> None:
    assert artifact_id("https://x.test/a?b=1&a=2") == artifact_id("https://X.TEST/a/?a=2&b=1#f")
    assert artifact_id("https://x.test/A") != artifact_id("https://x.test/a")
    assert artifact_id("http://x.test/a") != artifact_id("https://x.test/a")


def test_artifact_ids_are_distinct_in_first_seen_order() -> None:
    urls = ["https://b.test/", "https://a.test", "https://B.test", "https://a.test/#x"]
    assert artifact_ids(urls) == (
        expected_id("https://b.test"),
        expected_id("https://a.test"),
    )


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        ("see https://x.test/a.", ["https://x.test/a"]),
        ("(see https://x.test/a), ok?", ["https://x.test/a"]),
        ("https://en.wiki.test/Foo_(bar) and more", ["https://en.wiki.test/Foo_(bar)"]),
        ('href="https://x.test/q?a=1&b=2">', ["https://x.test/q?a=1&b=2"]),
        ("two: http://a.test/1, HTTPS://b.test/2!", ["http://a.test/1", "HTTPS://b.test/2"]),
        ("mailto:bob@x.test ftp://files.test/a www.x.test", []),
        ("", []),
    ],
)
def test_find_urls(text: str, urls: list[str]) -> None:
    assert find_urls(text) == urls
