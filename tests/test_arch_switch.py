"""Switching the architecture lands on a network the page computes, and back: every tour step, both ways."""

from __future__ import annotations

import pytest

from core import estimate_memory
from core.config import mib_apart
from core.network import WORK_LIMIT, estimate_work
from views import summary, tour, urlstate
from views.number_writing import powers_apart
from views.locale import LANGUAGES
from views.text import t

from app_support import open_app

pytestmark = pytest.mark.shared_results  # pages read as a server's later sessions read them (conftest.py)


def switched(state: dict, arch: str, remembered: dict | None = None, budget: int | None = None) -> dict:
    """The state after the switch, as sidebar.pick_arch leaves it."""
    kwargs = {} if budget is None else {"memory_budget": budget}
    return {**state, **urlstate.switched_sizes(state, arch, remembered, **kwargs), "arch": arch}


@pytest.mark.parametrize("code", list(tour.STEPS))
def test_every_step_switches_to_a_conv_net_that_fits_and_back(code):
    """Step 6's 500 units as 500 channels of 16 x 16 pixels, batch 1000, need about 12 GiB: the switch takes step 11's
    channels, batch and image instead; back to dense, the step's own sizes return (the page is that step again)."""
    state = urlstate.state_of(tour.step_config(code))
    other = "dense" if state["arch"] == "conv" else "conv"
    before = {name: state[name] for name in urlstate.ARCH_KEPT}
    there = switched(state, other)
    if other == "conv":  # what the conv net's sidebar hides is gone from the session by the switch back
        there = {name: value for name, value in there.items() if name not in urlstate.CONTROLS
                 or urlstate.relevant(name, there)}
    config = urlstate.config_of(there)[0]
    assert config.arch == other
    assert summary.refusal(config, "en") is None
    assert estimate_memory(config) <= summary.DEFAULT_MEMORY_BUDGET and estimate_work(config) <= WORK_LIMIT
    if other == "conv":  # step 11's sizes, the depth kept where it fits (all steps' do)
        lesson = tour.STEPS[tour.CONV_STEP]
        assert (config.width, config.batch, config.image, config.depth) == \
            (lesson.width, lesson.batch, lesson.image, tour.STEPS[code].depth)
    back = switched(there, state["arch"], before)
    assert tour.step_of(urlstate.config_of(back)[0]) == code


OWN_NETWORKS = [dict(depth=5, width=32, batch=100), dict(depth=10, width=200, batch=500),
                dict(depth=30, width=64, batch=2000), dict(depth=100, width=16, batch=100),
                dict(depth=3, width=2048, batch=10), dict(depth=10, width=500, batch=1000),
                dict(depth=3, widths="784-512-256-128", batch=100), dict(widths="16-32-64", batch=50),
                dict(widths="200-100-50", batch=1000)]


@pytest.mark.parametrize("own", OWN_NETWORKS, ids=lambda own: "-".join(map(str, own.values())))
def test_a_switch_to_conv_keeps_the_dense_nets_sizes_that_fit(own):
    """Your own network as a conv net: its depth, width (as channels; a width profile with it) and batch kept where
    the conv net fits, giving up the batch first, then the channels, then the depth, each for step 11's; what it
    keeps is the most of that order that fits (every earlier choice does not)."""
    state, _ = urlstate.normalize({"step": "custom", **{k: str(v) for k, v in own.items()}}, ("activations",))
    lesson = urlstate.state_of(tour.STEPS[tour.CONV_STEP])
    kept = urlstate.switch_kept(state)
    assert set(kept) == {"depth", "width", "batch", *(("widths",) if "widths" in own else ())}
    sizes = urlstate.switched_sizes(state, "conv")
    assert urlstate.fits({**state, **sizes, "arch": "conv"}) and sizes["image"] == lesson["image"]
    assert all(sizes[name] in (kept[name], lesson[name]) for name in kept)
    if sizes["widths"]:  # a profile kept is the conv net's channels, layer by layer
        assert sizes == urlstate.with_profile({**sizes, "widths": own["widths"]})
    order = [(), ("batch",), ("width",), ("width", "batch"), ("depth", "batch"), ("depth", "width"),
             ("depth", "width", "batch")]
    lost = tuple(name for name in ("depth", "width", "batch") if sizes[name] != kept[name])
    if kept.get("widths") and sizes["widths"]:
        lost = tuple(name for name in lost if name == "batch")  # the profile's depth and channels, kept
    for dropped in order[:order.index(lost)]:
        tried = {name: lesson[name] for name in urlstate.SIZES} | {
            name: kept[name] for name in kept if name not in dropped and not (name == "widths" and "width" in dropped)}
        assert not urlstate.fits({**state, **urlstate.with_profile(tried), "arch": "conv"}), dropped
    names = [name for name, _, _ in urlstate.given_up(state, sizes)]
    assert names == [name for name in ("depth", "width", "batch", "widths") if name in kept and (
        sizes[name] != kept[name] if name != "width" or not kept.get("widths") else False)]


def test_a_profile_given_up_is_named_once_against_the_channels_it_gave_way_to():
    state, _ = urlstate.normalize({"step": "custom", "widths": "2048-1024"}, ("activations",))
    sizes = urlstate.switched_sizes(state, "conv")
    assert sizes["widths"] == "" and sizes["width"] == tour.STEPS[tour.CONV_STEP].width
    assert ("widths", "2048-1024", sizes["width"]) in urlstate.given_up(state, sizes)
    assert "width" not in [name for name, _, _ in urlstate.given_up(state, sizes)]


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_sidebar_says_which_sizes_a_switch_to_conv_gave_up_once(lang):
    at = open_app(step="custom", width="200", batch="500", activation="relu", init="he_normal", lang=lang)
    at.radio(key="arch").set_value("conv").run()
    assert not at.exception and not at.error
    lesson = tour.STEPS[tour.CONV_STEP]
    assert [i.value for i in at.sidebar.info] == [t(lang, "arch_given_up", was=t(lang, "arch_size_batch", n="500"),
                                                    now=t(lang, "arch_size_batch", n=str(lesson.batch)),
                                                    step=tour.CONV_STEP)]
    assert (at.session_state["width"], at.session_state["batch"]) == (200, lesson.batch)
    assert at.session_state["step"] == tour.CUSTOM
    at.run()
    assert not at.sidebar.info  # said once, at the switch


def test_a_depth_that_does_not_fit_takes_the_conv_steps():
    """A budget the kept depth is over: the depth of step 11, whose network fits."""
    state = urlstate.state_of(tour.step_config("10"))  # 64 layers
    lesson = tour.STEPS[tour.CONV_STEP]
    kept = urlstate.config_of(switched(state, "conv"))[0]
    budget = (estimate_memory(kept) + estimate_memory(lesson)) // 2
    config = urlstate.config_of(switched(state, "conv", budget=budget))[0]
    assert config.depth == lesson.depth < kept.depth
    assert estimate_memory(config) <= budget


def test_dense_without_remembered_sizes_takes_the_first_steps():
    """A page opened as a conv net (a link) switched to dense: the first step's width and batch."""
    state = urlstate.state_of(tour.step_config(tour.CONV_STEP))
    config = urlstate.config_of(switched(state, "dense"))[0]
    first = tour.STEPS[tour.FIRST]
    assert (config.width, config.batch, config.depth) == (first.width, first.batch, state["depth"])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_conv_nets_memory_refusal_names_the_image_and_channels(lang):
    """A conv net's memory grows with image² and channels, and its message says so; a dense net's with the width."""
    conv = urlstate.config_of({**urlstate.state_of(tour.step_config("6")), "arch": "conv"})[0]  # 500 channels
    dense = tour.STEPS["6"]
    budget = estimate_memory(dense) + 1  # the dense net fits, its conv twin does not
    assert summary.refusal(dense, lang, budget) is None
    assert summary.refusal(conv, lang, budget).startswith(
        t(lang, "memory_conv", **mib_apart(estimate_memory(conv), budget), fits="").rstrip())
    assert t(lang, "memory_conv", need=1, budget=1, fits="") != t(lang, "memory", need=1, budget=1, most="", fits="")
    assert "image" in t("en", "memory_conv", need=1, budget=1, fits="")
    assert "图像" in t("zh", "memory_conv", need=1, budget=1, fits="")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_conv_net_on_the_digits_is_not_told_to_lower_an_image_it_has_no_control_for(lang):
    """?arch=conv&input=digits&width=2048&batch=1797 was told to lower "the image": the digits are their own 8 x 8
    pixels and the sidebar shows no image control then. Its refusal names depth, channels and batch only."""
    state = {**urlstate.state_of(tour.step_config("6")), "arch": "conv", "input": "digits", "width": 2048,
             "batch": 1797}
    config = urlstate.config_of(state)[0]
    assert config.input == "digits" and not urlstate.relevant("image", state)
    budget = estimate_memory(config) - 1
    said = summary.refusal(config, lang, budget)
    assert said.startswith(t(lang, "memory_conv_digits", **mib_apart(estimate_memory(config), budget),
                             fits="").rstrip())
    assert ("image" not in said) if lang == "en" else ("图像边长" not in said)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_conv_nets_work_refusal_names_its_channels(lang):
    """Over the work limit, a conv net's message is its own (channels, image², kernel²)."""
    config = urlstate.config_of({**urlstate.state_of(tour.step_config(tour.CONV_STEP)), "depth": 100})[0]
    limit = estimate_work(config) / 2
    fits = summary.work_fits(config, limit)
    key = "work_conv" if fits["depth"] else "work_width_conv"
    assert summary.refusal(config, lang, work_limit=limit) == t(
        lang, key, **powers_apart(estimate_work(config), limit), seconds=f"{limit / summary.WORK_RATE:.0f}",
        **fits)


@pytest.mark.slow
@pytest.mark.parametrize("code", list(tour.STEPS))
def test_the_page_switches_every_step_to_conv_and_back(code):
    """In the page: Architecture -> the other kind at every step draws the tabs (no refusal), and back is the step."""
    at = open_app(step=code)
    arch = at.session_state["arch"]
    at.radio(key="arch").set_value("dense" if arch == "conv" else "conv").run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.tabs, "the page draws its tabs"
    assert at.session_state["arch"] != arch
    at.radio(key="arch").set_value(arch).run()
    assert not at.exception and not at.error
    assert at.session_state["step"] == code
