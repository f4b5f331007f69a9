"""Knowledge artifacts (links) shared in messages: URL normalization and hashed artifact ids.

The same document is linked in many spellings, so a URL is normalized before it is hashed:

- scheme and host are lower-cased, a default port (``:80`` for http, ``:443`` for https) and
  the fragment are dropped, user info is kept;
- tracking query parameters (``utm_*`` and the click ids in :data:`TRACKING_PARAMS`) are
  dropped, the remaining ones are sorted (by name, then value) and re-encoded;
- a trailing ``/`` of the path is stripped (``https://x.test/`` = ``https://x.test``).

The artifact id is ``a_`` + the first 32 hex digits of SHA-256 of the normalized URL: stable
across tenants and sources, and the link itself never reaches Kafka.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

PREFIX = "a_"
DIGEST_CHARS = 32
DEFAULT_PORTS = {"http": 80, "https": 443}
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid"})
_BARE_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?'\""
_CLOSERS = {")": "(", "]": "[", "}": "{"}


def _netloc(parts: SplitResult) -> str:
    scheme = parts.scheme.lower()
    userinfo, _, hostport = parts.netloc.rpartition("@")
    try:
        port = parts.port
    except ValueError:
        return parts.netloc.lower()
    host = hostport.lower() if port is None else hostport.rsplit(":", 1)[0].lower()
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    return f"{userinfo}@{host}" if userinfo else host


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("utm_") or lowered in TRACKING_PARAMS


def normalize_url(url: str) -> str:
    """The canonical spelling of ``url`` (see the module docstring for the rules)."""
    parts = urlsplit(url.strip())
    query = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(name)
    )
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), _netloc(parts), path, urlencode(query), ""))


def artifact_id(url: str) -> str:
    """The hashed artifact id of ``url``: ``a_`` + 32 hex digits of SHA-256(normalized url)."""
    digest = hashlib.sha256(normalize_url(url).encode()).hexdigest()
    return PREFIX + digest[:DIGEST_CHARS]


def _trim(url: str) -> str:
    """``url`` without trailing sentence punctuation or closing brackets it did not open."""
    while url:
        last = url[-1]
        if last in _TRAILING_PUNCTUATION or (
            last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last])
        ):
            url = url[:-1]
        else:
            break
    return url


def find_urls(text: str) -> list[str]:
    """The bare http(s) URLs in free text, in order, without trailing punctuation."""
    return [url for url in (_trim(m.group()) for m in _BARE_URL.finditer(text)) if url]


def artifact_ids(urls: Iterable[str]) -> tuple[str, ...]:
    """The distinct artifact ids of ``urls``, in first-seen order."""
    return tuple(dict.fromkeys(artifact_id(url) for url in urls))
