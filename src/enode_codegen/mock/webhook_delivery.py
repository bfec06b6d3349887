"""Delivering webhook events: a queue per webhook, signed batches, retries on a ladder.

Enode POSTs a JSON array of up to 100 events with `X-Enode-Signature: sha1=<lowercase hex
HMAC-SHA1 of the raw body, keyed with the webhook's secret>` and `X-Enode-Delivery: <ID of
the delivery>` (docs/enode-surface-facts.md section 8), plus the webhook's own
authentication header when one is configured; bodies and headers come from
`runtime/_webhooks.signed_delivery`.

How the mock does it:

- The state hands every event to `WebhookDispatcher.publish` (under the state lock, in
  order). Each webhook that subscribes to it (`*` or its name; heartbeats and test events
  need no subscription) and whose version declares it gets it appended to its queue. The
  version is the webhook's `apiVersion`, else the Enode-Version it was created with.
- Worker threads (`MockConfig.webhook_workers`) send the queues: at most one delivery per
  webhook in flight, so each webhook receives its events in order; a delivery takes up to
  100 queued events (a new event waits `MockConfig.webhook_linger`, 50 ms, for others to
  join it), shaped for the webhook's version when it is formed
  (webhook_events.py). Nothing holds the state lock during HTTP, so request handling never
  waits for a receiver.
- A 2xx answer within `MockConfig.webhook_timeout` (5 s) is a success; anything else is a
  failure, and the same delivery (same ID and body) is retried on `LADDER`, measured on the
  mock's clock from the first attempt: advancing the clock (`/_mock/clock/advance`) runs
  the whole ladder in seconds. After the 16th failed attempt the webhook becomes
  `isActive: false`; an update or a successful test delivery activates it again and the
  ladder restarts.
- Nothing is lost (Enode differs: it deletes the queued events after the last failure):
  the failed delivery and every event raised meanwhile stay queued, also while the webhook
  is inactive, and go out in order once it is active and the receiver answers. A queue
  keeps at most `MockConfig.webhook_queue_limit` events; beyond that the oldest are
  dropped and counted (`dropped` in `GET /_mock/webhooks/queues`).
- `system:heartbeat` goes to every active webhook every `MockConfig.webhook_heartbeat`
  seconds of mock time (off when None), with `pendingEvents` = its queued events.
- URLs under the reserved `.invalid` top-level domain (RFC 6761; the seed's webhook) fail
  at once, without a DNS lookup.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..runtime._webhooks import MAX_EVENTS_PER_DELIVERY, signed_delivery
from .clock import Clock, format_timestamp
from .projection import Unrepresentable
from .state import RawEvent, State, Webhook
from .webhook_attempts import (
    ATTEMPTS,
    Attempt,
    Connections,
    Delivery,
    DeliveryOutcome,
    auth_headers,
    retry_at,
)
from .webhook_events import HEARTBEAT, TEST_EVENT, EventRenderer, InvalidEvent

if TYPE_CHECKING:
    from .config import MockConfig

__all__ = ["IDLE_EXIT", "WebhookDispatcher"]

log = logging.getLogger("mock.webhooks")

_UNSUBSCRIBABLE = frozenset({HEARTBEAT, TEST_EVENT})
IDLE_EXIT = 2.0  # seconds a worker waits for work before it exits


@dataclass
class HookQueue:
    webhook_id: str
    events: deque[RawEvent] = field(default_factory=deque)
    batch: Delivery | None = None
    next_at: float = 0.0  # mock time of the batch's next attempt
    busy: bool = False
    first_at: float = 0.0  # time.monotonic() when the oldest queued event came
    dropped: int = 0
    skipped: int = 0  # events the webhook's version cannot show

    def pending(self) -> int:
        return len(self.events) + (len(self.batch.events) if self.batch else 0)


class WebhookDispatcher:
    """Queues, worker threads and the record of deliveries of one mock instance."""

    def __init__(
        self,
        state: State,
        clock: Clock,
        renderer: EventRenderer,
        config: MockConfig,
        newest: str,
        on_invalid: Callable[[InvalidEvent], None] | None = None,
    ) -> None:
        self.state = state
        self.clock = clock
        self.renderer = renderer
        self.config = config
        self.newest = newest
        self.on_invalid = on_invalid
        self._cond = threading.Condition()
        self._queues: OrderedDict[str, HookQueue] = OrderedDict()
        self._deliveries: OrderedDict[str, Delivery] = OrderedDict()
        self._threads: list[threading.Thread] = []
        self._started = 0
        self._stopped = False
        self._next_heartbeat: float | None = None
        self._schedule_heartbeat()
        state.sink = self.publish
        state.clock = clock.time

    # --- routing events -------------------------------------------------------------------

    def version_of(self, hook: Webhook) -> str:
        version = hook.api_version or hook.created_version or self.newest
        return version if version in self.renderer.index.versions else self.newest

    def wants(self, hook: Webhook, name: str) -> bool:
        if name not in self.renderer.declared(self.version_of(hook)):
            return False
        return name in _UNSUBSCRIBABLE or "*" in hook.events or name in hook.events

    def publish(self, events: list[RawEvent]) -> None:
        """Queue `events` for every webhook that wants them (called under the state lock)."""
        hooks = list(self.state.webhooks.values())
        if not hooks:
            return
        wake = False
        with self._cond:
            if self._stopped:
                return
            for raw in events:
                for hook in hooks:
                    if self.wants(hook, raw.name):
                        queue = self._queue(hook.id)
                        self._append(queue, raw)
                        # a worker already waits for a queue that had events (its linger)
                        size = len(queue.events)
                        wake |= size == 1 or size == MAX_EVENTS_PER_DELIVERY
            if wake:
                self._start()
                self._cond.notify()  # one worker, not the herd: this runs in a request

    def _queue(self, webhook_id: str) -> HookQueue:
        queue = self._queues.get(webhook_id)
        if queue is None:
            queue = self._queues[webhook_id] = HookQueue(webhook_id)
        return queue

    def _append(self, queue: HookQueue, raw: RawEvent) -> None:
        if not queue.events:
            queue.first_at = time.monotonic()
        queue.events.append(raw)
        if len(queue.events) > self.config.webhook_queue_limit:
            queue.events.popleft()
            queue.dropped += 1

    # --- the webhook's lifecycle ------------------------------------------------------------

    def reactivate(self, webhook_id: str) -> None:
        """The webhook was updated or a test delivery succeeded: restart its ladder now."""
        with self._cond:
            queue = self._queues.get(webhook_id)
            if queue is not None:
                if queue.batch is not None:
                    queue.batch.round_start = len(queue.batch.attempts)
                    queue.batch.anchor = None
                    queue.batch.state = "PENDING"
                queue.next_at = 0.0
                self._start()
            self._cond.notify_all()

    def forget(self, webhook_id: str) -> None:
        """The webhook was deleted: its queue goes with it."""
        with self._cond:
            self._queues.pop(webhook_id, None)

    def wake(self) -> None:
        """The clock moved: retries and heartbeats may be due."""
        with self._cond:
            if self._queues or self._next_heartbeat is not None:
                self._start()
            self._cond.notify_all()

    def reset(self) -> None:
        with self._cond:
            self._queues.clear()
            self._deliveries.clear()
            self._schedule_heartbeat()
            self._cond.notify_all()

    def _schedule_heartbeat(self) -> None:
        period = self.config.webhook_heartbeat
        self._next_heartbeat = None if period is None else self.clock.time() + period

    # --- workers ---------------------------------------------------------------------------

    def _start(self) -> None:
        """Under the condition: bring the workers up to their number (idle ones exit)."""
        if self._stopped:
            return
        for _ in range(max(1, self.config.webhook_workers) - len(self._threads)):
            self._started += 1
            thread = threading.Thread(
                target=self._work, name=f"enode-mock-webhooks-{self._started}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def start(self) -> None:
        """Start the workers now (they also start with the first queued event); after
        `close()`, deliver again (an ASGI app's lifespan may end and start again, as
        schemathesis does around each test)."""
        with self._cond:
            self._stopped = False
            self._start()

    def close(self) -> None:
        """Stop the workers (a delivery in flight finishes first, at most the timeout)."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
            threads, self._threads = self._threads, []
        for thread in threads:
            thread.join(timeout=self.config.webhook_timeout + 1.0)

    def _heartbeats(self, now: float) -> None:
        period = self.config.webhook_heartbeat
        if period is None or self._next_heartbeat is None or now < self._next_heartbeat:
            return
        self._next_heartbeat = now + period
        for hook in list(self.state.webhooks.values()):
            if hook.is_active and self.wants(hook, HEARTBEAT):
                queue = self._queue(hook.id)
                raw = RawEvent(HEARTBEAT, now, None, None, None, {"pendingEvents": queue.pending()})
                self._append(queue, raw)

    def _ready(self, queue: HookQueue, now: float) -> tuple[bool, float | None]:
        """Whether a worker should take `queue` now, else when it may be ready (mock time)."""
        if queue.busy:
            return False, None
        hook = self.state.webhooks.get(queue.webhook_id)
        if hook is None or not hook.is_active:
            return False, None
        if queue.batch is not None:
            if queue.next_at > now:
                return False, queue.next_at
            return True, None
        if not queue.events:
            return False, None
        # wait a moment for more events, so that a burst goes out in one delivery
        remaining = queue.first_at + self.config.webhook_linger - time.monotonic()
        if remaining <= 0 or len(queue.events) >= MAX_EVENTS_PER_DELIVERY:
            return True, None
        return False, now + remaining

    def _take(self) -> tuple[HookQueue | None, list[RawEvent] | None, float | None]:
        """Under the condition: a ready queue (marked busy) and its new events, or the
        number of seconds until something may be due (None: nothing is scheduled)."""
        now = self.clock.time()
        self._heartbeats(now)
        wait: float | None = None
        if self._next_heartbeat is not None:
            wait = self._next_heartbeat - now
        for webhook_id in list(self._queues):
            queue = self._queues[webhook_id]
            if queue.webhook_id not in self.state.webhooks:
                del self._queues[webhook_id]
                continue
            ready, when = self._ready(queue, now)
            if ready:
                queue.busy = True
                self._queues.move_to_end(webhook_id)  # fairness: to the end of the round
                if queue.batch is not None:
                    return queue, None, 0.0
                count = min(len(queue.events), MAX_EVENTS_PER_DELIVERY)
                return queue, [queue.events.popleft() for _ in range(count)], 0.0
            if when is not None:
                wait = when - now if wait is None else min(wait, when - now)
        return None, None, None if wait is None else max(0.002, wait)

    def _work(self) -> None:
        """Send ready queues; exit after IDLE_EXIT seconds without work, except the last
        worker while a retry or heartbeat is scheduled (`_start` brings them back)."""
        client = Connections(self.config.webhook_timeout)
        me = threading.current_thread()
        try:
            while True:
                with self._cond:
                    idle_since = time.monotonic()
                    while True:
                        if self._stopped:
                            return
                        queue, raws, wait = self._take()
                        if queue is not None:
                            break
                        idle = time.monotonic() - idle_since
                        if idle >= IDLE_EXIT and (wait is None or len(self._threads) > 1):
                            self._threads.remove(me)
                            return
                        # the clock may also be moved (wake() is called then): poll at most
                        # every few seconds, in case it was moved by other means
                        self._cond.wait(min(wait if wait is not None else IDLE_EXIT, 5.0))
                try:
                    self._send(client, queue, raws)
                except Exception:  # a bug must not kill the worker
                    log.exception("webhook delivery to %s failed", queue.webhook_id)
                    with self._cond:
                        queue.busy = False
                        self._cond.notify_all()
        finally:
            client.close()

    def _form(self, queue: HookQueue, hook: Webhook, raws: list[RawEvent]) -> Delivery | None:
        version = self.version_of(hook)
        events: list[dict[str, Any]] = []
        for raw in raws:
            try:
                events.append(self.renderer.render(raw, version))
            except Unrepresentable:
                queue.skipped += 1
            except InvalidEvent as invalid:
                if self.on_invalid is not None:
                    self.on_invalid(invalid)
                if self.config.strict:
                    queue.skipped += 1
                else:
                    events.append(invalid.event)
        if not events:
            return None
        delivery_id = str(uuid.uuid4())
        body, _ = signed_delivery(events, hook.secret, delivery_id=delivery_id)
        return Delivery(
            delivery_id,
            hook.id,
            version,
            self.clock.time(),
            [str(event["event"]) for event in events],
            body,
        )

    def _send(self, client: Connections, queue: HookQueue, raws: list[RawEvent] | None) -> None:
        hook = self.state.webhooks.get(queue.webhook_id)
        if hook is None:
            with self._cond:
                queue.busy = False
                self._cond.notify_all()
            return
        delivery = queue.batch
        if raws is not None:
            delivery = self._form(queue, hook, raws)
            with self._cond:
                queue.batch = delivery
                if delivery is not None:
                    self._remember(delivery)
        if delivery is None:
            with self._cond:
                queue.busy = False
                self._cond.notify_all()
            return
        at = self.clock.time()
        _, headers = signed_delivery(delivery.body, hook.secret, delivery_id=delivery.id)
        headers = {**headers, "User-Agent": "enode-mock", **auth_headers(hook)}
        outcome = client.post(hook.url, delivery.body, headers)
        if outcome.success:
            with self.state.lock:  # GET /webhooks is not cached: no touch needed
                hook.last_success = at
        deactivate = False
        with self._cond:
            delivery.attempts.append(Attempt(at, outcome))
            if delivery.anchor is None:
                delivery.anchor = at
            if outcome.success:
                delivery.state = "DELIVERED"
                if queue.batch is delivery:
                    queue.batch = None
                queue.next_at = 0.0
            else:
                done = len(delivery.attempts) - delivery.round_start
                if done >= ATTEMPTS:
                    delivery.state = "FAILED"
                    deactivate = True  # the queue stays busy until the webhook is inactive
                    queue.next_at = 0.0
                else:
                    queue.next_at = retry_at(delivery.anchor, done)
            if not deactivate:
                queue.busy = False
                self._cond.notify_all()
        if deactivate:
            with self.state.lock:
                if self.state.webhooks.get(hook.id) is hook:
                    hook.is_active = False
                    self.state.touch()
            with self._cond:
                queue.busy = False
                self._cond.notify_all()

    def _remember(self, delivery: Delivery) -> None:
        self._deliveries[delivery.id] = delivery
        limit = self.config.webhook_history
        while len(self._deliveries) > limit:
            self._deliveries.popitem(last=False)

    # --- the test endpoint ------------------------------------------------------------------

    def test_delivery(self, hook: Webhook, event: dict[str, Any]) -> Callable[[], DeliveryOutcome]:
        """Prepare (under the state lock) a test delivery; the returned call sends it
        (outside the lock) and records it. The caller applies the outcome."""
        delivery_id = str(uuid.uuid4())
        body, headers = signed_delivery([event], hook.secret, delivery_id=delivery_id)
        headers = {**headers, "User-Agent": "enode-mock", **auth_headers(hook)}
        delivery = Delivery(
            delivery_id, hook.id, str(event["version"]), self.clock.time(), [TEST_EVENT], body
        )
        delivery.test = True
        url, timeout = hook.url, self.config.webhook_timeout

        def send() -> DeliveryOutcome:
            at = self.clock.time()
            client = Connections(timeout)
            try:
                outcome = client.post(url, body, headers)
            finally:
                client.close()
            with self._cond:
                delivery.attempts.append(Attempt(at, outcome))
                delivery.state = "DELIVERED" if outcome.success else "FAILED"
                self._remember(delivery)
            return outcome

        return send

    # --- inspection ---------------------------------------------------------------------------

    def deliveries(self, webhook_id: str | None = None) -> list[dict[str, Any]]:
        with self._cond:
            return [
                d.as_dict()
                for d in self._deliveries.values()
                if webhook_id is None or d.webhook_id == webhook_id
            ]

    def delivery(self, delivery_id: str) -> dict[str, Any] | None:
        with self._cond:
            found = self._deliveries.get(delivery_id)
            return None if found is None else found.as_dict(body=True)

    def queues(self) -> list[dict[str, Any]]:
        with self._cond:
            out = []
            for queue in self._queues.values():
                hook = self.state.webhooks.get(queue.webhook_id)
                out.append(
                    {
                        "webhookId": queue.webhook_id,
                        "isActive": bool(hook and hook.is_active),
                        "queued": len(queue.events),
                        "inFlight": None if queue.batch is None else queue.batch.id,
                        "attempts": 0
                        if queue.batch is None
                        else len(queue.batch.attempts) - queue.batch.round_start,
                        "nextAttemptAt": format_timestamp(queue.next_at)
                        if queue.batch is not None and queue.batch.attempts
                        else None,
                        "dropped": queue.dropped,
                        "skipped": queue.skipped,
                    }
                )
            return out

    def idle(self) -> bool:
        with self._cond:
            return self._idle()

    def _idle(self) -> bool:
        now = self.clock.time()
        if (
            self._next_heartbeat is not None
            and now >= self._next_heartbeat
            and any(hook.is_active for hook in self.state.webhooks.values())
        ):
            return False
        for queue in self._queues.values():
            if queue.busy or self._ready(queue, now)[0]:
                return False
            if queue.batch is None and queue.events:  # lingering
                hook = self.state.webhooks.get(queue.webhook_id)
                if hook is not None and hook.is_active:
                    return False
        return True

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is in flight and nothing is due now (retries that wait for
        the clock and inactive webhooks' queues do not count); False on timeout. Polls:
        only workers wait on the condition, so a notify always reaches one."""
        deadline = time.monotonic() + timeout
        while True:
            with self._cond:
                if self._idle():
                    return True
                if self._stopped:
                    return False
                self._start()
                self._cond.notify_all()  # a lingering batch or a due retry: go now
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.005)
