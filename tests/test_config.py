"""Config: defaults are the lecture's experiment; every bad value is refused with a message naming it."""

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import Config
from core.config import (ACTIVATIONS, FLOAT_RANGES, INITS, INT_RANGES, mib_apart, resize, resized_size, written,
                         written_apart, written_range)
from core.train import STEPS_RANGE, train
from tests.test_urlstate import widget_states
from views import urlstate


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
        ("width", 1, "2 to 2,048"),
        ("batch", 5000, "10 to 4,096"),
        ("seed", 2**32, "0 to 4,294,967,295"),
        ("gain", 1e-7, "0.000001 to 100"),
        ("std", -0.1, "0 to 100"),
        ("std", math.nan, "0 to 100"),
        ("std", math.inf, "0 to 100"),
        ("gain", 0.0, "or None"),
        ("activation", "swish", "tanh, sigmoid"),
        ("init", "kaiming", "he_normal"),
        ("mode", "fan_mean", "fan_in, fan_out, fan_avg"),
            ("distribution", "normal", "truncated_normal, untruncated_normal, uniform"),
            ("trunc_b", 101.0, "-100 to 100"),
            ("input_scale", 0.0, "0.001 to 100"),
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
            config = Config(activation=activation, init=init, depth=1, width=2, batch=10)
            assert (config.activation, config.init) == (activation, init)


def test_round_trip_through_dict_ignores_unknown_keys():
    c = Config(depth=3, activation="relu", init="he_normal", gain=1.5)
    assert Config.from_dict({**c.to_dict(), "from_a_newer_version": 1}) == c


# ---------- numbers in messages ----------

@pytest.mark.parametrize("number, text", [
    (0, "0"), (4294967295, "4,294,967,295"), (2048, "2,048"), (10_000, "10,000"), (100.0, "100"), (-100.0, "-100"),
    (1e-6, "0.000001"), (0.01, "0.01"), (-0.5, "-0.5"), (1234.5, "1,234.5"), (1e16, "10,000,000,000,000,000"),
])
def test_numbers_are_written_as_people_write_them(number, text):
    assert written(number) == text


PLAIN = re.compile(r"-?\d{1,3}(,\d{3})*(\.\d+)?")  # grouped thousands, a decimal point, never an exponent


@pytest.mark.slow
@given(st.one_of(st.integers(-(10**30), 10**30), st.floats(allow_nan=False, allow_infinity=False)))
def test_a_written_number_reads_back_as_the_same_number(number):
    text = written(number)
    assert PLAIN.fullmatch(text), text
    assert type(number)(text.replace(",", "")) == number if isinstance(number, int) else \
        float(text.replace(",", "")) == number


@pytest.mark.parametrize("name", [*INT_RANGES, *FLOAT_RANGES])
def test_every_range_message_writes_its_numbers_as_people_do(name):
    low, high = {**INT_RANGES, **FLOAT_RANGES}[name]
    with pytest.raises(ValueError) as error:
        Config(**{name: high + 1})
    message = str(error.value)
    assert f"from {written_range(low, high)}" in message
    assert not re.search(r"\d[eE][+-]?\d", message.partition(" is not allowed")[2]), message


def test_the_training_range_message_too():
    with pytest.raises(ValueError) as error:
        train(Config(depth=1, width=2, batch=10), steps=STEPS_RANGE[1] + 1)
    assert "from 1 to 10,000" in str(error.value)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(widget_states(), st.sampled_from(["depth", "width", "batch"]), st.floats(0, 1))
def test_every_network_resized_anywhere_the_limits_search_is_a_network(state, name, where):
    # The work and memory limits search each size from the smallest allowed up to the network's own (resize): every
    # size between is a network, of that size. A digits input keeps its 64 pixels (a conv net's one channel): a profile
    # scaled with them had started at 3 pixels, a ValueError where the page should say what fits.
    config = urlstate.config_of(state)[0]
    low = INT_RANGES[name][0]
    value = low + round(where * (resized_size(config, name) - low))
    resized = resize(config, name, value)
    assert resized_size(resized, name) == value
    assert resized.widths[:1] == config.widths[:1] or config.input != "digits" or not config.widths


@given(st.floats(0.5, 1e6), st.floats(1e-9, 10.0), st.sampled_from(["f", "e"]))
def test_a_value_over_its_limit_is_written_over_it(limit, excess, kind):
    """"needs about 1,024 MiB, over the budget of 1,024 MiB" had read as no excess, and a budget of 1.5 MiB as 2:
    the limit is written as itself (to 6 places), the value with the fewest digits that put it above."""
    limit = round(limit, 2)
    value = limit * (1 + excess) if excess > 1e-6 else limit + 1e-6 * limit
    written_value, written_limit = written_apart(value, limit, kind)
    read = [float(text.replace(",", "")) for text in (written_value, written_limit)]
    assert read[1] == pytest.approx(limit, rel=1e-6) and read[0] > read[1]


def test_a_value_over_its_limit_is_written_with_the_fewest_digits():
    assert written_apart(1024.3, 1024) == ("1,024.3", "1,024")
    assert written_apart(1024.5, 1024.4) == ("1,024.5", "1,024.4")
    assert written_apart(49, 1.5) == ("49", "1.5")
    assert written_apart(3.72e11, 3.7e11, "e") == ("3.72e+11", "3.7e+11")
    assert mib_apart(2**30 + 2**14, 2**30) == {"need": "1,024.02", "budget": "1,024"}
