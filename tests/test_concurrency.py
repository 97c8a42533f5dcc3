"""Sessions at once: nothing one session does to process-wide state reaches another session's page.

Streamlit runs every session's script in a thread of one process, so whatever is module-global is shared:
Altair's data-transformer and theme registries (st.altair_chart switches both, under a lock of its own,
while it serializes a chart), numpy's floating-point error state, and the caches of core.draws and
core.theory. The page's specs are made without Altair's registries, the caches are filled under locks and
hold read-only arrays, and numpy's error state is per thread.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from core import draws, theory


# ---------- numpy's error state ----------

def test_numpys_error_state_is_per_thread():
    """core.network and core.train compute under np.errstate(all="ignore"): that must not reach other sessions."""
    inside, done = threading.Event(), threading.Event()

    def ignoring():
        with np.errstate(all="ignore"):
            inside.set()
            done.wait(timeout=60)

    thread = threading.Thread(target=ignoring)
    thread.start()
    try:
        assert inside.wait(timeout=60)
        # numpy's defaults here, not the other thread's "ignore"
        assert np.geterr() == {"divide": "warn", "over": "warn", "under": "ignore", "invalid": "warn"}
        with np.errstate(divide="raise"), pytest.raises(FloatingPointError):
            np.divide(np.float64(1.0), np.float64(0.0))
    finally:
        done.set()
        thread.join()


# ---------- core's caches ----------

def _clear_draws():
    with draws._lock:
        draws._assembled.clear()
        draws._streams.clear()


NETWORKS = [  # one seed: streams shared by every network, grown by the wider and deeper ones while others read
    dict(depth=depth, width=width, batch=batch, input=source, weight_family=family, dtype=dtype)
    for depth, width, batch in ((3, 40, 30), (5, 70, 50), (4, 130, 20), (6, 65, 90))
    for source, family, dtype in (("normal", "normal", "float32"), ("uniform", "uniform", "float64"))
]


def test_threads_drawing_at_once_get_the_numbers_drawn_alone():
    """Streams and assembled draws are shared and grown under locks: no thread sees another's half-drawn numbers."""
    _clear_draws()
    alone = [draws.draw(seed=11, **network) for network in NETWORKS]
    _clear_draws()
    orders = [list(range(len(NETWORKS))), list(reversed(range(len(NETWORKS)))), [1, 0, 3, 2, 5, 4, 7, 6]] * 2
    got: dict[tuple[int, int], draws.Draws] = {}
    errors = []

    def session(thread: int):
        try:
            for i in orders[thread]:
                got[thread, i] = draws.draw(seed=11, **NETWORKS[i])
        except Exception as error:  # noqa: BLE001 - every exception is the finding
            errors.append(error)

    threads = [threading.Thread(target=session, args=(thread,)) for thread in range(len(orders))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(got) == len(orders) * len(NETWORKS)
    for (_, i), made in got.items():
        for a, b in zip((made.x, *made.weights, made.readout), (alone[i].x, *alone[i].weights, alone[i].readout),
                        strict=True):
            np.testing.assert_array_equal(a, b)


def _cached_arrays():
    """Every array a module-level cache hands out (or keeps as a module constant) to more than one session."""
    made = draws.draw(seed=3, depth=2, width=9, batch=10, input="normal", weight_family="normal", dtype="float32")
    grid = theory.phase_map("tanh")
    length = theory._length_table("tanh", 0.01, 0.0)
    yield from (("draws.x", made.x), ("draws.weights", made.weights[0]), ("draws.readout", made.readout),
                ("shell_order", draws.shell_order(9)))
    yield from ((f"phase_map[{key}]", array) for key, array in grid.items())
    yield from ((f"_length_table[{key}]", array) for key, array in length.items() if np.ndim(array))
    yield from ((f"_hermite_table[{i}]", array) for i, array in enumerate(theory._hermite_table("tanh", 0.01, 0.0)))
    yield "critical_sigma_w2", theory.critical_sigma_w2("tanh", theory.DEFAULT_SIGMA_B2)
    yield "DEFAULT_SIGMA_W2", theory.DEFAULT_SIGMA_W2
    yield "DEFAULT_SIGMA_B2", theory.DEFAULT_SIGMA_B2


def test_no_cached_array_can_be_changed_in_place():
    """A session changing a shared array in place would change what every other session computes from it."""
    changed = []
    for name, array in _cached_arrays():
        before = np.array(array, copy=True)
        try:
            array[...] = 0
        except ValueError as error:
            assert "read-only" in str(error), name
        else:
            changed.append(name)
            array[...] = before  # put it back for the tests that follow
    assert changed == []


@pytest.mark.parametrize("table", [lambda: theory.phase_map("relu"), lambda: theory._length_table("relu", 0.01, 0.0)],
                         ids=["phase_map", "_length_table"])
def test_a_cached_table_cannot_be_changed(table):
    """A caller replacing an entry would replace it for every session that asks next."""
    cached = table()
    key = next(iter(cached))
    original = cached[key]
    try:
        with pytest.raises(TypeError):
            cached[key] = np.zeros(1)
    finally:
        if cached[key] is not original:
            cached[key] = original
    assert table() is cached and table()[key] is original
