"""The worker's flow control clears the stream queues when a suspended flow resumes, and
keeps what they hold when a flow that is already flowing is resumed again."""

from __future__ import annotations

import asyncio

from mode.utils.queues import FlowControlQueue

from streams.agents.faust_app import ResumeOnce


def test_resuming_an_active_flow_keeps_the_queued_records() -> None:
    async def scenario() -> list[int]:
        flow = ResumeOnce()
        queue: FlowControlQueue[str] = FlowControlQueue(flow_control=flow, clear_on_resume=True)
        sizes = []
        queue.put_nowait("handed before the first resume")
        flow.resume()  # suspended since created: clears
        sizes.append(queue.qsize())
        queue.put_nowait("handed while the stream partitions are sought")
        flow.resume()  # recovery completed: the flow was not suspended
        sizes.append(queue.qsize())
        flow.suspend()  # partitions revoked
        flow.resume()
        sizes.append(queue.qsize())
        return sizes

    assert asyncio.run(scenario()) == [0, 1, 0]
