"""What the page calls a setting's value: the one name a control's options show (the sidebar's, the tabs'), and so
every sentence that names a value (a link's notices), in the page's language. No streamlit here.

A link holds codes ("he_normal", "inv_sqrt_depth"); a teacher reads what the control shows ("He normal",
"1/√depth (GPT-2)"), a number as the page writes numbers, a switch as on or off.
"""

from __future__ import annotations

from typing import Any

from core import profiles
from core.config import INV_SQRT_DEPTH, written
from core.initializers import GAIN_WORDS

from . import charts
from .text import join, t

CUSTOM = "custom"  # the step box's option for a network that is no tour step (views.tour reads it from here)
BRANCH_SCALES = ("1", INV_SQRT_DEPTH, "0")  # the branch scale box's options; any number from 0 to 100 can be typed
# The settings whose every value has its name in the catalogue: the key of a value's name
NAME_KEYS = {
    "arch": lambda code: f"options.arch_{code}",
    "padding": lambda code: f"options.padding_{code}",
    "activation": lambda code: f"act_{code}",
    "norm": lambda code: f"options.norm_{code}",
    "init": lambda code: f"options.init_{code}",
    "mode": lambda code: f"options.mode_{code}",
    "distribution": lambda code: f"options.distribution_{code}",
    "input": lambda code: f"options.input_{code}",
    "dtype": lambda code: f"options.dtype_{code}",
    "tab": lambda code: f"tab_{code}",
    "task": lambda code: f"training_tab.task_{code}",
}


def step_option(lang: str, code: str) -> str:
    """A tour option's whole label, "1 · All-zero weights: symmetry": the label is what a click selects."""
    if code == CUSTOM:
        return t(lang, "step_custom")
    return t(lang, "step_option", n=code, title=t(lang, f"step_{code}"))


def gain_option(lang: str, gain: str) -> str:
    """The gain box's option as it shows: a word by its name in the page's language, a typed number as typed."""
    return t(lang, f"options.gain_{gain}") if gain in GAIN_WORDS else gain


def profile_option(lang: str, code: str) -> str:
    """A width profile's name: the preset it is at its own depth and input width ("" is equal widths: constant), or
    "custom: 784-300-10". A profile of equal widths written out (a notice comparing two networks' layers; the box
    holds those as "") is its widths, "100-100-100"."""
    units = profiles.read(code)
    if not units:
        return t(lang, "options.widths_constant")
    if len(set(units)) == 1:
        return code
    name = profiles.preset_of(units)
    return t(lang, f"options.widths_{name}") if name else t(lang, "widths_custom", widths=code)


def option_name(lang: str, name: str, value: Any) -> str:
    """The value of the setting `name` (a link's parameter, a widget's key) as its control shows it in `lang`."""
    if name in NAME_KEYS:
        return t(lang, NAME_KEYS[name](value))
    if name == "gain":
        return gain_option(lang, str(value))
    if name == "branch_scale":
        key = value if isinstance(value, str) else written(value)  # a Config's 0.0 is the box's "0"
        return t(lang, f"options.branch_scale_{key}") if key in BRANCH_SCALES else key
    if name == "widths":
        return profile_option(lang, str(value))
    if name in ("step", "beside"):
        return t(lang, "beside_none") if value == "none" else step_option(lang, str(value))
    if name == "lang":  # each language by its own name, whatever the page's, as the switch shows them
        return t(str(value), "language_name")
    if name in ("compare", "train"):
        return join(lang, [charts.scheme_name(scheme, lang) for scheme in value])
    if isinstance(value, bool):
        return t(lang, f"options.switch_{'on' if value else 'off'}")
    if name == "seed":  # a seed names a draw (1234), it counts nothing (describe.line_values)
        return str(value)
    if isinstance(value, (int, float)):
        return written(value)
    return str(value)
