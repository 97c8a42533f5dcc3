"""Sessions at once: nothing one session does to process-wide state reaches another session's page.

Streamlit runs every session's script in a thread of one process, so whatever is module-global is shared:
Altair's data-transformer and theme registries (st.altair_chart switches both, under a lock of its own,
while it serializes a chart), numpy's floating-point error state, and the caches of core.draws and
core.theory. The page's specs are made without Altair's registries, the caches are filled under locks and
hold read-only arrays, and numpy's error state is per thread.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec  # what st.altair_chart runs
from streamlit.testing.v1 import AppTest

from core import Config, draws, simulate, theory
from core.train import one_unit_ceiling, race
from tests import app_support
from views import charts
from views import theory as theory_view
from views import training as training_view
from views.text import t

APP = str(Path(__file__).parent.parent / "streamlit_app.py")
NAMES = {"measured": t("en", "measured"), "theory": t("en", "theory")}


# ---------- every chart the page draws ----------

@pytest.fixture(scope="module")
def activation_charts() -> dict[str, alt.TopLevelMixin]:
    """The Activations, Gradients and Compare tabs' charts (views.charts.BUILDERS), with the app's options."""
    result = simulate(Config(depth=12, width=64, batch=64, init="xavier_normal"))
    layers = charts.layer_frame(result)
    act = charts.series_frame(layers, "act_std", "predicted_act_std", NAMES)
    grad = charts.series_frame(layers, "grad_std", "predicted_grad_std", NAMES, first_layer=1)
    compare = charts.compare_frame({s: simulate(Config(depth=12, width=64, batch=64, init=init, std=std))
                                    for s, init, std in (("normal_0.01", "normal", 0.01), ("normal_1", "normal", 1.0),
                                                         ("he_normal", "he_normal", 0.01))})
    common = dict(colour="#228833", layer_title="layer")
    return {
        "mean": charts.mean_chart(layers, title="mean", y_title="mean", **common),
        "line": charts.line_chart(act, title="std", y_title="std", log=False, names=NAMES, **common),
        "line_log": charts.line_chart(grad, title="grad", y_title="std", log=True, names=NAMES, **common),
        "histogram": charts.histogram_chart(charts.histogram_frame(result, "en"), colour="#228833",
                                            title="hist", share_title="share", columns=5),
        "ratio": charts.ratio_chart(layers, title="ratio", y_title="ratio", **common),
        "compare": charts.compare_chart(compare, title="compare", y_title="std", layer_title="layer",
                                        scheme_title="scheme", underflow_label="underflow"),
    }


@pytest.fixture(scope="module")
def other_charts() -> dict[str, alt.TopLevelMixin]:
    """The Theory and Training tabs' charts, several datasets each, drawn as built."""
    config = Config(depth=6, width=32, batch=64, activation="relu", init="he_normal")
    result = simulate(config)
    numbers = theory.theory_summary(config)
    grid = theory.phase_map(config.activation)
    cells, critical = theory_view.map_frame(grid), theory_view.critical_frame(grid)
    marks = theory_view.marks_frame(config.width, numbers["sigma_w2"], numbers["sigma_b2"], "en")
    results = race(config, ("zeros", "normal_1", "he_normal"), steps=20)
    curves, k = training_view.curves_frame(results), training_view.classes_of(results)
    return {
        "map": theory_view.map_chart(cells, critical, marks, colour_by="log_chi1", title="map"),
        "map_xi": theory_view.map_chart(cells, critical, marks, colour_by="depth_scale", title="map"),
        "gradients": theory_view.gradient_chart(theory_view.gradient_frame(
            result.grad_std, result.predicted_grad_std, numbers["chi1"], "en")),
        "loss": training_view.loss_chart(curves, "en", k),
        "accuracy": training_view.accuracy_chart(curves, "en", k, ceiling=one_unit_ceiling(k)),
        "heatmap": training_view.heatmap_chart(training_view.heatmap_frame(results["he_normal"]), "en", "act_std",
                                                results["he_normal"].config),
        "symmetry": training_view.symmetry_chart(training_view.symmetry_frame(results), "en", panel_width=150),
    }


def same_spec(spec: dict, reference: dict) -> bool:
    """Equal specs whose datasets hold the very same frames (a DataFrame's == is elementwise)."""
    rest, datasets = {k: v for k, v in spec.items() if k != "datasets"}, spec.get("datasets", {})
    ref_rest, ref_datasets = {k: v for k, v in reference.items() if k != "datasets"}, reference.get("datasets", {})
    return rest == ref_rest and datasets.keys() == ref_datasets.keys() and \
        all(datasets[name] is ref_datasets[name] for name in datasets)


def serialize_at_once(serialize, made: dict, threads: int = 3, rounds: int = 2) -> list[str]:
    """Serialize every chart in several threads while another does what st.altair_chart does, over and over.

    Returns what went wrong: exceptions, and specs that differ from the one made alone beforehand.
    """
    alone = {name: serialize(chart) for name, chart in made.items()}
    stop, problems = threading.Event(), []
    streamlit_chart = theory_view.gradient_chart(theory_view.gradient_frame(
        np.geomspace(1.0, 1e-3, 11), np.geomspace(1.0, 1e-3, 11), 0.5, "en"))

    def streamlit_session():
        while not stop.is_set():
            _convert_altair_to_vega_lite_spec(streamlit_chart)  # switches Altair's transformer and theme

    def session():
        for _ in range(rounds):
            for name, chart in made.items():
                try:
                    if not same_spec(serialize(chart), alone[name]):
                        problems.append(f"{name}: a different spec")
                except Exception as error:  # noqa: BLE001 - every exception is the finding
                    problems.append(f"{name}: {type(error).__name__}: {error}")

    other = threading.Thread(target=streamlit_session)
    other.start()
    try:
        workers = [threading.Thread(target=session) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        stop.set()
        other.join()
    return problems


@pytest.mark.slow
def test_templates_are_made_whole_while_streamlit_serializes_an_altair_chart(activation_charts):
    """The Activations and Compare tabs' templates, made while another session draws a Theory chart."""
    assert serialize_at_once(charts.template, activation_charts) == []


@pytest.mark.slow
def test_every_chart_is_serialized_whole_while_streamlit_serializes_an_altair_chart(activation_charts,
                                                                                   other_charts):
    assert serialize_at_once(charts.vega_lite, {**activation_charts, **other_charts}) == []


# ---------- no Altair registry is read ----------

class Consulted(Exception):
    """Raised by the registry entries below: a spec was made with a global registry's help."""


def _transformer(data):
    raise Consulted("data transformer")


def _theme():
    raise Consulted("theme")


@contextlib.contextmanager
def registries_that_raise():
    """Altair's data transformer and theme set to entries that raise, as another thread could have set them."""
    alt.data_transformers.register("raises", _transformer)
    alt.theme.register("raises", enable=False)(_theme)
    try:
        with alt.data_transformers.enable("raises"), alt.theme.enable("raises"):
            yield
    finally:
        alt.data_transformers.register("raises", None)
        alt.theme.unregister("raises")


@pytest.mark.slow
def test_specs_do_not_read_altairs_registries(activation_charts, other_charts):
    made = {**activation_charts, **other_charts}
    alone = {name: charts.vega_lite(chart) for name, chart in made.items()}
    templates = {name: charts.template(chart) for name, chart in activation_charts.items()}
    with registries_that_raise():
        with pytest.raises(Consulted):  # the entries do raise when Altair's own path reads them
            activation_charts["mean"].to_dict()
        for name, chart in made.items():
            assert same_spec(charts.vega_lite(chart), alone[name]), name
        for name, chart in activation_charts.items():
            assert charts.template(chart) == templates[name], name


def test_data_only_altairs_transformer_could_read_is_refused():
    chart = alt.Chart(pa.table({"a": [1.0, 2.0]})).mark_point().encode(x="a:Q")  # Altair reads it via the registry
    with pytest.raises(TypeError, match="chart data must be a pandas DataFrame, not Table"):
        charts.vega_lite(chart)


def _altair_names(spec: dict, made_by_altair: dict) -> dict:
    """spec with its frames as the records Altair's default transformer inlines, under the names Altair gives them."""
    records = {name: alt.to_values(frame)["values"] for name, frame in spec["datasets"].items()}
    names = {mine: next(theirs for theirs, values in made_by_altair["datasets"].items() if values == rows)
             for mine, rows in records.items()}
    text = json.dumps({k: v for k, v in spec.items() if k != "datasets"})
    for mine, theirs in names.items():
        text = text.replace(json.dumps({"name": mine}), json.dumps({"name": theirs}))
    return {**json.loads(text), "datasets": {names[mine]: rows for mine, rows in records.items()}}


@pytest.mark.slow
def test_a_spec_is_the_one_altair_makes_itself(activation_charts, other_charts):
    """The same Vega-Lite as Altair's own to_dict() with its default transformer and no theme (as st.altair_chart)."""
    for name, chart in {**activation_charts, **other_charts}.items():
        with alt.theme.enable("none"):
            made_by_altair = chart.to_dict()  # validated against the Vega-Lite schema
        spec = charts.vega_lite(chart)
        assert all(isinstance(frame, pd.DataFrame) for frame in spec["datasets"].values()), name
        # a name Vega-Lite also gives data of its own ("data_0", "source_0") stops the browser drawing the chart
        assert not any(re.fullmatch(r"[a-z]+_\d+", dataset) for dataset in spec["datasets"]), name
        assert _altair_names(spec, made_by_altair) == made_by_altair, name


# ---------- sessions at once ----------

SMALL = dict(step="custom", depth="3", width="24", batch="32", init="normal", std="0.05")
SESSIONS = {  # the link a session opens, and the control it then moves: a new network on every run
    "activations": ({**SMALL, "log": "true"}, "depth", (4, 5, 6)),
    "gradients": ({**SMALL, "tab": "gradients"}, "depth", (7, 8, 9)),
    "compare": ({**SMALL, "tab": "compare"}, "depth", (10, 11, 12)),
    "theory": ({**SMALL, "tab": "theory"}, "std", (0.06, 0.07, 0.08)),
    "training": ({**SMALL, "tab": "training", "activation": "relu", "init": "he_normal", "steps": "20",
                  "train": ["zeros", "he_normal"]}, None, (1, 2, 3)),
}


@pytest.fixture
def one_server():
    """AppTest made to share what a server shares between its sessions (tests/app_support.py)."""
    with app_support.one_server():
        yield


def _session(name: str, found: dict) -> None:
    query, control, values = SESSIONS[name]
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update(query)
    seen = []
    try:
        at.run()
        if name == "training":
            at.button(key="run_race").click().run()  # trained once; every rerun draws the race again
        for value in values:
            seen += [e.value for e in (*at.exception, *at.error)]
            if control == "depth":
                at.slider(key=control).set_value(value).run()
            elif control == "std":
                at.number_input(key=control).set_value(value).run()
            else:
                at.run()
        seen += [e.value for e in (*at.exception, *at.error)]
        charts_drawn = len(at.get("vega_lite_chart"))
    except Exception as error:  # noqa: BLE001 - a session that cannot finish is a finding too
        seen.append(f"{type(error).__name__}: {error}")
        charts_drawn = 0
    found[name] = seen, charts_drawn


@pytest.mark.slow
def test_sessions_on_different_tabs_at_once_show_no_exception(one_server):
    """One session per tab, each opening a new network on every run, all at once (chart templates made anew)."""
    found: dict = {}  # the chart templates start empty (conftest.py): each is made here, at once with others
    threads = [threading.Thread(target=_session, args=(name, found)) for name in SESSIONS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {name: seen for name, (seen, _) in found.items() if seen} == {}
    drawn = {name: count for name, (_, count) in found.items()}
    assert drawn == {"activations": 3, "gradients": 2, "compare": 1, "theory": 2, "training": 4}


# ---------- numpy's error state ----------

def test_numpys_error_state_is_per_thread():
    """core.network and core.train compute under np.errstate(all="ignore"): that must not reach other sessions."""
    inside, done = threading.Event(), threading.Event()

    def ignoring():
        with np.errstate(all="ignore"):
            inside.set()
            done.wait(timeout=60)

    thread = threading.Thread(target=ignoring)
    thread.start()
    try:
        assert inside.wait(timeout=60)
        # numpy's defaults here, not the other thread's "ignore"
        assert np.geterr() == {"divide": "warn", "over": "warn", "under": "ignore", "invalid": "warn"}
        with np.errstate(divide="raise"), pytest.raises(FloatingPointError):
            np.divide(np.float64(1.0), np.float64(0.0))
    finally:
        done.set()
        thread.join()


# ---------- core's caches ----------

NETWORKS = [  # one seed: streams shared by every network, grown by the wider and deeper ones while others read
    dict(depth=depth, width=width, batch=batch, input=source, weight_family=family, dtype=dtype)
    for depth, width, batch in ((3, 40, 30), (5, 70, 50), (4, 130, 20), (6, 65, 90))
    for source, family, dtype in (("normal", "normal", "float32"), ("uniform", "uniform", "float64"))
]


@pytest.mark.slow
def test_threads_drawing_at_once_get_the_numbers_drawn_alone():
    """Streams and assembled draws are shared and grown under locks: no thread sees another's half-drawn numbers."""
    draws.forget()
    alone = [draws.draw(seed=11, **network) for network in NETWORKS]
    draws.forget()
    orders = [list(range(len(NETWORKS))), list(reversed(range(len(NETWORKS)))), [1, 0, 3, 2, 5, 4, 7, 6]] * 2
    got: dict[tuple[int, int], draws.Draws] = {}
    errors = []

    def session(thread: int):
        try:
            for i in orders[thread]:
                got[thread, i] = draws.draw(seed=11, **NETWORKS[i])
        except Exception as error:  # noqa: BLE001 - every exception is the finding
            errors.append(error)

    threads = [threading.Thread(target=session, args=(thread,)) for thread in range(len(orders))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(got) == len(orders) * len(NETWORKS)
    for (_, i), made in got.items():
        for a, b in zip((made.x, *made.weights, made.readout), (alone[i].x, *alone[i].weights, alone[i].readout),
                        strict=True):
            np.testing.assert_array_equal(a, b)


def _cached_arrays():
    """Every array a module-level cache hands out (or keeps as a module constant) to more than one session."""
    made = draws.draw(seed=3, depth=2, width=9, batch=10, input="normal", weight_family="normal", dtype="float32")
    grid = theory.phase_map("tanh")
    length = theory._length_table("tanh", 0.01, 0.0)
    yield from (("draws.x", made.x), ("draws.weights", made.weights[0]), ("draws.readout", made.readout),
                ("shell_order", draws.shell_order(9)))
    yield from ((f"phase_map[{key}]", array) for key, array in grid.items())
    yield from ((f"_length_table[{key}]", array) for key, array in length.items() if np.ndim(array))
    yield from ((f"_hermite_table[{i}]", array) for i, array in enumerate(theory._hermite_table("tanh", 0.01, 0.0)))
    yield "critical_sigma_w2", theory.critical_sigma_w2("tanh", theory.DEFAULT_SIGMA_B2)
    yield "DEFAULT_SIGMA_W2", theory.DEFAULT_SIGMA_W2
    yield "DEFAULT_SIGMA_B2", theory.DEFAULT_SIGMA_B2


def test_no_cached_array_can_be_changed_in_place():
    """A session changing a shared array in place would change what every other session computes from it."""
    changed = []
    for name, array in _cached_arrays():
        before = np.array(array, copy=True)
        try:
            array[...] = 0
        except ValueError as error:
            assert "read-only" in str(error), name
        else:
            changed.append(name)
            array[...] = before  # put it back for the tests that follow
    assert changed == []


@pytest.mark.parametrize("table", [lambda: theory.phase_map("relu"), lambda: theory._length_table("relu", 0.01, 0.0)],
                         ids=["phase_map", "_length_table"])
def test_a_cached_table_cannot_be_changed(table):
    """A caller replacing an entry would replace it for every session that asks next."""
    cached = table()
    key = next(iter(cached))
    original = cached[key]
    try:
        with pytest.raises(TypeError):
            cached[key] = np.zeros(1)
    finally:
        if cached[key] is not original:
            cached[key] = original
    assert table() is cached and table()[key] is original
