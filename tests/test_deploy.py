"""The deployed app's settings (.streamlit/config.toml), as Streamlit itself reads and applies them."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Run in the app's folder, where Streamlit finds .streamlit/config.toml: the setting as Streamlit reads it, and
# what it sends a browser for an uncaught exception whose message names a file of the server.
EXCEPTION_SHOWN = """
import json
from streamlit import config
from streamlit.elements import exception
from streamlit.proto.Exception_pb2 import Exception as ExceptionProto

config.get_config_options(force_reparse=True)
try:
    open("/srv/secret/streamlit_app.py/missing")
except OSError as error:
    proto = ExceptionProto()
    exception.marshall(proto, error, apply_show_error_details=True)
print(json.dumps({"option": config.get_option("client.showErrorDetails"), "type": proto.type,
                  "message": proto.message, "stack_trace": list(proto.stack_trace)}))
"""


@pytest.mark.slow
def test_viewers_see_no_traceback_and_no_path():
    client = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text()).get("client", {})
    written = client.get("showErrorDetails", "full")  # Streamlit's default when the file leaves it out
    run = subprocess.run([sys.executable, "-c", EXCEPTION_SHOWN], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, check=True)
    shown = json.loads(run.stdout.strip().splitlines()[-1])
    assert shown["option"] == written  # Streamlit reads the file's value as it is written
    assert shown["stack_trace"] == []  # no traceback, so none of the code's paths
    assert "/srv/secret" not in shown["message"] and "streamlit_app.py" not in shown["message"]
    assert shown["type"] == "FileNotFoundError"  # and the kind of error, for a bug report


def test_the_app_writes_nothing_through_magic():
    """With runner.magicEnabled off, a bare expression in the script would show nothing: the script has none.

    Magic writes a statement that is an expression other than a call (a name, a string that is not a
    docstring, a DataFrame, a comparison ...); calls, awaits and yields are left alone by it.
    """
    runner = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text()).get("runner", {})
    assert runner.get("magicEnabled") is False
    tree = ast.parse((ROOT / "streamlit_app.py").read_text())
    docstrings = {id(body[0]) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                  and (body := node.body) and isinstance(body[0], ast.Expr)
                  and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)}
    shown = [node.lineno for node in ast.walk(tree)
             if isinstance(node, ast.Expr) and id(node) not in docstrings
             and not isinstance(node.value, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom))]
    assert shown == []
