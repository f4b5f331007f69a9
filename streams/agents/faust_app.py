"""The Faust app and raw topics every orgpulse worker is built on (no agents attached)."""

from __future__ import annotations

import faust
from mode.utils.objects import cached_property
from mode.utils.queues import FlowControlEvent

from streams.settings import Settings


class ResumeOnce(FlowControlEvent):
    """Faust's flow control of stream queues, except that resuming a flow that is not
    suspended leaves the queues alone.

    Faust's table recovery resumes the flow when it starts reading the changelogs, and again
    when it completes (``Recovery.on_recovery_completed``), after it has resumed the stream
    partitions and sought them to the committed offsets. Records handed to the agent's queue
    during that seek were dropped by the second, redundant resume (it clears the queues)
    while their offsets stayed read, so the agent was never handed them and the worker
    fail-stopped on the gap (:mod:`streams.agents.delivery`); faust-streaming issue 596. A
    revocation still suspends and clears the queues, and the next resume clears them again.
    """

    def resume(self) -> None:
        """Resume a suspended flow and clear its queues; nothing when it is not suspended."""
        if not self.is_active():
            super().resume()


class App(faust.App):
    """:class:`faust.App` with the :class:`ResumeOnce` flow control."""

    @cached_property
    def flow_control(self) -> FlowControlEvent:
        """Flow control of the streams' queues."""
        return ResumeOnce(loop=self.loop)


def raw_topic(app: faust.App, name: str, partitions: int | None = None) -> faust.TopicT:
    """A topic of raw bytes keys and values (records are decoded by the agents)."""
    return app.topic(
        name,
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        partitions=partitions,
    )


def faust_app(settings: Settings) -> App:
    """A Faust app with the worker's broker, store, commit, consumer-group and web settings.

    Faust's throughput switches were measured on ``benchmarks/bench_worker.py`` (100,000
    events in envelopes, one run each, 2026-12-02): default 10,562 events/s, uvloop 9,368,
    ``cython_optimizations`` 10,804, ``stream_buffer_maxsize=64`` 10,418. None moved the rate
    beyond the noise of this machine (with envelopes Faust's per-record path is no longer
    the cost), so the defaults stay."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # Faust creates only the last level
    return App(
        settings.app_id,
        broker=f"kafka://{settings.bootstrap}",
        store=f"{settings.store}://",
        datadir=str(settings.data_dir / "faust"),
        web_host=settings.web_host,
        web_bind=settings.web_host,
        web_port=settings.web_port,
        web_in_thread=False,
        topic_partitions=settings.partitions,
        topic_replication_factor=1,
        consumer_auto_offset_reset="earliest",
        broker_commit_interval=1.0,
        broker_session_timeout=settings.session_timeout_seconds,
        broker_heartbeat_interval=settings.session_timeout_seconds / 4,
        consumer_group_instance_id=settings.instance_id,
        producer_acks=-1,
        table_standby_replicas=0,
    )
