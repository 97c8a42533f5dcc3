"""The command line: the lecture's printout, the JSON keys, and one-line refusals of bad arguments."""

import json
import math
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from core import Config
from core.__main__ import OPTIONAL, build_parser, config_and_notes, main
from core.activations import apply
from core.config import ACTIVATIONS, FLOAT_RANGES, INITS, INT_RANGES, written_range
from core.initializers import SCHEME_FIELDS, matters, sample_weights
from core.train import STEPS_RANGE
from views import urlstate

ROOT = Path(__file__).resolve().parent.parent
LAYER_KEYS = {
    "layer", "pre_mean", "pre_std", "act_mean", "act_std", "saturated", "dead", "distinct_units", "grad_std",
    "weight_grad_std", "grad_data_ratio", "predicted_act_std", "predicted_pre_std", "predicted_grad_std",
    "exploded", "vanished",
}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_default_table_reads_like_the_lecture():
    out = run()
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("10 layers x 500 units, tanh, init normal")
    layer1 = next(line for line in lines if line.split()[:1] == ["1"])
    assert float(layer1.split()[2]) == pytest.approx(0.213, abs=0.002)  # std, as in the lecture
    assert [line.split()[0] for line in lines[2:13]] == [str(layer) for layer in range(11)]


def test_json_has_exactly_the_documented_keys():
    out = run("--depth", "3", "--width", "40", "--batch", "20", "--activation", "relu", "--init", "he_normal",
              "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)  # strict JSON: no NaN or Infinity tokens
    assert data["config"]["activation"] == "relu" and data["config"]["depth"] == 3
    assert [row["layer"] for row in data["layers"]] == [0, 1, 2, 3]
    for row in data["layers"]:
        assert set(row) == LAYER_KEYS
    assert data["layers"][1]["dead"] is not None and data["layers"][1]["saturated"] is None


def test_overflow_is_reported_as_missing_values_in_json():
    out = run("--activation", "linear", "--std", "100", "--depth", "30", "--width", "50", "--batch", "20", "--json")
    assert out.returncode == 0, out.stderr
    assert "NaN" not in out.stdout and "Infinity" not in out.stdout
    layers = json.loads(out.stdout)["layers"]
    flagged = [row["layer"] for row in layers if row["exploded"]]
    assert len(flagged) == 1 and layers[-1]["act_std"] is None


def test_all_options_are_accepted():
    out = run("--depth", "2", "--width", "8", "--batch", "10", "--activation", "leaky_relu", "--slope", "0.2",
              "--init", "he_uniform", "--gain", "1.2", "--mode", "fan_out", "--bias", "0.1", "--bias-std", "0.2",
              "--bn", "--input", "uniform", "--seed", "7", "--dtype", "float64", "--std", "0.5", "--bound", "0.3",
              "--value", "0.2", "--json")
    assert out.returncode == 0, out.stderr
    config = json.loads(out.stdout)["config"]
    assert config["batch_norm"] is True and config["gain"] == 1.2 and config["bias_std"] == 0.2


@pytest.mark.parametrize(
    "args, names",
    [
        (["--depth", "0"], ["--depth", "'0'", "1 to 100"]),
        (["--depth", "ten"], ["--depth", "'ten'", "whole number"]),
        (["--width", "4096"], ["--width", "'4096'", "2 to 2,048"]),
        (["--std", "nan"], ["--std", "'nan'", "finite"]),
        (["--std", "-1"], ["--std", "'-1'", "0 to 100"]),
        (["--gain", "inf"], ["--gain", "'inf'", "finite"]),
        (["--activation", "swish"], ["--activation", "'swish'", "tanh"]),
        (["--init", "kaiming"], ["--init", "'kaiming'", "he_normal"]),
        (["--batch", "1e9"], ["--batch", "'1e9'"]),
        (["--depth", "100", "--width", "2048", "--batch", "4096"], ["MiB", "lower depth, width or batch"]),
        (["--memory-budget-mib", "-5"], ["--memory-budget-mib", "'-5'"]),
        (["--frobnicate"], ["--frobnicate"]),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args, names):
    out = run(*args)
    assert out.returncode == 2
    assert out.stdout == "" and "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1
    for name in names:
        assert name in lines[0]


# ---------- the same choices as the sidebar, and a note for a flag without effect ----------

def cli(*args: str, capsys) -> tuple[int, str, str]:
    """python -m core in this process (a tiny network unless the arguments say otherwise): code, stdout, stderr."""
    try:
        code = main(["--depth", "2", "--width", "8", "--batch", "10", *args])
    except SystemExit as stop:
        code = stop.code
    out = capsys.readouterr()
    return code, out.out, out.err


# Another allowed value for each flag only some schemes read (the defaults are Config's).
OTHER = {"slope": "0.3", "std": "0.5", "bound": "0.3", "value": "0.2", "gain": "2.5", "mode": "fan_out"}
CONFIG_VALUE = {"slope": 0.3, "std": 0.5, "bound": 0.3, "value": 0.2, "gain": 2.5, "mode": "fan_out"}


@pytest.mark.parametrize("init", INITS)
@pytest.mark.parametrize("field", [f for f in OPTIONAL if f != "slope"])
def test_the_table_of_what_matters_is_what_the_weights_read(init, field):
    """A scheme's field matters exactly when changing it changes the weights (fan_in 30 != fan_out 70)."""
    base = Config(init=init, depth=1, width=2, batch=10)
    changed = replace(base, **{field: CONFIG_VALUE[field]})
    a = sample_weights(base, np.random.default_rng(0), 30, 70)
    b = sample_weights(changed, np.random.default_rng(0), 30, 70)
    assert matters(field, init, "tanh") == (not np.array_equal(a, b))


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_the_slope_matters_exactly_where_it_changes_the_activation(activation):
    s = np.linspace(-3, 3, 61)
    differs = not np.array_equal(apply(activation, s, 0.01), apply(activation, s, 0.3))
    assert matters("slope", "normal", activation) == differs


@pytest.mark.parametrize("init", INITS)
@pytest.mark.parametrize("field", OPTIONAL)
def test_a_flag_without_effect_is_noted_and_ignored(init, field, capsys):
    activation = "relu" if field != "slope" else "tanh"  # slope: without effect under every non-leaky activation
    code, out, err = cli("--init", init, "--activation", activation, f"--{field}", OTHER[field], "--json",
                         capsys=capsys)
    assert code == 0
    config = json.loads(out)["config"]
    used = matters(field, init, activation)
    if used:
        assert err == "" and config[field] == CONFIG_VALUE[field]
    else:
        flag, chosen = ("--activation", activation) if field == "slope" else ("--init", init)
        assert err.count("\n") == 1 and err.startswith(f"note: --{field} has no effect with {flag} {chosen}")
        assert config[field] == Config().to_dict()[field]  # the app's rule: what has no effect stays at its default


def test_the_slope_is_used_with_leaky_relu(capsys):
    code, out, err = cli("--activation", "leaky_relu", "--slope", "0.3", "--json", capsys=capsys)
    assert code == 0 and err == "" and json.loads(out)["config"]["slope"] == 0.3


# torch.nn.init.calculate_gain's table (its documentation); ELU and GELU have no entry.
TORCH_GAIN = {"linear": 1.0, "sigmoid": 1.0, "tanh": 5 / 3, "relu": math.sqrt(2), "selu": 3 / 4,
              "leaky_relu": math.sqrt(2 / (1 + 0.01**2))}


@pytest.mark.parametrize("init", INITS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gain_recommended_is_torchs_calculate_gain(init, activation, capsys):
    code, out, err = cli("--init", init, "--activation", activation, "--gain", "recommended", "--json",
                         capsys=capsys)
    assert code == 0, err
    gain = json.loads(out)["config"]["gain"]
    if "gain" not in SCHEME_FIELDS[init]:
        assert gain is None and "--gain has no effect" in err
    elif activation not in TORCH_GAIN:
        assert gain is None and f"calculate_gain has no value for {activation}" in err
    else:
        assert gain == pytest.approx(TORCH_GAIN[activation], rel=1e-15)
        assert (err != "") == (activation == "selu")
    assert err.count("\n") <= 1


def test_selu_with_the_recommended_gain_notes_the_linear_gain(capsys):
    code, out, err = cli("--init", "lecun_normal", "--activation", "selu", "--gain", "recommended", capsys=capsys)
    assert code == 0 and out.startswith("2 layers x 8 units, selu")
    # torch's documentation: self-normalizing networks use nonlinearity="linear" (gain 1), not calculate_gain's 3/4
    assert err.count("\n") == 1 and "calculate_gain('selu') = 0.75" in err
    assert "self-normalizing" in err and "linear gain: --gain 1" in err


@pytest.mark.parametrize("init", INITS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("gain", ["default", "recommended", "2.5", " 0.5 "])
def test_the_command_line_and_the_sidebar_read_a_gain_alike(init, activation, gain):
    args = build_parser().parse_args(["--init", init, "--activation", activation, "--gain", gain])
    config, notes = config_and_notes(args)
    state = {**urlstate.defaults(), "step": "custom", "init": init, "activation": activation, "gain": gain}
    shown, note = urlstate.config_of(state)
    assert config == shown
    gain_notes = [n for n in notes if "calculate_gain" in n]
    assert bool(gain_notes) == (note in ("none", "selu"))


@pytest.mark.parametrize("text", ["default", "recommended", "1", "0.000001", "100"])
def test_gain_takes_what_the_sidebar_takes(text):
    out = run("--depth", "1", "--width", "4", "--batch", "10", "--init", "xavier_normal", "--gain", text)
    assert out.returncode == 0 and out.stderr == ""


@pytest.mark.parametrize("text, named", [
    ("lots", "not a gain: allowed default, recommended or a number from 0.000001 to 100"),
    ("0", "out of range: allowed 0.000001 to 100"), ("nan", "not a finite number"),
])
def test_a_bad_gain_is_named_with_what_is_allowed(text, named, capsys):
    code, out, err = cli("--gain", text, capsys=capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and f"'{text}' is {named}" in err


# ---------- numbers in messages are written as people write them ----------

RANGES = {**INT_RANGES, **FLOAT_RANGES}


@pytest.mark.parametrize("name", [*RANGES, "train"])
def test_every_range_message_writes_its_numbers_as_people_do(name, capsys):
    low, high = STEPS_RANGE if name == "train" else RANGES[name]
    above = str(high + 1)
    code, _, err = cli(f"--{name.replace('_', '-')}", above, capsys=capsys)
    assert code == 2
    assert f"allowed {written_range(low, high)}" in err
    assert not re.search(r"\d[eE][+-]?\d", err), err  # no exponent
    assert "," in written_range(low, high) or high < 1000  # thousands are grouped


def test_the_seed_range_reads_as_a_person_writes_it(capsys):
    _, _, err = cli("--seed", "-1", capsys=capsys)
    assert "allowed 0 to 4,294,967,295" in err


def test_help_gives_the_ranges_from_the_config():
    text = build_parser().format_help()
    for name in ("depth", "width", "batch"):
        assert written_range(*INT_RANGES[name]) in " ".join(text.split())


def test_a_note_leaves_the_exit_code_and_the_table_alone():
    out = run("--depth", "2", "--width", "8", "--batch", "10", "--init", "normal", "--gain", "2")
    assert out.returncode == 0 and out.stdout.startswith("2 layers x 8 units, tanh, init normal")
    assert out.stderr.splitlines() == [
        "note: --gain has no effect with --init normal (it is for --init xavier_normal, xavier_uniform, he_normal, "
        "he_uniform, lecun_normal, orthogonal); ignored"
    ]
