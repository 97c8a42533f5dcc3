"""Gradients by central differences: the independent reference the backward passes are checked against."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def central_differences(loss: Callable[[], float], p: np.ndarray, step: Callable[[float], float]) -> np.ndarray:
    """d loss / d p, entry by entry: (loss(p + h e_i) - loss(p - h e_i)) / 2h with h = step(p_i); p is changed
    in place while loss() is evaluated and restored after each entry."""
    numeric = np.zeros_like(p)
    for index in np.ndindex(p.shape):
        saved = p[index]
        h = step(saved)
        p[index] = saved + h
        up = loss()
        p[index] = saved - h
        down = loss()
        p[index] = saved
        numeric[index] = (up - down) / (2 * h)
    return numeric


def assert_gradients(grads: dict[str, np.ndarray], params: dict[str, np.ndarray], loss: Callable[[], float],
                     h: float = 1e-6) -> None:
    """Every parameter's gradient (grads, by name) against central differences of loss(), which reads params (each
    changed in place while it runs), to rtol 1e-5 (atol 1e-8): float64 differences of step h."""
    assert set(grads) == set(params)
    for name, p in params.items():
        numeric = central_differences(loss, p, step=lambda value: h)
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-5, atol=1e-8, err_msg=name)


def unit_directions(shape: tuple[int, ...], count: int, seed: int) -> list[np.ndarray]:
    """count random directions of unit length in the space of arrays of this shape, from default_rng(seed)."""
    rng = np.random.default_rng(seed)
    return [v / np.linalg.norm(v) for v in rng.standard_normal((count, *shape))]


def directional_differences(loss: Callable[[], float], p: np.ndarray, directions: list[np.ndarray],
                            h: float) -> np.ndarray:
    """(loss(p + h v) - loss(p - h v)) / 2h for each direction v: <d loss / d p, v> from two evaluations. p is
    changed in place while loss() is evaluated and restored after each direction.

    Why a few random directions check the whole gradient: an error e in the gradient moves <g, v> by <e, v>, which
    for a random unit v is about |e| / sqrt(p.size) and zero only on a set of measure zero; one wrong entry e_i
    moves it by e_i v_i for every v."""
    saved = p.copy()
    numeric = []
    for v in directions:
        p[...] = saved + h * v
        up = loss()
        p[...] = saved - h * v
        down = loss()
        numeric.append((up - down) / (2 * h))
    p[...] = saved
    return np.array(numeric)


def assert_directional(grad: np.ndarray, loss: Callable[[], float], p: np.ndarray, h: float, tolerance: float,
                       seed: int, count: int = 4) -> None:
    """<grad, v> within tolerance of the central difference of loss() along count random unit directions v of p's
    shape (grad of p's shape), and the same differences reject grad with one entry (drawn from seed) off by 1e-3:
    the tolerance is tight enough to see such an error."""
    directions = unit_directions(p.shape, count, seed)
    numeric = directional_differences(loss, p, directions, h)
    np.testing.assert_array_less(np.abs(numeric - [np.sum(grad * v) for v in directions]), tolerance)
    wrong = grad.copy()
    wrong.flat[np.random.default_rng(seed).integers(wrong.size)] += 1e-3
    assert np.max(np.abs(numeric - [np.sum(wrong * v) for v in directions])) > tolerance
