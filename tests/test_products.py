"""Matrix products keep identical units identical (the lecture's symmetry), and otherwise equal np.matmul."""

import dataclasses
import threading
import warnings

import numpy as np
import pytest

from core import products, threads
from core.config import Config
from core.activations import apply
from core.initializers import layer_biases, scale_weights
from core.network import network_draws, simulate
from core.products import ROW_BLOCKS, SPLIT_WORK, matmul, matmul_rows


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("cols", [2, 3, 17, 500, 513])
def test_equal_columns_of_b_give_exactly_equal_columns(dtype, cols):
    rng = np.random.default_rng(cols)
    a = rng.standard_normal((100, 61)).astype(dtype)
    b = np.repeat(rng.standard_normal((61, 1)).astype(dtype), cols, axis=1)  # every unit's weights alike
    product = matmul(a, b)
    assert (product == product[:, :1]).all()
    np.testing.assert_allclose(product, a.astype(np.float64) @ b.astype(np.float64), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("rows", [2, 9, 64, 255])
def test_equal_rows_of_a_give_exactly_equal_rows(rows):
    rng = np.random.default_rng(rows)
    a = np.repeat(rng.standard_normal((1, 40)).astype(np.float32), rows, axis=0)
    b = rng.standard_normal((40, 33)).astype(np.float32)
    out = np.empty((rows, 33), np.float32)
    product = matmul(a, b, out=out)
    assert product is out
    assert (product == product[:1]).all()
    np.testing.assert_allclose(product, a.astype(np.float64) @ b, rtol=1e-4, atol=1e-4)


@pytest.mark.slow
def test_a_constant_layer_gives_one_unit():
    h = np.random.default_rng(0).standard_normal((1000, 500)).astype(np.float32)
    assert len(np.unique(matmul(h, np.full((500, 500), 0.01, np.float32)), axis=1).T) == 1


def test_other_products_are_np_matmul():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((50, 40)), rng.standard_normal((40, 30))
    b[:, 1] = b[:, 0]  # two equal columns of many: not the symmetric case
    np.testing.assert_array_equal(matmul(a, b), np.matmul(a, b))
    out = np.empty((50, 30))
    assert matmul(a, b, out=out) is out
    np.testing.assert_array_equal(out, np.matmul(a, b))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("power, full_passes", [(0, 0), (-20, 0), (30, 0), (-70, 2)])
def test_only_a_product_that_looks_tiny_reads_its_operands_in_full(monkeypatch, dtype, power, full_passes):
    """magnitude()'s three reads screen every product; largest()'s two passes over each operand (about 5 % of a
    page's CPU when every product paid them) are read only where those reads find the terms near the subnormal
    range: operands scaled by 2^power each, their terms 2^(2 power) (float64's range starts at 2^-1022, so its
    -70 is screened and read no further)."""
    read = []
    monkeypatch.setattr(products, "largest", lambda a: read.append(a.shape) or float(np.abs(a).max()))
    rng = np.random.default_rng(4)
    a, b = (np.ldexp(rng.standard_normal(shape), power).astype(dtype) for shape in ((40, 30), (30, 20)))
    product = matmul(a, b)
    assert len(read) == (full_passes if dtype == "float32" else 0), (dtype, power, read)
    if not read:  # screened: numpy's own product
        np.testing.assert_array_equal(product, np.matmul(a, b))


def test_an_operand_holding_nan_ends_the_full_reads():
    """A diverged run's operand holds nan where magnitude()'s three reads do not look: its full read finds it, and
    the other operand is not read in full too (the product is numpy's own, nan where it was)."""
    read = []
    rng = np.random.default_rng(5)
    a, b = (np.ldexp(rng.standard_normal(shape), -70).astype("float32") for shape in ((40, 30), (30, 20)))
    a[7, 3] = np.nan
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(products, "largest", lambda x: read.append(x.shape) or float(max(x.max(), -x.min())))
        product = matmul(a, b)
    assert read == [a.shape]
    np.testing.assert_array_equal(product, np.matmul(a, b))


# (dtype, power of two of each operand's scale): products whose terms a_ik b_kj lie below the smallest normal number
# (float32 2^-126, float64 2^-1022), some of the products themselves too; and, last of each dtype, products within
# RANGE_MARGIN of it whose terms are all normal
TINY_OPERANDS = [("float32", -70), ("float32", -66), ("float32", -80), ("float32", -40),
                 ("float64", -520), ("float64", -540), ("float64", -300)]


@pytest.mark.parametrize("dtype, power", TINY_OPERANDS)
@pytest.mark.parametrize("shape", [(64, 48, 40), (3, 200, 1)])
def test_a_product_of_tiny_operands_is_the_exact_product_rounded(dtype, power, shape):
    """a @ b with a = A 2^p, b = B 2^p, computed at a normal product's speed (on operands scaled to about 1), is the
    exact product (long double here) within the rounding of the sums, inner x eps x (|a| @ |b|), plus one unit of the
    subnormal range's spacing; where no term is subnormal it is numpy's product bit for bit (scaling by a power of two
    is exact)."""
    rows, inner, cols = shape
    rng = np.random.default_rng(-power)
    a, b = (np.ldexp(rng.standard_normal(size).astype(dtype), power) for size in ((rows, inner), (inner, cols)))
    wide = np.longdouble
    info = np.finfo(dtype)
    spacing = np.ldexp(wide(1), info.minexp - info.nmant)  # the smallest subnormal number
    sums = inner * wide(info.eps) * (np.abs(a).astype(wide) @ np.abs(b).astype(wide))
    product = matmul(a, b)
    assert product.dtype == dtype
    assert (np.abs(product.astype(wide) - a.astype(wide) @ b.astype(wide)) <= sums + spacing).all()
    if 2 * power > info.minexp:
        np.testing.assert_array_equal(product, np.matmul(a, b))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("which", ["a", "b", "both"])
@pytest.mark.parametrize("way", ["lifted", "split"])
def test_a_product_with_subnormal_entries_is_the_exact_product_rounded(monkeypatch, dtype, which, way):
    """An operand with 3 % subnormal entries among normal ones (a saturated tanh's slopes in dL/ds), and some rows
    (or columns) of nothing else, whose outputs are themselves subnormal: computed at normal speed, on the operand
    lifted by a power of two (core.products._lift, where its normal entries are about 1) or in two parts
    (core.products._split, where they are about 2^(maxexp - 20): no power of two can lift the subnormal ones without
    overflowing a sum), the product is the exact one (long double) within the rounding of the sums, inner x eps x
    (|a| @ |b|), plus one unit of the subnormal range's spacing: the subnormal entries' part counted, not dropped."""
    rng = np.random.default_rng(3)
    info = np.finfo(dtype)
    rows, inner, cols = 300, 256, 260
    assert rows * inner * cols >= products.SPOT_WORK
    top = 0 if way == "lifted" else info.maxexp - 20  # where no power of two lifts the subnormal entries
    taken = []
    for name in ("_lift", "_split"):
        original = getattr(products, name)
        monkeypatch.setattr(products, name, lambda *args, original=original, name=name: taken.append(
            (name, result := original(*args))) or result)

    def with_subnormal(shape, whole, top=0):
        x = np.ldexp(rng.standard_normal(shape), top).astype(dtype)
        tiny = np.ldexp(rng.uniform(1, 2**info.nmant, shape), info.minexp - info.nmant).astype(dtype)
        x = np.where(rng.random(shape) < 0.03, tiny * np.sign(x), x)
        x[whole] = tiny[whole]  # outputs of these rows (columns) come from subnormal terms alone
        return x

    # the large entries in one operand only: in both, the exact product would overflow
    a = with_subnormal((rows, inner), np.s_[:5], top) if which in ("a", "both") else rng.standard_normal(
        (rows, inner)).astype(dtype)
    b = with_subnormal((inner, cols), np.s_[:, :5], top if which == "b" else 0) if which in ("b", "both") else \
        rng.standard_normal((inner, cols)).astype(dtype)
    wide = np.longdouble
    spacing = np.ldexp(wide(1), info.minexp - info.nmant)
    sums = inner * wide(info.eps) * (np.abs(a).astype(wide) @ np.abs(b).astype(wide))
    product = matmul(a, b)
    assert product.dtype == dtype
    assert (np.abs(product.astype(wide) - a.astype(wide) @ b.astype(wide)) <= sums + spacing).all()
    # with subnormal entries in both, the one lifted first leaves no room to lift the other, which is split
    lifted = [k for name, k in taken if name == "_lift" and k is not None]
    assert (len(lifted) > 0, any(name == "_split" for name, _ in taken)) == (
        (True, which == "both") if way == "lifted" else (which == "both", True)), taken


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("power", [0, -70])
def test_a_product_holding_nan_or_inf_is_numpy_s(bad, power):
    """A run that diverged multiplies nan and inf: read where its size is sampled (the first entry), they leave the
    product numpy's, at any scale, and with subnormal entries beside them."""
    rng = np.random.default_rng(7)
    a = np.ldexp(rng.standard_normal((300, 256)).astype(np.float32), power)
    b = np.ldexp(rng.standard_normal((256, 260)).astype(np.float32), power)
    a[0, 0] = bad
    b[1:, 3] = np.float32(1e-40)  # subnormal
    np.testing.assert_array_equal(np.isnan(matmul(a, b)), np.isnan(np.matmul(a, b)))
    np.testing.assert_array_equal(np.isinf(matmul(a, b)), np.isinf(np.matmul(a, b)))


@pytest.mark.parametrize("row, col", [(0, 1), (0, 5), (7, 3), (12, 5), (12, 1)])
def test_one_unit_that_differs_anywhere_is_not_taken_for_symmetry(row, col):
    rng = np.random.default_rng(row * 7 + col)
    a = rng.standard_normal((30, 13))
    b = np.repeat(rng.standard_normal((13, 1)), 6, axis=1)
    b[row, col] += 1.0  # one weight of one unit: that unit computes something else
    np.testing.assert_array_equal(matmul(a, b), np.matmul(a, b))
    h = np.repeat(rng.standard_normal((1, 13)), 30, axis=0)
    h[min(row, 29) * 2 % 30, col] -= 1.0  # one input row of many differs
    np.testing.assert_array_equal(matmul(h, b), np.matmul(h, b))


# --- a large product in row blocks, on a free core too --------------------------------------------------------------

def large(rows: int = 600, inner: int = 300, cols: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Factors of a product with SPLIT_WORK multiply-adds or more (float32, as the page computes)."""
    assert rows * inner * cols >= SPLIT_WORK
    rng = np.random.default_rng(seed)
    return rng.standard_normal((rows, inner), np.float32), rng.standard_normal((inner, cols), np.float32)


def on_a_free_core(monkeypatch, fn):
    """fn() inside a compute slot, the machine's load leaving a core free: as a page's computation on an idle
    server, whatever else runs on this machine."""
    monkeypatch.setattr(threads, "machine_has_a_free_core", lambda: True)
    with threads.compute_slot():
        return fn()


@pytest.mark.parametrize("transposed", [False, True])
def test_a_product_in_row_blocks_is_the_same_on_a_free_core_and_in_one_thread(monkeypatch, transposed):
    """The blocks are fixed by the shapes: two threads give bitwise what one gives, and both are a @ b (float64
    reference, float32 roundings over the 300-term sums). transposed: h^T dz, the weight gradient's product."""
    a, b = large()
    if transposed:
        a = np.ascontiguousarray(a.T).T  # a transposed view, as h.T is
    both = on_a_free_core(monkeypatch, lambda: matmul_rows(a, b))
    np.testing.assert_array_equal(both, matmul_rows(a, b))
    np.testing.assert_allclose(both, a.astype(np.float64) @ b, rtol=1e-4, atol=1e-3)
    out = np.empty_like(both)
    assert on_a_free_core(monkeypatch, lambda: matmul_rows(a, b, out=out)) is out
    np.testing.assert_array_equal(out, both)


@pytest.mark.skipif(threads.usable_cores() < 2, reason="side-by-side work needs two cores")
def test_a_large_products_row_blocks_run_side_by_side_on_a_free_core(monkeypatch):
    """Each block waits for the other: the product ends only if ROW_BLOCKS threads compute it at once."""
    meet, ran, plain = threading.Barrier(ROW_BLOCKS, timeout=5), [], products.matmul

    def block(a, b, out=None):
        ran.append((threading.get_ident(), len(a)))
        meet.wait()
        return plain(a, b, out=out)

    monkeypatch.setattr(products, "matmul", block)
    a, b = large(rows=601)
    on_a_free_core(monkeypatch, lambda: matmul_rows(a, b))
    assert len({ident for ident, _ in ran}) == ROW_BLOCKS
    assert sorted(rows for _, rows in ran) == sorted({-(-601 // ROW_BLOCKS), 601 - -(-601 // ROW_BLOCKS)})


def test_a_small_product_is_one_call(monkeypatch):
    """Below SPLIT_WORK a helper thread would cost more than it saves: one plain matmul, in the caller's thread."""
    calls = []
    monkeypatch.setattr(products, "matmul", lambda a, b, out=None: calls.append(a.shape) or np.matmul(a, b))
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((100, 100)), rng.standard_normal((100, 100))
    on_a_free_core(monkeypatch, lambda: matmul_rows(a, b))
    assert calls == [(100, 100)]


@pytest.mark.parametrize("shape", ["columns", "rows"])
def test_row_blocks_keep_identical_units_identical(monkeypatch, shape):
    """Equal columns of b (a constant init's units), or equal rows of a, stay exactly equal across the blocks."""
    a, b = large(seed=4)
    if shape == "columns":
        b = np.repeat(b[:, :1], b.shape[1], axis=1)
        product = on_a_free_core(monkeypatch, lambda: matmul_rows(a, b))
        assert (product == product[:, :1]).all()
    else:
        a = np.repeat(a[:1], a.shape[0], axis=0)
        product = on_a_free_core(monkeypatch, lambda: matmul_rows(a, b))
        assert (product == product[:1]).all()


@pytest.mark.parametrize("changes", [{}, {"residual": True}, {"init": "constant"}, {"batch_norm": True},
                                     {"std": 1.0}])  # the last saturated: subnormal entries in its backward pass
def test_a_simulation_on_two_cores_is_the_simulation_on_one(monkeypatch, changes):
    """Every statistic of a page's network (products in row blocks, side by side) is bitwise the one computed in
    a single thread: the machine's load never changes a number on the page."""
    config = dataclasses.replace(Config(depth=3, width=300, batch=400, seed=5), **changes)
    assert config.batch * config.width**2 >= SPLIT_WORK
    both, alone = on_a_free_core(monkeypatch, lambda: simulate(config)), simulate(config)
    for name in both.stats:
        np.testing.assert_array_equal(both.stats[name], alone.stats[name], err_msg=name)
    np.testing.assert_array_equal(both.hist_counts, alone.hist_counts)


def test_a_simulation_that_overflows_on_two_cores_warns_of_nothing_and_says_where(monkeypatch):
    """simulate computes under np.errstate(all="ignore") and names the layer where values leave the float range; the
    product's row block on a helper thread had warned "overflow encountered in matmul" in the server's log, as a
    new thread does not inherit the caller's error settings."""
    config = Config(depth=16, width=300, batch=400, activation="relu", init="normal", std=100.0, seed=2)
    assert config.batch * config.width**2 >= SPLIT_WORK
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        both = on_a_free_core(monkeypatch, lambda: simulate(config))
    alone = simulate(config)
    assert not np.isfinite(alone.stats["act_std"]).all()  # it does overflow
    for name in both.stats:
        np.testing.assert_array_equal(both.stats[name], alone.stats[name], err_msg=name)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(10, 12, 12), (7, 1, 5), (3, 40, 2), (64, 48, 40)])
@pytest.mark.parametrize("seed", range(3))
def test_a_scaling_never_takes_an_entry_past_the_largest_number(dtype, shape, seed):
    """Operands whose entries magnitude() reads (first, middle, last) are tiny while the others are of order 10 to
    1000, as a GELU layer's h holds gelu(-40) = -40 Phi(-40) beside 40: the product is the exact product within the
    rounding of its sums, every entry finite. A scaling by the read size had multiplied the large entries past the
    type's largest number: inf, then nan, and the network was said to have overflowed at layer 8 of 8."""
    rows, inner, cols = shape
    info = np.finfo(dtype)
    rng = np.random.default_rng(seed)
    a = (rng.standard_normal((rows, inner)) * 10.0 ** rng.uniform(1, 3, (rows, inner))).astype(dtype)
    tiny = np.ldexp(np.ones(3, dtype), [info.minexp + 2, info.minexp - 3, info.minexp])  # normal and subnormal
    a.flat[[0, a.size // 2, a.size - 1]] = tiny
    b = rng.standard_normal((inner, cols)).astype(dtype)
    wide = np.longdouble
    spacing = np.ldexp(wide(1), info.minexp - info.nmant)
    sums = inner * wide(info.eps) * (np.abs(a).astype(wide) @ np.abs(b).astype(wide))
    for x, y in ((a, b), (b.T.copy(), a.T.copy())):  # the tiny reads in either operand
        product = matmul(x, y)
        assert np.isfinite(product).all()
        exact = x.astype(wide) @ y.astype(wide)
        bound = sums if x is a else sums.T
        assert (np.abs(product.astype(wide) - exact) <= bound + spacing).all()


def test_a_gelu_layer_of_tiny_and_large_values_is_not_said_to_overflow():
    # the failing network of tests/test_verdict.py's search: He weights, a mean bias of 3, width 12, depth 8
    config = Config(activation="gelu", init="he_normal", bias=3.0, depth=8, width=12, batch=10, seed=3)
    result = simulate(config)
    assert result.breaks == () and np.isfinite(result.stats["act_std"]).all()
    # the same draws through a plain float64 forward pass
    draws, biases = network_draws(config), layer_biases(config)
    h, stds = draws.x.astype(np.float64), [float(draws.x.std())]
    for layer, (fan_in, fan_out) in enumerate(config.shapes):
        w = scale_weights(config, draws.weights[layer], fan_in, fan_out).astype(np.float64)
        h = apply("gelu", h @ w + biases[layer].astype(np.float64), config.slope)
        stds.append(float(h.std()))
    np.testing.assert_allclose(result.stats["act_std"], stds, rtol=1e-5)
