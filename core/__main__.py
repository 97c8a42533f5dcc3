"""Command line: python -m core --depth 10 --width 500 --activation tanh --init normal --std 0.01 [--json].

It takes what the app's sidebar takes (--gain default, recommended or a number) and says on stderr, in one
line each, when a flag has no effect on the chosen scheme or activation (core.initializers.matters, the
table the sidebar reads to hide the same controls).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from decimal import Decimal, InvalidOperation

from . import digits, schemes, threads
from .allocator import keep_freed_memory
from .activations import leaky_floor, recommended_gain
from .config import (
    ACTIVATIONS, ARCHS, BRANCH_SCALE_RANGE, CONV_RANGES, CONV_SIZES, DIGITS_IMAGES, DIGITS_SIDE, DTYPES, FLOAT_RANGES,
    INITS, INPUTS, INT_RANGES, INV_SQRT_DEPTH, MODES, NORMS, PADDINGS, Config, mib_apart, resize, resized_size,
    rounds_to_zero, written, written_plainly, written_range,
)
from .initializers import (
    ACTIVATION_FIELDS, BIAS_FIELDS, GAIN_WORDS, SCHEME_FIELDS, SCHEME_NUMBERS, matters, resolve_gain,
)
from .schemes import DISTRIBUTIONS
from .network import (DEFAULT_MEMORY_BUDGET, WORK_LIMIT, MemoryBudgetError, estimate_memory, estimate_work, simulate,
                      size_name)
from .spectrum import DEFAULT_INPUTS, INPUTS_RANGE, JacobianRangeError, spectrum
from .spectrum import check as check_spectrum
from .theory import theory_summary
from .train import (
    STEPS_RANGE, TASKS, TrainingResult, estimate_simulate_and_train_memory, estimate_training_memory, train,
)

DEFAULTS = Config()
# Flags that only some schemes or activations read; None when not given, so a note can say one was ignored.
OPTIONAL = ("slope", *SCHEME_NUMBERS, "gain", "mode", "distribution", *BIAS_FIELDS)


# A flag's value that starts with a minus, as a number or a would-be number: argparse's own pattern (-3, -0.5) took
# "--value -1e-3" for a flag and refused it, "expected one argument", and so "--std -inf", "--bias -nan" and
# "--trunc-mean -0x1", whose message then named no value. No flag starts with a digit or a point, or is inf or nan:
# such a token is the flag's value, and the flag's type names what is wrong with it.
NEGATIVE_NUMBER = re.compile(r"^-(\d|\.\d|(?i:inf|infinity|nan)$)")
QUOTED = re.compile(r"'([^'\n]*)'")  # an argument argparse repeats in its message (choices, unknown arguments)


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line and exits with 2, without the usage block; that reads
    "-1e-3" as a number (NEGATIVE_NUMBER); that refuses a flag given twice, which argparse would quietly settle by
    the last; and that cuts any argument its messages repeat as _shown does (a 100 kB --init was echoed whole)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = NEGATIVE_NUMBER

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        given = sys.argv[1:] if args is None else list(args)
        seen: dict[str, int] = {}
        for token in given:
            if token == "--":
                break
            flag = token.split("=", 1)[0]
            if flag.startswith("--") and flag in self._option_string_actions:
                seen[flag] = seen.get(flag, 0) + 1
        twice = [flag for flag, count in seen.items() if count > 1]
        if twice:
            self.error(f"{', '.join(twice)} given more than once: give each flag once")
        return super().parse_args(given, namespace)

    def error(self, message: str) -> None:  # type: ignore[override]
        message = QUOTED.sub(lambda m: _shown(m.group(1)) if len(m.group(1)) > SHOWN_CHARACTERS else m.group(0),
                             message)
        if len(message) > MESSAGE_CHARACTERS:  # unknown arguments are listed unquoted
            message = f"{message[:MESSAGE_CHARACTERS]}... ({len(message):,} characters)"
        self.exit(2, f"{self.prog}: error: {message}\n")


MEMORY_BUDGET_MIB = (1, 1 << 20)  # MiB: from 1 MiB (refuses every network) to 1 TiB, more than any machine here
SHOWN_CHARACTERS = 40  # of an argument repeated in a message
MESSAGE_CHARACTERS = 400  # of an error message


def _shown(text: str) -> str:
    """An argument as a message repeats it: quoted, and cut with its length said when it is long."""
    if len(text) <= SHOWN_CHARACTERS:
        return repr(text)
    return f"{text[:SHOWN_CHARACTERS]!r}... ({len(text):,} characters)"


def _numeric(name: str, kind: type, low: float, high: float, unit: str = ""):
    """An argparse type for every numeric flag: a finite number of `kind` from low to high, `unit` after it.

    Text that is not a number, is not finite, or is out of range (1e308, nan, inf, 10**5000) gets one line
    naming it and the range; the number is returned as `kind`, never converted again in a way that overflows.
    """

    def parse(text: str):
        if not written_plainly(text):  # Python's int() and float() read "٣", "１０" and "1_0" silently
            raise argparse.ArgumentTypeError(f"{_shown(text)} is not written in the digits 0-9: write the number "
                                             f"with 0-9, a point, a sign and an exponent only")
        try:
            # a whole number as a link reads one (views.urlstate): as written, so "1e3" and "1000.0" are 1000
            value = Decimal(text.strip()) if kind is int else float(text) + 0.0  # + 0: "-0" is 0, no sign to print
        except (ValueError, InvalidOperation):
            kind_name = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"{_shown(text)} is not {kind_name}{unit and ' of' + unit}") from None
        if not (value.is_finite() if kind is int else math.isfinite(value)):
            raise argparse.ArgumentTypeError(f"{_shown(text)} is not a finite number")
        if kind is not int and rounds_to_zero(text):
            raise argparse.ArgumentTypeError(f"{_shown(text)} is closer to 0 than float64 holds (its smallest "
                                             f"number is 4.9e-324): it would be read as 0")
        if kind is int and value != value.to_integral_value():
            raise argparse.ArgumentTypeError(f"{_shown(text)} is not a whole number{unit and ' of' + unit}")
        if not low <= value <= high:  # before int(): 1e999999999 is never turned into its digits
            raise argparse.ArgumentTypeError(
                f"{_shown(text)} is out of range: allowed {written_range(low, high)}{unit}")
        return int(value) if kind is int else value

    parse.__name__ = name  # argparse names the type in its message
    return parse


def _number(name: str, kind: type):
    """A numeric flag over one of the Config's ranges (core.config.INT_RANGES, CONV_RANGES or FLOAT_RANGES)."""
    return _numeric(name, kind, *({**INT_RANGES, **CONV_RANGES} if kind is int else FLOAT_RANGES)[name])


# --widths: the input's width then each hidden layer's, so depth + 1 entries
WIDTHS_ENTRIES = (INT_RANGES["depth"][0] + 1, INT_RANGES["depth"][1] + 1)


def _widths(text: str) -> tuple[int, ...]:
    """--widths 784,512,256,128: whole numbers in the width range, WIDTHS_ENTRIES of them, comma-separated."""
    entries = text.split(",")
    parse = _number("width", int)
    for place, entry in enumerate(entries, start=1):
        if not entry.strip():
            raise argparse.ArgumentTypeError(f"{_shown(text)} has an empty entry at place {place}: allowed whole "
                                             f"numbers from {_range('width')}, separated by commas")
        parse(entry)  # names an entry that is not a whole number or is out of range
    low, high = WIDTHS_ENTRIES
    if not low <= len(entries) <= high:
        raise argparse.ArgumentTypeError(
            f"{_shown(text)} has {len(entries):,} {'entry' if len(entries) == 1 else 'entries'}: allowed "
            f"{written_range(low, high)}, the input's width then each hidden layer's")
    return tuple(parse(entry) for entry in entries)


def _gain(text: str) -> str | float:
    """--gain as the sidebar takes it: default, recommended (torch's calculate_gain), or a number in range."""
    if text.strip() in GAIN_WORDS:
        return text.strip()
    try:
        float(text)
    except ValueError:
        allowed = f"{', '.join(GAIN_WORDS)} or a number from {written_range(*FLOAT_RANGES['gain'])}"
        raise argparse.ArgumentTypeError(f"{_shown(text)} is not a gain: allowed {allowed}") from None
    return _number("gain", float)(text)  # names a number that is not finite or out of range


# --- residual streams and normalization --------------------------------------------------------------------
def _branch_scale(text: str) -> str | float:
    """--branch-scale: inv_sqrt_depth (1/sqrt(depth), GPT-2's) or a number from 0 (SkipInit, ReZero) to 100."""
    if text.strip() == INV_SQRT_DEPTH:
        return INV_SQRT_DEPTH
    try:
        float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{_shown(text)} is not a branch scale: allowed {INV_SQRT_DEPTH} or a "
                                         f"number from {written_range(*BRANCH_SCALE_RANGE)}") from None
    return _numeric("branch_scale", float, *BRANCH_SCALE_RANGE)(text)


def norm_fields(args: argparse.Namespace) -> dict[str, bool]:
    """Config's batch_norm and layer_norm from --norm and --bn (the older spelling of --norm batch)."""
    norm = args.norm if args.norm is not None else "batch" if args.bn else "none"
    if args.bn and norm != "batch":
        raise ValueError(f"--bn is --norm batch; it cannot be used with --norm {args.norm}")
    if args.branch_scale is not None and not args.residual:
        raise ValueError("--branch-scale scales the residual branch: it needs --residual")
    return {"batch_norm": norm == "batch", "layer_norm": norm == "layer"}


def _stream_words(c: Config) -> str:
    """The table's words for the norm and the residual stream: ", residual (alpha 0.3162), pre-layer norm"."""
    norm = {"none": "", "batch": "batch norm", "layer": "layer norm"}[c.norm]
    if not c.residual:
        return f", {norm}" if norm else ""
    return f", residual (alpha {c.alpha:.4g}; act std is the stream's)" + (f", pre-{norm}" if norm else "")


def format_training(training: TrainingResult) -> str:
    """A few lines: where the loss and the accuracy started and ended, and the distinct units left."""
    t = training
    last = t.steps - 1 if t.diverged_at is None else t.diverged_at - 1  # the last finite loss
    units = ", ".join("-" if u != u else str(int(u)) for u in t.distinct_units)
    conv = t.config.arch == "conv"  # a conv net's units are its channels (filters); the spiral is lifted to images
    lines = [
        f"training: {t.steps} steps of SGD (lr {t.lr:g}, momentum {t.momentum:g}, batch {t.batch}) "
        + (f"on a {t.classes}-class spiral" + (f" lifted to {t.config.image} x {t.config.image} images" if conv
                                               else "") if t.task == "spiral" else
           f"on {digits.TRAIN_IMAGES:,} of the digits ({digits.IMAGES - digits.TRAIN_IMAGES} held out)"),
        f"  loss {t.loss[0]:.4g} at step 0 (ln {t.classes} = {math.log(t.classes):.4g}), "
        f"{t.loss[last]:.4g} at step {last}" if last >= 0 else "  no step finished",
        ("  accuracy on all points after training: " if t.task == "spiral" else
         "  accuracy on the training images after training: ")
        + (f"{100 * t.final_accuracy:.1f}%" if math.isfinite(t.final_accuracy) else "-"),
        *([f"  accuracy on the {digits.IMAGES - digits.TRAIN_IMAGES} held-out images: "
           + (f"{100 * t.test_accuracy:.1f}%" if math.isfinite(t.test_accuracy) else "-")
           + f" (chance: {100 / digits.CLASSES:.0f}%)"] if t.test_accuracy is not None else []),
        f"  distinct {'channels' if conv else 'units'} per hidden layer after training: {units}",
    ]
    if t.message:
        lines.append(f"  {t.message}")
    return "\n".join(lines)


def _owner(field: str) -> str:
    """The flag whose value decides whether a field matters: --activation or --init."""
    return "--activation" if any(field in fields for fields in ACTIVATION_FIELDS.values()) else "--init"


def _readers(field: str) -> str:
    """The flag and values under which a field matters: "--init he_normal, he_uniform" (core.initializers.matters)."""
    if _owner(field) == "--activation":
        return "--activation " + ", ".join(a for a in ACTIVATIONS if matters(field, DEFAULTS.init, a))
    return "--init " + ", ".join(init for init in INITS if matters(field, init, DEFAULTS.activation))


def _flag(field: str) -> str:
    return "--" + field.replace("_", "-")


NORM_FLAGS = {"batch_norm": "--norm batch", "layer_norm": "--norm layer"}


def _as_flags(message: str, flags: dict) -> str:
    """A Config's message in the command line's words: each field that is a flag named as the flag, "trunc_a=3.0"
    as "--trunc-a 3.0" ("kernel=4 is not allowed" had named no flag). A field's bare name is a flag's only where it
    has an underscore: "the batch" and "width" are also plain words."""
    for field, flag in NORM_FLAGS.items():  # the Config's two norm switches are --norm's values
        message = message.replace(f"{field}=True", flag)
    for name in sorted(flags, key=len, reverse=True):
        message = re.sub(rf"\b{name}=True\b", _flag(name), message)  # a switch: --residual
        message = re.sub(rf"\b{name}=", f"{_flag(name)} ", message)
        if "_" in name:
            message = re.sub(rf"(?<![-\w]){name}\b", _flag(name), message)
    return message


def _range(name: str) -> str:
    return written_range(*{**INT_RANGES, **CONV_RANGES, **FLOAT_RANGES}[name])


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m core", description="Simulate a deep network at initialization, layer by layer.")
    p.add_argument("--depth", type=_number("depth", int), default=None,
                   help=f"hidden layers ({_range('depth')}; default {DEFAULTS.depth})")
    p.add_argument("--width", type=_number("width", int), default=None,
                   help=f"units per layer ({_range('width')}; default {DEFAULTS.width})")
    p.add_argument("--widths", type=_widths, default=None, metavar="N0,N1,...",
                   help="each layer's width, the input's first: 784,512,256,128 is 3 hidden layers "
                        "(instead of --depth and --width)")
    p.add_argument("--batch", type=_number("batch", int), default=None,
                   help=f"samples ({_range('batch')}; default {DEFAULTS.batch:,}; {CONV_SIZES['batch']} with --arch "
                        "conv)")
    p.add_argument("--activation", choices=ACTIVATIONS, default=DEFAULTS.activation)
    p.add_argument("--slope", type=_number("slope", float), default=None,
                   help=f"negative slope, for {_readers('slope')} (default {DEFAULTS.slope:g})")
    p.add_argument("--init", choices=INITS, default=DEFAULTS.init)
    for name in SCHEME_NUMBERS:  # --std, --bound, --value, --trunc-mean, --trunc-a, --trunc-b, --scale
        p.add_argument(_flag(name), type=_number(name, float), default=None,
                       help=f"for {_readers(name)} ({_range(name)}; default {getattr(DEFAULTS, name):g})")
    p.add_argument("--gain", type=_gain, default=None,
                   help=f"for {_readers('gain')}: default (torch.nn.init's, the default), recommended "
                        f"(torch's calculate_gain for the activation) or a number ({_range('gain')})")
    p.add_argument("--mode", choices=MODES, default=None, help=f"for {_readers('mode')} (default {DEFAULTS.mode})")
    p.add_argument("--distribution", choices=DISTRIBUTIONS, default=None,
                   help=f"for {_readers('distribution')} (Keras's; default {DEFAULTS.distribution})")
    p.add_argument("--bias", type=_number("bias", float), default=None,
                   help=f"mean bias, for every init but {', '.join(i for i in INITS if not matters('bias', i, 'tanh'))}"
                        f" (its own biases; default {DEFAULTS.bias:g})")
    p.add_argument("--bias-std", type=_number("bias_std", float), default=None,
                   help=f"bias std, likewise (default {DEFAULTS.bias_std:g})")
    p.add_argument("--bn", action="store_true", help="batch-normalize every pre-activation (--norm batch)")
    p.add_argument("--norm", choices=NORMS, default=None,
                   help="normalize every pre-activation, or in front of each residual branch: over the batch "
                        "(batch) or over each sample's units (layer); default none")
    p.add_argument("--residual", action="store_true",
                   help="residual stream x_l = x_{l-1} + alpha (f(N(x_{l-1})) W_l + b_l); equal widths only")
    p.add_argument("--branch-scale", type=_branch_scale, default=None, metavar=f"NUMBER|{INV_SQRT_DEPTH}",
                   help=f"alpha of --residual: a number ({written_range(*BRANCH_SCALE_RANGE)}; 0 is SkipInit) or "
                        f"{INV_SQRT_DEPTH}, 1/sqrt(depth) as GPT-2 (default 1)")
    p.add_argument("--input", choices=INPUTS, default=None,
                   help=f"the input: {DEFAULTS.input} (default), uniform, or the handwritten digits (64 pixels wide, "
                        f"a batch of at most {DIGITS_IMAGES:,}; the default with --task digits)")
    p.add_argument("--input-scale", type=_number("input_scale", float), default=DEFAULTS.input_scale,
                   help=f"the input times this, Var(x) = input_scale² ({_range('input_scale')})")
    p.add_argument("--arch", choices=ARCHS, default=DEFAULTS.arch,
                   help="dense layers (default), or conv: k x k convolutions, stride 1, same padding, on images")
    p.add_argument("--kernel", type=_number("kernel", int), default=None,
                   help=f"with --arch conv: the kernel size k, odd ({_range('kernel')}; default {DEFAULTS.kernel})")
    p.add_argument("--channels", type=_number("width", int), default=None,
                   help=f"with --arch conv: channels per layer, the input's too, the conv net's width "
                        f"({_range('width')}; default {CONV_SIZES['width']}; the digits are 1 channel)")
    p.add_argument("--image", type=_number("image", int), default=None,
                   help=f"with --arch conv: image height = width in pixels ({_range('image')}; default "
                        f"{DEFAULTS.image}; the digits are their own 8 x 8, not upsampled)")
    p.add_argument("--padding", choices=PADDINGS, default=None,
                   help=f"with --arch conv: zeros at the borders, or circular (wrapped: no borders); default "
                        f"{DEFAULTS.padding}")
    p.add_argument("--seed", type=_number("seed", int), default=DEFAULTS.seed)
    p.add_argument("--dtype", choices=DTYPES, default=DEFAULTS.dtype)
    p.add_argument("--memory-budget-mib", type=_numeric("memory_budget_mib", float, *MEMORY_BUDGET_MIB, " MiB"),
                   default=DEFAULT_MEMORY_BUDGET / 2**20,
                   help=f"refuse configurations needing more, simulation and training together "
                        f"({written_range(*MEMORY_BUDGET_MIB)}; default {DEFAULT_MEMORY_BUDGET >> 20:,})")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--train", type=_numeric("train", int, *STEPS_RANGE, " steps"), default=None, metavar="STEPS",
                   help="also train the network for STEPS steps on the task (see docs/training.md)")
    p.add_argument("--spectrum", action="store_true",
                   help="also the singular values of the input-output Jacobian, pooled over a few inputs, and their "
                        "percentiles")
    p.add_argument("--spectrum-inputs", type=_numeric("spectrum_inputs", int, *INPUTS_RANGE, " inputs"), default=None,
                   metavar="N", help=f"how many inputs --spectrum pools ({written_range(*INPUTS_RANGE)}; default "
                                     f"{DEFAULT_INPUTS})")
    p.add_argument("--task", choices=TASKS, default=None,
                   help="what --train trains on: the spiral (default), or the digits, 1,500 images to train on and "
                        "297 held out (needs --input digits or no --input)")
    return p


def config_and_notes(args: argparse.Namespace) -> tuple[Config, list[str]]:
    """The Config the arguments describe, and one line for each flag that has no effect on it.

    A flag the scheme or activation does not read keeps its default in the Config, as in the app, so the same
    network always prints the same config. --gain recommended is resolved as the sidebar resolves it, and a gain equal
    to the scheme's default is printed as the default, null (core.initializers.resolve_gain).
    """
    notes = []
    values = {}
    if args.spectrum_inputs is not None and not args.spectrum:
        raise ValueError("--spectrum-inputs says how many inputs --spectrum pools; give --spectrum too")
    if args.task is not None and args.train is None:
        raise ValueError(f"--task {args.task} says what --train trains on; give --train STEPS too")
    if args.task == "digits" and args.input not in (None, "digits"):
        raise ValueError(f"--task digits trains on the digits, so its input is the digits; --input {args.input} "
                         "cannot be used with it")
    chosen_input = args.input or ("digits" if args.task == "digits" else DEFAULTS.input)
    if args.widths is not None and (args.depth is not None or args.width is not None):
        given = " and ".join(flag for flag, value in (("--depth", args.depth), ("--width", args.width))
                         if value is not None)
        raise ValueError(f"--widths gives the depth and every width; it cannot be used with {given}")
    conv_values = _conv_fields(args, chosen_input, notes)
    if args.channels is not None:
        if args.width is not None or args.widths is not None:
            raise ValueError("--channels is a conv net's width; it cannot be used with --width or --widths")
        args.width = args.channels
    sizes, taken = {"width": args.width, "batch": args.batch}, []
    if args.arch == "conv":  # sizes not given: the tour's conv net's (500 channels at every pixel are ~17 GiB)
        taken = [name for name, value in sizes.items() if value is None and (name == "batch" or args.widths is None)]
        sizes.update({name: CONV_SIZES[name] for name in taken})
    batch = DEFAULTS.batch if sizes["batch"] is None else sizes["batch"]
    if args.widths is not None:
        shape = dict(depth=len(args.widths) - 1, widths=args.widths)
    else:
        shape = dict(depth=DEFAULTS.depth if args.depth is None else args.depth,
                     width=DEFAULTS.width if sizes["width"] is None else sizes["width"])
    for name in OPTIONAL:
        given = getattr(args, name)
        if given is not None and not matters(name, args.init, args.activation):
            flag = _owner(name)
            chosen = getattr(args, flag.removeprefix("--"))
            notes.append(f"note: {_flag(name)} has no effect with {flag} {chosen} (it is for {_readers(name)}); "
                         "ignored")
        elif given is not None:
            values[name] = given
    if schemes.mode_outside_torch(args.init, values.get("mode", DEFAULTS.mode)):
        notes.append(f"note: {schemes.get(args.init).source} takes fan_in or fan_out only: --mode fan_avg is "
                     "Keras's mode (VarianceScaling(scale=gain², mode=\"fan_avg\")), computed as such")
    slope = values.get("slope", DEFAULTS.slope)
    gain, gain_note = resolve_gain(values.get("gain", "default"), args.init, args.activation, slope)
    if gain_note == "none":
        notes.append(f"note: --gain recommended: torch's calculate_gain has no value for {args.activation}, "
                     f"so {args.init}'s default gain is used")
    elif gain_note == "selu":
        notes.append(
            f"note: --gain recommended is torch's calculate_gain('selu') = {written(gain)}, which gives up "
            f"self-normalization for steadier gradients; torch's documentation says a self-normalizing network "
            f"(Klambauer et al. 2017) uses the linear gain: --gain {written(recommended_gain('linear'))}"
        )
    config = Config(
        **shape, batch=batch, activation=args.activation, init=args.init,
        **{name: values.get(name, getattr(DEFAULTS, name)) for name in OPTIONAL if name != "gain"}, gain=gain,
        **norm_fields(args), residual=args.residual,
        branch_scale=DEFAULTS.branch_scale if args.branch_scale is None else args.branch_scale,
        input=chosen_input, input_scale=args.input_scale, seed=args.seed, dtype=args.dtype, **conv_values,
    )
    if taken:
        given = " and ".join(f"{'--channels' if name == 'width' else '--batch'} {sizes[name]}" for name in taken)
        notes.append(f"note: --arch conv takes its own defaults where not given, the tour's conv step's: {given}")
    return config, notes


CONV_FLAGS = ("kernel", "image", "padding")  # what only --arch conv reads (--channels: its width)


def _conv_fields(args: argparse.Namespace, chosen_input: str, notes: list[str]) -> dict:
    """The conv settings the arguments give; a note for each given with --arch dense (ignored), an error for
    --channels without --arch conv."""
    if args.arch != "conv":
        if args.channels is not None:
            raise ValueError("--channels counts a conv net's channels; give --arch conv too (or --width)")
        notes.extend(f"note: {_flag(name)} has no effect with --arch dense (it is for --arch conv); ignored"
                     for name in CONV_FLAGS if getattr(args, name) is not None)
        return {}
    if chosen_input == "digits":  # their own 8 x 8 images of one channel: --image is theirs, a profile's first too
        if args.image is not None and args.image != DIGITS_SIDE:
            notes.append(f"note: --image has no effect with --input digits (the digits are their own "
                         f"{DIGITS_SIDE} x {DIGITS_SIDE} images); ignored")
        if args.widths is not None and args.widths[0] != 1:
            notes.append(f"note: the digits are one channel, so a conv net's --widths starts at 1: channels "
                         f"{','.join(map(str, (1, *args.widths[1:])))}, not {','.join(map(str, args.widths))}")
        return {"arch": "conv", **{name: getattr(args, name) for name in ("kernel", "padding")
                                   if getattr(args, name) is not None}}
    return {"arch": "conv", **{name: getattr(args, name) for name in CONV_FLAGS if getattr(args, name) is not None}}


def _cell(value, spec: str) -> str:
    width = int(re.match(r">(\d+)", spec).group(1))
    return f"{'-':>{width}}" if value is None else format(value, spec)


def format_table(result) -> str:
    """The lecture's printout ("layer 1: mean -0.000117, std 0.213"), with gradients and theory beside it."""
    c = result.config
    shape = f"{'-'.join(map(str, c.units)) if c.widths else c.width} units"
    if c.arch == "conv":
        shape = (f"{'-'.join(map(str, c.units)) if c.widths or c.input == 'digits' else c.width} channels of "
                 f"{c.kernel}x{c.kernel} convolutions on {c.image}x{c.image} images ({c.padding} padding)")
    # a leaky ReLU's units ≤ 0 for every sample still pass its slope of the gradient: not dead
    leaky = leaky_floor(c.activation, c.slope)
    lines = [
        f"{c.depth} layers x {shape}, {c.activation}, "
        f"init {c.init}{f' ({c.mode})' if c.widths and 'mode' in SCHEME_FIELDS[c.init] else ''}, "
        f"batch {c.batch}, seed {c.seed}{_stream_words(c)}",
        "layer   act mean    act std     theory   grad std     theory       dW/W  saturated   "
        + (" <=0" if leaky else "dead") + "  units",
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
    if leaky:
        lines.append(f"<=0: units <= 0 for every sample, which pass {c.slope:g} of the gradient ({c.activation}'s "
                     "slope there), not 0: not dead")
    return "\n".join(lines)


def spectrum_json(result) -> dict:
    """The "spectrum" key: every singular value of J pooled over the inputs (largest first within each input),
    their p10, p50, p90, p90 / p10 and the mean of s²; the count of inputs; "resolution", the smallest value float64
    resolves (Spectrum.resolution). A percentile below it is None, as is the ratio then, with "ratio_at_least" p90 /
    resolution where p90 is resolved (Spectrum.bounds: rounding is no property of the network)."""
    summary, bound = result.summary(), result.bounds()
    shown = {key: None if bound.get(key) or not math.isfinite(value) else value for key, value in summary.items()}
    if bound["p10"]:
        shown["ratio"] = None
    return {"singular_values": result.pooled.tolist(), "inputs": len(result.values), **shown,
            "resolution": result.resolution,
            **({"ratio_at_least": summary["p90"] / result.resolution} if bound["ratio"] else {})}


def format_spectrum(result) -> str:
    """One line: the Jacobian's percentiles, their ratio and the mean of s²; a percentile below float64's resolution
    written "< resolution" and the ratio then a bound, as the page writes them (Spectrum.bounds)."""
    s, bound, floor = result.summary(), result.bounds(), result.resolution
    shown = {key: f"< {floor:.3g}" if bound[key] else f"{s[key]:.3g}" for key in ("p10", "p50", "p90")}
    ratio = (f"> {s['p90'] / floor:.3g}" if bound["ratio"] else "undefined" if bound["p10"]
             else f"{s['ratio']:.3g}" if math.isfinite(s["ratio"]) else "undefined (0 / 0)" if math.isnan(s["ratio"])
             else "inf")
    below = f", {int((result.pooled < floor).sum()):,} of them below float64's resolution" if bound["p10"] else ""
    return (f"Jacobian singular values ({len(result.values)} inputs, {result.pooled.size:,} values{below}): p10 "
            f"{shown['p10']}, median {shown['p50']}, p90 {shown['p90']}, p90/p10 {ratio}, mean of s² "
            f"{s['mean_squared']:.4g}")


def largest(config: Config, name: str, fits) -> int | None:
    """The largest value of the whole-number field `name`, up to config's own, at which fits(config) holds (for a
    width profile: the widest layer's, the profile scaled in proportion, core.config.resize)."""
    low, high = INT_RANGES[name][0], resized_size(config, name)
    if not fits(resize(config, name, low)):
        return None
    while low < high:  # fits is monotone: memory grows with each of depth, width and batch
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(resize(config, name, middle)) else (low, middle - 1)
    return low


def check_training_memory(config: Config, budget: int) -> None:
    """MemoryBudgetError unless simulating and then training config fits the budget together, naming what fits: in
    the budget and within the simulation's work limit, which a size the memory alone allowed had then met (width
    1,156 at depth 10 and batch 4,096: 4.2e+11 flops)."""
    need = estimate_simulate_and_train_memory(config)
    if need <= budget:
        return

    def fits(c: Config) -> bool:
        return estimate_simulate_and_train_memory(c) <= budget and estimate_work(c) <= WORK_LIMIT

    options = [f"{size_name(config, name)} {value:,}" for name in ("width", "depth")
               if (value := largest(config, name, fits))]
    advice = f"at most {' or '.join(options)} fits with the rest unchanged" if options else "lower the batch"
    written = mib_apart(need, budget)
    raise MemoryBudgetError(
        f"simulating and training this configuration needs about {written['need']} MiB "
        f"({estimate_memory(config) / 2**20:,.0f} + {estimate_training_memory(config) / 2**20:,.0f}), over the "
        f"budget of {written['budget']} MiB: {advice}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    threads.configure()  # one BLAS thread per computation, as in the app
    keep_freed_memory()  # and freed arrays kept for the next step's, as in the app
    budget = int(args.memory_budget_mib * 2**20)  # at most 2**40: MEMORY_BUDGET_MIB
    try:
        config, notes = config_and_notes(args)
        if args.train is not None:
            check_training_memory(config, budget)
        inputs = args.spectrum_inputs or DEFAULT_INPUTS
        if args.spectrum:  # refused before the simulation's seconds, not after
            check_spectrum(config, inputs, memory_budget=budget)
        result = simulate(config, memory_budget=budget)
        jacobian = spectrum(config, inputs, memory_budget=budget) if args.spectrum else None
        training = None if args.train is None else train(config, steps=args.train, memory_budget=budget,
                                                         task=args.task or "spiral")
    except (ValueError, MemoryBudgetError, JacobianRangeError) as error:
        parser.error(_as_flags(str(error), vars(args)))
    except MemoryError:  # within the budget, but more than this machine gives the process (ulimit -v, a container)
        parser.error(f"this machine could not give the memory the run needs, within the budget of "
                     f"{args.memory_budget_mib:,g} MiB: lower --memory-budget-mib to what it has, or the network")
    for note in notes:  # after the checks: a refused run has its one error line only
        print(note, file=sys.stderr)
    if args.json:
        output = {"config": config.to_dict(), "widths": list(config.units), "layers": result.rows(),
                  "theory": theory_summary(config),
                  # the residual stream's settings; branch_scale as the number alpha (config has its spelling)
                  "residual": config.residual, "norm": config.norm, "branch_scale": config.alpha}
        if training is not None:
            output["training"] = training.to_json()
        if jacobian is not None:
            output["spectrum"] = spectrum_json(jacobian)
        json.dump(output, sys.stdout, indent=1, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(format_table(result))
        if training is not None:
            print(format_training(training))
        if jacobian is not None:
            print(format_spectrum(jacobian))
    return 0


if __name__ == "__main__":
    sys.exit(main())
