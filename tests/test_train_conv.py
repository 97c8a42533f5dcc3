"""Training conv nets: the backprop against finite differences and torch's autograd, the symmetry of filters before
and after training, a He + ReLU net learning the digits, and the memory refusal."""

from __future__ import annotations

import json
import math
import tracemalloc
from dataclasses import replace

import numpy as np
import pytest

import core
from core import Config, MemoryBudgetError, digits
from core.__main__ import main
from core.network import distinct_columns, mean_std, network_draws
from core.initializers import layer_weights, scale_weights
from core.train import (
    HEAD_SCALE, _make, _train, estimate_training_memory, init_params, loss_and_gradients, make_task,
    race, task_config,
)
from tests.gradcheck import assert_gradients

TINY = Config(arch="conv", depth=2, width=3, image=4, batch=10, dtype="float64", seed=3)


def tiny_batch(config: Config, samples: int = 5, classes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Images as Task.x holds them, (samples, image x image x units[0]) in NHWC order, and their labels."""
    rng = np.random.default_rng(1)
    return rng.standard_normal((samples, config.image**2 * config.units[0])), rng.integers(0, classes, samples)


def generic_params(config: Config, classes: int = 3) -> dict[str, np.ndarray]:
    """init_params with the read-out scaled up (its small draw would leave the lower layers' gradients too small to
    check) and batch norm's gamma and beta moved off 1 and 0, so every gradient is generic."""
    rng = np.random.default_rng(2)
    params = init_params(config, classes)
    params["head_W"] *= 10
    for layer in range(1, config.depth + 1):
        if config.batch_norm:
            params[f"gamma{layer}"] += 0.3 * rng.standard_normal(config.units[layer])
            params[f"beta{layer}"] += 0.3 * rng.standard_normal(config.units[layer])
    return params


# --- gradients: finite differences and torch ------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("activation, batch_norm, padding", [("tanh", False, "zeros"), ("tanh", True, "zeros"),
                                                             ("gelu", True, "circular"), ("relu", False, "circular")])
def test_conv_backward_against_finite_differences(activation, batch_norm, padding):
    """Every parameter's gradient of a conv net (conv layers, per-channel batch norm, the pooled read-out) in float64,
    against central differences of the loss itself."""
    config = replace(TINY, activation=activation, batch_norm=batch_norm, padding=padding, init="xavier_normal",
                     bias_std=0.1)
    params = generic_params(config)
    x, labels = tiny_batch(config)
    _, grads = loss_and_gradients(params, x, labels, config)
    assert_gradients(grads, params, lambda: loss_and_gradients(params, x, labels, config)[0])


@pytest.mark.parametrize("batch_norm", [False, True])
def test_conv_loss_and_gradients_agree_with_torch_autograd(batch_norm):
    """The same net in torch: conv2d(padding="same"), batch_norm(training=True) per channel (BatchNorm2d), tanh,
    the mean over positions (AdaptiveAvgPool2d(1)), a linear head and cross_entropy; loss and every gradient."""
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    config = replace(TINY, activation="tanh", batch_norm=batch_norm, init="he_normal", bias_std=0.1)
    params = generic_params(config)
    x, labels = tiny_batch(config)
    loss, grads = loss_and_gradients(params, x, labels, config)

    tensors = {name: torch.tensor(p, requires_grad=True) for name, p in params.items()}
    h = torch.tensor(x).reshape(len(x), config.image, config.image, -1).permute(0, 3, 1, 2)  # NCHW
    for layer in range(1, config.depth + 1):
        c_in = config.units[layer - 1]
        w = tensors[f"W{layer}"].reshape(config.kernel, config.kernel, c_in, -1).permute(3, 2, 0, 1)  # conv.weight
        z = functional.conv2d(h, w, tensors[f"b{layer}"], padding="same")
        if batch_norm:
            z = functional.batch_norm(z, None, None, tensors[f"gamma{layer}"], tensors[f"beta{layer}"],
                                      training=True, eps=1e-5)
        h = torch.tanh(z)
    logits = h.mean(dim=(2, 3)) @ tensors["head_W"] + tensors["head_b"]
    reference = functional.cross_entropy(logits, torch.tensor(labels))
    reference.backward()
    assert loss == pytest.approx(reference.item(), rel=1e-12)
    for name, tensor in tensors.items():
        np.testing.assert_allclose(grads[name], tensor.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name)


# --- the symmetry of filters -------------------------------------------------------------------------------------

def filters(params: dict, config: Config) -> list[int]:
    """Distinct filters per layer: the distinct columns of each W's matrix (k^2 C_in, C_out), one per output
    channel (core.conv.matrix)."""
    return [distinct_columns(params[f"W{layer}"]) for layer in range(1, config.depth + 1)]


def sgd(config: Config, steps: int) -> dict:
    """The parameters after `steps` plain SGD steps (lr 0.1) on one batch of the conv spiral's images."""
    params = init_params(config, 3)
    task = make_task(3, config.image**2 * config.units[0], config.dtype)
    x, labels = task.x[::100], task.labels[::100]  # 12 images, 4 of each class
    for _ in range(steps):
        _, grads = loss_and_gradients(params, x, labels, config)
        for name, g in grads.items():
            params[name] -= 0.1 * g
    return params


@pytest.mark.slow
@pytest.mark.parametrize("init, activation, batch_norm", [("zeros", "tanh", False), ("constant", "relu", False),
                                                          ("constant", "tanh", True)])
def test_zero_and_constant_init_keep_one_filter_per_layer_before_and_after_training(init, activation, batch_norm):
    """Every filter of a layer starts equal, so every channel gets the same gradient and the filters stay equal:
    one distinct filter per layer at the start and after SGD steps, and one distinct channel per layer on the task
    set after training (the number the Training tab shows)."""
    config = replace(TINY, init=init, value=0.1, activation=activation, batch_norm=batch_norm, dtype="float32")
    assert filters(init_params(config, 3), config) == [1] * config.depth
    moved = sgd(config, 5)
    assert filters(moved, config) == [1] * config.depth
    if init == "constant":  # training moved the weights: the symmetry held through real updates
        assert not np.array_equal(moved["W1"], init_params(config, 3)["W1"])
    result = core.train(config, steps=20)
    assert result.distinct_units.tolist() == [1] * config.depth


def test_he_init_has_a_distinct_filter_per_channel_after_training():
    """A random init draws every filter apart, and training keeps them apart: C distinct filters per layer."""
    config = replace(TINY, init="he_normal", activation="tanh", dtype="float32")
    assert filters(sgd(config, 5), config) == [config.width] * config.depth


@pytest.mark.slow
def test_a_conv_race_shows_the_symmetry_trap_beside_a_random_init():
    """The Training tab's race on a conv net: zeros' layers have one distinct channel, He's every channel; the tab's
    table and symmetry chart name them channels (filters)."""
    from views import training as tv
    from views.text import t

    config = replace(TINY, activation="tanh", dtype="float32")
    results = race(config, ("zeros", "he_normal"), steps=10)
    assert results["zeros"].distinct_units.tolist() == [1] * config.depth
    assert results["he_normal"].distinct_units.tolist() == [config.width] * config.depth
    assert tv.conv(results)
    table = tv.final_frame(results, "zh")
    assert table[t("zh", "training_tab.col_channels")].tolist() == ["1", str(config.width)]
    chart = tv.symmetry_chart(tv.symmetry_frame(results, "zh"), "zh", channels=True).to_dict()
    title = chart["title"]["text"] if isinstance(chart["title"], dict) else chart["title"]
    lines = [title] if isinstance(title, str) else title  # in lines (charts.title_lines)
    assert "".join(lines).replace(" ", "") == t("zh", "training_tab.symmetry_title_conv").replace(" ", "")
    heat = tv.heatmap_frame(results["he_normal"], "grad_std")
    assert len(heat) == results["he_normal"].grad_std.size and (heat["value"] > 0).all()


# --- learning the digits ---------------------------------------------------------------------------------------

HE_DIGITS = Config(arch="conv", depth=2, width=8, batch=64, init="he_normal", activation="relu")
HE_DIGITS_LR = 0.1  # at the race's 0.02 a net this small takes several hundred steps to leave ln 10


@pytest.fixture(scope="module")
def he_digits():
    return core.train(HE_DIGITS, steps=100, lr=HE_DIGITS_LR, task="digits")


@pytest.mark.slow
def test_conv_first_loss_is_ln_10(he_digits):
    """The read-out's HEAD_SCALE puts the logits near 0: the first loss is that of guessing uniformly, ln 10."""
    assert abs(he_digits.loss[0] - math.log(10)) < 0.05


@pytest.mark.slow
def test_a_he_relu_conv_net_learns_the_digits(he_digits):
    """A net that ignores the images can do no better than the entropy of the training labels (2.302, a hair under
    ln 10); after 100 steps the He + ReLU conv net is well below it (0.52 nats below measured, 0.3 asked), classifies
    held-out images at twice chance or better (0.36 measured), and all 8 filters of each layer differ."""
    labels = task_config(HE_DIGITS, "digits")
    assert labels.input == "digits" and labels.image == 8 and labels.units[0] == 1  # 8 x 8 pixels, 1 channel
    counts = np.bincount(_make("digits", 3, labels).labels) / digits.TRAIN_IMAGES
    entropy = float(-(counts * np.log(counts)).sum())
    assert he_digits.diverged_at is None
    assert he_digits.final_loss < entropy - 0.3
    assert he_digits.test_accuracy > 2 / digits.CLASSES
    assert he_digits.distinct_units.tolist() == [HE_DIGITS.width] * HE_DIGITS.depth


# --- the simulation's weights, the spiral's images, memory -------------------------------------------------------

@pytest.mark.parametrize("init", ["he_normal", "orthogonal", "delta_orthogonal", "constant"])
def test_conv_training_starts_from_the_weights_the_simulation_draws(init):
    """W_l is the simulation's matrix (k^2 C_in, C_out) bit for bit, for every family and delta-orthogonal's centre
    tap; the read-out is (C, K), drawn like a dense read-out of fans (C, K) at HEAD_SCALE."""
    config = replace(TINY, init=init, value=0.1, dtype="float32")
    params = init_params(config, 3)
    made = network_draws(config)
    result = core.simulate(config)
    for layer in range(1, config.depth + 1):
        unit = made.weights[layer - 1] if made.weights else None
        expected = scale_weights(config, unit, *config.shapes[layer - 1], shape=config.matrices[layer - 1])
        np.testing.assert_array_equal(params[f"W{layer}"], expected)
        assert params[f"b{layer}"].shape == (config.width,)  # a bias per channel, not per fan_out = C k^2
        assert result.weight_std[layer] == mean_std(params[f"W{layer}"])[1]
    # the read-out is a dense (C, K) layer, number `depth`, of the hidden layers' scheme, at HEAD_SCALE
    np.testing.assert_array_equal(params["head_W"], HEAD_SCALE * layer_weights(config, config.depth, config.width, 3))


def test_the_spiral_is_lifted_to_images_of_the_input_channels():
    """The conv spiral's sample is an image x image x units[0] image, a fixed random lift of the 2-D point (rank 2),
    each pixel standardized; its first loss is ln 3."""
    config = replace(TINY, dtype="float32", init="he_normal", activation="relu")
    task = _make("spiral", 3, config)
    assert task.x.shape == (1200, config.image**2 * config.units[0])
    np.testing.assert_allclose(task.x.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(task.x.std(axis=0), 1, rtol=1e-4)
    singular = np.linalg.svd(task.x[:50].astype(np.float64), compute_uv=False)
    assert singular[2] < 1e-5 * singular[0]  # rank 2 but for float32's rounding
    assert abs(core.train(config, steps=1).loss[0] - math.log(3)) < 0.05


@pytest.mark.slow
@pytest.mark.parametrize("config, task", [
    (replace(TINY, dtype="float32", init="he_normal", activation="relu"), "spiral"),
    (Config(arch="conv", depth=2, width=6, batch=32, init="he_normal", activation="gelu", batch_norm=True), "digits"),
])
def test_the_conv_training_memory_estimate_covers_what_it_allocates(config, task):
    """estimate_training_memory is at least the peak numpy allocates in a run (tracemalloc sees numpy's arrays), and
    not far above it: it is what the budget refusal is measured against."""
    config = task_config(config, task)
    data = _make(task, 3, config)  # the task's arrays are counted too: make them inside the trace
    del data
    tracemalloc.start()
    try:
        data = _make(task, 3, config)
        with np.errstate(all="ignore"):
            _train(config, data, 3, 0.02, 0.9, config.batch, None, "run")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    estimate = estimate_training_memory(config, config.batch, data.classes)
    assert peak <= estimate < 4 * peak


def test_a_conv_net_over_the_memory_budget_is_refused_with_a_message():
    config = Config(arch="conv", depth=10, width=64, image=64, init="he_normal")
    need = estimate_training_memory(config)
    assert need > core.config.DEFAULT_MEMORY_BUDGET
    with pytest.raises(MemoryBudgetError, match=f"needs about {need / 2**20:,.0f} MiB, over the budget"):
        core.train(config, steps=10)



def test_a_conv_race_counts_its_pixels_kernel_and_element_work_and_names_the_channels_that_fit():
    """race_work of a conv net: steps x batch x image^2 x schemes x (k^2 (2 C_0 C + 3 (depth - 1) C^2) + CONV_ELEMENT
    depth C): layer 1's forward product and weight gradient on C_0 input channels (a normal input has C, as many as
    the layers), the others' input gradient too; widest is the most channels within the limit, one more is over it."""
    from views import training as tv
    config = Config(arch="conv", depth=6, width=16, image=8, batch=1000)  # the minibatch is capped at 128
    pixels = 300 * 128 * 64 * 5
    products = 9 * (2 * config.units[0] * 16 + 3 * 5 * 16**2)
    assert tv.race_work(config, 5, 300) == pixels * (products + tv.CONV_ELEMENT * 6 * 16)
    width = tv.widest(config, 5, 300, limit=1e12)
    fits, over = (tv.race_work(replace(config, width=w), 5, 300) for w in (width, width + 1))
    assert fits <= 1e12 < over


# --- the command line ----------------------------------------------------------------------------------------------

def cli(*args: str, capsys) -> tuple[int, str, str]:
    """python -m core in this process: exit code, stdout, stderr."""
    try:
        code = main(list(args))
    except SystemExit as stop:
        code = stop.code
    out = capsys.readouterr()
    return code, out.out, out.err


CONV_DIGITS = ("--arch", "conv", "--channels", "4", "--depth", "2", "--batch", "32", "--init", "he_normal",
               "--activation", "relu", "--task", "digits")


@pytest.mark.slow
def test_the_command_line_trains_a_conv_net_on_the_digits(capsys):
    """--arch conv --train STEPS --task digits: the JSON's training object as for a dense net, the same curves as
    core.train on the same network; the table's summary counts distinct channels."""
    code, out, err = cli(*CONV_DIGITS, "--train", "5", "--json", capsys=capsys)
    assert code == 0, err
    output = json.loads(out)
    training, config = output["training"], Config.from_dict(output["config"])
    assert config.arch == "conv" and config.input == "digits" and config.image == 8
    assert training["task"] == "digits" and training["classes"] == 10 and len(training["loss"]) == 5
    expected = core.train(config, steps=5, task="digits")
    assert training["loss"] == expected.loss.tolist()
    assert training["distinct_units"] == [4, 4] and 0 <= training["test_accuracy"] <= 1
    code, out, err = cli(*CONV_DIGITS, "--train", "5", capsys=capsys)
    assert code == 0, err
    assert "distinct channels per hidden layer after training: 4, 4" in out


def test_the_command_line_refuses_a_conv_training_over_the_budget_in_one_line(capsys):
    code, out, err = cli("--arch", "conv", "--channels", "64", "--image", "64", "--depth", "10", "--train", "5",
                         capsys=capsys)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "needs about" in err and "over the budget of 1,024 MiB" in err
