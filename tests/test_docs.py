"""What README.md and docs/*.md say holds: every link reaches a file that exists and, with a #fragment, a heading
of it, as GitHub names a heading's anchor; every `python -m core` command runs (or is refused where they say so);
the numbers they quote are the ones the code computes."""

from __future__ import annotations

import math
import os
import platform
import re
import shlex
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s#]*)(?:#([^)\s]*))?\)")


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading's text: a link's own text kept, lower case, everything but letters, digits,
    spaces, '-' and '_' dropped, spaces to '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """The anchors of a Markdown page's headings (outside code fences); a repeated one gets -1, -2, ..."""
    found, seen, fenced = set(), Counter(), False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        heading = None if fenced else re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading:
            name = anchor(heading.group(1))
            found.add(name if not seen[name] else f"{name}-{seen[name]}")
            seen[name] += 1
    return found


def test_anchor_is_github_s():
    assert anchor("Engine (`PYTHONPATH=DIR python benchmarks/bench_core.py --repeat 9`, DIR holding torch)") == \
        "engine-pythonpathdir-python-benchmarksbench_corepy---repeat-9-dir-holding-torch"
    assert anchor("The Jacobian's spectrum") == "the-jacobians-spectrum"
    assert anchor("[Links](app.md) and more") == "links-and-more"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_link_reaches_its_file_and_heading(page):
    text = page.read_text(encoding="utf-8")
    broken = []
    for match in LINK.finditer(text):
        target, fragment = match.groups()
        if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
            continue
        destination = (page.parent / target) if target else page
        line = text.count("\n", 0, match.start()) + 1
        if not destination.exists():
            broken.append(f"line {line}: no file {target}")
        elif fragment is not None and destination.suffix == ".md" and fragment not in anchors(destination):
            broken.append(f"line {line}: no heading #{fragment} in {destination.name}")
    assert not broken, broken


# --- the commands ----------------------------------------------------------------------------------------------------

FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
CODE = re.compile(r"`([^`]+)`")  # inline code; it may wrap to the next line
REFUSED = re.compile(r"\s+is refused\b(?:[^`.]*?:\s*`([^`]*)`)?")  # "`command` is refused, ...: `its one line`"


def is_command(code: str) -> bool:
    return re.match(r"python -m core(\s|$)", code) is not None and "..." not in code  # "...": any options


def commands() -> list[tuple[str, str, str | None]]:
    """(page, the command's arguments, the refusal the page quotes, "" for none, or None where it runs) for every
    `python -m core` command written out in inline code or on a line of a code block; "[--padding circular]" gives
    the command without and with it."""
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        written = [(line, None) for block in FENCE.finditer(text) for line in block.group(1).splitlines()
                   if is_command(line)]
        prose = FENCE.sub(lambda block: " " * len(block.group(0)), text)  # the same offsets, no code blocks
        for match in CODE.finditer(prose):
            code = " ".join(match.group(1).split())
            if is_command(code):
                refused = REFUSED.match(prose, match.end())
                written.append((code, None if refused is None else " ".join((refused.group(1) or "").split())))
        for code, refusal in written:
            bare = " ".join(re.sub(r"\[[^\]]*\]", "", code).split())
            for option in ["", *re.findall(r"\[([^\]]*)\]", code)]:
                found.append((page.name, f"{bare} {option}".removeprefix("python -m core").strip(), refusal))
    return found


def test_the_commands_are_found_with_their_options_and_refusals():
    found = {(page, arguments): refusal for page, arguments, refusal in commands()}
    conv = "--arch conv --kernel 3 --channels 32 --image 16 --batch 100"
    assert found[("README.md", conv)] is None and found[("README.md", f"{conv} --padding circular")] is None
    assert found[("theory.md", "--std 1.0 --json")] is None
    assert found[("training.md", "--depth 18 --width 2048 --batch 128 --train 300")].startswith("python -m core: error")


@pytest.mark.slow
@pytest.mark.parametrize("page, arguments, refusal", commands(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_of_the_docs_runs_or_is_refused_as_they_say(page, arguments, refusal):
    run = subprocess.run([sys.executable, "-m", "core", *shlex.split(arguments)], cwd=ROOT, capture_output=True,
                         text=True, timeout=600)
    if refusal is None:
        assert run.returncode == 0, run.stderr
    else:
        assert run.returncode == 2, run.stdout
        assert not refusal or run.stderr.strip() == refusal


def test_the_train_option_s_help_names_the_page_that_explains_training():
    from core.__main__ import build_parser
    train = next(a for a in build_parser()._actions if "--train" in a.option_strings)
    named = re.findall(r"docs/\w+\.md", train.help)
    assert named and all("`python -m core ... --train STEPS`" in (ROOT / page).read_text() for page in named)


def test_the_readme_names_the_sidebar_s_tour_as_the_sidebar_does():
    from views.locale import t
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"*{t('en', 'tour')}*" in readme and t("zh", "tour") in readme


# --- the numbers ------------------------------------------------------------------------------------------------------

# OpenBLAS's kernels the docs' figures are checked with, by the CPU flag each needs: Haswell's, which
# docs/training.md's figures come from, and Sandybridge's, which sum a product in another order
KERNEL_FLAGS = {"Haswell": "avx2", "Sandybridge": "avx"}


def runs_here(kernel: str) -> bool:
    """Whether OPENBLAS_CORETYPE=kernel can run on this machine (an x86-64 CPU with its flag)."""
    if platform.machine() not in ("x86_64", "AMD64"):
        return False
    try:
        return KERNEL_FLAGS[kernel] in Path("/proc/cpuinfo").read_text().split()
    except OSError:
        return False


def he_table_row(depth: int, seed: int = 0) -> dict[str, str]:
    """One seed's cells of docs/training.md's He et al. 2015 table, {"Xavier": "566/-/74 %", "He": ...}."""
    lines = (ROOT / "docs" / "training.md").read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if line.startswith("| depth | scheme | seed 0 |"))
    column = [cell.strip() for cell in header.split("|")].index("seed 0" if seed == 0 else str(seed))
    rows = [[cell.strip() for cell in line.split("|")] for line in lines if re.match(rf"\| {depth} \| \w+ \|", line)]
    return {row[2]: row[column] for row in rows}


def printed_with_kernels(code: str, kernel: str | None = "Haswell") -> str:
    """What `code` prints, run in a process of its own with OpenBLAS's `kernel` (None: the machine's own), as
    docs/training.md's figures were measured with Haswell's: OpenBLAS reads OPENBLAS_CORETYPE when numpy loads, and a
    race's workers inherit it."""
    env = {**os.environ, **({"OPENBLAS_CORETYPE": kernel} if kernel else {})}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=1200,
                          env=env, check=True).stdout


TRAINING = ROOT / "docs" / "training.md"
HASWELL = pytest.mark.skipif(not runs_here("Haswell"),
                             reason="docs/training.md's figures are OpenBLAS's Haswell kernels' (AVX2)")


@pytest.mark.slow
@HASWELL
def test_the_he_2015_table_s_seed_0_row_is_the_one_core_trains():
    printed = printed_with_kernels(
        "import sys; sys.path.insert(0, 'benchmarks'); from bench_train import he_cell; from core.train import "
        "he_2015\nfor depth in (22, 30):\n    for scheme, r in he_2015(depth, 0).items():\n"
        "        print(depth, scheme, he_cell(r))")
    trained = {}
    for line in printed.splitlines():
        depth, scheme, cell = line.split(" ", 2)
        trained[int(depth), scheme] = cell
    names = {"Xavier": "xavier_normal", "He": "he_normal"}
    for depth in (22, 30):
        written = he_table_row(depth)
        assert set(written) == set(names)
        assert {name: trained[depth, scheme] for name, scheme in names.items()} == written, depth


@pytest.mark.slow
@HASWELL
def test_the_learning_rate_s_reason_is_the_default_race_s_numbers():
    text = " ".join(TRAINING.read_text(encoding="utf-8").split())
    said = re.search(r"He fits it \(≤ ([\d.]+), accuracy 100 %, tanh and ReLU, both kernels\) and Xavier nearly does "
                     r"\(([\d.]+) with tanh, ([\d.]+) with ReLU, (\d+) %;", text)
    assert said
    printed = printed_with_kernels(
        "import numpy as np\nfrom core import Config\nfrom core.train import race\nfor act in ('tanh', 'relu'):\n"
        "    for s, r in race(Config(depth=10, width=100, activation=act), ('xavier_normal', 'he_normal')).items():\n"
        "        print(act, s, np.mean(r.loss[-20:]), r.final_accuracy)")  # the default race's net, lr 0.02
    runs = {(act, scheme): (float(loss), float(accuracy))
            for act, scheme, loss, accuracy in (line.split() for line in printed.splitlines())}
    for act in ("tanh", "relu"):
        assert runs[act, "he_normal"][0] <= float(said[1]) and runs[act, "he_normal"][1] == 1
        assert round(100 * runs[act, "xavier_normal"][1]) == int(said[4])
    assert as_written(runs["tanh", "xavier_normal"][0], said[2])
    assert as_written(runs["relu", "xavier_normal"][0], said[3])


@pytest.mark.slow
@HASWELL
def test_the_conv_nets_digits_figures_are_the_race_s_at_the_settings_named():
    text = " ".join(TRAINING.read_text(encoding="utf-8").split())
    number = r"([\d.,]+)"
    said = re.search(rf"on the digits He classifies {number} % of the training images and {number} % of the "
                     rf"held-out ones, Xavier has barely left ln 10 = {number} \(final loss {number}; {number} %, "
                     rf"{number} % held out\), zeros answers one digit \({number} %, {number} % held out\)", text)
    assert said and "6 layers × 16 channels, 3 × 3 kernels, 8 × 8 images, seed 0" in text and "a batch of 50" in text
    printed = printed_with_kernels(
        "from core import Config\nfrom core.train import race\n"
        "config = Config(arch='conv', depth=6, width=16, kernel=3, image=8, activation='relu', batch=50, seed=0)\n"
        "for s, r in race(config, ('zeros', 'xavier_normal', 'he_normal'), task='digits').items():\n"
        "    print(s, r.final_loss, r.final_accuracy, r.test_accuracy)")
    runs = {scheme: [float(v) for v in values] for scheme, *values in (line.split() for line in printed.splitlines())}
    he, xavier, zeros = runs["he_normal"], runs["xavier_normal"], runs["zeros"]
    assert as_written(100 * he[1], said[1]) and as_written(100 * he[2], said[2]) and as_written(math.log(10), said[3])
    assert as_written(xavier[0], said[4])
    assert as_written(100 * xavier[1], said[5]) and as_written(100 * xavier[2], said[6])
    assert as_written(100 * zeros[1], said[7]) and as_written(100 * zeros[2], said[8])


def test_every_init_the_pages_name_is_a_scheme_of_the_registry():
    from core.config import INITS
    named = {name for page in PAGES for name in re.findall(r"(?:--init |\binit=)([a-z]\w*)", page.read_text())}
    assert "delta_orthogonal" in named and named <= set(INITS), named - set(INITS)


def as_written(value: float, written: str) -> bool:
    """Whether value rounds to the number as a page writes it (−, thousands commas), to its own decimals."""
    text = written.replace("−", "-").replace(",", "")
    decimals = len(text.partition(".")[2])
    return round(value, decimals) == float(text)


def test_as_written_rounds_to_the_written_decimals():
    assert as_written(102.833, "102.8") and as_written(-0.203, "−0.20") and as_written(1234.4, "1,234")
    assert not as_written(102.87, "102.8") and not as_written(-0.203, "0.20")


@pytest.mark.slow
def test_the_digits_statistics_the_engine_page_quotes_are_the_simulation_s():
    from core import Config, simulate
    text = " ".join((ROOT / "docs" / "engine.md").read_text(encoding="utf-8").split())
    number = r"(−?[\d,.]*\d)"
    std = re.search(rf"first layer's std is {number} against the theory's {number}\.", text)
    tanh = re.search(rf"kurtosis shows what a deep net does with it: {number} at the input, {number} at layer 1, "
                     rf"{number} at layer 2 and between {number} and {number} from layer 3 on \(tanh\)", text)
    relu = re.search(rf"a He \+ ReLU net keeps it between {number} and {number} at every layer", text)
    assert std and tanh and relu
    xavier = simulate(Config(input="digits", init="xavier_normal", activation="tanh")).stats  # batch 1,000
    assert as_written(xavier["act_std"][1], std[1]) and as_written(xavier["predicted_act_std"][1], std[2])
    kurtosis = xavier["pre_kurtosis"]
    assert all(as_written(k, w) for k, w in zip(kurtosis[:3], tanh.groups()[:3], strict=True))
    assert as_written(kurtosis[3:].min(), tanh[4]) and as_written(kurtosis[3:].max(), tanh[5])
    he = simulate(Config(input="digits", init="he_normal", activation="relu")).stats["pre_kurtosis"][1:]
    assert as_written(he.min(), relu[1]) and as_written(he.max(), relu[2])
    # the input's is a mean over its pixels: a few almost blank ones make it, the median pixel's is far below
    from core import digits
    from core.network import unit_kurtosis
    blank = re.search(rf"\((\d) pixels at {number}, inked in one image of the 1,000\); "
                      rf"the median pixel's is {number}\.", text)
    each = unit_kurtosis(digits.images(1000))
    heavy = each[each > 900]
    assert blank and heavy.size == int(blank[1]) and all(as_written(k, blank[2]) for k in heavy)
    assert as_written(float(np.median(each)), blank[3])


def test_the_theory_page_quotes_the_map_s_labels_for_the_points_off_it():
    from views.theory import marks_frame
    text = " ".join((ROOT / "docs" / "theory.md").read_text(encoding="utf-8").split())
    quoted = re.findall(r'\("([^"]+ [→←↑])"', text)
    off = [row.text for row in marks_frame(500, None, None, "en").itertuples() if row.shape != "circle"]
    assert quoted and set(quoted) <= set(off), (quoted, off)


PARADOX_GROWTH = """
import numpy as np
from core import Config, simulate
grad = simulate(Config(activation="tanh", init="normal", std=1.0)).stats["grad_std"]  # the lecture's 10 x 500
growth = grad[1:-1] / grad[2:]  # layer l's gradient over layer l + 1's, toward the input
print(growth.min(), growth.max(), np.exp(np.mean(np.log(growth))))
"""


@pytest.mark.slow
def test_the_paradox_s_gradient_growth_the_theory_page_quotes_is_the_simulation_s():
    """The growth a layer as docs/theory.md writes it, as this machine's BLAS kernels compute it and as OpenBLAS's
    Haswell and Sandybridge kernels do (where they run), which sum in other orders: the page's range and mean keep
    only the digits every kernel's float32 rounding keeps, and each kernel's own range is as the page quotes it."""
    text = " ".join((ROOT / "docs" / "theory.md").read_text(encoding="utf-8").split())
    written = re.search(r"The simulation measures ([\d.]+) to ([\d.]+) a layer \(geometric mean ([\d.]+)\)", text)
    quoted = re.search(r"\(([\d.]+) to ([\d.]+) with OpenBLAS's Haswell kernels, ([\d.]+) to ([\d.]+) with its "
                       r"Sandybridge kernels\)", text)
    assert written and quoted
    ranges = {"Haswell": quoted.group(1, 2), "Sandybridge": quoted.group(3, 4)}
    runs = [(None, None), *((kernel, range_) for kernel, range_ in ranges.items() if runs_here(kernel))]
    for kernel, range_ in runs:
        low, high, mean = map(float, printed_with_kernels(PARADOX_GROWTH, kernel).split())
        assert as_written(low, written[1]) and as_written(high, written[2]) and as_written(mean, written[3]), kernel
        assert range_ is None or (as_written(low, range_[0]) and as_written(high, range_[1])), (kernel, low, high)


# --- docs/app.md: the page as it is ----------------------------------------------------------------------------------

APP = ROOT / "docs" / "app.md"
COUNT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
               "twelve")


def test_the_explorer_page_counts_the_tabs_there_are():
    from views.tabs import TABS
    said = re.search(r"^(\w+) tabs:$", APP.read_text(encoding="utf-8"), re.MULTILINE)
    assert said and COUNT_WORDS.index(said[1].lower()) == len(TABS)




def test_the_explorer_page_names_every_views_module_and_which_draw():
    from tests.test_imports import VIEW_MODULES, drawing
    text = APP.read_text(encoding="utf-8")
    table = set(re.findall(r"^\| `views/([\w/]+\.py)` \|", text, re.MULTILINE))
    pure = text[text.index("the rest\nof `views/` is pure"):]
    pure = set(re.findall(r"`([\w/]+\.py)`", pure[:pure.index("\n\n")]))
    modules = {str(path) for path in VIEW_MODULES if path.name != "__init__.py" or path.parent.name}
    drawn = {m for m in modules if drawing(Path(m))}
    assert drawn <= table, drawn - table
    assert modules - drawn - {"page.py", "tabs/__init__.py"} <= pure, modules - drawn - pure
