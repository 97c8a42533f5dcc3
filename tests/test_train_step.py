"""The training step against a plain reference: the same SGD written the obvious way, one fresh array per
operation and one update per parameter, must give the engine's curves bit for bit, whatever the engine does
to be quick (buffers reused across steps, one update over all parameters at once)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from core import Config, activations
from core.batchnorm import batch_norm, batch_norm_backward
from core.network import distinct_columns, mean_std
from core.products import matmul
from core.train import (
    HEAD_SCALE, SCHEMES, _minibatches, _record_steps, init_params, make_task, race, scheme_config,
    softmax_cross_entropy,
)

STEPS = 25


def reference_run(config: Config, steps: int, lr: float = 0.02, momentum: float = 0.9, batch: int = 128,
                  classes: int = 3) -> dict:
    """Minibatch SGD with momentum (torch's convention) on the spiral task, written plainly: its loss and
    accuracy per step, per-layer records at the race's record steps, and the final evaluation."""
    with np.errstate(all="ignore"):  # a diverging run overflows, as in the engine
        return _reference_run(config, steps, lr, momentum, batch, classes)


def _reference_run(config, steps, lr, momentum, batch, classes) -> dict:
    task = make_task(classes, config.width, config.dtype)
    params = init_params(config, classes)
    velocity = {k: np.zeros_like(p) for k, p in params.items()}
    order = _minibatches(len(task.labels), batch, steps)
    marks = set(_record_steps(steps).tolist())
    loss, accuracy = np.full(steps, np.nan), np.full(steps, np.nan)
    act_std, grad_std, update_ratio = [], [], []

    def layer_forward(h_in, layer):
        z = matmul(h_in, params[f"W{layer}"]) + params[f"b{layer}"]
        s_hat = inv_std = None
        if config.batch_norm:
            s_hat, inv_std = batch_norm(z)
            s = s_hat * params[f"gamma{layer}"] + params[f"beta{layer}"]
        else:
            s = z
        return s, activations.apply(config.activation, s, config.slope), s_hat, inv_std

    for step in range(steps):
        x, labels = task.x[order[step]], task.labels[order[step]]
        h, tape = x, []
        for layer in range(1, config.depth + 1):
            s, h_out, s_hat, inv_std = layer_forward(h, layer)
            tape.append((h, s, h_out, s_hat, inv_std))
            h = h_out
        logits = matmul(h, params["head_W"]) + params["head_b"]
        step_loss, dlogits, correct = softmax_cross_entropy(logits, labels)
        if not math.isfinite(step_loss):
            break
        loss[step], accuracy[step] = step_loss, correct / batch
        grads = {"head_W": matmul(h.T, dlogits), "head_b": dlogits.sum(axis=0)}
        dh = matmul(dlogits, params["head_W"].T)
        stds = []
        for layer in range(config.depth, 0, -1):
            h_in, s, h_out, s_hat, inv_std = tape[layer - 1]
            d = activations.derivative(config.activation, s, config.slope)
            ds = dh * d
            if config.batch_norm:
                grads[f"gamma{layer}"] = np.einsum("ij,ij->j", ds, s_hat)
                grads[f"beta{layer}"] = ds.sum(axis=0)
                dz = batch_norm_backward(ds * params[f"gamma{layer}"], s_hat, inv_std)
            else:
                dz = ds
            stds.append(batch * mean_std(dz)[1])
            grads[f"W{layer}"] = matmul(h_in.T, dz)
            grads[f"b{layer}"] = dz.sum(axis=0)
            dh = matmul(dz, params[f"W{layer}"].T)
        for key in params:
            velocity[key] = momentum * velocity[key] + grads[key]
            params[key] = params[key] - lr * velocity[key]
        if step in marks:
            grad_std.append(stds[::-1])
            act_std.append([mean_std(rec[2])[1] for rec in tape])
            update_ratio.append([lr * mean_std(velocity[f"W{i}"])[1] / w if (w := mean_std(params[f"W{i}"])[1]) > 0
                                 else math.nan for i in range(1, config.depth + 1)])
    h, distinct = task.x, []
    for layer in range(1, config.depth + 1):
        h = layer_forward(h, layer)[1]
        distinct.append(distinct_columns(h) if np.isfinite(h).all() else math.nan)
    final_loss, _, correct = softmax_cross_entropy(matmul(h, params["head_W"]) + params["head_b"], task.labels)
    return dict(loss=loss, accuracy=accuracy, act_std=np.array(act_std).reshape(-1, config.depth),
                grad_std=np.array(grad_std).reshape(-1, config.depth),
                update_ratio=np.array(update_ratio).reshape(-1, config.depth), distinct_units=np.array(distinct),
                final_loss=final_loss,
                final_accuracy=correct / len(task.labels) if math.isfinite(final_loss) else math.nan)


def test_the_reference_reads_the_head_as_the_engine_draws_it():
    """The reference shares the engine's draw (init_params): a read-out of the scheme's weights times HEAD_SCALE."""
    config = scheme_config(Config(depth=2, width=8, batch=16), "xavier_normal")
    params = init_params(config, 3)
    assert params["head_W"].shape == (8, 3) and 0 < np.abs(params["head_W"]).max() < 3 * HEAD_SCALE


@pytest.mark.slow
@pytest.mark.parametrize("activation", list(activations.REGISTRY))
@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_a_race_gives_the_plain_loops_bits(activation, scheme):
    """Every activation under every scheme (batch norm, a symmetric init, a diverging run among them), float32."""
    config = replace(Config(depth=4, width=24, batch=128, activation=activation), seed=3)
    (result,) = race(config, (scheme,), steps=STEPS).values()
    expected = reference_run(scheme_config(config, scheme), STEPS)
    for name in ("loss", "accuracy", "act_std", "grad_std", "update_ratio", "distinct_units"):
        np.testing.assert_array_equal(getattr(result, name), expected[name], err_msg=name)
    np.testing.assert_array_equal([result.final_loss, result.final_accuracy],
                                  [expected["final_loss"], expected["final_accuracy"]])


@pytest.mark.slow
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_the_lecture_width_gives_the_plain_loops_bits(activation, dtype):
    """At the lecture's width (500 units, BLAS blocks with partial edges) and in both precisions."""
    config = Config(depth=3, width=500, batch=128, activation=activation, dtype=dtype)
    results = race(config, ("normal_0.01", "xavier_normal"), steps=8)
    for scheme, result in results.items():
        expected = reference_run(scheme_config(config, scheme), 8)
        np.testing.assert_array_equal(result.loss, expected["loss"], err_msg=scheme)
        np.testing.assert_array_equal(result.act_std, expected["act_std"], err_msg=scheme)
        assert result.final_loss == expected["final_loss"], scheme
