"""Matrix products keep identical units identical (the lecture's symmetry), and otherwise equal np.matmul."""

import numpy as np
import pytest

from core.products import matmul


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
