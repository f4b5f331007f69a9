"""OpenAPI 3.1 description of the worker's HTTP API."""

from __future__ import annotations

from typing import Any

from streams.model import KINDS

INTERACTION: dict[str, Any] = {
    "type": "object",
    "required": ["event_id", "tenant", "source", "kind", "occurred_at", "actor"],
    "properties": {
        "event_id": {"type": "string", "description": "Unique per tenant (dedup key)."},
        "tenant": {"type": "string"},
        "source": {"type": "string", "examples": ["slack", "github", "custom"]},
        "kind": {"enum": list(KINDS)},
        "occurred_at": {
            "oneOf": [
                {"type": "string", "format": "date-time"},
                {"type": "integer", "description": "epoch milliseconds"},
            ]
        },
        "actor": {"type": "string", "description": "Raw person id; pseudonymized by orgpulse."},
        "targets": {"type": "array", "items": {"type": "string"}, "maxItems": 1000},
        "thread_id": {"type": ["string", "null"]},
        "in_reply_to": {"type": ["string", "null"]},
        "channel": {"type": ["string", "null"]},
        "artifacts": {"type": "array", "items": {"type": "string"}},
        "weight": {"type": "number", "exclusiveMinimum": 0, "default": 1.0},
        "attributes": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}

RESULT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "accepted": {"type": "integer"},
        "rejected": {"type": "integer"},
        "failed": {"type": "integer"},
        "results": {
            "type": "array",
            "items": {
                "type": "object",
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


def _answer(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Result"}}},
    }


OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "orgpulse worker", "version": "1"},
    "components": {
        "schemas": {"Interaction": INTERACTION, "Result": RESULT},
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    },
    "paths": {
        "/api/v1/events": {
            "post": {
                "summary": "Ingest interactions; accepted records are in Kafka when this returns",
                "security": [{"bearer": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/Interaction"},
                            }
                        },
                        "application/x-ndjson": {
                            "schema": {"$ref": "#/components/schemas/Interaction"}
                        },
                    },
                },
                "responses": {
                    "200": _answer("every record accepted"),
                    "207": _answer("some records rejected; see results"),
                    "422": _answer("every record rejected"),
                    "503": _answer("delivery to Kafka failed, or ingest is disabled"),
                    "400": {"description": "not a JSON array or NDJSON"},
                    "401": {"description": "missing or wrong bearer token"},
                    "413": {"description": "body or batch too large"},
                },
            }
        },
        "/api/v1/tenants/{tenant}/snapshot": {
            "get": {
                "summary": "Snapshot of a tenant's window (DESIGN §5 shape)",
                "parameters": [
                    {
                        "name": "tenant",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "window",
                        "in": "query",
                        "schema": {"type": "string", "default": "7d"},
                    },
                ],
                "responses": {
                    "200": {"description": "the snapshot"},
                    "404": {"description": "tenant not served by this worker"},
                },
            }
        },
        "/metrics": {
            "get": {
                "summary": "Prometheus metrics",
                "responses": {"200": {"description": "text exposition"}},
            }
        },
        "/health": {
            "get": {
                "summary": "Ready once tables are recovered",
                "responses": {"200": {"description": "ok"}, "503": {"description": "starting"}},
            }
        },
    },
}
