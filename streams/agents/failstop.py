"""Fail-stop: leave the process at once, before Faust can ack or commit the batch in hand.

Faust acks a batch's records when the agent lets go of it, even when processing raised, and
then commits their offsets (DESIGN §7). Exiting with :func:`os._exit` from the agent, before
any other coroutine runs, leaves the process exactly like SIGKILL would: the records of the
batch are not committed, a restart reads them again, and what the batch had already
persisted is deduplicated by event id (tests/faults/test_worker_kills.py).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from faust.types import EventT

log = logging.getLogger(__name__)

EXIT_FAIL_STOP = 70
"""Exit code of a fail-stop (``EX_SOFTWARE``): the supervisor should restart the worker."""
EXIT_STOPPED = 0
"""Exit code of a stop that was asked for (SIGTERM, SIGINT), clean or cut short."""


def positions(events: Sequence[EventT[Any]]) -> str:
    """``topic/partition@first-last`` of every partition a batch holds records of."""
    spans: dict[tuple[str, int], tuple[int, int]] = {}
    for event in events:
        message = event.message
        tp = (message.topic, message.partition)
        first, last = spans.get(tp, (message.offset, message.offset))
        spans[tp] = (min(first, message.offset), max(last, message.offset))
    return ", ".join(f"{t}/{p}@{first}-{last}" for (t, p), (first, last) in sorted(spans.items()))


def exit_now(code: int) -> NoReturn:
    """Flush the logs and leave the process with ``code``, running nothing else."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)


def fail_stop(error: BaseException, events: Sequence[EventT[Any]]) -> NoReturn:
    """Log an error that is not one record's fault, with where the batch was, and exit with
    :data:`EXIT_FAIL_STOP` without committing the batch."""
    log.critical(
        "fail-stop: %s: %s while processing %s; exiting with %d, these records are read "
        "again on restart",
        type(error).__name__,
        error,
        positions(events),
        EXIT_FAIL_STOP,
        exc_info=error,
    )
    exit_now(EXIT_FAIL_STOP)
