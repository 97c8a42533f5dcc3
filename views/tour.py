"""The lecture tour: seven steps, each one network configuration, in the order the lecture tells them."""

from __future__ import annotations

from dataclasses import replace

from core import Config
from core.train import SCHEMES, scheme_config  # noqa: F401  (the app's Compare tab uses both)

# Every step is the lecture's network: 10 tanh/ReLU layers of 500 units, a batch of 1000 standard-normal samples.
STEPS: dict[str, Config] = {
    "1": Config(init="zeros", activation="tanh"),  # symmetry: every unit computes the same thing
    "2": Config(init="normal", std=0.01, activation="tanh"),  # 0.01 * randn: activations shrink x0.22 a layer
    "3": Config(init="normal", std=1.0, activation="tanh"),  # 1.0 * randn: tanh saturates
    "4": Config(init="xavier_normal", activation="tanh"),  # Var(w) = 1/n keeps the variance
    "5": Config(init="xavier_normal", activation="relu"),  # ReLU halves the variance at each layer
    "6": Config(init="he_normal", activation="relu"),  # Var(w) = 2/n makes up for the half
    # Step 2's collapsing init again, so the only change on screen is batch norm itself.
    "7": Config(init="normal", std=0.01, activation="tanh", batch_norm=True),
}
CUSTOM = "custom"
STEP_CODES = (*STEPS, CUSTOM)
FIRST = "1"

# The Compare tab's schemes (the init part of a Config) are core.train.SCHEMES, shared with the races.
# The lecture's five: too small, too large, Xavier, He, and the too-small init rescued by batch norm. Zeros is
# left out by default because its activations are exactly 0, which a log-scale chart cannot draw.
LECTURE_FIVE = ("normal_0.01", "normal_1", "xavier_normal", "he_normal", "normal_0.01+bn")


def step_config(code: str, seed: int = 0) -> Config:
    """The configuration of a tour step, with the given seed (the tour keeps whatever seed is chosen)."""
    return replace(STEPS[code], seed=seed)


def same_lesson(a: Config, b: Config) -> bool:
    """Whether two configurations differ at most in their seed: a new draw keeps the lesson."""
    return replace(a, seed=0) == replace(b, seed=0)


def scheme_of(config: Config) -> str:
    """The Compare scheme a configuration belongs to, which decides its colour everywhere in the app."""
    if config.batch_norm:
        return "normal_0.01+bn"
    if config.init in ("zeros", "constant"):
        return "zeros"
    if config.init in ("xavier_normal", "xavier_uniform", "lecun_normal"):  # LeCun's 1/n_in is Xavier's 1/n here
        return "xavier_normal"
    if config.init in ("he_normal", "he_uniform"):
        return "he_normal"
    if config.init == "orthogonal":
        return "orthogonal"
    # normal / uniform: small or large next to Xavier's 1/n
    std = config.std if config.init == "normal" else config.bound / 3**0.5
    return "normal_0.01" if config.width * std**2 < 1.0 else "normal_1"
