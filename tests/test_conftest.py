"""The test run's own set-up: which modules the two workers must not split."""

import ast
from pathlib import Path

from tests.conftest import SHARING_MODULES

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


def test_the_modules_kept_whole_are_those_with_module_fixtures():
    # A module with a module fixture split over two workers computes it twice (the browser tests would start two
    # servers); a module listed without one is only scheduled worse.
    sharing = {path.name for path in HERE.glob("test_*.py") if module_fixtures(path)}
    assert sharing == set(SHARING_MODULES), sharing ^ set(SHARING_MODULES)
    assert SHARING_MODULES[0] == "test_browser.py"  # the longest unit starts at once
    assert len(set(SHARING_MODULES)) == len(SHARING_MODULES)
