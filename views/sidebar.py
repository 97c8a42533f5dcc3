"""The sidebar: the language, the tour, the network, its initialization and its data, each section returning
the values its controls hold; and the callbacks of the tour.

The controls are what is stored; the tour step is read from them on every run (tour.step_of), so a
configuration equal to a step's is that step however it was reached, and one that leaves it is Custom. The
step's radio only sets the controls (apply_step), and the address holds the step only as it holds the tab,
written by the page (link.sync_step): a link's step= sets the controls (urlstate.normalize).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import streamlit as st

from core import Config, profiles, schemes
from core.activations import recommended_gain
from core.config import (
    ACTIVATIONS, ARCHS, BRANCH_SCALE_RANGE, CONV_RANGES, DIGITS_IMAGES, DIGITS_PIXELS, DTYPES, FLOAT_RANGES, INITS,
    INPUTS, INT_RANGES, MODES, NORMS, PADDINGS, written,
)
from core.initializers import DEFAULT_GAIN, SCHEME_NUMBERS, gain_of, weight_mean, weight_std, weight_variance

from . import beside, present, tour, urlstate
from .number_writing import format_share, format_value
from .link import show_config, sync_named, sync_step
from .options import BRANCH_SCALES, option_name
from .page import memory_budget
from .locale import browser_language
from .tabs import CODES
from .text import t, user_text
from .urlstate import URL

SEED_MAX = INT_RANGES["seed"][1]
DRAWN = "_controls_drawn"  # the network's controls as the last run drew them (controls_moved)
RESIDUAL_OFF = "residual_off"  # the residual toggle shown off where no stream can be (urlstate.why_ignored)


# ---------- callbacks ----------

def apply_step() -> None:
    """A tour step sets every control (the seed stays: a new draw keeps the lesson). Custom sets none: the page
    stays the step the controls show, if any."""
    st.session_state.pop("_link_problems", None)
    st.session_state.pop("_dense_sizes", None)  # the step sets the sizes: a later switch to dense keeps them
    code = st.session_state["step"]
    if code == tour.CUSTOM:
        return
    show_config(tour.step_config(code, int(st.session_state.get("seed", 0))))


def pick_step() -> None:
    """The tour's radio: the step sets the controls, and on a phone the sidebar then gets out of the way.

    Not where a control moved in the same run (controls_moved): the radio's value is then its own echo. A slider
    moved at step 4 makes the run show Custom, and a key pressed on the slider before the browser has that radio
    sends the radio's old "4" again beside the new width; taken as a pick, it had set every control back to
    step 4's (Width 500 on the slider under a page of 495 units, the address at step 4)."""
    if controls_moved():
        return
    apply_step()
    st.session_state["_picks"] = st.session_state.get("_picks", 0) + 1
    st.session_state["_close_sidebar"] = True


def controls_moved() -> bool:
    """Whether a control of the network (urlstate.CONTROLS) holds another value than the last run drew (DRAWN): in
    a callback, whether the run the browser asked for also moves one."""
    drawn = st.session_state.get(DRAWN, {})
    return any(st.session_state.get(name) != value for name, value in drawn.items())


def go_to_step(code: str) -> None:
    st.session_state["step"] = code
    apply_step()


def control_changed() -> None:
    """A control moved: the link's notices no longer describe the page (the step follows from the controls)."""
    st.session_state.pop("_link_problems", None)


def pick_profile() -> None:
    """The width profile box: the depth and width sliders show the chosen profile's depth and input width."""
    control_changed()
    units = profiles.read(st.session_state["widths"])
    if units:
        st.session_state["depth"], st.session_state["width"] = len(units) - 1, units[0]


def pick_arch() -> None:
    """The architecture switch: a conv net has no layer norm (core.config), so a layer norm becomes none; the sizes
    become ones the page computes (urlstate.switched_sizes), and a switch back to dense restores the dense ones."""
    control_changed()
    state, arch = st.session_state, st.session_state.get("arch")
    if arch == "conv" and state.get("norm") not in urlstate.CONV_NORMS:
        state["norm"] = urlstate.CONV_NORMS[0]
    before = {name: state[name] for name in urlstate.CONTROLS if name in state and name != "arch"}
    if arch == "conv":
        state["_dense_sizes"] = {name: before[name] for name in urlstate.ARCH_KEPT if name in before}
    remembered = state.pop("_dense_sizes", None) if arch == "dense" else None
    sizes = urlstate.switched_sizes(before, arch, remembered, memory_budget())
    for name, value in sizes.items():
        state[name] = value
    if arch == "conv":  # the dense net's own sizes the conv net could not keep, for arch_note to say
        state["_arch_given_up"] = urlstate.given_up(before, sizes)


def arch_note(lang: str) -> None:
    """Under the architecture switch, once, right after a switch to conv: the dense net's sizes it could not keep
    (urlstate.switched_sizes) and step 11's it took instead."""
    given_up = st.session_state.pop("_arch_given_up", None)
    if given_up:
        st.info(urlstate.given_up_text(lang, given_up))


def follow_profile() -> None:
    """The depth or width slider moved: the profile keeps its shape at the new depth and width (profiles.follow)."""
    control_changed()
    units = profiles.read(st.session_state.get("widths", ""))
    if units:
        depth, width = int(st.session_state["depth"]), int(st.session_state["width"])
        st.session_state["widths"] = profiles.write(profiles.follow(units, depth, width))


def next_seed() -> None:
    st.session_state.pop("_link_problems", None)
    st.session_state["seed"] = (int(st.session_state.get("seed", 0)) + 1) % (SEED_MAX + 1)


# The keys of the widgets whose options show names in the page's language (a format_func of the language): a
# select widget sends the browser the name it shows and is sent back that name, so after a language switch the old
# language's name came back, no option of the new one: the widths box's callback crashed on "constant", the init
# box took "正态分布 N(0, std²)" for its value. Each is set again to its value on the switch, which sends the browser
# the new language's name. tests/test_locale.py checks the list against the page's widgets.
NAMED = ("step", "arch", "padding", "widths", "activation", "norm", "branch_scale", "init", "gain", "mode",
         "distribution", "input", "dtype", "beside", "compare", "train", "task")


def switch_language() -> None:
    """Keep every setting: each NAMED widget's value, and the open tab (its state is its label, which the new
    language renames)."""
    state = st.session_state
    for key in NAMED:
        if key in state:
            state[key] = state[key]
    code = urlstate.tab_of(state.get("tab"), CODES)
    if code is not None:
        state["tab"] = t(state["lang"], f"tab_{code}")


# ---------- sidebar ----------

def language_section() -> str:
    """The language switch, labelled in every language and each language by its own name ("English", "中文"); its
    value (link.check_link seeds it: the link's lang=, else the browser's language) is the URL's code."""
    codes = urlstate.LANGUAGES
    return st.radio(
        " · ".join(dict.fromkeys(t(c, "language") for c in codes)), codes, key="lang", horizontal=True,
        format_func=lambda code: option_name(code, "lang", code), on_change=switch_language,
        help=" ".join(t(c, "language_help") for c in codes),
    )


def tour_section(lang: str, step: str) -> str:
    """The tour's radio, showing `step`, the step the controls show (set before the radio is drawn).

    Each option's label is the step's number and title, so a click anywhere on it selects the step (a radio's
    caption is not part of its option's label and selects nothing). Not bound to the address: a bound radio
    writes its label into the link, which would then change with the language; link.sync_step writes the code.
    """
    st.session_state["step"] = step
    return st.radio(t(lang, "tour"), tour.STEP_CODES, key="step", on_change=pick_step,
                    format_func=partial(option_name, lang, "step"), help=t(lang, "tour_help"))


def count_slider(lang: str, name: str, label: str | None = None) -> int:
    """A slider over one of Config's whole-number ranges (depth, width, batch), bound to its URL parameter; label: the
    text key of its label and help when not its name (a conv net's width is its channels)."""
    label = label or name
    return st.slider(t(lang, label), *INT_RANGES[name], urlstate.defaults()[name], key=name, bind=URL,
                     on_change=follow_profile if name in ("depth", "width") else control_changed,
                     help=t(lang, f"{label}_help"))


def arch_controls(lang: str) -> dict[str, Any]:
    """The architecture switch (not bound: it shows names; link.sync_named writes its code), and for a conv net its
    kernel, image size (not for the digits, their own 8 x 8) and padding."""
    d = urlstate.defaults()
    values = {"arch": st.radio(t(lang, "arch"), ARCHS, key="arch", horizontal=True, on_change=pick_arch,
                               format_func=partial(option_name, lang, "arch"), help=t(lang, "arch_help"))}
    arch_note(lang)
    state = {**values, "input": st.session_state.get("input", d["input"])}  # the data section's, drawn below
    if urlstate.relevant("kernel", state):
        values["kernel"] = st.slider(t(lang, "kernel"), *CONV_RANGES["kernel"], d["kernel"], step=2, key="kernel",
                                     bind=URL, on_change=control_changed, help=t(lang, "kernel_help"))
    if urlstate.relevant("image", state):
        values["image"] = st.slider(t(lang, "image"), *CONV_RANGES["image"], d["image"], key="image", bind=URL,
                                    on_change=control_changed, help=t(lang, "image_help"))
    if urlstate.relevant("padding", state):
        values["padding"] = st.radio(t(lang, "padding"), PADDINGS, key="padding", horizontal=True,
                                     format_func=partial(option_name, lang, "padding"),
                                     on_change=control_changed, help=t(lang, "padding_help"))
    return values


def profile_box(lang: str, depth: int, width: int) -> str:
    """The width profile: the presets at the sliders' depth and width, and the link's own profile if it is none
    of them. Not bound (it shows names): link.sync_named writes its code, "" for constant widths."""
    codes = [profiles.write(profiles.preset(name, depth, width)) for name in profiles.PRESETS]
    options = list(dict.fromkeys([*codes, st.session_state.get("widths", "")]))
    return st.selectbox(t(lang, "widths"), options, key="widths", on_change=pick_profile,
                        format_func=partial(option_name, lang, "widths"), help=t(lang, "widths_help"))


def network_section(lang: str) -> dict[str, Any]:
    st.subheader(t(lang, "network"))
    d = urlstate.defaults()
    values = arch_controls(lang)
    values |= {
        "depth": count_slider(lang, "depth"),
        "width": count_slider(lang, "width", "channels" if values["arch"] == "conv" else None),
    }
    values["widths"] = profile_box(lang, values["depth"], values["width"])
    values |= {
        # not bound (a bound selectbox writes its shown name into the link): link.sync_named writes the code
        "activation": st.selectbox(t(lang, "activation"), ACTIVATIONS, key="activation",
                                   format_func=partial(option_name, lang, "activation"), on_change=control_changed,
                                   help=t(lang, "activation_help")),
    }
    if urlstate.relevant("slope", values):
        values["slope"] = st.number_input(t(lang, "slope"), *FLOAT_RANGES["slope"], d["slope"], step=0.01,
                                          format="%g", key="slope", bind=URL, on_change=control_changed,
                                          help=t(lang, "slope_help"))
    return values | stream_controls(lang, values)


def stream_controls(lang: str, network: dict[str, Any]) -> dict[str, Any]:
    """Normalization, the residual stream (equal widths only) and its branch scale (when on). norm and
    branch_scale are not bound (they show names): link.sync_named writes their codes."""
    d = urlstate.defaults()
    norms = urlstate.CONV_NORMS if network.get("arch") == "conv" else NORMS  # conv nets: no layer norm
    values = {"norm": st.radio(t(lang, "norm"), norms, key="norm", horizontal=True,
                               format_func=partial(option_name, lang, "norm"),
                               on_change=control_changed, help=t(lang, "norm_help"))}
    network = {**network, "input": st.session_state.get("input", d["input"])}  # the data section's, drawn below
    if urlstate.relevant("residual", network):
        values["residual"] = st.toggle(t(lang, "residual"), d["residual"], key="residual", bind=URL,
                                       on_change=control_changed, help=t(lang, "residual_help"))
    else:  # shown off, with the reason, rather than gone without a word when the widths or the arch change
        why = t(lang, f"url_ignored_{urlstate.why_ignored('residual', network)[0]}")
        st.toggle(t(lang, "residual"), False, key=RESIDUAL_OFF, disabled=True,
                  help=t(lang, "residual_unavailable", why=why))
    if urlstate.relevant("branch_scale", {**network, **values}):
        values["branch_scale"] = st.selectbox(
            t(lang, "branch_scale"), BRANCH_SCALES, key="branch_scale", accept_new_options=True,
            format_func=partial(option_name, lang, "branch_scale"),
            on_change=control_changed, help=t(lang, "branch_scale_help"))
    return values


def number_help(lang: str, name: str, init: str) -> str:
    """A scheme number's help: trunc_normal's std is that of the normal before it is cut, not the weights' own."""
    if name == "std" and init == "trunc_normal":
        return t(lang, "std_help_trunc_normal")
    return t(lang, f"{name}_help")


def init_section(lang: str, network: dict[str, Any]) -> dict[str, Any]:
    st.subheader(t(lang, "initialization"))
    d = urlstate.defaults()
    values = {"init": st.selectbox(t(lang, "init"), INITS, key="init",
                                   format_func=partial(option_name, lang, "init"),
                                   on_change=control_changed, help=t(lang, "init_help"))}
    state = {**network, **values}
    for name in SCHEME_NUMBERS:  # the numbers the chosen scheme reads: std, bound, value, trunc_mean, ..., scale
        if urlstate.relevant(name, state):
            values[name] = st.number_input(t(lang, name), *FLOAT_RANGES[name], d[name], step=0.01, format="%g",
                                           key=name, bind=URL, on_change=control_changed,
                                           help=number_help(lang, name, values["init"]))
    if urlstate.relevant("gain", state):
        typed = st.session_state.get("gain")  # a number typed or linked (step 10's 1.015) is one of the options
        options = urlstate.GAIN_WORDS if typed in (None, *urlstate.GAIN_WORDS) else (*urlstate.GAIN_WORDS, typed)
        values["gain"] = st.selectbox(t(lang, "gain"), options, key="gain",
                                      format_func=partial(option_name, lang, "gain"), accept_new_options=True,
                                      placeholder=t(lang, "gain_placeholder"), on_change=control_changed,
                                      help=t(lang, "gain_help"))
        gain_note(lang, {**state, "gain": values["gain"]})  # beside the box, where a text typed into it is read
    if urlstate.relevant("mode", state):
        values["mode"] = st.radio(t(lang, "mode"), MODES, key="mode", horizontal=True,
                                  format_func=partial(option_name, lang, "mode"),
                                  on_change=control_changed, help=t(lang, "mode_help"))
        if schemes.mode_outside_torch(values["init"], values["mode"]):
            st.caption(t(lang, "mode_not_torch", source=schemes.get(values["init"]).source))
    if urlstate.relevant("distribution", state):  # not bound: link.sync_named writes the code
        values["distribution"] = st.radio(t(lang, "distribution"), schemes.DISTRIBUTIONS, key="distribution",
                                          format_func=partial(option_name, lang, "distribution"),
                                          on_change=control_changed, help=t(lang, "distribution_help"))
    for name in ("bias", "bias_std"):  # a scheme with its own biases (torch_default) hides them
        if urlstate.relevant(name, state):
            values[name] = st.number_input(t(lang, name), *FLOAT_RANGES[name], d[name], step=0.1, format="%g",
                                           key=name, bind=URL, on_change=control_changed, help=t(lang, f"{name}_help"))
    return values


def branch_scale_note(lang: str, network: dict) -> None:
    """Under the network controls: a branch scale typed into its box that is not one (200, -1, abc) is said to be
    replaced by the default 1 (urlstate.config_branch_scale), as the gain box says of a gain; it had been replaced
    without a word."""
    if not urlstate.relevant("branch_scale", network):
        return
    typed = str(network.get("branch_scale", ""))
    try:
        urlstate.parse_branch_scale(urlstate.ascii_number(typed.strip()))
    except ValueError:
        low, high = BRANCH_SCALE_RANGE
        st.warning(t(lang, "branch_scale_unknown", raw=user_text(lang, typed), low=written(low), high=written(high))
                   + typed_marks(lang, "branch_scale", typed))


def typed_marks(lang: str, name: str, typed: str) -> str:
    """The sentence after a typed number's refusal that names the marks a number is written without and what it may
    have meant (urlstate.readings): "1,5" in the gain box; "" for text without such marks."""
    marks, meant = urlstate.marks_words(lang, name, typed, CODES, linked=False)
    if not marks:
        return ""
    return t(lang, "join_sentence") + t(lang, "typed_marks_meant" if meant else "typed_marks", marks=marks, meant=meant)


def init_notes(lang: str, config: Config, note: str | None) -> None:
    """Under the init controls: the scheme's formula, the resulting std(w) and n·Var(w), and truncation bounds out of
    order (config_of's note "bounds"; a gain's notes are under its box, gain_note)."""
    fan_in, fan_out = config.shapes[0]
    std = weight_std(config, fan_in, fan_out)
    st.caption(t(lang, schemes.get(config.init).formula_key))
    if weight_variance(config, fan_in, fan_out) is None:  # a non-zero mean: no zero-mean variance to speak of
        if schemes.get(config.init).family is not None:  # random weights of non-zero mean (trunc_normal off centre)
            st.caption(t(lang, "weight_mean_line", mean=format_value(weight_mean(config, fan_in, fan_out)),
                         std=format_value(std)))
    elif config.arch == "conv":  # fan_in counts the kernel: C_in k^2
        st.caption(t(lang, "weight_std_conv_line", std=format_value(std),
                     nvar=format_value(fan_in * std**2), channels=config.units[0], kernel=config.kernel,
                     fan_in=written(fan_in)))
    elif fan_in != fan_out:  # layer 1's fans differ (a width profile, the digits' 64 pixels into 500 units): the two
        # products the modes keep at 1 (or 2), the first layer's
        st.caption(t(lang, "weight_std_first", fan_in=fan_in, fan_out=fan_out, std=format_value(std),
                     in_var=format_value(fan_in * std**2), out_var=format_value(fan_out * std**2)))
    else:
        st.caption(t(lang, "weight_std_line", std=format_value(std),
                     nvar=format_value(fan_in * std**2)))
    if config.init == "trunc_normal":
        st.caption(trunc_bounds_line(lang, config))
    if config.init == "variance_scaling" and config.distribution == "truncated_normal":
        fan = schemes.fan(config, fan_in, fan_out)  # Keras's n: the mode's fan of layer 1, named by the mode
        st.caption(t(lang, "keras_correction", factor=format_value(schemes.KERAS_TRUNCATION, 8),
                     mode=config.mode, fan=written(fan),
                     nvar=format_value(fan * std**2),
                     uncorrected=format_value(fan * schemes.uncorrected_variance(config, fan_in, fan_out))))
    if config.bias_std == 0 and schemes.get(config.init).bias_bound is not None:
        bound = schemes.get(config.init).bias_bound(config, fan_in)
        st.caption(t(lang, "own_biases_line", bound=format_value(bound),
                     var=format_value(bound**2 / 3)))
    if config.init in DEFAULT_GAIN:
        st.caption(t(lang, "gain_line", gain=format_value(gain_of(config), 4)))
    if note == "bounds":
        st.warning(t(lang, "trunc_bounds_swapped", a=written(Config().trunc_a), b=written(Config().trunc_b)))


def gain_note(lang: str, state: dict[str, Any]) -> None:
    """Under the gain box: what the page made of the text in it where that is not the gain asked for
    (urlstate.resolve_gain): not a gain (the default used), torch's no gain for the activation, SELU's 3/4."""
    gain, note = urlstate.resolve_gain(state)
    if note == "none":
        st.warning(t(lang, "gain_none", activation=t(lang, f"act_{state['activation']}")))
    elif note == "selu":
        st.info(t(lang, "gain_selu", gain=written(gain), linear=written(recommended_gain("linear"))))
    elif note == "unknown":
        low, high = FLOAT_RANGES["gain"]
        st.warning(t(lang, "gain_unknown", raw=user_text(lang, str(state["gain"])), low=written(low),
                     high=written(high)) + typed_marks(lang, "gain", str(state["gain"])))


def trunc_bounds_line(lang: str, config: Config) -> str:
    """trunc_normal's bounds a, b in stds from its mean, and the share of N(mean, std²) they cut off: absolute
    bounds, not ±2σ (std 0.01 and a, b = ±2: 200σ, nothing cut)."""
    if config.std == 0:
        return t(lang, "trunc_bounds_zero_std")
    low, high = ((x - config.trunc_mean) / config.std for x in (config.trunc_a, config.trunc_b))
    kept = float(schemes.ndtr(high) - schemes.ndtr(low))
    return t(lang, "trunc_bounds_line", low=format_value(low), high=format_value(high),
             cut=format_share(1.0 - kept))


def digits_note(lang: str, config: Config, asked_batch: int) -> None:
    """Under the data controls, for a digits input: 64 pixels wide (a conv net's one channel of 8 x 8), and the batch
    it gives (urlstate._fit_digits)."""
    if config.input != "digits":
        return
    # a conv net reads one channel of 8 x 8 pixels: layer 1's fan_in is its k² taps
    key, words = ("digits_line_conv", {"side": config.image, "fan_in": written(config.shapes[0][0])}) \
        if config.arch == "conv" else ("digits_line", {"pixels": DIGITS_PIXELS})
    st.caption(t(lang, key, batch=written(config.batch), images=written(DIGITS_IMAGES), **words))
    if asked_batch > config.batch:
        st.warning(t(lang, "digits_batch_capped", asked=written(asked_batch), images=written(DIGITS_IMAGES)))


def data_section(lang: str) -> dict[str, Any]:
    st.subheader(t(lang, "data"))
    d = urlstate.defaults()
    values = {
        "batch": count_slider(lang, "batch"),
        "input": st.radio(t(lang, "input"), INPUTS, key="input", horizontal=True,
                          format_func=partial(option_name, lang, "input"), on_change=control_changed,
                          help=t(lang, "input_help")),
        "input_scale": st.number_input(t(lang, "input_scale"), *FLOAT_RANGES["input_scale"], d["input_scale"],
                                       step=0.1, format="%g", key="input_scale", bind=URL, on_change=control_changed,
                                       help=t(lang, "input_scale_help")),
    }
    seed_box, button_box = st.columns([3, 2], vertical_alignment="bottom")
    values["seed"] = seed_box.number_input(t(lang, "seed"), *INT_RANGES["seed"], d["seed"], step=1, key="seed",
                                           bind=URL, on_change=control_changed, help=t(lang, "seed_help"))
    button_box.button(t(lang, "new_seed"), on_click=next_seed, help=t(lang, "new_seed_help"), width="stretch")
    values["dtype"] = st.radio(t(lang, "dtype"), DTYPES, key="dtype", horizontal=True,
                               format_func=partial(option_name, lang, "dtype"),
                               on_change=control_changed, help=t(lang, "dtype_help"))
    return values


def sidebar() -> tuple[str, str, Config]:
    """Draw the sidebar; return the language, the tour step the controls show and the Config they describe.

    Drawn top to bottom: the language, the title, the tour, the network, its initialization, its data; the
    tour's radio last of all, into its place, once the controls it is read from have their values.
    """
    with st.sidebar:
        lang = language_section()
        st.markdown(f"### {t(lang, 'app_title')}")
        boxes = [st.container() for _ in range(4)]  # drawing order differs from reading order: the tour last
        with boxes[1]:
            network = network_section(lang)
        with boxes[2]:
            init = init_section(lang, network)
            state = {**network, **init}
        with boxes[3]:
            data = data_section(lang)
        config, note = urlstate.config_of({**state, **data})
        step = tour.step_of(config)
        with boxes[0]:
            tour_section(lang, step)
            beside.control(lang, partial(option_name, lang, "beside"))  # a step beside the page's network
        with boxes[1]:
            branch_scale_note(lang, network)
        with boxes[2]:
            init_notes(lang, config, note)
        with boxes[3]:
            digits_note(lang, config, data["batch"])
        if st.session_state.pop("_close_sidebar", False):  # last, where an element of no height changes nothing
            present.close_sidebar_over_page(st.session_state["_picks"])
    st.session_state[DRAWN] = {name: st.session_state.get(name) for name in urlstate.CONTROLS}
    if step != tour.CUSTOM:
        st.session_state["_last_step"] = step  # where ◀ ▶ go on from once a control leaves the step
    sync_step(step, st.session_state.get("_last_step"))
    # the lists (Compare's, Training's) are their tabs' widgets, and those tabs write them
    sidebar_named = [name for name in urlstate.NAMED if name not in urlstate.TAB_NAMED]
    sync_named({**state, **data, "lang": lang}, sidebar_named, browser_language(st.context.locale))
    return lang, step, config
