"""core/ imports no module that imports it back, and each of its modules imports on its own."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "core"
MODULES = sorted(path.stem for path in CORE.glob("*.py") if path.stem != "__init__")


def imported(module: str) -> set[str]:
    """The core modules a core module imports anywhere in its text (top level or inside a function)."""
    names = set()
    for node in ast.walk(ast.parse((CORE / f"{module}.py").read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 or node.module in ("core",) or (node.module or "").startswith("core."):
                base = (node.module or "").removeprefix("core.").removeprefix("core") if node.level == 0 else \
                    (node.module or "")
                if base:  # from .x import y, from core.x import y
                    names.add(base.split(".")[0])
                else:  # from . import x, y
                    names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("core.")}
    return names & set(MODULES)


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as [a, b, ..., a], or None: depth-first search with the path on a stack."""
    state = {}  # module -> "open" (on the path) or "done"

    def visit(node, path):
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return path[path.index(target):] + [target]
            if target not in state:
                found = visit(target, path + [target])
                if found:
                    return found
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_the_import_graph_of_core_has_no_cycle():
    graph = {module: imported(module) for module in MODULES}
    assert graph["network"] >= {"activations", "theory"}  # the parser sees relative imports
    assert cycle(graph) is None, " -> ".join(cycle(graph))


@pytest.mark.parametrize("module", MODULES)
def test_each_core_module_imports_alone_in_a_fresh_interpreter(module):
    # the package's __init__ is not run, so nothing else is imported first and hides an order dependence
    code = (f"import sys, types, importlib; package = types.ModuleType('core'); package.__path__ = [{str(CORE)!r}]; "
            f"sys.modules['core'] = package; importlib.import_module('core.{module}')")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
