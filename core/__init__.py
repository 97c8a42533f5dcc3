"""Init Explorer's engine: a deep network at initialization, simulated and predicted, in numpy only."""

from .config import Config
from .network import DEFAULT_MEMORY_BUDGET, MemoryBudgetError, Result, estimate_memory, simulate

__all__ = ["Config", "DEFAULT_MEMORY_BUDGET", "MemoryBudgetError", "Result", "estimate_memory", "simulate"]
