"""The AsyncAPI document of the platform's events, generated from shared/events.py and shared/topology.py."""

from __future__ import annotations

from functools import lru_cache

from faststream.rabbit import RabbitBroker
from faststream.specification import AsyncAPI
from faststream.specification.asyncapi.site import get_asyncapi_html
from faststream.specification.base import Specification

from shared.events import EVENT_TYPES
from shared.settings import Settings, get_settings
from shared.topology import topology_for

PUBLISHERS = {
    "campaign.configured": "submission",
    "initiative.drafted": "submission",
    "initiative.submitted": "submission",
    "initiative.updated": "submission",
    "initiative.withdrawn": "submission",
    "vote.cast": "submission",
    "review.decided": "awards",
    "award.granted": "awards",
    "award.revoked": "awards",
}


def build_specification(settings: Settings | None = None) -> Specification:
    """Describe every event type as a publication on the topic exchange (routing key = type)."""
    settings = settings or get_settings()
    topology = topology_for(settings)
    broker = RabbitBroker(settings.amqp_url, description="RabbitMQ: topic exchange, quorum queues with DLX")
    exchange = topology.faststream_exchange()
    for type_, model in EVENT_TYPES.items():
        broker.publisher(
            routing_key=type_,
            exchange=exchange,
            schema=model,
            title=f"{type_}:publish",
            description=f"Published by {PUBLISHERS.get(type_, '?')} through its transactional outbox; "
            f"persistent, message_id = event_id. {(model.__doc__ or '').strip()}",
            persist=True,
        )
    return AsyncAPI(
        broker,
        title="sangkien events",
        version="1.0.0",
        description=(
            "Events of the sangkien platform. Consumers: tally (queue "
            f"`{topology.tally.name}`, keys {', '.join(topology.tally.binding_keys)}) and awards (queue "
            f"`{topology.awards.name}`, keys {', '.join(topology.awards.binding_keys)}). Quorum queues with "
            f"x-delivery-limit {topology.delivery_limit} and dead-letter exchange `{topology.dead_exchange_name}`."
        ),
    ).to_specification()


@lru_cache(maxsize=1)
def asyncapi_json() -> str:
    return build_specification().to_json()


@lru_cache(maxsize=1)
def asyncapi_html() -> str:
    return get_asyncapi_html(build_specification(), try_it_out_path=None)
