"""The tests run with the project's one thread setting (core/threads.py), on every core (pytest-xdist) by default,
each with the server's caches empty."""

import contextlib
import functools
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from core import Config, Result, cache, simulate, threads
from tests.browser_support import chromium, require_chromium, streamlit_server
from views import cache as page_cache
from views import tour

# No per-example deadline: the tests assert what is computed, never how fast (the machine is shared). The property
# tests draw the same examples on every run (derandomize: from each test's own code), so a red run is a change's
# doing, not the draw's; HYPOTHESIS_PROFILE=explore draws new ones on each run, to search for faults (docs/app.md).
settings.register_profile("project", deadline=None, derandomize=True)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "project"))


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """Without -n, run on every core: `-n auto --dist loadscope` (pytest.ini says why it is here, not in addopts).

    The modules with module fixtures go to one worker whole, so the browser tests share one server and nothing is
    computed twice; the other tests are handed out one by one (pytest_xdist_make_scheduler below). (loadgroup
    would need the workers to see `--dist` on their command line.) `-n 0` or `-p no:xdist` runs in this one
    process, as does a machine without xdist.
    """
    if (config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput")
            and config.option.numprocesses is None and not config.option.collectonly):
        config.option.numprocesses = "auto"
        if config.option.dist == "no":
            config.option.dist = "loadscope"
            config.stash[SHARED_MODULES_FIRST] = True


# The modules whose tests share a fixture wider than a test (the browser modules' server and Chromium, below;
# networks computed once for a module): each runs whole on one worker, the longest first. tests/test_conftest.py
# checks the list against the modules' fixtures. The browser tests are six modules by subject so that both workers
# run them.
SHARING_MODULES = ("test_browser.py", "test_browser_screens.py", "test_browser_present.py", "test_browser_charts.py",
                   "test_browser_faults.py", "test_browser_data.py", "test_train.py", "test_train_conv.py",
                   "test_network.py", "test_theory_map.py", "test_concurrency.py", "test_workers.py",
                   "test_names.py", "test_teaching_charts.py")
SHARED_MODULES_FIRST = pytest.StashKey[bool]()


@pytest.hookimpl(optionalhook=True)  # an xdist hook: a run without xdist (-p no:xdist) has none
def pytest_xdist_make_scheduler(config, log):
    """The default run's work units: the sharing modules whole, longest first, then every other test on its own,
    so that the two workers finish within about one test of each other.

    xdist's loadscope hands out whole modules, those with the most tests first: the app's tests (a quarter of the
    suite's CPU) and the browser's (the longest module, with few tests) came last, and one worker ran alone for
    minutes at the end. Only the default run (`-n auto` added above) is scheduled so; a `--dist` given is obeyed.
    """
    if not config.stash.get(SHARED_MODULES_FIRST, False):
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharingModulesFirst(LoadScopeScheduling):
        ordered = False

        def _split_scope(self, nodeid):
            module = nodeid.split("::", 1)[0]
            return module if module.rsplit("/", 1)[-1] in SHARING_MODULES else nodeid

        def _assign_work_unit(self, node):
            if not self.ordered:  # the queue once built: sharing modules in the order above, then the rest as collected
                def rank(scope):
                    name = scope.rsplit("/", 1)[-1]
                    return (0, SHARING_MODULES.index(name)) if name in SHARING_MODULES else (1, 0)

                for scope in sorted(self.workqueue, key=rank):
                    self.workqueue.move_to_end(scope)
                self.ordered = True
            super()._assign_work_unit(node)

    return SharingModulesFirst(config, log)


def pytest_configure(config):
    threads.configure()


@pytest.fixture(autouse=True)
def empty_caches(request):
    """What a server keeps for its sessions starts empty in every test: a result kept by an earlier test would
    hide a computation (or its fault) from the next.

    A test marked `shared_results` reads pages as a server's later sessions do, from what earlier tests of its
    worker computed: the networks are pure functions of their Config, so a kept one is the one its own
    computation would give (its computation and its faults are tested where caching, admission, budgets and
    cancellation are, which stay unmarked). An unmarked test's caches are set aside, not emptied, so that the
    marked tests after it on the worker still find what was computed before it."""
    if request.node.get_closest_marker("shared_results") is not None:
        yield
        return
    with contextlib.ExitStack() as stack:
        for kept in (cache.RESULTS, *page_cache.CACHES.values()):
            stack.enter_context(set_aside(kept))
        yield


@contextlib.contextmanager
def set_aside(kept: cache.ByteCache) -> Iterator[None]:
    """`kept` empty for the block, then holding what it held before. What the block kept is dropped: an unmarked
    test may have computed it with a stand-in (a fault, a counter)."""
    with kept._lock:
        entries, nbytes = kept._entries.copy(), kept.nbytes
    kept.clear()
    try:
        yield
    finally:
        with kept._lock:
            kept._entries, kept.nbytes = entries, nbytes


@pytest.fixture(scope="session", autouse=True)
def _scan_installed_components_once():
    """Every AppTest scans the installed packages for Streamlit components (about a second of reading package
    metadata); they do not change during a test run, so the first scan's answer serves every AppTest."""
    try:
        from streamlit.components.v2 import manifest_scanner
    except ImportError:  # another Streamlit: it scans as it does
        yield
        return
    scan = manifest_scanner.scan_component_manifests
    once = functools.cache(scan)
    manifest_scanner.scan_component_manifests = lambda *args, **kwargs: list(once(*args, **kwargs))
    yield
    manifest_scanner.scan_component_manifests = scan


@pytest.fixture(scope="session", autouse=True)
def _compile_the_app_once():
    """AppTest compiles the script anew on every run (a new ScriptCache each time: about half a second for
    streamlit_app.py); a server compiles it once and reruns that code. The tests share one compiled code per
    script text, as a server's sessions do."""
    try:
        from streamlit import config
        from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    except ImportError:  # another Streamlit: it compiles as it does
        yield
        return
    compile_script = ScriptCache.get_bytecode
    compiled = {}

    def get_bytecode(self, script_path):
        path = os.path.abspath(script_path)
        key = (path, Path(path).read_bytes(), config.get_option("runner.magicEnabled"))
        if key not in compiled:
            compiled[key] = compile_script(self, script_path)
        return compiled[key]

    ScriptCache.get_bytecode = get_bytecode
    yield
    ScriptCache.get_bytecode = compile_script


@pytest.fixture(scope="session", autouse=True)
def _wait_for_each_run_s_end():
    """AppTest waits for a script run to end by polling its list of events every millisecond (every element the run
    draws is one): the test's thread wakes a thousand times a second and takes the interpreter from the script's
    thread each time. Here it waits for the run's SHUTDOWN event, told by the runner as it happens (the same
    timeout, and the same error after it)."""
    try:
        from streamlit.runtime.scriptrunner import ScriptRunnerEvent
        from streamlit.testing.v1 import local_script_runner
    except ImportError:  # another Streamlit: it waits as it does
        yield
        return
    poll = local_script_runner.require_widgets_deltas

    def require_widgets_deltas(runner, timeout: float = 3) -> None:
        ended = threading.Event()

        def told(sender, event, **kwargs):
            if event == ScriptRunnerEvent.SHUTDOWN:
                ended.set()

        runner.on_event.connect(told, weak=False)
        try:
            if runner.script_stopped() or ended.wait(timeout):
                return
        finally:
            runner.on_event.disconnect(told)
        runner.request_stop()  # as AppTest does: stop the run before raising
        runner.join()
        raise RuntimeError(f"AppTest script run timed out after {timeout}(s)")

    local_script_runner.require_widgets_deltas = require_widgets_deltas
    yield
    local_script_runner.require_widgets_deltas = poll


@pytest.fixture(scope="session")
def simulated() -> Callable[[Config], Result]:
    """simulate(config), each network computed once for the worker's tests, its arrays read-only so that no test
    can change what another reads (a result is a pure function of its Config). The modules that read the same
    networks, the tour's above all, share them."""
    return functools.cache(lambda config: cache.freeze(simulate(config)))


@pytest.fixture(scope="session")
def steps(simulated) -> dict[str, Result]:
    """{tour step: its network's Result} for every step of views.tour.STEPS, computed side by side."""
    return dict(zip(tour.STEPS, threads.parallel_map(simulated, tour.STEPS.values())))


# The session fixtures that only keep what is computed (above): a module that takes them may run on both workers,
# each computing a network at most once; the others (the browser's server and Chromium) keep a module whole.
MEMOS = ("simulated", "steps")


@pytest.fixture(scope="session")
def base():
    """`streamlit run streamlit_app.py` on a free loopback port: one for each worker's browser modules
    (test_browser*.py), so that modules on different workers run side by side, and the modules of one worker share
    its start (seconds) and the steps it has computed, as a server's later visitors do. Skipped without Chromium,
    which the tests need."""
    require_chromium()
    with streamlit_server() as (url, _):
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright, one for each worker's browser modules (each test opens its own
    contexts and closes them)."""
    require_chromium()
    with chromium() as b:
        yield b
