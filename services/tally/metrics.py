"""Prometheus metrics of the tally workers and read API."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_CONSUMED = Counter("sangkien_tally_events_consumed_total", "Messages taken from the tally queue")
EVENTS_APPLIED = Counter("sangkien_tally_events_applied_total", "Events applied to the counters (first time seen)")
EVENTS_DUPLICATE = Counter("sangkien_tally_events_duplicate_total", "Events already applied (redelivery, re-publish)")
EVENTS_DEAD = Counter(
    "sangkien_tally_events_dead_lettered_total", "Messages rejected to the dead-letter queue", ["reason"],
)
EVENTS_REQUEUED = Counter(
    "sangkien_tally_events_requeued_total", "Messages returned to the queue without being applied", ["reason"],
)
APPLY_SECONDS = Histogram(
    "sangkien_tally_apply_seconds", "Time to apply one batch to Redis",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
BATCH_SIZE = Histogram(
    "sangkien_tally_batch_size", "Events per Redis round trip", buckets=(1, 4, 16, 64, 128, 256, 512, 1024),
)
APPLY_RETRIES = Counter("sangkien_tally_apply_retries_total", "Batches retried after a Redis error")
CONSUMER_ATTACHED = Gauge("sangkien_tally_consumer_attached", "1 while this worker's consumer is attached")
SSE_CLIENTS = Gauge("sangkien_tally_sse_clients", "Connected Server-Sent-Events clients",
                    multiprocess_mode="livesum")  # with several API processes: one summed figure
