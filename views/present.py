"""Presenter mode and the screens the page is read on: a lesson on one projected screen, the page's link as a QR
code for the class, and the page's CSS for every screen from a 390 px phone to a 1920 px projector."""

from __future__ import annotations

import base64
import ipaddress
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

import altair as alt
import segno
import streamlit as st

from core import Config

from . import charts, tour
from . import spectrum as spectrum_view
from .draw import draw, draw_chart
from .page import Page, layer_titles
from .text import join, t, user_text
from .urlstate import URL, tab_of

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

PRESENT = "present"  # the toggle's key and its URL parameter (urlstate.PARAMS)
# The passes presenter mode projects, by the tab whose two teaching charts it draws: the forward pass (the Activations
# tab's std chart and histograms) and the backward pass (the Gradients tab's gradient std and update size). The open
# tab picks one (a link's tab=gradients), any other tab the forward pass, and the switch beside presenter mode's opens
# its tab (a teacher could not project the backward pass, half the lecture, without leaving presenter mode).
VIEWS = ("activations", "gradients")
VIEW = "present_view"  # the switch's key
QR_ERROR = "m"  # QR error correction M (15 % of the code may be lost): a projected code read from a seat
QR_BORDER = 4  # modules of white around the code: the quiet zone ISO/IEC 18004 asks for
QR_PX = 176  # the code's side on the page, CSS px: about 4 px a module for a link of the page's length
# Presenter mode's type: the body text one size up from the theme's 17 px (PRESENT_CSS), and its charts' text
# (charts.theme's size) as large as the body's. The rule of a projected chart's text: none smaller on the screen than
# the smallest step of the page's own type scale, Streamlit's 0.75 rem, three quarters of the body text (14.25 px).
# The histograms, drawn at the theme's 15 px and scaled to the room under a long story, had been 11.4 px at step 9 on
# a 1280 x 720 screen beside the story's 19 px, and the std chart's ticks 15 px.
BODY_PX = 19
SMALLEST_TYPE = 0.75  # of the body text: Streamlit's smallest font size ("twoSm", 0.75 rem)
CHART_TEXT_LEAST = SMALLEST_TYPE * BODY_PX  # px on a SCREEN-sized screen
# The screen presenter mode's px are set for: the smaller of a projector's two common screens, CSS px. A larger screen
# shows the same page larger, by the lesser of its width's and its height's ratio to SCREEN (a 1920 x 1080 screen 1.5
# times: screen_css, screen_scale), so that the story, the headline and every chart's text keep their share of the
# screen as the charts keep theirs. At a fixed 19 px a 1920 x 1080 screen had shown the story and the std chart's text
# at 19 px beside the histograms' 28 px (scaled to their column).
SCREEN = (1280, 720)


def screen_css(px: float) -> str:
    """A CSS length of `px` on SCREEN, grown by screen_scale on a larger screen (never smaller)."""
    width, height = SCREEN
    return f"max({px}px, min({px * 100 / width:.6g}vw, {px * 100 / height:.6g}vh))"


def screen_scale() -> str:
    """Vega's expression of the scale screen_css grows its lengths by: the window's width and height (windowSize, as
    100vw and 100vh) over SCREEN's, the lesser, at least 1; and 1 where there is no window (vl_convert's files). It
    reads the `width` and `height` signals, which Vega sets again on a window's resize, for Vega to evaluate it
    again then: alone, windowSize() is read once when the chart is drawn."""
    width, height = SCREEN
    return (f"(width + height) * 0 + max(1, min(windowSize()[0] / {width}, windowSize()[1] / {height}) || 1)")


# Presenter mode's charts: the std chart beside the histograms, both as tall as the page leaves them on the screen
# below the story (FIT_CHARTS). The std chart is laid out by Vega to its box (STD_BOX), its text at BODY_PX; the
# histograms are drawn at these sizes, their text at BODY_PX, and then scaled by the browser to their column's width
# (PRESENT_CSS) or to the height they get, their text to CHART_TEXT_LEAST at the least.
# width, height of one histogram panel, px, before scaling: 42 px high had left step 5's plots 33 px tall on a
# 1280 x 720 screen, 110 px above the page's bottom; 60 makes them 47-61 px over the steps, beside the std chart
PRESENT_PANEL = (110, 60)
# px: the widest a histogram panel is drawn to hold its labels in one row (present_panel): five of 160 px and their
# gaps (PRESENT_CONFIG's facet spacing), 840 px, scaled to the 639 px column of a 1280 x 720 screen leave their text
# 19 x 639 / 840 = 14.5 px, above CHART_TEXT_LEAST (step 5's labels take 156 px)
PRESENT_PANEL_WIDEST = 160
# The Spectrum tab's histograms where a step's story is about them (spectra): width, height of the plot, px, before
# scaling, with its title, axes and legend about the size of its room on a 1280 x 720 screen (310 x 300 px at step
# 10: a plot 240 px high had scaled its text to the least, CHART_TEXT_LEAST), and the Latin letters in a line of its
# title (charts.title_lines; the page's 34 had run the twin's 21 px title 20 px past its chart)
SPECTRUM_PLOT = (230, 150)
SPECTRUM_TITLE_WIDTH = 26
QR_PRESENT_PX = 140  # in presenter mode's narrow right column
NARROW_COLUMN = 600  # px: the column of a 640 px window (Streamlit stacks columns there) less its padding, rounded down
# px: from this page column (a 1024 x 768 projector's is 967 px) presenter mode's four headline numbers stay in one row,
# the long labels wrapping beside their values; narrower, a number that does not fit goes to a second row, and on a
# phone (NARROW_COLUMN) they stand one under another. No label is broken inside a word to keep the row ("Ve / rd /
# ict", "诊 / 断" at 1024 px): keep-all breaks Chinese only at spaces and punctuation, and "第 1 层" is held together
# by no-break spaces.
ONE_ROW_COLUMN = 900
PHONE_COLUMNS = 2  # histogram panels in a row on a phone: 2 x 150 px fit a 390 px screen
DESK_COLUMNS = 5  # and elsewhere: the lecture's ten layers in two rows
# Two steps side by side (views/beside.py): each side's std chart above its histograms
PAIR_PANELS = DESK_COLUMNS  # a side's histograms: one row of panels
PAIR_PANEL_HEIGHT = 34  # px, before scaling: a panel's plot, shorter than PRESENT_PANEL's
# Presenter mode's charts with their axes, titles and legend closer to their labels and plot than Streamlit's theme
# sets them (16 px of padding each side of a label), and the histogram panels 10 px apart rather than Vega-Lite's 20:
# the screen's height goes to the plots, and the histograms' width to their text; and a side's legend beside the
# plot rather than under it, where the sides' height is the scarcest room. An axis's labels stay 2 px clear of a
# point on it (charts.POINT_RADIUS): at 3 px, layer 0's point had covered the end of the std chart's "1".
PRESENT_CONFIG = {"axis": {"labelPadding": round(charts.POINT_RADIUS + 2, 1), "titlePadding": 3},
                  "title": {"offset": 4}, "legend": {"offset": 6}, "facet": {"spacing": 10}}
PAIR_CONFIG = {**PRESENT_CONFIG, "legend": {"offset": 6, "orient": "right"}}


# px: a side's std chart's type on SCREEN: the theme's 15 px, which the rule (CHART_TEXT_LEAST) allows. At BODY_PX its
# title, axes and legend left its plot 59 px of a 1280 x 720 screen beside step 10's two-line title.
PAIR_STD_TYPE = charts.LABEL_SIZE


def typed(config: dict, size: float) -> dict:
    """A std chart's config with its text `size` px on SCREEN (its title charts.theme's step above), grown on a larger
    screen by screen_scale, as the page's own type is (PRESENT_CSS) and the histograms' with their column: the std
    chart is laid out by Vega at the screen's px, not scaled."""
    def grown(px: float) -> dict:
        return {"expr": f"{px} * ({screen_scale()})"}
    title = size + charts.TITLE_SIZE - charts.LABEL_SIZE
    return {**config, "axis": {**config["axis"], "labelFontSize": grown(size), "titleFontSize": grown(size)},
            # no limit on a legend label's width, which Vega sets at 160 px: "branch theory" at 28.5 px had been cut
            "legend": {**config["legend"], "labelFontSize": grown(size), "titleFontSize": grown(size), "labelLimit": 0},
            "title": {**config["title"], "fontSize": grown(title), "subtitleFontSize": grown(size)}}


# The std chart's box in presenter mode: a container that Streamlit lays the chart out in (height="stretch"), as
# tall as FIT_CHARTS sets --fit-height on it, and STD_BOX_PX before the script has measured the page. Streamlit draws
# a container's height as a wrapper around it; that height is taken over here.
STD_BOX = "[data-testid='stLayoutWrapper']:has(>[class*='st-key-present_std'])"
STD_BOX_PX = 150
# px on SCREEN (grown with the screen, as the type is): the least height of the std chart's plot, where its y axis
# still holds three labelled ticks apart; on a screen that leaves it less (the histograms at their least) the page
# scrolls. The longest pair on a 1280 x 720 screen (step 9's story beside step 10's two-line title) leaves it about
# 70 px.
STD_PLOT_LEAST = 50
# Of the room in a side of a pair, the most its histograms take short of their column's width: the std chart is what
# the pair compares, and where a long story leaves little room the histograms give up height first, down to their
# least (CHART_TEXT_LEAST).
HIST_SHARE = 0.4
# A std chart's plot, as tall as this share of the chart's width, where the columns stand one under the other (a
# phone) and the page scrolls: no screen's room to fit it to
STACKED_STD = 0.5
# A phone's browser says so in its User-Agent (RFC 9110 10.1.5): iOS Safari "Mobile/15E148", Android Chrome
# "Mobile Safari". A tablet says neither. Read only for the Training tab's chart titles (on_phone); the histograms'
# panels in a row follow the window's width (screen_columns), which a phone has whatever its browser says.
PHONE_AGENT = re.compile(r"\bMobile\b|\bAndroid\b.*\bMobile")

# The page's CSS. Every screen: the metric numbers and labels wrap instead of ending in "…" (1024 x 768 with the
# sidebar open leaves 121 px a metric), a title's, a number's label's and note's and a radio option's lines balanced
# rather than the last word alone, a chart wider than its column shrinks to it (a narrow window that is no phone still
# shows all ten histograms; the page never scrolls sideways). A laptop's first screen (1280 x 800) holds the whole std
# chart at every step: a lower header bar and less space between the page's blocks, each number's note beside it where
# it fits, presenter mode's switch in the row of step buttons (headline.header; its scripts' boxes take no room there:
# each had grown into a share of the row's width, and the QR button wrapped under the switch at 1,024 px), the
# Activations tab's log switch in the tab bar where the bar has room, and less padding around the page. The title has no
# padding under it, so not the -1rem margin either with which Streamlit takes a heading's padding back: that pulled the
# network line up into a wrapped title's last line. It takes back most of the blocks' gap instead: the title's last line
# box, which has room below its letters, ends 0.1rem above the network line. A multiselect's chosen items wrap to more
# lines where one row cannot hold them: Streamlit keeps them in one row that scrolls sideways, and a phone's Training
# tab showed four of the race's six schemes, He among the hidden. The Derivation's equations, which KaTeX breaks
# after a relation or an operator where their column is narrower than they are (derivation.as_markdown), get room
# between their lines and a hanging indent, so a broken equation's next line reads as its continuation. A title (the
# Derivation's block titles too: "缩放因 / 子") and the tour's list break Chinese between words, not inside one
# (keep-all: at spaces, punctuation and the titles' zero-width spaces; a phone's step 1 read "权 / 重全为零"), and a
# run longer than its line anywhere. The equations' right padding holds the overhang of a last italic subscript.
# The page's columns stack, as Streamlit stacks them on a phone, wherever the page's own column is narrower than
# NARROW_COLUMN px (a CSS container query of its width, not the window's): a desktop window of 800 px with the sidebar
# open left a 430 px column, whose four headline numbers broke inside "2.94 × 10⁻⁷" and whose mean and std charts were
# 207 px wide, their titles cut; the presenter switch and QR button take a line of their own there ("Presenter…").
# The container's layout containment leaves a chart's fullscreen view the window's.
# The tab strip wraps to a second row where its column cannot hold every tab: Streamlit scrolls it sideways behind an
# arrow, and the English Theory and Spectrum tabs were out of sight on a phone and in an 800 px window. Its gap is a
# little under Streamlit's 1rem: at 1rem a 390 px phone's Chinese tabs missed one row by 3 px, and 谱 stood alone on a
# second; 0.7rem keeps them in one row down to a 360 px phone (they take 321 px of its 328).
EQUATIONS = "equations_"  # the Derivation tab's keys of each block's equations, numbered
PAGE_CSS = """
[data-testid='stMainBlockContainer']{padding-top:2.9rem}
[data-testid='stMainBlockContainer'] [data-testid='stVerticalBlock']{gap:0.5rem}
h1{padding:0!important;line-height:1.25!important}
[data-testid='stHeading']:has(h1) [data-testid='stMarkdownContainer']{margin-bottom:-0.4rem}
[data-testid='stMain'] [data-testid='stMarkdownContainer'] p{line-height:1.45}
[data-testid='stSidebarHeader']{height:1rem;min-height:1rem}
[data-testid='stMetricValue'] *,[data-testid='stMetricLabel'] *,[data-testid='stMetricDelta'] *{
  white-space:normal!important;overflow:visible!important;text-overflow:clip!important;overflow-wrap:anywhere}
h1,[data-testid='stMetricLabel'] [data-testid='stMarkdownContainer'],
[data-testid='stMetricDelta'] [data-testid='stMarkdownContainer'],
[data-testid='stRadioOption'] [data-testid='stMarkdownContainer']{text-wrap:balance}
h1,h4,[data-testid='stRadioOption'] [data-testid='stMarkdownContainer'] p{word-break:keep-all;overflow-wrap:anywhere}
[data-testid='stMetricValue']{font-size:clamp(1.5rem,2.2vw,2.25rem)}
[data-testid='stVegaLiteChart']{max-width:100%;overflow-x:auto}
[data-testid='stVegaLiteChart'] svg{max-width:100%;height:auto}
.st-key-present_controls{margin-left:auto}
.st-key-step_row>[data-testid='stElementContainer']:has(>[data-testid='stHtml']){display:none}
h1{font-size:clamp(1.8rem,2.3vw,2.6rem)!important}
[data-testid='stMetricValue'],[data-testid='stMetricValue'] *{line-height:1.2}
[data-testid='stMetric']>div{display:flex;flex-wrap:wrap;align-items:center;column-gap:0.6rem}
[data-testid='stMetric']>div>:first-child{flex-basis:100%}
[data-testid='stHeader']{height:2.75rem!important;min-height:0!important}
[data-baseweb='tab-panel']{padding-top:0.3rem}
[data-testid='stMultiSelectTagsContainer'],[data-testid='stMultiSelectTagsContainer']>[role='group']{flex-wrap:wrap}
[role='group']:has(>[data-testid='stMultiSelectTagsContainer']){height:auto;max-height:none}
.st-key-tab>div>[role='tablist']{flex-wrap:wrap;height:auto;overflow-x:visible;row-gap:0;column-gap:0.7rem}
@media (max-width:1400px){[data-testid='stMainBlockContainer']{padding-left:1.5rem;padding-right:1.5rem}}
@media (min-width:1200px){
  [data-testid='stTabs']{position:relative}
  .st-key-log{position:absolute;top:0.5rem;right:0;width:auto!important;z-index:1}}
@media (max-width:640px){[data-testid='stMainBlockContainer']{padding-left:1rem;padding-right:1rem}}
""" + f"[data-testid='stMain'] [class*='st-key-{EQUATIONS}'] [data-testid='stMarkdownContainer'] p" + """{
  line-height:2.2;padding-inline:1.5em 0.2em;text-indent:-1.5em}
[data-testid='stMainBlockContainer']{container-type:inline-size}
""" + f"@container (max-width:{NARROW_COLUMN}px){{[data-testid='stColumn']{{min-width:calc(100% - 1.5rem)}}" \
    ".st-key-step_row{flex-wrap:wrap}.st-key-step_row>:has(.st-key-present_controls){flex-basis:100%}}\n"
# Presenter mode: type one size up from the theme's 17 px on SCREEN and larger on a larger screen (screen_css: every
# rem of the page, its padding the same 1.5 rem at any width, and the QR code in rem), the headline numbers in one
# line (label and value side by side, their notes left out: the story says them; one row from ONE_ROW_COLUMN; a label
# too long for its quarter of the row wraps beside its value, which stays whole on its line: zh step 2's first number
# had wrapped under its label), the histograms scaled to their column. The std chart and the histograms take the
# height the page leaves them on the screen (FIT_CHARTS): the std chart is laid out by Vega to its box (STD_BOX), whose
# height the script sets; the histograms, a grid Vega cannot stretch, are scaled. Two steps side by side: each side's
# std chart above its histograms. The switch stays in the step row above the title, so the title keeps the page's
# width (beside the switch it had been cut into a 60 px column on a phone: "Ste / p 3 / of").
PRESENT_CSS = f"""
html{{font-size:{screen_css(BODY_PX)}}}
.st-key-present_qr img{{width:{QR_PRESENT_PX / BODY_PX:.4g}rem!important;height:auto!important}}""" + """
[data-testid='stMain'] p{line-height:1.45}
[data-testid='stMainBlockContainer']{padding-top:3.4rem;padding-bottom:0.5rem}
@media (min-width:641px){[data-testid='stMainBlockContainer']{padding-left:1.5rem;padding-right:1.5rem}}
[data-testid='stMainBlockContainer'] [data-testid='stVerticalBlock']{gap:0.55rem}
h1{font-size:clamp(1.6rem,2.2vw,2.4rem)!important;padding-top:0!important}
.st-key-present_metrics [data-testid='stMetric']>div{display:flex;flex-wrap:nowrap;align-items:center;gap:0 .5rem}
.st-key-present_metrics [data-testid='stMetric']>div>:first-child{flex:0 1 auto;min-width:min-content}
.st-key-present_metrics [data-testid='stMetricLabel'] *{overflow-wrap:normal!important;word-break:keep-all!important}
.st-key-present_metrics [data-testid='stMetricLabel'] div{min-width:auto!important}
.st-key-present_metrics [data-testid='stMetricValue']{flex:none}
.st-key-present_metrics [data-testid='stMetricValue'] *{white-space:nowrap!important;overflow-wrap:normal!important}
.st-key-present_metrics [data-testid='stMetricValue']{font-size:1.3rem}
.st-key-present_metrics [data-testid='stMetricDelta'],
.st-key-present_metrics [data-testid='stElementContainer']:has([data-testid='stCaptionContainer']){display:none}
[class*='st-key-present_histograms'] [data-testid='stVegaLiteChart'] svg{width:100%!important;height:auto!important}
[class*='st-key-present_std']{overflow:visible!important}
[class*='st-key-present_histograms'] [data-testid='stElementContainer']:has([data-testid='stVegaLiteChart']),
[class*='st-key-present_histograms'] [data-testid='stFullScreenFrame'],
[class*='st-key-present_histograms'] [data-testid='stFullScreenFrame']>div,
[class*='st-key-present_histograms'] [data-testid='stVegaLiteChart'],
[class*='st-key-present_std'] [data-testid='stElementContainer']:has([data-testid='stVegaLiteChart']),
[class*='st-key-present_std'] [data-testid='stFullScreenFrame'],
[class*='st-key-present_std'] [data-testid='stFullScreenFrame']>div,
[class*='st-key-present_std'] [data-testid='stVegaLiteChart']{width:100%!important}
.st-key-beside_view h4{font-size:1.1rem;padding-top:0}
[class*='st-key-beside_side_']:has([class*='st-key-present_std']){gap:0.2rem}
""" + f"{STD_BOX}{{flex-basis:var(--fit-height,{STD_BOX_PX}px)!important;" \
      f"height:var(--fit-height,{STD_BOX_PX}px)!important}}" \
      f"@container (min-width:{NARROW_COLUMN + 1}px){{.st-key-present_metrics [data-testid='stColumn']" \
      "{min-width:min-content}}" \
      f"@container (min-width:{ONE_ROW_COLUMN}px){{.st-key-present_metrics [data-testid='stHorizontalBlock']" \
      "{flex-wrap:nowrap}}"


def page_css(present: bool) -> str:
    """The page's <style> element, with presenter mode's rules when it is on."""
    return "<style>" + PAGE_CSS + (PRESENT_CSS if present else "") + "</style>"


# ---------- a phone's sidebar ----------

# Closes the sidebar where it lies over the page (a phone: Streamlit draws it on top below its md breakpoint), by
# the sidebar's own close button; where it sits beside the page (a laptop) it stays. The comment's number makes
# each pick's script new, so the browser runs it again (Streamlit runs an st.html script when it is drawn anew).
CLOSE_SIDEBAR = """<script>/* pick {pick} */
(() => {{
  const side = document.querySelector("[data-testid='stSidebar']");
  const main = document.querySelector("[data-testid='stMain']");
  if (side && main && side.getBoundingClientRect().right > main.getBoundingClientRect().left + 1) {{
    document.querySelector("[data-testid='stSidebarCollapseButton'] button")?.click();
  }}
}})();
</script>"""


# Scrolls the page to its top. Drawn in presenter mode with the step in its comment, so the browser runs it when the
# step changes (as CLOSE_SIDEBAR), and not when the same step runs again: Streamlit keeps the page's scroll
# position across runs, and a class walked through the steps by ▶ saw each next step from where the last was left.
TO_TOP = """<script>/* step {step} */
document.querySelector("[data-testid='stMain']")?.scrollTo(0, 0);
</script>"""

# The switch gives up the keyboard's focus once flipped: Streamlit's button shortcuts (← → for the steps) skip a key
# pressed in a form field, and the switch is one, so a teacher who had just turned presenter mode on pressed → and
# nothing happened. Written with the mode, so that the browser runs it again at each flip.
RELEASE_SWITCH = """<script>/* presenter mode {on} */
document.activeElement?.closest("[class*='st-key-present_controls']") && document.activeElement.blur();
</script>"""

# A tab, a switch, a radio's option or presenter mode's pass (a segmented control) clicked with the pointer gives up
# the keyboard's focus, so that ← → go on turning the steps: a focused tab takes them to open the next tab (the tab
# list's own keys, as ARIA's tabs pattern has it), a focused radio to pick its next option, and a focused switch or
# button group is a form field, whose keys Streamlit's shortcuts skip (a teacher had picked the backward pass, pressed
# → and nothing happened). A student had clicked the Derivation tab, pressed → and got the Compare tab; a teacher had
# clicked 中文 in the sidebar, pressed → and got English again on the same step. A click made with a key (Tab, then
# Space: event.detail 0) keeps the focus, and with it the tab list's and the radio's keys. One listener a page.
RELEASE_POINTER = """<script>/* release a clicked tab, switch or radio */
(() => {
  if (window.__releasePointer) return;
  window.__releasePointer = true;
  const RELEASED = "[role='tab'], [data-testid='stCheckbox'], [data-testid='stRadio'], [data-testid='stButtonGroup']";
  document.addEventListener("click", (event) => {
    if (event.detail === 0 || !event.target.closest?.(RELEASED)) return;
    setTimeout(() => document.activeElement?.closest?.(RELEASED) && document.activeElement.blur(), 0);
  }, true);
})();
</script>"""

# Fits presenter mode's charts to the height the page leaves on the screen. The room is measured, not reserved in
# CSS: a fixed reserve (100vh less the longest story's height) left the short stories' screens a band of 90-150 px
# empty under std plots 50-60 px tall. In the row of columns that holds the charts, a column's charts take the row's
# height plus the page's room left under it, less what else the column holds (a side's title): the histograms scaled
# to at most their column's width, under the std chart at most HIST_SHARE of the room, their text never below
# CHART_TEXT_LEAST; the std chart's box (STD_BOX) the rest, its plot at least STD_PLOT_LEAST (both grown with the
# page's type, screen_css: the root's font size over BODY_PX). A std chart held to 3/4 as tall as it was wide had left
# 110 px empty under step 6 on a 1280 x 720 screen, and 40 % of a 1920 x 1080 one at 19 px type. The two sides of a pair
# get one size, so their std charts on one axis stay comparable. A script, not a CSS flex column filling 100vh: that
# would need a height on each of the six elements Streamlit nests around a chart, and Streamlit lays a chart out to
# its container's height only in a container of a set height. It runs again (once a frame at most) whenever the page
# or the window changes size or the page draws anything new; the observers are made once a page and watch the page
# again each time the script is drawn (presenter mode switched on again).
FIT_CHARTS = f"""<script>/* fit the presenter charts */
(() => {{
  const watch = (fit) => {{
    const main = document.querySelector("[data-testid='stMain']");
    fit.sizes.observe(main);
    fit.sizes.observe(main.querySelector("[data-testid='stMainBlockContainer']"));
    fit.drawn.observe(main, {{childList: true, subtree: true}});
    fit.soon();
  }};
  if (window.__fitCharts) {{ watch(window.__fitCharts); return; }}
  const HIST_SHARE = {HIST_SHARE}, STD_BOX_PX = {STD_BOX_PX}, STACKED_STD = {STACKED_STD};
  // px on this screen: the page's type grows with it (screen_css), and what is set for SCREEN with it
  const grown = (px) => px * parseFloat(getComputedStyle(document.documentElement).fontSize) / {BODY_PX};
  const BOXES = "{STD_BOX}";
  const HISTOGRAMS = "[class*='st-key-present_histograms'] [data-testid='stVegaLiteChart'] svg";
  const box = (e) => e.getBoundingClientRect();
  const sum = (values) => values.reduce((a, b) => a + b, 0);
  // the bottom of what a column holds (its own box is stretched to its row): the std chart's box, and the elements
  // outside it (the chart inside may be a frame behind its box while Streamlit lays it out again)
  const contentBottom = (column) => Math.max(box(column).top, ...[...column.querySelectorAll(BOXES)].map(
    (b) => box(b).bottom), ...[...column.querySelectorAll("[data-testid='stElementContainer']")]
    .filter((e) => !e.closest(BOXES)).map(box).filter((r) => r.height > 0).map((r) => r.bottom));
  // a histogram grid's height at its column's width, the height (no more) at which its smallest text is `px`, and the
  // least, at which that is CHART_TEXT_LEAST on SCREEN
  const natural = (svg) => box(svg).width * svg.viewBox.baseVal.height / svg.viewBox.baseVal.width;
  const smallestFont = (svg) => Math.min(...[...svg.querySelectorAll("text")].filter((t) => t.textContent.trim())
    .map((t) => parseFloat(getComputedStyle(t).fontSize)));
  const typedAt = (svg, px) => Math.min(natural(svg), Math.ceil(svg.viewBox.baseVal.height * px / smallestFont(svg)));
  const least = (svg) => typedAt(svg, grown({CHART_TEXT_LEAST}));
  // a std chart's box around a plot `height` px tall: its title, axes and legend as Vega drew them (before it has
  // drawn, STD_BOX_PX's around STD_PLOT_LEAST); its least, around a plot of STD_PLOT_LEAST on SCREEN
  const boxAround = (std, height) => {{
    const svg = std.querySelector("[data-testid='stVegaLiteChart'] svg");
    const plot = svg?.querySelector("g.role-frame.root > g > path.background");
    return (plot ? Math.max(0, box(svg).height - box(plot).height) : STD_BOX_PX - grown({STD_PLOT_LEAST})) + height;
  }};
  const leastBox = (std) => boxAround(std, grown({STD_PLOT_LEAST}));
  // where the columns stand one under the other: a plot STACKED_STD as tall as the box is wide
  const stackedBox = (std) => Math.max(leastBox(std), boxAround(std, box(std).width * STACKED_STD));
  const fit = () => {{
    const main = document.querySelector("[data-testid='stMain']");
    const block = main?.querySelector("[data-testid='stMainBlockContainer']");
    if (!block) return;
    const parts = [...block.querySelectorAll(BOXES), ...[...block.querySelectorAll(HISTOGRAMS)]
      .filter((svg) => svg.viewBox.baseVal?.width)];
    if (!parts.length) return;
    // the room left under the page's content, or (negative) how far it runs below the screen
    const free = main.clientHeight - (box(block).bottom - box(main).top + main.scrollTop);
    const rows = new Map();  // row -> column -> {{std: its box, grids: its histograms}}
    for (const part of parts) {{
      const column = part.closest("[data-testid='stColumn']");
      const row = column?.closest("[data-testid='stHorizontalBlock']");
      if (!row) continue;
      if (!rows.has(row)) rows.set(row, new Map());
      const found = rows.get(row).get(column) || {{std: null, grids: []}};
      if (part.matches(BOXES)) found.std = part; else found.grids.push(part);
      rows.get(row).set(column, found);
    }}
    for (const [row, columns] of rows) {{
      const target = Math.max(...[...row.children].map(contentBottom)) + free;
      // columns one under the other (a phone's, NARROW_COLUMN) scroll whatever their height: each chart keeps its own
      // (fitted to the screen, step 10's std plot had been squashed to 40 px on a phone above its two spectra)
      const stacked = new Set([...row.children].map((column) => Math.round(box(column).top))).size > 1;
      const fits = [...columns].map(([column, {{std, grids}}]) => {{
        const drawn = sum([std, ...grids].filter(Boolean).map((e) => box(e).height));
        const room = target - contentBottom(column) + drawn;
        const full = sum(grids.map(natural)), floor = sum(grids.map(least));
        const histograms = Math.min(full, Math.max(floor, std ? room * HIST_SHARE : room));
        return {{std, grids, room, scale: full && !stacked ? histograms / full : 1}};
      }});
      const pair = row.closest(".st-key-beside_view");  // its sides at one scale
      const shared = Math.min(...fits.map((f) => f.scale));
      for (const f of fits) {{
        // stacked, the histograms' text at the std chart's size (their own, at the column's width, had been half as
        // large again)
        f.heights = f.grids.map((svg) => stacked ? typedAt(svg, grown({BODY_PX}))
          : Math.max(least(svg), natural(svg) * (pair ? shared : f.scale)));
        f.stdHeight = !f.std ? 0 : stacked ? stackedBox(f.std) : Math.max(leastBox(f.std), f.room - sum(f.heights));
      }}
      const sharedStd = Math.min(...fits.filter((f) => f.std).map((f) => f.stdHeight));
      for (const {{std, grids, heights, stdHeight}} of fits) {{
        grids.forEach((svg, i) => {{
          if (!(Math.abs(parseFloat(svg.style.maxHeight) - heights[i]) <= 0.5)) svg.style.maxHeight = heights[i] + "px";
        }});
        const height = pair ? sharedStd : stdHeight;
        if (std && !(Math.abs(parseFloat(std.style.getPropertyValue("--fit-height")) - height) <= 0.5)) {{
          std.style.setProperty("--fit-height", height + "px");
        }}
      }}
    }}
  }};
  let queued = false;
  const soon = () => {{
    if (!queued) {{ queued = true; requestAnimationFrame(() => {{ queued = false; fit(); }}); }}
  }};
  window.__fitCharts = {{soon, sizes: new ResizeObserver(soon), drawn: new MutationObserver(soon)}};
  watch(window.__fitCharts);
}})();
</script>"""


def close_sidebar_over_page(pick: int) -> None:
    """After a pick in the sidebar (the tour's radio): close the sidebar if it covers the page (CLOSE_SIDEBAR).
    Streamlit has no call for it; its initial_sidebar_state gives way to a sidebar the viewer opened by hand."""
    st.html(CLOSE_SIDEBAR.format(pick=pick), unsafe_allow_javascript=True)


# ---------- the page's link as a QR code ----------

def page_link(address: str, query: Mapping[str, str | Sequence[str]]) -> str:
    """The link a student opens: the page's address and its query, without presenter mode (a phone shows the
    ordinary page). A list parameter is repeated, as Streamlit writes it (urlstate)."""
    pairs = [(name, value) for name, values in query.items() if name != PRESENT
             for value in ([values] if isinstance(values, str) else values)]
    if pairs and not urlsplit(address).path:  # a bare host ("http://host:8501", as Streamlit may report it) takes
        address += "/"  # the root's slash before its query, as a browser writes the address
    return address + ("?" + urlencode(pairs) if pairs else "")


def current_link() -> str | None:
    """This page's link (page_link), or None when the browser has not told its address (st.context.url)."""
    address = st.context.url
    if not address:
        return None
    return page_link(address, {name: st.query_params.get_all(name) for name in st.query_params})


def qr_svg(link: str) -> str:
    """A QR code of `link` as SVG (segno, ISO/IEC 18004, error correction QR_ERROR): one 1 x 1 square a dark
    module, in a viewBox of the code's modules with its quiet zone, black on white in either theme."""
    matrix = segno.make(link, error=QR_ERROR, micro=False).matrix  # rows of 0/1, without the quiet zone
    side = len(matrix) + 2 * QR_BORDER
    squares = "".join(f"M{x + QR_BORDER} {y + QR_BORDER}h1v1h-1z" for y, row in enumerate(matrix)
                      for x, dark in enumerate(row) if dark)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" shape-rendering="crispEdges">'
            f'<rect width="{side}" height="{side}" fill="#fff"/><path fill="#000" d="{squares}"/></svg>')


def qr_html(link: str, lang: str, px: int = QR_PX) -> str:
    """The QR code as an <img> of a data: URI: the SVG is base64, so nothing of the link reaches the page's HTML."""
    data = base64.b64encode(qr_svg(link).encode()).decode()
    return (f'<img src="data:image/svg+xml;base64,{data}" width="{px}" height="{px}" '
            f'alt="{t(lang, "qr_alt")}" style="display:block">')


def loopback_host(link: str) -> str | None:
    """The link's host where it is this computer's own (localhost, 127.0.0.0/8, ::1: RFC 6761 6.3, RFC 1122
    3.2.1.3, RFC 4291 2.5.3), which no phone in the room can open; None for any other host."""
    host = urlsplit(link).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return host
    try:
        return host if ipaddress.ip_address(host).is_loopback else None
    except ValueError:  # a name other than localhost
        return None


def show_qr(lang: str, px: int = QR_PX, words: bool = True) -> None:
    """The QR code of this page, with what it is and the link under it as text (words); nothing before the
    browser has said its address. Where the address is this computer's own (loopback_host: the README's `streamlit
    run` on a teacher's laptop), a code would open nothing on a student's phone: in its place, why there is none and,
    with words, which address to open instead. A link longer than a QR code holds (a long path before the query) gets
    a sentence in its place too."""
    link = current_link()
    if link is None:
        return
    host = loopback_host(link)
    if host is not None:
        st.caption(t(lang, "qr_local" if words else "qr_local_short", host=user_text(lang, host)))
        return
    try:
        code = qr_html(link, lang, px)
    except segno.encoder.DataOverflowError:  # past the largest code (version 40: 2,331 bytes at QR_ERROR M)
        st.caption(t(lang, "qr_too_long", length=len(link)))
        return
    if words:
        st.caption(t(lang, "qr_caption"))
    st.markdown(code, unsafe_allow_html=True)
    if words:
        st.text(link)


def fill_qr(place: DeltaGenerator | None, lang: str) -> None:
    """The QR popover's code (show_qr) in its place from controls(), at the end of the page's run, when every
    parameter of the link has been written; nothing in presenter mode, which draws its own (show)."""
    if place is not None:
        with place.container():
            show_qr(lang)


# ---------- presenter mode ----------

def controls(lang: str, step: str) -> tuple[bool, DeltaGenerator | None]:
    """The presenter-mode switch and, outside presenter mode, the QR code's popover; returns whether the mode is on,
    and the popover's place for the code (None in presenter mode), which the page fills at its run's end (show_qr):
    the open tab and the switches below write their parameters after this row, and a code drawn here had held the
    link as the run before left it.

    The sidebar follows the switch: st.set_page_config's initial_sidebar_state, which Streamlit 1.67 applies
    again whenever it changes, unless the viewer has opened or closed the sidebar by hand (the browser keeps
    that choice). In presenter mode a new step (▶, the tour) opens at the page's top (TO_TOP), and a second switch
    picks the pass on the screen (VIEWS), but for two steps side by side, which show their forward passes.
    """
    from . import beside  # it draws presenter mode's pairs with this module's charts
    with st.container(horizontal=True, vertical_alignment="center", key="present_controls"):
        on = st.toggle(t(lang, "present"), False, key=PRESENT, bind=URL, help=t(lang, "present_help"))
        qr = None
        if on and beside.chosen() in (beside.NONE, step):  # the pass on the screen, as the open tab says
            st.session_state[VIEW] = projected(lang)
            st.segmented_control(t(lang, "present_view"), VIEWS, format_func=lambda code: t(lang, f"tab_{code}"),
                                 key=VIEW, required=True, on_change=open_view, args=(lang,),
                                 label_visibility="collapsed")
        if not on:
            with st.popover(t(lang, "qr"), icon=":material/qr_code_2:", help=t(lang, "qr_help")):
                qr = st.empty()
    st.set_page_config(initial_sidebar_state="collapsed" if on else "auto")
    st.html(page_css(on))
    st.html(RELEASE_SWITCH.format(on=on), unsafe_allow_javascript=True)
    st.html(RELEASE_POINTER, unsafe_allow_javascript=True)
    if on:
        st.html(TO_TOP.format(step=step), unsafe_allow_javascript=True)
        st.html(FIT_CHARTS, unsafe_allow_javascript=True)
    return on, qr


def projected(lang: str) -> str:
    """The pass presenter mode draws: the open tab's (its state is its label, st.tabs'), where it is one of VIEWS, else
    the forward pass."""
    return tab_of(st.session_state.get("tab"), VIEWS, (lang,)) or VIEWS[0]


def open_view(lang: str) -> None:
    """The switch's pick opens its tab, which the page and the address then follow (the tabs keep theirs while
    presenter mode hides them)."""
    st.session_state["tab"] = t(lang, f"tab_{st.session_state[VIEW]}")


def is_phone(user_agent: str | None) -> bool:
    """Whether a browser is a phone's, by its User-Agent (PHONE_AGENT)."""
    return bool(user_agent and PHONE_AGENT.search(user_agent))


def on_phone() -> bool:
    """is_phone for the browser of this session: the charts a page lays out at a fixed width are drawn for it."""
    return is_phone(st.context.headers.get("User-Agent"))


def screen_columns(panels: int, fit: bool = True) -> dict[str, int | bool]:
    """Histogram panels in a row, as charts.histogram_chart takes them: PHONE_COLUMNS on a phone's width (the browser
    chooses, charts.screen_columns), else DESK_COLUMNS, never more than `panels`; fit: fewer where the page's column
    holds fewer (the ordinary page's; presenter mode scales its grid to its column instead)."""
    return {"columns": max(1, min(DESK_COLUMNS, panels)), "phone_columns": max(1, min(PHONE_COLUMNS, panels)),
            "fit": fit}


def present_panel(frame) -> tuple[int, int]:
    """A presenter-mode histogram panel's (width, height), px, before scaling: PRESENT_PANEL, wider where the short
    labels of a panel (charts.histogram_frame's frame) at BODY_PX need it to sit in one row, up to
    PRESENT_PANEL_WIDEST."""
    room = charts.one_row_width(charts.widest_labels(frame, "short", BODY_PX))
    width, height = PRESENT_PANEL
    return min(max(width, math.ceil(room)), PRESENT_PANEL_WIDEST), height


def show(page: Page, metrics: Callable[[Page], None]) -> None:
    """Presenter mode's page below the story: the headline numbers (metrics, views.headline's) in one line, then
    the std chart beside the histograms (the Activations tab's two teaching charts, without its other ones), or with
    the backward pass on the screen (projected) the gradient's std beside the update size (the Gradients tab's), and
    the QR code.

    The lesson fills a 1280 x 720 screen: the charts' SVG and PNG buttons are left out (the ordinary page has them;
    under the charts they fell below the screen), and the histograms write their labels in one row above each
    panel (charts.label_layout's rows=1: a second row made ReLU's panels so tall that the screen's height scaled
    their text to 10 px)."""
    with st.container(key="present_metrics"):
        metrics(page)
    colour = charts.SCHEME_COLOURS[tour.scheme_of(page.config)]
    f = page.frames()
    if projected(page.lang) == "gradients":
        backward(page, f, colour)
        return
    about = tour.story_charts(tour.step_of(page.config), page.lang)  # what the step's story points to
    branch = tour.BRANCH in about
    # the Spectrum tab's two histograms in the histograms' room, each a column of the one row, which FIT_CHARTS fits
    # to the screen's height together (in columns of their own inside it, they had kept the height they were drawn
    # at when the screen grew)
    spectrum = tour.SPECTRUM in about
    std_box, *hist_boxes, qr_box = st.columns([5, 4, 4, 2] if spectrum else [5, 8, 2])
    from .tabs.activations import LOG  # views.tabs imports this module
    std = f["stream_std" if branch else "act_std"]
    with std_box:  # linear, like the lecture's plots, unless the link or the Activations tab asks for the log scale
        std_chart(page, std, colour, page.titles()["std"], "present_std", config=PRESENT_CONFIG,
                  names=page.stream_names() if branch else page.names(),
                  log_span=charts.log_span_of([std]) if st.session_state.get(LOG) else None)
    if spectrum:
        spectra(page, hist_boxes)
    else:
        with hist_boxes[0], st.container(key="present_histograms"):
            histograms(page, f["histogram"], colour, page.titles()["hist"], page.config, config=PRESENT_CONFIG)
    with qr_box, st.container(key="present_qr"):
        show_qr(page.lang, px=QR_PRESENT_PX, words=False)  # the link itself is in the address bar


def backward(page: Page, f: dict, colour: str) -> None:
    """The backward pass on the screen: the gradient's std per layer (log axis, measured and theory) beside the update
    size std(∂L/∂W) / std(W), each in a box that FIT_CHARTS fits to the screen's height as it does
    the std chart's (where no layer has a ratio to draw, why, in its place: the tab's caption, which presenter mode's
    screen has not), and the QR code."""
    from .tabs.gradients import grad_title, half_title  # views.tabs imports this module
    from .summary import ratio_gaps
    grad_box, ratio_box, qr_box = st.columns([5, 5, 2])
    grad, layers = f["grad_std"], f["layers"]
    powers = charts.row_powers(("line", grad, {"log": True}), ("ratio", layers, {}))
    with grad_box:
        # in lines, as on the tab: whole, step 8's had been cut at its column's edge on a 1024 x 768 projector
        std_chart(page, grad, colour, half_title(grad_title(page.config, page.lang)), "present_std",
                  config=PRESENT_CONFIG, log_span=charts.log_span_of([grad]), powers=powers)
    if not (layers["grad_data_ratio"] > 0).any():  # nothing to draw (step 1's W = 0): why, in the chart's place
        with ratio_box, st.container(key="present_ratio_gaps"):
            st.markdown(f"**{' '.join(page.t('chart_ratio').split())}**")
            for sentence in ratio_gaps(page.result, page.lang, page.t("ratio_axis")):
                st.markdown(sentence)
    else:
        with ratio_box, st.container(key="present_std_ratio", height=STD_BOX_PX, border=False):
            draw("ratio", layers, name="update-ratio", width="stretch", height="stretch", files=False,
                 config=typed(PRESENT_CONFIG, BODY_PX), colour=colour, title=half_title(page.t("chart_ratio")),
                 y_title=page.t("ratio_axis"), layer_title=page.t("layer"), powers=powers)
    with qr_box, st.container(key="present_qr"):
        show_qr(page.lang, px=QR_PRESENT_PX, words=False)


def side(page: Page, f: dict, config: Config, place: str, y_max: float | None,
         log_span: tuple[float, ...] | None = None) -> None:
    """One side of two steps side by side in presenter mode (views/beside.py), under its title: its std chart on the
    shared axis (0 to y_max; with log_span, a log axis holding it) above its histograms in one untitled row
    (pair_frame), each at most as wide as the side and both in the screen's height (FIT_CHARTS), without download
    buttons. f: the side's frames (page.frames); place: "left" or "right"."""
    colour = charts.SCHEME_COLOURS[tour.scheme_of(config)]
    titles = layer_titles(config, page.lang)
    # its layer axis untitled: its title says "per layer", and the sides' height is the scarcest room
    std_chart(page, f["act_std"], colour, titles["std"], f"present_std_{place}", y_max, PAIR_CONFIG,
              layer_axis_title=False, size=PAIR_STD_TYPE, log_span=log_span)
    with st.container(key=f"present_histograms_{place}"):
        histograms(page, pair_frame(f["histogram"], config.depth), colour, "", config, PAIR_PANEL_HEIGHT,
                   PAIR_CONFIG)  # untitled: the side's title names the network, each panel its layer


def pair_frame(frame, depth: int):
    """A side's histogram panels (charts.histogram_frame's frame of a network `depth` layers deep): at most
    PAIR_PANELS of charts.panel_layers', every k-th ending at the last layer: the lecture's ten layers in two rows
    do not fit under a std chart on a 720 px screen."""
    layers = charts.panel_layers(depth)[0]
    layers = layers[::-math.ceil(len(layers) / PAIR_PANELS)][::-1]
    return frame[frame["layer"].isin(layers)]


def std_chart(page: Page, frame, colour: str, title: str | list[str], key: str, y_max: float | None = None,
              config: dict = PRESENT_CONFIG, layer_axis_title: bool = True, size: float = BODY_PX,
              names: dict[str, str] | None = None, log_span: tuple[float, ...] | None = None,
              powers: bool | None = None) -> None:
    """A std per layer, the activations' or (the backward pass, backward) the gradient's (charts.line_chart: linear,
    or with log_span a log axis holding it, as the
    Activations tab's Log scale asks; ?step=2&log=true had been drawn linear, its layers 3 to 10 flat on 0) in a box
    of its own (STD_BOX: the container `key`), laid out by Vega to the box's width and height (FIT_CHARTS sets the
    height), its text at `size` px on SCREEN and larger on a larger screen (typed), its y axis's ticks as much further
    apart (charts.y_ticks); y_max: the linear axis's end, shared with a step beside; config: Vega-Lite config merged
    over the chart's (draw.with_config); layer_axis_title as line_chart's; names: its series (line_chart's), the
    page's measured and theory unless given; powers: its log ticks' style, a row's (charts.row_powers)."""
    with st.container(key=key, height=STD_BOX_PX, border=False):
        draw("line", frame, name="activation-std", width="stretch", height="stretch", files=False,
             config=typed(config, size),
             # its title never cut (draw.whole_titles): step 9's, drawn on a 1280 x 720 screen and then shown on a
             # 1920 x 1080 one, had been cut to "Residual stream std x p…"
             colour=colour, title=title, y_title=page.t("std_axis"),
             **charts.std_axis(log_span, y_max), names=names or page.names(), layer_title=page.t("layer"),
             series_title=page.t("series"),
             layer_axis_title=layer_axis_title, size=size, text_scale=screen_scale(), powers=powers)


def histograms(page: Page, frame, colour: str, title: str, network: Config, height: int = PRESENT_PANEL[1],
               config: dict | None = None) -> None:
    """The histogram panels (charts.histogram_chart) of `network` (its depth and activation: a side beside the page's
    is another network, step 3's tanh beside step 6's ReLU) at presenter mode's width
    (present_panel) and `height` px, their text at BODY_PX and their labels in one row, without download buttons;
    scaled by the browser to their column (PRESENT_CSS), their text to CHART_TEXT_LEAST at the least (FIT_CHARTS);
    config as std_chart's. The labels are the shares alone, and no caption is on the
    screen: a line under the title says what they are (charts.label_key)."""
    width = present_panel(frame)[0]
    panels = len(charts.panel_layers(network.depth)[0])
    draw("histogram", frame, name="histograms", width="content", colour=colour, title=title,
         share_title=page.t("share"), **screen_columns(panels, fit=False), panel_width=width, panel_height=height,
         layer_title=page.t("layer"), bin_titles=[page.t("bin_start"), page.t("bin_end")], label_rows=1, files=False,
         config=config, subtitle=charts.label_key(frame, network.activation, page.lang), size=BODY_PX,
         phone=on_phone())


def spectra(page: Page, columns: Sequence) -> None:
    """The Spectrum tab's two histograms of the Jacobian's singular values (views.tabs.spectrum: this network's and its
    twin's, on one set of bins), one in each of two columns, drawn as the activation histograms are, at SPECTRUM_PLOT
    with their text at BODY_PX, and scaled by the browser to their column or to the height they get (PRESENT_CSS,
    FIT_CHARTS), each title saying how many values lie below float64's resolution, not drawn (the tab's caption
    does); where the tab computes none, what it says instead, in the first column."""
    from .tabs import spectrum as tab  # views.tabs imports this module (the Activations tab's screen_columns)
    with columns[0]:
        found = tab.measured(page)
    if found is None:
        return
    config, results = found
    bin_edges = spectrum_view.edges(*results)
    # each title with the bars' missing share, in lines of one count, so that the two plots start at one height;
    # Chinese puts no space before its full-width bracket
    titles = charts.even_titles([join(page.lang, [title, *filter(None, [spectrum_view.zeros_title(result, page.lang)])],
                                      "sentence") for title, result in zip(tab.titles(page, config), results)],
                                SPECTRUM_TITLE_WIDTH)
    for i, (column, result, title) in enumerate(zip(columns, results, titles)):
        chart, name = tab.histogram(page, result, bin_edges, title, size=BODY_PX)
        width, height = SPECTRUM_PLOT
        # at its own size, as the activation histograms: a plot of SPECTRUM_PLOT, its title, axes and legend around it
        drawn = chart.properties(width=width, height=height, autosize=alt.AutoSizeParams(type="pad"))
        with column, st.container(key=f"present_histograms_spectrum_{i}"):
            draw_chart(drawn, name=name, files=False, config=PRESENT_CONFIG, width="content")
