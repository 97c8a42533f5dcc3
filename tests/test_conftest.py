"""The test run's own set-up: which modules the two workers must not split."""

import ast
from pathlib import Path

import pytest

from tests.conftest import MEMOS, SHARING_MODULES

HERE = Path(__file__).parent


def module_fixtures(path: Path) -> list[str]:
    """The fixtures `path` declares with a scope wider than one test (module, package or session)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and any(
                        k.arg == "scope" and isinstance(k.value, ast.Constant) and k.value.value != "function"
                        for k in decorator.keywords):
                    found.append(node.name)
    return found


def fixtures_taken(path: Path) -> set[str]:
    """The names `path`'s tests take as fixtures: their arguments, less those their parametrize marks supply."""
    taken = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            given = {name.strip() for d in node.decorator_list if isinstance(d, ast.Call) and d.args
                     and isinstance(d.args[0], ast.Constant) and getattr(d.func, "attr", "") == "parametrize"
                     for name in d.args[0].value.split(",")}
            taken |= {arg.arg for arg in node.args.args} - given
    return taken


@pytest.mark.slow
def test_the_modules_kept_whole_are_those_with_module_fixtures():
    # A module with a module fixture split over two workers computes it twice (a browser module would start two
    # servers); a module listed without one is only scheduled worse. The conftest's wider fixtures (the browser
    # modules' server and Chromium) count for the modules whose tests take them, its memos (MEMOS) do not.
    shared = set(module_fixtures(HERE / "conftest.py")) - set(MEMOS)
    assert set(MEMOS) <= set(module_fixtures(HERE / "conftest.py"))
    sharing = {path.name for path in HERE.glob("test_*.py") if module_fixtures(path) or fixtures_taken(path) & shared}
    assert sharing == set(SHARING_MODULES), sharing ^ set(SHARING_MODULES)
    assert SHARING_MODULES[0] == "test_browser.py"  # the longest unit starts at once
    assert len(set(SHARING_MODULES)) == len(SHARING_MODULES)
    assert fixtures_taken(HERE / "test_locale.py") & shared == set()  # its `browser` is a parametrize argument
