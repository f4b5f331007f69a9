"""Fuzzing the real worker over HTTP: schemathesis cases from the OpenAPI document, hostile
ingest bodies and content types, and correctly signed but hostile webhook deliveries, with
and without valid credentials. No answer may be a 5xx and the worker log must show no
unhandled exception."""

from __future__ import annotations

import json
import secrets
import string
import time
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from support.json_values import hostile_bodies, interaction_like, json_values, mutations
from support.worker import WorkerProcess

from integration.test_webhooks import (
    DELIVERIES,
    GITHUB_SECRET,
    SLACK_MESSAGE,
    SLACK_SECRET,
    github_headers,
    slack_headers,
)
from streams.access import add_token, set_secret, tokens_path, webhook_secrets_path
from streams.settings import Settings
from streams.web.openapi import OPENAPI

TENANT = "acme"
UNHANDLED = ("Traceback", "Error handling request", "Unhandled exception")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CONTENT_TYPES = [
    "application/json",
    "application/x-ndjson",
    "application/json; charset=utf-8",
    "APPLICATION/X-NDJSON;charset=UTF-8",
]
WRONG_CONTENT_TYPES = ["", "text/plain", "application/xml", "application/json; charset=latin-1"]
FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@schemathesis.serializer("application/x-ndjson")
def ndjson(context: schemathesis.SerializationContext, value: Any) -> bytes:
    """One record per line, as the ingest endpoint reads NDJSON."""
    return (json.dumps(value) + "\n").encode()


SCHEMA = schemathesis.openapi.from_dict(OPENAPI)
AnyCase = Case[Any]


def protected(case: AnyCase) -> bool:
    """Whether the operation needs a bearer token (all but /health and the webhooks)."""
    return case.operation.path != "/health" and not case.operation.path.startswith("/webhooks/")


def operations() -> st.SearchStrategy[AnyCase]:
    """Cases of every operation: schema-valid, and schema-violating where anything can be."""
    strategies = []
    for path, methods in OPENAPI["paths"].items():
        for method, definition in methods.items():
            operation = SCHEMA[path][method.upper()]
            strategies.append(operation.as_strategy(GenerationMode.POSITIVE))
            if "parameters" in definition or "requestBody" in definition:
                strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))
    return st.one_of(strategies)


class Client:
    """Sends requests to the worker with one of several credentials; counts them."""

    def __init__(self, worker: WorkerProcess, limited_token: str) -> None:
        self.worker = worker
        self.session = requests.Session()
        self.sent = 0
        self.credentials: dict[str, dict[str, str]] = {
            "token": worker.auth(),
            "limited": worker.auth(limited_token),
            "unknown": worker.auth(secrets.token_urlsafe(32)),
            "empty": {"Authorization": "Bearer "},
            "none": {},
        }

    def call(self, case: AnyCase, credential: str) -> schemathesis.Response:
        """Send ``case`` with ``credential`` and validate the answer against the document."""
        response = case.call(
            base_url=self.worker.base,
            session=self.session,
            headers=self.credentials[credential],
            timeout=30,
        )
        self.sent += 1
        case.validate_response(response, checks=CHECKS)
        if protected(case) and credential in ("unknown", "empty", "none"):
            assert response.status_code == 401, (case.operation.label, credential)
        return response

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> requests.Response:
        """POST raw bytes with exactly ``headers``."""
        response = self.session.post(
            f"{self.worker.base}{path}", data=body, headers=headers, timeout=30
        )
        self.sent += 1
        assert response.status_code < 500, (path, response.status_code, response.text)
        return response


header_texts = st.text(st.sampled_from(string.ascii_letters + string.digits + "_-."), max_size=12)
FIXTURE_DELIVERIES = json.loads(DELIVERIES.read_text())
github_deliveries = st.sampled_from(FIXTURE_DELIVERIES).flatmap(
    lambda item: st.tuples(
        st.just(item["event"]) | st.just("ping") | header_texts,
        mutations(item["payload"]).map(lambda payload: json.dumps(payload).encode())
        | hostile_bodies,
    )
)
"""(event, body) of the fixture deliveries, with hostile values anywhere in them."""
ISSUE = FIXTURE_DELIVERIES[0]["payload"]
ISSUE_AT_INFINITY = json.dumps({**ISSUE, "issue": {**ISSUE["issue"], "number": 1e400}}).encode()
ISSUE_AT_400_DIGIT_SECONDS = json.dumps(
    {**ISSUE, "issue": {**ISSUE["issue"], "updated_at": "9" * 400}}
).encode()
slack_bodies = (
    mutations(json.loads(SLACK_MESSAGE)).map(lambda payload: json.dumps(payload).encode())
    | hostile_bodies
)


@pytest.fixture
def access(pipeline: Settings) -> str:
    """Webhook secrets for :data:`TENANT`; a read-only token for another tenant (returned)."""
    path = webhook_secrets_path(pipeline)
    set_secret(path, TENANT, "github", GITHUB_SECRET)
    set_secret(path, TENANT, "slack", SLACK_SECRET)
    return add_token(tokens_path(pipeline), ["globex"], ["read"])[1]


def test_fuzzing_the_worker_finds_no_server_error(access: str, worker: WorkerProcess) -> None:
    client = Client(worker, access)

    @FUZZ
    @given(case=operations(), credential=st.sampled_from(sorted(client.credentials)))
    def documented_operations(case: AnyCase, credential: str) -> None:
        client.call(case, credential)

    @FUZZ
    @given(
        body=hostile_bodies
        | st.lists(interaction_like | json_values, min_size=1, max_size=4).map(
            lambda items: json.dumps(items).encode()
        ),
        content_type=st.sampled_from(CONTENT_TYPES + WRONG_CONTENT_TYPES),
    )
    def ingest_bodies(body: bytes, content_type: str) -> None:
        headers = {"Content-Type": content_type, **worker.auth()}
        status = client.post("/api/v1/events", body, headers).status_code
        assert status in {200, 207, 400, 413, 415, 422}
        assert (status == 415) == (content_type in WRONG_CONTENT_TYPES), (content_type, status)

    @FUZZ
    @given(delivery=github_deliveries)
    @example(delivery=("issues", ISSUE_AT_INFINITY))
    @example(delivery=("issues", ISSUE_AT_400_DIGIT_SECONDS))
    def signed_github_deliveries(delivery: tuple[str, bytes]) -> None:
        event, body = delivery
        headers = {"Content-Type": "application/json", **github_headers(body, event)}
        status = client.post(f"/webhooks/github/{TENANT}", body, headers).status_code
        assert status in {200, 400, 413}, (event, status)

    @FUZZ
    @given(body=slack_bodies)
    def signed_slack_requests(body: bytes) -> None:
        headers = {"Content-Type": "application/json", **slack_headers(body, time.time())}
        status = client.post(f"/webhooks/slack/{TENANT}", body, headers).status_code
        assert status in {200, 400, 413}, status

    documented_operations()
    ingest_bodies()
    signed_github_deliveries()
    signed_slack_requests()
    print(f"HTTP fuzzing: {client.sent} requests, no 5xx")
    log = worker.log_path.read_text(errors="replace")
    assert not [line for line in log.splitlines() if any(u in line for u in UNHANDLED)]
