"""The Derivation tab's content: the variance argument step by step, with this network's numbers and measurements."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.initializers import weight_variance

from .summary import format_share, format_value
from .text import t


@dataclass(frozen=True)
class Block:
    """One step of the argument: a title, the general formula, the same with numbers, and what to read."""

    title: str
    formula: str  # LaTeX
    numbers: str  # LaTeX with this configuration's values, or "" where there is nothing to put in
    notes: tuple[str, ...]  # markdown: assumptions, then the measurement next to the prediction


def tex(value: float, digits: int = 3) -> str:
    """A number for LaTeX: 0.224, 3.04\\times10^{-7}."""
    if value is None or not math.isfinite(value):
        return r"\text{—}"
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e4:
        return f"{value:.{digits}g}"
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    return rf"{mantissa}\times10^{{{int(exponent)}}}"


def _ratio(a: float, b: float) -> float:
    return a / b if math.isfinite(a) and math.isfinite(b) and b != 0 else math.nan


def _rms(stats: dict, layer: int) -> float:
    return math.sqrt(stats["act_std"][layer] ** 2 + stats["act_mean"][layer] ** 2)


def blocks(result, lang: str) -> list[Block]:
    """The argument for this network, in `lang`."""
    c, s = result.config, result.stats
    n, depth = c.width, c.depth
    var_w = weight_variance(c, n, n)  # None for constant non-zero weights
    out = [Block(
        t(lang, "der_sum_title"),
        r"s_j = \sum_{i=1}^{n} w_{ij}\,x_i + b_j",
        rf"n = {n}",
        (t(lang, "der_sum_note", n=n),),
    )]
    if c.init == "zeros" or (c.init == "constant" and c.value == 0):
        distinct = s["distinct_units"][1:]
        shown = ", ".join(format_value(v, 3) for v in sorted(set(distinct[np.isfinite(distinct)].tolist())))
        out.append(Block(
            t(lang, "der_zero_title"),
            r"w_{ij} = 0 \;\Rightarrow\; s_j = b_j \quad \text{for every input } x",
            "",
            (t(lang, "der_zero_note"), t(lang, "der_zero_numbers", depth=depth, distinct=shown, n=n)),
        ))
        return out
    if var_w is None:
        out.append(Block(
            t(lang, "der_constant_title"),
            r"w_{ij} = c \;\Rightarrow\; s_j = c\sum_{i=1}^{n} x_i + b_j \quad \text{for every unit } j",
            rf"c = {tex(c.value)}",
            (t(lang, "der_constant_note"),),
        ))
        return out

    nvar = n * var_w
    ex2 = _rms(s, 0) ** 2
    var_b = c.bias_std**2
    var_s = nvar * ex2 + var_b
    bias_tex = rf" + \sigma_b^2" if var_b > 0 else ""
    bias_num = rf" + {tex(var_b)}" if var_b > 0 else ""
    numbers = t(lang, "der_var_numbers", n=n, var_w=format_value(var_w), ex2=format_value(ex2),
                var_s=format_value(var_s), std_s=format_value(math.sqrt(var_s)))
    if not c.batch_norm:  # under batch norm the recorded pre-activation is the normalized one
        numbers += " " + t(lang, "der_measured_pre", measured=format_value(float(s["pre_std"][1])))
    notes = [t(lang, "der_var_note"), numbers]
    if var_b > 0:
        notes.append(t(lang, "der_bias_note", var_b=format_value(var_b)))
    out.append(Block(
        t(lang, "der_var_title"),
        r"\mathrm{Var}(s) = \sum_{i=1}^{n}\mathrm{Var}(w_i x_i) = \sum_{i=1}^{n}\mathrm{E}[w_i^2]\,\mathrm{E}[x_i^2]"
        rf" = n\,\mathrm{{Var}}(w)\,\mathrm{{E}}[x^2]{bias_tex}",
        rf"{n} \times {tex(var_w)} \times {tex(ex2)}{bias_num} = {tex(var_s)}"
        rf" \;\Rightarrow\; \mathrm{{std}}(s_1) = {tex(math.sqrt(var_s))}",
        tuple(notes),
    ))
    out.append(_through_activation(result, lang, nvar, var_s))
    out.append(Block(
        t(lang, "der_condition_title"),
        r"n\,\mathrm{Var}(w) = 1 \;\Rightarrow\; \mathrm{Var}(w) = \frac{1}{n}\ \text{(Xavier)} \qquad "
        r"\tfrac12\,n\,\mathrm{Var}(w) = 1 \;\Rightarrow\; \mathrm{Var}(w) = \frac{2}{n}\ \text{(He)}",
        rf"\frac{{1}}{{{n}}} = {tex(1 / n)} \qquad \frac{{2}}{{{n}}} = {tex(2 / n)} \qquad "
        rf"n\,\mathrm{{Var}}(w) = {n} \times {tex(var_w)} = {tex(nvar)}",
        (t(lang, "der_condition_note"), t(lang, "der_condition_numbers", n=n, xavier=format_value(1 / n),
                                          he=format_value(2 / n), var_w=format_value(var_w), nvar=format_value(nvar))),
    ))
    out.append(_backward(result, lang, nvar))
    if c.batch_norm:
        pre = s["pre_std"][1:]
        pre = pre[np.isfinite(pre)]
        low, high = (float(pre.min()), float(pre.max())) if pre.size else (math.nan, math.nan)
        out.append(Block(
            t(lang, "der_bn_title"),
            r"\hat s = \frac{s - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}} \;\Rightarrow\; \mathrm{Var}(\hat s) = 1",
            "",
            (t(lang, "der_bn_note"), t(lang, "der_bn_numbers", depth=depth, low=format_value(low, 5),
                                       high=format_value(high, 5))),
        ))
    return out


def _through_activation(result, lang: str, nvar: float, var_s: float) -> Block:
    """Step 3: what the nonlinearity does to the variance, per layer and over the whole depth."""
    c, s = result.config, result.stats
    depth, name = c.depth, c.activation
    predicted, last = float(s["predicted_act_std"][depth]), float(s["act_std"][depth])
    if name in ("tanh", "linear") and not c.batch_norm:
        factor = math.sqrt(nvar)
        measured = _ratio(last, float(s["act_std"][0]))
        formula = (r"\tanh(s) \approx s \;\Rightarrow\; " if name == "tanh" else r"h = s \;\Rightarrow\; ") + \
            r"\mathrm{std}(h_l) \approx \sqrt{n\,\mathrm{Var}(w)}\;\mathrm{std}(h_{l-1})"
        if name == "tanh" and var_s > 1:  # saturated: the straight-line factor no longer applies
            return Block(
                t(lang, "der_tanh_title"), formula,
                rf"\mathrm{{std}}(s_1) = {tex(math.sqrt(var_s))} \gg 1 \;\Rightarrow\; |h| \to 1,\ "
                r"\tanh'(s) \to 0",
                (t(lang, "der_tanh_note"), t(lang, "der_saturation_numbers", std_s=format_value(math.sqrt(var_s)),
                                             saturated=format_share(float(s["saturated"][depth])), depth=depth,
                                             predicted=format_value(predicted), measured=format_value(last))),
            )
        return Block(
            t(lang, f"der_{name}_title"), formula,
            rf"\sqrt{{{tex(nvar)}}} = {tex(factor)} \;\Rightarrow\; {tex(factor)}^{{{depth}}} = {tex(factor**depth)}",
            (t(lang, f"der_{name}_note"), t(lang, "der_factor_numbers", factor=format_value(factor), depth=depth,
                                             total=format_value(factor**depth), measured=format_value(measured))),
        )
    if name in ("relu", "leaky_relu") and not c.batch_norm:
        keep = 0.5 * (1 + c.slope**2) if name == "leaky_relu" else 0.5
        factor = math.sqrt(keep * nvar)
        measured = _ratio(_rms(s, depth), _rms(s, 0))
        half = r"\tfrac12(1+a^2)" if name == "leaky_relu" else r"\tfrac12"
        notes = [t(lang, "der_relu_note")]
        if name == "leaky_relu":
            notes.append(t(lang, "der_leaky_note"))
        notes.append(t(lang, "der_factor_numbers", factor=format_value(factor), depth=depth,
                       total=format_value(factor**depth), measured=format_value(measured)))
        return Block(
            t(lang, "der_relu_title"),
            rf"\mathrm{{E}}[h^2] = {half}\,\mathrm{{Var}}(s) \;\Rightarrow\; "
            rf"\mathrm{{E}}[h_l^2] = {half}\,n\,\mathrm{{Var}}(w)\,\mathrm{{E}}[h_{{l-1}}^2]",
            rf"\sqrt{{{tex(keep)} \times {tex(nvar)}}} = {tex(factor)} \;\Rightarrow\; "
            rf"{tex(factor)}^{{{depth}}} = {tex(factor**depth)}",
            tuple(notes),
        )
    if c.batch_norm:
        return Block(
            t(lang, "der_bn_act_title", activation=name),
            r"\mathrm{Var}(\hat s_l) = 1 \;\Rightarrow\; \mathrm{E}[h_l^2] = \mathrm{E}_{z\sim\mathcal N(0,1)}\!\left[f(z)^2\right]"
            r"\quad \text{for every } l",
            "",
            (t(lang, "der_bn_act_note"), t(lang, "der_theory_numbers", depth=depth, predicted=format_value(predicted),
                                           measured=format_value(last))),
        )
    return Block(
        t(lang, "der_other_title", activation=name),
        r"\mathrm{E}[h_l^2] = \mathrm{E}_{z\sim\mathcal N(0,1)}\!\left[f\!\left(\sqrt{q_l}\,z\right)^2\right],"
        r"\quad q_l = n\,\mathrm{Var}(w)\,\mathrm{E}[h_{l-1}^2] + \sigma_b^2",
        "",
        (t(lang, "der_other_note", activation=name), t(lang, "der_theory_numbers", depth=depth,
                                                          predicted=format_value(predicted),
                                                          measured=format_value(last))),
    )


def _backward(result, lang: str, nvar: float) -> Block:
    """Step 5: the gradient's factor per layer on its way down."""
    c, s = result.config, result.stats
    depth = c.depth
    measured = _ratio(float(s["grad_std"][1]), float(s["grad_std"][depth]))
    predicted = _ratio(float(s["predicted_grad_std"][1]), float(s["predicted_grad_std"][depth]))
    if c.batch_norm:
        note = t(lang, "der_back_bn", depth=depth, measured=format_value(measured))
    else:
        note = t(lang, "der_back_numbers", depth=depth, measured=format_value(measured),
                 predicted=format_value(predicted))
    return Block(
        t(lang, "der_back_title"),
        r"\frac{\partial L}{\partial x_i} = \sum_{j=1}^{n} w_{ij}\,\frac{\partial L}{\partial s_j},\quad"
        r"\frac{\partial L}{\partial s_j} = f'(s_j)\,\frac{\partial L}{\partial h_j}"
        r"\;\Rightarrow\; \mathrm{Var}\!\left(\frac{\partial L}{\partial s_{l-1}}\right) = "
        r"n\,\mathrm{Var}(w)\,\mathrm{E}[f'(s)^2]\;\mathrm{Var}\!\left(\frac{\partial L}{\partial s_l}\right)",
        rf"n\,\mathrm{{Var}}(w) = {tex(nvar)} \;\Rightarrow\; "
        rf"\frac{{\mathrm{{std}}(\partial L/\partial s_1)}}{{\mathrm{{std}}(\partial L/\partial s_{{{depth}}})}}"
        rf" = {tex(measured)}",
        (t(lang, "der_back_note"), note),
    )
