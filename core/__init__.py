"""Init Explorer's engine: a deep network at initialization, simulated and predicted, in numpy only."""

from .config import Config
from .network import DEFAULT_MEMORY_BUDGET, MemoryBudgetError, Result, estimate_memory, simulate
from .train import TrainingResult, train  # core.train is the function; the rest: from core.train import race

__all__ = ["Config", "DEFAULT_MEMORY_BUDGET", "MemoryBudgetError", "Result", "TrainingResult", "estimate_memory",
           "simulate", "train"]
