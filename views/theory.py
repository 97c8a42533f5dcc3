"""The Theory tab's pieces: the order-to-chaos map, measured against predicted gradients, and its words (en, zh).

Pure: frames in, Altair charts out, no streamlit import. views/tabs/theory.py draws the tab with them: the map
(map_frame, critical_frame, marks_frame into map_chart, coloured by ln chi_1 or by the depth scale), the gradient
std against its prediction (gradient_frame into gradient_chart), here_text, the phases, and paradox_text with the
measured growth when the page's network is the paradox's own (is_paradox_network, any seed).
"""

from __future__ import annotations

import math
from dataclasses import replace

import altair as alt
import numpy as np
import pandas as pd

from core import Config
from core.batchnorm import BN_EPS
from core.initializers import weight_variance
from core.theory import TRAINABLE_DEPTH_PER_XI

from .charts import GUIDE_COLOUR, LABEL_SIZE, THEORY_COLOUR, decades, theme
from .summary import format_value

X_DOMAIN = (0.1, 5.0)  # sigma_w^2, log axis: from 0.01 randn's neighbourhood to past He and tanh's gain
Y_DOMAIN = (0.0, 1.0)  # sigma_b^2
LOG_CHI1_LIMIT = 3.0  # colours saturate beyond |ln chi_1| = 3, a factor of 20 a layer
XI_LIMIT = 100.0  # depth scales past 100 layers share the top colour
PARADOX_CONFIG = Config(activation="tanh", init="normal", std=1.0)  # the lecture's 1.0 * randn
MEASURED_COLOUR = "#4477AA"  # Paul Tol's blue, as in views.charts
HERE_COLOUR = "#EE6677"  # Paul Tol's red: the one mark that is the user's own

# The lecture's schemes as points on the map (all at sigma_b^2 = 0); sigma_w^2 depends on the width.
SCHEMES = {
    "scheme_small": dict(init="normal", std=0.01),
    "scheme_xavier": dict(init="xavier_normal"),
    "scheme_he": dict(init="he_normal"),
    "scheme_tanh_gain": dict(init="xavier_normal", gain=5.0 / 3.0),  # torch.nn.init.calculate_gain("tanh")
    "scheme_large": dict(init="normal", std=1.0),
}

TEXT = {
    "en": {
        "tab": "Theory",
        "map_title": "Order to chaos for {activation}",
        "sigma_w2": "σ_w² = n·Var(w)",
        "sigma_b2": "σ_b² = Var(b)",
        "log_chi1": "ln χ₁",
        "depth_scale": "depth scale ξ (layers)",
        "colour_by": "Colour the map by",
        "colour_xi": "Colour the map by the depth scale ξ",
        "colour_xi_help": "Off: ln χ₁, the log of the factor a layer applies to the gradient variance. On: ξ, the number of layers over which two inputs stay told apart.",
        "q_star": "q*",
        "chi1": "χ₁",
        "trainable": "trains up to ~6ξ layers",
        "critical": "edge of chaos, χ₁ = 1",
        "no_critical": "No edge of chaos on this part of the map: {activation} stays ordered here.",
        "diverging": "grey: q* = ∞, the variance itself explodes from layer to layer (ξ undefined)",
        "here": "you are here",
        "scheme_small": "0.01·randn",
        "scheme_xavier": "Xavier",
        "scheme_he": "He",
        "scheme_tanh_gain": "gain 5/3",
        "scheme_large": "1.0·randn",
        "off_left": "← {label} (σ_w² = {value})",
        "off_right": "{label} (σ_w² = {value}) →",
        "off_top": "{label} (σ_b² = {value}) ↑",
        "gradient_title": "Gradient std per layer, measured and predicted",
        "gradient_title_bn": "Gradient std ∂L/∂z per layer (z before batch norm), measured and predicted",
        "series": "curve",
        "layer": "layer",
        "grad_std": "gradient std",
        "measured": "measured",
        "theory": "theory, layer by layer",
        "rate": "χ₁ at q*",
        "ordered": "ordered phase: gradients shrink ×{factor} a layer toward the input",
        "chaotic": "chaotic phase: gradients grow ×{factor} a layer toward the input",
        "edge": "at the edge of chaos: gradients keep their size",
        "here_text": (
            "**You are here:** σ_w² = {sigma_w2}, σ_b² = {sigma_b2}, q* = {q_star}, χ₁ = {chi1}: {phase}. {depth}"
        ),
        "depth_finite": "Depth scale ξ = {xi} layers, so about {trainable} layers can train{compare}.",
        "depth_fewer": ", fewer than this network's {depth}",
        "depth_within": ", and this network has {depth}",
        "depth_below_one": (
            "Depth scale ξ = {xi} layers: about 6ξ = {trainable} layers can train, less than a single layer."
        ),
        "no_signal": (
            "**You are here:** σ_w² = 0, σ_b² = {sigma_b2}: every weight is 0, so nothing passes from one layer to "
            "the next and each pre-activation is just its bias. There is no phase and no depth scale to read off the "
            "map: what stops this network is symmetry (the lecture's step 1), not depth."
        ),
        "depth_infinite": "Depth scale ξ = ∞: the theory puts no limit on the trainable depth.",
        "depth_undefined": "q* = ∞: the variance grows without bound, and ξ is not defined.",
        "no_theory_constant": "Constant weights are not zero-mean, so the theory of this map does not apply.",
        "map_bn": (
            "Batch norm divides each unit's sum by √(v + ε), v being its variance over the batch, so "
            "Var(s) = v/(v + ε): 1 whatever σ_w² is, unless v is comparable with ε = {eps} (tiny weights), when it "
            "is less. q*, χ₁ and ξ belong to the un-normalised layer map (Poole et al. 2016; Schoenholz et al. "
            "2017); batch norm normalises that map unit by unit, so they are not defined here, and the marker shows "
            "where the weights alone would put you. The gradient chart's dashed theory does include batch norm."
        ),
        "phases": (
            "**Two phases.** A wide layer maps the variance q of its pre-activations to "
            "σ_w²·E[f(√q z)²] + σ_b²; after a few layers q settles at a fixed point q*. Around q* one number "
            "decides what happens to signals and gradients: χ₁ = σ_w²·E[f′(√q* z)²], the factor by which a layer "
            "multiplies the variance of a backpropagated gradient, and the rate at which two nearby inputs "
            "move apart.\n\n"
            "- **Ordered, χ₁ < 1 (blue):** nearby inputs are pulled together until the network treats them "
            "alike, and gradients vanish by a factor χ₁ a layer on their way back. 0.01·randn lies far to the left.\n"
            "- **Chaotic, χ₁ > 1 (orange):** nearby inputs are driven apart until their correlation is lost, "
            "and gradients explode. 1.0·randn lies far to the right.\n"
            "- **Edge of chaos, χ₁ = 1 (black line):** signals and gradients keep their size. At σ_b² = 0, "
            "Xavier (σ_w² = 1) sits on it for tanh and He (σ_w² = 2) for ReLU.\n\n"
            "The depth scale ξ = −1/ln χ_c counts the layers over which the network forgets how two inputs were "
            "related (χ_c is χ₁ in the ordered phase, and the slope of the correlation map at its stable point in "
            "the chaotic phase). Networks much deeper than about 6ξ do not train; at the edge of chaos ξ is "
            "infinite (Poole et al. 2016; Schoenholz et al. 2017)."
        ),
        "paradox": (
            "**The large-init paradox.** With 1.0·randn at width {width}, {saturated} of the tanh activation "
            "values are saturated (|tanh| > 0.97), where f′ ≈ 0, so the gradient should die. Yet it grows "
            "×{growth} a layer toward the input{measured}. E[f′²] = {mean_slope2} is small but not zero: the {unsaturated} of values "
            "near zero carry {share} of it. And each backpropagated gradient is a sum over {width} weights of "
            "variance 1: σ_w² = {sigma_w2}. So χ₁ = σ_w²·E[f′²] = {chi1} for the variance, √χ₁ = {growth} for "
            "the std. Saturation does not shrink the gradient; it routes all of it through the few pre-activations "
            "that happen to sit near zero, multiplied by very large weights."
        ),
        "paradox_measured": " (measured in this network: ×{value})",
    },
    "zh": {
        "tab": "理论",
        "map_title": "{activation} 的有序—混沌相图",
        "sigma_w2": "σ_w² = n·Var(w)",
        "sigma_b2": "σ_b² = Var(b)",
        "log_chi1": "ln χ₁",
        "depth_scale": "深度尺度 ξ（层）",
        "colour_by": "相图的颜色表示",
        "colour_xi": "按深度尺度 ξ 给相图着色",
        "colour_xi_help": "关闭：ln χ₁，即每层对梯度方差所乘因子的对数。打开：ξ，即两个输入在多少层之内仍能被区分开。",
        "q_star": "q*",
        "chi1": "χ₁",
        "trainable": "约 6ξ 层以内可训练",
        "critical": "混沌边缘，χ₁ = 1",
        "no_critical": "在相图的这一区域没有混沌边缘：{activation} 在这里一直处于有序相。",
        "diverging": "灰色：q* = ∞，方差本身逐层爆炸（ξ 无定义）",
        "here": "你在这里",
        "scheme_small": "0.01·randn",
        "scheme_xavier": "Xavier",
        "scheme_he": "He",
        "scheme_tanh_gain": "增益 5/3",
        "scheme_large": "1.0·randn",
        "off_left": "← {label} (σ_w² = {value})",  # half-width brackets: the label's halo blurs full-width ones
        "off_right": "{label} (σ_w² = {value}) →",
        "off_top": "{label} (σ_b² = {value}) ↑",
        "gradient_title": "每层梯度标准差：实测与预测",
        "gradient_title_bn": "每层梯度 ∂L/∂z 的标准差（z 在批归一化之前）：实测与预测",
        "series": "曲线",
        "layer": "层",
        "grad_std": "梯度标准差",
        "measured": "实测",
        "theory": "理论（逐层）",
        "rate": "q* 处的 χ₁",
        "ordered": "有序相：梯度向输入方向每层缩小为 ×{factor}",
        "chaotic": "混沌相：梯度向输入方向每层放大 ×{factor}",
        "edge": "位于混沌边缘：梯度保持大小",
        "here_text": "**你在这里：** σ_w² = {sigma_w2}，σ_b² = {sigma_b2}，q* = {q_star}，χ₁ = {chi1}：{phase}。{depth}",
        "depth_finite": "深度尺度 ξ = {xi} 层，因此大约 {trainable} 层以内可以训练{compare}。",
        "depth_fewer": "，比这个网络的 {depth} 层少",
        "depth_within": "，这个网络有 {depth} 层",
        "depth_below_one": "深度尺度 ξ = {xi} 层：大约 6ξ = {trainable} 层以内可以训练，还不到一层。",
        "no_signal": (
            "**你在这里：** σ_w² = 0，σ_b² = {sigma_b2}：所有权重都是 0，层与层之间什么也传不过去，每个前激活都只是它的偏置。"
            "这里既没有相，也没有深度尺度可以从相图上读出：挡住这个网络的是对称性（课程第 1 步），而不是深度。"
        ),
        "depth_infinite": "深度尺度 ξ = ∞：理论对可训练的深度没有限制。",
        "depth_undefined": "q* = ∞：方差无限增长，ξ 无定义。",
        "no_theory_constant": "常数权重的均值不为零，这张相图背后的理论不适用。",
        "map_bn": (
            "批归一化把每个神经元的加权和除以 √(v + ε)，v 是它在批量上的方差，所以 Var(s) = v/(v + ε)：不管 σ_w² "
            "是多少都是 1，除非 v 与 ε = {eps} 相当（权重极小时），那时它更小。q*、χ₁ 和 ξ 属于未归一化的层映射"
            "（Poole 等，2016；Schoenholz 等，2017）；批归一化逐个神经元地把这个映射归一化，所以它们在这里没有定义，"
            "标记显示的是仅由权重决定的位置。梯度图中的理论虚线已经考虑了批归一化。"
        ),
        "phases": (
            "**两个相。** 一个很宽的层把前激活的方差 q 映射为 σ_w²·E[f(√q z)²] + σ_b²；经过几层之后，q 稳定在"
            "不动点 q*。在 q* 附近，一个数决定信号和梯度的命运：χ₁ = σ_w²·E[f′(√q* z)²]。它是反向传播的梯度方差"
            "每经过一层被乘上的因子，也是两个相近输入彼此分开的速率。\n\n"
            "- **有序相，χ₁ < 1（蓝色）：** 相近的输入被拉到一起，直到网络把它们当作同一个输入；梯度在反向传播时"
            "每层乘以 χ₁ 而消失。0.01·randn 远在左侧。\n"
            "- **混沌相，χ₁ > 1（橙色）：** 相近的输入被推开，直到它们的相关性消失；梯度爆炸。1.0·randn 远在右侧。\n"
            "- **混沌边缘，χ₁ = 1（黑线）：** 信号和梯度保持大小。在 σ_b² = 0 时，tanh 的 Xavier（σ_w² = 1）"
            "和 ReLU 的 He（σ_w² = 2）正好在这条线上。\n\n"
            "深度尺度 ξ = −1/ln χ_c 是网络“忘记”两个输入之间关系所需的层数（有序相中 χ_c 就是 χ₁；混沌相中是"
            "相关映射在其稳定不动点处的斜率）。比约 6ξ 深得多的网络无法训练；在混沌边缘 ξ 为无穷大"
            "（Poole 等，2016；Schoenholz 等，2017）。"
        ),
        "paradox": (
            "**大初始化悖论。** 宽度为 {width}、权重为 1.0·randn 时，{saturated} 的 tanh 激活值处于饱和区"
            "（|tanh| > 0.97），那里 f′ ≈ 0，梯度似乎应该消失。然而它向输入方向每层放大 ×{growth}{measured}。"
            "E[f′²] = {mean_slope2} 很小，但不是零：靠近零点的 {unsaturated} 的激活值贡献了其中的 {share}。"
            "而每个反向传播的梯度都是 {width} 个方差为 1 的权重之和：σ_w² = {sigma_w2}。所以方差的放大倍数为 "
            "χ₁ = σ_w²·E[f′²] = {chi1}，标准差的放大倍数为 √χ₁ = {growth}。饱和并没有让梯度变小，而是让全部梯度"
            "只经过少数恰好靠近零点的前激活值，再乘以非常大的权重。"
        ),
        "paradox_measured": "（本网络实测：×{value}）",
    },
}


def _number(value, digits: int = 3) -> str:
    """A number in the text as the page writes every number (summary.format_value), and ∞ for an infinite one
    (the depth scale at the edge of chaos)."""
    return "∞" if value is not None and math.isinf(value) else format_value(value, digits)


def _layers(count: float) -> str:
    """A number of layers: two digits below 10 (0.79, 8.7), whole layers above (169, not 1.7e+02)."""
    return _number(count, 2) if count < 10 else f"{count:.0f}"


def _percent(share: float) -> str:
    """Whole percent, with one decimal where rounding would claim all or nothing (99.9% is not 100%)."""
    whole = f"{100 * share:.0f}"
    return f"{100 * share:.1f}%" if whole in ("0", "100") and 0 < share < 1 else f"{whole}%"


# ---------- frames ----------

def map_frame(grid: dict) -> pd.DataFrame:
    """One row per cell of core.theory.phase_map() (2,460 at 60 x 41, below Altair's inline limit of 5,000).

    NaN where a value is infinite or undefined: q_star where q* = inf ("diverges" is then True, and
    depth_scale is undefined too); depth_scale alone at the edge of chaos, where xi = inf.
    """
    sw, sb = np.meshgrid(grid["sigma_w2"], grid["sigma_b2"])  # (nb, nw) each
    q_star = np.asarray(grid["q_star"], float).ravel()
    frame = pd.DataFrame({
        "sigma_w2": sw.ravel(), "sigma_b2": sb.ravel(), "q_star": q_star,
        "chi1": np.ravel(grid["chi1"]), "log_chi1": np.ravel(grid["log_chi1"]),
        "depth_scale": np.ravel(grid["depth_scale"]), "diverges": np.isinf(q_star),
    })
    return frame.replace([np.inf, -np.inf], np.nan)


def _cell_size(cells: pd.DataFrame) -> tuple[float, float]:
    """Half a cell: a ratio in sigma_w2 (the grid is uniform in its log) and a step in sigma_b2."""
    sw = np.unique(cells["sigma_w2"].to_numpy())
    sb = np.unique(cells["sigma_b2"].to_numpy())
    ratio = math.exp(np.diff(np.log(sw)).mean()) if len(sw) > 1 else 1.1
    step = float(np.diff(sb).mean()) if len(sb) > 1 else 0.05
    return math.sqrt(ratio), 0.5 * step


def critical_frame(grid: dict) -> pd.DataFrame:
    """The edge of chaos (sigma_w2, sigma_b2) on the map's rows, inside the axes only."""
    frame = pd.DataFrame({"sigma_w2": grid["critical_sigma_w2"], "sigma_b2": grid["sigma_b2"]})
    inside = frame["sigma_w2"].between(*X_DOMAIN)
    return frame[inside].reset_index(drop=True)


def scheme_sigma_w2(width: int) -> dict[str, float]:
    """sigma_w^2 = n Var(w) of each lecture scheme on a network of this width."""
    out = {}
    for key, init in SCHEMES.items():
        config = Config(width=width, **init)
        out[key] = width * weight_variance(config, width, width)
    return out


def marks_frame(width: int, sigma_w2: float | None, sigma_b2: float | None, lang: str) -> pd.DataFrame:
    """The lecture's schemes and the "you are here" marker: true and clamped position, shape and label.

    Points off the axes (0.01 randn at width 500 has sigma_w^2 = 0.05, 1.0 randn 500) sit on the edge as a
    triangle pointing the way, labelled with their true value. Labels are staggered in height so that close
    schemes (He at 2, tanh's gain at 2.78) do not overlap; a thin rule joins each label to its point.
    """
    words = TEXT[lang]
    rows = [dict(key=key, label=words[key], sigma_w2=value, sigma_b2=0.0, here=False)
            for key, value in sorted(scheme_sigma_w2(width).items(), key=lambda item: item[1])]
    if sigma_w2 is not None:
        rows.append(dict(key="here", label=words["here"], sigma_w2=float(sigma_w2), sigma_b2=float(sigma_b2 or 0.0),
                         here=True))
    for i, row in enumerate(rows):
        x, y = row["sigma_w2"], row["sigma_b2"]
        row["x"] = float(np.clip(x, *X_DOMAIN)) if x > 0 else X_DOMAIN[0]
        row["y"] = float(np.clip(y, *Y_DOMAIN))
        row["shape"] = "circle"
        row["text"] = row["label"]
        if x < X_DOMAIN[0]:
            row["shape"], row["text"] = "triangle-left", words["off_left"].format(label=row["label"], value=_number(x))
        elif x > X_DOMAIN[1]:
            row["shape"], row["text"] = "triangle-right", words["off_right"].format(label=row["label"],
                                                                                     value=_number(x))
        if y > Y_DOMAIN[1]:
            row["shape"], row["text"] = "triangle-up", words["off_top"].format(label=row["text"], value=_number(y))
        # labels: the marker's just above (or below) itself, the schemes' on a staircase above that
        if row["here"]:
            row["label_y"] = row["y"] + 0.07 if row["y"] < 0.9 else row["y"] - 0.07
        else:
            row["label_y"] = 0.15 + 0.085 * i
        right_half = math.log(row["x"] / X_DOMAIN[0]) > 0.55 * math.log(X_DOMAIN[1] / X_DOMAIN[0])
        row["align"] = "right" if right_half else "left"
    if rows and rows[-1]["here"]:
        rows[-1]["label_y"] = _free_label_y(rows[-1], rows[:-1])
    return pd.DataFrame(rows, columns=["key", "label", "sigma_w2", "sigma_b2", "here", "x", "y", "shape", "text",
                                       "label_y", "align"])


def _free_label_y(here: dict, schemes: list[dict]) -> float:
    """Height of the marker's label: just above or below the marker, away from the schemes' labels near it."""
    y = here["y"]
    candidates = [y + 0.07, y - 0.07, y + 0.14, y - 0.14, y + 0.21, y - 0.21]
    inside = [c for c in candidates if 0.03 <= c <= 0.97]
    near = [row["label_y"] for row in schemes if abs(math.log(row["x"] / here["x"])) < 0.6]
    for c in inside:
        if all(abs(c - other) >= 0.06 for other in near):
            return c
    return inside[0]


def gradient_frame(grad_std, predicted_grad_std, chi1: float | None, lang: str) -> pd.DataFrame:
    """Long frame (layer, series, value): measured and predicted gradient std per layer, and chi_1's rate.

    The rate line starts at the measured last layer and grows by sqrt(chi_1) a layer toward the input: how
    the gradient would change if every layer sat at the fixed point q*. Non-positive and missing values are
    left out (log axis).
    """
    words = TEXT[lang]
    measured = np.asarray(grad_std, float)
    layers = np.arange(len(measured))
    parts = [pd.DataFrame({"layer": layers, "series": words["measured"], "value": measured}),
             pd.DataFrame({"layer": layers, "series": words["theory"], "value": np.asarray(predicted_grad_std, float)})]
    last = len(measured) - 1
    if chi1 is not None and chi1 > 0 and last >= 1 and np.isfinite(measured[last]):
        with np.errstate(over="ignore"):
            rate = measured[last] * np.sqrt(chi1) ** (last - layers[1:])
        parts.append(pd.DataFrame({"layer": layers[1:], "series": words["rate"], "value": rate}))
    frame = pd.concat(parts, ignore_index=True)
    keep = np.isfinite(frame["value"]) & (frame["value"] > 0)
    return frame[keep].reset_index(drop=True)


def measured_growth(grad_std) -> float | None:
    """The measured gradient std growth a layer toward the input: geometric mean of g[l-1] / g[l], l = 2..depth."""
    g = np.asarray(grad_std, float)[1:]  # index 0 is the input, which has no gradient of its own
    ratios = g[:-1] / g[1:]
    ratios = ratios[np.isfinite(ratios) & (ratios > 0)]
    return float(np.exp(np.log(ratios).mean())) if ratios.size else None


def is_paradox_network(config: Config) -> bool:
    """Whether this is the paradox's own network (PARADOX_CONFIG, with any seed): then paradox_text quotes what
    it measured beside the prediction."""
    return replace(config, seed=PARADOX_CONFIG.seed) == PARADOX_CONFIG


# ---------- charts ----------

def map_chart(cells: pd.DataFrame, critical: pd.DataFrame, marks: pd.DataFrame, *, colour_by: str = "log_chi1",
              title: str = "", lang: str = "en", width: int | str = "container", height: int = 440) -> alt.LayerChart:
    """Heatmap of ln chi_1 (diverging, 0 = edge of chaos in the middle) or of xi, with the edge of chaos and the marks.

    cells: map_frame() of a grid uniform in ln sigma_w2 and in sigma_b2; critical: critical_frame(); marks:
    marks_frame(). Colours are Vega's "blueorange" (ordered blue, chaotic orange) and "viridis", both
    readable with the common colour-vision deficiencies; grey cells in the xi view have q* = inf.
    """
    words = TEXT[lang]
    half_ratio, half_step = _cell_size(cells)
    x_scale = alt.Scale(type="log", domain=list(X_DOMAIN), nice=False)
    tooltip = [alt.Tooltip("sigma_w2:Q", title="σ_w²", format=".3~g"),
               alt.Tooltip("sigma_b2:Q", title="σ_b²", format=".3~g"),
               alt.Tooltip("q_star:Q", title=words["q_star"], format=".3~g"),
               alt.Tooltip("chi1:Q", title=words["chi1"], format=".3~g"),
               alt.Tooltip("depth_scale:Q", title="ξ", format=".3~g"),
               alt.Tooltip("trainable:Q", title=words["trainable"], format=".3~g")]
    # cell edges are computed in Vega, which keeps the frame to the values themselves; cells overlap by a
    # hair so that no light seams show between them
    half_ratio, half_step = half_ratio**1.05, half_step * 1.05
    base = alt.Chart(cells).transform_calculate(
        x0=f"datum.sigma_w2 / {half_ratio!r}", x1=f"datum.sigma_w2 * {half_ratio!r}",
        y0=f"datum.sigma_b2 - {half_step!r}", y1=f"datum.sigma_b2 + {half_step!r}",
        trainable=f"{TRAINABLE_DEPTH_PER_XI!r} * datum.depth_scale",
        # xi is missing at the edge of chaos (inf: the top colour) and where q* = inf (drawn grey instead)
        shown_depth=f"isValid(datum.depth_scale) ? min(datum.depth_scale, {XI_LIMIT!r}) : {XI_LIMIT!r}",
    ).encode(
        alt.X("x0:Q").title(words["sigma_w2"]).scale(x_scale).axis(values=[0.1, 0.2, 0.5, 1, 2, 5], format="~g"),
        alt.X2("x1:Q"),
        alt.Y("y0:Q").title(words["sigma_b2"]).scale(domain=list(Y_DOMAIN), nice=False),
        alt.Y2("y1:Q"),
        tooltip=tooltip,
    )
    if colour_by == "log_chi1":
        # white at ln chi_1 = 0 whatever the range, each side as deep as the map goes (sigmoid has no orange)
        finite = cells["log_chi1"].dropna()
        low = max(-LOG_CHI1_LIMIT, min(float(finite.min()), -0.1)) if len(finite) else -1.0
        high = min(LOG_CHI1_LIMIT, max(float(finite.max()), 0.1)) if len(finite) else 1.0
        heat = base.mark_rect(clip=True).encode(alt.Color("log_chi1:Q").title(words["log_chi1"]).scale(
            scheme="blueorange", domain=[low, high], domainMid=0, clamp=True).legend(orient="right"))
    elif colour_by == "depth_scale":
        finite = cells["depth_scale"].dropna()
        low = max(float(finite.min()), 0.1) if len(finite) else 0.1
        heat = alt.layer(
            base.transform_filter("!datum.diverges").mark_rect(clip=True).encode(
                alt.Color("shown_depth:Q").title(words["depth_scale"]).scale(
                    type="log", scheme="viridis", domain=[low, XI_LIMIT], clamp=True).legend(orient="right")),
            base.transform_filter("datum.diverges").mark_rect(clip=True, color=GUIDE_COLOUR),
        )
    else:
        raise ValueError(f"colour_by must be 'log_chi1' or 'depth_scale', not {colour_by!r}")
    edge = alt.Chart(critical).mark_line(color="black", strokeWidth=3, clip=True).encode(
        alt.X("sigma_w2:Q").scale(x_scale),
        alt.Y("sigma_b2:Q"),
        alt.Order("sigma_b2:Q"),
        tooltip=alt.value(words["critical"]),
    )
    layers = [heat, edge, *_mark_layers(marks)]
    return theme(alt.layer(*layers).properties(title=title, width=width, height=height))


def _mark_layers(marks: pd.DataFrame) -> list:
    """Points (triangles when clamped), leader rules, and labels with a white halo, left- or right-aligned."""
    base = alt.Chart(marks)
    x = alt.X("x:Q").scale(type="log", domain=list(X_DOMAIN), nice=False)
    tooltip = [alt.Tooltip("label:N", title=" "), alt.Tooltip("sigma_w2:Q", title="σ_w²", format=".4~g"),
               alt.Tooltip("sigma_b2:Q", title="σ_b²", format=".3~g")]
    leader = base.mark_rule(color="black", strokeWidth=1, opacity=0.6).encode(x, alt.Y("y:Q"), alt.Y2("label_y:Q"))
    points = base.mark_point(filled=True, size=150, stroke="black", strokeWidth=1.5, opacity=1).encode(
        x, alt.Y("y:Q"),
        alt.Shape("shape:N").scale(None),
        fill=alt.when(alt.datum.here).then(alt.value(HERE_COLOUR)).otherwise(alt.value("white")),
        size=alt.when(alt.datum.here).then(alt.value(260)).otherwise(alt.value(130)),
        tooltip=tooltip,
    )
    layers = [leader, points]
    for align, dx in (("left", 6), ("right", -6)):
        side = base.transform_filter(alt.datum.align == align)
        for halo in (True, False):
            text = side.mark_text(align=align, dx=dx, baseline="middle", fontSize=LABEL_SIZE - 2, fontWeight="bold",
                                  color="black", stroke="white" if halo else None, strokeWidth=4 if halo else 0)
            layers.append(text.encode(x, alt.Y("label_y:Q"), alt.Text("text:N")))
    return layers


def gradient_chart(frame: pd.DataFrame, *, lang: str = "en", colour: str = MEASURED_COLOUR,
                   width: int | str = "container", height: int = 440, batch_norm: bool = False) -> alt.LayerChart:
    """Gradient std per layer on a log axis: measured solid, the layer-by-layer theory dashed, chi_1's rate dotted.

    frame: gradient_frame(). batch_norm: the gradient is then dL/dz of the sum before batch norm
    (core.network records that), and the title says so.
    """
    words = TEXT[lang]
    series = [words["measured"], words["theory"], words["rate"]]
    ticks, domain = decades(frame["value"]) if len(frame) else ((0.1, 1.0), (0.1, 1.0))
    base = alt.Chart(frame).encode(
        alt.X("layer:Q").title(words["layer"]).axis(tickMinStep=1, format="d"),
        alt.Y("value:Q").title(words["grad_std"]).scale(type="log", domain=list(domain), nice=False).axis(
            values=list(ticks), format=".0e"),
        alt.Color("series:N").title(None).scale(domain=series, range=[colour, THEORY_COLOUR, GUIDE_COLOUR]).legend(
            symbolType="stroke", symbolSize=400),  # each series as its line, solid, dashed or dotted
        alt.StrokeDash("series:N").title(None).scale(domain=series, range=[[1, 0], [7, 5], [2, 3]]),
        tooltip=[alt.Tooltip("series:N", title=words["series"]), alt.Tooltip("layer:Q", title=words["layer"]),
                 alt.Tooltip("value:Q", format=".4~g", title=words["grad_std"])],
    )
    measured = base.transform_filter(alt.datum.series == words["measured"])
    others = base.transform_filter(alt.datum.series != words["measured"])
    chart = alt.layer(measured.mark_line(strokeWidth=4), measured.mark_point(filled=True, size=80, opacity=1),
                      others.mark_line(strokeWidth=2.5))
    title = words["gradient_title_bn" if batch_norm else "gradient_title"]
    return theme(chart.properties(title=title, width=width, height=height))


# ---------- words ----------

def here_text(summary: dict, lang: str, batch_norm: bool = False, depth: int | None = None) -> str:
    """One paragraph on the current configuration from core.theory.theory_summary().

    depth: the network's own depth, which the trainable depth 6ξ is compared with. With σ_w² = 0 no signal
    passes a layer at all, and the phase and depth scale (χ₁ = 0, ξ = 0) say nothing: the paragraph says so.
    """
    words = TEXT[lang]
    if summary["sigma_w2"] is None:
        return words["no_theory_constant"]
    if batch_norm:
        return words["map_bn"].format(eps=_number(BN_EPS))
    if summary["sigma_w2"] == 0:
        return words["no_signal"].format(sigma_b2=_number(summary["sigma_b2"]))
    chi1 = summary["chi1"]
    if abs(chi1 - 1.0) <= 1e-9:
        phase = words["edge"]
    else:
        # three digits: near the edge two would print a growth of x1.04 as x1
        phase = words["ordered" if chi1 < 1 else "chaotic"].format(factor=_number(math.sqrt(chi1)))
    xi = summary["depth_scale"]
    if summary["q_star"] is None:
        scale = words["depth_undefined"]
    elif xi is None:
        scale = words["depth_infinite"]
    elif TRAINABLE_DEPTH_PER_XI * xi < 1:
        scale = words["depth_below_one"].format(xi=_number(xi), trainable=_layers(TRAINABLE_DEPTH_PER_XI * xi))
    else:
        trainable = TRAINABLE_DEPTH_PER_XI * xi
        compare = "" if depth is None else \
            words["depth_fewer" if trainable < depth else "depth_within"].format(depth=depth)
        scale = words["depth_finite"].format(xi=_number(xi), trainable=_layers(trainable), compare=compare)
    q_star = math.inf if summary["q_star"] is None else summary["q_star"]
    return words["here_text"].format(sigma_w2=_number(summary["sigma_w2"]), sigma_b2=_number(summary["sigma_b2"]),
                                     q_star=_number(q_star), chi1=_number(chi1), phase=phase, depth=scale)


def paradox_text(numbers: dict, lang: str, width: int = PARADOX_CONFIG.width, measured: float | None = None) -> str:
    """The large-init paradox explained with core.theory.large_init_paradox()'s numbers (and a measured growth)."""
    words = TEXT[lang]
    extra = "" if measured is None else words["paradox_measured"].format(value=_number(measured))
    return words["paradox"].format(
        width=width, saturated=_percent(numbers["saturated"]), unsaturated=_percent(1.0 - numbers["saturated"]),
        share=_percent(numbers["unsaturated_share"]), growth=_number(numbers["growth"]), measured=extra,
        mean_slope2=_number(numbers["mean_slope2"], 2), sigma_w2=_number(numbers["sigma_w2"]),
        chi1=_number(numbers["chi1"]),
    )
