"""Options are checked before a server starts, with a sentence that says what to do."""

from typing import Any

import pytest

from core import registry
from plugins.mqtt_broadcast.replicator import STRATEGY
from plugins.mqtt_broadcast.settings import Settings, settings


def resolved(**given: Any) -> Settings:
    return settings(registry.get(STRATEGY).resolve({"broker": "127.0.0.1:1883", **given}))


def test_the_defaults_publish_at_qos_1_and_apply_own_effects_twice() -> None:
    result = resolved()
    assert (result.host, result.port, result.qos) == ("127.0.0.1", 1883, 1)
    assert (result.own_effects, result.topic_prefix) == ("both", "testbed")


def test_options_given_as_strings_by_flags_are_converted() -> None:
    result = resolved(qos="0", tls="yes", publish_timeout="2.5", topic_prefix="/shop/")
    assert (result.qos, result.tls, result.publish_timeout) == (0, True, 2.5)
    assert result.topic_prefix == "shop"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"broker": ""}, "testbed cluster up"),
        ({"broker": "localhost"}, "HOST:PORT"),
        ({"own_effects": "never"}, "both, receipt, local"),
        ({"qos": 3}, "0, 1 or 2"),
        ({"topic_prefix": "shop/#"}, "may not contain"),
        ({"broker_kind": "emqx"}, "auto, mosquitto, amqtt"),
        ({"publish_timeout": 0}, "positive"),
    ],
)
def test_a_bad_option_is_refused_with_what_to_do(given: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        resolved(**given)
