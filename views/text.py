"""Every word the explorer shows, in English and in simplified Chinese; `t(lang, key, **values)` fills one in."""

from __future__ import annotations

import unicodedata
from typing import Any

EN: dict[str, str] = {
    # page
    "app_title": "Init Explorer",
    "app_tagline": "Why the initial weights decide whether a deep net can learn, layer by layer.",
    "step_heading": "Step {n} of 7 · {title}",
    "custom_heading": "Your own network",
    "previous": "◀ Previous step",
    "next": "Next step ▶",
    "previous_help": "Go to the previous step of the lecture tour.",
    "next_help": "Go to the next step of the lecture tour.",
    "network_line": "{depth} layers × {width} units · {activation}{bn} · init {init} · batch {batch} · seed {seed}",
    "bn_suffix": " + batch norm",
    "computing_note": "Computing the new settings… The page below still shows the previous ones until then.",
    "waiting_note_one": "Waiting for 1 other computation on this server to make room… The page below still shows "
                        "the previous settings until then.",
    "waiting_note": "Waiting for {n} other computations on this server to make room… The page below still shows "
                    "the previous settings until then.",
    "budget_setting": "This server is set up wrongly, so the page computes nothing: {name} is {value}, but it takes "
                      "a whole number of MiB from {low} to {high}, the memory the server's computations may use "
                      "at once (unset: {default} MiB).",
    # tour
    "tour": "Lecture tour",
    "tour_help": "Each step sets every control to one moment of the lecture. Change any control and you are in Custom.",
    "step_1": "All-zero weights: symmetry",
    "step_2": "Small random N(0, 0.01²) + tanh",
    "step_3": "Large random N(0, 1) + tanh",
    "step_4": "Xavier + tanh",
    "step_5": "Xavier + ReLU",
    "step_6": "He + ReLU",
    "step_7": "Batch norm rescues a bad init",
    "step_custom": "Custom: your own settings",
    "story_1": (
        "Every weight starts at exactly 0, so every unit of a layer computes the same sum, here 0 for every sample: "
        "the same activation, the same gradient, and after an update the same weights again. Look at **distinct "
        "units** in the Data tab and at the verdict: {width} units act as one, and training cannot pull them apart. "
        "Here the weight gradients are even exactly 0 in every layer (the Gradients tab's log axes have nothing to "
        "draw): W = 0 passes no gradient down, and the layers above the first receive tanh(0) = 0. Random weights "
        "are needed to break the symmetry."
    ),
    "story_2": (
        "Weights drawn as 0.01 × randn. Each layer multiplies the spread of its input by about "
        "√(500 × 0.01²) ≈ 0.22 (measured: ×{act_factor} a layer), so by layer 10 the activations have a std of "
        "{act_last}, a spike at 0 in the histograms. On the way back the gradient shrinks the same way, from "
        "{grad_last} at layer 10 to {grad_first} at layer 1. A weight's gradient dW = hᵀ·∂L/∂s multiplies the two, "
        "small activations high up and small gradients low down, so every layer gets about the same tiny update: "
        "std(dW) / std(W) is {ratio_low} to {ratio_high} in all ten layers (Gradients tab), and an update of "
        "{guide} of the weights would take a learning rate near {lr}. Not only the early layers: every layer "
        "hardly learns."
    ),
    "story_3": (
        "Now 1.0 × randn. A pre-activation adds up 500 terms of variance 1, so its std is about √500 ≈ 22 "
        "(measured {pre_first}) and tanh is driven to ±1: {saturated_first} of layer 1's values are saturated, and "
        "the histograms pile up at the two ends. There tanh is flat, so a saturated unit passes almost no gradient "
        "to its weights; the few unsaturated ones multiply it by large weights, and the gradient swells "
        "×{grad_factor} a layer towards the first layer, from {grad_last} to {grad_first} (Gradients tab). The "
        "updates differ as much: std(dW) / std(W) runs from {ratio_low} at layer {low_layer} to {ratio_high} at "
        "layer {high_layer}, so no single learning rate suits every layer."
    ),
    "story_4": (
        "Xavier init (Glorot & Bengio 2010) draws Var(w) = 1/n, so n·Var(w) = 1 and a layer passes on the "
        "variance it receives, as long as tanh is close to linear. The activations stay spread out through all ten "
        "layers (std {act_first} at layer 1, {act_last} at layer 10), and the gradient reaches layer 1 at a useful "
        "size ({grad_first}, from {grad_last} at the top). The slow decline of both is tanh bending away from a "
        "straight line, and the dashed theory curves predict it."
    ),
    "story_5": (
        "The same Xavier weights with ReLU. ReLU sets the negative half of every pre-activation to 0, which halves "
        "its second moment at each layer. Ten halvings later the activations crowd towards 0 again (×{act_factor} "
        "a layer in std, where √½ ≈ 0.71), and the gradients shrink the same way on their way back "
        "(×{grad_factor} a layer)."
    ),
    "story_6": (
        "He init (He et al. 2015) doubles the variance to make up for ReLU's half: Var(w) = 2/n, so "
        "½·n·Var(w) = 1. The activations keep the same spread from the first layer to the last (std {act_first} "
        "to {act_last}), and the gradient arrives at layer 1 about as large as it left the top ({grad_first} "
        "against {grad_last})."
    ),
    "story_7": (
        "Step 2's collapsing 0.01 × randn again, now with batch normalization (Ioffe & Szegedy 2015) before each "
        "tanh. Every unit's pre-activation is rescaled to mean 0 and variance 1 over the batch, so the size of the "
        "weights no longer matters to the signal: the activations keep a std of {act_low} to {act_high} in every "
        "layer, and the gradient reaches layer 1 at {grad_first}. It still matters to the updates: batch norm "
        "undoes W's scale, so std(dW) / std(W) grows as 1/Var(w). With weights of 0.01 it is {ratio_low} to "
        "{ratio_high}, {bn_factor} times what Xavier's Var(w) = 1/n would give this network, and a learning rate "
        "near {lr} keeps an update at {guide} of the weights. The dashed theory of the gradient follows each unit "
        "on its own: it leaves out the part of batch norm's backward pass that passes gradient between the "
        "samples of a batch (about 1/batch of it)."
    ),
    "story_custom": (
        "Your own configuration. Compare each measured curve with the dashed theory: where they agree, the "
        "variance argument of the Derivation tab explains what you see; where they part (saturation, dead units, "
        "narrow layers, constant weights), one of its assumptions no longer holds."
    ),
    # sidebar sections and controls
    "network": "Network",
    "depth": "Depth (hidden layers)",
    "depth_help": "How many layers of Linear(width, width) followed by the nonlinearity.",
    "width": "Width n (units per layer)",
    "width_help": "Units per layer; the input has the same width, so every layer has fan-in = fan-out = n.",
    "activation": "Activation",
    "activation_help": "The nonlinearity f after each linear layer.",
    # each activation's name in the list, one key per record of core/activations.py
    "act_tanh": "tanh",
    "act_sigmoid": "sigmoid",
    "act_relu": "ReLU",
    "act_leaky_relu": "leaky ReLU",
    "act_linear": "linear (identity)",
    "act_elu": "ELU",
    "act_selu": "SELU",
    "act_gelu": "GELU",
    "act_silu": "SiLU (swish)",
    "slope": "Leaky slope",
    "slope_help": "leaky_relu's slope for negative inputs (torch's default is 0.01).",
    "bn": "Batch norm before each activation",
    "bn_help": "Normalize each unit's pre-activation over the batch to mean 0, variance 1 (γ = 1, β = 0).",
    "initialization": "Initialization",
    "init": "Scheme",
    "init_help": "How each weight matrix W is drawn, with the formulas of torch.nn.init.",
    "std": "Weight std σ",
    "std_help": "W ~ N(0, σ²). The lecture tries 0.01 and 1.0.",
    "bound": "Bound b",
    "bound_help": "W ~ U(−b, b), which has variance b²/3.",
    "value": "Constant value",
    "value_help": "Every weight equals this value.",
    "gain": "Gain",
    "gain_help": (
        "default: torch.nn.init's own default for the scheme · recommended: torch's calculate_gain for the "
        "activation · or type a number."
    ),
    "gain_placeholder": "default, recommended or a number",
    "mode": "Fan mode",
    "mode_help": "He init: keep the forward variance (fan_in) or the backward one (fan_out). Equal here, as n_in = n_out.",
    "bias": "Bias mean",
    "bias_help": "Mean of each unit's bias.",
    "bias_std": "Bias std",
    "bias_std_help": "Spread of the biases across units.",
    "data": "Data",
    "batch": "Batch size",
    "batch_help": "How many input samples go through the network.",
    "input": "Input distribution",
    "input_help": "Standard normal, or uniform on [−√3, √3]; both have mean 0 and variance 1.",
    "seed": "Seed",
    "seed_help": "Seed of the random number generator: the same seed draws the same weights and data.",
    "new_seed": "New seed",
    "new_seed_help": "Draw again with the next seed (seed + 1): the lesson stays, only the random draw changes.",
    "dtype": "Precision",
    "dtype_help": "float32 like real frameworks, or float64 to see which effects are rounding and which are not.",
    "language": "Language",
    "language_help": "The page's language; every other setting stays as it is.",
    "lang_en": "English",
    "lang_zh": "中文",
    "formula_zeros": "Every weight is 0.",
    "formula_constant": "Every weight is the same value $c$.",
    "formula_normal": "$w \\sim \\mathcal N(0, \\sigma^2)$",
    "formula_uniform": "$w \\sim \\mathcal U(-b, b)$, $\\mathrm{Var}(w) = b^2/3$",
    "formula_xavier_normal": "$\\mathrm{Var}(w) = \\mathrm{gain}^2 \\cdot 2/(n_{in}+n_{out})$",
    "formula_xavier_uniform": "$\\mathrm{Var}(w) = \\mathrm{gain}^2 \\cdot 2/(n_{in}+n_{out})$, uniform",
    "formula_he_normal": "$\\mathrm{Var}(w) = \\mathrm{gain}^2/n_{fan}$, gain $\\sqrt2$",
    "formula_he_uniform": "$\\mathrm{Var}(w) = \\mathrm{gain}^2/n_{fan}$, gain $\\sqrt2$, uniform",
    "formula_lecun_normal": "$\\mathrm{Var}(w) = \\mathrm{gain}^2/n_{in}$",
    "formula_orthogonal": "$W$ = gain × a random orthogonal matrix",
    "weight_std_line": "Here: std(w) = {std}, n·Var(w) = {nvar}",
    "gain_line": "Gain used: {gain}",
    "gain_none": "torch recommends no gain for {activation}; the scheme's default gain is used.",
    "gain_unknown": "{raw} is not a gain: type default, recommended or a number from {low} to {high}. The default is used.",
    "gain_selu": (
        "torch's calculate_gain('selu') is {gain}, which gives up self-normalization for steadier gradients. "
        "torch's documentation says a self-normalizing network (Klambauer et al. 2017) uses the linear gain, "
        "{linear}: type {linear} for Var(w) = 1/n."
    ),
    # headline
    "metric_act": "Last-layer activation std",
    "metric_act_delta": "×{ratio} of the input's {input}",
    "metric_grad": "Gradient std at layer 1",
    "metric_grad_delta": "×{ratio} of layer {depth}'s {last}",
    "metric_saturated": "Saturated values (last layer)",
    "metric_dead": "Dead units (last layer)",
    "metric_sat_dead": "Saturated / dead",
    "metric_sat_dead_none": "not defined for {activation}",
    "missing_overflow": "missing: the {stage} pass overflowed {dtype} at layer {layer}",
    "missing_underflow": "missing: the {stage} pass underflowed to 0 in {dtype} at layer {layer}",
    "metric_missing": "—",
    "metric_verdict": "Verdict",
    "verdict_healthy": "healthy",
    "verdict_vanishing": "vanishing",
    "verdict_exploding": "exploding",
    "verdict_saturated": "saturated",
    "verdict_symmetric": "symmetric",
    "verdict_dead": "dead",
    "verdict_overflowed": "overflowed",
    "verdict_healthy_why": (
        "Activations and gradients keep a workable scale: the activations change ×{act} from the input to layer "
        "{depth}, the gradient ×{grad} from layer {depth} back to layer 1, both within ×{low} to ×{high}."
    ),
    "verdict_vanishing_why": "Signals fade below ×{limit} on their way through the network: {parts}.",
    "verdict_exploding_why": "Signals grow past ×{limit} on their way through the network: {parts}.",
    "part_act": "the activations ×{ratio} from the input to layer {depth}",
    "part_grad": "the gradient ×{ratio} from layer {depth} back to layer 1",
    "part_underflow": "the {stage} values rounded to 0 in {dtype} at layer {layer}",
    "verdict_saturated_why": (
        "{share} of the values of layer {layer} sit on the flat ends of {activation}, where its slope is nearly 0: "
        "they pass almost no gradient to their weights."
    ),
    "verdict_saturated_flat_why": (
        "Every value of layer {layer} is the same, {value}: the pre-activations all lie on the flat end of "
        "{activation}, where its slope is 0 in {dtype}, so no gradient passes back through the layer."
    ),
    "verdict_symmetric_why": (
        "All {width} units of layer {layer} compute the same value for every sample: with equal weights they get "
        "equal gradients and equal updates, so they can never learn different features."
    ),
    "verdict_dead_why": (
        "Every unit of layer {layer} outputs 0 for every sample: all its pre-activations lie below ReLU's kink, where "
        "the slope is 0, so no gradient passes back through the layer and no weight of layer {layer} or below ever "
        "changes. The units are identical because they are dead, not because their weights are equal: the "
        "dying-ReLU problem (Lu et al. 2019)."
    ),
    "verdict_overflowed_why": (
        "The {stage} values grew past the largest {dtype} number at layer {layer}: from there on they are inf or "
        "NaN, and the page has no numbers for the layers beyond it."
    ),
    "update_zero": "Update size: every weight gradient is exactly 0, so no learning rate moves these weights.",
    "update_even": (
        "Update size: std(∂L/∂W) / std(W) is {low} to {high} across the layers, so a learning rate near {lr} makes "
        "each update {guide} of the weights, CS231n's rule of thumb (the Gradients tab's dashed guide)."
    ),
    "update_uneven": (
        "Update size: std(∂L/∂W) / std(W) runs from {low} at layer {low_layer} to {high} at layer {high_layer}, "
        "×{spread} apart. A learning rate near {lr} makes layer {high_layer}'s updates {guide} of its weights and "
        "leaves layer {low_layer}'s ×{spread} smaller: no single learning rate suits every layer."
    ),
    # problems
    "url_problem": "The link's value {raw} for **{name}** is not allowed: {allowed}. The default ({default}) is used instead.",
    "allowed_int": "a whole number from {low} to {high}",
    "allowed_float": "a number from {low} to {high}",
    "allowed_choice": "one of {choices}",
    "allowed_bool": "true or false",
    "allowed_gain": "default, recommended or a number from {low} to {high}",
    "allowed_list": "a list of {choices}",
    "url_list_problem": (
        "The link's list **{name}** has items that are not allowed ({raw}): each item is one of {choices}. "
        "They are left out; the rest is used ({kept})."
    ),
    "url_repeated": (
        "The link gives **{name}** {count} values ({raw}); a setting takes one, so the last is used: {used}."
    ),
    "url_digits": "The link writes **{name}** as {raw}, with digits other than 0–9; it is read as {used}.",
    "url_unknown": (
        "The link has parameters this page does not know, {names}; they do nothing and are left out of the "
        "address."
    ),
    "url_more": "{count:,} more",
    "user_text_empty": "an empty value",
    "user_text_cut": "{shown}… ({length:,} characters in all)",
    "break_overflow": "Values overflowed {dtype} at layer {layer} ({stage} pass); the layers after it are not drawn.",
    "break_underflow": "Values underflowed to zero in {dtype} at layer {layer} ({stage} pass); the layers after it are not drawn.",
    "stage_forward": "forward",
    "stage_backward": "backward",
    "memory": (
        "This network needs about {need:,.0f} MiB, over the budget of {budget:,.0f} MiB. Lower the depth, the "
        "width or the batch size: memory grows with depth × batch × width."
    ),
    "work": (
        "This network needs about {work} floating-point operations, over this app's limit of {limit} (about "
        "{seconds} s of one core). At these settings a depth up to {depth:,} or a width up to {width:,} fits: the "
        "work grows with depth × batch × width², and with depth × width³ for orthogonal init (a QR per layer)."
    ),
    "work_width": (
        "This network needs about {work} floating-point operations, over this app's limit of {limit} (about "
        "{seconds} s of one core). At these settings a width up to {width:,} fits: the work grows with depth × "
        "batch × width², and with depth × width³ for orthogonal init (a QR per layer)."
    ),
    # tabs
    "tab_activations": "Activations",
    "tab_gradients": "Gradients",
    "tab_derivation": "Derivation",
    "tab_compare": "Compare",
    "tab_data": "Data",
    "tab_training": "Training",
    "tab_theory": "Theory",
    "log_y": "Log scale",
    "log_y_help": "Show the std on a logarithmic axis, where a constant factor per layer is a straight line.",
    "layer": "layer",
    "panel": "layer {n}",
    "measured": "measured",
    "theory": "theory",
    "series": "curve",
    "chart_act_std": "Activation std per layer",
    "chart_act_mean": "Activation mean per layer",
    "chart_hist": "Activation histograms",
    "hist_caption": (
        "Share of the batch's activations in each bin of the activation's value, one panel per layer{every}. The "
        "x axis is the same in every panel; values beyond it are counted in the end bins."
    ),
    "hist_every": " (every {k}th layer)",
    "share": "share",
    "bin": "bin",
    "bin_start": "bin from",
    "bin_end": "bin to",
    "std_axis": "std",
    "mean_axis": "mean",
    "chart_grad_std": "Gradient std ∂L/∂s per layer",
    "chart_grad_std_bn": "Gradient std ∂L/∂z per layer (z = h·W + b, before batch norm)",
    "chart_ratio": "Weight gradient : weight, std(∂L/∂W) / std(W)",
    "ratio_axis": "ratio",
    "guide": "1e-3 guide",
    "grad_caption": (
        "The backward pass starts from a random N(0, 1) gradient at the top layer, so the chart shows what the "
        "layers do to a gradient on its way down. CS231n's rule of thumb wants updates of about 10⁻³ of the weights; "
        "with learning rate η an update is η × this ratio."
    ),
    "theory_bn": (
        "Under batch norm the dashed theory follows each unit on its own: on the way back the gradient is divided "
        "by √(v + ε), v being the unit's variance over the batch, as on the way forward; the two terms by which "
        "the batch mean and variance pass gradient between samples, about 1/batch of it, are left out "
        "(Ioffe & Szegedy 2015)."
    ),
    "no_theory_constant": "No theory curve: constant weights break the zero-mean assumption the theory rests on.",
    "compare_pick": "Schemes",
    "compare_help": "Each scheme keeps its colour everywhere in the app. Same network, seed and data for all.",
    "compare_caption": "Activation std per layer for this network ({depth} × {width}, {activation}) under each scheme.",
    "compare_empty": "Pick at least one scheme.",
    "chart_compare": "Activation std per layer, by scheme",
    "scheme": "scheme",
    "zero_not_drawn": "Exactly 0 (not drawn on a log scale): {names}.",
    "log_zero": "Exactly 0 at layers {layers} ({series}): a log axis cannot draw zero.",
    "ratio_undefined": "The ratio is not defined at layers {layers}: every weight there is equal, so std(W) = 0.",
    "data_caption": (
        "Every statistic per layer (layer 0 is the input). saturated_values is the share of the layer's activation "
        "values on tanh's or sigmoid's flat ends, dead_units the share of its units that are ≤ 0 for every sample. "
        "Empty cells are undefined or beyond a break."
    ),
    "download_csv": "Download CSV",
    "config_json": "Configuration as JSON",
    "simulating_compare": "Simulating {n} networks…",
    # derivation
    "der_intro": (
        "Why the spread of the activations changes from layer to layer, with this network's numbers put in "
        "and what the simulation measured next to them."
    ),
    "der_sum_title": "1 · One unit's pre-activation",
    "der_sum_note": "A unit adds up n = {n} inputs, each times its own weight.",
    "der_var_title": "2 · The variance of a sum",
    "der_var_note": (
        "Assumptions: the weights and inputs are independent of each other, and the weights have mean 0. "
        "Then the variances of the n terms add up."
    ),
    "der_var_numbers": (
        "Here: n = {n}, Var(w) = {var_w}, E[x²] = {ex2} (the input's variance) → Var({sym}₁) = {var_s}, "
        "std({sym}₁) = {std_s}."
    ),
    "der_measured_input": "Measured: E[x²] = {measured_ex2} over this batch, std(s₁) = {measured_std_s}.",
    "der_measured_input_bn": (
        "Measured: E[x²] = {measured_ex2} over this batch (z₁ itself is not recorded: the per-layer statistics "
        "are taken after batch norm)."
    ),
    "der_bias_note": "The biases vary from unit to unit with variance σ_b² = {var_b}, which adds to every Var({sym}).",
    "der_bias_mean_note": (
        "The mean bias b = {bias} moves every s by b. That leaves Var(s₁) as it is, but from layer 2 on the "
        "weights turn the offset into spread: E[h²] counts it."
    ),
    "der_bias_bn_note": "Batch norm subtracts each unit's mean over the batch, so the biases cancel from s on.",
    "der_tanh_title": "3 · Through tanh: the factor per layer",
    "der_tanh_note": (
        "Near 0, tanh(s) ≈ s, so a layer multiplies the std by √(n·Var(w)) as long as the values stay small. "
        "For large |s|, tanh saturates instead: |h| → 1 and tanh′(s) → 0."
    ),
    "der_tanh_regime_much_less": (
        "Here std(s₁) = {std_s} is {relation} {reference}: the values stay on tanh's straight part, where the "
        "factor holds closely."
    ),
    "der_tanh_regime_less": (
        "Here std(s₁) = {std_s} is {relation} {reference}: most values stay on tanh's straight part, and its bend "
        "makes each layer's factor a little smaller than √(n·Var(w))."
    ),
    "der_tanh_regime_close": (
        "Here std(s₁) = {std_s} is {relation} {reference}: the values reach into tanh's bend, which takes more off "
        "the spread than the straight-line factor says; as the spread shrinks, the values move onto the straight "
        "part and the decline slows down, as the theory curve shows."
    ),
    "der_tanh_regime_greater": (
        "Here std(s₁) = {std_s} is {relation} {reference}: a good share of the values reaches tanh's flat ends, "
        "which cap |h| at 1, so the straight-line factor overstates the spread."
    ),
    "der_saturation_numbers": (
        "Here: std(s₁) = {std_s}, {relation} {reference}, so the straight-line factor does not apply: tanh caps "
        "|h| at 1 and {saturated} of the last layer's activation values are saturated (|h| > {saturation_level}). "
        "Theory std(h_{depth}) = {theory_act}; measured {act_last}."
    ),
    "der_factor_numbers": (
        "Here: factor {factor} a layer → after {depth} layers {total}. Theory, layer by layer: "
        "std(h_{depth}) / std(x) = {theory_ratio}; measured {act_ratio}."
    ),
    "der_linear_title": "3 · Through the identity: the factor per layer",
    "der_linear_note": "With f(s) = s the factor is exact: every layer multiplies the std by √(n·Var(w)).",
    "der_relu_title": "3 · Through ReLU: half the variance",
    "der_relu_note": (
        "ReLU keeps the positive half of a zero-mean, symmetric s and zeros the rest, so E[h²] = ½·Var(s): "
        "each layer multiplies the second moment by ½·n·Var(w)."
    ),
    "der_leaky_note": "leaky_relu keeps a slope a on the negative side: E[h²] = ½(1 + a²)·Var(s).",
    "der_relu_numbers": (
        "Here: factor {factor} a layer on √E[h²] → after {depth} layers √E[h_{depth}²] / √E[x²] = {total}. "
        "The std, √(E[h²] − E[h]²), leaves out the outputs' mean: theory std(h_{depth}) / std(x) = "
        "{theory_ratio}; measured {act_ratio}."
    ),
    "der_other_title": "3 · Through {activation}",
    "der_other_note": (
        "E[f(s)²] for {activation} has no short closed form; the theory integrates it numerically, layer by layer, "
        "for a Gaussian s."
    ),
    "der_bias_act_title": "3 · Through {activation} with biases",
    "der_bias_act_note": (
        "With biases the layers no longer multiply the std by one constant factor: each adds σ_b² to Var(s), and "
        "the mean bias b shifts s, which the next layer's weights turn into spread. The theory follows the "
        "recursion layer by layer, with s Gaussian of mean b and variance q_l."
    ),
    "der_bias_numbers": (
        "Here: n·Var(w) = {nvar}, σ_b² = {var_b}, b = {bias}. Theory: std(h_{depth}) / std(x) = {theory_ratio}; "
        "measured {act_ratio}."
    ),
    "der_theory_numbers": "Here: theory std(h_{depth}) = {theory_act}; measured {act_last}.",
    "der_bn_act_title": "3 · Through {activation} after batch norm",
    "der_bn_act_note": (
        "Batch norm hands every layer's nonlinearity an input s of variance σ_B²/(σ_B² + ε) (step 6), which is 1 "
        "unless the sums z are as small as √ε: the size of the weights no longer decides the spread."
    ),
    "der_condition_title": "4 · Keep the factor at 1",
    "der_condition_note": (
        "Xavier (Glorot & Bengio 2010) asks n·Var(w) = 1, the right factor for tanh near 0; their 2/(n_in + n_out) "
        "equals 1/n when the layers are equally wide. ReLU halves the variance, so He et al. (2015) double it."
    ),
    "der_condition_numbers": "Here: n = {n}, so Xavier gives Var(w) = {xavier} and He gives {he}; this network has Var(w) = {var_w}, i.e. n·Var(w) = {nvar}.",
    "der_back_title": "5 · The same factor on the way back",
    "der_back_note": (
        "The gradient with respect to an input sums n terms too, one per unit it feeds, and passes through f′ "
        "on the way: the backward factor per layer is n·Var(w)·E[f′(s)²]."
    ),
    "der_back_numbers": (
        "Here: measured std(∂L/∂s) at layer 1 / at layer {depth} = {grad_ratio}; theory {theory_grad_ratio}."
    ),
    "der_back_bn": (
        "Here: measured std(∂L/∂z) at layer 1 / at layer {depth} = {grad_ratio}, for the sum z before batch norm "
        "(as the Gradients tab draws it); theory {theory_grad_ratio}, where each layer also divides the gradient "
        "by √(v + ε), v being a unit's variance of z over the batch."
    ),
    "der_bn_title": "6 · Batch norm resets the scale",
    "der_bn_note": (
        "Batch norm divides each unit's sum z by √(σ_B² + ε), σ_B being its std over the batch, so "
        "Var(s) = σ_B²/(σ_B² + ε) whatever n·Var(w) is: the factor of step 3 no longer builds up "
        "(Ioffe & Szegedy 2015)."
    ),
    "der_bn_numbers": "Here: measured std(s) from layer 1 to {depth}: {bn_low} to {bn_high}.",
    "der_zero_title": "Zero weights: nothing to add up",
    "der_zero_note": (
        "With w = 0 every {sym} is exactly its bias, whatever the input: every unit of a layer computes the same "
        "value, gets the same gradient and the same update. The variance argument has nothing to work with."
    ),
    "der_zero_bias_note": (
        "With w = 0 every {sym} is exactly its bias, whatever the input. The biases differ from unit to unit here, "
        "so the units differ, but each one outputs the same value for every input: the network ignores its "
        "input, and the variance argument has nothing to work with."
    ),
    "der_zero_numbers_same": "Here: distinct units in each of layers 1 to {depth}: {distinct_low} of {n}.",
    "der_zero_numbers": (
        "Here: distinct units per layer, layers 1 to {depth}: from {distinct_low} to {distinct_high} of {n}."
    ),
    "der_constant_title": "Constant weights: every unit the same",
    "der_constant_note": (
        "With w = c every unit computes the same c·Σx: the units are identical copies, and E[w] ≠ 0 breaks the "
        "zero-mean assumption of step 2, so the theory gives no prediction."
    ),
    "der_missing_overflow": "— (the values overflowed {dtype} at layer {layer})",
    "der_missing_underflow": "— (the values underflowed to zero in {dtype} at layer {layer})",
    "der_beyond_float64": "— (beyond float64's range)",
    # comparing two numbers (views/derivation.relation picks one)
    "cmp_much_less": "far below",
    "cmp_less": "below",
    "cmp_close": "close to",
    "cmp_greater": "above",
    "cmp_much_greater": "far above",
    # references
    "references": "References",
    "references_body": (
        "Glorot & Bengio (2010), *Understanding the difficulty of training deep feedforward neural networks* · "
        "He et al. (2015), *Delving deep into rectifiers* · Ioffe & Szegedy (2015), *Batch normalization* · "
        "CS231n, *Neural Networks Part 2: weight initialization*."
    ),
    # --- init schemes added since (core/schemes.py): their formulas ---
    "formula_lecun_uniform": "$\\mathrm{Var}(w) = \\mathrm{gain}^2/n_{in}$, uniform",
}

ZH: dict[str, str] = {
    "app_title": "初始化探索器",
    "app_tagline": "一层一层地看：为什么初始权重决定了深度网络能不能学起来。",
    "step_heading": "第 {n} 步（共 7 步）· {title}",
    "custom_heading": "你自己的网络",
    "previous": "◀ 上一步",
    "next": "下一步 ▶",
    "previous_help": "回到课程导览的上一步。",
    "next_help": "进入课程导览的下一步。",
    "network_line": "{depth} 层 × {width} 个神经元 · {activation}{bn} · 初始化 {init} · 批量 {batch} · 种子 {seed}",
    "bn_suffix": " + 批归一化",
    "computing_note": "正在计算新的设置……在此之前，下方仍显示之前设置的结果。",
    "waiting_note_one": "正在等待本服务器上的另外 1 个计算腾出资源……在此之前，下方仍显示之前设置的结果。",
    "waiting_note": "正在等待本服务器上的另外 {n} 个计算腾出资源……在此之前，下方仍显示之前设置的结果。",
    "budget_setting": "本服务器的设置有误，因此页面不进行任何计算：{name} 的值为 {value}，但它应为 {low} 到 {high} "
                      "之间的整数（单位 MiB），即服务器上同时进行的计算可使用的内存（未设置时为 {default} MiB）。",
    "tour": "课程导览",
    "tour_help": "每一步都会把所有控件设成课上讲到的某个情形。之后改动任何控件，就进入“自定义”。",
    "step_1": "权重全为零：对称性",
    "step_2": "小随机数 N(0, 0.01²) + tanh",
    "step_3": "大随机数 N(0, 1) + tanh",
    "step_4": "Xavier + tanh",
    "step_5": "Xavier + ReLU",
    "step_6": "He + ReLU",
    "step_7": "批归一化救回糟糕的初始化",
    "step_custom": "自定义：你自己的设置",
    "story_1": (
        "所有权重都从 0 开始，于是同一层的每个神经元算出的加权和完全一样，这里对每个样本都是 0：输出一样，梯度一样，"
        "更新之后权重还是一样。看看“数据”页里的**不同神经元**个数和诊断结果：{width} 个神经元其实只相当于一个，"
        "训练再久也分不开它们。这里权重的梯度甚至在每一层都恰好为 0（“梯度”页的对数坐标上什么也画不出来）："
        "W = 0 不向下传任何梯度，而第一层以上各层收到的输入都是 tanh(0) = 0。必须用随机的权重来打破这种对称。"
    ),
    "story_2": (
        "权重取 0.01 × randn。每经过一层，激活值的分布宽度大约乘以 √(500 × 0.01²) ≈ 0.22（实测每层乘 {act_factor}），"
        "到第 10 层激活值的标准差只剩 {act_last}，在直方图里挤成 0 处的一根尖峰。反向传播时梯度以同样的方式缩小，"
        "从第 10 层的 {grad_last} 变成第 1 层的 {grad_first}。权重的梯度 dW = hᵀ·∂L/∂s 是两者的乘积：上面的层激活值小，"
        "下面的层梯度小，所以每一层得到的更新都差不多一样小：十层的 std(dW) / std(W) 都在 {ratio_low} 到 {ratio_high} "
        "之间（见“梯度”页），要让每次更新达到权重的 {guide}，学习率得取 {lr} 左右。不只是前面的层，每一层都几乎学不动。"
    ),
    "story_3": (
        "换成 1.0 × randn。一个神经元的输入是 500 个方差为 1 的项相加，标准差约为 √500 ≈ 22（实测 {pre_first}），"
        "tanh 被推到 ±1：第 1 层有 {saturated_first} 的值饱和，直方图的数值都堆在两端。tanh 在那里几乎是平的，"
        "饱和的神经元几乎不给自己的权重传梯度；少数没饱和的神经元又会乘上很大的权重，梯度越往前面的层越大，"
        "每层乘 {grad_factor}，从 {grad_last} 变成 {grad_first}（见“梯度”页）。各层的更新也相差同样悬殊："
        "std(dW) / std(W) 从第 {low_layer} 层的 {ratio_low} 到第 {high_layer} 层的 {ratio_high}，没有一个学习率能同时适合每一层。"
    ),
    "story_4": (
        "Xavier 初始化（Glorot & Bengio 2010）让 Var(w) = 1/n，于是 n·Var(w) = 1：只要 tanh 还接近线性，"
        "每一层都把收到的方差原样传下去。十层里激活值一直保持展开（第 1 层标准差 {act_first}，第 10 层 {act_last}），"
        "梯度传到第 1 层时大小也合适（{grad_first}，最上层是 {grad_last}）。两者缓慢的下降都来自 tanh 偏离直线的弯曲，"
        "虚线的理论曲线也预测到了这一点。"
    ),
    "story_5": (
        "同样的 Xavier 权重，换成 ReLU。ReLU 把每个输入的负半边都变成 0，每一层的二阶矩因此减半。"
        "减半十次之后，激活值又向 0 挤过去（标准差每层乘 {act_factor}，而 √½ ≈ 0.71），"
        "梯度在反向传播时也同样地缩小（每层乘 {grad_factor}）。"
    ),
    "story_6": (
        "He 初始化（He et al. 2015）把方差加倍，补上 ReLU 丢掉的那一半：Var(w) = 2/n，于是 ½·n·Var(w) = 1。"
        "激活值从第一层到最后一层保持同样的分布宽度（标准差从 {act_first} 到 {act_last}），"
        "梯度传到第 1 层时也和出发时差不多大（{grad_first}，出发时 {grad_last}）。"
    ),
    "story_7": (
        "还是第 2 步那个会塌缩的 0.01 × randn，这次在每个 tanh 之前加上批归一化（Ioffe & Szegedy 2015）："
        "每个神经元的输入都在一个批量上被重新缩放到均值 0、方差 1，权重的大小对信号就不再重要了："
        "每一层激活值的标准差都在 {act_low} 到 {act_high} 之间，梯度传到第 1 层时是 {grad_first}。"
        "但它对更新仍然重要：批归一化抵消了 W 的尺度，于是 std(dW) / std(W) 随 1/Var(w) 增长。权重为 0.01 时它是 "
        "{ratio_low} 到 {ratio_high}，是同一个网络用 Xavier 的 Var(w) = 1/n 时的 {bn_factor} 倍；学习率取 {lr} 左右，"
        "每次更新才约为权重的 {guide}。梯度的虚线理论逐个神经元计算：它略去了批归一化反向传播中在同一批量的样本之间传递梯度的那部分（约占 1/批量大小）。"
    ),
    "story_custom": (
        "这是你自己的配置。把每条实测曲线和虚线的理论曲线对照着看：两者吻合的地方，“推导”页里的方差分析就能解释你看到的现象；"
        "两者分开的地方（饱和、死亡神经元、很窄的层、常数权重），说明它的某个假设不再成立。"
    ),
    "network": "网络",
    "depth": "深度（隐藏层数）",
    "depth_help": "有多少个 Linear(width, width) 加激活函数的层。",
    "width": "宽度 n（每层神经元数）",
    "width_help": "每层的神经元个数；输入也是这个宽度，所以每层的扇入 = 扇出 = n。",
    "activation": "激活函数",
    "activation_help": "每个线性层之后的非线性函数 f。",
    "act_tanh": "tanh",
    "act_sigmoid": "sigmoid",
    "act_relu": "ReLU",
    "act_leaky_relu": "leaky ReLU",
    "act_linear": "线性（恒等）",
    "act_elu": "ELU",
    "act_selu": "SELU",
    "act_gelu": "GELU",
    "act_silu": "SiLU（swish）",
    "slope": "Leaky 斜率",
    "slope_help": "leaky_relu 在负半轴的斜率（torch 默认 0.01）。",
    "bn": "在每个激活函数之前做批归一化",
    "bn_help": "把每个神经元的输入在批量上归一化为均值 0、方差 1（γ = 1，β = 0）。",
    "initialization": "初始化",
    "init": "初始化方法",
    "init_help": "每个权重矩阵 W 怎么随机生成，公式与 torch.nn.init 一致。",
    "std": "权重标准差 σ",
    "std_help": "W ~ N(0, σ²)。课上试了 0.01 和 1.0。",
    "bound": "边界 b",
    "bound_help": "W ~ U(−b, b)，方差为 b²/3。",
    "value": "常数值",
    "value_help": "所有权重都等于这个数。",
    "gain": "增益",
    "gain_help": "default：torch.nn.init 对该方法的默认增益 · recommended：torch 的 calculate_gain 对该激活函数的推荐值 · 也可以直接输入一个数。",
    "gain_placeholder": "default、recommended 或一个数",
    "mode": "扇入/扇出模式",
    "mode_help": "He 初始化：保持前向的方差（fan_in）还是反向的方差（fan_out）。这里 n_in = n_out，两者相同。",
    "bias": "偏置均值",
    "bias_help": "每个神经元偏置的均值。",
    "bias_std": "偏置标准差",
    "bias_std_help": "不同神经元之间偏置的离散程度。",
    "data": "数据",
    "batch": "批量大小",
    "batch_help": "有多少个输入样本通过网络。",
    "input": "输入分布",
    "input_help": "标准正态分布，或 [−√3, √3] 上的均匀分布；两者均值都是 0，方差都是 1。",
    "seed": "随机种子",
    "seed_help": "随机数生成器的种子：同样的种子生成同样的权重和数据。",
    "new_seed": "换个种子",
    "new_seed_help": "用下一个种子（种子 + 1）重新抽样：讲的内容不变，只是随机抽样不同。",
    "dtype": "数值精度",
    "dtype_help": "float32 和实际的深度学习框架一样；float64 可以看出哪些现象来自舍入误差，哪些不是。",
    "language": "语言",
    "language_help": "页面的语言；其他设置都保持不变。",
    "lang_en": "English",
    "lang_zh": "中文",
    "formula_zeros": "所有权重都是 0。",
    "formula_constant": "所有权重都是同一个数 $c$。",
    "formula_normal": "$w \\sim \\mathcal N(0, \\sigma^2)$",
    "formula_uniform": "$w \\sim \\mathcal U(-b, b)$，$\\mathrm{Var}(w) = b^2/3$",
    "formula_xavier_normal": "$\\mathrm{Var}(w) = \\mathrm{gain}^2 \\cdot 2/(n_{in}+n_{out})$",
    "formula_xavier_uniform": "$\\mathrm{Var}(w) = \\mathrm{gain}^2 \\cdot 2/(n_{in}+n_{out})$，均匀分布",
    "formula_he_normal": "$\\mathrm{Var}(w) = \\mathrm{gain}^2/n_{fan}$，增益 $\\sqrt2$",
    "formula_he_uniform": "$\\mathrm{Var}(w) = \\mathrm{gain}^2/n_{fan}$，增益 $\\sqrt2$，均匀分布",
    "formula_lecun_normal": "$\\mathrm{Var}(w) = \\mathrm{gain}^2/n_{in}$",
    "formula_orthogonal": "$W$ = 增益 × 随机正交矩阵",
    "weight_std_line": "当前：std(w) = {std}，n·Var(w) = {nvar}",
    "gain_line": "实际使用的增益：{gain}",
    "gain_none": "torch 没有给 {activation} 推荐增益，这里使用该初始化方法的默认增益。",
    "gain_unknown": "{raw} 不是有效的增益：请输入 default、recommended 或 {low} 到 {high} 之间的数。现在使用默认增益。",
    "gain_selu": (
        "torch 的 calculate_gain('selu') 是 {gain}，它放弃了自归一化，换取更平稳的梯度。torch 的文档指出，"
        "自归一化网络（Klambauer 等，2017）应使用线性增益 {linear}：输入 {linear}，即 Var(w) = 1/n。"
    ),
    "metric_act": "最后一层激活值的标准差",
    "metric_act_delta": "是输入（{input}）的 {ratio} 倍",
    "metric_grad": "第 1 层梯度的标准差",
    "metric_grad_delta": "是第 {depth} 层（{last}）的 {ratio} 倍",
    "metric_saturated": "饱和的激活值（最后一层）",
    "metric_dead": "死亡神经元（最后一层）",
    "metric_sat_dead": "饱和 / 死亡",
    "metric_sat_dead_none": "{activation} 没有这个概念",
    "missing_overflow": "缺失：{stage}在第 {layer} 层超出了 {dtype} 的表示范围",
    "missing_underflow": "缺失：{stage}在第 {layer} 层下溢，在 {dtype} 中变成了 0",
    "metric_missing": "—",
    "metric_verdict": "诊断",
    "verdict_healthy": "健康",
    "verdict_vanishing": "逐层消失",
    "verdict_exploding": "逐层爆炸",
    "verdict_saturated": "饱和",
    "verdict_symmetric": "对称",
    "verdict_dead": "死亡",
    "verdict_overflowed": "数值溢出",
    "verdict_healthy_why": (
        "激活值和梯度都保持在可用的量级：激活值从输入到第 {depth} 层变为 {act} 倍，梯度从第 {depth} 层传回第 1 层"
        "变为 {grad} 倍，都在 {low} 倍到 {high} 倍之间。"
    ),
    "verdict_vanishing_why": "信号在网络中逐层衰减，缩小到 {limit} 倍以下：{parts}。",
    "verdict_exploding_why": "信号在网络中逐层放大，超过 {limit} 倍：{parts}。",
    "part_act": "激活值从输入到第 {depth} 层变为 {ratio} 倍",
    "part_grad": "梯度从第 {depth} 层传回第 1 层变为 {ratio} 倍",
    "part_underflow": "{stage}的数值在第 {layer} 层下溢，在 {dtype} 中变成了 0",
    "verdict_saturated_why": "第 {layer} 层有 {share} 的值落在 {activation} 平坦的两端，那里斜率几乎为 0：它们几乎不给自己的权重传梯度。",
    "verdict_saturated_flat_why": (
        "第 {layer} 层的每个值都一样，都是 {value}：输入全部落在 {activation} 平坦的一端，在 {dtype} 中那里的斜率就是 0，"
        "梯度无法穿过这一层反向传播。"
    ),
    "verdict_symmetric_why": "第 {layer} 层的 {width} 个神经元对每个样本都算出同样的值：权重相同，梯度和更新也就相同，它们永远学不出不同的特征。",
    "verdict_dead_why": (
        "第 {layer} 层的每个神经元对每个样本都输出 0：它们的输入全部落在 ReLU 拐点的左侧，那里斜率为 0，梯度无法穿过这一层"
        "反向传播，第 {layer} 层及以下各层的权重永远不会改变。这些神经元一模一样，是因为它们都“死”了，而不是因为权重相同："
        "这就是 ReLU 死亡问题（Lu et al. 2019）。"
    ),
    "verdict_overflowed_why": "{stage}的数值在第 {layer} 层超过了 {dtype} 能表示的最大数：从这里开始都是 inf 或 NaN，之后各层没有数字。",
    "update_zero": "更新幅度：每个权重的梯度都恰好为 0，无论学习率取多少，这些权重都不会动。",
    "update_even": (
        "更新幅度：各层的 std(∂L/∂W) / std(W) 在 {low} 到 {high} 之间，所以学习率取 {lr} 左右时，每次更新约为权重的 "
        "{guide}，即 CS231n 的经验法则（“梯度”页的虚线参考线）。"
    ),
    "update_uneven": (
        "更新幅度：std(∂L/∂W) / std(W) 从第 {low_layer} 层的 {low} 到第 {high_layer} 层的 {high}，相差 {spread} 倍。"
        "学习率取 {lr} 左右时，第 {high_layer} 层每次更新约为权重的 {guide}，第 {low_layer} 层的更新却小 {spread} 倍："
        "没有一个学习率能同时适合每一层。"
    ),
    "url_problem": "链接中参数 **{name}** 的值 {raw} 不可用：应为{allowed}。已改用默认值（{default}）。",
    "allowed_int": " {low} 到 {high} 之间的整数",
    "allowed_float": " {low} 到 {high} 之间的数",
    "allowed_choice": "以下之一：{choices}",
    "allowed_bool": " true 或 false",
    "allowed_gain": " default、recommended 或 {low} 到 {high} 之间的数",
    "allowed_list": "由以下选项组成的列表：{choices}",
    "url_list_problem": (
        "链接中列表参数 **{name}** 有不可用的项（{raw}）：每一项应为以下之一：{choices}。"
        "这些项已去掉，其余的照常使用（{kept}）。"
    ),
    "url_repeated": "链接给了 **{name}** {count} 个值（{raw}）；这个设置只取一个值，所以使用最后一个：{used}。",
    "url_digits": "链接中 **{name}** 写作 {raw}，用的不是 0–9 的数字；现按 {used} 读取。",
    "url_unknown": "链接中有本页不认识的参数：{names}；它们不起作用，已从地址中去掉。",
    "url_more": "另外 {count:,} 个",
    "user_text_empty": "空值",
    "user_text_cut": "{shown}…（共 {length:,} 个字符）",
    "break_overflow": "{stage}在第 {layer} 层超出了 {dtype} 的表示范围（上溢）；之后的层不再绘制。",
    "break_underflow": "{stage}在第 {layer} 层下溢，在 {dtype} 中变成了 0；之后的层不再绘制。",
    "stage_forward": "前向传播",
    "stage_backward": "反向传播",
    "memory": (
        "这个网络大约需要 {need:,.0f} MiB 内存，超过了 {budget:,.0f} MiB 的上限。请减小深度、宽度或批量大小："
        "所需内存随 深度 × 批量 × 宽度 增长。"
    ),
    "work": (
        "这个网络大约需要 {work} 次浮点运算，超过了本应用 {limit} 的上限（单核约 {seconds} 秒）。在当前设置下，深度不超过 "
        "{depth:,} 或宽度不超过 {width:,} 即可：计算量随 深度 × 批量 × 宽度² 增长，正交初始化还随 深度 × 宽度³ 增长"
        "（每层一次 QR 分解）。"
    ),
    "work_width": (
        "这个网络大约需要 {work} 次浮点运算，超过了本应用 {limit} 的上限（单核约 {seconds} 秒）。在当前设置下，宽度不超过 "
        "{width:,} 即可：计算量随 深度 × 批量 × 宽度² 增长，正交初始化还随 深度 × 宽度³ 增长（每层一次 QR 分解）。"
    ),
    "tab_activations": "激活值",
    "tab_gradients": "梯度",
    "tab_derivation": "推导",
    "tab_compare": "对比",
    "tab_data": "数据",
    "tab_training": "训练",
    "tab_theory": "理论",
    "log_y": "对数坐标",
    "log_y_help": "用对数纵轴显示标准差；每层乘同一个因子时，曲线就是一条直线。",
    "layer": "层",
    "panel": "第 {n} 层",
    "measured": "实测",
    "theory": "理论",
    "series": "曲线",
    "chart_act_std": "每层激活值的标准差",
    "chart_act_mean": "每层激活值的均值",
    "chart_hist": "激活值直方图",
    "hist_caption": "横轴是激活值，柱高是落在每个区间里的激活值占整个批量的比例，每层一个小图{every}。所有小图的横轴相同；超出范围的值计入两端的区间。",
    "hist_every": "（每隔 {k} 层一个）",
    "share": "比例",
    "bin": "区间",
    "bin_start": "区间起点",
    "bin_end": "区间终点",
    "std_axis": "标准差",
    "mean_axis": "均值",
    "chart_grad_std": "每层梯度 ∂L/∂s 的标准差",
    "chart_grad_std_bn": "每层梯度 ∂L/∂z 的标准差（z = h·W + b，批归一化之前）",
    "chart_ratio": "权重梯度与权重之比 std(∂L/∂W) / std(W)",
    "ratio_axis": "比值",
    "guide": "1e-3 参考线",
    "grad_caption": (
        "反向传播从最上层一个随机的 N(0, 1) 梯度出发，所以图上显示的是各层对一路传下来的梯度做了什么。"
        "CS231n 的经验法则是：每次更新约为权重的 10⁻³；学习率为 η 时，更新量就是 η 乘以这个比值。"
    ),
    "theory_bn": "批归一化下，理论虚线逐个神经元计算：反向传播时梯度除以 √(v + ε)，v 是该神经元在批量上的方差，与前向传播相同；批均值和批方差在样本之间传递梯度的两项（约占 1/批量大小）被略去（Ioffe & Szegedy 2015）。",
    "no_theory_constant": "没有理论曲线：常数权重不满足理论所依赖的“权重均值为 0”这一假设。",
    "compare_pick": "初始化方案",
    "compare_help": "每个方案在整个应用里都用同一种颜色。所有方案用同一个网络、同一个种子和同样的数据。",
    "compare_caption": "同一个网络（{depth} × {width}，{activation}）在各个方案下每层激活值的标准差。",
    "compare_empty": "请至少选择一个方案。",
    "chart_compare": "按方案对比每层激活值的标准差",
    "scheme": "方案",
    "zero_not_drawn": "恰好为 0（对数坐标上画不出来）：{names}。",
    "log_zero": "第 {layers} 层恰好为 0（{series}）：对数坐标画不出 0。",
    "ratio_undefined": "第 {layers} 层的比值没有定义：那里所有权重都相等，std(W) = 0。",
    "data_caption": "每一层的全部统计量（第 0 层是输入）。saturated_values 是该层落在 tanh 或 sigmoid 平坦两端的激活值所占的比例，dead_units 是对所有样本都 ≤ 0 的神经元所占的比例。空格表示没有定义，或位于数值溢出之后。",
    "download_csv": "下载 CSV",
    "config_json": "JSON 格式的配置",
    "simulating_compare": "正在模拟 {n} 个网络……",
    "der_intro": "为什么激活值的分布宽度会一层层地变化。每一步都代入了这个网络的数字，并列出模拟实测的结果。",
    "der_sum_title": "1 · 一个神经元的输入",
    "der_sum_note": "一个神经元把 n = {n} 个输入各自乘上自己的权重，再加起来。",
    "der_var_title": "2 · 和的方差",
    "der_var_note": "假设：权重和输入相互独立，并且权重的均值为 0。这样 n 项的方差就可以直接相加。",
    "der_var_numbers": "当前：n = {n}，Var(w) = {var_w}，E[x²] = {ex2}（输入的方差）→ Var({sym}₁) = {var_s}，std({sym}₁) = {std_s}。",
    "der_measured_input": "实测：这个批量上 E[x²] = {measured_ex2}，std(s₁) = {measured_std_s}。",
    "der_measured_input_bn": "实测：这个批量上 E[x²] = {measured_ex2}（z₁ 本身没有记录：每层的统计量都是在批归一化之后取的）。",
    "der_bias_note": "各个神经元的偏置不同，方差为 σ_b² = {var_b}，它会加到每个 Var({sym}) 上。",
    "der_bias_mean_note": "偏置均值 b = {bias} 让每个 s 都平移 b。Var(s₁) 因此不变，但从第 2 层起，权重会把这个偏移变成分布宽度：E[h²] 把它算在内。",
    "der_bias_bn_note": "批归一化会减去每个神经元在批量上的均值，所以偏置在 s 中被抵消。",
    "der_tanh_title": "3 · 经过 tanh：每层的缩放因子",
    "der_tanh_note": "在 0 附近 tanh(s) ≈ s，所以只要数值还小，每一层都把标准差乘以 √(n·Var(w))。|s| 很大时 tanh 就饱和了：|h| → 1，tanh′(s) → 0。",
    "der_tanh_regime_much_less": "当前 std(s₁) = {std_s}，{relation} {reference}：数值都停留在 tanh 的直线段上，这个因子几乎完全成立。",
    "der_tanh_regime_less": "当前 std(s₁) = {std_s}，{relation} {reference}：大多数数值停留在 tanh 的直线段上，它的弯曲让每层的因子比 √(n·Var(w)) 略小一些。",
    "der_tanh_regime_close": "当前 std(s₁) = {std_s}，{relation} {reference}：数值进入了 tanh 弯曲的部分，分布宽度被削掉的比直线因子说的更多；随着宽度变小，数值回到直线段上，下降也随之变慢，理论曲线正是这样。",
    "der_tanh_regime_greater": "当前 std(s₁) = {std_s}，{relation} {reference}：相当一部分数值到达 tanh 平坦的两端，|h| 被限制在 1 以内，所以直线因子高估了分布宽度。",
    "der_saturation_numbers": "当前：std(s₁) = {std_s}，{relation} {reference}，线性近似不再成立：tanh 把 |h| 限制在 1 以内，最后一层有 {saturated} 的激活值饱和（|h| > {saturation_level}）。理论 std(h_{depth}) = {theory_act}；实测 {act_last}。",
    "der_factor_numbers": "当前：每层因子 {factor} → {depth} 层之后为 {total}。逐层计算的理论：std(h_{depth}) / std(x) = {theory_ratio}；实测 {act_ratio}。",
    "der_linear_title": "3 · 经过恒等函数：每层的缩放因子",
    "der_linear_note": "f(s) = s 时这个因子是精确的：每一层都把标准差乘以 √(n·Var(w))。",
    "der_relu_title": "3 · 经过 ReLU：方差减半",
    "der_relu_note": "对均值为 0、对称分布的 s，ReLU 保留正的一半，其余变成 0，所以 E[h²] = ½·Var(s)：每一层把二阶矩乘以 ½·n·Var(w)。",
    "der_leaky_note": "leaky_relu 在负半轴保留斜率 a：E[h²] = ½(1 + a²)·Var(s)。",
    "der_relu_numbers": "当前：√E[h²] 每层乘以因子 {factor} → {depth} 层之后 √E[h_{depth}²] / √E[x²] = {total}。标准差 √(E[h²] − E[h]²) 不含输出的均值：理论 std(h_{depth}) / std(x) = {theory_ratio}；实测 {act_ratio}。",
    "der_other_title": "3 · 经过 {activation}",
    "der_other_note": "{activation} 的 E[f(s)²] 没有简洁的解析式；理论对高斯分布的 s 逐层做数值积分。",
    "der_bias_act_title": "3 · 带偏置经过 {activation}",
    "der_bias_act_note": "有偏置时，各层不再把标准差乘以同一个常数因子：每层给 Var(s) 加上 σ_b²，偏置均值 b 让 s 平移，下一层的权重又把这个平移变成分布宽度。理论逐层跟踪这个递推，s 服从均值为 b、方差为 q_l 的高斯分布。",
    "der_bias_numbers": "当前：n·Var(w) = {nvar}，σ_b² = {var_b}，b = {bias}。理论：std(h_{depth}) / std(x) = {theory_ratio}；实测 {act_ratio}。",
    "der_theory_numbers": "当前：理论 std(h_{depth}) = {theory_act}；实测 {act_last}。",
    "der_bn_act_title": "3 · 批归一化之后经过 {activation}",
    "der_bn_act_note": "批归一化让每一层的非线性函数收到方差为 σ_B²/(σ_B² + ε) 的输入 s（见第 6 步）；只要加权和 z 不小到 √ε 的量级，这个方差就是 1：权重的大小不再决定分布宽度。",
    "der_condition_title": "4 · 让这个因子保持为 1",
    "der_condition_note": "Xavier（Glorot & Bengio 2010）要求 n·Var(w) = 1，这正是 tanh 在 0 附近需要的因子；当各层一样宽时，他们的 2/(n_in + n_out) 就等于 1/n。ReLU 让方差减半，所以 He 等人（2015）把它加倍。",
    "der_condition_numbers": "当前：n = {n}，Xavier 给出 Var(w) = {xavier}，He 给出 {he}；这个网络的 Var(w) = {var_w}，即 n·Var(w) = {nvar}。",
    "der_back_title": "5 · 反向传播时是同一个因子",
    "der_back_note": "对一个输入的梯度同样是 n 项之和（它连接的每个神经元一项），并且要乘上 f′：反向传播每层的因子是 n·Var(w)·E[f′(s)²]。",
    "der_back_numbers": "当前：实测第 1 层与第 {depth} 层 std(∂L/∂s) 之比 = {grad_ratio}；理论 {theory_grad_ratio}。",
    "der_back_bn": "当前：实测第 1 层与第 {depth} 层 std(∂L/∂z) 之比 = {grad_ratio}，z 是批归一化之前的加权和（与“梯度”页的图相同）；理论 {theory_grad_ratio}，其中每层还要把梯度除以 √(v + ε)，v 是一个神经元的 z 在批量上的方差。",
    "der_bn_title": "6 · 批归一化把尺度重置",
    "der_bn_note": "批归一化把每个神经元的加权和 z 除以 √(σ_B² + ε)，σ_B 是它在批量上的标准差，所以不管 n·Var(w) 是多少，Var(s) = σ_B²/(σ_B² + ε)：第 3 步里的因子不再逐层累积（Ioffe & Szegedy 2015）。",
    "der_bn_numbers": "当前：第 1 层到第 {depth} 层实测的 std(s) 在 {bn_low} 到 {bn_high} 之间。",
    "der_zero_title": "权重为零：没有东西可加",
    "der_zero_note": "w = 0 时，不管输入是什么，每个 {sym} 都恰好等于它的偏置：同一层的每个神经元算出同样的值，得到同样的梯度和同样的更新。方差分析在这里无从谈起。",
    "der_zero_bias_note": "w = 0 时，不管输入是什么，每个 {sym} 都恰好等于它的偏置。这里各个神经元的偏置不同，所以神经元彼此不同，但每个神经元对所有输入都输出同一个值：网络忽略了它的输入，方差分析在这里无从谈起。",
    "der_zero_numbers_same": "当前：第 1 层到第 {depth} 层，每层不同的神经元个数：{distinct_low}（共 {n} 个）。",
    "der_zero_numbers": "当前：第 1 层到第 {depth} 层，每层不同的神经元个数在 {distinct_low} 到 {distinct_high} 之间（共 {n} 个）。",
    "der_constant_title": "常数权重：所有神经元都一样",
    "der_constant_note": "w = c 时，每个神经元都算出同一个 c·Σx：它们是一模一样的副本；而且 E[w] ≠ 0 违反了第 2 步“均值为 0”的假设，所以理论给不出预测。",
    "der_missing_overflow": "—（数值在第 {layer} 层超出了 {dtype} 的范围）",
    "der_missing_underflow": "—（数值在第 {layer} 层下溢，在 {dtype} 中变成了 0）",
    "der_beyond_float64": "—（超出了 float64 的范围）",
    "cmp_much_less": "远小于",
    "cmp_less": "小于",
    "cmp_close": "接近",
    "cmp_greater": "大于",
    "cmp_much_greater": "远大于",
    "references": "参考文献",
    "references_body": (
        "Glorot & Bengio (2010), *Understanding the difficulty of training deep feedforward neural networks* · "
        "He et al. (2015), *Delving deep into rectifiers* · Ioffe & Szegedy (2015), *Batch normalization* · "
        "CS231n, *Neural Networks Part 2: weight initialization*。"
    ),
    # --- init schemes added since (core/schemes.py): their formulas ---
    "formula_lecun_uniform": "$\\mathrm{Var}(w) = \\mathrm{gain}^2/n_{in}$，均匀分布",
}

TEXT = {"en": EN, "zh": ZH}
# Between the items of a list ("a, b and c") and between clauses ("…; …"), per language.
SEPARATORS = {"en": {"list": ", ", "last": " and ", "clause": "; "}, "zh": {"list": "、", "last": "和", "clause": "；"}}


def join(lang: str, items: list[str], kind: str = "list") -> str:
    """Items joined as the language writes a list (kind="list": "a, b and c") or a run of clauses ("clause")."""
    separators = SEPARATORS.get(lang, SEPARATORS["en"])
    if kind == "list" and len(items) > 1:
        return separators["list"].join(items[:-1]) + separators["last"] + items[-1]
    return separators[kind].join(items)


SHOWN_CHARACTERS = 40  # of a value someone typed or linked: enough to recognise it, short enough for a warning
# Characters shown as U+FFFD: line breaks would end the code span (and start a heading or a list), and format
# characters such as U+202E (right-to-left override) would turn the text after them around.
HIDDEN_CATEGORIES = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def user_text(lang: str, text: Any) -> str:
    """Text from a link or a text box as a message shows it: literally, as a Markdown code span, cut if long.

    Every message that repeats what a visitor typed or linked goes through here, so that no link can put
    words, links, images, colours, icons or formulas on anyone's page: st.warning and the like render their
    text as Markdown (with Streamlit's :red[...], :material/...: and $...$), and a code span is the one
    Markdown construct whose content is never read as any of it (CommonMark 0.31, section 6.1). The first
    SHOWN_CHARACTERS characters are shown, then how long the whole text is; control and format characters
    show as U+FFFD.
    """
    text = str(text)
    if not text:
        return t(lang, "user_text_empty")
    shown = "".join("\ufffd" if unicodedata.category(c) in HIDDEN_CATEGORIES else c
                    for c in text[:SHOWN_CHARACTERS])
    fence = "`" * (1 + _longest_run(shown, "`"))  # a fence longer than any run of backticks inside
    # a span's first and last space are not shown when both are there; neither is, in spaces only (6.1)
    pad = " " if shown.strip(" ") and (shown[0] in "` " or shown[-1] in "` ") else ""
    span = f"{fence}{pad}{shown}{pad}{fence}"
    return span if len(text) <= SHOWN_CHARACTERS else t(lang, "user_text_cut", shown=span, length=len(text))


def _longest_run(text: str, char: str) -> int:
    longest = run = 0
    for c in text:
        run = run + 1 if c == char else 0
        longest = max(longest, run)
    return longest


def t(lang: str, key: str, **values: Any) -> str:
    """The text `key` in `lang` (English if the language lacks it), with `values` filled in."""
    table = TEXT.get(lang, EN)
    template = table.get(key, EN[key])
    return template.format(**values) if values else template
