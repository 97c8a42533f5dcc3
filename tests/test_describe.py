"""The network in words (views/describe.py): one describer for the line under the title and the Compare tab's
caption, checked against the configuration's own fields over every tour step and some networks of one's own."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from core import Config, profiles
from core.config import INPUTS, written
from views import describe, summary, tour, urlstate
from views.number_writing import format_setting, format_squared
from views.tabs import CODES
from views.text import t

from app_support import open_app, open_tab

pytestmark = pytest.mark.shared_results  # pages read as a server's later sessions read them (conftest.py)

CUSTOM = {
    "taper": Config(widths=profiles.preset("taper", 6, 256), depth=6, width=256, activation="leaky_relu"),
    "mnist": Config(widths=profiles.MNIST, depth=3, width=784, init="he_normal"),
    "digits_bottleneck": Config(widths=(64, 32, 8, 32), depth=3, width=64, input="digits"),
    "conv_circular_bn": Config(arch="conv", width=8, depth=6, image=8, kernel=5, padding="circular",
                               batch_norm=True, init="delta_orthogonal"),
    "conv_channels": Config(arch="conv", widths=(4, 8, 16, 16), depth=3, width=4, image=12, batch=20),
    "pre_ln_stream": Config(residual=True, layer_norm=True, init="he_normal", activation="relu", seed=7),
}
NETWORKS = {**{f"step {code}": config for code, config in tour.STEPS.items()}, **CUSTOM}
CONV_WORD = {"en": "conv", "zh": "卷积"}
PAIR_SEPARATOR = {"en": " ", "zh": "："}  # a label meets its value: "init He normal", "初始化：He 正态"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", list(NETWORKS))
def test_the_network_is_named_by_its_own_fields(name, lang):
    """Conv or dense, its kernel, images and padding, its widths (one number, or every one in order), its
    activation, norm and stream: each read off the Config, never from a fixed list."""
    config = NETWORKS[name]
    words = describe.network(config, lang)
    assert (CONV_WORD[lang] in words) == (config.arch == "conv")
    if config.arch == "conv":
        assert f"{config.kernel} × {config.kernel}" in words and f"{config.image} × {config.image}" in words
        assert t(lang, f"net_padding_{config.padding}") in words  # in words: "zero padding"
    widths = "-".join(str(n) for n in config.units)
    if config.widths:  # unequal widths: every one, the input's first
        assert widths in words and "×" not in words.split(widths)[0]
    else:
        assert re.search(rf"\b{config.depth}\b\D+× {config.width}\b", words), words
    assert t(lang, f"act_{config.activation}") in words
    assert (t(lang, "bn_suffix").strip() in words) == config.batch_norm
    assert (t(lang, "ln_suffix").strip() in words) == config.layer_norm
    assert (t(lang, "residual_suffix").strip(",，") in words) == config.residual
    # the branch scale where it is not 1 (step 9's line had read word for word as step 8's)
    assert ("α = " in words) == (config.residual and config.alpha != 1), words


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_step_9_s_network_names_its_branch_scale_and_step_8_s_does_not(lang):
    eight, nine = (describe.line(tour.step_config(step), lang) for step in ("8", "9"))
    assert eight != nine and "α" not in eight
    assert t(lang, "options.branch_scale_inv_sqrt_depth") in nine


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("alpha, shown", [(0.0, None), (0, None), (0.5, "0.5"), (2.0, "2"), (0.25, "0.25")])
def test_a_branch_scale_is_written_as_the_box_names_it(alpha, shown, lang):
    """A Config's α = 0.0 is the box's "0 (SkipInit, ReZero)" (it had read "α = 0.0" beside a sentence's "α = 0");
    any other number as the page writes numbers."""
    line = describe.line(Config(residual=True, branch_scale=alpha), lang)
    assert f"α = {shown or t(lang, 'options.branch_scale_0')}" in line, line


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", list(NETWORKS))
def test_the_line_under_the_title_writes_every_pair_as_the_language_does(name, lang):
    """After the network, every field is "label value" in English and "label：value" in Chinese, the colon the
    Chinese page uses for its other label/value pairs ("自定义：{widths}"); no Chinese label stands a space from
    its value ("初始化 正交")."""
    config = NETWORKS[name]
    pieces = describe.line(config, lang).split(" · ")
    values = describe.line_values(config, lang)
    assert values["batch"] == f"{config.batch:,}" and values["seed"] == str(config.seed)
    assert pieces[-len(describe.LINE_FIELDS):] == [
        t(lang, f"net_label_{field}") + PAIR_SEPARATOR[lang] + values[field] for field in describe.LINE_FIELDS]
    assert " · ".join(pieces[:-len(describe.LINE_FIELDS)]) == describe.network(config, lang)
    if lang == "zh":
        assert "：" in t("zh", "widths_custom") and "：" in t("zh", "gain_line")  # the page's other pairs
        for piece in pieces[-len(describe.LINE_FIELDS):]:
            assert re.fullmatch(r"[\u4e00-\u9fff]+：\S.*", piece), piece  # a Chinese label, "：", the value


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_title_line_and_the_compare_caption_read_the_one_describer(lang):
    """Step 11's conv net: the line under the title and the Compare tab's caption both name it as conv, with its
    kernel and images (the caption once said only "10 × 64, ReLU")."""
    config = tour.STEPS[tour.CONV_STEP]
    at = open_app(step=tour.CONV_STEP, lang=lang)
    assert not at.exception
    assert at.caption[0].value == describe.line(config, lang)
    at = open_tab(at, "compare", lang)
    assert not at.exception
    caption = t(lang, "compare_caption", network=describe.network(config, lang))
    assert caption in [c.value for c in at.caption]
    assert CONV_WORD[lang] in caption and "3 × 3" in caption and "16 × 16" in caption


@pytest.mark.slow
def test_the_compare_caption_leaves_batch_norm_to_the_schemes():
    """Step 7 has batch norm, but on the Compare tab each scheme sets its own (only "0.01 + BN" has it), so the
    caption names the network without it."""
    at = open_tab(open_app(step="7"), "compare")
    plain = replace(tour.STEPS["7"], batch_norm=False)
    assert t("en", "compare_caption", network=describe.network(plain, "en")) in [c.value for c in at.caption]


def test_the_conv_steps_network_line_names_its_padding_in_words():
    """Step 11's line read "zeros padding", the Padding control's torch name (padding_mode='zeros'), beside its story's
    "zero padding"."""
    from views import describe, tour

    assert describe.layers(tour.STEPS["11"], "en").endswith("3 × 3 kernels on 16 × 16 images, zero padding")
    assert describe.layers(replace(tour.STEPS["11"], padding="circular"), "en").endswith(", circular padding")
    assert describe.layers(tour.STEPS["11"], "zh").endswith("，零填充")


INPUT_STEPS = ("1", "6", "8", tour.CONV_STEP)  # the lecture's network, He + ReLU, a residual stream, a conv net


def page_config(query: dict) -> Config:
    """The network a link's page computes (views.urlstate: a digits input turns off a stream of one width)."""
    return urlstate.config_of(urlstate.normalize(query, CODES)[0])[0]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("scale", ["1", "2.5"])
@pytest.mark.parametrize("code", INPUT_STEPS)
@pytest.mark.parametrize("name", INPUTS)
def test_the_line_under_the_title_names_the_input_the_page_computes(name, code, scale, lang):
    """?step=6&input=digits's line said "10 layers × 500 units · ReLU · init He normal · batch 1,000", the lecture's
    1000 x 500 standard-normal data, for 8 x 8 digits: the line names the Config's input as the sidebar's input
    control names it, times its scale where that is not 1."""
    config = page_config({"step": code, "input": name, "input_scale": scale})
    assert config.input == name and config.input_scale == float(scale)
    pieces = describe.line(config, lang).split(" · ")
    shown = t(lang, f"options.input_{name}")
    if scale != "1":  # the scale as the page writes numbers
        shown = t(lang, "net_input_scaled", input=shown, scale=written(float(scale)))
    label = t(lang, "net_label_input") + PAIR_SEPARATOR[lang]
    assert [piece for piece in pieces if piece.startswith(label)] == [label + shown]  # one input, the page's


@pytest.mark.slow
@pytest.mark.shared_results
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("code", ["6", tour.CONV_STEP])
@pytest.mark.parametrize("name", INPUTS)
def test_the_page_s_line_names_the_input_its_sidebar_shows(name, code, lang):
    """On the page: the line under the title is the describer's for the page's network, and names the input the
    sidebar's input control shows."""
    at = open_app(step=code, input=name, lang=lang)
    assert not at.exception
    control = at.radio(key="input")
    assert control.value == name
    assert at.caption[0].value == describe.line(page_config({"step": code, "input": name}), lang)
    assert t(lang, "net_label_input") + PAIR_SEPARATOR[lang] + control.options[control.index] in at.caption[0].value


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("init", ["normal", "xavier_normal", "torch_default"])
@pytest.mark.parametrize("bias, bias_std", [(0.0, 0.0), (0.5, 0.0), (-0.2, 0.0), (0.0, 0.1), (0.5, 0.1)])
def test_the_line_names_the_biases_wherever_the_network_has_some_of_its_settings(init, bias, bias_std, lang):
    """Xavier with biases 0.5 turned a healthy network "vanishing", and its line said "init Xavier normal": the line
    names the biases' law wherever the network's biases (core.initializers.layer_biases) are not all zero and come
    from the settings, with their mean and spread as the layers hold them; torch's default draws its own U(-b, b),
    which its name says."""
    from core.initializers import layer_biases

    config = Config(depth=3, width=20, init=init, bias=bias, bias_std=bias_std)
    init_value = describe.line_values(config, lang)["init"]
    biases = layer_biases(config)
    own = init == "torch_default"  # its biases are its scheme's, not the settings'
    if own or all(b is None for b in biases):
        assert init_value == summary.init_words(config, lang)
        return
    drawn = np.concatenate(biases)
    words = t(lang, "init_words.biases", bias="").strip()  # "biases", "偏置"
    assert words in init_value and init_value.startswith(summary.init_words(config, lang)), init_value
    assert np.isclose(drawn.mean(), bias, atol=3 * bias_std / np.sqrt(drawn.size) + 1e-7)
    law = init_value.split(words)[1].strip()
    if bias_std == 0:
        assert np.ptp(drawn) == 0 and law == format_setting(bias), law
    else:
        assert law == f"N({format_setting(bias)},\u00a0{format_squared(bias_std)})", law
        assert 0.5 * bias_std < drawn.std() < 1.5 * bias_std


@pytest.mark.parametrize("units", [profiles.preset("taper", 100, 500), profiles.preset("bottleneck", 40, 300),
                                   (64,) + (2,) * 100, profiles.preset("taper", 11, 500), (784, 512, 256, 128)])
def test_a_long_profile_is_written_by_its_ends_and_a_short_one_whole(units):
    """A taper of 100 layers had put 101 widths in the line under the title and in the Theory tab's paragraph. Up to
    WRITTEN_WIDTHS widths are written as the link writes them; more, by the first four and the last two, which are
    the profile's own, and the sentence says how many layers (the depth) beside them."""
    written = describe.widths_words(units)
    if len(units) <= describe.WRITTEN_WIDTHS:
        assert written == profiles.write(units)
        return
    head, tail = written.split("-…-")
    assert head.split("-") == [str(n) for n in units[:4]] and tail.split("-") == [str(n) for n in units[-2:]]
    config = Config(depth=len(units) - 1, widths=units, batch=10)
    for lang in ("en", "zh"):
        line = describe.layers(config, lang)
        assert line == t(lang, "net_dense_widths", depth=config.depth, widths=written) and len(line) < 60
