"""The network in words: the one describer every caption and title that names "the network" reads.

network(config, lang) says what the network is: dense or conv (its kernels, images and padding), its widths (one
number, or a profile input first), its activation, its norm and a residual stream. line(config, lang) adds how it
was drawn and what it is fed (init, input, batch, seed), each a label and its value as the language writes a pair
("init He normal", "初始化：He 正态"): the line under the page's title.
"""

from __future__ import annotations

from core import Config, profiles
from core.initializers import matters

from .options import option_name
from .summary import init_words
from .number_writing import format_setting, format_squared
from .text import t

LINE_FIELDS = ("init", "input", "batch", "seed")  # the line's label/value pairs after the network, in order
WRITTEN_WIDTHS = 12  # a profile of more widths is written by its ends in a sentence (the link keeps every one)


def widths_words(units: tuple[int, ...]) -> str:
    """A width profile as a sentence writes it: "784-512-256-128"; one of more than WRITTEN_WIDTHS widths by its
    first four and last two, "500-490-480-470-…-62-60" (a taper of 100 layers had put 101 numbers in the line under
    the title and in the Theory tab's paragraph); "" for equal widths, as core.profiles.write."""
    if len(units) <= WRITTEN_WIDTHS or not profiles.write(units):
        return profiles.write(units)
    return profiles.SEPARATOR.join([*map(str, units[:4]), "…", *map(str, units[-2:])])


def layers(config: Config, lang: str) -> str:
    """The layers: "10 layers × 500 units", "3 layers, widths 784-512-256-128", "10 conv layers × 64 channels, 3 × 3
    kernels on 16 × 16 images, zero padding"."""
    kind = "conv" if config.arch == "conv" else "dense"
    one = "_one" if config.depth == 1 else ""  # "1 layer", not "1 layers"
    if config.widths:  # a profile: every width, the input's first, as the link writes it
        words = t(lang, f"net_{kind}_widths{one}", depth=config.depth, widths=widths_words(config.units))
    else:
        words = t(lang, f"net_{kind}{one}", depth=config.depth, width=config.width)
    if kind == "conv":
        words = t(lang, "net_conv_images", layers=words, kernel=config.kernel, image=config.image,
                  padding=t(lang, f"net_padding_{config.padding}"))
    return words


def norm_words(config: Config, lang: str) -> str:
    """Its normalization and residual stream, with the branch scale α where it is not 1: " + layer norm, residual
    stream, α = 1/√depth (GPT-2)" (step 9's line had read as step 8's); "" for a plain network."""
    norm = {"batch": t(lang, "bn_suffix"), "layer": t(lang, "ln_suffix")}.get(config.norm, "")
    if not config.residual:
        return norm
    if config.alpha == 1:
        return norm + t(lang, "residual_suffix")
    return norm + t(lang, "residual_scaled_suffix", alpha=option_name(lang, "branch_scale", config.branch_scale))


def network(config: Config, lang: str) -> str:
    """The network: its layers, activation, norm and stream, "10 layers × 500 units · tanh + batch norm"."""
    return t(lang, "net_separator").join([layers(config, lang),
                                          t(lang, f"act_{config.activation}") + norm_words(config, lang)])


def input_words(config: Config, lang: str) -> str:
    """What the network is fed, as the sidebar names it: "normal", "digits (8×8 images)", times its scale where that
    is not 1 ("uniform × 2"): not always the lecture's standard-normal data."""
    name = option_name(lang, "input", config.input)
    return name if config.input_scale == 1 else t(lang, "net_input_scaled", input=name,
                                                  scale=option_name(lang, "input_scale", config.input_scale))


def bias_words(config: Config, lang: str) -> str | None:
    """The biases' law, "biases 0.5" or "biases N(0.5, 0.1²)" (b ~ N(bias, bias_std²): core.initializers.biases);
    None where every bias is 0 or the scheme draws its own (torch_default: core.initializers.matters)."""
    if not matters("bias", config.init, config.activation) or config.bias == config.bias_std == 0:
        return None
    bias = format_setting(config.bias)
    if config.bias_std == 0:
        return t(lang, "init_words.biases", bias=bias)
    return t(lang, "init_words.biases_normal", bias=bias, squared=format_squared(config.bias_std))


def line_values(config: Config, lang: str) -> dict[str, str]:
    """The line's values after the network, by LINE_FIELDS: the init scheme with its numbers (summary.init_words) and
    its biases where they are not 0 (bias_words: they turn a healthy network's verdict), the input, the batch and the
    seed."""
    init, biases = init_words(config, lang), bias_words(config, lang)
    if biases is not None:
        init = t(lang, "init_words.more", init=init, more=biases)
    return {"init": init, "input": input_words(config, lang), "batch": f"{config.batch:,}",
            "seed": str(config.seed)}  # a seed names a draw (1234), a batch counts samples (1,000)


def line(config: Config, lang: str) -> str:
    """The line under the title: the network, then each of LINE_FIELDS as a label/value pair, "·" between."""
    pairs = [t(lang, "net_pair", label=t(lang, f"net_label_{name}"), value=value)
             for name, value in line_values(config, lang).items()]
    return t(lang, "net_separator").join([network(config, lang), *pairs])
