"""OpenAPI 3.1 description of the worker's HTTP API (served at ``/api/v1/openapi.json``).

Every operation needs ``Authorization: Bearer <token>`` (401 without a known token, 403 when
its scope or tenants do not cover the request) except ``/health`` and the webhooks, which are
authenticated by their tenant's signing secret.
"""

from __future__ import annotations

from typing import Any

from streams.connectors.json_records import MAX_INTEGER
from streams.model import KINDS
from streams.records.validation import MAX_ID_LENGTH, MAX_TARGETS_HARD
from streams.web.bodies import MEDIA_TYPES

ID: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": MAX_ID_LENGTH}
OPTIONAL_ID: dict[str, Any] = {"type": ["string", "null"], "maxLength": MAX_ID_LENGTH}

INTERACTION: dict[str, Any] = {
    "type": "object",
    "required": ["event_id", "tenant", "source", "kind", "occurred_at", "actor"],
    "properties": {
        "event_id": {**ID, "description": "Unique per tenant (dedup key)."},
        "tenant": ID,
        "source": {**ID, "examples": ["slack", "github", "custom"]},
        "kind": {"enum": list(KINDS)},
        "occurred_at": {
            "oneOf": [
                {"type": "string", "format": "date-time"},
                {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": MAX_INTEGER,
                    "description": "epoch milliseconds",
                },
            ]
        },
        "actor": {**ID, "description": "Raw person id; pseudonymized by orgpulse."},
        "targets": {"type": "array", "items": ID, "maxItems": MAX_TARGETS_HARD},
        "thread_id": OPTIONAL_ID,
        "in_reply_to": OPTIONAL_ID,
        "channel": OPTIONAL_ID,
        "artifacts": {"type": "array", "items": ID},
        "weight": {"type": "number", "exclusiveMinimum": 0, "default": 1.0},
        "attributes": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}

RESULT: dict[str, Any] = {
    "type": "object",
    "required": ["accepted", "rejected", "failed", "results"],
    "properties": {
        "accepted": {"type": "integer"},
        "rejected": {"type": "integer"},
        "failed": {"type": "integer"},
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["index", "event_id", "status"],
                "properties": {
                    "index": {"type": "integer"},
                    "event_id": {"type": ["string", "null"]},
                    "status": {"enum": ["accepted", "rejected", "failed"]},
                    "reason": {"type": "string"},
                    "field": {"type": ["string", "null"]},
                },
            },
        },
    },
}

ERROR: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}},
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _errors(**descriptions: str) -> dict[str, Any]:
    """Error answers (``{"error": ...}``) by status: ``_errors(e404="...")``."""
    return {code[1:]: _json(_ref("Error"), text) for code, text in descriptions.items()}


DENIED = {
    "e401": "missing or unknown bearer token",
    "e403": "the token's scope or tenants do not cover the request",
}
TENANT: dict[str, Any] = {"name": "tenant", "in": "path", "required": True, "schema": ID}


def _tenant_read(summary: str, parameters: list[dict[str, Any]], **errors: str) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": [TENANT, *parameters],
            "responses": {
                "200": _json({"type": "object"}, summary),
                **_errors(**DENIED, e404="tenant not served by this worker (or unknown)", **errors),
            },
        }
    }


def _webhook(summary: str, headers: list[str]) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "security": [{"signature": []}],
            "parameters": [
                TENANT,
                *({"name": h, "in": "header", "schema": {"type": "string"}} for h in headers),
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            "responses": {
                "200": _json({"type": "object"}, "verified; what was produced and skipped"),
                **_errors(
                    e400="not a JSON object",
                    e401="missing, wrong or (Slack) stale signature",
                    e413="body too large",
                    e503="receiver disabled: no secret or pseudonym key configured",
                ),
            },
        }
    }


EVENTS: dict[str, Any] = {
    "post": {
        "summary": "Ingest interactions; accepted records are in Kafka when this returns",
        "description": (
            "UTF-8, either one JSON array of records or NDJSON (one record per line, lines "
            "split on \\n only). Each record is accepted or rejected on its own, with the "
            "field and reason; a token covering only some tenants gets the other tenants' "
            "records rejected."
        ),
        "requestBody": {
            "required": True,
            "content": {
                MEDIA_TYPES[0]: {"schema": {"type": "array", "items": _ref("Interaction")}},
                MEDIA_TYPES[1]: {"schema": _ref("Interaction")},
            },
        },
        "responses": {
            "200": _json(_ref("Result"), "every record accepted"),
            "207": _json(_ref("Result"), "some records rejected; see results"),
            "422": _json(_ref("Result"), "every record rejected"),
            "503": _json(
                {"anyOf": [_ref("Result"), _ref("Error")]},
                "delivery to Kafka failed (results), or ingest is disabled (error)",
            ),
            **_errors(
                **DENIED,
                e400="not UTF-8, or not a JSON array or NDJSON",
                e413="body or batch too large",
                e415=f"Content-Type is not {' or '.join(MEDIA_TYPES)} (UTF-8)",
            ),
        },
    }
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "orgpulse worker", "version": "1"},
    "security": [{"bearer": []}],
    "components": {
        "schemas": {"Interaction": INTERACTION, "Result": RESULT, "Error": ERROR},
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "signature": {
                "type": "apiKey",
                "in": "header",
                "name": "X-Hub-Signature-256",
                "description": "GitHub: X-Hub-Signature-256; Slack: X-Slack-Signature and "
                "X-Slack-Request-Timestamp; signed with the tenant's webhook secret",
            },
        },
    },
    "paths": {
        "/api/v1/events": EVENTS,
        "/api/v1/tenants/{tenant}/snapshot": _tenant_read(
            "Snapshot of a tenant's window (DESIGN §5 shape)",
            [{"name": "window", "in": "query", "schema": {"type": "string"}}],
            e400="unknown window",
        ),
        "/api/v1/tenants/{tenant}/knowledge": _tenant_read(
            "Knowledge section of a tenant (experts, bus factor)", []
        ),
        "/api/v1/openapi.json": {
            "get": {
                "summary": "This document",
                "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1"), **_errors(**DENIED)},
            }
        },
        "/metrics": {
            "get": {
                "summary": "Prometheus metrics (a tenant-limited token sees its tenants only)",
                "responses": {
                    "200": {
                        "description": "text exposition",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    },
                    **_errors(**DENIED),
                },
            }
        },
        "/health": {
            "get": {
                "summary": "Ready once tables are recovered",
                "security": [],
                "responses": {
                    "200": _json({"type": "object"}, "ok"),
                    "503": _json({"type": "object"}, "starting"),
                },
            }
        },
        "/webhooks/github/{tenant}": _webhook(
            "GitHub webhook deliveries",
            ["X-GitHub-Event", "X-GitHub-Delivery", "X-Hub-Signature-256"],
        ),
        "/webhooks/slack/{tenant}": _webhook(
            "Slack Events API requests",
            ["X-Slack-Request-Timestamp", "X-Slack-Signature"],
        ),
    },
}
