"""Command line: python -m core --depth 10 --width 500 --activation tanh --init normal --std 0.01 [--json]."""

from __future__ import annotations

import argparse
import json
import math
import re
import sys

from . import threads
from .config import ACTIVATIONS, DTYPES, FLOAT_RANGES, INITS, INPUTS, INT_RANGES, MODES, Config
from .network import DEFAULT_MEMORY_BUDGET, MemoryBudgetError, simulate
from .theory import theory_summary
from .train import STEPS_RANGE, TrainingResult, train

DEFAULTS = Config()


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line and exits with 2, without the usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def _number(name: str, kind: type):
    """An argparse type that accepts finite numbers in the Config's range and names the argument otherwise."""
    low, high = (INT_RANGES if kind is int else FLOAT_RANGES)[name]

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            kind_name = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"{text!r} is not {kind_name}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r} is out of range: allowed {low:g} to {high:g}")
        return value

    parse.__name__ = name  # argparse names the type in its message
    return parse


def _positive_mib(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of MiB") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed: a positive number of MiB")
    return value


def _train_steps(text: str) -> int:
    low, high = STEPS_RANGE
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of steps") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{text!r} is out of range: allowed {low} to {high} steps")
    return value


def format_training(training: TrainingResult) -> str:
    """A few lines: where the loss and the accuracy started and ended, and the distinct units left."""
    t = training
    last = t.steps - 1 if t.diverged_at is None else t.diverged_at - 1  # the last finite loss
    units = ", ".join("-" if u != u else str(int(u)) for u in t.distinct_units)
    lines = [
        f"training: {t.steps} steps of SGD (lr {t.lr:g}, momentum {t.momentum:g}, batch {t.batch}) "
        f"on a {t.classes}-class spiral",
        f"  loss {t.loss[0]:.4g} at step 0 (ln {t.classes} = {math.log(t.classes):.4g}), "
        f"{t.loss[last]:.4g} at step {last}" if last >= 0 else "  no step finished",
        f"  accuracy on all points after training: "
        + (f"{100 * t.final_accuracy:.1f}%" if math.isfinite(t.final_accuracy) else "-"),
        f"  distinct units per hidden layer after training: {units}",
    ]
    if t.message:
        lines.append(f"  {t.message}")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m core", description="Simulate a deep network at initialization, layer by layer.")
    p.add_argument("--depth", type=_number("depth", int), default=DEFAULTS.depth, help="hidden layers (1-100)")
    p.add_argument("--width", type=_number("width", int), default=DEFAULTS.width, help="units per layer (2-2048)")
    p.add_argument("--batch", type=_number("batch", int), default=DEFAULTS.batch, help="samples (10-4096)")
    p.add_argument("--activation", choices=ACTIVATIONS, default=DEFAULTS.activation)
    p.add_argument("--slope", type=_number("slope", float), default=DEFAULTS.slope, help="leaky_relu slope")
    p.add_argument("--init", choices=INITS, default=DEFAULTS.init)
    p.add_argument("--std", type=_number("std", float), default=DEFAULTS.std, help="for --init normal")
    p.add_argument("--bound", type=_number("bound", float), default=DEFAULTS.bound, help="for --init uniform")
    p.add_argument("--value", type=_number("value", float), default=DEFAULTS.value, help="for --init constant")
    p.add_argument("--gain", type=_number("gain", float), default=None,
                   help="for xavier/he/lecun/orthogonal; default: torch.nn.init's")
    p.add_argument("--mode", choices=MODES, default=DEFAULTS.mode, help="for he_*")
    p.add_argument("--bias", type=_number("bias", float), default=DEFAULTS.bias, help="mean bias")
    p.add_argument("--bias-std", type=_number("bias_std", float), default=DEFAULTS.bias_std, help="bias std")
    p.add_argument("--bn", action="store_true", help="batch-normalize every pre-activation")
    p.add_argument("--input", choices=INPUTS, default=DEFAULTS.input)
    p.add_argument("--seed", type=_number("seed", int), default=DEFAULTS.seed)
    p.add_argument("--dtype", choices=DTYPES, default=DEFAULTS.dtype)
    p.add_argument("--memory-budget-mib", type=_positive_mib, default=DEFAULT_MEMORY_BUDGET / 2**20,
                   help="refuse configurations needing more (default 1024)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--train", type=_train_steps, default=None, metavar="STEPS",
                   help="also train the network for STEPS steps on the spiral task (see README, Training)")
    return p


def config_from_args(args: argparse.Namespace) -> Config:
    return Config(
        depth=args.depth, width=args.width, batch=args.batch, activation=args.activation, slope=args.slope,
        init=args.init, std=args.std, bound=args.bound, value=args.value, gain=args.gain, mode=args.mode,
        bias=args.bias, bias_std=args.bias_std, batch_norm=args.bn, input=args.input, seed=args.seed,
        dtype=args.dtype,
    )


def _cell(value, spec: str) -> str:
    width = int(re.match(r">(\d+)", spec).group(1))
    return f"{'-':>{width}}" if value is None else format(value, spec)


def format_table(result) -> str:
    """The lecture's printout ("layer 1: mean -0.000117, std 0.213"), with gradients and theory beside it."""
    c = result.config
    lines = [
        f"{c.depth} layers x {c.width} units, {c.activation}, init {c.init}, batch {c.batch}, seed {c.seed}",
        "layer   act mean    act std     theory   grad std     theory       dW/W  saturated   dead  units",
    ]
    for row in result.rows():
        percent = {k: "-" if row[k] is None else f"{100 * row[k]:.1f}%" for k in ("saturated", "dead")}
        lines.append(
            f"{row['layer']:>5}  {_cell(row['act_mean'], '>9.3g')}  {_cell(row['act_std'], '>9.4g')}  "
            f"{_cell(row['predicted_act_std'], '>9.4g')}  {_cell(row['grad_std'], '>9.3g')}  "
            f"{_cell(row['predicted_grad_std'], '>9.3g')}  {_cell(row['grad_data_ratio'], '>9.2g')}  "
            f"{percent['saturated']:>9}  {percent['dead']:>6}  "
            f"{_cell(row['distinct_units'], '>5d')}"
        )
    lines.extend(b.message(c.dtype) for b in result.breaks)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    threads.configure()  # one BLAS thread per computation, as in the app
    try:
        config = config_from_args(args)
        result = simulate(config, memory_budget=int(args.memory_budget_mib * 2**20))
        training = None if args.train is None else \
            train(config, steps=args.train, memory_budget=int(args.memory_budget_mib * 2**20))
    except (ValueError, MemoryBudgetError) as error:
        parser.error(str(error))
    if args.json:
        output = {"config": config.to_dict(), "layers": result.rows(), "theory": theory_summary(config)}
        if training is not None:
            output["training"] = training.to_json()
        json.dump(output, sys.stdout, indent=1, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(format_table(result))
        if training is not None:
            print(format_training(training))
    return 0


if __name__ == "__main__":
    sys.exit(main())
