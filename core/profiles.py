"""Width profiles by name: the presets the sidebar offers, how a link writes a profile, and how one follows the
depth and width sliders.

A profile is Config.units: the input's width, then each hidden layer's. Presets (TAPER = 8, the factor a taper
or a bottleneck narrows by):
    constant     every layer `width` (the lecture's network, Config's shorthand)
    taper        width -> width / 8 geometrically: units[l] = width * 8^(-l / depth)
    bottleneck   width at both ends, width / 8 in the middle: units[l] = width * 8^-(1 - |2 l / depth - 1|)
    mnist        784-512-256-128, a classic MNIST classifier's hidden layers (any depth and width)
"""

from __future__ import annotations

from .config import INT_RANGES

PRESETS = ("constant", "taper", "bottleneck", "mnist")
TAPER = 8  # how much a taper (a bottleneck's middle) narrows: the "taper to 1/8"
MNIST = (784, 512, 256, 128)
SEPARATOR = "-"  # between a link's widths: unreserved in URLs (RFC 3986), so it is never escaped
ENTRIES = (INT_RANGES["depth"][0] + 1, INT_RANGES["depth"][1] + 1)  # depth + 1 widths


def _width(value: float) -> int:
    low, high = INT_RANGES["width"]
    return min(high, max(low, round(value)))


def preset(name: str, depth: int, width: int) -> tuple[int, ...]:
    """The preset's units, (depth + 1,), for the sliders' depth and width (mnist: its own four)."""
    if name == "constant":
        return (width,) * (depth + 1)
    if name == "taper":
        return tuple(_width(width * TAPER ** (-layer / depth)) for layer in range(depth + 1))
    if name == "bottleneck":
        return tuple(_width(width * TAPER ** -(1 - abs(2 * layer / depth - 1))) for layer in range(depth + 1))
    if name == "mnist":
        return MNIST
    raise ValueError(f"unknown width profile {name!r}: one of {', '.join(PRESETS)}")


def preset_of(units: tuple[int, ...]) -> str | None:
    """The first preset that gives these units at their own depth and input width; None for a profile of one's own."""
    return next((name for name in PRESETS if preset(name, len(units) - 1, units[0]) == tuple(units)), None)


def follow(units: tuple[int, ...], depth: int, width: int) -> tuple[int, ...]:
    """The profile after the depth or width slider moved: a preset's shape at the new depth and width; a profile of
    one's own (or mnist) scaled so that its input has the new width, and cut to or extended (its last width
    repeated) to the new depth."""
    name = preset_of(units)
    if name not in (None, "mnist"):
        return preset(name, depth, width)
    scaled = [_width(n * width / units[0]) for n in units]
    return tuple((scaled + [scaled[-1]] * depth)[:depth + 1])


def write(units: tuple[int, ...]) -> str:
    """A profile as a link writes it: "784-512-256-128"; "" for equal widths (the depth and width say them)."""
    return "" if len(set(units)) == 1 else SEPARATOR.join(map(str, units))


def read(text: str) -> tuple[int, ...]:
    """A link's profile: whole numbers in the width range joined by SEPARATOR, ENTRIES of them; () for "".
    ValueError otherwise."""
    if not text:
        return ()
    entries = text.split(SEPARATOR)
    low, high = INT_RANGES["width"]
    if not (ENTRIES[0] <= len(entries) <= ENTRIES[1]
            and all(entry.isascii() and entry.isdigit() and low <= int(entry) <= high for entry in entries)):
        raise ValueError(f"{text!r} is not a width profile")
    return tuple(int(entry) for entry in entries)
