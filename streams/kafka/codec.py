"""Avro codec for the records orgpulse puts on Kafka: Interaction (single or in an
InteractionBatch envelope), Person and Alert.

Wire formats (DESIGN.md §2):

- single-object encoding, the default: ``C3 01``, the 8-byte little-endian CRC-64-AVRO
  fingerprint of the writer schema's Parsing Canonical Form, then the Avro binary body;
- Confluent Schema Registry framing when a registry URL is configured: ``00``, the 4-byte
  big-endian schema id, then the body. Such a codec decodes both framings (mixed topics while
  migrating) and encodes Confluent framing through confluent-kafka's ``AvroSerializer``.

Records are plain dicts; ``timestamp-millis`` fields are int milliseconds both ways. Decoding
resolves the writer schema (found by fingerprint or registry id) to the codec's schema with Avro
schema resolution, so a reader on a newer schema reads events written with an older one. Every
failure is a :class:`CodecError` with a ``reason`` from :data:`REASONS`.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from io import BytesIO
from typing import Any, Generic, Literal, TypeVar, cast, get_args

from confluent_kafka.schema_registry import Schema as RegistrySchema
from confluent_kafka.schema_registry import SchemaRegistryClient, record_subject_name_strategy
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.schema_registry.common._httpx_compat import httpx  # the client's own httpx
from confluent_kafka.schema_registry.error import SchemaRegistryError
from fastavro import schemaless_reader, schemaless_writer
from fastavro.read import SchemaResolutionError

from streams.kafka import schemas
from streams.kafka.schemas import Schema
from streams.model import Alert, Interaction, InteractionBatch, Person
from streams.settings import Settings, get_settings

Reason = Literal[
    "empty",
    "bad_magic",
    "truncated",
    "unknown_schema",
    "incompatible_schema",
    "malformed",
    "trailing_bytes",
    "schema_violation",
    "registry_error",
]
REASONS: tuple[Reason, ...] = get_args(Reason)
"""Why a record could not be encoded or decoded (the DLQ ``reason``).

empty: no bytes. bad_magic: the first bytes are no known framing. truncated: the bytes end
inside the header or body. unknown_schema: the fingerprint / registry id is not a known writer
schema. incompatible_schema: the writer schema cannot be resolved to the codec's schema.
malformed: the body is not valid Avro for its writer schema (bad enum or union index, invalid
UTF-8, negative length, ...). trailing_bytes: bytes left after the body. schema_violation
(encode): the record does not match the schema. registry_error: the schema registry failed or
refused a request; it says nothing about the message and is usually worth a retry.
"""

SINGLE_OBJECT_MAGIC = b"\xc3\x01"
CONFLUENT_MAGIC = b"\x00"
_SINGLE_OBJECT_HEADER = len(SINGLE_OBJECT_MAGIC) + 8
_CONFLUENT_HEADER = len(CONFLUENT_MAGIC) + 4

R = TypeVar("R")


class CodecError(ValueError):
    """A record that cannot be encoded, or bytes that cannot be decoded; see :data:`REASONS`."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason: Reason = reason
        self.detail = detail


class Codec(Generic[R]):
    """Encoder and decoder for one record type, e.g. ``Codec[Interaction]("orgpulse.Interaction")``.

    ``schema`` is the full name of a schema under ``schemas/`` or a self-contained declaration
    (e.g. another version of one). Without ``registry_url`` the codec speaks single-object
    encoding and knows its own schema as writer; other writer versions are added with
    :meth:`register_writer_schema`. With ``registry_url`` (``mock://...`` is confluent-kafka's
    in-process mock registry) it encodes with Confluent framing, registering the schema under
    the subject ``orgpulse.<Name>`` (record name strategy), and looks writer schemas up by id.
    """

    def __init__(self, schema: str | Schema, registry_url: str | None = None) -> None:
        declaration = schemas.load(schema) if isinstance(schema, str) else copy.deepcopy(schema)
        self._declaration: Schema = declaration
        self._schema = schemas.parse(self._declaration)
        self.schema_name: str = self._schema["name"]
        self._check = schemas.compile_validator(self._declaration)
        self.fingerprint: bytes = schemas.fingerprint(self._schema)
        """Fingerprint of the codec's schema, as written after the single-object magic."""
        self._writers: dict[bytes, Schema] = {self.fingerprint: self._schema}
        self._confluent = _Confluent(registry_url, self) if registry_url else None

    @property
    def schema(self) -> Schema:
        """The codec's (reader and writer) schema declaration, logical types included."""
        return copy.deepcopy(self._declaration)

    def register_writer_schema(self, schema: Schema | str) -> bytes:
        """Accept single-object events written with ``schema`` (an older or newer version).

        ``schema`` is a self-contained declaration (named types inlined), as a dict or JSON
        text. Returns its fingerprint. Raises ``ValueError`` (or a fastavro schema error) for a
        schema that is not valid Avro.
        """
        fingerprint, _ = self._add_writer(schema)
        return fingerprint

    def encode(self, record: R) -> bytes:
        """The framed Avro bytes of ``record``; ``CodecError`` if it violates the schema."""
        if self._confluent is not None:
            self._validate(record)
            return self._confluent.encode(record)
        return self.frame(self.body(record))

    def body(self, record: R) -> bytes:
        """The Avro binary body of ``record``, without framing (to be embedded in a larger
        record, e.g. an envelope); ``CodecError`` if it violates the schema."""
        self._validate(record)
        buffer = BytesIO()
        try:
            schemaless_writer(buffer, self._schema, record)
        except Exception as exc:  # e.g. a lone surrogate in a string cannot be UTF-8 encoded
            raise CodecError("schema_violation", f"{self.schema_name}: {exc}") from exc
        return buffer.getvalue()

    def frame(self, body: bytes) -> bytes:
        """A body written with the codec's schema, framed as :meth:`encode` frames it."""
        if self._confluent is not None:
            return self._confluent.header() + body
        return SINGLE_OBJECT_MAGIC + self.fingerprint + body

    def _validate(self, record: R) -> None:
        problem = self._check(record)
        if problem is not None:
            raise CodecError("schema_violation", f"{self.schema_name}: {problem}")

    def decode(self, data: bytes) -> R:
        """The record in ``data`` (either framing if a registry is configured); ``CodecError``."""
        if not data:
            raise CodecError("empty", "no bytes to decode")
        if data[0] == SINGLE_OBJECT_MAGIC[0]:
            return cast(R, self._decode_single_object(data))
        if self._confluent is not None and data[0] == CONFLUENT_MAGIC[0]:
            return cast(R, self._confluent.decode(data))
        expected = "C3 01" if self._confluent is None else "C3 01 or 00"
        raise CodecError("bad_magic", f"first byte {data[0]:02X}, expected {expected}")

    def writes(self, data: bytes) -> bool:
        """Whether the header of ``data`` names a writer schema of this codec's type: a known
        fingerprint, or (with a registry) a schema id registered under the codec's name. Lets a
        reader pick the codec of a record by its header (envelope or single event)."""
        if data[:2] == SINGLE_OBJECT_MAGIC:
            return data[2:_SINGLE_OBJECT_HEADER] in self._writers
        if self._confluent is not None and data[:1] == CONFLUENT_MAGIC:
            return self._confluent.names(data) == self.schema_name
        return False

    def _add_writer(self, schema: Schema | str) -> tuple[bytes, Schema]:
        parsed = schemas.parse(schema)
        fingerprint = schemas.fingerprint(parsed)
        return fingerprint, self._writers.setdefault(fingerprint, parsed)

    def _read_body(self, data: bytes, offset: int, writer: Schema) -> dict[str, Any]:
        """The body at ``data[offset:]``, written with ``writer``, in the codec's schema."""
        buffer = BytesIO(data)
        buffer.seek(offset)
        reader = None if writer is self._schema else self._schema
        try:
            record = schemaless_reader(buffer, writer, reader)
        except SchemaResolutionError as exc:
            raise CodecError("incompatible_schema", f"{self.schema_name}: {exc}") from exc
        except Exception as exc:
            # fastavro reports a short body as EOFError, or IndexError inside a varint.
            short = isinstance(exc, EOFError) or (
                isinstance(exc, IndexError) and buffer.tell() >= len(data)
            )
            reason: Reason = "truncated" if short else "malformed"
            raise CodecError(reason, f"{type(exc).__name__}: {exc}") from exc
        if buffer.tell() != len(data):
            raise CodecError("trailing_bytes", f"{len(data) - buffer.tell()} bytes after the body")
        return cast(dict[str, Any], record)

    def _decode_single_object(self, data: bytes) -> dict[str, Any]:
        if len(data) >= 2 and data[1] != SINGLE_OBJECT_MAGIC[1]:
            raise CodecError("bad_magic", f"second byte {data[1]:02X}, expected 01")
        if len(data) < _SINGLE_OBJECT_HEADER:
            raise CodecError("truncated", f"{len(data)} bytes, shorter than the header")
        fingerprint = data[2:_SINGLE_OBJECT_HEADER]
        writer = self._writers.get(fingerprint)
        if writer is None:
            raise CodecError(
                "unknown_schema", f"fingerprint {fingerprint.hex()} is no {self.schema_name}"
            )
        return self._read_body(data, _SINGLE_OBJECT_HEADER, writer)


class _Confluent:
    """Confluent framing: encoding through ``AvroSerializer``, decoding by registry schema id."""

    def __init__(self, registry_url: str, codec: Codec[Any]) -> None:
        self._codec = codec
        self._client = registry_client(registry_url)
        self._serializer = AvroSerializer(
            self._client,
            json.dumps(codec.schema),
            conf={"subject.name.strategy": record_subject_name_strategy},
        )
        self._writers: dict[int, Schema] = {}
        self._names: dict[int, str | None] = {}
        self._header: bytes | None = None

    def header(self) -> bytes:
        """The framing of the codec's schema: magic and its registry id (registered under the
        subject the serializer uses, on first call)."""
        if self._header is None:
            schema = RegistrySchema(json.dumps(self._codec.schema), "AVRO")
            try:
                schema_id = self._client.register_schema(self._codec.schema_name, schema)
            except (SchemaRegistryError, httpx.HTTPError) as exc:
                raise CodecError("registry_error", f"{type(exc).__name__}: {exc}") from exc
            self._header = CONFLUENT_MAGIC + int(schema_id).to_bytes(4, "big")
        return self._header

    def names(self, data: bytes) -> str | None:
        """The full name of the schema whose registry id frames ``data`` (``None``: unknown,
        unreadable, or the registry failed; decoding then reports why)."""
        if len(data) < _CONFLUENT_HEADER:
            return None
        schema_id = int.from_bytes(data[1:_CONFLUENT_HEADER], "big")
        if schema_id not in self._names:
            try:
                declaration = json.loads(self._client.get_schema(schema_id).schema_str)
                name = schemas.parse(declaration)["name"]
            except Exception:  # registry or schema trouble: not known as this type
                return None
            self._names[schema_id] = name
        return self._names[schema_id]

    def encode(self, record: object) -> bytes:
        try:
            data = self._serializer(record)
        except (SchemaRegistryError, httpx.HTTPError) as exc:
            raise CodecError("registry_error", f"{type(exc).__name__}: {exc}") from exc
        except Exception as exc:
            raise CodecError("schema_violation", f"{self._codec.schema_name}: {exc}") from exc
        return cast(bytes, data)

    def decode(self, data: bytes) -> dict[str, Any]:
        if len(data) < _CONFLUENT_HEADER:
            raise CodecError("truncated", f"{len(data)} bytes, shorter than the header")
        schema_id = int.from_bytes(data[1:_CONFLUENT_HEADER], "big")
        writer = self._writers.get(schema_id)
        if writer is None:
            writer = self._writers[schema_id] = self._fetch(schema_id)
        return self._codec._read_body(data, _CONFLUENT_HEADER, writer)

    def _fetch(self, schema_id: int) -> Schema:
        try:
            registered = self._client.get_schema(schema_id)
        except SchemaRegistryError as exc:
            if exc.http_status_code == 404:
                detail = f"registry has no schema id {schema_id}"
                raise CodecError("unknown_schema", detail) from exc
            raise CodecError("registry_error", str(exc)) from exc
        except httpx.HTTPError as exc:
            raise CodecError("registry_error", f"{type(exc).__name__}: {exc}") from exc
        try:
            _, writer = self._codec._add_writer(registered.schema_str)
        except Exception as exc:
            raise CodecError(
                "incompatible_schema", f"registry schema id {schema_id} is not Avro: {exc}"
            ) from exc
        return writer


@cache
def registry_client(url: str) -> Any:
    """The process-wide schema registry client for ``url`` (``mock://...``: an in-process mock).

    Codecs on one URL share it, and so its cache, or, for a mock, its store.
    """
    return SchemaRegistryClient.new_client({"url": url})


def interaction_codec(settings: Settings | None = None) -> Codec[Interaction]:
    """The ``orgpulse.Interaction`` codec, framed as ``settings`` (default: environment) say."""
    return Codec(schemas.INTERACTION, _registry_url(settings))


def envelope_codec(settings: Settings | None = None) -> Codec[InteractionBatch]:
    """The ``orgpulse.InteractionBatch`` (envelope) codec, framed as ``settings`` say."""
    return Codec(schemas.INTERACTION_BATCH, _registry_url(settings))


def person_codec(settings: Settings | None = None) -> Codec[Person]:
    """The ``orgpulse.Person`` codec, framed as ``settings`` (default: environment) say."""
    return Codec(schemas.PERSON, _registry_url(settings))


def alert_codec(settings: Settings | None = None) -> Codec[Alert]:
    """The ``orgpulse.Alert`` codec, framed as ``settings`` (default: environment) say."""
    return Codec(schemas.ALERT, _registry_url(settings))


def _registry_url(settings: Settings | None) -> str | None:
    return (settings or get_settings()).schema_registry_url
