"""The Compare tab: the same network under several init schemes, activation std per layer on one log chart."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from core import Config, cache, estimate_memory
from core.initializers import gain_of
from core.schemes import get as scheme_record
from core.network import WORK_LIMIT, estimate_work
from core.threads import Cancelled

from .. import charts, describe, summary, tour
from ..number_writing import format_gain, format_power, format_setting, format_share, format_value
from ..computing import session_gone
from ..draw import draw
from ..text import inserted, join, t
from ..page import Page, memory_budget
from .. import link


def compare_picks() -> list[str]:
    """The Compare tab's schemes: its widget's value, or before the widget is first drawn, the (checked) link's."""
    if "compare" in st.session_state:
        return list(st.session_state["compare"])
    return st.query_params.get_all("compare") or list(tour.LECTURE_FIVE)


def compare_configs(config: Config, picked: list[str]) -> tuple[dict[str, Config], list[str]]:
    """The Compare tab's networks: {scheme: this network under it} within the memory budget and the work limit,
    and the schemes over them (batch norm keeps more; orthogonal init does a QR per layer). The page's own network is
    always among them: under its scheme where it is one (tour.scheme_of) though not picked (step 1's zeros had been
    left out of its own comparison), else as itself, under charts.OWN."""
    configs = {scheme: tour.scheme_config(config, scheme) for scheme in picked}
    own = tour.scheme_of(config)
    if own not in configs:
        configs[own] = config
    too_big = [s for s, c in configs.items() if estimate_memory(c) > memory_budget() or
               estimate_work(c) > WORK_LIMIT]
    return {s: c for s, c in configs.items() if s not in too_big}, too_big


def show(page: Page) -> None:
    # its names in the page's language; seeded from the link (link.check_link), kept while another tab is open,
    # and written back as codes (a bound multiselect would write the names)
    picked = st.multiselect(page.t("compare_pick"), list(tour.SCHEMES), key="compare", persist_state="session",
                            format_func=lambda scheme: charts.scheme_name(scheme, page.lang),
                            help=page.t("compare_help"))
    link.write_setting("compare", picked)
    if not picked:
        st.info(page.t("compare_empty"))
        return
    configs, too_big = compare_configs(page.config, picked)
    for scheme in too_big:
        network = page.config if scheme == charts.OWN else tour.scheme_config(page.config, scheme)
        refusal = summary.refusal(network, page.lang, memory_budget(), WORK_LIMIT)
        st.warning(page.t("compare_scheme_note", scheme=charts.scheme_name(scheme, page.lang, network),
                          note=inserted(refusal)))
    if not configs:
        return
    try:
        with st.spinner(page.t("simulating_compare", n=len(configs))):  # computed already, unless the picks changed
            results = dict(zip(configs, cache.simulate_many(configs.values(), memory_budget(), session_gone())))
    except Cancelled:  # the session has gone, or its run was stopped
        return
    # the networks as every scheme draws them: a scheme sets batch norm itself (core.train.SCHEMES)
    st.caption(page.t("compare_caption", network=describe.network(replace(page.config, batch_norm=False), page.lang)))
    carried = not_carried(page.config, page.lang)
    if carried:
        st.caption(carried)
    frame = charts.compare_frame(results, page.lang, tour.scheme_of(page.config))
    draw("compare", frame, name="compare", title=page.t("chart_compare"),
         y_title=page.t("std_axis"), layer_title=page.t("layer"), scheme_title=page.t("scheme"),
         underflow_label=page.t("mark_underflow"))
    names = {s: charts.scheme_name(s, page.lang, r.config) for s, r in results.items()}
    # a line hidden under another must not look missing, nor two lines that touch all along look like one
    decades = format_value(charts.compare_decades(frame))
    hidden = charts.drawn_as_one(frame)
    for schemes, ratio in hidden:
        st.caption(page.t("compare_one_line", names=join(page.lang, [names[s] for s in schemes]),
                          apart=format_share(ratio - 1), decades=decades))
    for lines, ratio in charts.drawn_touching(frame, hidden):
        st.caption(page.t("compare_touching", names=line_names(lines, names, page.lang),
                          apart=format_share(ratio - 1), decades=decades))
    for note in drawn_short(results, names, page.lang) + off_axis(frame, names, page.lang):
        st.caption(note)


def line_names(lines: tuple[tuple[str, ...], ...], names: dict[str, str], lang: str) -> str:
    """Lines that touch (charts.drawn_touching) as the tab names them, each in quotes (drawn_as_one): by its scheme's
    name, or a line of schemes drawn as one by theirs apart by join_drawn_as_one (“Xavier / He”), so that the word
    joining the lines is not read as joining two schemes' words ("+ batch norm and Xavier")."""
    return join(lang, [t(lang, "drawn_as_one", names=t(lang, "join_drawn_as_one").join(names[s] for s in line))
                       for line in lines])


def not_carried(config: Config, lang: str) -> str | None:
    """The sentence naming this network's settings that no scheme keeps (core.train.scheme_config draws each scheme at
    its own gain and with zero biases), each with its value: a gain where init_words names one (not the scheme's
    default), a bias mean or std that is not 0; None where there is none. Step 10's orthogonal gain 1.015 and bias std
    0.002145 kept its line at 0.124 while Xavier's fell to 0.0761, a gap its weights did not make."""
    reset = tour.scheme_config(config, tour.LECTURE_FIVE[0])  # any scheme: none keeps them
    gain = gain_of(config)
    settings = [t(lang, "compare_setting_gain", value=format_gain(gain))] \
        if gain is not None and gain != scheme_record(config.init).default_gain else []
    settings += [t(lang, f"compare_setting_{field}", value=format_setting(getattr(config, field)))
                 for field in ("bias", "bias_std") if getattr(config, field) != getattr(reset, field)]
    return t(lang, "compare_not_carried", settings=join(lang, settings)) if settings else None


def drawn_short(results: dict, names: dict[str, str], lang: str) -> list[str]:
    """What the Compare chart cannot draw as a curve: each scheme whose forward pass left the float range, named
    with the layer where its line ends (compare_frame marks that layer), then the schemes whose std is exactly 0."""
    notes = [t(lang, "compare_scheme_note", scheme=names[s],
               note=inserted(summary.break_message(b, lang, r.config.dtype)))
             for s, r in results.items() for b in charts.forward_breaks(r)]
    zero = sorted({s for s, r in results.items() if (r.stats["act_std"][1:] == 0).any()})
    if zero:
        notes.append(t(lang, "zero_not_drawn", names=join(lang, [names[s] for s in zero])))
    return notes


def off_axis(frame, names: dict[str, str], lang: str) -> list[str]:
    """Each scheme whose std falls under the Compare axis's floor or rises over its ceiling (charts.compare_window),
    named with the layer where it leaves the chart (charts.compare_frame's leaves and rises, marked there by
    charts.floor_marks and charts.ceiling_marks)."""
    floor, ceiling = (format_power(end) for end in charts.compare_window(frame))
    return [t(lang, "under_floor", name=names[row.scheme], floor=floor, layer=row.layer)
            for row in frame[frame["leaves"]].itertuples()] + \
        [t(lang, "over_ceiling", name=names[row.scheme], ceiling=ceiling, layer=row.layer)
         for row in frame[frame["rises"]].itertuples()]


def networks(config: Config, lang: str) -> list[Config]:
    """The networks the tab draws, computed before the page is drawn (computing.compute_first)."""
    return list(compare_configs(config, compare_picks())[0].values())
