"""One notation across the page: each quantity under one symbol in every title, column, caption and language."""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest

from core.train import lecture_schemes, scheme_config
from views import export, tour
from views import training as training_view
from views.tabs import gradients as gradients_tab
from views.text import LANGUAGES, catalogue, t

LATEX = re.compile(r"\$[^$]*\$")  # a formula typeset by KaTeX writes its subscripts as x_l, h_L
# an ASCII derivative, dL/dz or dW, beside the ∂L/∂s and ∂L/∂W the page writes
ASCII_DERIVATIVE = re.compile(r"(?<![A-Za-z\\])d[A-Za-z]\w*/d[A-Za-z]|(?<![A-Za-z\\])d[A-Z]\b")
# a one-letter symbol with an ASCII subscript (b_l, x_{l-1}) outside LaTeX, where the page writes $b_l$, h₁; fan_in is
# a word
ASCII_SUBSCRIPT = re.compile(r"(?<![A-Za-z0-9_\\])[A-Za-z]_(?:[A-Za-z0-9]\b|\{)")
# the weights written before the activation they multiply ($W_l$·ReLU(x)), where every formula has h·W, f(u)·$W_l$
WEIGHTS_FIRST = re.compile(r"W(?:[₀-₉]*|_l\$|_\{[^}]*\}\$)\s*·?\s*(?:f|ReLU|tanh)\(")
GRADIENT = re.compile(r"∂L/∂[A-Za-z][₀-₉]*")  # a gradient's symbol in a text: ∂L/∂s, ∂L/∂z, ∂L/∂x
# the subscript l, U+2097, which the page's font (Source Sans) has no glyph of: "xₗ" showed as "xı"
SUBSCRIPT_L = "\u2097"


def shown(text: str) -> str:
    return LATEX.sub("", text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_derivative_is_written_with_partial_signs(lang):
    """The heatmap said "dL/dz" and the stories "std(dW) / std(W)" beside the charts' ∂L/∂s and std(∂L/∂W) / std(W)."""
    found = {key: ASCII_DERIVATIVE.findall(shown(text)) for key, text in catalogue(lang).items()}
    assert {key: hits for key, hits in found.items() if hits} == {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_symbols_subscript_is_a_subscript_character_and_the_weights_multiply_from_the_right(lang):
    """The residual switch's help wrote "Wₗ + b_l", an underscore beside a subscript character, and step 8 the block as
    Wₗ·ReLU(xₗ₋₁) where every other formula has f(u)·Wₗ (rows times W, as core.network computes h @ W)."""
    texts = {key: shown(text) for key, text in catalogue(lang).items()}
    assert {key: ASCII_SUBSCRIPT.findall(text) for key, text in texts.items() if ASCII_SUBSCRIPT.search(text)} == {}
    assert [key for key, text in catalogue(lang).items() if WEIGHTS_FIRST.search(text)] == []
    assert r"(f(N(x_{l-1})) \cdot W_l + b_l)$" in t(lang, "residual_help")  # one formula, the weights on the right
    assert r"$\mathrm{{ReLU}}(x_{{l-1}}) \cdot W_l$" in t(lang, "story_8")  # one formula: no line breaks inside it


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_text_writes_the_subscript_l_character(lang):
    """ₗ (U+2097) has no glyph in the page's font: step 8's "xₗ = xₗ₋₁ + ReLU(xₗ₋₁)·Wₗ" showed as "xı = xı₋₁ + …". No
    message writes it outside LaTeX (there, $x_l$), nor the gradient's symbol of a residual stream, which chart titles
    and table columns write as plain text."""
    assert [key for key, text in catalogue(lang).items() if SUBSCRIPT_L in shown(text)] == []
    stream = tour.STEPS["8"]
    assert SUBSCRIPT_L not in gradients_tab.grad_title(stream, lang)
    layers = pd.DataFrame({"layer": [1], "grad_std": [0.1], "weight_grad_std": [0.1], "predicted_grad_std": [0.1]})
    assert [c for c in export.data_table(layers, lang, stream).columns if SUBSCRIPT_L in c] == []


PRE_ACTIVATION = re.compile(r"pre-activation(?! residual block| block)", re.IGNORECASE)  # not He et al.'s block


def test_chinese_calls_a_pre_activation_by_one_name():
    """zh said 加权和 (weighted sum), 输入 (input), 预激活, 预激活值 and 前激活 for the English "pre-activation": now
    预激活值 wherever the English says pre-activation, 加权和 only where it says the sum (h·W + b, z before a norm)."""
    en, zh = catalogue("en"), catalogue("zh")
    said = [key for key in en if PRE_ACTIVATION.search(en[key])]
    assert len(said) >= 10 and [key for key in said if "预激活值" not in zh[key]] == []
    assert [key for key in zh if "预激活值" in zh[key] and key not in said] == []
    assert [key for key, text in zh.items() if re.search("前激活|预激活(?!值)", text)] == []
    summed = [key for key in zh if "加权和" in zh[key]]
    assert len(summed) >= 5 and [key for key in summed if not re.search(r"\bsums?\b", en[key])] == []


def gradient_of(text: str) -> str:
    """The one gradient symbol a text holds."""
    symbols = set(GRADIENT.findall(text))
    assert len(symbols) == 1, text
    return symbols.pop()


# every tour step, and the networks whose gradient has another symbol: under layer norm, a residual stream with a norm
NETWORKS = {**tour.STEPS, "layer_norm": replace(tour.STEPS["4"], layer_norm=True),
            "stream_bn": replace(tour.STEPS["8"], batch_norm=True)}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", NETWORKS)
def test_the_gradient_has_one_symbol_in_its_chart_its_columns_and_the_races_heatmap(name, lang):
    """The Gradients chart's title, the Data tab's two gradient columns and, for each run of the network's race, the
    heatmap's title and caption name the gradient core records as grad_std by one symbol: ∂L/∂z of the sum before a
    norm, ∂L/∂s without one, ∂L/∂x of a stream (test_derivation checks grad_std against finite differences)."""
    config = NETWORKS[name]
    symbol = "∂L/∂x" if config.residual else "∂L/∂s" if config.norm == "none" else "∂L/∂z"
    assert gradient_of(gradients_tab.grad_title(config, lang)) == symbol
    layers = pd.DataFrame({"layer": [1], "grad_std": [0.1], "weight_grad_std": [0.1], "predicted_grad_std": [0.1]})
    columns = export.data_table(layers, lang, config).columns  # as the Data tab and its CSV name them
    assert [gradient_of(c) for c in columns if "∂L/∂" in c and "∂L/∂W" not in c] == [symbol, symbol]
    if config.residual or config.layer_norm:  # studied at initialization only: no race (core.train)
        return
    cells = pd.DataFrame({"step": [0, 0], "layer": [1, 2], "value": [0.1, 0.2]})
    for scheme in lecture_schemes(config.batch_norm):
        run = scheme_config(config, scheme)
        title = training_view.heatmap_chart(cells, lang, "grad_std", run).to_dict()["title"]
        caption = training_view.heatmap_caption("grad_std", lang, run)
        assert gradient_of(title) == gradient_of(caption) == gradient_of(gradients_tab.grad_title(run, lang)), scheme
