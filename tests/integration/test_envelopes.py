"""Envelopes on the real broker: mixed with single events on one topic they give the offline
snapshot; a bad item of an envelope is dead-lettered alone, a corrupt envelope whole, and
``dlq replay`` replays each dead-lettered item once."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from confluent_kafka import Producer
from faults.test_poison_records import dead_letters, header, offline, organizations, produce
from support.events import topic_events
from support.expected import Snapshots, expect
from support.kafka import REPO, end_offsets
from support.replay import Replay
from support.worker import WorkerProcess

from streams.connectors.emitter import Emitter
from streams.connectors.records import RawInteraction, SourceItem
from streams.connectors.simulator import OrgSimulator, OrgSpec
from streams.kafka.dlq import replay
from streams.kafka.topic_reader import read_to_end
from streams.model import Interaction
from streams.records.check import Codecs
from streams.settings import Settings
from streams.timeutil import parse_time
from streams.web.delivery import ConfirmedProducer

TENANTS = ("envelopes", "singles", "mixed")
PART = 150
"""Interactions per part of the mixed tenant; parts alternate envelopes and single events."""


def simulated(tenant: str) -> list[SourceItem]:
    """The same simulated organization for every tenant."""
    start = parse_time("2026-08-01T00:00:00Z")
    spec = OrgSpec(seed=5, tenant=tenant, events_per_hour=120.0)
    return list(OrgSimulator(spec, 1_500, start).records())


def parts(items: list[SourceItem]) -> list[list[SourceItem]]:
    """The items in consecutive parts of :data:`PART` interactions (directory entries ride
    with the interactions after them)."""
    found: list[list[SourceItem]] = [[]]
    seen = 0
    for item in items:
        if isinstance(item, RawInteraction):
            if seen == PART:
                found.append([])
                seen = 0
            seen += 1
        found[-1].append(item)
    return found


def without_tenant(snapshots: Snapshots) -> dict[str, Any]:
    return {window: {**s, "tenant": None} for window, s in snapshots.items()}


def test_envelopes_and_single_events_mixed_equal_either_alone_and_offline(
    pipeline: Settings, worker: WorkerProcess
) -> None:
    items = {tenant: simulated(tenant) for tenant in TENANTS}
    Replay(items["envelopes"]).run(Emitter(pipeline))
    Replay(items["singles"]).run(Emitter(pipeline, envelopes=False))
    for number, part in enumerate(parts(items["mixed"])):  # in order: each run is flushed
        Replay(part).run(Emitter(pipeline, envelopes=number % 2 == 0))
    codecs = Codecs.from_settings(pipeline)
    framings = {
        codecs.envelopes.writes(m.value() or b"")
        for m in read_to_end(pipeline.bootstrap, pipeline.topic_interactions)
        if m.key() == b"mixed"
    }
    assert framings == {True, False}

    expected = expect([i for tenant in TENANTS for i in items[tenant]], pipeline)
    alone = without_tenant(expected.snapshots("envelopes"))
    assert without_tenant(expected.snapshots("mixed")) == alone
    assert alone["28d"]["org"]["pairs"] > 500
    for tenant in TENANTS:
        worker.await_snapshots(tenant, expected.snapshots(tenant))
    assert worker.counter_by("orgpulse_events_processed_total", "tenant") == expected.processed()


def test_bad_items_go_alone_a_corrupt_envelope_whole_and_replay_takes_each_once(
    pipeline: Settings, worker: WorkerProcess
) -> None:
    people, good = organizations()
    acme = [e for e in good if e["tenant"] == "acme"][:400]
    codecs = Codecs.from_settings(pipeline)
    bad_weight: Interaction = {**acme[10], "event_id": "bad-weight", "weight": -1.0}
    stranger: Interaction = {**acme[11], "event_id": "stranger", "tenant": "globex"}
    envelope = [*acme[:10], bad_weight, *acme[10:20], stranger, *acme[20:200]]
    corrupt = codecs.envelopes.encode({"tenant": "acme", "items": acme[:5]})[:-3]
    produce(pipeline, people, [])  # the directory first, as a connector would
    producer = Producer({"bootstrap.servers": pipeline.bootstrap, "partitioner": "murmur2_random"})
    for value in (
        codecs.envelopes.encode({"tenant": "acme", "items": envelope}),
        corrupt,
        *(codecs.interactions.encode(e) for e in acme[200:]),
    ):
        producer.produce(pipeline.topic_interactions, key=b"acme", value=value)
    assert producer.flush(30) == 0

    letters = dead_letters(pipeline, 3)
    by_reason = {header(m, "reason"): m for m in letters}
    assert set(by_reason) == {"bad_weight", "tenant_mismatch", "truncated"}
    for reason, item, index in (("bad_weight", bad_weight, 10), ("tenant_mismatch", stranger, 21)):
        letter = by_reason[reason]
        assert codecs.interactions.decode(letter.value() or b"") == item
        assert header(letter, "source-index") == str(index)
    whole = by_reason["truncated"]
    assert whole.value() == corrupt and "source-index" not in dict(whole.headers() or [])
    worker.wait_counted(len(acme) + 3)
    state = offline(pipeline, people, acme).state("acme")
    worker.await_snapshots("acme", {w: state.snapshot(w) for w in pipeline.windows})

    worker.stop()  # so that no replayed record is dead-lettered again while replaying
    again = by_reason["bad_weight"]  # dead-lettered twice, as after a redelivered batch
    producer.produce(
        pipeline.topic_dlq, key=again.key(), value=again.value(), headers=again.headers()
    )
    assert producer.flush(30) == 0
    before = sum(end_offsets(pipeline.bootstrap, pipeline.topic_interactions).values())
    assert replay(pipeline, {"bad_weight", "tenant_mismatch"}) == 2
    assert replay(pipeline) == 1 and replay(pipeline) == 0
    replayed = list(read_to_end(pipeline.bootstrap, pipeline.topic_interactions))[before:]
    origins = sorted(header(m, "replayed-from") for m in replayed)
    source = f"{pipeline.topic_interactions}/{header(whole, 'source-partition')}"
    offset = header(by_reason["bad_weight"], "source-offset")
    assert origins == sorted(
        [
            f"{source}:{offset}#10",
            f"{source}:{offset}#21",
            f"{source}:{header(whole, 'source-offset')}",
        ]
    )
    decoded = [codecs.interactions.decode(m.value() or b"") for m in replayed[:2]]
    assert sorted(e["event_id"] for e in decoded) == ["bad-weight", "stranger"]
    shown = subprocess.run(
        [sys.executable, "-m", "streams", "dlq", "show"],
        cwd=REPO,
        env={**os.environ, **pipeline.to_env(), "COLUMNS": "200"},
        capture_output=True,
        text=True,
        check=True,
    )
    partition = header(again, "source-partition")
    assert f"{partition}:{offset}#10" in shown.stdout
    assert f"{partition}:{offset}#21" in shown.stdout


def test_http_delivery_packs_each_tenant_in_bounded_envelopes(pipeline: Settings) -> None:
    settings = pipeline.model_copy(update={"envelope_max_events": 3})
    _, good = organizations()
    acme = [e for e in good if e["tenant"] == "acme"][:7]
    globex = [e for e in good if e["tenant"] == "globex"][:4]
    mixed = [acme[0], globex[0], *acme[1:5], *globex[1:], *acme[5:]]
    producer = ConfirmedProducer(settings, Codecs.from_settings(settings))
    assert producer.send_events(settings.topic_interactions, mixed) == [None] * len(mixed)
    on_topic = topic_events(settings)
    assert [e for e in on_topic if e["tenant"] == "acme"] == acme
    assert [e for e in on_topic if e["tenant"] == "globex"] == globex
    assert sum(end_offsets(settings.bootstrap, settings.topic_interactions).values()) == 3 + 2
