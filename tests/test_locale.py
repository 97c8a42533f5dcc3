"""The message catalogue: every language file complete, a new language one file, the browser's language chosen."""

from __future__ import annotations

import ast
import json
import re
import shutil
import string
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from views import locale, urlstate
from views.text import TAB_POINTER
from views import theory as theory_view
from views import training as training_view
from views.tour import STEPS
from views.locale import browser_language, catalogue, languages, t
from views.number_writing import format_share
from views.text import inserted, join

pytestmark = pytest.mark.shared_results  # pages read as a server's later sessions read them (conftest.py)

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def check_complete(lang: str) -> None:
    """The rule every locales file keeps: English's keys, no more and no fewer, each with English's placeholders."""
    english, words = catalogue("en"), catalogue(lang)
    assert sorted(set(english) - set(words)) == [] and sorted(set(words) - set(english)) == [], lang
    for key, template in words.items():
        assert template.strip(" ") or key.startswith("join_"), (lang, key)  # a separator may be a space
        assert fields(template) == fields(english[key]), (lang, key)


# ---------- every file ----------

@pytest.mark.parametrize("lang", languages())
def test_every_language_has_every_key_with_the_same_placeholders(lang):
    check_complete(lang)


# A law or a range written in a message: N(0, σ²), U(−b, b), [a, b], each two terms; $…$ formulas are KaTeX's to set
LAW = re.compile(r"[NU]\([^()\s$]+,\s[^()\s$]+\)|\[[^\[\]\s$]+,\s[^\[\]\s$]+\]")


@pytest.mark.parametrize("lang", languages())
def test_no_message_breaks_a_law_or_a_range_across_lines(lang):
    """A phone had broken step 2's title as "N(0," / "0.01²)": every law and range the catalogue writes (the step
    titles, help texts, notes, option labels, stories) holds a no-break space after its comma, as the page's own laws
    do (tests/test_init_words.py). A line may end before "N(0, 1)" but not inside it."""
    laws = [(key, law) for key, text in catalogue(lang).items() if isinstance(text, str)
            for law in LAW.findall(re.sub(r"\$[^$]*\$", "", text))]
    assert len(laws) >= 10, laws  # the help texts' N(0, σ²), U(−b, b), [a, b]; the notes' N(0, 1) gradient
    assert [(key, law) for key, law in laws if " " in law or "\n" in law] == []


# A formula's brackets in a message: a group with a formula's sign and no word, (1 + a²), (√q z), ($\sigma_w^2$ = 2)
BRACKETED = re.compile(r"[(\[（][^()\[\]（）]{0,24}[)\]）]")
FORMULA_SIGN = re.compile(r"[√σ²′χ$]")
WORD = re.compile(r"[a-z]{4,}|[\u4e00-\u9fff]")


def formula_groups(text: str) -> list[str]:
    """The bracket groups of `text` that hold a formula (a sign of one, and no word outside its $…$)."""
    return [group for group in BRACKETED.findall(text)
            if FORMULA_SIGN.search(group) and not WORD.search(re.sub(r"\$[^$]*\$", "", group))]


@pytest.mark.parametrize("lang", languages())
def test_no_message_breaks_a_formula_inside_its_brackets_or_after_a_prime(lang):
    """A phone broke the Theory tab's "E[f′(√q* z)²]" as "E[f′(√q*" / "z)²]", and "(σ_w² = 2)" before its "=": what a
    formula's brackets hold is on one line (no-break spaces), and a derivative's prime keeps its argument (a word
    joiner after it: Chromium may break between "′" and "("). Chromium breaks on either side of a KaTeX piece whatever
    character stands there (a no-break space, a word joiner): a formula with a piece in it is one piece, its brackets
    inside ("${(\\sigma_w^2 = 2)}$", braced so that KaTeX keeps it whole), and no piece is glued to a product's dot or
    a derivative's ∂ ("$\\sigma_w^2$·E[…]" had broken before its "·")."""
    texts = {key: text for key, text in catalogue(lang).items() if isinstance(text, str)}
    groups = [(key, group) for key, text in texts.items() for group in formula_groups(text)]
    assert len(groups) >= 10, groups  # (1 + a²) in the leaky derivation, (√q z) on the Theory tab, ...
    assert [(key, group) for key, group in groups if re.search(r"[ \n$]", group)] == []
    assert [(key, m.group(0)) for key, text in texts.items() for m in re.finditer(r"\S?[·∂]\$|\$[·]\S?", text)] == []
    primes = [(key, m.group(0)) for key, text in texts.items() for m in re.finditer(r"′\W?\(", text)]
    assert len(primes) >= 10 and [(key, prime) for key, prime in primes if prime != "′\u2060("] == []
    assert formula_groups("E[f′(√q z)²] (the Gradients tab) ($\\sigma_w^2$ = 2)") == ["(√q z)", "($\\sigma_w^2$ = 2)"]


@pytest.mark.parametrize("lang", [code for code in languages() if code.startswith("zh")])
def test_chinese_punctuation_is_full_width(lang):
    """Next to a Chinese character a comma, colon, semicolon, question or exclamation mark is the full-width one
    (，：；？！), a full stop after one is 。, and brackets around Chinese words are （）, as a Chinese text writes
    them; a ratio is written with the ratio sign ∶ (更新量∶参数), never a colon. Placeholders ({...}) and a formula's
    own brackets (N(0, σ²), √(v + ε)) are not punctuation."""
    han = r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]"
    wrong = {}
    for key, value in catalogue(lang).items():
        text = re.sub(r"\{[^{}]*\}", "{}", value)
        found = re.findall(rf"{han} ?[,:;?!.]|[,:;?!] ?{han}", text) + re.findall(rf"\([^()]*{han}[^()]*\)", text)
        if found:
            wrong[key] = found
    assert wrong == {}


# a formula's "std(...)" or a LaTeX or code span is notation; the word "std" anywhere else is English prose
PROSE_STD = re.compile(r"(?<![A-Za-z_\\])std(?![A-Za-z_(])")


def prose(template: str) -> str:
    """A message without what is not prose: its placeholders ({grad_std}), LaTeX ($\\sigma$, $$...$$) and code spans."""
    return re.sub(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|\{[^{}]*\}", " ", template, flags=re.DOTALL)


@pytest.mark.parametrize("lang", [code for code in languages() if code.startswith("zh")])
def test_chinese_prose_says_standard_deviation_in_chinese(lang):
    """The conv sentences (step 11, the conv net's Custom page) said "预激活值的 std 为" and "它们的 std 从", the normal
    option "N(0, std²)" (its control is 权重标准差 σ): Chinese prose writes the standard deviation 标准差; "std" stays
    in formulas (std(∂L/∂W) / std(W)) and code (torch's argument `std`)."""
    assert not PROSE_STD.search(prose("`std`、$std$、{std} 和 std(W)")) and PROSE_STD.search(prose("它的 std 为"))
    wrong = {key: text for key, text in catalogue(lang).items() if PROSE_STD.search(prose(text))}
    assert wrong == {}

@pytest.mark.parametrize("lang", [code for code in languages() if code.startswith("zh")])
def test_chinese_says_what_a_change_becomes_in_bei(lang):
    """A quantity that becomes a multiple of what it was is "变为（原来的）N 倍" in Chinese: the Spectrum tab had read
    "变为原来的 ×2.94 × 10⁻⁷", and the Theory tab "变为 ×{measured}"; "×N" stays where a number is a factor on its
    own ("每层放大 ×{factor}")."""
    assert WRONG_BEI.search("变为原来的 ×{root}") and WRONG_BEI.search("变为 ×0.5")
    assert not WRONG_BEI.search("变为 {r} 倍")
    assert {key: text for key, text in catalogue(lang).items() if WRONG_BEI.search(text)} == {}


WRONG_BEI = re.compile(r"(变为|原来的)\s*×")


def test_english_punctuation_follows_the_word():
    """In English no space comes before a comma, colon, semicolon, question or exclamation mark or a full stop
    ("update:data", never "update : data"); a number's decimal point (".5") and an ellipsis are no full stop."""
    wrong = {key: found for key, value in catalogue("en").items()
             if (found := re.findall(r"\S\s+[,:;?!]|\S\s+\.(?![\d.])", re.sub(r"\{[^{}]*\}", "{}", value)))}
    assert wrong == {}


def test_no_english_number_follows_a_number_and_a_comma():
    """"far above 1, {mean_squared}" read "far above 1, 996" as one thousand nine hundred and ninety-six: the page
    writes thousands with commas, so no English message puts a number right after a number and a comma ("at layer 1,
    {last}" is "at layer 1 and {last}"). Chinese sets such a number apart in brackets."""
    wrong = {key: found for key, value in catalogue("en").items() if (found := re.findall(r"\d, \{\w+", value))}
    assert wrong == {}


def test_chinese_names_the_options_as_a_chinese_textbook_does():
    """Scheme and option names in Chinese words (Xavier, He and LeCun stay names: "Xavier 正态", "He 均匀"); a race
    of schemes is a teacher's 对比训练, never a contest's 比赛."""
    zh, en = catalogue("zh"), catalogue("en")
    options = [key for key in en if key.startswith("options.")]
    assert options and all(re.search(r"[\u4e00-\u9fff]", zh[key]) for key in options), options
    assert [zh[f"options.init_{name}"] for name in ("zeros", "orthogonal", "xavier_normal", "he_uniform")] == [
        "全零", "正交", "Xavier 正态", "He 均匀"]
    assert [zh[f"schemes.name_{name}"] for name in ("zeros", "orthogonal", "xavier_normal")] == [
        "全零", "正交", "Xavier"]
    assert [key for key, text in zh.items() if "比赛" in text or "参赛" in text] == []
    assert "对比训练" in zh["training_tab.he_run"]


def test_chinese_calls_the_metrics_row_above_the_charts_its_metrics():
    """Where English speaks of the headline's numbers (the metrics row over the charts), Chinese says 上方指标: steps 8
    and 9 had 标题数字, "the title's number", which a reader looks for in a chart's title."""
    zh, en = catalogue("zh"), catalogue("en")
    headline = [key for key, text in en.items() if "the headline's" in text]
    assert {"story_8", "story_9"} <= set(headline)
    assert [key for key in headline if "上方指标" not in zh[key]] == []
    assert [key for key, text in zh.items() if "标题数字" in text] == []


def test_the_languages_are_the_files_english_first():
    assert languages()[0] == "en"
    assert set(languages()) == {path.stem for path in (ROOT / "locales").glob("*.toml")}
    assert {"en", "zh"} <= set(languages())
    assert len({t(code, "language_name") for code in languages()}) == len(languages())  # each its own name


def test_a_lists_words_are_the_languages_own():
    assert join("en", ["a", "b", "c"]) == "a, b and c" and join("zh", ["a", "b", "c"]) == "a、b 和 c"
    assert join("zh", ["a", "b"], "clause") == "a；b"


def test_a_chinese_list_spaces_a_bold_or_code_latin_word_outside_its_marks():
    """A link's notice listed "…（该步为 10）和**input** 设为 digits": the list's 和 meets a bold Latin word as it meets
    a plain one, with a space outside the marks; a Chinese value after 该步为 takes none ("该步为等宽")."""
    assert join("zh", ["**depth** 设为 3", "**input** 设为 digits"]) == "**depth** 设为 3 和 **input** 设为 digits"
    assert join("zh", ["`a`", "`b`", "全零"]) == "`a`、`b` 和全零" and join("zh", ["全零", "`b`"]) == "全零和 `b`"
    assert locale.spaced(["的**", "init**"]) == "的**init**"  # an opening mark at a piece's end: its word follows
    empty = t("zh", "options.widths_constant")
    assert t("zh", "url_step_change", name="widths", value="784-512", step_value=empty) == \
        f"**widths** 设为 784-512（该步为{empty}）"
    assert t("zh", "url_step_change", name="input", value="digits", step_value="normal") == \
        "**input** 设为 digits（该步为 normal）"


def test_a_code_span_meets_chinese_with_a_space_whatever_it_holds():
    """A link's refusal named its marks "下划线 `_`或逗号 `,`": a code span is set apart as a Latin word is, though its
    glyph is no letter (locale.CODE), on either side, in every list of the marks a link's number may carry."""
    from views.urlstate import MARKS

    named = [t("zh", f"mark_{name}") for name, _, _ in MARKS.values()]  # "逗号 `,`", and the spaces' words
    for first in named:
        for second in named:
            said = join("zh", [first, second], "or")
            assert said == first + (" 或" if first.endswith("`") else "或") + second, said
            assert not re.search(rf"{locale.HAN}`|`{locale.HAN}", said), said
    assert join("zh", ["全零", "`,`"]) == "全零和 `,`" and join("zh", ["`_`", "全零"]) == "`_` 和全零"
    assert locale.spaced(["于", "**`x`**"]) == "于 **`x`**" and locale.spaced(["**`x`**", "于"]) == "**`x`** 于"
    # a field filled inside a span: its backticks are the span's own, no space inside it
    assert locale.spaced(["参数 `", "正态", "` 只接受"]) == "参数 `正态` 只接受"


# 和N, 3层, N(0, 1)和: no space between (a word's closing brackets and raised marks are the word's, locale.CLOSING)
TIGHT = re.compile(rf"{locale.HAN}{locale.LATIN}|{locale.LATIN}[{re.escape(locale.CLOSING)}]*{locale.HAN}")


def test_a_chinese_list_spaces_its_chinese_and_latin_words_apart():
    """Every list of the registry's schemes and of the races' schemes, as Chinese joins them: a space wherever
    a Chinese character meets a Latin letter or a digit ("全零和 N(0, 0.01²)"), as the zh messages write it
    ("Xavier 正态"), and none beside the list's own 、 (N(0, 1)、全零)."""
    from itertools import permutations

    from core.schemes import REGISTRY
    from core.train import SCHEMES
    from views.charts import scheme_name

    for names in ([t("zh", f"options.init_{name}") for name in REGISTRY], [scheme_name(s, "zh") for s in SCHEMES]):
        for pair in permutations(names, 2):
            for items in (list(pair), [*pair, names[0]]):
                joined = join("zh", items)
                assert not TIGHT.search(joined), joined
                assert joined.replace(" ", "") == "、".join(items[:-1]).replace(" ", "") + "和" + items[-1].replace(
                    " ", "")  # nothing but spaces added
    assert join("zh", ["全零", "N(0, 0.01²)"]) == "全零和 N(0, 0.01²)"
    assert join("zh", ["N(0, 1)", "全零", "He"]) == "N(0, 1)、全零和 He"
    # after a closing bracket or a raised mark as after a letter: "N(0, 0.01²)和 He" lacked it
    assert join("zh", ["N(0, 0.01²)", "He"]) == "N(0, 0.01²) 和 He"
    assert join("zh", ["He", "N(0, 1)", "正态分布 N(0, σ²)"]) == "He、N(0, 1) 和正态分布 N(0, σ²)"
    assert join("zh", ["Var(w)²", "全零"]) == "Var(w)² 和全零" and locale.spaced(["增益²", "除以"]) == "增益²除以"
    assert TIGHT.search("N(0, 0.01²)和") and TIGHT.search("U(−b, b)的") and not TIGHT.search("正交（卷积）和")


@pytest.mark.parametrize("value", [-2.0, 2.0, -0.5, -1e-7])
def test_a_negative_number_after_chinese_takes_the_space_its_digits_would(value):
    """"保持为-2" stood beside "保持为 2": a number's minus sign opens it as its first digit would
    (locale.SIGNS), in a filled-in message and in a list."""
    written = urlstate.shown_value(value)
    said = t("zh", "url_ignored", name="trunc_a", raw="`x`", why="…", used=written)
    assert said.endswith(f"这一项保持为 {written}。"), said
    assert join("zh", ["全零", written]) == f"全零和 {written}"
    for sign in locale.SIGNS:
        assert locale.spaced(["和", f"{sign}0.97"]) == f"和 {sign}0.97" and locale.spaced(["和", sign]) == f"和{sign}"


# The messages the page places inside another sentence through text.inserted: the Compare tab's notes on a scheme
# ("N(0, 0.01²): values underflowed ..."), a break (summary.break_message) and a refusal (summary.refusal)
INSERTED = ("break_overflow", "break_underflow", "work", "work_width", "work_conv", "work_width_conv", "memory",
            "memory_conv", "memory_conv_digits")


def test_a_message_inserted_mid_sentence_starts_as_its_place_requires():
    """"N(0, 0.01²): Values underflowed to zero ..." kept its capital after the colon. Each message the page inserts
    starts, in English, with an ordinary word that inserted() writes in lower case; in Chinese with its own words,
    kept as they are; a symbol or a name with more capitals than its first is never lowered."""
    for key in INSERTED:
        en = catalogue("en")[key].lstrip()
        assert inserted(en) == en[0].lower() + en[1:] and en.split()[0].lower() in ("values", "this"), key
        zh = catalogue("zh")[key].lstrip()
        assert inserted(zh) == zh and not re.match(r"[A-Za-z]", zh), key
    assert inserted("Values overflowed float32") == "values overflowed float32"
    assert [inserted(text) for text in ("ReLU's slope", "J has", "N(0, 1) is", "σ_w²")] == [
        "ReLU's slope", "J has", "N(0, 1) is", "σ_w²"]
    assert t("en", "compare_scheme_note", scheme="He", note="x") == "He: x"
    assert t("zh", "compare_scheme_note", scheme="He", note="数值") == "He：数值"  # Chinese's own colon


# a Chinese character against a Latin word in bold or code, its marks between: "和**input**" (an opening mark
# stays with its word: "和 **input**"); "**Xavier**正态" the other way round
TIGHT_MARKED = re.compile(rf"{locale.HAN}[*`]+{locale.LATIN}|{locale.LATIN}[*`]+{locale.HAN}")


@pytest.mark.parametrize("value", ["Xavier", 3, "全零", "**Xavier**", "`Xavier`", "N(0, 0.01²)"])
def test_a_filled_in_chinese_message_spaces_a_latin_value_from_its_chinese_words(value):
    """Every zh message, each placeholder filled with a Latin word, a number or a Chinese word, plain, bold or as
    code: the filled message has a space wherever a Chinese character meets a Latin letter or a digit, Markdown's
    marks kept with the Latin word, as its own words have ("参数 **{name}** 的值")."""
    for key, template in catalogue("zh").items():
        names = fields(template)
        if names:
            try:
                filled = t("zh", key, **dict.fromkeys(names, value))
            except (ValueError, TypeError, KeyError):  # a number's format ({need:,.0f}) takes no word; LaTeX braces
                continue
            assert not TIGHT.search(filled) and not TIGHT_MARKED.search(filled), (key, filled)
    assert [key for key, template in catalogue("zh").items() if TIGHT.search(template)] == []  # nor its own words


@pytest.mark.parametrize("lang", languages())
def test_the_he_race_sentence_joins_its_runs_as_the_language_does(lang):
    """What the He et al. 2015 panel measured, one clause per run, separated as the language separates clauses."""
    from types import SimpleNamespace

    import numpy as np

    flat = np.full(50, np.log(3))  # on the ln K plateau all along
    falling = np.log(3) * np.linspace(1.0, 0.2, 50)
    runs = {name: SimpleNamespace(loss=loss, steps=50, classes=3, diverged_at=None, final_accuracy=0.4)
            for name, loss in (("xavier_normal", flat), ("he_normal", falling))}
    said = training_view.he_measured(runs, lang, 30)
    stalled = t(lang, "training_tab.he_stalled", scheme=t(lang, "schemes.name_xavier_normal"), steps=50,
                accuracy=t(lang, "training_tab.he_stalled_accuracy", accuracy="40\u00a0%", chance="33.3\u00a0%"))
    assert f"{stalled}{t(lang, 'join_clause')}{t(lang, 'schemes.name_he_normal')}" in said  # by name, not code


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("accuracy, classes, above", [(0.40, 3, False), (0.42, 3, True), (0.644, 3, True),
                                                      (0.12, 10, False), (0.2, 10, True)])
def test_a_run_on_the_plateau_well_above_chance_says_how_both_can_be(lang, accuracy, classes, above):
    """A run whose loss stays on ln K but whose accuracy is ABOVE_CHANCE times chance's or more is said with why the
    two agree (class scores nearly equal, the right one ahead): "stayed on the ln K plateau ..., ending at 64.4 %
    accuracy" read as a contradiction. Nearer chance, the accuracy alone."""
    from types import SimpleNamespace

    import numpy as np

    run = SimpleNamespace(loss=np.full(50, np.log(classes)), steps=50, classes=classes, diverged_at=None,
                          final_accuracy=accuracy)
    said = training_view.run_progress("xavier_normal", run, lang)
    numbers = dict(accuracy=format_share(accuracy), chance=format_share(1 / classes))
    expected = t(lang, "training_tab.he_stalled_above" if above else "training_tab.he_stalled_accuracy", **numbers)
    assert said == t(lang, "training_tab.he_stalled", scheme=t(lang, "schemes.name_xavier_normal"), steps=50,
                     accuracy=expected)
    assert (accuracy >= training_view.ABOVE_CHANCE / classes) == above


def read_names(source: str) -> tuple[set[str], list[str]]:
    """The strings a module's code holds (docstrings left out) and the f-strings' shapes as regular expressions."""
    constants, patterns = set(), []
    tree = ast.parse(source)
    docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    inside_fstrings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            literal = [part.value for part in node.values if isinstance(part, ast.Constant)]
            # a key's fixed part: "step_", "_why", "training_tab.stat_"; a table's name alone ("theory_tab.") is none
            if any(re.fullmatch(r"(?:[a-z_]+\.)?[a-z_]{2,}", part) for part in literal):
                patterns.append("".join(re.escape(part.value) if isinstance(part, ast.Constant) else ".+"
                                        for part in node.values))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings | \
                inside_fstrings:
            constants.add(node.value)
    return constants, patterns


@pytest.mark.slow
def test_every_message_is_read_by_the_code():
    """A key counts as read when the app, a view module or a core registry names it whole ("training_tab.intro", as
    t() reads it), or when an f-string that builds keys fits it ("step_{code}", "training_tab.stat_{statistic}").
    A coarse net: a key that is also some other string of the code passes; one named nowhere, or only by its name
    inside its table ("intro"), fails."""
    constants, patterns = set(), []
    # core's registries name their records' keys (core/schemes.py's formula_key), never a message
    code = [ROOT / "streamlit_app.py", *sorted((ROOT / "views").rglob("*.py")), *sorted((ROOT / "core").glob("*.py"))]
    for path in code:
        found, shapes = read_names(path.read_text(encoding="utf-8"))
        constants |= found
        patterns += shapes
    # the net catches something, a tab's keys too
    assert {"app_title", "training_tab.worker_crashed", "theory_tab.colour_xi"} <= constants
    assert {"step_.+", r"training_tab\.stat_.+"} <= set(patterns)
    unread = [key for key in catalogue("en")
              if key not in constants and not any(re.fullmatch(p, key) for p in patterns)]
    assert unread == []


def legacy_reads(source: str) -> list[str]:
    """Where a module reads a message other than as t(lang, key, **values): a call of catalogue(), a mapping of
    messages (a name TEXT), or .format() on a message taken out of a mapping or out of t() (words["x"].format)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and node.id in ("TEXT", "Section", "Sections", "catalogue"):
            found.append(f"line {node.lineno}: {node.id}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            owner = node.func.value
            if isinstance(owner, ast.Subscript) or (isinstance(owner, ast.Call)
                                                    and getattr(owner.func, "id", "") == "t"):
                found.append(f"line {node.lineno}: .format() on a message")
    return sorted(found)


@pytest.mark.slow
def test_every_message_is_read_through_t():
    """One access style: the app, the views and the benchmarks read every message as t(lang, "key", **values)
    (views/locale.py, which defines it, and views/text.py, which re-exports it, aside)."""
    assert legacy_reads('words = TEXT[lang]\nwords["run"].format(n=1)\nt(lang, "x").format(n=1)') == [
        "line 1: TEXT", "line 2: .format() on a message", "line 3: .format() on a message"]  # the net catches them
    paths = [ROOT / "streamlit_app.py", *sorted((ROOT / "views").rglob("*.py")),
             *sorted((ROOT / "benchmarks").glob("*.py"))]
    found = {path.relative_to(ROOT).as_posix(): legacy_reads(path.read_text(encoding="utf-8")) for path in paths
             if path.name not in ("locale.py", "text.py")}
    assert {path: where for path, where in found.items() if where} == {}


# ---------- a new language is one file ----------

def shouted(template: str) -> str:
    """A message in the made-up language "xx": English upper-cased, its placeholders kept as they are."""
    out = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        out.append(literal.upper().replace("{", "{{").replace("}", "}}"))
        if name is not None:
            out.append("{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
    return "".join(out)


@pytest.fixture
def with_xx(tmp_path, monkeypatch):
    """The real locales, and locales/xx.toml written from English: what a contributor adding a language adds."""
    for path in (ROOT / "locales").glob("*.toml"):
        shutil.copy(path, tmp_path / path.name)
    lines = ["# a made-up language: English upper-cased"]
    for key, template in catalogue("en").items():
        value = "XX" if key == "language_name" else shouted(template)
        lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")  # JSON's escapes are TOML's too
    (tmp_path / "xx.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(locale, "LOCALES", tmp_path)
    return tmp_path


def test_a_third_language_is_one_file(with_xx):
    assert languages() == ("en", "xx", "zh")
    check_complete("xx")
    assert t("xx", "language_name") == "XX"
    assert t("xx", "step_heading", n=2, steps=7, title="T") == "STEP 2 OF 7 · T"
    assert t("xx", "url_more", count=12345) == "12,345 MORE"  # a placeholder's format is kept
    assert join("xx", ["a", "b", "c"]) == "a, b AND c"
    assert t("xx", "training_tab.run") == "RUN" and training_view.duration(30, "xx") == "30 S"
    # a tab's chart reads the page's words and its own from the same file
    series = theory_view.gradient_frame([1.0, 0.5], [1.0, 0.5], None, "xx")["series"]
    assert set(series) == {"MEASURED", "THEORY, LAYER BY LAYER"}
    assert browser_language("xx-YY") == "xx"
    assert t("zh", "tab_data") == "数据"  # the other languages are as they were


def test_a_language_lacking_a_key_falls_back_to_english(with_xx):
    text = (with_xx / "xx.toml").read_text(encoding="utf-8")
    (with_xx / "xx.toml").write_text(re.sub(r"(?m)^tour = .*\n", "", text), encoding="utf-8")
    locale._catalogues.cache_clear()
    assert t("xx", "tour") == t("en", "tour") and t("xx", "tour_help") == shouted(t("en", "tour_help"))
    with pytest.raises(AssertionError):
        check_complete("xx")  # and the completeness test names it


# ---------- the browser's language ----------

@pytest.mark.parametrize("tag, lang", [
    ("zh-CN", "zh"), ("zh-TW", "zh"), ("zh", "zh"), ("ZH_hk", "zh"), ("en-US", "en"), ("en", "en"),
    ("fr", "en"), ("fr-CA", "en"), (None, "en"), ("", "en"), ("z", "en"), ("zhx", "en"),
])
def test_the_browsers_language_opens_the_page_when_the_link_does_not_say(tag, lang):
    """The tag's primary language subtag picks a language there is a file of; anything else is English."""
    assert browser_language(tag, ("en", "zh")) == lang


def test_a_link_leaves_out_the_browsers_language_and_names_any_other():
    from views import urlstate

    tabs = ("activations", "gradients")
    for browser, other in (("zh", "en"), ("en", "zh")):
        state, problems = urlstate.normalize({}, tabs, browser)
        assert state["lang"] == browser and problems == [] and urlstate.is_canonical({}, state, tabs, browser)
        assert urlstate.to_query(state, tabs, browser) == {}
        state, _ = urlstate.normalize({"lang": other}, tabs, browser)
        assert state["lang"] == other and urlstate.to_query(state, tabs, browser) == {"lang": other}
        assert not urlstate.is_canonical({}, {**state, "lang": other}, tabs, browser)


def open_app(query: dict, browser: str | None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.context["locale"] = browser
    at.query_params.update(query)
    return at.run()


@pytest.fixture
def rewrites(monkeypatch) -> list[int]:
    """How often the app rewrote the address and started again (check_link's st.rerun)."""
    import streamlit

    calls, rerun = [], streamlit.rerun

    def counted(*args, **kwargs):
        calls.append(1)
        return rerun(*args, **kwargs)

    monkeypatch.setattr(streamlit, "rerun", counted)
    return calls


@pytest.mark.slow
@pytest.mark.parametrize("browser, lang", [("zh-CN", "zh"), ("zh-TW", "zh"), ("en-US", "en"), ("fr-FR", "en"),
                                           (None, "en")])
def test_a_bare_link_opens_in_the_browsers_language_and_stays_bare(rewrites, browser, lang):
    at = open_app({}, browser)
    assert not at.exception and not at.warning, [w.value for w in at.warning]
    assert rewrites == []  # the bare address is already the page's canonical link
    assert at.radio(key="lang").value == lang
    assert at.title[0].value == t(lang, "step_heading", n=1, steps=len(STEPS), title=t(lang, "step_1"))
    assert at.session_state["tab"] == t(lang, "tab_activations")
    assert dict(at.query_params) == {}  # the address is not rewritten: lang= is left out for the default


@pytest.mark.slow
def test_a_link_that_names_its_language_wins_over_the_browser():
    at = open_app({"lang": "en"}, "zh-CN")
    assert not at.exception and at.radio(key="lang").value == "en"
    assert at.title[0].value.startswith(f"Step 1 of {len(STEPS)}")
    assert at.query_params["lang"] == "en"  # kept: without it a Chinese browser would open Chinese
    at = open_app({"lang": "zh"}, "en-US")
    assert at.radio(key="lang").value == "zh" and at.query_params["lang"] == "zh"


# Pages that between them show every select widget of the app: the sidebar's conditional ones (a conv net's padding,
# a residual stream's branch scale, a truncated normal's and a variance-scaling scheme's), Beside, and the Compare and
# Training tabs' choices
SELECT_PAGES = ("step=custom&arch=conv", "step=2&tab=compare", "step=8&tab=training",
                "step=custom&init=variance_scaling&beside=2", "step=custom&init=trunc_normal")


@pytest.mark.slow
def test_every_select_widget_that_names_its_options_in_the_language_is_set_again_on_a_switch():
    """A select widget sends back the name it shows: one whose option names change with the language must be in
    views.sidebar.NAMED, which a language switch sets again (the old language's name had crashed the next run)."""
    from views.sidebar import NAMED

    shown = {}  # key -> {lang: its options' names}
    for query in SELECT_PAGES:
        for lang in ("en", "zh"):
            at = AppTest.from_file(APP, default_timeout=60)
            for name, value in [pair.split("=") for pair in f"{query}&lang={lang}".split("&")]:
                at.query_params[name] = value
            at.run()
            assert not at.exception, (query, lang)
            for widget in [*at.selectbox, *at.radio, *at.multiselect]:
                if widget.key is not None:
                    shown.setdefault(widget.key, {})[lang] = list(widget.options)
    named = {key for key, names in shown.items() if len(names) == 2 and names["en"] != names["zh"]}
    assert {"widths", "init", "compare", "train", "padding", "branch_scale", "beside"} <= named  # the pages showed them
    assert named - {"lang", "tab"} <= set(NAMED), named - set(NAMED)


def test_an_activation_s_name_opening_an_english_sentence_takes_a_capital():
    """Every English message that opens with an activation's name, for every activation: "Leaky ReLU keeps ...",
    "Sigmoid ...", "Linear (identity) ...", not "leaky ReLU keeps ..." at the start of a note; tanh keeps the lower
    case of a mathematical function. Chinese writes the names as they are."""
    from core.config import ACTIVATIONS
    opening = [key for key, template in locale.catalogue("en").items() if template.startswith("{activation}")]
    assert len(opening) >= 5
    for key in opening:
        fields = {field for _, field, _, _ in string.Formatter().parse(locale.catalogue("en")[key]) if field}
        for code in ACTIVATIONS:
            name = locale.t("en", f"act_{code}")
            text = locale.t("en", key, **{field: 1 for field in fields} | {"activation": name})
            assert text.startswith(name if code == "tanh" else name[0].upper() + name[1:]), (key, text)
            assert text[0].isupper() or code == "tanh", (key, text)
        zh = locale.catalogue("zh").get(key, "")
        if zh.startswith("{activation}"):
            assert locale.t("zh", key, **{field: 1 for field in fields} | {"activation": "leaky ReLU"}).startswith(
                "leaky ReLU")


def test_the_derivation_s_here_is_one_word_in_chinese():
    """The Derivation's "Here:" before this network's numbers read "当前：" at step 3 and "这里：" at step 8's
    residual stream: every message the English starts with "Here" starts with 当前 in Chinese."""
    en, zh = locale.catalogue("en"), locale.catalogue("zh")
    here = [key for key, text in en.items() if re.match(r"Here[:,]", text.strip())]
    assert len(here) >= 10
    assert [key for key in here if not zh[key].strip().startswith("当前")] == []


@pytest.mark.parametrize("lang", locale.languages())
def test_no_pointer_to_a_tab_holds_a_whole_sentence(lang):
    """Presenter mode leaves a message's pointers to tabs out (text.TAB_POINTER), so a pointer is a phrase about
    where to look, never a sentence of the lesson: step 3's "The lecture says these gradients will be all zero; …
    they grow instead." had been one, and the projected story lost it, the one place it corrects the lecture."""
    whole = {key: found for key, template in locale.catalogue(lang).items()
             for _, found in TAB_POINTER.findall(template)
             if re.search(r"[.。!?！？]\s*$", found) or re.match(r"\s*[A-Z]", found)}
    assert whole == {}


# Messages whose fractions Vega draws (chart titles, laid out in lines by the page) or a table heads: no browser
# line breaking there
NOT_RUNNING_TEXT = ("chart_ratio", "column_weight_grad_std", "column_grad_data_ratio", "theory_tab.gradient_title_bn")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_fraction_of_running_text_breaks_after_its_slash(lang):
    """A browser may break a line after "/" before a letter (Unicode's line breaking, class SY): step 2's story had
    ended a line on "∂L/" and begun the next on "∂s / B". In every message of running text a fraction's slash is
    held to its denominator by a word joiner (U+2060, invisible; no break either side)."""
    loose = {key: re.findall(r"\S*/∂\S*", text) for key, text in locale.catalogue(lang).items()
             if key not in NOT_RUNNING_TEXT and re.search("/∂", text)}
    assert loose == {}
    assert sum(text.count("/\u2060∂") for text in locale.catalogue(lang).values()) >= 19

