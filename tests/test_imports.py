"""core/ and views/ import no module that imports them back, and each of their modules imports on its own; only the
views modules that draw import streamlit; the app script imports without drawing anything."""

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


@pytest.mark.slow
def test_the_import_graph_of_core_has_no_cycle():
    graph = {module: imported(module) for module in MODULES}
    assert graph["network"] >= {"activations", "theory"}  # the parser sees relative imports
    assert cycle(graph) is None, " -> ".join(cycle(graph))


@pytest.mark.slow
@pytest.mark.parametrize("module", MODULES)
def test_each_core_module_imports_alone_in_a_fresh_interpreter(module):
    # the package's __init__ is not run, so nothing else is imported first and hides an order dependence
    code = (f"import sys, types, importlib; package = types.ModuleType('core'); package.__path__ = [{str(CORE)!r}]; "
            f"sys.modules['core'] = package; importlib.import_module('core.{module}')")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


# ---------- views: drawing and pure modules ----------

VIEWS = ROOT / "views"
# The views modules that draw on the page, and so import streamlit (paths under views/). Every other views module
# is pure: chart builders, words and rules that a test calls without a page.
DRAWING = ("beside.py", "computing.py", "draw.py", "headline.py", "link.py", "present.py", "sidebar.py", "tabs/*.py")
VIEW_MODULES = sorted(path.relative_to(VIEWS) for path in VIEWS.rglob("*.py"))


def imports_streamlit(path: Path) -> bool:
    """Whether a module's text imports streamlit anywhere (top level or inside a function)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "streamlit" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "streamlit":
            return True
    return False


def drawing(relative: Path) -> bool:
    return any(relative.match(pattern) and len(relative.parts) == len(Path(pattern).parts) for pattern in DRAWING)


def test_the_streamlit_check_sees_an_import():
    assert imports_streamlit(ROOT / "streamlit_app.py") and not imports_streamlit(CORE / "config.py")
    assert drawing(Path("tabs/compare.py")) and not drawing(Path("charts.py")) and not drawing(Path("x/tabs/a.py"))


@pytest.mark.parametrize("relative", VIEW_MODULES, ids=str)
def test_only_the_views_modules_that_draw_import_streamlit(relative):
    assert imports_streamlit(VIEWS / relative) == drawing(relative), f"views/{relative}: see DRAWING"


@pytest.mark.slow
def test_the_pure_views_modules_bring_no_streamlit_with_them():
    pure = [".".join(("views", *p.with_suffix("").parts)) for p in VIEW_MODULES if not drawing(p)]
    pure = [name.removesuffix(".__init__") for name in pure]
    assert "views.charts" in pure and "views.page" in pure
    code = f"import importlib, sys; [importlib.import_module(m) for m in {pure!r}]; print('streamlit' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


@pytest.mark.slow
def test_the_app_script_imports_without_drawing():
    # `streamlit run` runs the script as __main__; an import (a test, a tool) only defines main()
    code = ("import streamlit as st\n"
            "def drawn(*args, **kwargs): raise AssertionError('the import drew the page')\n"
            "st.set_page_config = st.html = st.tabs = drawn\n"
            "import streamlit_app\n"
            "assert callable(streamlit_app.main)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def views_imported(relative: Path) -> set[str]:
    """The views modules (dotted under views: "tabs.compare", "tabs") a views module imports at its top level, where
    an import runs when the module is first imported; one inside a function runs later and closes no cycle."""
    package = relative.parent.parts  # a module's own package, and a package's __init__ is in it
    known = {".".join(p.with_suffix("").parts).removesuffix(".__init__") for p in VIEW_MODULES}
    names = set()
    for node in ast.parse((VIEWS / relative).read_text()).body:
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(package[:len(package) - (node.level - 1)])
            if node.module:
                names.add(".".join([*base, node.module]))
            else:  # from . import x, y
                names |= {".".join([*base, alias.name]) for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("views."):
            names.add(node.module.removeprefix("views."))
    return names & known


def test_the_views_import_parser_sees_relative_and_package_imports():
    assert {"charts", "text"} <= views_imported(Path("options.py"))
    assert "summary" in views_imported(Path("tabs/compare.py"))
    assert {"urlstate", "tabs.compare"} <= views_imported(Path("tabs/__init__.py"))


def test_the_import_graph_of_views_has_no_cycle():
    # options -> tour -> training -> describe -> options had left views.options, views.urlstate and every tab
    # importable only after something else had imported views.tour
    graph = {".".join(p.with_suffix("").parts).removesuffix(".__init__"): views_imported(p) for p in VIEW_MODULES}
    assert cycle(graph) is None, " -> ".join(cycle(graph))


@pytest.mark.slow
def test_each_views_module_imports_first_in_a_fresh_interpreter():
    # one interpreter: before each module every views module is forgotten, so each is the first one imported
    names = [".".join(("views", *p.with_suffix("").parts)).removesuffix(".__init__") for p in VIEW_MODULES]
    code = ("import importlib, sys\n"
            f"for name in {names!r}:\n"
            "    for loaded in [m for m in sys.modules if m == 'views' or m.startswith('views.')]:\n"
            "        del sys.modules[loaded]\n"
            "    try:\n"
            "        importlib.import_module(name)\n"
            "    except ImportError as error:\n"
            "        print(name, error)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and not done.stdout, done.stdout + done.stderr
