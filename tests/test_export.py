"""Figures for slides and the Data tab's CSV: the files' names, the SVG and PNG that Vega's converter makes of the
page's own chart specs, the CSV read back by pandas, and the page that offers them."""

from __future__ import annotations

import csv
import io
import math
import json
import re
import struct
import xml.etree.ElementTree as ElementTree
from dataclasses import fields, replace
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core import Config, profiles, simulate
from core.network import COLUMNS, SHAPE_COLUMNS
from core.config import INV_SQRT_DEPTH
from tests.app_support import data_tables, open_app, open_tab
from tests.test_names import FIELD_TERMS
from tests.test_urlstate import js_string
from views import charts, export, page, present, summary, tour, urlstate
from views import theory as theory_view
from views.draw import chart_template
from views.tabs import CODES as TABS
from views.tabs import data
from views.tabs.data import EMPTY, OPTIONAL, TABLES
from views.tabs.theory import theory_map
from views.text import LANGUAGES, t

pytestmark = pytest.mark.shared_results  # pages read as a server's later sessions read them (conftest.py)

ROOT = Path(__file__).resolve().parent.parent
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"  # PNG specification, section 5.2
SVG = "{http://www.w3.org/2000/svg}"


# ---------- names ----------

# The files of each step's page, written out as a teacher would see them in a downloads folder.
CSV_NAMES = {
    "1": "init-explorer_step-1_tanh_zeros_10x500_seed-0.csv",
    "2": "init-explorer_step-2_tanh_normal-0.01_10x500_seed-0.csv",
    "3": "init-explorer_step-3_tanh_normal-1_10x500_seed-0.csv",
    "4": "init-explorer_step-4_tanh_xavier-normal_10x500_seed-0.csv",
    "5": "init-explorer_step-5_relu_xavier-normal_10x500_seed-0.csv",
    "6": "init-explorer_step-6_relu_he-normal_10x500_seed-0.csv",
    "7": "init-explorer_step-7_tanh_normal-0.01-bn_10x500_seed-0.csv",
    "8": "init-explorer_step-8_relu_he-normal-residual_10x500_seed-0.csv",
    "9": "init-explorer_step-9_relu_he-normal-residual_10x500_seed-0.csv",  # the branch scale is in the header
    "10": "init-explorer_step-10_tanh_orthogonal-gain-1.015_64x128_seed-0.csv",
    "11": "init-explorer_step-11_relu_he-normal_10x64-conv3-16px_seed-0.csv",
}


def test_every_step_is_written_out():
    assert set(CSV_NAMES) == set(tour.STEPS)


@pytest.mark.parametrize("code", tour.STEPS)
def test_each_steps_files_are_named_after_it_whatever_the_seed(code):
    config = tour.step_config(code)
    assert export.stem(config) == f"step-{code}"
    assert export.figure_name(export.stem(config), "activation-std", "svg") == f"step-{code}_activation-std.svg"
    assert export.csv_name(config) == CSV_NAMES[code]
    reseeded = tour.step_config(code, seed=42)
    assert export.stem(reseeded) == f"step-{code}"  # a new draw keeps the lesson
    assert export.csv_name(reseeded) == CSV_NAMES[code].replace("seed-0", "seed-42")


@pytest.mark.parametrize("code", tour.STEPS)
def test_a_network_no_step_has_is_custom(code):
    changed = replace(tour.STEPS[code], width=499)
    assert export.stem(changed) == "custom"
    assert export.csv_name(changed).startswith("init-explorer_custom_")
    conv = f"-conv{changed.kernel}-{changed.image}px" if changed.arch == "conv" else ""  # a conv net's kernel, image
    assert f"_{changed.depth}x499{conv}_" in export.csv_name(changed)


def test_a_custom_networks_csv_says_its_scheme_and_scale():
    config = Config(depth=20, width=128, activation="leaky_relu", init="uniform", bound=0.25, seed=7)
    assert export.csv_name(config) == "init-explorer_custom_leaky-relu_uniform-0.25_20x128_seed-7.csv"
    assert export.csv_name(Config(init="constant", value=-0.5)) == \
        "init-explorer_custom_tanh_constant--0.5_10x500_seed-0.csv"


@pytest.mark.parametrize("config", [*tour.STEPS.values(), Config(init="he_uniform", activation="gelu", width=2048),
                                    Config(init="normal", std=1e-5, activation="sigmoid", batch_norm=True)])
def test_every_file_name_is_plain_ascii(config):
    names = [export.csv_name(config)] + [export.figure_name(export.stem(config), "histograms", f)
                                         for f in export.FORMATS]
    for name in names:
        assert re.fullmatch(r"[a-z0-9.\-_]+", name), name


@pytest.mark.parametrize("chart, fmt", [("activation std", "svg"), ("激活", "png"), ("a_b", "svg"), ("", "png"),
                                        ("histograms", "pdf")])
def test_a_name_that_would_not_be_a_clean_file_name_is_refused(chart, fmt):
    with pytest.raises(ValueError, match="chart's code|figure format"):
        export.figure_name("step-2", chart, fmt)


# ---------- figures ----------

def page_spec(kind: str, frame: pd.DataFrame, **options) -> dict:
    """A chart's spec exactly as views.draw.draw puts it on the page."""
    spec = chart_template(kind, json.dumps(options, sort_keys=True), charts.layout(kind, frame, **options), frame)
    return charts.with_data(spec, frame)


def std_chart(result, lang: str, log: bool = True) -> tuple[dict, str]:
    frames = page.frames(result.config, lang)
    title = t(lang, "chart_act_std")
    return page_spec("line", frames["act_std"], colour="#4477AA", title=title, y_title=t(lang, "std_axis"), log=log,
                     names={"measured": t(lang, "measured"), "theory": t(lang, "theory")},
                     layer_title=t(lang, "layer"), series_title=t(lang, "series")), title


def every_chart(result, lang: str) -> dict[str, tuple[dict, str]]:
    """Each chart the Activations, Gradients and Compare tabs draw, with its title, in one language."""
    frames, config = page.frames(result.config, lang), result.config
    colour, layer = charts.SCHEME_COLOURS[tour.scheme_of(config)], t(lang, "layer")
    titles = {k: t(lang, f"chart_{k}") for k in ("act_mean", "hist", "ratio", "compare")}
    return {
        "activation-std": std_chart(result, lang),
        "activation-mean": (page_spec("mean", frames["layers"], colour=colour, title=titles["act_mean"],
                                      y_title=t(lang, "mean_axis"), layer_title=layer), titles["act_mean"]),
        "histograms": (page_spec("histogram", frames["histogram"], colour=colour, title=titles["hist"],
                                 share_title=t(lang, "share"), columns=5, layer_title=layer,
                                 bin_titles=[t(lang, "bin_start"), t(lang, "bin_end")]), titles["hist"]),
        "update-ratio": (page_spec("ratio", frames["layers"], colour=colour, title=titles["ratio"],
                                   y_title=t(lang, "ratio_axis"), layer_title=layer),
                         titles["ratio"]),
        "compare": (page_spec("compare", charts.compare_frame({"he_normal": result}), title=titles["compare"],
                              y_title=t(lang, "std_axis"), layer_title=layer, scheme_title=t(lang, "scheme"),
                              underflow_label=t(lang, "mark_underflow")),
                    titles["compare"]),
    }


def svg_texts(svg: bytes) -> list[str]:
    """Every piece of text an SVG draws; parsing it is the check that it is well-formed XML."""
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def svg_size(svg: bytes) -> tuple[float, float]:
    root = ElementTree.fromstring(svg)
    return float(root.get("width")), float(root.get("height"))


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk, which always comes first (PNG specification, 11.2.2)."""
    assert png[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", png[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", png[16:24])


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_chart_as_svg_is_xml_with_its_title_and_axes(steps, lang):
    result = steps["6"]
    for name, (spec, title) in every_chart(result, lang).items():
        texts = svg_texts(export.convert(spec, "svg"))
        assert title in texts, (name, texts[:5])
        assert t(lang, "layer") in texts or name == "histograms", name  # the x axis, named in the page's language


@pytest.mark.slow
def test_a_chart_with_several_datasets_keeps_them_all():
    """The Theory tab's map is drawn as built, from three frames: each is in the figure."""
    config = Config(activation="tanh")
    cells, critical = theory_map(config.activation, config.slope, config.bias)
    marks = theory_view.marks_frame(config.width, 1.0, 0.0, "en")
    title = t("en", "theory_tab.map_title", activation="tanh")
    spec = charts.vega_lite(theory_view.map_chart(cells, critical, marks, colour_by="log_chi1", lang="en",
                                                  title=title))
    figure = export.standalone(spec)
    assert {name: len(rows) for name, rows in figure["datasets"].items()} == \
        {name: len(frame) for name, frame in spec["datasets"].items()}
    json.dumps(figure, allow_nan=False)  # a file: plain JSON, no DataFrame and no NaN
    assert title in svg_texts(export.convert(spec, "svg"))


@pytest.mark.slow
def test_a_figure_is_plain_json_and_as_wide_as_a_slide_wants(steps):
    spec, _ = std_chart(steps["2"], "en")
    assert spec["width"] == "container"  # on the page: as wide as its column
    figure = export.standalone(spec)
    assert figure["width"] == export.FIGURE_WIDTH
    rows = figure["datasets"][charts.MAIN]
    frame = spec["datasets"][charts.MAIN]
    assert len(rows) == len(frame)
    assert [r["value"] for r in rows] == frame["value"].tolist()  # every digit
    json.dumps(figure, allow_nan=False)
    assert spec["width"] == "container" and isinstance(spec["datasets"][charts.MAIN], pd.DataFrame)  # untouched


def test_an_undefined_value_is_null_in_a_figure():
    frame = pd.DataFrame({"layer": [0, 1], "value": [1.0, np.nan]})
    rows = export.standalone({"datasets": {"main": frame}})["datasets"]["main"]
    assert rows == [{"layer": 0, "value": 1.0}, {"layer": 1, "value": None}]


@pytest.mark.slow
def test_the_png_is_the_svg_at_twice_its_pixels(steps):
    spec, _ = std_chart(steps["2"], "en")
    width, height = svg_size(export.convert(spec, "svg"))
    png = export.convert(spec, "png")
    assert png_size(png) == (round(width * export.PNG_SCALE), round(height * export.PNG_SCALE))
    assert width > export.FIGURE_WIDTH > height  # a plot FIGURE_WIDTH wide with its axes around: wider than tall


@pytest.mark.slow
def test_chinese_titles_are_drawn_in_a_font_that_has_them(steps):
    """With no font for them, Chinese characters draw as the same empty boxes as unassigned code points do."""
    spec, title = std_chart(steps["2"], "zh")
    assert re.search(r"[\u4e00-\u9fff]", title)
    assert spec["title"] == title
    unassigned = {**spec, "title": "\u0378" * len(title)}  # U+0378: never assigned in Unicode
    assert export.convert(spec, "png") != export.convert(unassigned, "png")


@pytest.mark.slow
def test_an_unknown_format_is_refused(steps):
    spec, _ = std_chart(steps["2"], "en")
    with pytest.raises(ValueError, match="figure format 'pdf'"):
        export.convert(spec, "pdf")


# ---------- the Data tab's table and CSV ----------

def read_back(data: bytes) -> tuple[dict[str, str], pd.DataFrame]:
    """The CSV's comment lines as {name: value}, and its table as pandas reads it."""
    lines = data.decode("utf-8-sig").splitlines()
    header = dict(line[2:].split("=", 1) for line in lines if line.startswith("# "))
    return header, pd.read_csv(io.BytesIO(data), comment="#")


@pytest.mark.slow  # its module fixture computes every network the module reads
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_column_has_a_header_in_every_language(steps, lang):
    layers = charts.layer_frame(steps["4"])
    assert list(layers.columns) == ["layer", *SHAPE_COLUMNS, *COLUMNS, *export.FLAGS]
    table = export.data_table(layers, lang, steps["4"].config)
    grad = summary.gradient_symbol(steps["4"].config)
    assert list(table.columns) == [t(lang, f"column_{c}", grad=grad) for c in layers.columns]
    assert len(set(table.columns)) == len(table.columns)
    for header in table.columns:  # no code names, the field's own fan_in and fan_out aside; nothing pandas takes for a
        assert "_" not in re.sub("|".join(FIELD_TERMS), "", header) and "#" not in header, header  # comment


RATIO = "std(∂L/∂W) / std(W)"  # the one formula a header writes, as the Gradients chart's title does (chart_ratio)
WEIGHT = {"en": "weight ", "zh": "权重"}  # the weight gradient's header is the gradient's, of W


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("config", [tour.STEPS["4"], tour.STEPS["7"], tour.STEPS["8"], tour.STEPS["11"]],
                         ids=["plain", "batch-norm", "residual", "conv"])
def test_every_header_spells_its_symbols_and_brackets_one_way(config, lang):
    """The header "weight gradient std(∂L/∂W)" had its bracket glued to the word, where every other header has a
    space before it ("saturated values (share)") and its gradient sibling the bare symbol ("gradient std ∂L/∂s"). In
    every header: a gradient's symbol stands alone between spaces; in English a bracket follows a space and holds
    words, in Chinese it is the full-width （） with no space before it; the ratio's formula aside."""
    layers = pd.DataFrame(columns=["layer", *SHAPE_COLUMNS, *COLUMNS, *export.FLAGS])
    headers = list(export.data_table(layers, lang, config).columns)
    assert t(lang, "chart_ratio").endswith(RATIO) and sum(RATIO in header for header in headers) == 1
    for header in headers:
        words = header.replace(RATIO, "")
        assert all(re.fullmatch(r"∂L/∂[A-Za-z][ₗ₀-₉]*", token) for token in words.split(" ") if "∂" in token), header
        if lang == "en":
            assert not re.search(r"\S\(", words) and not re.search(r"[（）]", words), header
            assert all(re.fullmatch(r"[a-z ]+", inside) for inside in re.findall(r"\(([^)]*)\)", words)), header
        else:
            assert not re.search(r"[()]| （", words), header
    gradient = t(lang, "column_grad_std", grad="∂L/∂W")
    assert t(lang, "column_weight_grad_std", grad=summary.gradient_symbol(config)) == WEIGHT[lang] + gradient


@pytest.mark.slow
@pytest.mark.parametrize("code", tour.STEPS)
def test_the_csv_reads_back_as_the_table_with_its_configuration(steps, code):
    result = steps[code]
    table = export.data_table(charts.layer_frame(result), "zh", result.config)
    data = export.csv_bytes(result.config, table)
    header, back = read_back(data)
    state = urlstate.state_of(result.config)
    assert list(header) == [name for name in result.config.to_dict() if urlstate.field_matters(name, state)]
    assert header["depth"] == str(result.config.depth) and header["activation"] == result.config.activation
    assert header["batch_norm"] == ("true" if result.config.batch_norm else "false")
    assert list(back.columns) == list(table.columns)
    for column in export.numbers_of(table):
        expected = table[column].to_numpy(float)
        assert np.array_equal(back[column].to_numpy(float), expected, equal_nan=True), column  # exact digits


def header_config(header: dict[str, str]) -> Config:
    """The network the CSV's configuration lines name, every field they leave out at Config's default: each line read
    as the link spells its value (true and false, "default" for the scheme's own gain, a width profile 784-512-256-128,
    "" for equal widths, numbers as JavaScript writes them)."""
    defaults = {f.name: f.default for f in fields(Config)}

    def value(name: str, text: str):
        if name == "gain" and text == "default":
            return None
        if name == "widths":
            return tuple(int(entry) for entry in text.split("-")) if text else ()
        if isinstance(defaults[name], bool):
            return {"true": True, "false": False}[text]
        if isinstance(defaults[name], int):
            return int(text)
        if isinstance(defaults[name], float) or name == "gain":
            return text if text == INV_SQRT_DEPTH else float(text)
        return text  # a name: tanh, he_normal
    return Config.from_dict({name: value(name, text) for name, text in header.items() if name != "link"})


@pytest.mark.parametrize("config", [
    Config(depth=3, widths=(784, 512, 256, 128), activation="relu", init="he_normal", batch=50),
    Config(depth=3, widths=(784, 512, 256, 128), activation="relu", init="torch_default", batch=50),
    Config(depth=4, width=60, batch=40, activation="leaky_relu", slope=0.2, init="trunc_normal", std=0.05,
           trunc_a=-1.0, trunc_b=3.0),
    Config(depth=4, width=60, batch=40, init="uniform", bound=0.2, bias=0.1, bias_std=0.02),
    Config(depth=4, width=60, batch=40, init="variance_scaling", scale=2.0, mode="fan_avg",
           distribution="untruncated_normal", residual=True, branch_scale=0.5, layer_norm=True),
    Config(arch="conv", depth=3, width=8, batch=16, image=8, kernel=5, padding="circular", init="orthogonal",
           gain=1.2)], ids=["he-profile", "torch-default", "trunc-normal", "uniform-bias", "variance-scaling", "conv"])
def test_the_csv_names_every_setting_of_its_network_and_no_other(config):
    """No "# std=0.01" under He init: the fields the CSV leaves out do not change the network — the one its lines
    name, the rest at Config's defaults, is this network (the same statistics, bit for bit) — and each field it
    writes does change some network of this kind (its control is shown in the sidebar)."""
    header, _ = read_back(export.csv_bytes(config, export.data_table(charts.layer_frame(simulate(config)), "en",
                                                                     config)))
    again = header_config(header)
    np.testing.assert_array_equal(simulate(again).act_std, simulate(config).act_std)
    np.testing.assert_array_equal(simulate(again).grad_std, simulate(config).grad_std)
    state = urlstate.state_of(config)
    left_out = set(config.to_dict()) - set(header)
    assert left_out and all(not urlstate.field_matters(name, state) for name in left_out)
    if config.init == "he_normal":
        assert {"std", "bound", "value", "trunc_a", "trunc_b", "scale"} <= left_out


# Between them every Config field matters in one (the CSV writes it), at values Python would print otherwise: None,
# True, 1e-05, 1.0, a profile as a tuple, the word for 1/sqrt(depth).
SPELLED = [
    Config(depth=3, widths=(784, 512, 256, 128), activation="relu", init="he_normal", batch=50),
    Config(depth=4, width=60, batch=40, activation="leaky_relu", slope=0.2, init="trunc_normal", std=1e-5,
           trunc_mean=0.5, trunc_a=-1.0, trunc_b=3.0, bias=-1e-7, bias_std=0.00001, input_scale=0.001),
    Config(depth=4, width=60, batch=40, init="variance_scaling", scale=2.0, mode="fan_avg",
           distribution="untruncated_normal", residual=True, branch_scale=INV_SQRT_DEPTH, layer_norm=True),
    Config(depth=4, width=60, batch=40, init="xavier_normal", gain=1.5, residual=True, branch_scale=0.5),
    Config(arch="conv", depth=3, width=8, batch=16, image=8, kernel=5, padding="circular", init="orthogonal",
           gain=1.2, batch_norm=True),
    Config(depth=3, width=20, batch=20, init="constant", value=-0.5, dtype="float64", seed=2**32 - 1),
    Config(depth=3, width=20, batch=20, init="uniform", bound=100.0, input="digits", input_scale=100.0),
]


def link_spelling(value) -> str:
    """A Config value as the page's link writes it, read off independently: JavaScript's String(n) for a number."""
    if value is None:
        return "default"  # the gain box's word for the scheme's own gain
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "-".join(map(str, value))
    if isinstance(value, float):
        return js_string(value)
    return str(value)


PYTHON_SPELLING = re.compile(r"\A(?:None|True|False|nan|-?inf|\(.*\)|\[.*\]|-?\d+\.0|.*e[+-]0\d)\Z")


@pytest.mark.parametrize("config", [
    Config(), Config(depth=3, width=20, batch=20), Config(depth=3, widths=(784, 512, 256, 128), batch=50),
    Config(depth=4, widths=(64, 64, 32, 32, 64), batch=50), Config(depth=2, width=40, batch=20, input="digits"),
    Config(arch="conv", depth=3, width=8, batch=16, image=8)],
    ids=["lecture", "equal", "mnist", "own", "digits", "conv"])
def test_the_widths_line_names_every_layer_s_width_and_rebuilds_the_network(config):
    """The CSV wrote "# widths=" for equal widths, a line that names no width (the link leaves equal widths to its
    depth and width): now every layer's width, the input's first, in the link's spelling of a profile, "500-500-...".
    Read back by the link's reader it is the network's widths, and with the other lines it is the network."""
    layers = pd.DataFrame(columns=["layer", *SHAPE_COLUMNS, *COLUMNS, *export.FLAGS])
    header, _ = read_back(export.csv_bytes(config, export.data_table(layers, "en", config)))
    assert header["widths"] == "-".join(str(n) for n in config.units) != ""
    assert len(header["widths"].split("-")) == config.depth + 1
    assert profiles.read(header["widths"]) == config.units
    assert rebuilds(header, config)


def rebuilds(header: dict[str, str], config: Config) -> bool:
    """Whether the CSV's configuration lines read back are the network: config itself, or for a digits input of equal
    hidden widths the same layers written as a profile with the 64 pixels first (one network, two Configs); and the
    page's controls for config (state_of) make config itself."""
    again = header_config(header)
    same = again == config or (config.input == "digits" and not config.widths and
                               replace(again, widths=(), width=config.width) == config)
    return again.units == config.units and same and urlstate.config_of(urlstate.state_of(config))[0] == config


def test_between_them_the_spelled_networks_write_every_config_field():
    written = {name for config in SPELLED for name in config.to_dict()
               if urlstate.field_matters(name, urlstate.state_of(config))}
    assert written == {f.name for f in fields(Config)}


@pytest.mark.parametrize("config", SPELLED, ids=range(len(SPELLED)))
def test_every_configuration_line_is_the_page_s_spelling_and_rebuilds_the_network(config):
    """The CSV wrote "# gain=None", "# batch_norm=False", "# widths=(784, 512, 256, 128)" and "# std=1e-05":
    Python's spelling. Each line now writes its value as the link does (the widths every layer's, equal ones too),
    and read back as such is the network."""
    layers = pd.DataFrame(columns=["layer", *SHAPE_COLUMNS, *COLUMNS, *export.FLAGS])
    header, _ = read_back(export.csv_bytes(config, export.data_table(layers, "en", config)))
    assert header == {name: link_spelling(config.units if name == "widths" else getattr(config, name))
                      for name in header}
    assert not [text for text in header.values() if PYTHON_SPELLING.match(text)]
    assert rebuilds(header, config)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_cell_of_the_table_is_the_page_s_spelling(lang):
    """Python's True, False, 1e-05 and inf in the CSV's cells: every number as the link writes it (JavaScript's
    String(n), its exact digits), the flags true and false, and empty where the page shows a dash (NaN, ±inf)."""
    result = simulate(Config(depth=20, width=40, batch=20, activation="linear", init="normal", std=1e-3))
    layers = charts.layer_frame(result)
    layers.loc[3, "predicted_grad_std"], layers.loc[4, "predicted_grad_std"] = math.inf, -math.inf  # beyond float
    layers.loc[5, "vanished"] = True
    table = export.data_table(layers, lang, result.config)
    text = export.csv_bytes(result.config, table).decode("utf-8-sig")
    rows = list(csv.reader(line for line in text.splitlines() if not line.startswith("#")))
    assert rows[0] == list(table.columns) and len(rows) == len(table) + 1
    for row, (_, values) in zip(rows[1:], table.iterrows()):
        expected = ["" if pd.isna(v) or (isinstance(v, float) and math.isinf(v)) else
                    ("true" if v else "false") if isinstance(v, (bool, np.bool_)) else
                    str(int(v)) if isinstance(v, (int, np.integer)) else js_string(v) for v in values]
        assert row == expected
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if PYTHON_SPELLING.match(cell)]
    assert "true" in cells and any("e-" in cell for cell in cells)  # a flag and a number below 10⁻⁶ were written


@pytest.mark.parametrize("code", tour.STEPS)
def test_counts_are_whole_numbers_in_the_table_and_the_csv(steps, code):
    result = steps[code]
    table = export.data_table(charts.layer_frame(result), "en", result.config)
    units = t("en", "column_distinct_units")
    distinct = result.stats["distinct_units"]
    assert table[units].tolist() == [int(d) for d in distinct]
    header, back = read_back(export.csv_bytes(result.config, table))
    assert back[units].dtype.kind == "i" and back[t("en", "column_layer")].dtype.kind == "i"
    assert back[units].tolist() == [int(d) for d in distinct]
    text = export.csv_bytes(result.config, table).decode("utf-8-sig")
    rows = [line.split(",") for line in text.splitlines()[len(header) + 1:]]
    position = list(table.columns).index(units)
    assert [row[position] for row in rows] == [str(int(d)) for d in distinct]  # "500", never "500.0"


@pytest.mark.slow
def test_undefined_values_are_empty_cells_in_the_csv():
    """Past an overflow every statistic is undefined: empty in the CSV, read back as missing."""
    result = simulate(Config(depth=30, activation="linear", init="normal", std=100.0))
    assert result.breaks and result.breaks[0].kind == "overflow"
    table = export.data_table(charts.layer_frame(result), "en", result.config)
    data = export.csv_bytes(result.config, table)
    _, back = read_back(data)
    after = result.breaks[0].layer + 1
    assert back[t("en", "column_act_std")].iloc[after:].isna().all()
    assert back[t("en", "column_distinct_units")].iloc[after:].isna().all()
    table_text = "\n".join(line for line in data.decode("utf-8-sig").splitlines() if not line.startswith("#"))
    assert "nan" not in table_text.lower() and "None" not in table_text and ",," in table_text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_csv_starts_with_the_page_s_link_which_opens_its_network_again(lang):
    """The comment lines spell Config's fields (widths=(784, 512, 256, 128), batch_norm=False), which a link spells
    otherwise: the page's own link comes first, and read as a link it gives the same network."""
    config = Config(widths=(64, 32, 16), depth=2, activation="relu", init="he_normal", mode="fan_out", batch=50,
                    seed=7)
    query = urlstate.to_query(urlstate.state_of(config) | {"step": tour.CUSTOM, "lang": lang}, TABS, lang)
    link = present.page_link("https://init-explorer.example.org/", query)
    table = export.data_table(charts.layer_frame(simulate(config)), lang, config)
    header, back = read_back(export.csv_bytes(config, table, link))
    assert list(header)[0] == "link" and header["link"] == link
    state, problems = urlstate.read(dict(parse_qsl(urlsplit(header["link"]).query)), TABS)
    assert problems == [] and urlstate.config_of(state)[0] == config
    assert len(back) == config.depth + 1
    without = read_back(export.csv_bytes(config, table))[0]
    assert "link" not in without  # no address told: no line


def test_the_csv_opens_in_excel_as_utf8():
    """Excel reads a CSV as UTF-8 (and so the Chinese headers) only after a byte-order mark."""
    config = Config(depth=2, width=20, batch=20)
    data = export.csv_bytes(config, export.data_table(charts.layer_frame(simulate(config)), "zh", config))
    assert data.startswith(b"\xef\xbb\xbf# depth=2\n")
    assert t("zh", "column_act_std").encode() in data


# ---------- the page ----------

def offered(at: AppTest) -> list[tuple[str, str]]:
    """Each download button's label and the file it saves (its help names the file)."""
    return [(b.proto.label, b.proto.help) for b in at.get("download_button")]


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("tab", [code for code in TABS if code not in ("data", "training", "derivation")])
def test_every_chart_on_a_tab_offers_its_svg_and_png(lang, tab):
    at = open_app(step="2", lang=lang, tab=tab)
    assert not at.exception
    drawn = len(at.get("vega_lite_chart"))
    buttons = offered(at)
    assert drawn >= 1 and len(buttons) == 2 * drawn
    names = [re.search(r"step-2_[a-z0-9\-]+\.(svg|png)", help_text).group(0) for _, help_text in buttons]
    assert len(set(names)) == len(names)  # one file per chart and format
    assert [label for label, _ in buttons] == [t(lang, f"figure_{f}") for f in export.FORMATS] * drawn
    assert [n.rsplit(".", 1)[1] for n in names] == list(export.FORMATS) * drawn


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_activations_tabs_files_are_named_after_the_step_and_the_chart(lang):
    at = open_app(step="2", lang=lang)
    helps = [help_text for _, help_text in offered(at)]
    for name in ("activation-mean", "activation-std", "histograms"):
        for fmt in export.FORMATS:
            assert t(lang, f"figure_{fmt}_help", name=f"step-2_{name}.{fmt}") in helps
    custom = open_app(step="custom", width="499", lang=lang)
    assert any("custom_activation-std.svg" in h for _, h in offered(custom))


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_data_tab_shows_readable_headers_whole_counts_and_a_dash_for_nothing(lang):
    at = open_tab(open_app(step="4", lang=lang), "data", lang)
    assert not at.exception and not at.error
    table = at.dataframe[0]
    frame = table.value
    layers = charts.layer_frame(simulate(tour.step_config("4")))
    grad = summary.gradient_symbol(tour.step_config("4"))
    assert [list(shown.value.columns) for shown in at.dataframe] == [[t(lang, f"column_{c}", grad=grad) for c in
        data.shown_columns(columns, layers)] for columns in TABLES.values()]
    assert t(lang, "column_branch_std") not in data_tables(at).columns  # a plain network has no branch
    # every column of the CSV is in one of the tables (those OPTIONAL ones where the network has them), distinct
    # units first after the layer
    assert sorted(data_tables(at).columns) == sorted(
        t(lang, f"column_{c}", grad=grad) for c in ["layer", *SHAPE_COLUMNS, *COLUMNS, *export.FLAGS]
        if c not in OPTIONAL or c in data.shown_columns(OPTIONAL, layers))
    stream = open_tab(open_app(step="8", lang=lang), "data", lang)
    shown = data_tables(stream).columns
    assert t(lang, "column_branch_std") in shown and t(lang, "column_predicted_branch_std") in shown
    assert t(lang, "column_pre_kurtosis") not in shown  # a stream records no layer's kurtosis
    assert list(frame.columns)[1] == t(lang, "column_distinct_units")
    assert str(frame[t(lang, "column_distinct_units")].dtype) == "Int64"
    assert frame[t(lang, "column_distinct_units")].iloc[-1] == 500  # Xavier + tanh: every unit its own
    assert table.proto.placeholder == EMPTY
    assert any(data.caption(lang, "float32") == c.value for c in at.caption)
    name = "init-explorer_step-4_tanh_xavier-normal_10x500_seed-0.csv"
    assert (t(lang, "download_csv"), t(lang, "download_csv_help", name=name)) in offered(at)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_figure_holds_its_whole_legend_and_every_axis_label(lang):
    """A student's Compare figure (20 layers, five schemes) lost its fifth legend entry below the canvas and its x
    axis stopped at 19: Vega fitted the figure's width as a page's container (autosize fit-x) and laid the legend out
    in columns for the narrower plot. The figure's plot is FIGURE_WIDTH wide and the figure grows around it: every
    legend label and axis label lies inside it, the last layer and every scheme among them."""
    from core import cache
    from tests.vega_specs import scene_marks
    import vl_convert

    config = Config(depth=20, width=300, activation="relu", init="he_normal")
    results = {scheme: cache.simulate_cached(tour.scheme_config(config, scheme)) for scheme in tour.LECTURE_FIVE}
    frame = charts.compare_frame(results, lang, tour.scheme_of(config))
    options = dict(title=t(lang, "chart_compare"), y_title=t(lang, "std_axis"), layer_title=t(lang, "layer"),
                   scheme_title=t(lang, "scheme"), underflow_label=t(lang, "mark_underflow"))
    spec = charts.with_data(chart_template("compare", json.dumps(options, sort_keys=True),
                                           charts.layout("compare", frame, **options), frame), frame)
    graph = vl_convert.vegalite_to_scenegraph(export.standalone(spec))
    labels = {role: [] for role in ("legend-label", "axis-label")}
    for node, x, y in scene_marks(graph):
        if node["marktype"] == "text" and node.get("role") in labels:
            for item in node["items"]:
                labels[node["role"]].append(item["text"])
                assert 0 <= x + item.get("x", 0) <= graph["width"], (item["text"], graph["width"])
                assert 0 <= y + item.get("y", 0) <= graph["height"], (item["text"], graph["height"])
    names = {charts.scheme_name(scheme, lang, result.config) for scheme, result in results.items()}
    assert names <= set(labels["legend-label"]), labels["legend-label"]
    assert "20" in labels["axis-label"] and "0" in labels["axis-label"]
