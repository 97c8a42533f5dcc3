"""URL parameters: check a shared link's values, fill in its tour step, and turn widget values into a Config.

A widget's key is its URL parameter, and a widget's value is what the URL holds (codes, not labels), so a link
reads the same in English and in Chinese. Streamlit keeps bound widgets and the address bar in step (the page
writes the widgets that show names, NAMED, and the tab and step itself: views/link.py); this module handles
what Streamlit cannot know: our ranges, the tour step a link names, and which values matter.
It reads a link as Streamlit writes one: a list as the parameter repeated, an empty list as one empty value
(`?compare=`, the Compare list cleared), a bool as true/false, a number in its shortest form.

A link written by hand may say more than that, and the page says how it read it (messages()): a parameter
it does not know is dropped from the address; a setting given twice takes the last value, as Streamlit's
st.query_params does, the way a parameter added to the end of a link is meant to win; a number written
with other digits than 0-9 (Arabic-Indic ٣, full-width １０ from a Chinese input method) is read as the
number it writes, because that is what the person typing it meant. A switch (BOOL_WORDS) is read from the words
people type for on and off, ?present=1, ?log=Yes, and written back as true or false.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from types import MappingProxyType
from typing import Any
from collections.abc import Collection, Mapping, Sequence

from core import Config, profiles
from core.network import DEFAULT_MEMORY_BUDGET, WORK_LIMIT, estimate_memory, estimate_work
from core.config import (
    ACTIVATIONS, ARCHS, BRANCH_SCALE_RANGE, CONV_RANGES, DIGITS_IMAGES, DIGITS_PIXELS, DTYPES, FLOAT_RANGES, INITS,
    DIGITS_SIDE, INPUTS, INT_RANGES, INV_SQRT_DEPTH, MODES, NORMS, PADDINGS, plain_number, rounds_to_zero, written,
)
from core.initializers import ACTIVATION_FIELDS, BIAS_FIELDS, GAIN_WORDS, SCHEME_NUMBERS, matters, parse_gain
from core.schemes import DISTRIBUTIONS
from core.initializers import resolve_gain as resolve_gain_value
from core.train import DEFAULT_LR, DEFAULT_STEPS, LECTURE_RACE, LR_RANGE, TASKS, lecture_schemes
from core.train import SCHEMES as TRAIN_SCHEMES

from .locale import FIRST as FIRST_LANGUAGE
from .locale import LANGUAGES
from .number_writing import format_gain
from .options import option_name
from .text import join, t, user_text
from .tour import CONV_STEP, CUSTOM, FIRST, LECTURE_FIVE, SCHEMES, STEP_CODES, STEPS, step_config
from .tour import step_of as step_of_config

URL = "query-params"  # Streamlit's binding of a widget to the URL parameter named by its key (bind=URL)
CONV_NORMS = tuple(norm for norm in NORMS if norm != "layer")  # what a conv net may have (core.config._check_conv)
STEPS_RANGE = (10, 10_000)  # training steps the app offers (core.train allows from 1)
# What a link may say for a switch, in any case: the first of each is what the page writes (format_number), as
# Streamlit's bound toggles do; a teacher types 1 or 0, yes or no, on or off.
BOOL_WORDS = {True: ("true", "1", "yes", "on"), False: ("false", "0", "no", "off")}


@dataclass(frozen=True)
class Param:
    """One URL parameter: the kind of value it holds and what is allowed."""

    kind: str  # "int", "float", "choice", "bool", "gain", "list", "widths" (core.profiles.read: "784-512-256-128"),
    # "odd" (a whole number in range and odd: a conv kernel's size)
    choices: tuple = ()
    low: float = 0
    high: float = 0


PARAMS: dict[str, Param] = {
    "step": Param("choice", STEP_CODES),
    "arch": Param("choice", ARCHS),  # dense layers, or k x k convolutions on images (core/conv.py)
    "kernel": Param("odd", low=CONV_RANGES["kernel"][0], high=CONV_RANGES["kernel"][1]),
    "image": Param("int", low=CONV_RANGES["image"][0], high=CONV_RANGES["image"][1]),
    "padding": Param("choice", PADDINGS),
    "depth": Param("int", low=INT_RANGES["depth"][0], high=INT_RANGES["depth"][1]),
    "width": Param("int", low=INT_RANGES["width"][0], high=INT_RANGES["width"][1]),
    "widths": Param("widths", low=INT_RANGES["width"][0], high=INT_RANGES["width"][1]),  # "" for equal widths
    "activation": Param("choice", ACTIVATIONS),
    "slope": Param("float", low=FLOAT_RANGES["slope"][0], high=FLOAT_RANGES["slope"][1]),
    "bn": Param("bool"),  # the older spelling of norm=batch: read (bn=true), never written
    "norm": Param("choice", NORMS),  # Config.norm: batch_norm and layer_norm
    "residual": Param("bool"),
    # a number from 0 to 100, or the word for 1/sqrt(depth); kept as its one spelling, like the gain
    "branch_scale": Param("branch_scale", (INV_SQRT_DEPTH,), low=BRANCH_SCALE_RANGE[0], high=BRANCH_SCALE_RANGE[1]),
    "init": Param("choice", INITS),
    # the numbers the schemes read (std, bound, value, trunc_mean, trunc_a, trunc_b, scale): core's one list
    **{name: Param("float", low=FLOAT_RANGES[name][0], high=FLOAT_RANGES[name][1]) for name in SCHEME_NUMBERS},
    "gain": Param("gain", GAIN_WORDS, low=FLOAT_RANGES["gain"][0], high=FLOAT_RANGES["gain"][1]),
    "mode": Param("choice", MODES),
    "distribution": Param("choice", DISTRIBUTIONS),
    "bias": Param("float", low=FLOAT_RANGES["bias"][0], high=FLOAT_RANGES["bias"][1]),
    "bias_std": Param("float", low=FLOAT_RANGES["bias_std"][0], high=FLOAT_RANGES["bias_std"][1]),
    "batch": Param("int", low=INT_RANGES["batch"][0], high=INT_RANGES["batch"][1]),
    "input": Param("choice", INPUTS),
    "input_scale": Param("float", low=FLOAT_RANGES["input_scale"][0], high=FLOAT_RANGES["input_scale"][1]),
    "seed": Param("int", low=INT_RANGES["seed"][0], high=INT_RANGES["seed"][1]),
    "dtype": Param("choice", DTYPES),
    "lang": Param("choice", LANGUAGES),
    "tab": Param("choice"),  # choices: the app's tab codes, passed in (tabs can be added)
    "log": Param("bool"),  # the Activations tab's log-scale switch
    "compare": Param("list", tuple(SCHEMES)),
    "train": Param("list", tuple(TRAIN_SCHEMES)),  # the Training tab's race
    "steps": Param("int", low=STEPS_RANGE[0], high=STEPS_RANGE[1]),  # ... and its length
    "lr": Param("float", low=LR_RANGE[0], high=LR_RANGE[1]),  # ... and its learning rate
    "task": Param("choice", TASKS),  # ... and what it trains on: the spiral or the digits
    "xi": Param("bool"),  # the Theory tab's map coloured by the depth scale xi instead of ln chi_1
    "present": Param("bool"),  # presenter mode (views/present.py)
    "beside": Param("choice", ("none", *STEPS)),  # a tour step drawn beside the page's network (views/beside.py)
    # at Custom, the tour step its network was made from: the line under the title and where ◀ ▶ go on from
    # (views/headline.py); written only there, so that a link shared from Custom says what it changed
    "from": Param("choice", ("none", *STEPS)),
}
# The parameters whose widgets show names in the page's language ("Xavier 正态" for xavier_normal): not bound to
# the address, since a bound widget writes its shown label there; the page seeds them from the link
# (link.check_link) and writes their codes back (link.write), so a link reads the same in every language.
NAMED = ("lang", "activation", "init", "gain", "mode", "distribution", "input", "dtype", "compare", "train", "widths",
         "task", "norm", "branch_scale", "arch", "padding")
TAB_NAMED = ("compare", "train", "task")  # of NAMED, the ones the tabs' widgets write (the sidebar writes the rest)
# The tabs' other settings, not bound either: a bound widget's parameter leaves the address while its tab is closed
# (?tab=theory&xi=true lost xi= on the Compare tab, so a link copied there lost it). Seeded from the link like NAMED,
# kept in the session, and written back by their tab (link.write_setting).
TAB_SETTINGS = ("log", "steps", "lr", "xi")
# The parameters whose widgets Streamlit binds to the address (bind=URL): the page writes the others itself (the tab,
# the step, the step beside, bn the older spelling of norm=batch, NAMED, TAB_SETTINGS), and Streamlit refuses a
# write of these while their widgets are on the page.
BOUND = tuple(name for name in PARAMS if name not in ("tab", "step", "from", "beside", "bn", *NAMED, *TAB_SETTINGS))
# The parameters that make up the network's Config (the rest choose what is shown and how).
CONTROLS = ("arch", "kernel", "image", "padding", "depth", "width", "widths", "activation", "slope", "norm",
            "residual", "branch_scale", "init", *SCHEME_NUMBERS, "gain", "mode", "distribution", "bias", "bias_std",
            "batch", "input", "input_scale", "seed", "dtype")
_CONFIG_NAME: dict[str, str] = {}  # URL name -> Config field, where they differ (norm: two fields, config_of)


MAX_NAMED = 5  # unknown parameters named in the notice; the rest are counted


@dataclass(frozen=True)
class Problem:
    """Something in a link that the page says: a value it could not use, or one it read in a way to check.

    kind "value": `raw` is not allowed, `default` is used: the value normalize fills in, which is the tour step's
    own where `kept` is (step,), the step the link names. "list": `raw` holds the items left out, `kept` the
    items used. "repeated": a one-value parameter came with the values `kept`; the last, `default`, is read.
    "digits": `raw` is a number written with other digits than 0-9; it is read as `default`. "case": `raw` is the
    choice `default` in other letter case (lang=ZH), read as it. "name_case": the parameter `name` written `raw`, in
    other letter case (Step=3), read as it (recased()). "unknown": the
    parameter names `kept` mean nothing here (name is ""); they are dropped from the address. "step": the link
    names the tour step `raw` but its own values, `kept` as (parameter, the link's value, the step's value),
    differ from that step's; the page shows the link's values, which are the step `default` or CUSTOM.
    "ignored": `raw` is a value this network does not use (a conv net's residual=true), left out for `default`;
    `kept` is (why, subject): the reason's key (why_ignored) and the code it names. "unused": `raw` is not allowed,
    for a control this network does not read anyway (std= under He init), `kept` as "ignored" has it. "bounds":
    trunc_normal's a (`raw`) is not below its b (`kept`, as the link writes each, or the value the page held); the
    pair `default`, torch's, is used. "conv_sizes": a conv net on sizes the link leaves to a dense step does not fit,
    so those take the sidebar switch's (switched_sizes); `kept` is given_up's (size, the step's, the one used).
    "inherited": a link of its own values (no tour step, or step=custom) names no init; `default`, the first
    step's, is used. "fitted": `raw` is past what the digits have, their 64 pixels as a profile's input width or
    their 1,797 images as the batch (`kept`: the reason's key); `default` is used.
    """

    name: str
    raw: str
    default: Any
    kept: tuple = ()
    kind: str = "value"
    # "step": the step's values the page leaves out because of the link's own, each as (parameter, the step's value,
    # why, subject): a control the link's values hide (the digits' 64 pixels leave no residual stream), with
    # why_ignored's reason and the code it names
    dropped: tuple = ()


def state_of(config: Config) -> dict[str, Any]:
    """Widget values showing a configuration."""
    state = {name: getattr(config, _CONFIG_NAME.get(name, name)) for name in CONTROLS
             if name not in ("gain", "branch_scale")}
    state["gain"] = "default" if config.gain is None else format_number(config.gain)
    state["branch_scale"] = branch_scale_text(config.branch_scale)
    # as the box holds it: equal hidden widths "" ("constant"), as normalize keeps them, and a digits input's first
    # entry its 64 pixels, which a conv net reads as their one channel (Config.units): "1-4" is no profile, and
    # "64-8-8-8" had made a link that refused its own width=8
    units = (DIGITS_PIXELS, *config.units[1:]) if config.input == "digits" else config.units
    state["widths"] = profiles.write(units) if config.widths else ""
    return state


def with_profile(state: Mapping[str, Any]) -> dict[str, Any]:
    """The state with depth and width as its width profile says (the depth, the input's width), as the sidebar
    keeps them; a profile of equal widths as "" (the depth and width say it), its one spelling."""
    units = profiles.read(state.get("widths", ""))
    if not units:
        return dict(state)
    return {**state, "depth": len(units) - 1, "width": units[0], "widths": profiles.write(units)}


@functools.cache  # the tour's constants: normalize and to_query ask for the defaults once per parameter
def _first_step_state() -> MappingProxyType:
    return MappingProxyType(state_of(step_config(FIRST)))


def defaults(tabs: Sequence[str] = ("activations",), language: str = FIRST_LANGUAGE) -> dict[str, Any]:
    """Every widget's default: the tour's first step, on the first tab, in `language`.

    language: the one a link without lang= opens in, the browser's (locale.browser_language); a link leaves
    lang= out exactly when it is that one, so opening the bare address changes nothing in it.
    """
    return {"step": FIRST, **_first_step_state(), "lang": language, "tab": tabs[0], "log": False,
            "compare": list(LECTURE_FIVE), "xi": False, "present": False, "steps": DEFAULT_STEPS, "lr": DEFAULT_LR,
            "train": list(LECTURE_RACE),  # the first step's race; a network with batch norm's: default_race
            "task": TASKS[0],  # the spiral
            "beside": "none", "from": "none", "bn": False}  # bn: never written (norm says it)


def default_race(state: Mapping[str, Any]) -> list[str]:
    """The Training tab's race for a state's network, core.train.lecture_schemes: the lecture's five, and for a
    network with batch norm (step 7) the one with batch norm after them. A link leaves it out, and the tab follows
    it from network to network while it is unchanged (views.tabs.training.follow_default_race)."""
    return list(lecture_schemes(state.get("norm") == "batch"))


def relevant(name: str, state: Mapping[str, Any]) -> bool:
    """Whether a control matters for the current choices (the sidebar hides the others): core's one table; the
    residual stream only for equal widths (no profile of unequal ones, no digits into layers wider than their 64
    pixels), and the branch scale only for a residual stream."""
    conv = state.get("arch") == "conv"
    if name in ("kernel", "padding"):
        return conv
    if name == "image":  # the digits are their own 8 x 8 pixels
        return conv and state.get("input") != "digits"
    if name == "branch_scale":
        return bool(state.get("residual")) and relevant("residual", state)
    if name == "residual" and conv:  # conv nets here are plain (core.config)
        return False
    if name == "residual":  # the skip adds vectors of one width: unequal widths have no stream, whether a profile's
        units = set(profiles.read(state.get("widths", "")))  # or the digits' 64 pixels into wider layers
        if state.get("input") == "digits":
            units |= {DIGITS_PIXELS, int(state.get("width", DIGITS_PIXELS))}
        return len(units) <= 1
    return matters(_CONFIG_NAME.get(name, name), state.get("init"), state.get("activation"))


def field_matters(field: str, state: Mapping[str, Any]) -> bool:
    """Whether a Config field changes the network the widget values `state` (state_of) describe: relevant() of
    each control that sets it; a field no control sets alone (batch_norm, layer_norm: the norm control) always does."""
    names = [name for name in CONTROLS if _CONFIG_NAME.get(name, name) == field]
    return not names or any(relevant(name, state) for name in names)


def format_number(value: float) -> str:
    """A number as the URL writes it: one spelling per value, the one a browser writes for a bound number widget
    (JavaScript's String(n), ECMAScript Number::toString), so the address never flips between two spellings of
    one number as the page and its widgets take turns writing it ("1", never "1.0"; "0.00001", never "1e-05").

    The shortest digits that read back as the same double (Python's repr finds them), written out in full from
    10⁻⁶ to below 10²¹ and as d.ddde±x outside that range.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    number = float(value)
    if number == 0:
        return "0"  # -0 too: String(-0) is "0"
    if number < 0:
        return "-" + format_number(-number)
    _, shortest, exponent = Decimal(repr(number)).normalize().as_tuple()  # repr: the shortest round-trip digits
    digits = "".join(map(str, shortest))
    point = len(digits) + exponent  # where the decimal point goes, counted from the first digit: 0.0125 -> "125", -1
    if len(digits) <= point <= 21:
        return digits + "0" * (point - len(digits))
    if 0 < point <= 21:
        return f"{digits[:point]}.{digits[point:]}"
    if -6 < point <= 0:
        return "0." + "0" * -point + digits
    power = point - 1
    return digits[0] + (f".{digits[1:]}" if len(digits) > 1 else "") + f"e{'+' if power >= 0 else '-'}{abs(power)}"


class Spelled(float):
    """A number that prints as the link writes it (format_number). Streamlit writes the value the page gives a bound
    number widget (a tour step's std = 1.0) into the address as str(value), "std=1.0", where the browser writes a
    value typed into it as JavaScript's String(n), "std=1": the page gives its numbers as these, so both write one."""

    __slots__ = ()

    def __str__(self) -> str:
        return format_number(float(self))


def spelled(name: str, value: Any) -> Any:
    """A widget value as the page sets it: a float parameter's number as Spelled, anything else as it is."""
    if name in PARAMS and PARAMS[name].kind == "float" and isinstance(value, float):
        return Spelled(value)
    return value


def list_items(raw: str | list[str], choices: Sequence[str]) -> tuple[list[str], list[str]]:
    """A list parameter's allowed items (repeats dropped, order kept) and the items that are not allowed.

    Empty values are no items: Streamlit writes a cleared list as `?compare=`, which reads as [].
    """
    # a "+" typed into an address arrives as a space ("normal_0.01+bn"); the app itself writes %2B
    items = [item.strip().replace(" ", "+") for item in ([raw] if isinstance(raw, str) else list(raw))]
    items = [item for item in items if item]
    good = list(dict.fromkeys(item for item in items if item in choices))
    bad = list(dict.fromkeys(item for item in items if item not in choices))
    return good, bad


def ascii_number(text: str) -> str:
    """Number text with its digits as 0-9: any Unicode decimal digit (Arabic-Indic ٣, full-width １, 𝟗) becomes
    the digit it is, and the full-width forms of + - . e E (a Chinese input method's) their ASCII characters;
    anything else stays.

    Only decimal digits (Unicode category Nd): superscripts and circled numbers are not digits of a number, nor a
    superscript e or plus, or a dot leader, among the signs (NFKC folds them too: std=1ᵉ-2 had read as 0.01).
    """
    out = []
    for char in text:
        digit = unicodedata.decimal(char, None) if not char.isascii() else None
        wide = unicodedata.decomposition(char).startswith("<wide>")
        folded = unicodedata.normalize("NFKC", char) if wide else char
        out.append(str(digit) if digit is not None else folded if folded in ("+", "-", ".", "e", "E") else char)
    return "".join(out)


# Marks that other conventions write in numbers and the link does not read (it reads 0-9, in any script's digits, and
# . + - e), each (its name in the catalogue, mark_<name>; a decimal point elsewhere; a thousands separator elsewhere):
# a decimal comma, the Arabic decimal separator, the ideographic full stop a Chinese input method types for a point,
# and marks that group thousands. A refusal names them and what the number could have meant (readings).
MARKS = {",": ("comma", True, True), "\u066b": ("arabic_decimal", True, False),  # ٫
         "\u3002": ("ideographic_full_stop", True, False), "\uff0c": ("full_width_comma", True, True),  # 。 ，
         "\uff61": ("halfwidth_full_stop", True, False), "_": ("underscore", False, True),  # ｡
         "'": ("apostrophe", False, True), "\u2019": ("right_quote", False, True),  # ’
         "\u066c": ("arabic_thousands", False, True), " ": ("space", False, True),  # ٬
         "\u00a0": ("no_break_space", False, True), "\u202f": ("narrow_no_break_space", False, True)}
DECIMAL_MARKS = "".join(mark for mark, (_, point, _) in MARKS.items() if point)
GROUP_MARKS = "".join(mark for mark, (_, _, group) in MARKS.items() if group)
NUMBER_KINDS = ("int", "odd", "float", "gain", "branch_scale")


def readings(name: str, raw: str, tabs: Sequence[str]) -> tuple[list[str], list[Any]]:
    """A refused number's marks the link does not read (DECIMAL_MARKS, GROUP_MARKS), in order, and the allowed values
    the text could mean: its one decimal mark read as the point ("0,5": 0.5), its marks grouping thousands dropped
    ("1,000": 1000; "1,000" for a width can be either), or its spaces read as the + a query string turns into spaces
    ("1e 1" from std=1e+1: 10). ([], []) for text without such marks or another kind."""
    param, text = _param(name, tabs), ascii_number(raw.strip())
    marks = [char for char in dict.fromkeys(text) if char in MARKS]
    # a number but for its marks ("abc,def" is no number with a comma)
    if param.kind not in NUMBER_KINDS or not marks or \
            not re.fullmatch(r"[0-9+\-.eE]+", "".join(char for char in text if char not in MARKS)):
        return [], []
    texts = []
    if len(marks) == 1 and marks[0] in DECIMAL_MARKS and text.count(marks[0]) == 1 and "." not in text:
        texts.append(text.replace(marks[0], "."))
    if marks == [" "]:  # a link's + arrives as a space (a query string's encoding): std=1e+1 reads "1e 1"
        texts.append(text.replace(" ", "+"))
    if len(marks) == 1 and marks[0] in GROUP_MARKS and \
            re.fullmatch(rf"[+-]?[1-9]\d{{0,2}}(?:{re.escape(marks[0])}\d{{3}})+(?:\.\d*)?(?:[eE][+-]?\d+)?", text):
        texts.append(text.replace(marks[0], ""))
    values = []
    for reading in texts:
        try:
            value = parse(name, reading, param)
        except ValueError:
            continue
        if value not in values:
            values.append(value)
    return marks, values


def case_of(name: str, text: str, param: Param | None = None) -> str:
    """The one choice `text` is in other letter case (lang=ZH: zh, init=He_Normal: he_normal), or in other digits
    (step=３: 3); ValueError if none. ASCII letters only: casefold() also takes look-alikes (the long s ſ for s, the
    Kelvin sign for K), which the page does not read as letters."""
    p = param or PARAMS[name]
    text = ascii_number(text) if text.isdecimal() else text
    matches = [choice for choice in p.choices if choice.lower() == text.lower()] if text.isascii() else []
    if len(matches) != 1:
        raise ValueError(name)
    return matches[0]


def parse(name: str, raw: str | list[str], param: Param | None = None) -> Any:
    """The widget value a URL text asks for; ValueError when it is not allowed (a list: when any item is not)."""
    p = param or PARAMS[name]
    if p.kind == "list":
        good, bad = list_items(raw, p.choices)
        if bad:
            raise ValueError(name)
        return good
    text = (raw[-1] if isinstance(raw, list) and raw else raw if isinstance(raw, str) else "").strip()
    if p.kind == "choice":
        if text not in p.choices:
            return case_of(name, text, p)  # lang=ZH is zh (and read() says so); ValueError for anything else
        return text
    if p.kind == "bool":
        word = ascii_number(text) if text.isdecimal() else text.lower()  # "１" from a Chinese input method is 1
        for value, words in BOOL_WORDS.items():
            if word in words:
                return value
        raise ValueError(name)
    text = ascii_number(text)
    if p.kind == "widths":
        # ValueError for anything but a profile; equal widths are kept for with_profile to read the depth from
        return profiles.SEPARATOR.join(map(str, profiles.read(text)))
    if p.kind == "branch_scale":
        return parse_branch_scale(text)
    if p.kind == "gain":
        gain = parse_gain(text)  # ValueError for anything but a word or a number in range
        return gain if isinstance(gain, str) else format_number(gain)  # "1.50" and "1.5" are one gain, one link
    number = plain_number(text)  # ValueError for text that is not a number, or "1_000" (float() reads it)
    if not (math.isfinite(number) and p.low <= number <= p.high):
        raise ValueError(name)
    if p.kind in ("int", "odd"):
        # whole as written, not only as float() rounds it: 2.9999999999999999 is the float 3.0
        if Decimal(text) != int(number) or (p.kind == "odd" and int(number) % 2 == 0):
            raise ValueError(name)
        return int(number)
    return number


def tab_of(label: str | None, tabs: Sequence[str], languages: Sequence[str] = LANGUAGES) -> str | None:
    """The code of the tab whose label, in one of `languages`, is `label` (a tab's state is its label), or None."""
    return next((code for lang in languages for code in tabs if t(lang, f"tab_{code}") == label), None)


def _param(name: str, tabs: Sequence[str]) -> Param:
    return Param("choice", tuple(tabs)) if name == "tab" else PARAMS[name]


def read(query: Mapping[str, str | list[str]], tabs: Sequence[str],
         language: str = FIRST_LANGUAGE) -> tuple[dict[str, Any], list[Problem]]:
    """The valid values of known parameters in a query, and a Problem for each thing the page says about it.

    A list keeps its allowed items and names the others; a list with no allowed item at all falls back to
    its default, like any other bad value. A one-value parameter given more than once is read from its last
    value; a number written with other digits is read as the number, and a choice in other letter case as the
    choice (each reported). Unknown names are
    reported together in one Problem and left out of the values.
    """
    values, problems = {}, []
    default = defaults(tabs, language)
    unknown = tuple(name for name in query if name not in PARAMS)
    if unknown:
        problems.append(Problem("", "", None, kept=unknown, kind="unknown"))
    for name in PARAMS:
        if name not in query:
            continue
        raw = query[name]
        if PARAMS[name].kind == "list":
            good, bad = list_items(raw, PARAMS[name].choices)
            if good or not bad:
                values[name] = good
            if bad:
                problems.append(Problem(name, ", ".join(bad), default[name], kept=tuple(good),
                                        kind="list" if good else "value"))
            continue
        if isinstance(raw, list) and len(raw) > 1:
            problems.append(Problem(name, ", ".join(raw), raw[-1], kept=tuple(raw), kind="repeated"))
        text = raw[-1] if isinstance(raw, list) and raw else raw if isinstance(raw, str) else ""
        try:
            values[name] = parse(name, text, _param(name, tabs))
        except ValueError:
            problems.append(Problem(name, text, default[name]))
            continue
        kind = _param(name, tabs).kind
        # a switch's 1 or 0, or a step's number, written with other digits
        numeric = kind in (*NUMBER_KINDS, "widths") or (kind in ("bool", "choice") and text.strip().isdecimal())
        if numeric and ascii_number(text) != text:
            problems.append(Problem(name, text, values[name], kind="digits"))
        elif kind == "choice" and values[name] != text.strip():  # lang=ZH, read as zh
            problems.append(Problem(name, text, values[name], kind="case"))
    return values, problems


def messages(problems: Sequence[Problem], lang: str, tabs: Sequence[str]) -> list[str]:
    """The page's sentence for each Problem, in `lang`; whatever came from the link goes through user_text."""
    said = []
    for p in problems:
        if p.kind == "unknown":
            names = [user_text(lang, name) for name in p.kept[:MAX_NAMED]]
            if len(p.kept) > MAX_NAMED:
                names.append(t(lang, "url_more", count=len(p.kept) - MAX_NAMED))
            said.append(t(lang, "url_unknown", names=join(lang, names)))
        elif p.kind == "repeated":
            said.append(t(lang, "url_repeated", name=p.name, count=len(p.kept), raw=user_text(lang, p.raw),
                          used=user_text(lang, p.default)))
        elif p.kind == "step":
            changes = [t(lang, "url_step_change", name=name, value=shown_value(own, lang, name),
                                step_value=shown_value(lesson, lang, name))
                       for name, own, lesson in p.kept]
            drops = [t(lang, "url_step_drop", name=name, step_value=shown_value(lesson, lang, name),
                       why=why_text(lang, why, subject)) for name, lesson, why, subject in p.dropped]
            dropped = t(lang, "url_step_dropped", drops=join(lang, drops, "clause")) if drops else ""
            title = t(lang, f"step_{p.raw}")
            if p.default == CUSTOM:
                said.append(t(lang, "url_step", n=p.raw, title=title, changes=join(lang, changes), dropped=dropped))
            else:
                said.append(t(lang, "url_step_other", n=p.raw, title=title, changes=join(lang, changes),
                              other=p.default, other_title=t(lang, f"step_{p.default}"), dropped=dropped))
        elif p.kind == "unused":
            said.append(t(lang, "url_problem_unused", name=p.name, raw=user_text(lang, p.raw),
                          allowed=refused_text(lang, p.name, p.raw, tabs), why=why_text(lang, *p.kept)))
        elif p.kind == "inherited":
            said.append(t(lang, "url_inherited", init=shown_value(p.default, lang, "init"), control=t(lang, "init"),
                          section=t(lang, "initialization")))
        elif p.kind == "ignored":
            said.append(t(lang, "url_ignored", name=p.name, raw=user_text(lang, p.raw), why=why_text(lang, *p.kept),
                          used=shown_value(p.default, lang, p.name)))
        elif p.kind == "bounds":
            said.append(t(lang, "url_bounds", a=user_text(lang, p.raw), b=user_text(lang, p.kept[0]),
                          low=shown_value(p.default[0]), high=shown_value(p.default[1])))
        elif p.kind == "fitted":
            used = written(p.default) if isinstance(p.default, int) else p.default  # 1,797; 64-512-256-128
            # a conv net's channels: the profile's first entry read as the digits' one channel (Config.units)
            channels = profiles.write((1, *profiles.read(p.default)[1:])) if p.kept[0] == "digits_channel" else ""
            said.append(t(lang, "url_fitted", name=p.name, raw=user_text(lang, p.raw), used=used,
                          why=t(lang, f"url_fitted_{p.kept[0]}", pixels=DIGITS_PIXELS, images=DIGITS_IMAGES,
                                side=DIGITS_SIDE, channels=channels)))
        elif p.kind == "conv_sizes":  # the sizes named as the link's other notices name them, **width** = 500
            was = [t(lang, "url_size", name=name, value=shown_value(old, lang, name)) for name, old, _ in p.kept]
            now = [t(lang, "url_size", name=name, value=shown_value(new, lang, name))
                   for name, new in (("width" if name == "widths" else name, new) for name, _, new in p.kept)]
            said.append(t(lang, "url_conv_sizes", was=join(lang, was), now=join(lang, now), step=p.default))
        elif p.kind == "name_case":
            said.append(t(lang, "url_name_case", name=p.name, raw=user_text(lang, p.raw)))
        elif p.kind == "case":  # the code to write, beside its name: "read as ReLU" had repeated the link's ReLU
            shown = shown_value(p.default, lang, p.name)
            used = t(lang, "url_case_code" if shown == p.default else "url_case_named", code=p.default, shown=shown)
            said.append(t(lang, "url_case", name=p.name, raw=user_text(lang, p.raw), used=used))
        elif p.kind == "digits":
            said.append(t(lang, "url_digits", name=p.name, raw=user_text(lang, p.raw), used=shown_value(p.default)))
        elif p.kind == "list":
            said.append(t(lang, "url_list_problem", name=p.name, raw=user_text(lang, p.raw),
                          kept=join(lang, list(p.kept)), choices=join(lang, list(PARAMS[p.name].choices))))
        else:
            # a number refused for its marks is told the default in the link's spelling too: not "1,000"
            plain = readings(p.name, p.raw, tabs)[0] and isinstance(p.default, (int, float)) and \
                not isinstance(p.default, bool)
            default = shown_value(p.default) if plain else shown_value(p.default, lang, p.name)
            key = "url_problem_from" if p.name == "from" else "url_problem_step" if p.kept else "url_problem"
            said.append(t(lang, key, name=p.name,
                          raw=user_text(lang, p.raw), default=default,
                          allowed=refused_text(lang, p.name, p.raw, tabs), n=p.kept[0] if p.kept else ""))
    return said


# why_ignored's reasons that name a setting's value, and the setting: named as its control shows it ("He normal")
WHY_SUBJECT = {"own_biases": "init", "init": "init", "activation": "activation"}  # "profile": the widths as written


def why_text(lang: str, why: str, subject: str) -> str:
    """A why_ignored reason in `lang`, its subject named as its control shows it (bn's names a link's norm=)."""
    if why in WHY_SUBJECT:
        subject = option_name(lang, WHY_SUBJECT[why], subject)
    return t(lang, f"url_ignored_{why}", subject=subject)


def shown_value(value: Any, lang: str | None = None, name: str = "") -> str:
    """A value as a message names it: in `lang`, the value of the setting `name` as its control shows it
    (options.option_name: "He normal", not he_normal; a gain's number as number_writing.format_gain writes it, 5/3,
    not in 17 digits); without, as the URL writes it (a list as its items)."""
    if lang and name == "gain":
        try:
            return format_gain(plain_number(str(value)))
        except ValueError:  # a gain's word: "default", "recommended"
            pass
    if lang and name:
        return option_name(lang, name, value)
    if isinstance(value, list):
        return ", ".join(value)
    return format_number(value) if isinstance(value, (bool, int, float)) else str(value)


def allowed_text(lang: str, name: str, tabs: Sequence[str], grouped: bool = True) -> str:
    """What a parameter allows, in a sentence: its range or its choices; a range's numbers with their thousands
    grouped ("4,294,967,295"), or as a link writes them (grouped=False)."""
    p = _param(name, tabs)
    if p.kind in NUMBER_KINDS:
        number = written if grouped else format_number
        return t(lang, f"allowed_{p.kind}", low=number(p.low), high=number(p.high))
    if p.kind == "bool":
        on, off = (join(lang, list(BOOL_WORDS[value]), "or") for value in (True, False))
        return t(lang, "allowed_bool", on=on, off=off)
    if p.kind == "widths":
        return t(lang, "allowed_widths", low=written(p.low), high=written(p.high), separator=profiles.SEPARATOR,
                 fewest=profiles.ENTRIES[0], most=profiles.ENTRIES[1])
    return t(lang, f"allowed_{p.kind}", choices=join(lang, list(p.choices), "or"))  # one of a, b or c


def refused_text(lang: str, name: str, raw: str, tabs: Sequence[str]) -> str:
    """What a parameter allows (allowed_text), and why `raw` is not it where its range does not say: a number in range
    that float64 reads as 0 (rounds_to_zero), or marks the link does not read and what they may have meant (readings).
    """
    if rounds_to_zero(ascii_number(raw)):  # 0 as read: 1e-400 for std, which 0 is not
        p = _param(name, tabs)
        zero = p.kind in NUMBER_KINDS and p.low <= 0 <= p.high  # a link meaning 0 writes 0 only where 0 is allowed
        return t(lang, "allowed_not_zero_write" if zero else "allowed_not_zero", allowed=allowed_text(lang, name, tabs))
    marks, meant = marks_words(lang, name, raw, tabs, linked=True)
    if not marks:
        return allowed_text(lang, name, tabs)
    # the range without the marks it says a number is written without: "2 to 2048", not "2 to 2,048"
    return t(lang, "allowed_marks_meant" if meant else "allowed_marks",
             allowed=allowed_text(lang, name, tabs, grouped=False), marks=marks, meant=meant)


def marks_words(lang: str, name: str, raw: str, tabs: Sequence[str], linked: bool) -> tuple[str, str]:
    """readings in words: the marks by their names (mark_comma: "a comma `,`", whose glyph alone is hard to see), and
    the values meant as a link writes them ("`width=1000`", linked) or as they are typed ("`1.5`"), each joined with
    "or"; empty strings where there are none."""
    marks, meant = readings(name, raw, tabs)
    texts = [value if isinstance(value, str) else format_number(value) for value in meant]  # "1000", not "1,000"
    return (join(lang, [t(lang, f"mark_{MARKS[mark][0]}") for mark in marks], "or"),
            join(lang, [f"`{name}={text}`" if linked else f"`{text}`" for text in texts], "or"))


def recased(query: Mapping[str, str | list[str]]) -> tuple[dict[str, str | list[str]], list[Problem]]:
    """The query with a parameter's name written in other ASCII letter case (?Step=3, ?LANG=zh: a phone's keyboard
    capitalizes) read as the parameter, and a Problem of kind "name_case" for each. A parameter written in two
    spellings (?step=2&Step=3) is that parameter repeated, its values in the link's order: the last is read, as for
    any parameter given twice (read())."""
    lower = {name.lower(): name for name in PARAMS}
    out: dict[str, str | list[str]] = {}
    renamed = []
    for name, value in query.items():
        meant = lower.get(name.lower()) if name.isascii() and name not in PARAMS else None
        if meant is not None:
            renamed.append(Problem(meant, name, meant, kind="name_case"))
        key = meant or name
        if key in out:
            out[key] = [*_values(out[key]), *_values(value)]
        else:
            out[key] = value
    return out, renamed


def _values(value: str | list[str]) -> list[str]:
    """A parameter's values as a list: one value as Streamlit reads it (a str), or several."""
    return [value] if isinstance(value, str) else list(value)


def normalize(query: Mapping[str, str | list[str]], tabs: Sequence[str],
              language: str = FIRST_LANGUAGE) -> tuple[dict[str, Any], list[Problem]]:
    """The full widget state a link asks for, and what in it could not be used.

    A tour step fills in every control the link leaves out; the state's step is then the one its controls
    show (step_of), as on every run of the page, so what the page says always matches what it draws.
    language: the page's language when the link has no lang= (defaults()). A value not allowed falls back to what
    the page then holds, the step's own where the step sets it (fallback()).

    A link that names a step and also sets a value unlike that step's (`?step=3&std=0.5`) is read as its own
    values, with a notice (a Problem of kind "step"): whoever wrote std=0.5 into the link did so on purpose,
    to show that network, and dropping it would show a page the link did not ask for without a word. The
    notice says which of the link's own values differ from the step's (not what follows from them) and that the
    step itself is one click away in the tour; the step named stays the tour's place, so ◀ ▶ go on from it
    (views/link.py, tour.nearest_step).
    """
    query, renamed = recased(query)
    present, problems = read(query, tabs, language)
    problems = [*renamed, *problems]
    if present.pop("bn", False):  # an older link's bn=true: norm=batch, unless norm= says otherwise
        if present.setdefault("norm", "batch") != "batch":
            problems.append(Problem("bn", "true", present["norm"], kept=("bn", present["norm"]), kind="ignored"))
    state = defaults(tabs, language)
    step = present.get("step", FIRST)
    if step != CUSTOM:
        state.update(state_of(step_config(step)))
    state.update(present)
    state = with_profile(state)  # a link's widths= say its depth and width
    for name in ("depth", "width"):
        if name in present and present[name] != state[name]:
            # the widths as the link writes them: equal ones ("10-10") are kept as "", which the box calls "constant"
            problems.append(ignored(query, name, present[name], state[name], ("profile", present["widths"])))
    if state["arch"] == "conv" and state["norm"] not in CONV_NORMS:  # conv nets: no layer norm (core.config)
        problems.append(ignored(query, "norm", state["norm"], CONV_NORMS[0], ("conv_plain", "")))
        state["norm"] = CONV_NORMS[0]
    for name in CONTROLS:  # a hidden control keeps its default, so the URL and the cache stay canonical
        if not relevant(name, state):
            default = defaults(tabs, language)[name]
            if name in present and present[name] != default:  # the link set it: the page says it is left out
                problems.append(ignored(query, name, present[name], default, why_ignored(name, state)))
            state[name] = default
    base = defaults(tabs, language)
    for fit in (_swapped_bounds, _digits_limits, _conv_sizes):  # a link's values the page fits, each said
        state, said = fit(query, present, state, base)
        problems += said
    if "train" not in present:
        state["train"] = default_race(state)
    state["step"] = step_of(state)
    problems = [fallback(p, state, step if "step" in present else CUSTOM) for p in problems]
    if "step" in present and step != CUSTOM and state["step"] != step:
        # what the link set, as the page holds it (not a depth its widths= override); a profile as written, its
        # equal widths respelled as depth and width (with_profile), and widths= of "" one spelling of no profile
        linked = {name for name in present if name in CONTROLS and (
            bool(present[name]) and relevant(name, state) if name == "widths" else present[name] == state[name])}
        told = {p.name for p in problems if p.kind == "ignored"} | {  # said by their own notices
            name for p in problems if p.kind == "conv_sizes" for name, _, _ in p.kept}
        changes, dropped = step_changes(state, step, linked, told)
        problems.append(Problem("step", step, state["step"], kept=changes, kind="step", dropped=dropped))
    named = any(p.kind == "step" for p in problems)
    if state["step"] == CUSTOM and named:
        state["from"] = step  # the step named: the address written back says it
    if state["step"] != CUSTOM or named:  # from= is Custom's: no word on it where a step's page is shown, or where
        problems = [p for p in problems if p.name != "from"]  # the step named stands in for it
    if state["step"] != CUSTOM:
        state["from"] = "none"
    return state, problems


def inherited(query: Mapping[str, str | list[str]], state: Mapping[str, Any]) -> list[Problem]:
    """A note for a link of its own values that names no init scheme (no tour step, or step=custom): the page takes the
    first step's, whose all-zero weights would otherwise look like a broken page (`?width=8`); [] for any other link.
    Not one of normalize's problems: the link is complete as it is, and needs no rewriting. The link's names are read
    as normalize reads them (recased: ?Init=he_normal names one)."""
    query = recased(query)[0]
    step = query.get("step", CUSTOM)
    if "init" in query or state["step"] != CUSTOM or (isinstance(step, str) and step in STEPS):
        return []
    return [Problem("init", "", state["init"], kind="inherited")]


def _swapped_bounds(query, present, state, default) -> tuple[dict[str, Any], list[Problem]]:
    """trunc_normal's bounds from a link, each in range but a not below b: the pair refused whole, for torch's
    (config_of's rule for the boxes)."""
    if not (relevant("trunc_a", state) and state["trunc_a"] >= state["trunc_b"] and {"trunc_a", "trunc_b"} & set(
            present)):
        return state, []
    a, b = (link_text(query, name, state[name]) for name in ("trunc_a", "trunc_b"))
    torch = (default["trunc_a"], default["trunc_b"])
    return {**state, "trunc_a": torch[0], "trunc_b": torch[1]}, [Problem("trunc_a", a, torch, kept=(b,), kind="bounds")]


def _digits_limits(query, present, state, default) -> tuple[dict[str, Any], list[Problem]]:
    """A digits input's limits (_fit_digits) where a link asks past them: a profile's input width of 64 pixels (a
    conv net reads that entry as the digits' one channel: Config.units, and the notice says so), a batch of at most
    the 1,797 images."""
    if state["input"] != "digits":
        return state, []
    said = []
    units = profiles.read(state["widths"])
    conv = state["arch"] == "conv"  # ?arch=conv&input=digits&widths=3-4 had been said to use 64-4, and drew 1-4
    if units and units[0] != DIGITS_PIXELS:
        fitted = profiles.write((DIGITS_PIXELS, *units[1:]))
        said.append(Problem("widths", link_text(query, "widths", state["widths"]), fitted,
                            kept=("digits_channel" if conv else "digits_pixels",), kind="fitted"))
        state = with_profile({**state, "widths": fitted})
    if state["batch"] > DIGITS_IMAGES:
        said.append(Problem("batch", link_text(query, "batch", state["batch"]), DIGITS_IMAGES,
                            kept=("digits_images",), kind="fitted"))
        state = {**state, "batch": DIGITS_IMAGES}
    return state, said


def _conv_sizes(query, present, state, default) -> tuple[dict[str, Any], list[Problem]]:
    """A conv net on sizes the link leaves to a dense step (?arch=conv: 500 channels at batch 1,000, 17 GB) takes,
    for those, the sizes the sidebar's switch to conv would give it (switched_sizes), where that makes it fit; the
    link's own sizes are kept as they are (too large, the page's refusal names what fits)."""
    profile = "widths" in present  # it sets the depth and the width
    unset = [name for name in SIZES if name not in present and not (profile and name in ("depth", "width"))]
    if state["arch"] != "conv" or not unset or fits(state):
        return state, []
    sizes = switched_sizes({**state, "arch": "dense"}, "conv")
    fitted = {**state, **{name: sizes[name] for name in unset}}
    lost = tuple(item for item in given_up(state, sizes) if item[0] in unset)
    if not lost or not fits(fitted):
        return state, []
    return fitted, [Problem("arch", "conv", CONV_STEP, kept=lost, kind="conv_sizes")]


def fallback(problem: Problem, state: Mapping[str, Any], step: str) -> Problem:
    """A refused value's Problem naming what the page uses instead: the state's value, filled in by the step the link
    names (step: CUSTOM for none) where the control matters, else the default (the network's race, the tab ...);
    for a control this network does not read (the sidebar hides it), kind "unused" with why_ignored's reason.
    A refused step= itself names the first step, which fills in the rest."""
    if problem.kind != "value" or problem.name == "step":
        return problem
    if problem.name in CONTROLS and not relevant(problem.name, state):  # no value of it changes this network
        return replace(problem, default=state[problem.name], kept=why_ignored(problem.name, state), kind="unused")
    own = step != CUSTOM and problem.name in CONTROLS
    return replace(problem, default=state[problem.name], kept=(step,) if own else ())


def link_text(query: Mapping[str, str | list[str]], name: str, value: Any) -> str:
    """A value as the link writes it (the last of a repeated parameter), or as the page holds it where the link
    has none."""
    raw = query.get(name, "")
    return (raw[-1] if isinstance(raw, list) and raw else raw) if name in query else shown_value(value)


def ignored(query: Mapping[str, str | list[str]], name: str, value: Any, default: Any,
            why: tuple[str, str]) -> Problem:
    """The Problem of a link's value that this network does not use: the link's own text, the value used instead."""
    return Problem(name, link_text(query, name, value), default, kept=why, kind="ignored")


def why_ignored(name: str, state: Mapping[str, Any]) -> tuple[str, str]:
    """Why a control does not matter for the state (relevant() is False): a `url_ignored_<why>` message's key and
    the code it names (the init, the activation, or "")."""
    conv = state.get("arch") == "conv"
    if name in ("kernel", "padding") or (name == "image" and not conv):
        return "dense", ""
    if name == "image":
        return "digits_image", ""
    if name in ("residual", "branch_scale") and conv:
        return "conv_plain", ""
    if name == "residual":
        return "unequal", ""
    if name == "branch_scale":
        return "no_residual", ""
    if name in BIAS_FIELDS:
        return "own_biases", str(state.get("init"))
    if any(name in names for names in ACTIVATION_FIELDS.values()):
        return "activation", str(state.get("activation"))
    return "init", str(state.get("init"))


def step_of(state: Mapping[str, Any]) -> str:
    """The tour step the controls show (tour.step_of: the seed aside), or CUSTOM."""
    return step_of_config(config_of(state)[0])


# The Config fields a control's value sets: its own, and the norm's two switches, a profile's depth and input width
CONTROL_FIELDS = {name: (_CONFIG_NAME.get(name, name),) for name in CONTROLS} | {
    "norm": ("batch_norm", "layer_norm"), "widths": ("widths", "depth", "width")}


def step_changes(state: Mapping[str, Any], step: str, linked: Collection[str], told: Collection[str] = ()) -> tuple[
        tuple[tuple[str, Any, Any], ...], tuple[tuple[str, Any, str, str], ...]]:
    """What the page's network has otherwise than the step, the seed aside: (parameter, the state's value, the step's
    value) for every control in `linked` that leaves the step, and Problem.dropped's (parameter, the step's value, why,
    subject) for every other Config field that leaves it, by the control that sets it (CONTROL_FIELDS).

    linked: the controls a link set to the values the page uses (normalize); told: those the link set that have
    their own notice. A field no link value sets differs because of them: a control they hide (the digits' 64 pixels
    leave the layers unequal, and so no residual stream) is dropped, with why_ignored's reason; a widths= of its own
    sets the depth and width, and a digits input its first layer's 64 pixels, which are no Config field.

    Widths are compared as the layers' units: a link's profile of equal widths (100-100-100) is written out, both
    its own and the step's, where its one spelling ("": depth and width say it) would read as the step's."""
    config = config_of(state)[0]
    lesson_config = step_config(step, config.seed)
    own, lesson = state_of(config), state_of(lesson_config)
    if config.units != lesson_config.units and own["widths"] == lesson["widths"]:
        own["widths"], lesson["widths"] = (profiles.SEPARATOR.join(map(str, c.units)) for c in (config, lesson_config))
    changes = [name for name in CONTROLS if name in linked and own[name] != lesson[name]]
    said = {field for name in [*linked, *told] for field in CONTROL_FIELDS[name]}
    dropped = []
    for field in (f.name for f in fields(Config)):
        if field in said or field == "seed" or getattr(config, field) == getattr(lesson_config, field):
            continue
        name = next(name for name in CONTROLS if field in CONTROL_FIELDS[name])  # its own control first
        if relevant(name, state):  # the page shows it otherwise, though the link does not set it: named as a change
            changes.append(name)
        elif name not in {left for left, *_ in dropped}:  # norm: batch_norm and layer_norm, said once
            dropped.append((name, lesson[name], *why_ignored(name, state)))
    return (tuple((name, own[name], lesson[name]) for name in CONTROLS if name in changes), tuple(dropped))


def control_name(lang: str, name: str) -> str:
    """A control's label without its bracketed gloss, as a sentence names it: "Depth", not "Depth (hidden layers)"."""
    return re.sub(r"\s*[(（][^()（）]*[)）]$", "", t(lang, name))


def changed_from(config: Config, step: str, lang: str) -> str | None:
    """The line under Custom's title: the tour step the page left (the last it showed, or the one its link named) and
    each setting the network has otherwise that the sidebar shows, with the step's own where the step uses that
    control ("Activation tanh instead of ReLU"), in the sidebar's order, at most MAX_NAMED, then how many more; then
    the step's settings the controls now hide, each with why (step_changes' dropped: "the step's Residual stream, on,
    is left out, as a residual stream adds vectors of one width ..."). A profile of unequal widths is said by the
    profile, not by the depth and width it sets; equal widths by the depth or width. A setting the step does not use
    is given alone ("Weight std σ 0.5", beside "Scheme N(0, σ²) instead of He normal"). None where no shown setting
    differs."""
    state, lesson = state_of(config), state_of(step_config(step, config.seed))
    changes, dropped = step_changes(state, step, [name for name in CONTROLS if relevant(name, state)])
    profile = bool(state["widths"])
    said = []
    for name, own, theirs in changes:
        if (name == "widths") != profile and name in ("widths", "depth", "width"):  # one way to say the layers
            continue
        words = dict(name=control_name(lang, name), value=shown_value(own, lang, name))
        said.append(t(lang, "custom_change", step_value=shown_value(theirs, lang, name), **words)
                    if relevant(name, lesson) else t(lang, "custom_change_new", **words))
    if not said:
        return None
    if len(said) > MAX_NAMED:
        said = [*said[:MAX_NAMED], t(lang, "url_more", count=len(said) - MAX_NAMED)]
    drops = [t(lang, "custom_drop", name=control_name(lang, name), step_value=shown_value(theirs, lang, name),
               why=why_text(lang, why, subject)) for name, theirs, why, subject in dropped]
    return t(lang, "custom_from", n=step, title=t(lang, f"step_{step}"), changes=join(lang, said, "clause"),
             dropped=t(lang, "custom_dropped", drops=join(lang, drops, "clause")) if drops else "")


def is_canonical(query: Mapping[str, str | list[str]], state: Mapping[str, Any], tabs: Sequence[str],
                 language: str = FIRST_LANGUAGE) -> bool:
    """Whether a query already is the state's one link, to_query(state), letter for letter.

    The reader takes any spelling of a number ("1.0", "1e-05", "１"), the writer one (format_number): a link
    in another spelling is read, then rewritten, so one view has one link to share and to compare.
    """
    written = to_query(state, tabs, language)
    known = {name: _values(value) for name, value in query.items() if name in PARAMS}
    return known == {name: _values(value) for name, value in written.items()}


def query_value(name: str, state: Mapping[str, Any], tabs: Sequence[str],
                language: str = FIRST_LANGUAGE) -> str | list[str] | None:
    """How the link writes one parameter of a state: None (left out) when it is its default or a control that
    does not matter here; a list as its items, an empty list as "" (`?compare=`: a list of no items would leave
    the parameter out, and the default would return); a number or bool as format_number writes it. A gain or branch
    scale typed into its box is written in its one spelling, and left out where it is none."""
    default = {**defaults(tabs, language), "train": default_race(state)}  # the race: the network's own
    value = state.get(name, default[name])
    if PARAMS[name].kind in ("gain", "branch_scale"):  # a box one types into
        try:
            value = parse(name, str(value))  # as typed ("01", "1.50"), its one spelling
        except ValueError:
            return None  # the network uses the default (the page says so beside the box), and so does the link
    if value == default[name] or (name in CONTROLS and not relevant(name, state)) or (
            name == "from" and state.get("step") != CUSTOM):  # a step's page is its own
        return None
    if isinstance(value, list):
        return [str(v) for v in value] if value else ""
    if isinstance(value, (bool, int, float)):
        return format_number(value)
    return str(value)


def to_query(state: Mapping[str, Any], tabs: Sequence[str],
             language: str = FIRST_LANGUAGE) -> dict[str, str | list[str]]:
    """The query that reproduces a state: each parameter query_value writes, as st.query_params.from_dict takes it."""
    written = {name: query_value(name, state, tabs, language) for name in PARAMS}
    return {name: value for name, value in written.items() if value is not None}


def resolve_gain(state: Mapping[str, Any]) -> tuple[float | None, str | None]:
    """Config.gain for the gain widget's text, and a note when the text could not be used as asked.

    Notes: "unknown" (not a word or number in range; the default is used), and core.initializers.resolve_gain's
    "none" (torch recommends no gain for this activation; the default is used) and "selu" (calculate_gain's
    3/4, where self-normalizing networks use the linear gain 1); the command line reads the same function.
    """
    init, activation = state.get("init"), state.get("activation", "tanh")
    if not matters("gain", init, activation):
        return None, None
    try:
        gain = parse_gain(ascii_number(str(state.get("gain", "default"))))  # "１．５" typed in Chinese is 1.5
    except ValueError:
        return None, "unknown"
    return resolve_gain_value(gain, init, activation, float(state.get("slope", 0.01)))


def _fit_digits(kwargs: dict[str, Any]) -> None:
    """A digits input's limits, applied rather than refused: the batch at most the set's 1,797 images, and a width
    profile's first entry (the input's width) 64 pixels. The sidebar says so (sidebar.digits_note)."""
    kwargs["batch"] = min(kwargs["batch"], DIGITS_IMAGES)
    if kwargs["widths"]:
        kwargs["widths"] = (DIGITS_PIXELS, *kwargs["widths"][1:])


# --- residual streams and normalization ----------------------------------------------------------------------
def parse_branch_scale(text: str) -> str:
    """A branch scale's one spelling: the word inv_sqrt_depth, or a number from 0 to 100 as format_number writes it
    ("0.50" and "0.5" are one link); ValueError otherwise."""
    if text == INV_SQRT_DEPTH:
        return text
    number = plain_number(text)  # ValueError for text that is not a number
    low, high = BRANCH_SCALE_RANGE
    if not (math.isfinite(number) and low <= number <= high):
        raise ValueError("branch_scale")
    return format_number(number)


def branch_scale_text(value: float | str) -> str:
    """Config.branch_scale as the widget and the link write it."""
    return value if isinstance(value, str) else format_number(float(value))


def config_branch_scale(text: Any) -> float | str:
    """Config.branch_scale from the widget's text; one not allowed (typed into the box) is the default 1."""
    try:
        value = parse_branch_scale(ascii_number(str(text).strip()))
    except ValueError:
        return Config().branch_scale
    return value if value == INV_SQRT_DEPTH else float(value)


def config_of(state: Mapping[str, Any]) -> tuple[Config, str | None]:
    """The Config the widgets describe (hidden controls at their defaults), and the gain note if any (resolve_gain), or
    "bounds": trunc_normal's a is not below its b, and torch's default bounds are used. A gain equal to the scheme's
    default is the default, None (core.initializers.resolve_gain)."""
    base = state_of(step_config(FIRST))
    values = {name: (state.get(name, base[name]) if relevant(name, state) else base[name]) for name in CONTROLS}
    gain, note = resolve_gain(values)
    kwargs = {_CONFIG_NAME.get(name, name): values[name] for name in CONTROLS if name != "gain"}
    for name in ("depth", "width", "batch", "seed"):
        kwargs[name] = int(kwargs[name])
    kwargs["widths"] = profiles.read(values["widths"])  # its depth + 1 entries say the depth
    if kwargs["widths"]:
        kwargs["depth"] = len(kwargs["widths"]) - 1
    for name in CONTROLS:
        if PARAMS[name].kind == "float":
            kwargs[name] = float(kwargs[name])
    norm = kwargs.pop("norm")
    kwargs["batch_norm"], kwargs["layer_norm"] = norm == "batch", norm == "layer"
    kwargs["residual"] = bool(kwargs["residual"])
    kwargs["kernel"], kwargs["image"] = int(kwargs["kernel"]), int(kwargs["image"])
    if kwargs["arch"] == "conv" and kwargs["layer_norm"]:  # the sidebar offers no layer norm for conv nets
        kwargs["layer_norm"] = False
    kwargs["branch_scale"] = config_branch_scale(kwargs["branch_scale"])
    if kwargs["input"] == "digits":
        _fit_digits(kwargs)
    if kwargs["trunc_a"] >= kwargs["trunc_b"]:  # each in range, but a bound at or above the other: torch's -2, 2
        kwargs["trunc_a"], kwargs["trunc_b"], note = base["trunc_a"], base["trunc_b"], "bounds"
    known = {f.name for f in fields(Config)}
    return Config(gain=gain, **{k: v for k, v in kwargs.items() if k in known}), note


# --- switching the architecture -----------------------------------------------------------------------------
SIZES = ("depth", "width", "widths", "batch", "image")  # the controls an architecture switch sets
# what a switch to conv changes or hides (a hidden widget's value is gone by the next run), and the switch back restores
ARCH_KEPT = (*SIZES, "norm", "residual", "branch_scale")


def fits(state: Mapping[str, Any], memory_budget: int = DEFAULT_MEMORY_BUDGET) -> bool:
    """Whether the page computes the network the state describes (summary.refusal's two limits)."""
    config = config_of(state)[0]
    return estimate_memory(config) <= memory_budget and estimate_work(config) <= WORK_LIMIT


def switch_kept(state: Mapping[str, Any]) -> dict[str, Any]:
    """The dense net's sizes a switch to conv keeps where they fit (switched_sizes): its depth, its width as the
    channels and its batch, and its width profile (its depth and channels, layer by layer) where it has one."""
    kept = {name: int(state[name]) for name in ("depth", "width", "batch") if state.get(name) is not None}
    if state.get("widths"):
        kept["widths"] = state["widths"]
    return kept


def given_up(state: Mapping[str, Any], sizes: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """(size, the dense net's, the conv net's) for each size of switch_kept the switch to conv (sizes) did not keep;
    a width profile given up is named once, against the channel count it gave way to."""
    kept = switch_kept(state)
    lost = [(name, kept[name], sizes[name]) for name in kept if kept[name] != sizes[name]]
    if any(name == "widths" for name, _, _ in lost):
        lost = [("widths", was, sizes["width"]) if name == "widths" else (name, was, now)
                for name, was, now in lost if name != "width"]
    return lost


def given_up_text(lang: str, lost: Sequence[tuple[str, Any, Any]]) -> str:
    """The sentence for given_up's sizes: what the conv net could not keep and tour step 11's it took instead."""
    was = [t(lang, f"arch_size_{name}", n=old if name == "widths" else written(old)) for name, old, _ in lost]
    # a profile gives way to a channel count
    now = [t(lang, "arch_size_width" if name == "widths" else f"arch_size_{name}", n=written(new))
           for name, _, new in lost]
    return t(lang, "arch_given_up", was=join(lang, was), now=join(lang, now), step=CONV_STEP)


def switched_sizes(state: Mapping[str, Any], arch: str, remembered: Mapping[str, Any] | None = None,
                   memory_budget: int = DEFAULT_MEMORY_BUDGET) -> dict[str, Any]:
    """The sizes (SIZES) the architecture switch lands on, so that the new network is one the page computes.

    A switch to conv keeps the dense net's depth, its width as the channels and its batch, each where the conv net
    fits, and takes tour step 11's for the rest and for the image (a dense net's 500 units are 500 channels at every
    pixel: step 6 as a conv net needs about 12 GiB), giving up the batch first, then the channels (a width profile
    with them), then the depth. A switch to dense takes back `remembered`, the dense sizes the switch to conv left,
    or the first step's with the depth kept where it fits. state: the widget values before the switch (arch
    excepted); remembered: ARCH_KEPT's values.
    """
    if arch == "dense":
        lesson = state_of(step_config(FIRST))
        sizes = dict(remembered) if remembered else {name: lesson[name] for name in SIZES} | {
            "depth": state.get("depth", lesson["depth"])}
        sizes["depth"] = int(sizes["depth"])
        if not fits({**state, **sizes, "arch": arch}, memory_budget):
            sizes["depth"] = lesson["depth"]
        return sizes
    lesson = state_of(STEPS[CONV_STEP])
    own = switch_kept(state)
    for dropped in ((), ("batch",), ("width",), ("width", "batch"), ("depth", "batch"), ("depth", "width"),
                    ("depth", "width", "batch")):
        gone = {*dropped, "widths"} if "width" in dropped else set(dropped)  # the channels go with their profile
        sizes = with_profile({name: lesson[name] for name in SIZES} | {name: own[name] for name in own
                                                                       if name not in gone})
        if fits({**state, **sizes, "arch": arch}, memory_budget):
            return {name: sizes[name] for name in SIZES}
    return {name: lesson[name] for name in SIZES}
