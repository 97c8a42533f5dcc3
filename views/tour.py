"""The tour: the lecture's seven steps, then four beyond it (residual streams, dynamical isometry, convolutions)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import fields, replace

import numpy as np

from core import Config
from core.config import CONV_SIZES, INV_SQRT_DEPTH
from core.draws import family
from core.initializers import bias_mean, bias_variance, weight_mean, weight_std
from core.schemes import REGISTRY as SCHEMES_RECORDS
from core.train import SCHEMES, scheme_config  # noqa: F401  (the app's Compare tab uses both)

from core.theory import predict

from . import charts, summary
from .number_writing import format_range, format_share, format_value
from .derivation import relation
from .options import CUSTOM
from .text import charts_pointed, join, pointing, t
from .training import HALF, PLATEAU, plateau_steps, run_progress

# Steps 1-9 use the lecture's network: 10 tanh/ReLU layers of 500 units, a batch of 1000 standard-normal samples.
STEPS: dict[str, Config] = {
    "1": Config(init="zeros", activation="tanh"),  # symmetry: every unit computes the same thing
    "2": Config(init="normal", std=0.01, activation="tanh"),  # 0.01 * randn: activations shrink x0.22 a layer
    "3": Config(init="normal", std=1.0, activation="tanh"),  # 1.0 * randn: tanh saturates
    "4": Config(init="xavier_normal", activation="tanh"),  # Var(w) = 1/n: a workable scale, declining slowly under tanh
    "5": Config(init="xavier_normal", activation="relu"),  # ReLU halves the variance at each layer
    "6": Config(init="he_normal", activation="relu"),  # Var(w) = 2/n makes up for the half
    # Step 2's collapsing init again, so the only change on screen is batch norm itself.
    "7": Config(init="normal", std=0.01, activation="tanh", batch_norm=True),
    # Beyond the lecture: step 6's He + ReLU with a skip around every layer (He et al. 2016), the stream's variance
    # doubling a block; then each branch scaled by 1/sqrt(depth), as GPT-2 scales its residual projections.
    "8": Config(init="he_normal", activation="relu", residual=True),
    "9": Config(init="he_normal", activation="relu", residual=True, branch_scale=INV_SQRT_DEPTH),
    # tanh at the edge of chaos with q* ~ 1/64 (sigma_w² = 1.015² ~ 1.03, sigma_b² = 0.002145² ~ 4.6e-6, chi_1 = 1
    # there; the input's q0 = 0.125² = 1/64 too), 64 layers of 128 units, orthogonal weights: every singular value
    # of the Jacobian stays near 1 (Pennington, Schoenholz & Ganguli 2017)
    "10": Config(init="orthogonal", gain=1.015, activation="tanh", bias_std=0.002145, input_scale=0.125,
                 width=128, depth=64),
    # step 6's He + ReLU as a conv net: 10 layers of 3 x 3 convolutions, 64 channels, on 50 Gaussian images of 16 x 16
    # pixels with zero padding (about a second); fan_in = C_in k^2 = 576, and the borders see fewer inputs
    "11": Config(arch="conv", init="he_normal", activation="relu", depth=10, image=16, **CONV_SIZES),
}
# Networks a step's story measures besides its own, by name, at the step's seed. Step 9's page draws the 1/sqrt(depth)
# stream; its story also quotes pre-LayerNorm's measured growth (alpha = 1, Xiong et al. 2020), the other cure, so
# that the two cures stand in one paragraph with the numbers of step 8 without a second set of charts to read.
COMPANIONS: dict[str, dict[str, Config]] = {
    "9": {"layer_norm": Config(init="he_normal", activation="relu", residual=True, layer_norm=True)},
}

HALVING_STEP, HALVING_SCHEME = "5", "xavier_normal"  # Xavier + ReLU: its story reads Xavier's run of the race
ISOMETRY_STEP = "10"  # the Spectrum tab's step
# The story numbers a story writes as a range, "{act_low} to {act_high}", in every step and in one step's story
RANGES = (("act_low", "act_high"), ("ratio_low", "ratio_high"))
# "(std {act_first} at layer 1, {act_last} at layer 10)", "({grad_first} against {grad_last})": 0.720, not 0.72
STEP_RANGES = {"6": (("act_first", "act_last"), ("grad_first", "grad_last"))}
CONV_STEP = "11"  # convolutions: fan_in counts the kernel
STEP_CODES = (*STEPS, CUSTOM)
FIRST = "1"

# The Compare tab's schemes (the init part of a Config) are core.train.SCHEMES, shared with the races.
# The lecture's five: too small, too large, Xavier, He, and the too-small init rescued by batch norm. Zeros is
# left out by default because its activations are exactly 0, which a log-scale chart cannot draw.
LECTURE_FIVE = ("normal_0.01", "normal_1", "xavier_normal", "he_normal", "normal_0.01+bn")


# The race scheme each step's lesson is contrasted with, which its race trains right after the step's own (race_order):
# a step that fails beside the scheme that mends it on its activation (tanh: step 4's Xavier, ReLU: step 6's He), a
# step that mends beside the failure it mends (the step before it), step 7's batch norm beside the same init without
# it. Steps 8, 9 and 11 are step 6's He + ReLU, with skips or as convolutions; step 10's orthogonal draw beside the
# Gaussian one of about its variance (sigma_w² = 1, Xavier's at equal fans).
CONTRASTS = {"1": "xavier_normal", "2": "xavier_normal", "3": "xavier_normal", "4": "normal_1", "5": "he_normal",
             "6": "xavier_normal", "7": "normal_0.01", "8": "xavier_normal", "9": "xavier_normal",
             "10": "xavier_normal", "11": "xavier_normal"}


def step_config(code: str, seed: int = 0) -> Config:
    """The configuration of a tour step, with the given seed (the tour keeps whatever seed is chosen)."""
    return replace(STEPS[code], seed=seed)


def companions(code: str, seed: int = 0) -> dict[str, Config]:
    """The networks step `code`'s story measures besides its own (COMPANIONS), with the given seed; {} for most."""
    return {name: replace(config, seed=seed) for name, config in COMPANIONS.get(code, {}).items()}


def stream_numbers(result) -> dict[str, float]:
    """A residual stream's numbers, from one simulated network: stream_growth std(x_L) / std(x_0) measured and
    theory_growth predicted (core.theory.predict_residual); grad_growth std(dL/dx_0) / std(dL/dx_L); branch_first,
    branch_last the std of what block 1 and block L add to the stream (alpha r_l); alpha the branch scale."""
    s, depth = result.stats, result.config.depth
    with np.errstate(all="ignore"):
        numbers = {"stream_growth": s["act_std"][depth] / s["act_std"][0],
                   "theory_growth": s["predicted_act_std"][depth] / s["predicted_act_std"][0],
                   "grad_growth": s["grad_std"][0] / s["grad_std"][depth],
                   "branch_first": s["branch_std"][1], "branch_last": s["branch_std"][depth],
                   "alpha": result.config.alpha}
    return {name: float(value) for name, value in numbers.items()}


def story_numbers(result) -> dict[str, float]:
    """The measured numbers the stories quote, from one simulated network (NaN where undefined).

    act_factor: the activation std's factor a layer, (std(h_L) / std(h_1))^(1/(L-1)); grad_factor: the gradient
    std's factor a layer toward the input, (g_1 / g_L)^(1/(L-1)); ratio_*: std(dW)/std(W) over the layers
    (summary.updates), ratio_spread its largest over its smallest; bn_factor: how many times Xavier's Var(w) = 1/n
    is this network's Var(w), which under batch norm is the factor on std(dW)/std(W) for the same gradient at the
    top (the forward pass ignores W's scale, so dW grows as W shrinks).
    """
    config, stats, depth = result.config, result.stats, result.config.depth
    act, grad = stats["act_std"], stats["grad_std"]
    per_layer = 1 / (depth - 1) if depth > 1 else np.nan
    with np.errstate(all="ignore"):
        numbers = {
            "act_first": act[1], "act_last": act[depth], "act_low": np.nanmin(act[1:]), "act_high": np.nanmax(act[1:]),
            "act_factor": (act[depth] / act[1]) ** per_layer,
            "grad_first": grad[1], "grad_last": grad[depth], "grad_factor": (grad[1] / grad[depth]) ** per_layer,
            "pre_first": stats["pre_std"][1], "saturated_first": stats["saturated"][1],
        }
    u = summary.updates(result)
    if u is not None and not u.zero:
        numbers.update(ratio_low=u.low, ratio_high=u.high, low_layer=u.low_layer, high_layer=u.high_layer,
                       ratio_spread=u.spread)
    if (factor := summary.batch_norm_step_factor(config)) is not None:
        numbers["bn_factor"] = factor
    if config.residual:
        numbers.update(stream_numbers(result))
    return {name: float(value) for name, value in numbers.items()}


def lecture_numbers(config: Config) -> dict[str, str]:
    """Steps 2 and 3's reckoning, as the page writes it: a weight's std σ (randn's factor, "weight_std"), layer 1's
    fan_in n ("fan_in"), a layer's factor on a small signal √(n σ²) ("layer_factor": tanh is its argument near 0),
    and layer 1's pre-activation, a sum of n terms of variance σ² E[x²] ("term_variance"), of std √(n σ² E[x²])
    ("pre_theory", under the root "sum_variance"). A network of non-random weights has σ = 0."""
    fan_in, fan_out = config.shapes[0]
    std = weight_std(config, fan_in, fan_out)
    term = std**2 * config.input_scale**2  # the input's draws have unit variance (core.draws)
    written = format_value
    return {"weight_std": written(std), "fan_in": f"{fan_in:,}", "layer_factor": written(math.sqrt(fan_in) * std),
            "term_variance": written(term), "sum_variance": written(fan_in * term),
            "pre_theory": written(math.sqrt(fan_in * term))}


def isometry_numbers(config: Config) -> dict[str, float]:
    """Step 10's story numbers: p10 (at least core.spectrum's resolution: below it a value is numerically 0) and
    p90 of the Jacobian's singular values under this orthogonal network ("orthogonal_p10", ...) and under
    Gaussian weights of the same sigma_w² ("gaussian_p10", ...), from the server's cache (the Spectrum tab computes
    the same two); and the theory's mean of s² for both, core.spectrum.predicted_moments ("predicted_mean")."""
    from core import cache  # the cache imports the engine; the tour's other steps need none of it
    from core.spectrum import predicted_moments
    from .spectrum import twin
    numbers = {"predicted_mean": predicted_moments(config)["mean_squared"]}
    for name, network in (("orthogonal", config), ("gaussian", twin(config))):
        result = cache.spectrum_cached(network)
        s = result.summary()
        # p10 below float64's resolution is rounding: the story says "at most" the resolution then
        numbers.update({f"{name}_p10": max(s["p10"], result.resolution), f"{name}_p90": s["p90"]})
    return numbers


def kept_words(config: Config, lang: str) -> str:
    """What step 10's orthogonal net keeps, chosen from its spectrum (views.spectrum.outliers): every direction where
    every singular value lies within spectrum.ISOMETRY of 1, else all but so many, with the smallest."""
    from core import cache
    from .spectrum import outlier_values
    far = outlier_values(cache.spectrum_cached(config))
    return t(lang, "story_10_kept_all") if far is None else t(lang, "story_10_kept_but", **far)


def conv_numbers(result) -> dict[str, float]:
    """Step 11's story numbers, from a conv net's simulation: its fans and He's std(w) (and the std a fan_in of C_in
    alone would give); layer 1's pre-activation std at interior, edge and corner pixels (core.network.pixel_pre_std:
    interior k//2 or more pixels from the border, edge the outer ring but its corners), their ratios to the interior
    and border_variance's prediction of them (sqrt of the taps inside over k²); the interior's predicted std,
    sqrt(sigma_w² E[x²]); and the theory's pooled act_std at the last layer."""
    from core.network import pixel_pre_std
    from core.theory import border_variance, input_second_moments, layer_sigma_w2
    c = result.config
    k, p = c.kernel, c.kernel // 2
    fan_in = c.shapes[-1][0]  # a hidden layer's: C_in k^2
    pixels = pixel_pre_std(c) ** 2  # (image, image) variances
    kept = border_variance(c.image, k, 1)[1]  # variance kept per pixel, relative to the interior's
    ring = np.zeros(pixels.shape, bool)
    ring[[0, -1], :] = ring[:, [0, -1]] = True
    corners = np.zeros(pixels.shape, bool)
    corners[[0, 0, -1, -1], [0, -1, 0, -1]] = True
    interior = np.zeros(pixels.shape, bool)
    interior[p:c.image - p, p:c.image - p] = True
    edge = ring & ~corners

    def std(where):
        return math.sqrt(pixels[where].mean())
    forward, _ = layer_sigma_w2(c)
    second = input_second_moments(c)  # E[x²] per input pixel
    numbers = {"depth": c.depth, "channels": c.width, "kernel": k, "k2": k * k, "fan_in": fan_in,
               "std_w": weight_std(c, *c.shapes[-1]), "wrong_std": weight_std(c, c.width, c.width),
               "interior": std(interior), "edge": std(edge), "corner": std(corners),
               "interior_predicted": math.sqrt(forward[1] * second[interior].mean()),
               "edge_taps": k * (p + 1), "corner_taps": (p + 1) ** 2,
               "edge_predicted": math.sqrt(kept[edge].mean()), "corner_predicted": math.sqrt(kept[corners].mean()),
               "theory_last": result.stats["predicted_act_std"][c.depth]}
    numbers["edge_ratio"], numbers["corner_ratio"] = numbers["edge"] / numbers["interior"], \
        numbers["corner"] / numbers["interior"]
    return {name: float(value) for name, value in numbers.items()}


def heading(code: str, lang: str) -> str:
    """The page's title at a tour step: "Step 2 of 9 · Small random N(0, 0.01²) + tanh" (Custom has its own)."""
    if code == CUSTOM:
        return t(lang, "custom_heading")
    return t(lang, "step_heading", n=code, steps=len(STEPS), title=t(lang, f"step_{code}"))


def story(code: str, result, lang: str, others: dict | None = None, tabs: bool = True, race: dict | None = None,
          he_race: dict | None = None) -> str:
    """The tour step's story with the numbers of its simulated network filled in; Custom's is one for every network,
    and where this draw's spread over the layers departs from the theory's, what it is and why
    (summary.theory_spread_note).

    others: the results of the step's companions (companions(), by name), whose numbers the story quotes with the
    name as a prefix ("layer_norm_stream_growth"); the story of a step with companions needs them. tabs: whether
    the page shows its tabs, which the story points to ("(Gradients tab)"); presenter mode shows none, and its
    story leaves the pointers out (text.pointing). race, he_race: the finished races of this page's network
    ({scheme: result}) and of the He et al. 2015 preset ({depth: {scheme: result}}), or None before they have run,
    which step 5's story reads (race_story).
    """
    if code == CUSTOM:
        return pointing(join(lang, [t(lang, "story_custom"), *filter(None, [summary.theory_spread_note(result, lang)])],
                             "sentence"), tabs)
    n = story_numbers(result)
    for name, other in (others or {}).items():
        n.update({f"{name}_{key}": value for key, value in stream_numbers(other).items()})
    if code == ISOMETRY_STEP:
        n.update(isometry_numbers(result.config))
    if code == CONV_STEP:
        n.update(conv_numbers(result))
    shown = {name: format_value(value) for name, value in n.items()}
    for low, high in (*RANGES, *STEP_RANGES.get(code, ())):  # each end with its digits, zeros kept: 0.628 to 0.630
        if low in n and high in n:
            shown[low], shown[high] = format_range(n[low], n[high])
    shown.update({name: int(n[name]) for name in ("low_layer", "high_layer", "depth", "channels", "kernel", "k2",
                                                  "fan_in", "edge_taps", "corner_taps") if name in n})
    if code == CONV_STEP:  # the measured last layer against the theory that follows every pixel
        rel = relation(n["act_last"], n["theory_last"])
        shown["theory_word"] = t(lang, f"cmp_{rel}") if rel else "—"
        word = summary.spread_word(n["act_last"] / n["act_first"])  # against 1: "keep their spread"
        # a spread lost or gained that the verdict's tenfold band still calls healthy says so: seed 3's x0.44
        # under "healthy" had read as a contradiction
        within = t(lang, "story_11_within") if word != "kept" and summary.verdict(result) == "healthy" else ""
        spread = summary.SPREAD_KEPT if word == "kept" else summary.times_apart(n["act_last"] / n["act_first"])
        shown["spread"] = t(lang, f"story_11_{word}", factor=format_value(spread), within=within)
    if code == ISOMETRY_STEP:
        shown["orthogonal_kept"] = kept_words(result.config, lang)
    shown.update(saturated_first=format_share(n["saturated_first"]), width=result.config.width,
                 batch=result.config.batch,  # a weight's gradient is the batch's mean (core.network)
                 saturation=summary.saturation_rules()["tanh_edge"],  # where core.network counts a value saturated
                 bn_factor=format_value(n.get("bn_factor"), 2), scale=t(lang, "update_scale"),
                 units_column=f"**{t(lang, 'column_distinct_units')}**")  # the Data tab's column, its own name
    if code in ("2", "3"):
        shown.update(lecture_numbers(result.config))
    if code == HALVING_STEP:
        # the verdict's own word, as the headline writes it below the story
        shown["vanishing"] = t(lang, "story_5_vanishing", verdict=t(lang, "verdict_vanishing")) \
            if summary.verdict(result) == "vanishing" else ""
        shown["race"] = race_story(race, he_race, lang)
    if code == FIRST:
        shown["gradients"] = symmetry_gradients(result, lang)
    # a measured growth against its theory: "below", "close to" (derivation.relation), chosen from the numbers
    for prefix in ("", *(f"{name}_" for name in others or {})):
        if f"{prefix}stream_growth" in n:
            rel = relation(n[f"{prefix}stream_growth"], n[f"{prefix}theory_growth"])
            shown[f"{prefix}relation"] = t(lang, f"cmp_{rel}") if rel else "—"
    if result.config.residual:  # what the same stream reaches with alpha = 1 and no norm (step 8's)
        shown["plain_theory"] = format_value(plain_growth(result.config))
    return pointing(t(lang, f"story_{code}", **shown), tabs)


# The charts a story's pointers name (text.pointed), which presenter mode draws for the step: BRANCH, the branch's
# line on the std chart, as the Activations tab draws it; SPECTRUM, the Spectrum tab's singular values in place of
# the activation histograms
BRANCH, SPECTRUM = "branch", "spectrum"


def story_charts(code: str, lang: str) -> frozenset[str]:
    """The charts the story of step `code` points to (its catalogue entry's pointers, text.pointed); none at Custom."""
    return charts_pointed(lang, f"story_{code}")


def race_story(race: dict | None, he_race: dict | None, lang: str) -> str:
    """Step 5's sentences on training, each read from a race this page has run: whether Xavier's run of the page's
    race (HALVING_SCHEME) still trains, chosen from its loss (views.training.run_progress's rules: diverged, on the
    ln K plateau, off it, down to half of ln K), with its first and final loss; and each run of the He et al. 2015
    preset at its deepest depth. Before a race, what is left to measure and what He et al. 2015 report, as theirs."""
    run = (race or {}).get(HALVING_SCHEME)
    if run is None:
        said = [t(lang, "story_5_unraced")]
    else:
        left, half = plateau_steps(run, PLATEAU), plateau_steps(run, HALF)
        ln_k = math.log(run.classes)
        numbers = dict(start=format_value(run.loss[0]), final=format_value(run.final_loss),
                       steps=f"{run.steps:,}", left=left, step=half, half=format_value(HALF * ln_k),
                       ln_k=format_value(ln_k))
        if run.diverged_at is not None:  # its end, whatever came before: a diverged run trains nothing
            said = [t(lang, "story_5_diverged" if half is None else "story_5_diverged_after", step=run.diverged_at,
                      half=half)]
        else:
            said = [t(lang, "story_5_stalled" if left is None else "story_5_left" if half is None else
                      "story_5_trained", **numbers)]
    if he_race:
        depth = max(he_race)
        said.append(t(lang, "story_5_he_measured", depth=depth, runs=join(
            lang, [run_progress(scheme, r, lang) for scheme, r in he_race[depth].items()], "clause")))
    else:
        said.append(t(lang, "story_5_he_paper"))
    return join(lang, said, "sentence")


def symmetry_gradients(result, lang: str) -> str:
    """Step 1's sentence on the units' gradients (gradient_symbol's, of each layer's sum), chosen from how many differ
    in each layer (Result.distinct_grad_units): the same in every layer; the same and exactly 0 below the layers where
    they differ (zero weights pass no gradient down, while the random read-out gives each top unit its own); or the
    same in some layers and different in others."""
    depth, distinct, grad = result.config.depth, result.distinct_grad_units, result.stats["grad_std"]
    layers = range(1, depth + 1)
    same = [layer for layer in layers if distinct[layer] == 1]
    differ = [layer for layer in layers if distinct[layer] > 1]
    symbol = summary.gradient_symbol(result.config)
    if not differ:
        return t(lang, "story_1_grads_one", grad=symbol)
    numbers = dict(grad=symbol, same=summary.layers_named(lang, same),
                   differ=summary.layers_named(lang, differ),
                   distinct=int(max(distinct[layer] for layer in differ)))
    if len(differ) == 1 and same and all(grad[layer] == 0 for layer in same):
        return t(lang, "story_1_grads_zero_below", grad_std=format_value(grad[differ[0]]), **numbers)
    return t(lang, "story_1_grads_differ", **numbers)


def plain_growth(config: Config) -> float:
    """std(x_L) / std(x_0) the theory gives the same stream with alpha = 1 and no norm (step 8's network)."""
    p = predict(replace(config, branch_scale=1.0, batch_norm=False, layer_norm=False))
    return float(p["act_std"][config.depth] / p["act_std"][0])


def race_order(config: Config, schemes: Sequence[str]) -> tuple[str, ...]:
    """The order in which a race of `schemes` on the page's network `config` trains its runs (core.train.race's
    order), so that where the runs train one a core at a time (the lecture's 10 x 500) the room first watches the
    step's lesson: at a tour step its own scheme first (scheme_of; step 10's, none of them, by its init:
    "orthogonal"), then the one its lesson is contrasted with (CONTRASTS), each where the race has it, then the rest
    in the race's order; at Custom the race's order."""
    code = step_of(config)
    if code == CUSTOM:
        return tuple(schemes)
    own = scheme_of(config)
    if own == charts.OWN:
        own = next((name for name, scheme in SCHEMES.items() if scheme["init"] == config.init), own)
    first = [name for name in (own, CONTRASTS[code]) if name in schemes]
    return (*first, *(name for name in schemes if name not in first))


def step_of(config: Config) -> str:
    """The tour step whose configuration this is, seed aside (same_lesson), or CUSTOM.

    The page's step is this, read from the controls on every run: a configuration equal to a step's is that
    step however it was reached (a link, the tour, or a control moved away and back). The steps are
    different configurations, so at most one matches.
    """
    lesson = replace(config, seed=0)
    return next((code for code, step in _LESSONS.items() if step == lesson), CUSTOM)


# The sizes a slider drags; the other settings (architecture, activation, init, norm, ...) say which lesson a network is
SIZES = ("depth", "width", "widths", "batch", "image", "kernel")


def differences(a: Config, b: Config) -> tuple[int, int]:
    """How many settings two configurations differ in, the seed aside (each Config field counts once): first those
    that are not SIZES, then the sizes."""
    differ = [f.name for f in fields(Config) if f.name != "seed" and getattr(a, f.name) != getattr(b, f.name)]
    sizes = sum(name in SIZES for name in differ)
    return len(differ) - sizes, sizes


def nearest_step(config: Config, last: str | None = None) -> str:
    """The tour step the ◀ ▶ buttons go on from: the page's own step, or at Custom the one it came from.

    At a step: that step. At Custom: `last`, the last step the page showed in this session (or the step the
    link named), so moving one control at step 4 keeps ◀ ▶ going to 3 and 5; with none (a session opened on
    a link to its own network), the step whose configuration differs from this one in the fewest settings
    (differences(): the kind of network first, then its sizes, so that step 11's conv net dragged to 1,000 samples
    stays nearest to step 11, not to step 6's dense net of that batch), the earlier step on a tie.
    """
    code = step_of(config)
    if code != CUSTOM:
        return code
    if last in STEPS:
        return last
    return min(STEPS, key=lambda code: differences(config, STEPS[code]))  # min keeps the first of equals


def previous_step(code: str) -> str | None:
    """The step the page's ◀ button goes to from a step: the one before, None at the first step.

    At Custom the page passes its nearest_step(); ValueError for anything but a step's code.
    """
    codes = list(STEPS)
    index = codes.index(code)
    return codes[index - 1] if index > 0 else None


def next_step(code: str) -> str | None:
    """The step the page's ▶ button goes to from a step: the one after, None at the last step.

    At Custom the page passes its nearest_step(); ValueError for anything but a step's code.
    """
    codes = list(STEPS)
    index = codes.index(code)
    return codes[index + 1] if index + 1 < len(codes) else None


def same_lesson(a: Config, b: Config) -> bool:
    """Whether two configurations differ at most in their seed: a new draw keeps the lesson."""
    return replace(a, seed=0) == replace(b, seed=0)


_LESSONS = {code: replace(step, seed=0) for code, step in STEPS.items()}  # step_of's, made once (a replace checks)


def _draw_kind(config: Config) -> tuple:
    """The kind of a network's weights beyond their mean and variance: i.i.d. for a normal or uniform unit draw,
    warped or not (the activations' statistics read only Var(w), core.theory); orthogonal, a conv kernel's centre
    tap alone (delta-orthogonal) apart, which a dense layer, all centre tap, is not; or a constant (family None)."""
    kind = family(config.init)
    if kind in ("normal", "uniform"):
        return ("iid",)
    return (kind, kind == "orthogonal" and config.arch == "conv" and SCHEMES_RECORDS[config.init].centre)


def _law(config: Config) -> tuple[tuple, list[float]]:
    """A network's weights and biases as far as its statistics read them: (the kind of draw and the norms, each
    layer's weight mean and std and bias mean and variance, from its (fan_in, fan_out))."""
    numbers = [number for shape in config.shapes for number in (
        weight_mean(config, *shape), weight_std(config, *shape), bias_mean(config), bias_variance(config, shape[0]))]
    return (_draw_kind(config), config.batch_norm, config.layer_norm), numbers


def scheme_of(config: Config) -> str:
    """The Compare scheme a configuration is, which decides its colour everywhere in the app; charts.OWN for one that
    is none of them.

    A network is a Compare scheme when that scheme, put on the same network (scheme_config), draws weights and
    biases of the same law: the same kind of draw (_draw_kind: a uniform and a normal draw of one variance are
    one kind), the same norms, and at every layer the same mean and variance of a weight and of a bias. So Keras's
    VarianceScaling(scale=2, fan_in) is He, LeCun's 1/fan_in is Xavier's 2/(fan_in + fan_out) only where the two
    fans are equal, and He at another gain, torch's nn.Linear default or any N(0, σ²) but the lecture's two are
    the page's own network, drawn as such.
    """
    kind, numbers = _law(config)
    for name in SCHEMES:
        their_kind, theirs = _law(scheme_config(config, name))
        if their_kind == kind and all(math.isclose(a, b, rel_tol=1e-9) for a, b in zip(numbers, theirs)):
            return name
    return charts.OWN
