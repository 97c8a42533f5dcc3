"""Config: defaults are the lecture's experiment; every bad value is refused with a message naming it."""

import math

import pytest

from core import Config
from core.config import ACTIVATIONS, INITS


def test_defaults_are_the_lecture_experiment():
    c = Config()
    assert (c.depth, c.width, c.batch) == (10, 500, 1000)
    assert (c.activation, c.init, c.std) == ("tanh", "normal", 0.01)
    assert c.dtype == "float32" and c.gain is None and not c.batch_norm


def test_is_frozen_and_hashable():
    c = Config()
    with pytest.raises(AttributeError):
        c.depth = 3  # type: ignore[misc]
    assert hash(c) == hash(Config()) and c == Config()


@pytest.mark.parametrize(
    "field, value, allowed",
    [
        ("depth", 0, "1 to 100"),
        ("depth", 101, "1 to 100"),
        ("depth", 2.5, "whole number"),
        ("depth", True, "whole number"),
        ("width", 1, "2 to 2048"),
        ("batch", 5000, "10 to 4096"),
        ("std", -0.1, "0 to 100"),
        ("std", math.nan, "0 to 100"),
        ("std", math.inf, "0 to 100"),
        ("gain", 0.0, "or None"),
        ("activation", "swish", "tanh, sigmoid"),
        ("init", "kaiming", "he_normal"),
        ("mode", "fan_avg", "fan_in, fan_out"),
        ("dtype", "float16", "float32, float64"),
        ("batch_norm", 1, "True or False"),
    ],
)
def test_bad_values_name_field_value_and_what_is_allowed(field, value, allowed):
    with pytest.raises(ValueError) as error:
        Config(**{field: value})
    message = str(error.value)
    assert message.startswith(f"{field}={value!r}") and allowed in message


def test_every_activation_and_init_is_accepted():
    for activation in ACTIVATIONS:
        for init in INITS:
            Config(activation=activation, init=init, depth=1, width=2, batch=10)


def test_round_trip_through_dict_ignores_unknown_keys():
    c = Config(depth=3, activation="relu", init="he_normal", gain=1.5)
    assert Config.from_dict({**c.to_dict(), "from_a_newer_version": 1}) == c
