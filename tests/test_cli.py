"""The command line: the lecture's printout, the JSON keys, and one-line refusals of bad arguments."""

import functools
import json
import math
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from core import DEFAULT_MEMORY_BUDGET, Config, estimate_memory, schemes, simulate
from core.network import WORK_LIMIT, estimate_work
from core.__main__ import OPTIONAL, build_parser, config_and_notes, main
from core.activations import apply
from core.config import (ACTIVATIONS, FLOAT_RANGES, INITS, INT_RANGES, plain_number, resize, resized_size,
                         rounds_to_zero, written_range)
from core.initializers import BIAS_FIELDS, SCHEME_FIELDS, layer_biases, layer_weights, matters, weight_variance
from core.train import STEPS_RANGE, estimate_training_memory
from core.spectrum import spectrum
from views import urlstate

ROOT = Path(__file__).resolve().parent.parent
LAYER_KEYS = {
    "layer", "pre_mean", "pre_std", "act_mean", "act_std", "saturated", "dead", "distinct_units", "grad_std",
    "weight_grad_std", "grad_data_ratio", "predicted_act_std", "predicted_pre_std", "predicted_grad_std",
    "pre_kurtosis", "exploded", "vanished", "width", "fan_in", "fan_out", "branch_std", "predicted_branch_std",
}


def run(*args: str) -> subprocess.CompletedProcess:
    """`python -m core args` in a process of its own (the module as a user starts it)."""
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


TINY = {"--depth": "2", "--width": "8", "--batch": "10"}  # cli's network unless its arguments say otherwise


def given_once(defaults: dict[str, str], args) -> list[str]:
    """args after each of `defaults` ({flag: value}) that args do not give themselves: the command line refuses a
    flag given twice."""
    given = {arg.split("=", 1)[0] for arg in args}
    return [*(part for flag, value in defaults.items() if flag not in given for part in (flag, value)), *args]


def cli(*args: str, capsys, tiny: bool = True) -> tuple[int, str, str]:
    """python -m core in this process: exit code, stdout, stderr. tiny: a 2 x 8 network, batch 10 (TINY), each of
    them unless the arguments give that flag."""
    try:
        code = main(given_once(TINY if tiny else {}, args))
    except SystemExit as stop:
        code = stop.code
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.slow
def test_default_table_reads_like_the_lecture():
    out = run()
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("10 layers x 500 units, tanh, init normal")
    layer1 = next(line for line in lines if line.split()[:1] == ["1"])
    assert float(layer1.split()[2]) == pytest.approx(0.213, abs=0.002)  # std, as in the lecture
    assert [line.split()[0] for line in lines[2:13]] == [str(layer) for layer in range(11)]


def test_json_has_exactly_the_documented_keys(capsys):
    code, out, err = cli("--depth", "3", "--width", "40", "--batch", "20", "--activation", "relu", "--init",
                         "he_normal", "--json", capsys=capsys)
    assert code == 0, err
    data = json.loads(out)  # strict JSON: no NaN or Infinity tokens
    assert data["config"]["activation"] == "relu" and data["config"]["depth"] == 3
    assert [row["layer"] for row in data["layers"]] == [0, 1, 2, 3]
    for row in data["layers"]:
        assert set(row) == LAYER_KEYS
    assert data["layers"][1]["dead"] is not None and data["layers"][1]["saturated"] is None


def test_overflow_is_reported_as_missing_values_in_json(capsys):
    code, out, err = cli("--activation", "linear", "--std", "100", "--depth", "30", "--width", "50", "--batch", "20",
                         "--json", capsys=capsys)
    assert code == 0, err
    assert "NaN" not in out and "Infinity" not in out
    layers = json.loads(out)["layers"]
    flagged = [row["layer"] for row in layers if row["exploded"]]
    assert len(flagged) == 1 and layers[-1]["act_std"] is None


def test_all_options_are_accepted(capsys):
    code, out, err = cli("--activation", "leaky_relu", "--slope", "0.2", "--init", "he_uniform", "--gain", "1.2",
                         "--mode", "fan_out", "--bias", "0.1", "--bias-std", "0.2", "--bn", "--input", "uniform",
                         "--seed", "7", "--dtype", "float64", "--std", "0.5", "--bound", "0.3", "--value", "0.2",
                         "--json", capsys=capsys)
    assert code == 0, err
    config = json.loads(out)["config"]
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
        # digits other than 0-9 and Python's underscores, which int() and float() read silently
        (["--depth", "\u0663"], ["--depth", "0-9"]), (["--width", "\uff11\uff10"], ["--width", "0-9"]),
        (["--width", "1_0"], ["--width", "'1_0'", "0-9"]), (["--widths", "8,1_0"], ["--width", "0-9"]),
        (["--depth", "3", "--depth", "5"], ["--depth", "more than once"]),
        (["--depth=3", "--depth", "5"], ["--depth", "more than once"]),
        # a long argument repeated cut, with its length (a 100 kB --init was echoed whole)
        (["--init", "x" * 100_000], ["--init", "100,000 characters"]),
        (["x" * 100_000], ["unrecognized", "characters"]),
    ],
    ids=lambda value: " ".join(value)[:60] if isinstance(value, list) else None,
)
def test_bad_arguments_exit_2_with_one_line(args, names, capsys):
    code, out, err = cli(*args, capsys=capsys, tiny=False)  # an exception escaping main would fail the test
    assert code == 2
    assert out == "" and "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and len(lines[0]) < 600
    for name in names:
        assert name in lines[0]


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS as Linux counts it")
def test_a_run_the_machine_cannot_hold_within_the_budget_is_one_line():
    """A budget above what the process may have (a container's limit, ulimit -v) ended in numpy's _ArrayMemoryError
    traceback: with 1.5 GB of address space and a budget of 100,000 MiB, a conv net of 4 GiB is one line, exit 2."""
    import resource

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1_500_000 * 1024, 1_500_000 * 1024))

    done = subprocess.run([sys.executable, "-m", "core", "--memory-budget-mib", "100000", "--arch", "conv",
                           "--kernel", "1", "--image", "64", "--channels", "2", "--batch", "4096", "--depth", "5"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, preexec_fn=limited)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-500:]
    assert "could not give the memory" in done.stderr and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("flag, value, field", [("--value", "-1e-3", "value"), ("--bias", "-1e-3", "bias"),
                                                ("--trunc-a", "-1.5E-1", "trunc_a"), ("--value", "-.5", "value")])
def test_a_negative_number_in_exponent_form_is_a_value(flag, value, field, capsys):
    """argparse took "--value -1e-3" for two flags ("expected one argument"); "--value=-1e-3" worked. Both spellings
    give the same network."""
    init = "trunc_normal" if field == "trunc_a" else "constant"
    spaced = cli("--init", init, flag, value, "--json", capsys=capsys)
    joined = cli("--init", init, f"{flag}={value}", "--json", capsys=capsys)
    assert spaced[0] == joined[0] == 0, spaced[2]
    assert json.loads(spaced[1])["config"][field] == float(value) == json.loads(joined[1])["config"][field]


@pytest.mark.parametrize("flag", ["--std", "--value", "--bias", "--trunc-mean"])
@pytest.mark.parametrize("value, named", [("-inf", "is not a finite number"), ("-nan", "is not a finite number"),
                                          ("-Infinity", "is not a finite number"), ("-0x1", "is not a number")])
def test_a_value_after_its_flag_that_starts_with_a_minus_is_named_whatever_it_is(flag, value, named, capsys):
    """"--std -inf" had been refused as "expected one argument", naming no value, where "--std=-inf" named it: both
    spellings now give the same one line."""
    spaced = cli(flag, value, capsys=capsys)
    joined = cli(f"{flag}={value}", capsys=capsys)
    assert spaced == joined and spaced[0] == 2 and spaced[2].count("\n") == 1
    assert f"argument {flag}: '{value}' {named}" in spaced[2]


# ---------- the same choices as the sidebar, and a note for a flag without effect ----------

# Another allowed value for each flag only some schemes read (the defaults are Config's).
OTHER = {"slope": "0.3", "std": "0.5", "bound": "0.3", "value": "0.2", "gain": "2.5", "mode": "fan_out",
         "trunc_mean": "0.1", "trunc_a": "-0.5", "trunc_b": "0.7", "scale": "2", "distribution": "uniform",
         "bias": "0.1", "bias_std": "0.2"}
CONFIG_VALUE = {"slope": 0.3, "std": 0.5, "bound": 0.3, "value": 0.2, "gain": 2.5, "mode": "fan_out",
                "trunc_mean": 0.1, "trunc_a": -0.5, "trunc_b": 0.7, "scale": 2.0, "distribution": "uniform",
                "bias": 0.1, "bias_std": 0.2}


@pytest.mark.parametrize("init", INITS)
@pytest.mark.parametrize("field", [f for f in OPTIONAL if f not in ("slope", *BIAS_FIELDS)])
def test_the_table_of_what_matters_is_what_the_weights_read(init, field):
    """A scheme's field matters exactly when changing it changes the weights (fan_in 30 != fan_out 70)."""
    base = Config(init=init, depth=1, width=2, batch=10, std=1.0)  # std 1: trunc_normal's bounds -0.5, 0.7 cut
    changed = replace(base, **{field: CONFIG_VALUE[field]})
    a = layer_weights(base, 0, 30, 70)
    b = layer_weights(changed, 0, 30, 70)
    assert matters(field, init, "tanh") == (not np.array_equal(a, b))


@pytest.mark.parametrize("init", INITS)
@pytest.mark.parametrize("field", BIAS_FIELDS)
def test_the_bias_fields_matter_exactly_where_they_change_the_biases(init, field):
    """torch_default draws its own biases: the Config's bias and bias_std change nothing there, and them elsewhere."""
    base = Config(init=init, depth=1, widths=(20, 30))
    changed = replace(base, **{field: CONFIG_VALUE[field]})
    a, b = (layer_biases(c)[0] for c in (base, changed))
    same = (a is None and b is None) or (a is not None and b is not None and np.array_equal(a, b))
    assert matters(field, init, "tanh") == (not same)


def test_input_scale_multiplies_the_input_and_its_theory(capsys):
    """--input-scale 2: layer 0's std is twice the unit input's, measured and predicted, in the JSON's config."""
    code, out, _ = cli("--input-scale", "2", "--json", capsys=capsys)
    base = json.loads(cli("--json", capsys=capsys)[1])
    data = json.loads(out)
    assert code == 0 and data["config"]["input_scale"] == 2.0
    assert data["layers"][0]["act_std"] == pytest.approx(2 * base["layers"][0]["act_std"], rel=1e-6)
    assert data["layers"][0]["predicted_act_std"] == 2.0


@pytest.mark.parametrize("args, field, value", [
    (("--init", "torch_default"), "init", "torch_default"),
    (("--init", "variance_scaling", "--scale", "2", "--mode", "fan_avg", "--distribution", "uniform"), "scale", 2.0),
    (("--init", "trunc_normal", "--trunc-mean", "0.5", "--trunc-a", "-1", "--trunc-b", "3"), "trunc_mean", 0.5)])
def test_the_new_schemes_flags_reach_the_json(args, field, value, capsys):
    code, out, err = cli(*args, "--json", capsys=capsys)
    data = json.loads(out)
    assert code == 0 and err == "" and data["config"][field] == value
    config = Config.from_dict(data["config"])
    assert data["theory"]["sigma_w2"] == (None if weight_variance(config, 8, 8) is None
                                          else pytest.approx(config.width * weight_variance(config, 8, 8)))


def test_bounds_out_of_order_are_one_clear_line(capsys):
    code, out, err = cli("--init", "trunc_normal", "--trunc-a", "1", "--trunc-b", "0.5", capsys=capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "--trunc-a must lie below --trunc-b" in err


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_the_slope_matters_exactly_where_it_changes_the_activation(activation):
    s = np.linspace(-3, 3, 61)
    differs = not np.array_equal(apply(activation, s, 0.01), apply(activation, s, 0.3))
    assert matters("slope", "normal", activation) == differs


@pytest.mark.slow
@pytest.mark.parametrize("init", INITS)
@pytest.mark.parametrize("field", OPTIONAL)
def test_a_flag_without_effect_is_noted_and_ignored(init, field, capsys):
    activation = "relu" if field != "slope" else "tanh"  # slope: without effect under every non-leaky activation
    flag_of_field = "--" + field.replace("_", "-")  # --trunc-mean sets trunc_mean
    code, out, err = cli("--init", init, "--activation", activation, flag_of_field, OTHER[field], "--json",
                         capsys=capsys)
    assert code == 0
    config = json.loads(out)["config"]
    used = matters(field, init, activation)
    if used:
        assert err == "" and config[field] == CONFIG_VALUE[field]
    else:
        flag, chosen = ("--activation", activation) if field == "slope" else ("--init", init)
        assert err.count("\n") == 1 and err.startswith(f"note: {flag_of_field} has no effect with {flag} {chosen}")
        assert config[field] == Config().to_dict()[field]  # the app's rule: what has no effect stays at its default


def test_the_slope_is_used_with_leaky_relu(capsys):
    code, out, err = cli("--activation", "leaky_relu", "--slope", "0.3", "--json", capsys=capsys)
    assert code == 0 and err == "" and json.loads(out)["config"]["slope"] == 0.3


# torch.nn.init.calculate_gain's table of nonlinearities (its documentation); every other activation has none.
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
    else:  # torch's gain, printed as null (the default) where it is the scheme's default: the same network
        default = schemes.get(init).default_gain
        assert (gain if gain is not None else default) == pytest.approx(TORCH_GAIN[activation], rel=1e-15)
        assert (gain is None) == (TORCH_GAIN[activation] == default)
        assert (err != "") == (activation == "selu")
    assert err.count("\n") <= 1


@pytest.mark.parametrize("init, mode", [("he_normal", "fan_avg"), ("he_uniform", "fan_avg"), ("he_normal", "fan_out"),
                                        ("variance_scaling", "fan_avg")])
def test_fan_avg_under_a_torch_scheme_is_noted(init, mode, capsys):
    """torch's kaiming_* take fan_in or fan_out only (the sidebar says so under the radio): the command line had taken
    --init he_normal --mode fan_avg without a word."""
    code, out, err = cli("--init", init, "--mode", mode, "--widths", "8,4,2", "--batch", "10", capsys=capsys,
                         tiny=False)
    assert code == 0 and f"init {init} ({mode})" in out
    noted = f"{schemes.get(init).source} takes fan_in or fan_out only" in err and "Keras's mode" in err
    assert noted == (init != "variance_scaling" and mode == "fan_avg"), err


def test_selu_with_the_recommended_gain_notes_the_linear_gain(capsys):
    code, out, err = cli("--init", "lecun_normal", "--activation", "selu", "--gain", "recommended", capsys=capsys)
    assert code == 0 and out.startswith("2 layers x 8 units, selu")
    # torch's documentation: self-normalizing networks use nonlinearity="linear" (gain 1), not calculate_gain's 3/4
    assert err.count("\n") == 1 and "calculate_gain('selu') = 0.75" in err
    assert "self-normalizing" in err and "linear gain: --gain 1" in err


@pytest.mark.slow
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
def test_gain_takes_what_the_sidebar_takes(text, capsys):
    code, _, err = cli("--depth", "1", "--width", "4", "--init", "xavier_normal", "--gain", text, capsys=capsys)
    assert code == 0 and err == ""


@pytest.mark.parametrize("text, named", [
    ("lots", "not a gain: allowed default, recommended or a number from 0.000001 to 100"),
    ("0", "out of range: allowed 0.000001 to 100"), ("nan", "not a finite number"),
])
def test_a_bad_gain_is_named_with_what_is_allowed(text, named, capsys):
    code, out, err = cli("--gain", text, capsys=capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and f"'{text}' is {named}" in err


@pytest.mark.parametrize("flag", ["--std", "--bound", "--value", "--bias-std", "--gain", "--slope", "--input-scale"])
@pytest.mark.parametrize("text", ["1e-400", "-2.5e-330", "0.1e-323"])
def test_a_number_float64_would_read_as_0_is_refused_not_taken_as_0(flag, text, capsys):
    """--std 1e-400 had run zero weights without a word: float() reads it as 0, closer to 0 than float64 holds."""
    code, out, err = cli(f"{flag}={text}", capsys=capsys)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"'{text}' is closer to 0 than float64 holds" in err and "read as 0" in err


@pytest.mark.parametrize("text, zero", [("1e-400", True), ("-1e-400", True), ("0", False), ("0e-400", False),
                                        ("-0.0", False), ("5e-324", False), ("2e-324", True), ("1e-2", False),
                                        ("lots", False)])
def test_rounds_to_zero_is_a_number_other_than_0_that_float_reads_as_0(text, zero):
    assert rounds_to_zero(text) == zero
    if zero:
        with pytest.raises(ValueError, match="read as 0"):
            plain_number(text)


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


def test_a_note_leaves_the_exit_code_and_the_table_alone(capsys):
    code, out, err = cli("--init", "normal", "--gain", "2", capsys=capsys)
    assert code == 0 and out.startswith("2 layers x 8 units, tanh, init normal")
    assert err.splitlines() == [  # the schemes with a gain, in the registry's order
        f"note: --gain has no effect with --init normal (it is for --init {', '.join(schemes.with_gain())}); ignored"
    ]


# ---------- every numeric flag refuses what is no number it takes, in one line ----------

NUMERIC_FLAGS = [a.option_strings[0] for a in build_parser()._actions if a.type is not None]
NOT_TAKEN = ["1e308", "-1e308", "nan", "inf", "-inf", "1e400", "ten", "9" * 5000, ""]


def test_every_flag_with_a_number_is_checked_here():
    assert {"--depth", "--width", "--batch", "--seed", "--gain", "--memory-budget-mib", "--train"} <= set(NUMERIC_FLAGS)


@pytest.mark.parametrize("flag", NUMERIC_FLAGS)
@pytest.mark.parametrize("text", NOT_TAKEN, ids=lambda text: text[:8])
def test_every_numeric_flag_refuses_overflow_nan_and_inf_in_one_line(flag, text, capsys):
    code, out, err = cli(flag, text, capsys=capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and f"argument {flag}:" in err
    assert len(err) < 300  # a 5,000-digit argument is cut, with its length said
    if len(text) > 40:
        assert "(5,000 characters)" in err


def test_a_memory_budget_of_1e308_mib_is_refused_with_its_range(capsys):
    code, _, err = cli("--memory-budget-mib", "1e308", capsys=capsys, tiny=False)
    assert code == 2 and "Traceback" not in err
    assert err.strip().endswith("'1e308' is out of range: allowed 1 to 1,048,576 MiB")


# ---------- simulation and training count against one budget ----------

def test_training_is_refused_when_simulation_and_training_together_pass_the_budget(capsys):
    code, out, err = cli("--depth", "18", "--width", "2048", "--batch", "128", "--train", "1", capsys=capsys)
    assert code == 2 and out == ""
    (line,) = err.strip().splitlines()
    config = Config(depth=18, width=2048, batch=128)
    need = estimate_memory(config) + estimate_training_memory(config)
    assert f"needs about {need / 2**20:,.0f} MiB" in line and "budget of 1,024 MiB" in line
    width = int(re.search(r"width ([\d,]+)", line).group(1).replace(",", ""))
    depth = int(re.search(r"depth ([\d,]+)", line).group(1).replace(",", ""))
    for fits, over in ((replace(config, width=width), replace(config, width=width + 1)),
                       (replace(config, depth=depth), replace(config, depth=depth + 1))):
        assert estimate_memory(fits) + estimate_training_memory(fits) <= DEFAULT_MEMORY_BUDGET
        assert estimate_memory(over) + estimate_training_memory(over) > DEFAULT_MEMORY_BUDGET


# The largest networks run under an eighth of the default budget: the estimates grow with the network, so the
# bound they must keep is the same claim at an eighth of the run's time, every term of the estimate still in it
# (the interpreter's own memory, which the bound allows once, weighs eight times as much against it). The
# orthogonal case is 1,024 wide, where the budget holds 11 layers, each drawn by its own QR (at 2,048, two; the
# QR's own workspace is measured in tests/test_draws.py). The default budget keeps its own cases below.
BUDGET_MIB = 128


def largest_fitting(config: Config, name: str, need) -> Config:
    """config with the whole-number field `name` as large as fits BUDGET_MIB by `need` and the simulation's work
    limit (searched here)."""
    def fits(value: int) -> bool:
        c = resize(config, name, value)
        return need(c) <= BUDGET_MIB * 2**20 and estimate_work(c) <= WORK_LIMIT

    top = resized_size(config, name)  # a profile's widest layer
    value = top
    while not fits(value):
        value = int(value * 0.98)
    while value < top and fits(value + 1):
        value += 1
    return resize(config, name, value)


def training_need(config: Config) -> int:
    return estimate_memory(config) + estimate_training_memory(config)


# Under BUDGET_MIB, the largest networks that fit, each the largest along one dimension (they must run); at the
# default budget, networks at the top of the ranges (they may be refused, or run within the budget).
LARGEST = {
    "train, widest that fits": (largest_fitting(Config(depth=18, width=2048, batch=128), "width", training_need),
                                ["--train", "1"]),
    "batch, largest that fits": (largest_fitting(Config(depth=18, width=512, batch=4096), "batch", estimate_memory),
                                 []),
    "float64, batch norm, gelu, deepest that fits": (largest_fitting(Config(
        depth=100, width=512, batch=1000, activation="gelu", batch_norm=True, dtype="float64"), "depth",
        estimate_memory), []),
    "orthogonal, deepest that fits": (largest_fitting(Config(depth=100, width=1024, batch=98, init="orthogonal"),
                                                      "depth", estimate_memory), []),
    # thin layers read about max(fan_in, fan_out)^2 numbers of their streams: the profile that keeps the most
    "alternating widths, train, widest that fits": (largest_fitting(Config(
        depth=24, widths=(2048, 256) * 12 + (2048,), batch=128, activation="gelu"), "width", training_need),
        ["--train", "1"]),
}
AT_THE_TOP = {
    "train, each part under the budget alone": (Config(depth=18, width=2048, batch=128), ["--train", "1"]),
    "every range at its top": (Config(depth=100, width=2048, batch=4096, dtype="float64"), ["--train", "10000"]),
}


def peak_rss_mib(*args: str) -> tuple[int, float]:
    """Exit code and peak resident memory (MiB) of `python -m core args`, as GNU time measures them."""
    out = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True,
                         text=True, timeout=1800)
    kib = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr)
    assert kib, out.stderr
    return out.returncode, int(kib.group(1)) / 1024


@functools.cache  # the same for every case of a kind: measured once per test process
def interpreter_rss_mib(*kind: str) -> tuple[int, float]:
    """Exit code and peak resident memory of a tiny run of this kind (kind_of): the interpreter with numpy, core and
    the libraries such a run loads, which no estimate counts. Not `--help`, which loads less (35 MiB; an orthogonal
    run's 63 MiB include scipy's LAPACK)."""
    return peak_rss_mib("--depth", "1", "--width", "8", "--batch", "10", *kind)


def flags_of(config: Config) -> list[str]:
    shape = ["--widths", ",".join(map(str, config.units))] if config.widths else \
        ["--depth", str(config.depth), "--width", str(config.width)]
    return [*shape, "--batch", str(config.batch), *kind_of(config, [])]


def kind_of(config: Config, extra: list[str]) -> list[str]:
    """The flags of a run but its sizes, and one training step if it trains."""
    flags = ["--activation", config.activation, "--init", config.init, "--dtype", config.dtype]
    return flags + ["--bn"] * config.batch_norm + ["--train", "1"] * ("--train" in extra)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/usr/bin/time").exists(), reason="GNU time (/usr/bin/time -v) is not installed")
@pytest.mark.parametrize("name", [*LARGEST, *AT_THE_TOP])
def test_every_run_is_refused_or_stays_within_the_budget(name):
    config, extra = LARGEST.get(name) or AT_THE_TOP[name]
    code, baseline = interpreter_rss_mib(*kind_of(config, extra))
    assert code == 0
    budget = BUDGET_MIB if name in LARGEST else DEFAULT_MEMORY_BUDGET / 2**20
    code, peak = peak_rss_mib(*flags_of(config), *extra, "--memory-budget-mib", str(budget))
    assert code == (0 if name in LARGEST else code) and code in (0, 2)  # what fits runs; the rest may be refused
    assert peak <= budget + baseline, (config, peak, baseline)


# ---------- layers of unequal width ----------

def test_widths_give_the_depth_and_each_layers_fans(capsys):
    code, out, err = cli("--widths", "40,30,20,10", "--batch", "20", "--activation", "relu", "--init", "he_normal",
                         "--mode", "fan_out", "--json", capsys=capsys, tiny=False)
    assert code == 0, err
    data = json.loads(out)
    assert data["widths"] == [40, 30, 20, 10] and data["config"]["widths"] == [40, 30, 20, 10]
    assert data["config"]["depth"] == 3
    assert [(row["fan_in"], row["fan_out"]) for row in data["layers"]] == [(None, None), (40, 30), (30, 20), (20, 10)]
    expected = simulate(Config(depth=3, widths=(40, 30, 20, 10), batch=20, activation="relu", init="he_normal",
                               mode="fan_out"))
    assert [row["act_std"] for row in data["layers"]] == pytest.approx(list(expected.act_std), rel=1e-12)


def test_widths_all_equal_are_the_depth_and_width_shorthand(capsys):
    profile = cli("--widths", "8,8,8", "--batch", "10", "--json", capsys=capsys, tiny=False)
    shorthand = cli("--depth", "2", "--width", "8", "--batch", "10", "--json", capsys=capsys, tiny=False)
    assert profile == shorthand and json.loads(profile[1])["widths"] == [8, 8, 8]


def test_the_table_names_the_profile_and_the_mode(capsys):
    code, out, err = cli("--widths", "12,6,3", "--batch", "10", "--init", "he_normal", "--mode", "fan_out",
                         capsys=capsys, tiny=False)
    assert code == 0, err
    assert out.splitlines()[0].startswith("2 layers x 12-6-3 units, tanh, init he_normal (fan_out)")


@pytest.mark.parametrize("args, names", [
    (["--widths", "10,,3"], ["--widths", "'10,,3'", "empty entry at place 2"]),
    (["--widths", "1e9"], ["--widths", "'1e9'", "out of range", "2 to 2,048"]),  # a whole number, as a link reads it
    (["--widths", "10,2.5"], ["--widths", "'2.5'", "not a whole number"]),
    (["--widths", "10,4096"], ["--widths", "'4096'", "2 to 2,048"]),
    (["--widths", "10"], ["--widths", "1 entry", "2 to 101"]),
    (["--widths", ",".join(["10"] * 102)], ["--widths", "102 entries", "2 to 101"]),
    (["--widths", "10,20", "--depth", "1"], ["--widths", "--depth"]),
    (["--widths", "10,20", "--width", "10"], ["--widths", "--width"]),
    (["--widths", "10,20", "--depth", "1", "--width", "10"], ["--depth and --width"]),
])
def test_bad_widths_exit_2_with_one_line(args, names, capsys):
    code, out, err = cli(*args, capsys=capsys, tiny=False)
    assert code == 2 and out == "" and "Traceback" not in err
    (line,) = err.strip().splitlines()
    for name in names:
        assert name in line


@pytest.mark.slow
def test_a_profile_of_101_entries_is_100_layers(capsys):
    code, out, err = cli("--widths", ",".join(["10", "11"] * 50 + ["10"]), "--batch", "10", "--json",
                         capsys=capsys, tiny=False)
    assert code == 0, err
    assert json.loads(out)["config"]["depth"] == 100


def test_a_profile_over_the_work_limit_names_its_widest_layer_that_fits(capsys):
    code, out, err = cli("--widths", "2048,1024,2048,1024,2048,1024", "--batch", "4096", "--init", "orthogonal",
                         capsys=capsys, tiny=False)
    assert code == 2
    config = Config(depth=5, widths=(2048, 1024) * 3, batch=4096, init="orthogonal")
    widest = int(re.search(r"a widest layer up to ([\d,]+)", err).group(1).replace(",", ""))
    assert estimate_work(resize(config, "width", widest)) <= WORK_LIMIT < estimate_work(resize(config, "width",
                                                                                                  widest + 1))


def test_a_digits_profile_over_the_work_limit_keeps_its_64_pixels_in_what_fits(capsys):
    # the profile scaled with its input had started at 32 pixels: "widths starting at 32 is not allowed" was the error
    widths = (64, *[2048] * 8)
    code, out, err = cli("--input", "digits", "--widths", ",".join(map(str, widths)), "--batch", "1797",
                         "--activation", "relu", "--init", "he_normal", capsys=capsys, tiny=False)
    assert code == 2 and "64 pixels" not in err, err
    config = Config(input="digits", depth=8, widths=widths, batch=1797, activation="relu", init="he_normal")
    widest = int(re.search(r"a widest layer up to ([\d,]+)", err).group(1).replace(",", ""))
    assert resize(config, "width", widest).units[0] == 64
    assert estimate_work(resize(config, "width", widest)) <= WORK_LIMIT < estimate_work(resize(config, "width",
                                                                                                  widest + 1))


# ---------- residual streams and normalization ----------

@pytest.mark.slow
def test_residual_settings_and_the_branch_std_reach_the_json(capsys):
    code, out, err = cli("--depth", "4", "--width", "30", "--batch", "20", "--residual", "--norm", "layer",
                         "--branch-scale", "inv_sqrt_depth", "--json", capsys=capsys, tiny=False)
    assert code == 0, err
    data = json.loads(out)
    assert (data["residual"], data["norm"], data["branch_scale"]) == (True, "layer", 0.5)
    assert (data["config"]["residual"], data["config"]["branch_scale"], data["config"]["layer_norm"]) == \
        (True, "inv_sqrt_depth", True)
    config = Config(depth=4, width=30, batch=20, residual=True, layer_norm=True, branch_scale="inv_sqrt_depth")
    assert Config.from_dict(data["config"]) == config
    expected = simulate(config).stats["branch_std"]
    assert [row["branch_std"] for row in data["layers"]] == pytest.approx([None, *expected[1:]])


@pytest.mark.parametrize("args, norm", [((), "none"), (("--bn",), "batch"), (("--norm", "batch"), "batch"),
                                        (("--bn", "--norm", "batch"), "batch"), (("--norm", "layer"), "layer")])
def test_bn_is_the_spelling_of_norm_batch(args, norm, capsys):
    code, out, err = cli(*args, "--json", capsys=capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["norm"] == Config.from_dict(data["config"]).norm == norm
    assert data["config"]["batch_norm"] is (norm == "batch") and data["config"]["layer_norm"] is (norm == "layer")
    assert data["residual"] is False and all(row["branch_std"] is None for row in data["layers"])


def test_the_table_names_the_stream_and_its_norm(capsys):
    code, out, _ = cli("--residual", "--branch-scale", "0.25", "--norm", "batch", capsys=capsys)
    assert code == 0
    assert out.splitlines()[0].endswith("residual (alpha 0.25; act std is the stream's), pre-batch norm")


@pytest.mark.parametrize("args, names", [
    (("--bn", "--norm", "layer"), ("--bn is --norm batch", "--norm layer")),
    (("--bn", "--norm", "none"), ("--bn is --norm batch", "--norm none")),
    (("--norm", "group"), ("--norm", "'group'", "none", "batch", "layer")),
    (("--branch-scale", "0.5"), ("--branch-scale", "needs --residual")),
    (("--residual", "--branch-scale", "half"), ("'half' is not a branch scale", "inv_sqrt_depth", "0 to 100")),
    (("--residual", "--branch-scale", "-0.1"), ("'-0.1' is out of range", "0 to 100")),
    (("--residual", "--branch-scale", "nan"), ("'nan' is not a finite number",)),
    (("--residual", "--widths", "20,30,20"), ("--residual needs equal widths, not 20-30-20",)),
    (("--residual", "--train", "5"), ("--residual and --norm layer", "at initialization only")),
])
def test_bad_residual_arguments_exit_2_with_one_line(args, names, capsys):
    code, out, err = cli(*args, capsys=capsys, tiny="--widths" not in args)
    assert code == 2 and out == "" and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    for name in names:
        assert name in err


def test_spectrum_adds_the_jacobians_singular_values_and_their_percentiles(capsys):
    # an orthogonal linear network: every singular value is gain^depth (Saxe et al. 2014)
    code, out, err = cli("--depth", "3", "--width", "30", "--activation", "linear", "--init", "orthogonal",
                         "--gain", "1.2", "--dtype", "float64", "--spectrum", "--spectrum-inputs", "3", "--json",
                         capsys=capsys)
    assert code == 0, err
    data = json.loads(out)["spectrum"]
    assert set(data) == {"singular_values", "inputs", "p10", "p50", "p90", "ratio", "mean_squared", "resolution"}
    assert data["inputs"] == 3 and len(data["singular_values"]) == 3 * 30
    np.testing.assert_allclose(data["singular_values"], 1.2**3, rtol=1e-9)
    for key in ("p10", "p50", "p90"):
        assert data[key] == pytest.approx(1.2**3)
    assert data["mean_squared"] == pytest.approx(1.2**6)
    code, out, err = cli("--spectrum", capsys=capsys)  # the table, then one line; 2 inputs by default
    assert code == 0, err
    assert out.splitlines()[-1].startswith("Jacobian singular values (2 inputs, 16 values): p10 ")
    code, out, err = cli("--json", capsys=capsys)
    assert "spectrum" not in json.loads(out)  # only when asked for


def test_spectrum_percentiles_below_float64_s_resolution_are_printed_as_bounds(capsys):
    """A ReLU network's switched-off units make many of J's singular values exactly 0, which the SVD returns as its
    rounding (10⁻⁴⁸ here, 10⁻³⁴ from torch's SVD of the same J): the CLI had printed p10 5.97e-48 and p90/p10
    2.1e+47 as if they were the network's. Below Spectrum.resolution a percentile is a bound, as on the page: "<
    resolution" in the line, None in the JSON, and the ratio then a lower bound, p90 / resolution."""
    args = ("--depth", "8", "--width", "200", "--activation", "relu", "--init", "he_normal", "--spectrum")
    config = Config(depth=8, width=200, activation="relu", init="he_normal")
    jacobian = spectrum(config)
    floor, zeros = jacobian.resolution, jacobian.zeros_bound()
    assert zeros > jacobian.pooled.size / 2  # the switched-off units' exact zeros: more than half the values
    code, out, err = cli(*args, "--json", capsys=capsys)
    assert code == 0, err
    data = json.loads(out)["spectrum"]
    assert data["p10"] is None and data["p50"] is None and data["ratio"] is None
    assert data["resolution"] == pytest.approx(floor)
    assert data["p90"] == pytest.approx(float(np.percentile(jacobian.pooled, 90)))
    assert data["ratio_at_least"] == pytest.approx(data["p90"] / floor) and data["ratio_at_least"] > 1
    assert sum(value < floor for value in data["singular_values"]) >= zeros
    code, out, err = cli(*args, capsys=capsys)
    line = out.splitlines()[-1]
    below = int(re.search(r"([\d,]+) of them below float64's resolution", line)[1].replace(",", ""))
    assert below >= zeros and f"p10 < {floor:.3g}, median < {floor:.3g}, p90 {data['p90']:.3g}" in line, line
    assert f"p90/p10 > {data['ratio_at_least']:.3g}" in line


@pytest.mark.parametrize("args, message", [
    (["--spectrum", "--spectrum-inputs", "0"], "argument --spectrum-inputs: '0' is out of range: allowed 1 to 16"),
    (["--spectrum-inputs", "two"], "argument --spectrum-inputs: 'two' is not a whole number"),
    (["--spectrum-inputs", "3"], "--spectrum-inputs says how many inputs --spectrum pools; give --spectrum too"),
    (["--depth", "10", "--width", "2048", "--spectrum"], "the spectrum of this configuration needs about"),
])
def test_spectrum_refusals_are_one_line(args, message, capsys):
    code, out, err = cli(*args, capsys=capsys, tiny=False)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("flag", ["--branch-scale", "--bias", "--value"])
def test_minus_zero_is_zero(flag, capsys):
    """--branch-scale -0 printed "alpha -0" and wrote -0.0 into the JSON: a sign on zero is no setting."""
    init = ["--init", "constant"] if flag == "--value" else []
    code, out, err = cli("--residual", *init, flag, "-0", "--json", capsys=capsys)
    assert code == 0, err
    field = {"--branch-scale": "branch_scale", "--bias": "bias", "--value": "value"}[flag]
    value = json.loads(out)["config"][field]
    assert value == 0 and math.copysign(1.0, value) == 1.0 and "-0" not in out.split('"layers"')[0]


@pytest.mark.parametrize("text", ["1e3", "1000.0", "1.5", "-0", "1e999999999", "abc", "0x10", " 12 ", "1e-3", "2e2"])
@pytest.mark.parametrize("name", ["seed", "depth"])
def test_the_command_line_and_a_link_read_a_whole_number_alike(name, text, capsys):
    """--seed 1e3 had been "not a whole number" while ?seed=1e3 opened seed 1000: both read a whole number as
    written (views.urlstate.parse), or both refuse it."""
    try:
        linked = urlstate.parse(name, text)
    except ValueError:
        linked = None
    sizes = {"seed": ["--depth", "2"], "depth": []}[name]
    code, out, err = cli(f"--{name}", text, *sizes, "--width", "8", "--batch", "10", capsys=capsys, tiny=False)
    assert (code == 0) == (linked is not None), (err, linked)
    if linked is not None:
        said = {"seed": f"seed {linked}", "depth": f"{linked} layers x 8 units"}[name]
        assert said in out.splitlines()[0], out


@pytest.mark.parametrize("args, flags", [
    (["--init", "trunc_normal", "--trunc-a", "3"],
     ["--trunc-a 3.0, --trunc-b 2.0 are not allowed", "--trunc-a must lie below --trunc-b"]),
    (["--init", "trunc_normal", "--trunc-a", "3", "--trunc-b", "-1"],  # both given: no default named
     ["--trunc-a 3.0, --trunc-b -1.0 are not allowed: --trunc-a must lie below --trunc-b\n"]),
    (["--arch", "conv", "--kernel", "4"], ["--kernel 4 is not allowed"]),
    (["--input", "digits", "--batch", "4000"], ["--batch 4000", "--input digits"]),
])
def test_a_config_refusal_names_the_flags_not_the_fields(args, flags, capsys):
    """The Config's own messages name its fields ("trunc_a=3.0, trunc_b=2.0"); the command line names its flags."""
    code, _, err = cli(*args, capsys=capsys, tiny=False)
    assert code == 2 and all(flag in err for flag in flags), err
    assert not re.search(r"\b[a-z]+(_[a-z]+)*=", err.split("error:", 1)[1]), err


@pytest.mark.parametrize("args, channels, batch, said", [
    ([], 64, 50, "--channels 64 and --batch 50"),  # the tour's conv step's sizes
    (["--channels", "8"], 8, 50, "--batch 50"),
    (["--batch", "20"], 64, 20, "--channels 64"),
    (["--channels", "8", "--batch", "20"], 8, 20, None),  # both given: nothing taken, nothing said
    (["--widths", "8,8,8"], 8, 50, "--batch 50"),  # the profile gives the channels
])
def test_a_conv_net_without_its_sizes_takes_the_tour_s_conv_sizes_and_says_so(args, channels, batch, said):
    """`python -m core --arch conv` had refused itself: its 500 default channels at a batch of 1,000 need about 17 GiB.
    A conv net's sizes not given are the tour's conv step's (64 channels at a batch of 50), with a note naming
    those taken; the dense net's defaults are unchanged, and the CLI's conv net is then the page's step 11."""
    from views import tour

    config, notes = config_and_notes(build_parser().parse_args(["--arch", "conv", *args]))
    assert (max(config.units), config.batch) == (channels, batch)
    taken = [note for note in notes if "its own defaults" in note]
    assert taken == ([] if said is None else [
        f"note: --arch conv takes its own defaults where not given, the tour's conv step's: {said}"])
    assert estimate_memory(config) <= DEFAULT_MEMORY_BUDGET
    dense, _ = config_and_notes(build_parser().parse_args([]))
    assert (dense.width, dense.batch) == (Config().width, Config().batch) == (500, 1000)
    step_11, _ = config_and_notes(build_parser().parse_args(
        ["--arch", "conv", "--init", "he_normal", "--activation", "relu", "--depth", "10", "--image", "16"]))
    assert step_11 == tour.step_config("11")


@pytest.mark.parametrize("activation, slope, column", [("relu", None, "dead"), ("leaky_relu", "0", "dead"),
                                                       ("leaky_relu", "0.2", "<=0"), ("tanh", None, "dead")])
def test_the_table_calls_a_leaky_unit_below_0_what_it_is(activation, slope, column, capsys):
    """A leaky ReLU unit ≤ 0 for every sample passes its slope of the gradient: the table's "dead" column is "<=0"
    there, with a line saying what it counts; ReLU's (and leaky ReLU's of slope 0, which is ReLU) are dead."""
    code, out, _ = cli("--activation", activation, *(["--slope", slope] if slope else []), capsys=capsys)
    header = out.splitlines()[1].split()
    assert code == 0 and header[-2] == column and "dead" not in header[:-2]
    footnote = [line for line in out.splitlines() if line.startswith("<=0:")]
    assert footnote == ([f"<=0: units <= 0 for every sample, which pass {slope} of the gradient (leaky_relu's slope "
                         "there), not 0: not dead"] if column == "<=0" else [])


@pytest.mark.parametrize("args, note", [
    (("--depth", "1", "--image", "32", "--channels", "4"), "note: --image has no effect with --input digits (the "
                                                           "digits are their own 8 x 8 images); ignored"),
    (("--widths", "3,4"), "note: the digits are one channel, so a conv net's --widths starts at 1: channels 1,4, "
                          "not 3,4"),
    (("--depth", "1", "--image", "8", "--channels", "4"), None),
])
def test_a_conv_net_on_the_digits_says_what_it_makes_of_image_and_widths(args, note, capsys):
    """--arch conv --input digits --image 32 had run on 8 x 8 images without a word, and --widths 3,4 as 1-4."""
    code, out, err = cli("--arch", "conv", "--input", "digits", "--batch", "10", *args,
                         capsys=capsys, tiny=False)
    assert code == 0 and "8x8 images" in out
    assert (note in err.splitlines()) if note else "--image" not in err


@pytest.mark.parametrize("args", [("--width", "2048", "--depth", "10", "--batch", "4096"),
                                  ("--width", "1500", "--depth", "30", "--batch", "2000")])
def test_every_size_the_training_refusal_names_fits_the_memory_and_the_work_and_one_more_does_not(args, capsys):
    """--train 5 --width 2048 --depth 10 --batch 4096 had named width 1,156, which the simulation then refused as over
    its work limit (4.2e+11 flops): each size named now runs, by memory and by work, and the next one up does not."""
    from core.network import WORK_LIMIT, estimate_work
    from core.train import estimate_simulate_and_train_memory

    code, _, err = cli("--train", "5", *args, capsys=capsys, tiny=False)
    assert code == 2 and "fits with the rest unchanged" in err
    named = dict((name, int(value.replace(",", ""))) for name, value in
                 re.findall(r"(width|depth) ([\d,]+)", err.split("at most", 1)[1]))
    assert named
    base = Config(**{flag.removeprefix("--"): int(value) for flag, value in zip(args[::2], args[1::2])})

    def runs(config: Config) -> bool:
        return estimate_simulate_and_train_memory(config) <= 2**30 and estimate_work(config) <= WORK_LIMIT
    for name, value in named.items():
        assert runs(resize(base, name, value)) and not runs(resize(base, name, value + 1)), (name, value)


def test_a_spectrum_past_float64_s_range_is_refused_in_one_line(capsys):
    """--spectrum of a ReLU residual stream of std 100 weights whose values pass float64's range (NaN in its
    Jacobian) had ended in LAPACK's "SVD did not converge" traceback: it is one error line that says why."""
    code, out, err = cli("--init", "normal", "--std", "100", "--activation", "relu", "--residual", "--depth", "100",
                         "--width", "300", "--batch", "10", "--input-scale", "100", "--spectrum", capsys=capsys)
    from core.spectrum import JacobianRangeError

    assert code == 2 and out == "" and "Traceback" not in err
    assert err.strip().splitlines()[-1] == f"python -m core: error: {JacobianRangeError()}"
    assert "float64's range" in err
