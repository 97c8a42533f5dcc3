"""Property-based sweep over the whole Config space: never raises, never warns, flags what is not finite."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import Config, MemoryBudgetError, simulate
from core.config import ACTIVATIONS, DTYPES, INITS, INPUTS, MODES
from core.network import COLUMNS, memory_terms

scale = st.one_of(st.sampled_from([0.0, 1e-6, 0.01, 1.0, 100.0]), st.floats(0.0, 100.0))
configs = st.builds(
    Config,
    depth=st.integers(1, 40),
    width=st.integers(2, 24),
    batch=st.integers(10, 40),
    activation=st.sampled_from(ACTIVATIONS),
    slope=st.floats(0.0, 1.0),
    init=st.sampled_from(INITS),
    std=scale,
    bound=scale,
    value=st.floats(-100.0, 100.0),
    gain=st.one_of(st.none(), st.floats(1e-6, 100.0)),
    mode=st.sampled_from(MODES),
    bias=st.floats(-100.0, 100.0),
    bias_std=scale,
    batch_norm=st.booleans(),
    input=st.sampled_from(INPUTS),
    seed=st.integers(0, 2**32 - 1),
    dtype=st.sampled_from(DTYPES),
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs)
def test_any_config_simulates_without_warnings_and_flags_non_finite_values(config):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning (overflow, invalid value) fails the test
        result = simulate(config)
    rows = result.rows()
    assert [row["layer"] for row in rows] == list(range(config.depth + 1))
    first_break = min((b.layer for b in result.breaks), default=config.depth + 1)
    for row in rows:
        for name in COLUMNS:  # every number is finite, or missing (None): never nan or inf
            value = row[name]
            assert value is None or math.isfinite(value), (name, row)
        if 1 <= row["layer"] < first_break and not any(b.stage == "forward" for b in result.breaks):
            assert row["act_std"] is not None and row["pre_std"] is not None
    forward = [b for b in result.breaks if b.stage == "forward"]
    if forward:  # statistics after a forward break are missing, before it present
        layer = forward[0].layer
        assert all(row["act_std"] is None for row in rows[layer:])
        assert all(row["act_std"] is not None for row in rows[:layer])
        assert result.exploded[layer] or result.vanished[layer]
    assert (result.exploded.sum() + result.vanished.sum()) == len(result.breaks) <= 1
    # every value of a layer is counted once (values beyond the edges in the end bins), up to a forward break
    counted = result.hist_counts.sum(axis=1)
    last = forward[0].layer if forward else config.depth + 1
    assert (counted[:last] == config.batch * np.array(config.units)[:last]).all(), counted  # layer l: batch x units[l]


@settings(max_examples=30, deadline=None)
@given(depth=st.integers(60, 100), width=st.integers(1500, 2048), batch=st.integers(3000, 4096))
def test_configs_over_the_budget_are_refused_before_allocating(depth, width, batch):
    try:
        simulate(Config(depth=depth, width=width, batch=batch))
    except MemoryBudgetError as error:  # the advice of the larger part of the memory (network.memory_terms)
        terms = memory_terms(Config(depth=depth, width=width, batch=batch))
        advice = "lower depth or width" if terms["weights"] > terms["batch"] else "lower depth, width or batch"
        assert "MiB" in str(error) and advice in str(error)
    else:
        raise AssertionError("a multi-GiB configuration was accepted")
