"""The random draws: seeded streams, a bigger network extending a smaller one, and no dependence on history."""

import math
import threading
from dataclasses import replace

import numpy as np
import pytest

from core import Config, draws, simulate
from core.draws import draw, generator, shell_order
from tests.memory_support import can_measure, peak_rise_mib

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
    for rows, cols in ((40, 7), (7, 40), (1, 40), (40, 1)):
        np.testing.assert_array_equal(shell_order(rows, cols), big[:rows, :cols])
    assert not big.flags.writeable  # kept, and handed to every session


def test_the_shell_order_indices_kept_stay_within_their_bytes_and_a_large_layer_keeps_none():
    """Each shape read through an index keeps one (shell_orders_bytes counts them); past SHELL_ORDER_BYTES the least
    recently used goes; a layer whose index would be over GATHERED_BYTES (725 x 725 entries of 8 bytes) keeps none."""
    shapes = [(500, 500), (500, 10), (10, 500), (700, 700)]
    for layer, (fan_in, fan_out) in enumerate(shapes):
        draws.unit_weights(1, layer, fan_in, fan_out, "normal", "float32")
    intp = np.dtype(np.intp).itemsize
    assert draws._shell_orders.nbytes == draws.shell_orders_bytes(shapes) == intp * sum(m * n for m, n in shapes)
    assert set(draws._shell_orders) == set(shapes)
    assert draws.gathered(724, 724) and not draws.gathered(725, 725)
    draws.unit_weights(1, 0, 725, 725, "normal", "float32")
    assert (725, 725) not in draws._shell_orders and draws.shell_orders_bytes([(725, 725)]) == 0
    more = [(n, n) for n in range(701, 706)]  # 3.8-3.9 MiB each: five overflow the 16 MiB
    for fan_in, fan_out in more:
        draws.unit_weights(1, 0, fan_in, fan_out, "normal", "float32")
    assert draws._shell_orders.nbytes <= draws.SHELL_ORDER_BYTES
    assert more[-1] in draws._shell_orders and (500, 500) not in draws._shell_orders
    assert draws.shell_orders_bytes(shapes + more) == draws.SHELL_ORDER_BYTES
    wide = shell_order(1500)  # asked for outright: 17 MiB, over the bound, handed out and not kept
    assert wide[1499, 0] == 1499**2 and (1500, 1500) not in draws._shell_orders


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


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_stores_keep_a_students_last_lecture_network_for_the_next_slider_move(monkeypatch, dtype):
    # The stores are sized for a server (ASSEMBLED_BYTES, STREAM_BYTES), and still hold the lecture's network (10 x 500,
    # batch 1,000) in either precision: a std change after it draws no number, from its assembled draws or, once
    # other networks have taken those, from its streams.
    lecture = Config(dtype=dtype)
    simulate(lecture)
    made = []
    monkeypatch.setattr(draws, "generator", lambda *args: made.append(args) or generator(*args))
    simulate(replace(lecture, std=0.02))
    assert made == [] and len(draws._assembled) == 1
    draws._assembled.clear()
    simulate(replace(lecture, std=0.05))
    assert made == []  # the numbers came from the kept streams
    assert draws._assembled.nbytes <= draws.ASSEMBLED_BYTES and draws._streams.nbytes <= draws.STREAM_BYTES


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



def test_the_kept_streams_bytes_are_counted_as_they_grow_and_leave(monkeypatch):
    """The running count of the streams' bytes, which the eviction reads, is their sum, after sessions grew and
    evicted streams at once (a small budget makes every draw evict)."""
    monkeypatch.setattr(draws, "STREAM_BYTES", 2 * 150 * 150 * 4)
    draws.forget()

    def grow(seed):
        for width in (40, 90, 150):
            draw(depth=3, width=width, batch=30, seed=seed, input="normal", weight_family="normal", dtype="float32")

    sessions = [threading.Thread(target=grow, args=(seed,)) for seed in (1, 2, 3, 1, 2, 3)]
    for session in sessions:
        session.start()
    for session in sessions:
        session.join()
    held = sum(s.numbers.nbytes for s in draws._streams.values())
    assert draws._streams.nbytes == held <= draws.STREAM_BYTES
    draws.forget()
    assert draws._streams.nbytes == 0

# ---------- any (fan_in, fan_out): the layout the simulation and the training share ----------

def shell_place(i: int, j: int) -> int:
    """Entry (i, j)'s place in its stream, written out from the layout's definition: the k² numbers of the
    shells below k = max(i, j), then row k left to right, then column k top to bottom."""
    k = max(i, j)
    return k * k + (j if i == k else k + 1 + i)


@pytest.fixture(params=["gathered", "filled"])
def reading(request, monkeypatch):
    """Both ways a layer reads its stream: through a kept shell_order index, or filled shell by shell (a layer whose
    index would take more than GATHERED_BYTES; here every layer)."""
    if request.param == "filled":
        monkeypatch.setattr(draws, "GATHERED_BYTES", 0)
    return request.param


@pytest.mark.parametrize("fan_in, fan_out", [(1, 1), (3, 7), (7, 3), (64, 65), (500, 3), (3, 500), (128, 128)])
@pytest.mark.parametrize("weight_family", ["normal", "uniform"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_layer_of_any_shape_reads_its_stream_in_shell_order(fan_in, fan_out, weight_family, dtype, reading):
    """Every entry is the stream's number at its shell place, drawn here straight from the layer's generator,
    and the layer reads exactly the numbers up to its largest place (stream_count)."""
    places = np.array([[shell_place(i, j) for j in range(fan_out)] for i in range(fan_in)])
    count = int(places.max()) + 1
    assert draws.stream_count(fan_in, fan_out) == count
    rng = generator(9, draws.WEIGHTS, 2)
    numbers = rng.standard_normal(count, dtype=dtype) if weight_family == "normal" else \
        rng.random(count, dtype=dtype) * 2.0 - 1.0
    w = draws.unit_weights(9, 2, fan_in, fan_out, weight_family, dtype)
    assert w.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(w, numbers[places])
    assert ((fan_in, fan_out) in draws._shell_orders) == (reading == "gathered")


@pytest.mark.parametrize("weight_family", ["normal", "uniform"])
def test_a_bigger_layer_extends_a_smaller_one_in_rows_and_columns(weight_family):
    """More inputs add rows, more outputs add columns, in either order: the read-out (width x classes) is the
    first columns of the same layer drawn square, and a square layer keeps the simulation's numbers."""
    big = draws.unit_weights(4, 1, 90, 120, weight_family, "float32")
    for fan_in, fan_out in ((90, 3), (5, 120), (60, 60), (1, 1), (89, 119)):
        small = draws.unit_weights(4, 1, fan_in, fan_out, weight_family, "float32")
        np.testing.assert_array_equal(small, big[:fan_in, :fan_out])
    square = draw(depth=2, width=60, batch=10, seed=4, input="normal", weight_family=weight_family, dtype="float32")
    np.testing.assert_array_equal(square.weights[1], big[:60, :60])


@pytest.mark.parametrize("weight_family", ["normal", "uniform"])
def test_a_conv_layers_draw_is_one_block_a_tap_each_from_its_own_stream(weight_family, reading):
    """(9 C_in, C_out) in taps of (C_in, C_out): tap t is stream (WEIGHTS, layer, t) in shell order, so that taps C_in
    C_out numbers are drawn (not the ~(9 C_in)² one tall matrix's shells read), and more channels extend every tap."""
    draws.forget()
    c_in, c_out, taps = 12, 7, 9
    w = draws.unit_weights(5, 2, taps * c_in, c_out, weight_family, "float64", taps=taps)
    assert w.shape == (taps * c_in, c_out)
    places = np.array([[shell_place(i, j) for j in range(c_out)] for i in range(c_in)])
    for tap in range(taps):
        rng = generator(5, draws.WEIGHTS, 2, tap)
        count = draws.stream_count(c_in, c_out)
        numbers = rng.standard_normal(count) if weight_family == "normal" else rng.random(count) * 2.0 - 1.0
        np.testing.assert_array_equal(w[tap * c_in:(tap + 1) * c_in], numbers[places])
    wider = draws.unit_weights(5, 2, taps * 20, 11, weight_family, "float64", taps=taps)
    for tap in range(taps):
        np.testing.assert_array_equal(w[tap * c_in:(tap + 1) * c_in], wider[tap * 20:tap * 20 + c_in, :c_out])
    drawn = sum(s.numbers.size for key, s in draws._streams.items() if key[0] == 5 and key[1][:2] == (draws.WEIGHTS, 2))
    assert drawn <= draws.GROWTH * taps * 20 * 20  # a tap's 20 x 11 shells read at most 20² numbers
    with pytest.raises(ValueError, match="taps=4 must divide fan_in=9"):
        draws.unit_weights(5, 2, 9, 3, weight_family, "float64", taps=4)


@pytest.mark.parametrize("fan_in, fan_out", [(40, 40), (60, 25), (25, 60)])
def test_an_orthogonal_layer_of_any_shape_is_semi_orthogonal_and_kept(fan_in, fan_out):
    w = draws.unit_weights(3, 0, fan_in, fan_out, "orthogonal", "float64")
    gram = w.T @ w if fan_in >= fan_out else w @ w.T
    np.testing.assert_allclose(gram, np.eye(min(fan_in, fan_out)), atol=1e-12)
    assert draws.unit_weights(3, 0, fan_in, fan_out, "orthogonal", "float64") is w  # a gain change: no new QR


def test_the_biases_are_one_stream_layer_after_layer():
    """Equal widths: the (depth, width) numbers of the bias stream, as before; any widths: the same stream cut
    layer after layer, so more layers extend it."""
    expected = generator(6, draws.BIAS).standard_normal(3 * 40).reshape(3, 40)
    np.testing.assert_array_equal(np.stack(draws.bias_noise(6, [40] * 3)), expected)
    uneven = draws.bias_noise(6, [50, 20, 30, 7])
    np.testing.assert_array_equal(np.concatenate(uneven[:3]), expected.ravel()[:100])
    assert [len(b) for b in uneven] == [50, 20, 30, 7]


def test_the_weight_streams_memory_is_counted_for_any_shape():
    shapes = [(500, 500)] * 3 + [(500, 3)]
    numbers = 3 * 500 * 500 + 499**2 + 3
    assert draws.weight_stream_bytes(shapes, "normal", "float32") == math.ceil(draws.GROWTH * 4 * numbers)
    assert draws.weight_stream_bytes(shapes, "orthogonal", "float32") == 0  # kept as matrices, not numbers
    assert draws.weight_stream_bytes(shapes, None, "float64") == 0


# ---------- what drawing holds in memory, as Linux counts it (a fresh process each) ----------

MEASURABLE = pytest.mark.skipif(not can_measure(), reason="needs /proc/self/clear_refs (Linux) to reset the peak")


@pytest.mark.slow
@MEASURABLE
def test_drawing_weights_holds_only_the_weights_and_their_streams_numbers():
    # each 1024 x 1024 float32 layer keeps its stream's numbers and its W, 4 MiB each, and nothing else stays
    # resident: np.take's copy of the read-only shell-order index (8 MiB a layer) once left ~4.5 MiB a layer more
    # (a 1024 x 1024 layer is filled in shell order: no index); set up: numpy's seeding at first use (5 MiB once, as
    # in any run)
    setup = "from core import draws\ndraws.unit_weights(1, 0, 4, 4, 'normal', 'float32')"
    rise = peak_rise_mib(setup, "w = [draws.unit_weights(0, layer, 1024, 1024, 'normal', 'float32') for layer in "
                                "range(6)]")
    kept = 6 * 2 * 4 * 1024 * 1024 / 2**20
    assert 0.8 * kept < rise <= kept + 1  # 1 MiB: the generators, and pages part-used


@pytest.mark.slow
@MEASURABLE
def test_drawing_layers_read_through_an_index_holds_the_weights_their_numbers_and_one_index():
    # six 700 x 700 float32 layers: W and its stream's numbers, 1.9 MiB each a layer, and the shape's one intp index
    # (3.7 MiB), kept; the numbers counted up to the layer's own (not GROWTH's margin: each stream is drawn once)
    setup = "from core import draws\ndraws.unit_weights(1, 0, 4, 4, 'normal', 'float32')"
    rise = peak_rise_mib(setup, "w = [draws.unit_weights(0, layer, 700, 700, 'normal', 'float32') for layer in "
                                "range(6)]\nassert (700, 700) in draws._shell_orders")
    kept = (6 * 2 * 4 + 8) * 700 * 700 / 2**20
    assert 0.9 * kept < rise <= kept + 1


@pytest.mark.slow
@MEASURABLE
@pytest.mark.parametrize("rows, cols", [(1024, 1024), (2048, 512), (512, 2048), (1000, 700)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_an_orthogonal_draw_holds_what_qr_bytes_counts_beyond_its_result(rows, cols, dtype):
    # a QR of the same shape first, its freed memory handed back: scipy and its BLAS buffers loaded, not counted
    # the generator made before the peak is reset, as the engine's are
    setup = ("import numpy as np\nfrom core import draws\nfrom core.allocator import release_freed_memory\n"
             f"draws.orthogonal(np.random.default_rng(0), {rows}, {cols})\nrelease_freed_memory()\n"
             "rng = np.random.default_rng(1)")
    rise = peak_rise_mib(setup, f"q = draws.orthogonal(rng, {rows}, {cols}, {dtype!r})")
    held = rise - rows * cols * np.dtype(dtype).itemsize / 2**20  # beyond the result
    counted = draws.qr_bytes(rows, cols, dtype) / 2**20
    # Linux counts whole 4 KiB pages, and the call's Python objects touch 0-2 of them (24 runs of 512 x 2048 float64:
    # 256 KiB held beyond the result, 260 or 264 KiB in 5 of them, against qr_bytes' 264 KiB)
    pages = 2 * 4 / 1024
    # numpy.linalg.qr held about 5 float64 matrices: 40 MiB at 1024 x 1024
    assert held <= counted + pages and counted <= 1.25 * held


def test_each_precision_draws_its_own_numbers_from_a_seed_as_the_sidebar_says():
    """The Precision and Seed helps say that the same seed and precision draw the same weights and data, and that each
    precision draws its own numbers (the help had offered float64 "to see which effects are rounding": a float64
    network is another draw, its weights uncorrelated with float32's, not float32's rounded)."""
    from core import Config
    from core.network import network_draws
    from views.text import t

    single, double = (network_draws(Config(depth=2, width=60, batch=50, dtype=d)) for d in ("float32", "float64"))
    again = network_draws(Config(depth=2, width=60, batch=50, dtype="float32"))
    assert all(np.array_equal(w, v) for w, v in zip(single.weights, again.weights))
    assert np.array_equal(single.x, again.x)
    for w32, w64 in zip(single.weights, double.weights):
        assert abs(np.corrcoef(w32.ravel(), w64.ravel())[0, 1]) < 0.1  # two draws, not one rounded
    assert abs(np.corrcoef(single.x.ravel(), double.x.ravel())[0, 1]) < 0.1
    assert "rounding" not in t("en", "dtype_help") and "precision" in t("en", "seed_help")
