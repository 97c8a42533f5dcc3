"""The random draws: seeded streams, a bigger network extending a smaller one, and no dependence on history."""

import threading

import numpy as np
import pytest

from core import draws
from core.draws import draw, generator, shell_order

SHAPE = dict(seed=7, input="normal", weight_family="normal", dtype="float32")


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test starts with nothing kept, as a new process would."""
    def clear():
        draws.forget()
    clear()
    yield
    clear()


def test_the_streams_are_numpys_spawned_generators():
    # generator(seed, a, b) is default_rng(seed).spawn(...)[a].spawn(...)[b], built without spawning the rest
    parent = np.random.default_rng(11).spawn(4)[1]
    expected = parent.spawn(6)[5].standard_normal(8)
    np.testing.assert_array_equal(generator(11, 1, 5).standard_normal(8), expected)
    np.testing.assert_array_equal(generator(11, 3).standard_normal(8), np.random.default_rng(11).spawn(4)[3]
                                  .standard_normal(8))


def test_shell_order_by_hand():
    # shell 0: (0,0); shell 1: (1,0) (1,1) then (0,1); shell 2: (2,0) (2,1) (2,2) then (0,2) (1,2)
    np.testing.assert_array_equal(shell_order(3), [[0, 3, 7], [1, 2, 8], [4, 5, 6]])
    big = shell_order(40)
    np.testing.assert_array_equal(np.sort(big.ravel()), np.arange(1600))  # a permutation
    np.testing.assert_array_equal(shell_order(3), big[:3, :3])  # a place does not depend on the width


@pytest.mark.parametrize("weight_family", ["normal", "uniform"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_bigger_network_extends_a_smaller_one(weight_family, dtype):
    shape = {**SHAPE, "weight_family": weight_family, "dtype": dtype}
    small = draw(depth=3, width=70, batch=50, **shape)
    big = draw(depth=5, width=130, batch=90, **shape)  # two more blocks of units, more samples, more layers
    np.testing.assert_array_equal(big.x[:50, :70], small.x)
    np.testing.assert_array_equal(big.readout[:50, :70], small.readout)
    for w_small, w_big in zip(small.weights, big.weights):
        np.testing.assert_array_equal(w_big[:70, :70], w_small)


@pytest.mark.parametrize("path", [(300, 301, 302, 500), (500, 300), (64, 65, 129, 500)])
def test_a_network_does_not_depend_on_the_networks_drawn_before(path):
    """Drawn in pieces as a slider moves (the streams grow), or cut from a bigger one: the same numbers."""
    for width in path:
        via_path = draw(depth=2, width=width, batch=40, **SHAPE)
    kept = {key: stream.numbers.size for key, stream in draws._streams.items()}
    draws.forget()
    fresh = draw(depth=2, width=path[-1], batch=40, **SHAPE)
    for a, b in zip((via_path.x, *via_path.weights, via_path.readout), (fresh.x, *fresh.weights, fresh.readout)):
        np.testing.assert_array_equal(a, b)
    assert max(kept.values()) >= path[-1] ** 2  # the path did reuse grown streams


def test_unit_draws_have_unit_scale_and_independent_parts():
    d = draw(depth=4, width=256, batch=400, **SHAPE)
    for a in (d.x, d.readout, *d.weights):
        assert abs(a.mean()) < 0.02 and a.std() == pytest.approx(1.0, abs=0.02)
    # blocks of units, layers and parts come from different streams: no correlation between them
    for a, b in ((d.x[:, :64], d.x[:, 64:128]), (d.weights[0], d.weights[1]), (d.x, d.readout)):
        assert abs(np.corrcoef(a.ravel(), b.ravel())[0, 1]) < 0.01
    uniform = draw(depth=2, width=200, batch=300, seed=7, input="uniform", weight_family="uniform",
                   dtype="float64")
    assert np.abs(uniform.x).max() <= np.sqrt(3) and uniform.x.var() == pytest.approx(1.0, abs=0.02)
    assert np.abs(uniform.weights[0]).max() <= 1 and uniform.weights[0].var() == pytest.approx(1 / 3, abs=0.01)


def test_orthogonal_weights_are_orthogonal():
    d = draw(depth=2, width=50, batch=10, seed=3, input="normal", weight_family="orthogonal", dtype="float64")
    for w in d.weights:
        np.testing.assert_allclose(w @ w.T, np.eye(50), atol=1e-12)
    assert not np.allclose(d.weights[0], d.weights[1])


def test_draws_are_read_only():
    d = draw(depth=1, width=10, batch=10, **SHAPE)
    with pytest.raises(ValueError):
        d.weights[0][0, 0] = 1.0


def test_kept_numbers_stay_within_their_budget(monkeypatch):
    monkeypatch.setattr(draws, "STREAM_BYTES", 3 * 200 * 200 * 4)
    for seed in range(5):
        draw(depth=3, width=200, batch=10, seed=seed, input="normal", weight_family="normal", dtype="float32")
    assert sum(s.numbers.nbytes for s in draws._streams.values()) <= draws.STREAM_BYTES
    # evicted streams are drawn again to the same numbers
    again = draw(depth=3, width=200, batch=10, seed=0, input="normal", weight_family="normal", dtype="float32")
    draws.forget()
    fresh = draw(depth=3, width=200, batch=10, seed=0, input="normal", weight_family="normal", dtype="float32")
    np.testing.assert_array_equal(again.weights[2], fresh.weights[2])


def test_sessions_drawing_at_once_get_the_same_numbers():
    results = {}

    def grow(name, widths):
        for width in widths:
            results[name] = draw(depth=3, width=width, batch=30, **SHAPE)

    threads = [threading.Thread(target=grow, args=(i, (100 + i, 150, 220))) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    draws.forget()
    fresh = draw(depth=3, width=220, batch=30, **SHAPE)
    for result in results.values():
        for a, b in zip(result.weights, fresh.weights):
            np.testing.assert_array_equal(a, b)
