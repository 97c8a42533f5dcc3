"""The app under AppTest: a page opened from a link, a tab opened; several sessions at once in one process,
sharing what a Streamlit server shares between its sessions."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pandas as pd
from streamlit.testing.v1 import AppTest

from views.text import t

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


# The characters that only steer where a line may break: a no-break space reads as a space, a word joiner and a
# zero-width space as nothing (the zh titles' word boundaries, views/present.py's keep-all)
BREAK_CONTROLS = str.maketrans({"\u00a0": " ", "\u2060": None, "\u200b": None})


def as_read(text: str) -> str:
    """text as a reader sees it, without the characters that only steer line breaks (BREAK_CONTROLS)."""
    return text.translate(BREAK_CONTROLS)


def open_app(**query: str | list[str]) -> AppTest:
    """The page a link with this query opens, after its first run (60 s allowed: a run may wait for the server)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    return at.run()


def open_tab(at: AppTest, code: str, lang: str = "en") -> AppTest:
    """The page with the tab `code` open (tabs are chosen by their label in the page's language)."""
    at.session_state["tab"] = t(lang, f"tab_{code}")
    return at.run()


def data_tables(at: AppTest):
    """The Data tab's tables (views.tabs.data.TABLES) side by side as one frame, each column once."""
    tables = [table.value for table in at.dataframe]
    layer = tables[0].columns[0]
    joined = pd.concat([table.set_index(layer) for table in tables], axis=1)
    return joined.loc[:, ~joined.columns.duplicated()].reset_index()  # the width is in every table


@contextlib.contextmanager
def one_server() -> Iterator[None]:
    """AppTest made to share what a server shares between its sessions, so that several can run at once.

    For every run AppTest builds a stand-in runtime, sets Runtime's singleton to it and clears it when the
    run ends, sets the option global.appTest for the run's length, and compiles the script anew. A server
    has one runtime and one script cache for all its sessions, and its options do not change. Here the
    first runtime set stays until the block ends (a session must not find none halfway through its run),
    global.appTest is set for the whole block, and one script cache compiles the script once: CPython
    3.11's compiler is not safe in several threads at once (python/cpython#106905).
    """
    from streamlit import config
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner
    from streamlit.testing.v1.util import build_mock_config_get_option

    lock = threading.Lock()

    class FirstStays(type):
        def __setattr__(cls, name, value):
            if name != "_instance":
                super().__setattr__(name, value)
                return
            with lock:
                if value is not None and Runtime._instance is None:
                    Runtime._instance = value

    class OneRuntime(Runtime, metaclass=FirstStays):
        """What AppTest sees as Runtime: its mock keeps Runtime's attributes."""

    shared = ScriptCache()
    with contextlib.ExitStack() as patches:
        for target, name, value in (
            (Runtime, "_instance", None),  # and what it was again at the end
            (app_test, "Runtime", OneRuntime),
            (app_test, "ScriptCache", lambda: shared),
            (local_script_runner, "ScriptCache", lambda: shared),
            (config, "get_option", build_mock_config_get_option({"global.appTest": True})),
            (app_test, "patch_config_options", lambda overrides: contextlib.nullcontext()),
        ):
            patches.enter_context(mock.patch.object(target, name, value))
        yield
