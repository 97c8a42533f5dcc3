"""Every word the explorer shows, in English and in simplified Chinese; `t(lang, key, **values)` fills one in."""

from __future__ import annotations

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
    "computing": "Simulating the network…",
    "computing_note": "Computing the new settings… The page below still shows the previous ones until then.",
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
        "Every weight starts at exactly 0, so every unit of a layer computes the same sum: the same activation, "
        "the same gradient, and after an update, the same weights again. Look at **distinct units** in the Data tab "
        "and at the verdict: 500 units act as one, and training cannot pull them apart. Random weights are needed "
        "to break the symmetry."
    ),
    "story_2": (
        "Weights drawn as 0.01 × randn. Each layer multiplies the spread of its input by about "
        "√(500 × 0.01²) ≈ 0.22, so after ten layers the activations are squeezed into a spike at 0 (see the "
        "histograms). The gradients that reach the first layers are just as tiny: the early layers hardly learn."
    ),
    "story_3": (
        "Now 1.0 × randn. A pre-activation adds up 500 terms of variance 1, so its std is about 22 and tanh is "
        "driven to ±1: the histograms pile up at the two ends. There tanh is flat, so a saturated unit passes "
        "almost no gradient to its weights; the few unsaturated ones multiply it by large weights, and the "
        "gradient swells towards the first layer (Gradients tab)."
    ),
    "story_4": (
        "Xavier init (Glorot & Bengio 2010) draws Var(w) = 1/n, so n·Var(w) = 1 and a layer passes on the "
        "variance it receives, as long as tanh is close to linear. The activations stay spread out through all ten "
        "layers and the gradients reach layer 1 at a useful size. The slow decline is tanh bending away from a "
        "straight line, and the dashed theory curve predicts it."
    ),
    "story_5": (
        "The same Xavier weights with ReLU. ReLU sets the negative half of every pre-activation to 0, which halves "
        "its second moment at each layer. Ten halvings later the activations crowd towards 0 again (about ×0.7 a "
        "layer in std), and the gradients shrink in the same way on their way back."
    ),
    "story_6": (
        "He init (He et al. 2015) doubles the variance to make up for ReLU's half: Var(w) = 2/n, so "
        "½·n·Var(w) = 1. The activations keep the same spread from the first layer to the last, and the "
        "gradients arrive at layer 1 about as large as they left the top."
    ),
    "story_7": (
        "Step 2's collapsing 0.01 × randn again, now with batch normalization (Ioffe & Szegedy 2015) before each "
        "tanh. Every unit's pre-activation is rescaled to mean 0 and variance 1 over the batch, so the size of the "
        "weights no longer matters: the activations keep the same spread at every layer. The theory's gradient "
        "curve is missing here, because batch norm ties the samples of a batch together."
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
    "gain_unknown": "“{raw}” is not a gain: type default, recommended or a number from {low} to {high}. The default is used.",
    # headline
    "metric_act": "Last-layer activation std",
    "metric_act_delta": "×{ratio} of the input's {input}",
    "metric_grad": "Gradient std at layer 1",
    "metric_grad_delta": "×{ratio} of layer {depth}'s {last}",
    "metric_saturated": "Saturated units (last layer)",
    "metric_dead": "Dead units (last layer)",
    "metric_sat_dead": "Saturated / dead",
    "metric_sat_dead_none": "not defined for {activation}",
    "metric_missing": "—",
    "metric_verdict": "Verdict",
    "verdict_healthy": "healthy",
    "verdict_vanishing": "vanishing",
    "verdict_exploding": "exploding",
    "verdict_saturated": "saturated",
    "verdict_symmetric": "symmetric",
    "verdict_healthy_why": "Activations and gradients keep a workable scale through every layer.",
    "verdict_vanishing_why": "Signals shrink towards zero on their way through the layers.",
    "verdict_exploding_why": "Signals grow layer after layer, or leave the number range.",
    "verdict_saturated_why": "Most units sit on the flat ends of the nonlinearity and pass almost no gradient.",
    "verdict_symmetric_why": "All units of a layer are identical, so they can never learn different features.",
    # problems
    "url_problem": "The link's value for **{name}** (“{raw}”) is not allowed: {allowed}. The default ({default}) is used instead.",
    "allowed_int": "a whole number from {low} to {high}",
    "allowed_float": "a number from {low} to {high}",
    "allowed_choice": "one of {choices}",
    "allowed_bool": "true or false",
    "allowed_gain": "default, recommended or a number from {low} to {high}",
    "allowed_list": "a list of {choices}",
    "break_overflow": "Values overflowed {dtype} at layer {layer} ({stage} pass); the layers after it are not drawn.",
    "break_underflow": "Values underflowed to zero in {dtype} at layer {layer} ({stage} pass); the layers after it are not drawn.",
    "stage_forward": "forward",
    "stage_backward": "backward",
    "memory": (
        "This network needs about {need:,.0f} MiB, over the budget of {budget:,.0f} MiB. Lower the depth, the "
        "width or the batch size: memory grows with depth × batch × width."
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
    "std_axis": "std",
    "mean_axis": "mean",
    "chart_grad_std": "Gradient std ∂L/∂s per layer",
    "chart_ratio": "Weight gradient : weight, std(∂L/∂W) / std(W)",
    "ratio_axis": "ratio",
    "guide": "1e-3 guide",
    "grad_caption": (
        "The backward pass starts from a random N(0, 1) gradient at the top layer, so the chart shows what the "
        "layers do to a gradient on its way down. CS231n's rule of thumb wants updates of about 10⁻³ of the weights; "
        "with learning rate η an update is η × this ratio."
    ),
    "no_theory_bn": "The dashed theory curve is missing: batch norm's backward pass is not covered by the simple theory.",
    "no_theory_constant": "No theory curve: constant weights break the zero-mean assumption the theory rests on.",
    "compare_pick": "Schemes",
    "compare_help": "Each scheme keeps its colour everywhere in the app. Same network, seed and data for all.",
    "compare_caption": "Activation std per layer for this network ({depth} × {width}, {activation}) under each scheme.",
    "compare_empty": "Pick at least one scheme.",
    "chart_compare": "Activation std per layer, by scheme",
    "scheme": "scheme",
    "zero_not_drawn": "Exactly 0 (not drawn on a log scale): {names}.",
    "data_caption": "Every statistic per layer (layer 0 is the input). Empty cells are undefined or beyond a break.",
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
    "der_var_numbers": "Here: n = {n}, Var(w) = {var_w}, E[x²] = {ex2} (measured input) → Var(s₁) = {var_s}, std(s₁) = {std_s}.",
    "der_measured_pre": "Measured std(s₁) = {measured}.",
    "der_bias_note": "With biases of variance σ_b² = {var_b}, they add σ_b² to every Var(s).",
    "der_tanh_title": "3 · Through tanh: the factor per layer",
    "der_tanh_note": (
        "Near 0, tanh(s) ≈ s, so a layer multiplies the std by √(n·Var(w)) as long as the values stay small. "
        "Above 1, tanh saturates instead: |h| → 1 and tanh′(s) → 0."
    ),
    "der_linear_title": "3 · Through the identity: the factor per layer",
    "der_linear_note": "With f(s) = s the factor is exact: every layer multiplies the std by √(n·Var(w)).",
    "der_relu_title": "3 · Through ReLU: half the variance",
    "der_relu_note": (
        "ReLU keeps the positive half of a zero-mean, symmetric s and zeros the rest, so E[h²] = ½·Var(s): "
        "each layer multiplies the second moment by ½·n·Var(w)."
    ),
    "der_leaky_note": "leaky_relu keeps a slope a on the negative side: E[h²] = ½(1 + a²)·Var(s).",
    "der_other_title": "3 · Through {activation}",
    "der_other_note": (
        "E[f(s)²] for {activation} has no short closed form; the theory integrates it numerically, layer by layer, "
        "for a Gaussian s."
    ),
    "der_factor_numbers": "Here: factor {factor} a layer → after {depth} layers {total}. Measured: std(h_{depth}) / std(x) = {measured}.",
    "der_saturation_numbers": (
        "Here: std(s₁) = {std_s}, far above 1, so the straight-line factor does not apply: tanh caps |h| at 1 and "
        "{saturated} of the last layer's values are saturated (|h| > 0.97). Theory std(h_{depth}) = {predicted}; "
        "measured {measured}."
    ),
    "der_theory_numbers": "Here: theory std(h_{depth}) = {predicted}; measured {measured}.",
    "der_bn_act_title": "3 · Through {activation} after batch norm",
    "der_bn_act_note": "Batch norm hands every layer's nonlinearity a pre-activation of variance 1, so every layer sees the same input spread (step 6).",
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
    "der_back_numbers": "Here: measured gradient std at layer 1 / at layer {depth} = {measured}; theory {predicted}.",
    "der_back_bn": "Here: measured gradient std at layer 1 / at layer {depth} = {measured}; batch norm's backward pass is outside the simple theory.",
    "der_bn_title": "6 · Batch norm resets the scale",
    "der_bn_note": (
        "Batch norm divides each unit's pre-activation by its std over the batch, so Var(ŝ) = 1 whatever "
        "n·Var(w) is: the factor of step 3 no longer builds up (Ioffe & Szegedy 2015)."
    ),
    "der_bn_numbers": "Here: measured std(ŝ) from layer 1 to {depth}: {low} to {high}.",
    "der_zero_title": "Zero weights: nothing to add up",
    "der_zero_note": (
        "With w = 0 every s is exactly 0 (plus the same bias), whatever the input: every unit of a layer computes "
        "the same value, gets the same gradient and the same update. The variance argument has nothing to work with."
    ),
    "der_zero_numbers": "Here: distinct units per layer from layer 1 to {depth}: {distinct} of {n}.",
    "der_constant_title": "Constant weights: every unit the same",
    "der_constant_note": (
        "With w = c every unit computes the same c·Σx: the units are identical copies, and E[w] ≠ 0 breaks the "
        "zero-mean assumption of step 2, so the theory gives no prediction."
    ),
    # references
    "references": "References",
    "references_body": (
        "Glorot & Bengio (2010), *Understanding the difficulty of training deep feedforward neural networks* · "
        "He et al. (2015), *Delving deep into rectifiers* · Ioffe & Szegedy (2015), *Batch normalization* · "
        "CS231n, *Neural Networks Part 2: weight initialization*."
    ),
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
    "computing": "正在模拟网络……",
    "computing_note": "正在计算新的设置……在此之前，下方仍显示之前设置的结果。",
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
        "所有权重都从 0 开始，于是同一层的每个神经元算出的加权和完全一样：输出一样，梯度一样，更新之后权重还是一样。"
        "看看“数据”页里的**不同神经元**个数和诊断结果：500 个神经元其实只相当于一个，训练再久也分不开它们。"
        "必须用随机的权重来打破这种对称。"
    ),
    "story_2": (
        "权重取 0.01 × randn。每经过一层，激活值的分布宽度大约乘以 √(500 × 0.01²) ≈ 0.22，"
        "十层之后激活值几乎全挤在 0 附近（看直方图）。传回前几层的梯度同样小得可怜，前面的层几乎学不动。"
    ),
    "story_3": (
        "换成 1.0 × randn。一个神经元的输入是 500 个方差为 1 的项相加，标准差约为 22，tanh 被推到 ±1："
        "直方图的数值都堆在两端。tanh 在那里几乎是平的，饱和的神经元几乎不给自己的权重传梯度；"
        "少数没饱和的神经元又会乘上很大的权重，梯度越往前面的层越大（见“梯度”页）。"
    ),
    "story_4": (
        "Xavier 初始化（Glorot & Bengio 2010）让 Var(w) = 1/n，于是 n·Var(w) = 1：只要 tanh 还接近线性，"
        "每一层都把收到的方差原样传下去。十层里激活值一直保持展开，梯度传到第 1 层时大小也合适。"
        "缓慢的下降来自 tanh 偏离直线的弯曲，虚线的理论曲线也预测到了这一点。"
    ),
    "story_5": (
        "同样的 Xavier 权重，换成 ReLU。ReLU 把每个输入的负半边都变成 0，每一层的二阶矩因此减半。"
        "减半十次之后，激活值又向 0 挤过去（标准差每层约乘 0.7），梯度在反向传播时也同样地缩小。"
    ),
    "story_6": (
        "He 初始化（He et al. 2015）把方差加倍，补上 ReLU 丢掉的那一半：Var(w) = 2/n，于是 ½·n·Var(w) = 1。"
        "激活值从第一层到最后一层保持同样的分布宽度，梯度传到第 1 层时也和出发时差不多大。"
    ),
    "story_7": (
        "还是第 2 步那个会塌缩的 0.01 × randn，这次在每个 tanh 之前加上批归一化（Ioffe & Szegedy 2015）："
        "每个神经元的输入都在一个批量上被重新缩放到均值 0、方差 1，权重的大小就不再重要了，"
        "每一层的激活值都保持同样的宽度。这里没有梯度的理论曲线，因为批归一化把一个批量里的样本耦合在了一起。"
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
    "gain_unknown": "“{raw}”不是有效的增益：请输入 default、recommended 或 {low} 到 {high} 之间的数。现在使用默认增益。",
    "metric_act": "最后一层激活值的标准差",
    "metric_act_delta": "是输入（{input}）的 {ratio} 倍",
    "metric_grad": "第 1 层梯度的标准差",
    "metric_grad_delta": "是第 {depth} 层（{last}）的 {ratio} 倍",
    "metric_saturated": "饱和神经元（最后一层）",
    "metric_dead": "死亡神经元（最后一层）",
    "metric_sat_dead": "饱和 / 死亡",
    "metric_sat_dead_none": "{activation} 没有这个概念",
    "metric_missing": "—",
    "metric_verdict": "诊断",
    "verdict_healthy": "健康",
    "verdict_vanishing": "逐层消失",
    "verdict_exploding": "逐层爆炸",
    "verdict_saturated": "饱和",
    "verdict_symmetric": "对称",
    "verdict_healthy_why": "激活值和梯度在每一层都保持在可用的量级。",
    "verdict_vanishing_why": "信号每经过一层都在缩小，越来越接近 0。",
    "verdict_exploding_why": "信号一层比一层大，甚至超出了数值范围。",
    "verdict_saturated_why": "大多数神经元停在非线性函数平坦的两端，几乎不传梯度。",
    "verdict_symmetric_why": "同一层的所有神经元完全相同，永远学不出不同的特征。",
    "url_problem": "链接中参数 **{name}** 的值（“{raw}”）不可用：应为{allowed}。已改用默认值（{default}）。",
    "allowed_int": " {low} 到 {high} 之间的整数",
    "allowed_float": " {low} 到 {high} 之间的数",
    "allowed_choice": "以下之一：{choices}",
    "allowed_bool": " true 或 false",
    "allowed_gain": " default、recommended 或 {low} 到 {high} 之间的数",
    "allowed_list": "由以下选项组成的列表：{choices}",
    "break_overflow": "{stage}在第 {layer} 层超出了 {dtype} 的表示范围（上溢）；之后的层不再绘制。",
    "break_underflow": "{stage}在第 {layer} 层下溢，在 {dtype} 中变成了 0；之后的层不再绘制。",
    "stage_forward": "前向传播",
    "stage_backward": "反向传播",
    "memory": (
        "这个网络大约需要 {need:,.0f} MiB 内存，超过了 {budget:,.0f} MiB 的上限。请减小深度、宽度或批量大小："
        "所需内存随 深度 × 批量 × 宽度 增长。"
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
    "chart_act_std": "每层激活值的标准差",
    "chart_act_mean": "每层激活值的均值",
    "chart_hist": "激活值直方图",
    "hist_caption": "横轴是激活值，柱高是落在每个区间里的激活值占整个批量的比例，每层一个小图{every}。所有小图的横轴相同；超出范围的值计入两端的区间。",
    "hist_every": "（每隔 {k} 层一个）",
    "share": "比例",
    "bin": "区间",
    "std_axis": "标准差",
    "mean_axis": "均值",
    "chart_grad_std": "每层梯度 ∂L/∂s 的标准差",
    "chart_ratio": "权重梯度与权重之比 std(∂L/∂W) / std(W)",
    "ratio_axis": "比值",
    "guide": "1e-3 参考线",
    "grad_caption": (
        "反向传播从最上层一个随机的 N(0, 1) 梯度出发，所以图上显示的是各层对一路传下来的梯度做了什么。"
        "CS231n 的经验法则是：每次更新约为权重的 10⁻³；学习率为 η 时，更新量就是 η 乘以这个比值。"
    ),
    "no_theory_bn": "这里没有理论虚线：简单的理论不涵盖批归一化的反向传播。",
    "no_theory_constant": "没有理论曲线：常数权重不满足理论所依赖的“权重均值为 0”这一假设。",
    "compare_pick": "初始化方案",
    "compare_help": "每个方案在整个应用里都用同一种颜色。所有方案用同一个网络、同一个种子和同样的数据。",
    "compare_caption": "同一个网络（{depth} × {width}，{activation}）在各个方案下每层激活值的标准差。",
    "compare_empty": "请至少选择一个方案。",
    "chart_compare": "按方案对比每层激活值的标准差",
    "scheme": "方案",
    "zero_not_drawn": "恰好为 0（对数坐标上画不出来）：{names}。",
    "data_caption": "每一层的全部统计量（第 0 层是输入）。空格表示没有定义，或位于数值溢出之后。",
    "download_csv": "下载 CSV",
    "config_json": "JSON 格式的配置",
    "simulating_compare": "正在模拟 {n} 个网络……",
    "der_intro": "为什么激活值的分布宽度会一层层地变化。每一步都代入了这个网络的数字，并列出模拟实测的结果。",
    "der_sum_title": "1 · 一个神经元的输入",
    "der_sum_note": "一个神经元把 n = {n} 个输入各自乘上自己的权重，再加起来。",
    "der_var_title": "2 · 和的方差",
    "der_var_note": "假设：权重和输入相互独立，并且权重的均值为 0。这样 n 项的方差就可以直接相加。",
    "der_var_numbers": "当前：n = {n}，Var(w) = {var_w}，E[x²] = {ex2}（实测输入）→ Var(s₁) = {var_s}，std(s₁) = {std_s}。",
    "der_measured_pre": "实测 std(s₁) = {measured}。",
    "der_bias_note": "如果偏置的方差为 σ_b² = {var_b}，每个 Var(s) 都要再加上 σ_b²。",
    "der_tanh_title": "3 · 经过 tanh：每层的缩放因子",
    "der_tanh_note": "在 0 附近 tanh(s) ≈ s，所以只要数值还小，每一层都把标准差乘以 √(n·Var(w))。超过 1 之后 tanh 开始饱和：|h| → 1，tanh′(s) → 0。",
    "der_linear_title": "3 · 经过恒等函数：每层的缩放因子",
    "der_linear_note": "f(s) = s 时这个因子是精确的：每一层都把标准差乘以 √(n·Var(w))。",
    "der_relu_title": "3 · 经过 ReLU：方差减半",
    "der_relu_note": "对均值为 0、对称分布的 s，ReLU 保留正的一半，其余变成 0，所以 E[h²] = ½·Var(s)：每一层把二阶矩乘以 ½·n·Var(w)。",
    "der_leaky_note": "leaky_relu 在负半轴保留斜率 a：E[h²] = ½(1 + a²)·Var(s)。",
    "der_other_title": "3 · 经过 {activation}",
    "der_other_note": "{activation} 的 E[f(s)²] 没有简洁的解析式；理论对高斯分布的 s 逐层做数值积分。",
    "der_factor_numbers": "当前：每层因子 {factor} → {depth} 层之后为 {total}。实测：std(h_{depth}) / std(x) = {measured}。",
    "der_saturation_numbers": "当前：std(s₁) = {std_s}，远大于 1，线性近似不再成立：tanh 把 |h| 限制在 1 以内，最后一层有 {saturated} 的值饱和（|h| > 0.97）。理论 std(h_{depth}) = {predicted}；实测 {measured}。",
    "der_theory_numbers": "当前：理论 std(h_{depth}) = {predicted}；实测 {measured}。",
    "der_bn_act_title": "3 · 批归一化之后经过 {activation}",
    "der_bn_act_note": "批归一化让每一层的非线性函数收到方差为 1 的输入，所以每一层看到的输入宽度都一样（见第 6 步）。",
    "der_condition_title": "4 · 让这个因子保持为 1",
    "der_condition_note": "Xavier（Glorot & Bengio 2010）要求 n·Var(w) = 1，这正是 tanh 在 0 附近需要的因子；当各层一样宽时，他们的 2/(n_in + n_out) 就等于 1/n。ReLU 让方差减半，所以 He 等人（2015）把它加倍。",
    "der_condition_numbers": "当前：n = {n}，Xavier 给出 Var(w) = {xavier}，He 给出 {he}；这个网络的 Var(w) = {var_w}，即 n·Var(w) = {nvar}。",
    "der_back_title": "5 · 反向传播时是同一个因子",
    "der_back_note": "对一个输入的梯度同样是 n 项之和（它连接的每个神经元一项），并且要乘上 f′：反向传播每层的因子是 n·Var(w)·E[f′(s)²]。",
    "der_back_numbers": "当前：实测第 1 层与第 {depth} 层梯度标准差之比 = {measured}；理论 {predicted}。",
    "der_back_bn": "当前：实测第 1 层与第 {depth} 层梯度标准差之比 = {measured}；批归一化的反向传播不在简单理论的范围内。",
    "der_bn_title": "6 · 批归一化把尺度重置",
    "der_bn_note": "批归一化把每个神经元的输入除以它在批量上的标准差，所以不管 n·Var(w) 是多少，Var(ŝ) = 1：第 3 步里的因子不再逐层累积（Ioffe & Szegedy 2015）。",
    "der_bn_numbers": "当前：第 1 层到第 {depth} 层实测的 std(ŝ) 在 {low} 到 {high} 之间。",
    "der_zero_title": "权重为零：没有东西可加",
    "der_zero_note": "w = 0 时，不管输入是什么，每个 s 都恰好是 0（加上同样的偏置）：同一层的每个神经元算出同样的值，得到同样的梯度和同样的更新。方差分析在这里无从谈起。",
    "der_zero_numbers": "当前：第 1 层到第 {depth} 层，每层不同的神经元个数：{distinct}（共 {n} 个）。",
    "der_constant_title": "常数权重：所有神经元都一样",
    "der_constant_note": "w = c 时，每个神经元都算出同一个 c·Σx：它们是一模一样的副本；而且 E[w] ≠ 0 违反了第 2 步“均值为 0”的假设，所以理论给不出预测。",
    "references": "参考文献",
    "references_body": (
        "Glorot & Bengio (2010), *Understanding the difficulty of training deep feedforward neural networks* · "
        "He et al. (2015), *Delving deep into rectifiers* · Ioffe & Szegedy (2015), *Batch normalization* · "
        "CS231n, *Neural Networks Part 2: weight initialization*。"
    ),
}

TEXT = {"en": EN, "zh": ZH}


def t(lang: str, key: str, **values: Any) -> str:
    """The text `key` in `lang` (English if the language lacks it), with `values` filled in."""
    table = TEXT.get(lang, EN)
    template = table.get(key, EN[key])
    return template.format(**values) if values else template
