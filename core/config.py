"""Config: every parameter of one experiment, validated once, shared by the CLI, the app, the cache and the tests."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from decimal import Decimal

from . import activations, digits, schemes

ACTIVATIONS = tuple(activations.REGISTRY)  # one record each in core/activations.py
INITS = tuple(schemes.REGISTRY)  # one record each in core/schemes.py
MODES = ("fan_in", "fan_out", "fan_avg")  # fan_avg: Keras's (fan_in + fan_out) / 2
INPUTS = ("normal", "uniform", "digits")  # digits: scikit-learn's 8x8 images (core/digits.py)
DIGITS_PIXELS, DIGITS_IMAGES = digits.PIXELS, digits.IMAGES  # a digits input's width and its largest batch
DIGITS_SIDE = 8  # a digit image is 8 x 8 pixels
DTYPES = ("float32", "float64")
ARCHS = ("dense", "conv")  # fully connected layers, or k x k convolutions on images (core/conv.py)
PADDINGS = ("zeros", "circular")  # a conv layer's "same" padding, torch.nn.Conv2d's padding_mode names
# A conv net's own ranges: odd kernels up to 7 x 7; images up to 64 x 64 (a batch of 1,000 such images is 4 million
# rows a channel, already near the memory budget at 64 channels)
CONV_RANGES = {"kernel": (1, 7), "image": (1, 64)}
# A conv net's sizes where none is given (the tour's conv step and the command line's --arch conv): a dense net's 500
# units are 500 channels at every pixel, about 17 GiB at a batch of 1,000 of 16 x 16 images
CONV_SIZES = {"width": 64, "batch": 50}

# Allowed ranges, (low, high) inclusive. Widths above 2048 or 100 layers add nothing a lecture needs
# and quickly leave the memory budget; scales above 100 overflow float32 within a few layers anyway.
INT_RANGES = {"depth": (1, 100), "width": (2, 2048), "batch": (10, 4096), "seed": (0, 2**32 - 1)}
FLOAT_RANGES = {
    "slope": (0.0, 1.0),
    "std": (0.0, 100.0),
    "bound": (0.0, 100.0),
    "value": (-100.0, 100.0),
    "gain": (1e-6, 100.0),
    "bias": (-100.0, 100.0),
    "bias_std": (0.0, 100.0),
    # trunc_normal's mean and absolute bounds a < b (torch.nn.init.trunc_normal_'s mean, a, b)
    "trunc_mean": (-100.0, 100.0),
    "trunc_a": (-100.0, 100.0),
    "trunc_b": (-100.0, 100.0),
    "scale": (1e-6, 100.0),  # variance_scaling's scale: Keras requires it positive
    "input_scale": (0.001, 100.0),  # the input times this: q0 = input_scale^2
}
NORMS = ("none", "batch", "layer")  # Config.norm: no normalization, batch norm, layer norm
INV_SQRT_DEPTH = "inv_sqrt_depth"  # branch_scale's word for 1/sqrt(depth) (Radford et al. 2019, GPT-2)
BRANCH_SCALE_RANGE = (0.0, 100.0)  # 0: the branch starts switched off (SkipInit, ReZero)
DEFAULT_MEMORY_BUDGET = 1 << 30  # bytes, 1 GiB: well within a laptop or a Streamlit Community Cloud app
CHOICES = {"activation": ACTIVATIONS, "init": INITS, "mode": MODES, "distribution": schemes.DISTRIBUTIONS,
           "input": INPUTS, "dtype": DTYPES, "arch": ARCHS, "padding": PADDINGS}


def written(number: float) -> str:
    """A number as a person writes it in a sentence: digits grouped in thousands, never an exponent.

    4294967295 -> "4,294,967,295", 1e-06 -> "0.000001", 100.0 -> "100", -0.5 -> "-0.5". Floats keep the
    shortest digits that read back as the same float. Every range message (Config, command line, links) uses it.
    """
    if isinstance(number, bool) or not math.isfinite(number):
        return str(number)
    exact = Decimal(number) if isinstance(number, int) else Decimal(repr(float(number)))
    sign = "-" if exact < 0 else ""
    whole, _, fraction = format(exact.copy_abs(), "f").partition(".")
    fraction = fraction.rstrip("0")
    return f"{sign}{int(whole):,}" + (f".{fraction}" if fraction else "")


def written_plainly(text: str) -> bool:
    """Whether text is a number's spelling in ASCII without digit-group underscores: Python's int() and float() also
    read "٣", "１０" and "1_000", which a link or a command line would then take silently."""
    return text.isascii() and "_" not in text


def rounds_to_zero(text: str) -> bool:
    """Whether text is a number other than 0 that float() reads as 0: closer to 0 than float64's smallest
    subnormal number, 4.9e-324 ("1e-400"). Taken as 0, std=1e-400 would be zero weights without a word."""
    try:
        return float(text) == 0.0 and Decimal(text.strip()) != 0
    except (ValueError, ArithmeticError):
        return False


def plain_number(text: str) -> float:
    """float(text) for a number written plainly (written_plainly); ValueError otherwise, and for a number float()
    would round to 0 (rounds_to_zero). "-0" is 0: a sign on zero is no setting (it had printed "alpha -0")."""
    if not written_plainly(text):
        raise ValueError(f"{text[:40]!r} is not a number written in the digits 0-9")
    if rounds_to_zero(text):
        raise ValueError(f"{text[:40]!r} is closer to 0 than float64 holds (4.9e-324): it would be read as 0")
    return float(text) + 0.0


def written_apart(value: float, limit: float, kind: str = "f") -> tuple[str, str]:
    """A value and the limit it is over: the limit with the digits it needs to be itself, the value with the fewest
    that tell it from the limit: thousands grouped and 0 to 6 decimals ("f": MiB, "1,024.3" over "1,024" where
    "1,024 MiB, over the budget of 1,024 MiB" had read as no excess, and a budget of 1.5 as "2"), or 1 to 6 in
    scientific notation ("e": flops, "3.72e+11" over "3.7e+11")."""
    spec = ",.{}f" if kind == "f" else ".{}e"

    def shortest(number: float, differs) -> str:
        for places in range(0 if kind == "f" else 1, 7):
            text = format(number, spec.format(places))
            if differs(float(text.replace(",", ""))):
                return text
        return text
    # the value as written stays on its own side of the limit: 1,024.5 over 1,024.4 is not "1,024"
    return (shortest(value, lambda read: read != limit and (read > limit) == (value > limit)),
            shortest(limit, lambda read: read == limit))


def mib_apart(need: int, budget: int) -> dict[str, str]:
    """need and the memory budget it is over (bytes), in MiB as a refusal writes them (written_apart)."""
    need_mib, budget_mib = written_apart(need / 2**20, budget / 2**20)
    return {"need": need_mib, "budget": budget_mib}


def written_range(low: float, high: float) -> str:
    """An inclusive range in a sentence: "0 to 4,294,967,295"."""
    return f"{written(low)} to {written(high)}"


@dataclass(frozen=True)
class Config:
    """One network at initialization: X (batch, units[0]) -> for l = 1..depth: Linear(units[l-1], units[l]) -> f.

    depth and width are the shorthand for equal widths (units = (width,) * (depth + 1), the lecture's network);
    widths gives each layer its own. Read the widths through `units` only.
    """

    depth: int = 10  # the lecture's 10 hidden layers
    width: int = 500  # units per layer; the input has the same width. With a profile: its first entry
    batch: int = 1000  # samples of standard-normal data, as in the lecture
    activation: str = "tanh"
    slope: float = 0.01  # leaky_relu's negative slope, torch's default
    init: str = "normal"
    std: float = 0.01  # for init="normal": the lecture's 0.01 * randn
    bound: float = 0.05  # for init="uniform": U(-bound, bound)
    value: float = 0.01  # for init="constant": every weight equal
    gain: float | None = None  # None: torch.nn.init's default for the scheme
    mode: str = "fan_in"  # He init: preserve the forward (fan_in) or backward (fan_out) variance, or fan_avg
    # trunc_normal: N(trunc_mean, std^2) cut to [trunc_a, trunc_b], torch's defaults (absolute bounds, not +-2 std)
    trunc_mean: float = 0.0
    trunc_a: float = -2.0
    trunc_b: float = 2.0
    scale: float = 1.0  # variance_scaling: Var(w) = scale / fan, Keras's default 1
    distribution: str = "truncated_normal"  # variance_scaling's law, Keras's default
    bias: float = 0.0  # mean of each unit's bias
    bias_std: float = 0.0  # std of the bias across units; bias_std**2 is the theory's sigma_b^2
    batch_norm: bool = False  # normalize each pre-activation over the batch (gamma=1, beta=0): norm "batch"
    layer_norm: bool = False  # normalize each sample over its units (gamma=1, beta=0): norm "layer"
    # The input: N(0, 1) or U(-sqrt 3, sqrt 3) draws, or the first `batch` digit images (64 pixels, so units[0] is
    # 64 and `width` is the hidden layers'; see units)
    input: str = "normal"
    input_scale: float = 1.0  # the input is multiplied by it: Var(x) = input_scale^2
    seed: int = 0
    dtype: str = "float32"  # like real frameworks; float64 to see what is rounding and what is not
    # The width profile: the input's width, then each hidden layer's (depth + 1 entries); () for every layer
    # `width`. Kept in one form: a profile of equal entries becomes the shorthand (width, widths=()), so both
    # spellings are one Config, one cache entry and one link.
    widths: tuple[int, ...] = ()
    # Residual stream (He et al. 2016, pre-activation): x_l = x_{l-1} + alpha (f(N(x_{l-1})) W_l + b_l), N the norm
    residual: bool = False
    branch_scale: float | str = 1.0  # alpha: a number >= 0 (0: SkipInit/ReZero), or "inv_sqrt_depth" (GPT-2)
    # Convolutions (core/conv.py): with arch "conv" every layer is a kernel x kernel convolution, stride 1, "same"
    # padding, on batch images of image x image pixels; `width` (and a profile's entries) count channels. A normal
    # or uniform input is that many channels of i.i.d. pixels; digits are their own 8 x 8 pixels, 1 channel, not
    # upsampled (image is 8). For arch "dense" the three stay at their defaults.
    arch: str = "dense"
    kernel: int = 3  # odd: a centre tap, and "same" padding of kernel // 2 on each side
    image: int = 16  # height = width of the input images
    padding: str = "zeros"  # "circular" wraps the image around: no borders

    def __post_init__(self) -> None:
        for name, (low, high) in INT_RANGES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name}={value!r} is not allowed: a whole number from {written_range(low, high)}")
        for name, (low, high) in FLOAT_RANGES.items():
            value = getattr(self, name)
            if name == "gain" and value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                    or not low <= value <= high:
                allowed = f"a number from {written_range(low, high)}" + (" or None" if name == "gain" else "")
                raise ValueError(f"{name}={value!r} is not allowed: {allowed}")
        for name, allowed in CHOICES.items():
            value = getattr(self, name)
            if value not in allowed:
                raise ValueError(f"{name}={value!r} is not allowed: one of {', '.join(allowed)}")
        if not self.trunc_a < self.trunc_b:
            # both values named as they stand, the one left at its default too (2.0): no default said apart
            raise ValueError(f"trunc_a={self.trunc_a!r}, trunc_b={self.trunc_b!r} are not allowed: trunc_a must lie "
                             f"below trunc_b")
        if not isinstance(self.batch_norm, bool):
            raise ValueError(f"batch_norm={self.batch_norm!r} is not allowed: True or False")
        self._canonical_widths()
        self._check_digits()
        self._check_residual()
        self._check_conv()

    def _check_digits(self) -> None:
        """A digits input has 64 pixels and 1,797 images: a profile starts at 64, the batch is at most 1,797."""
        if self.input != "digits":
            return
        if self.batch > DIGITS_IMAGES:
            allowed = written_range(INT_RANGES["batch"][0], DIGITS_IMAGES)
            raise ValueError(f"batch={self.batch!r} is not allowed with input=digits: the set has "
                             f"{written(DIGITS_IMAGES)} images, so a batch from {allowed}")
        # a conv net's digits are 1 channel whatever the profile's first entry (Config.units)
        if self.widths and self.arch != "conv" and self.widths[0] != DIGITS_PIXELS:
            raise ValueError(f"widths starting at {self.widths[0]!r} is not allowed with input=digits: an image "
                             f"has {DIGITS_PIXELS} pixels, so the profile starts at {DIGITS_PIXELS}")

    # --- residual streams and normalization ------------------------------------------------------------------
    def _check_residual(self) -> None:
        """Validate norm, residual and branch_scale (one switch per normalization, at most one on)."""
        for name in ("layer_norm", "residual"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name}={getattr(self, name)!r} is not allowed: True or False")
        if self.batch_norm and self.layer_norm:
            raise ValueError("batch_norm=True and layer_norm=True are not allowed together: one norm at a time "
                             f"(norm one of {', '.join(NORMS)})")
        scale = self.branch_scale
        low, high = BRANCH_SCALE_RANGE
        if scale != INV_SQRT_DEPTH and (isinstance(scale, (bool, str)) or not isinstance(scale, (int, float))
                                        or not math.isfinite(scale) or not low <= scale <= high):
            raise ValueError(f"branch_scale={scale!r} is not allowed: a number from {written_range(low, high)} "
                             f"or {INV_SQRT_DEPTH} (1/sqrt(depth), GPT-2's scaling)")
        if self.residual and len(set(self.units)) > 1:
            raise ValueError(f"residual=True needs equal widths, not {'-'.join(map(str, self.units))}: the skip "
                             "x_l = x_{l-1} + branch adds vectors of one width")

    # --- convolutions ------------------------------------------------------------------------------------------
    def _check_conv(self) -> None:
        """Validate kernel and image, and bring a conv net's settings to one form: a dense net's at their defaults,
        digits at their own 8 x 8."""
        for name, (low, high) in CONV_RANGES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name}={value!r} is not allowed: a whole number from {written_range(low, high)}")
        if self.kernel % 2 == 0:
            raise ValueError(f"kernel={self.kernel!r} is not allowed: it must be an odd number (a centre tap, and same "
                             f"padding of kernel // 2 on each side)")
        if self.arch == "dense":
            for name in ("kernel", "image", "padding"):
                object.__setattr__(self, name, _DEFAULTS[name])
            return
        if self.residual or self.layer_norm:
            raise ValueError(f"{'residual' if self.residual else 'layer_norm'}=True is not allowed with arch=conv: "
                             "conv nets here are plain, with or without batch norm")
        if self.input == "digits":
            object.__setattr__(self, "image", DIGITS_SIDE)

    @property
    def receptive_field(self) -> int:
        """Inputs a weight's fan counts per input unit: kernel^2 for a conv layer, 1 for a dense one."""
        return self.kernel * self.kernel if self.arch == "conv" else 1

    @property
    def positions(self) -> int:
        """Pixels per image of a conv net, image^2 (each a row of its layers' 2-D activations); 1 for a dense net."""
        return self.image * self.image if self.arch == "conv" else 1

    @property
    def rows(self) -> int:
        """Rows of a layer's 2-D activations: batch, or batch x image^2 for conv (every pixel of every image)."""
        return self.batch * self.positions

    @property
    def matrices(self) -> tuple[tuple[int, int], ...]:
        """Each layer's W as its product reads it, (depth,) pairs: dense (units[l-1], units[l]) as in shapes, conv
        (kernel^2 units[l-1], units[l]) (core.conv.matrix: torch's (C_out, C_in, k, k) weight as a matrix)."""
        units, k2 = self.units, self.receptive_field
        return tuple((k2 * a, b) for a, b in zip(units[:-1], units[1:]))

    @property
    def draw_shapes(self) -> tuple[tuple[int, int], ...]:
        """Each layer's unit draw (core.draws.unit_weights), (depth,) pairs: its matrix (matrices), or for a scheme at
        the kernel's centre tap only (delta-orthogonal, core.schemes.Scheme.centre) the tap's (C_in, C_out)."""
        if schemes.REGISTRY[self.init].centre:
            return tuple(zip(self.units[:-1], self.units[1:]))
        return self.matrices

    @property
    def draw_taps(self) -> int:
        """The kernel taps a layer's unit draw is made of, one block each (core.draws.unit_weights' taps): kernel^2
        for a conv layer's whole matrix, 1 for a dense layer or a centre tap alone."""
        return 1 if schemes.REGISTRY[self.init].centre else self.receptive_field

    @property
    def norm(self) -> str:
        """Where normalization sits, by name: "none", "batch" (batch_norm) or "layer" (layer_norm)."""
        return "batch" if self.batch_norm else "layer" if self.layer_norm else "none"

    @property
    def alpha(self) -> float:
        """The residual branch's scale as a number: branch_scale, or 1/sqrt(depth) for "inv_sqrt_depth"."""
        return 1.0 / math.sqrt(self.depth) if self.branch_scale == INV_SQRT_DEPTH else float(self.branch_scale)

    def _canonical_widths(self) -> None:
        """Validate the profile and bring it to its one form: a tuple, () when every entry is equal; width its
        first entry."""
        widths = self.widths
        if isinstance(widths, (str, bytes)) or not isinstance(widths, (tuple, list)):
            raise ValueError(f"widths={widths!r} is not allowed: a list of whole numbers, the input's width "
                             f"then each hidden layer's")
        if not widths:
            object.__setattr__(self, "widths", ())  # [] from JSON
            return
        low, high = INT_RANGES["width"]
        for value in widths:
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"widths entry {value!r} is not allowed: a whole number from "
                                 f"{written_range(low, high)}")
        if len(widths) != self.depth + 1:
            raise ValueError(f"widths has {len(widths)} entries, depth={self.depth!r} needs depth + 1 = "
                             f"{self.depth + 1!r}: the input's width, then each hidden layer's")
        object.__setattr__(self, "width", widths[0])
        object.__setattr__(self, "widths", () if len(set(widths)) == 1 else tuple(widths))

    @property
    def units(self) -> tuple[int, ...]:
        """Units per layer, (depth + 1,): units[0] the input's, units[l] hidden layer l's. Layer l's W has shape
        (units[l - 1], units[l]): its fan_in and fan_out. A digits input is 64 pixels wide whatever `width` is: the
        image itself is layer 0, no projection in between, so the page shows the real input's statistics."""
        units = self.widths or (self.width,) * (self.depth + 1)
        if self.input == "digits":
            units = (1 if self.arch == "conv" else DIGITS_PIXELS, *units[1:])  # conv: one channel of 8 x 8 pixels
        return units

    @property
    def shapes(self) -> tuple[tuple[int, int], ...]:
        """(fan_in, fan_out) of each hidden layer's W, (depth,) pairs: (units[l-1], units[l]) for dense layers;
        (C_in k^2, C_out k^2) for conv layers, as torch.nn.init._calculate_fan_in_and_fan_out computes them for a
        (C_out, C_in, k, k) weight (core.conv.fans). Every scheme's variance and the theory read fans from here."""
        units, k2 = self.units, self.receptive_field
        return tuple((k2 * a, k2 * b) for a, b in zip(units[:-1], units[1:]))

    def to_dict(self) -> dict:
        data = asdict(self)
        data["widths"] = list(self.widths)  # JSON's list; from_dict reads it back
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Config:
        """Build from a dict, ignoring unknown keys (e.g. a JSON file saved by an older version)."""
        names = {f.name for f in fields(cls)}
        if "norm" in data and "batch_norm" not in data and "layer_norm" not in data:  # the JSON's derived name
            data = {**data, "batch_norm": data["norm"] == "batch", "layer_norm": data["norm"] == "layer"}
        return cls(**{k: v for k, v in data.items() if k in names})


_DEFAULTS = {f.name: f.default for f in fields(Config)}  # a dense net's unused conv fields are set to these


def resize(config: Config, name: str, value: int) -> Config:
    """config with its depth, width or batch set to value, its width profile kept in shape: for a profile, depth keeps
    the first depth + 1 entries, and width scales the entries in proportion so that the widest of those it scales
    (resized_size) is value (each rounded, at least the smallest width allowed). A digits input keeps its entry:
    its width is the data's (64 pixels; a conv net's one channel, however the entry is written). The sizes the work
    and memory limits search over, from the smallest allowed up to config's own (core.network.work_fits, the
    command line's check): both grow with value."""
    if not config.widths or name == "batch":
        return replace(config, **{name: value})
    widths = config.widths
    if name == "depth":
        return replace(config, depth=value, widths=widths[:value + 1])
    if name == "width":
        kept = widths[:1] if config.input == "digits" else ()
        widest, low = resized_size(config, "width"), INT_RANGES["width"][0]
        return replace(config, widths=kept + tuple(max(low, round(n * value / widest)) for n in widths[len(kept):]))
    raise ValueError(f"{name!r} is not a size: depth, width or batch")


def resized_size(config: Config, name: str) -> int:
    """config's depth, width or batch as resize(config, name, value) sets it: for "width", the widest of the layers it
    scales (every layer's units, the input's too, but a digits input's: its width is the data's)."""
    if name != "width":
        return getattr(config, name)
    units = config.units
    return max(units[1:] if config.input == "digits" else units)
