"""What a teacher takes away for slides: every chart as SVG and PNG, the Data tab's table as CSV, and their names.

The figures are made by Vega's own converter (vl-convert: the Vega and Vega-Lite of the page, run in an
embedded JavaScript engine, text drawn with the machine's fonts), from the very spec the page draws, so a
figure is the chart on the page, not a screenshot of it. No streamlit here: views/draw.py offers the
downloads and converts only when one is asked for.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import vl_convert

from core import Config, profiles, schemes

from . import charts, tour, urlstate
from .summary import gradient_symbol
from .text import t

FORMATS = {"svg": "image/svg+xml", "png": "image/png"}  # a chart's downloads, in the order they are offered
FIGURE_WIDTH = 640  # px, a "container"-wide chart's plot in a figure: half a 1280 px slide with its axes beside
PNG_SCALE = 2  # a PNG has twice the SVG's pixels: sharp on a projector and a high-density screen
APP = "init-explorer"


# ---------- names ----------

def stem(config: Config) -> str:
    """The start of every file name of a page: "step-2", or "custom" for a network no tour step has."""
    code = tour.step_of(config)  # whatever the seed: a new draw keeps the lesson
    return tour.CUSTOM if code == tour.CUSTOM else f"step-{code}"


def figure_name(stem: str, chart: str, fmt: str) -> str:
    """A chart's file: "step-2_activation-std.svg". chart is the chart's code (ASCII), not its title."""
    if fmt not in FORMATS:
        raise ValueError(f"no figure format {fmt!r}: one of {', '.join(FORMATS)}")
    if not chart.isascii() or not chart or any(c in chart for c in "/\\_ ."):
        raise ValueError(f"a chart's code names its file: ASCII letters, digits and hyphens, not {chart!r}")
    return f"{stem}_{chart}.{fmt}"


def _init_part(config: Config) -> str:
    """The init scheme in a file name: its name, its settings (schemes.Scheme.settings), "-bn" under batch norm,
    "-ln" under layer norm, "-residual" for a residual stream."""
    part = config.init.replace("_", "-")
    for field, value in schemes.get(config.init).settings(config):
        text = urlstate.format_number(value) if isinstance(value, float) else value.replace("_", "-")
        part += f"-gain-{text}" if field == "gain" else f"-{text}"
    return part + {"batch": "-bn", "layer": "-ln"}.get(config.norm, "") + ("-residual" if config.residual else "")


def csv_name(config: Config) -> str:
    """The Data tab's file: "init-explorer_step-2_tanh_normal-0.01_10x500_seed-0.csv" (the header has the rest); a conv
    net's size also names its kernel and image, "10x64-conv3-16px"."""
    size = f"{config.depth}x{config.width}"
    if config.arch == "conv":
        size += f"-conv{config.kernel}-{config.image}px"
    return "_".join((APP, stem(config), config.activation.replace("_", "-"), _init_part(config), size,
                     f"seed-{config.seed}")) + ".csv"


# ---------- the table ----------

COUNTS = ("layer", "width", "fan_in", "fan_out", "distinct_units")  # whole numbers: "500", not "500.0"
FLAGS = ("exploded", "vanished")  # True where the values over- or underflowed at that layer


def data_table(layers: pd.DataFrame, lang: str, config: Config) -> pd.DataFrame:
    """charts.layer_frame() as the Data tab and its CSV show it: the counts as whole numbers (empty where
    undefined), every column under its header in the page's language (the catalogue's column_<name>), the gradient's
    named as config's network has it (summary.gradient_symbol).

    Raises KeyError for a column the catalogue has no header for."""
    table = layers.astype({c: "Int64" for c in COUNTS if c in layers.columns})
    grad = gradient_symbol(config)
    return table.rename(columns={c: t(lang, f"column_{c}", grad=grad) for c in table.columns})


def numbers_of(table: pd.DataFrame) -> list[str]:
    """The headers of a data_table()'s measured numbers (neither a count nor a flag): shown with 4 digits."""
    return [c for c in table.columns if pd.api.types.is_float_dtype(table[c])]


def csv_text(value: Any) -> str:
    """A value of the CSV as the page and its link spell it (urlstate.format_number), never as Python prints it:
    0.00001 and 1.2e-7, not 1e-05 and 1.2e-07; 500 and 0.5, not 500.0; true and false, not True and False. Empty
    where the page shows a dash: a value undefined (NaN, a missing count) or beyond float's range (±inf)."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return urlstate.format_number(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return urlstate.format_number(float(value)) if math.isfinite(value) else ""
    return str(value)


def field_text(config: Config, name: str, state: Mapping[str, Any]) -> str:
    """A Config field as the CSV's configuration line writes it: as the link writes its parameter, the gain box's word
    "default" for the scheme's own gain (None), the widths as a link's profile "784-512-256-128" (equal ones too,
    "500-500-...-500", which a link leaves to its depth and width), every other value as csv_text.
    state: urlstate.state_of(config)."""
    if name == "gain":
        return state["gain"]
    if name == "widths":  # every layer's width, input first: profiles.read reads it back, as it reads a link's
        return profiles.SEPARATOR.join(map(str, config.units))
    return csv_text(getattr(config, name))


def config_fields(config: Config) -> dict[str, Any]:
    """The Config fields that change this network (urlstate.field_matters: no std under He init, no bound under
    zeros), as Config.to_dict writes them, in its order: the Data tab's JSON, which Config.from_dict reads back to the
    same network (the fields left out take their defaults, which change nothing here)."""
    state = urlstate.state_of(config)
    return {name: value for name, value in config.to_dict().items() if urlstate.field_matters(name, state)}


def csv_bytes(config: Config, table: pd.DataFrame, link: str | None = None) -> bytes:
    """The Data tab's CSV: the page's link ("# link=https://...?step=2&seed=3", where the browser has told it: the
    fields below are Config's, which a link names otherwise), the configuration as comment lines ("# depth=10", one
    per Config field that changes this network: no "# std=0.01" under He init, urlstate.field_matters), then the
    table; every value in the page's spelling (field_text, csv_text), empty cells where a value is undefined. UTF-8
    with a byte-order mark, which Excel needs to read the Chinese headers; pandas reads it back with
    pd.read_csv(path, comment="#")."""
    out = io.StringIO()
    if link:
        out.write(f"# link={link}\n")
    state = urlstate.state_of(config)
    for name in config_fields(config):
        out.write(f"# {name}={field_text(config, name, state)}\n")
    table.map(csv_text).to_csv(out, index=False, lineterminator="\n")
    return out.getvalue().encode("utf-8-sig")


# ---------- figures ----------

def standalone(spec: dict) -> dict:
    """A page's Vega-Lite spec as a figure: its datasets (DataFrames) written as JSON rows, null where NaN, each
    container-wide chart's plot FIGURE_WIDTH wide (a file has no container) and the figure grown around its plot to
    hold its axes and legends (Vega's autosize "pad": fitted to a width as on the page, "fit-x", a legend laid out in
    columns for the narrower plot had run below the canvas, and the layer axis's last label past its edge), on white
    with the light theme's text colours (charts.TEXT_COLOURS), whatever theme the page had. The spec given is left as
    it is."""
    def sized(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: FIGURE_WIDTH if k == "width" and v == "container" else sized(v) for k, v in node.items()}
        if isinstance(node, list):
            return [sized(item) for item in node]
        return node
    figure = sized({k: v for k, v in charts.coloured(spec, "light").items() if k != "datasets"})
    figure["background"] = charts.BACKGROUNDS["light"]
    figure["autosize"] = {"type": "pad"}
    figure["datasets"] = {name: _rows(frame) if isinstance(frame, pd.DataFrame) else frame
                          for name, frame in spec.get("datasets", {}).items()}
    return figure


def _rows(frame: pd.DataFrame) -> list[dict]:
    """A frame as JSON rows, every digit kept (to_json would round to 10 decimals: 2.9e-07 to 3e-07), None for NaN."""
    return [{k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
            for row in frame.to_dict("records")]


def convert(spec: dict, fmt: str) -> bytes:
    """One chart as an SVG or PNG file (fmt, one of FORMATS), from its page spec; PNG at PNG_SCALE.

    No network: the spec's data is inline and every other URL is refused (allowed_base_urls=[]). Text is drawn
    with the machine's fonts (for Chinese, e.g. Debian's fonts-wqy-microhei, which vl-convert finds by itself).
    A first conversion in a process starts the converter's JavaScript engine (a few seconds); later ones take
    a few tenths of a second.
    """
    figure = standalone(spec)
    if fmt == "svg":
        return vl_convert.vegalite_to_svg(figure, allowed_base_urls=[]).encode()
    if fmt == "png":
        return vl_convert.vegalite_to_png(figure, scale=PNG_SCALE, allowed_base_urls=[])
    raise ValueError(f"no figure format {fmt!r}: one of {', '.join(FORMATS)}")
