"""The command line: the lecture's printout, the JSON keys, and one-line refusals of bad arguments."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

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
        (["--width", "4096"], ["--width", "'4096'", "2 to 2048"]),
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
