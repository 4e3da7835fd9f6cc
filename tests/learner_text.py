"""What a learner reads, measured: paragraph length, numbers per sentence, remarks that belong to teachers, and
the time a page really takes.

The rules (the developers' guide's "A learner can follow it"):

- a paragraph of learner text holds at most ``MAX_WORDS`` words (a list item counts as its own paragraph);
- a sentence states at most ``MAX_NUMBERS`` numbers (tables, display maths, code and folded ``<details>`` blocks
  hold the rest);
- remarks about tests, asserts or the machines the course was checked on stay out of the learner's text (a folded
  "For teachers" block or docs/teaching.md holds them);
- the time a notebook states in its first cell ("*About N minutes.*") is at least what ``estimate_minutes`` gives
  and at most ``SLACK`` minutes more.

The time model, stated once: reading at ``WORDS_PER_MINUTE`` words a minute (every word of the markdown, folded
answers included), plus ``PER_CODE_CELL`` minute for each code cell (run it, read its output), ``PER_EXPLORER``
minutes for each live explorer (predict, move the sliders, check) and ``PER_EXERCISE`` minutes for each exercise
(each heading that names one, whether it asks for code or for pencil and paper).

Run it on notebooks to see what is left to fix:  python tests/learner_text.py notebooks/03_*.ipynb
"""

import json
import math
import re
import sys
from dataclasses import dataclass

MAX_WORDS = 80
MAX_NUMBERS = 3
WORDS_PER_MINUTE = 130
PER_CODE_CELL = 1
PER_EXPLORER = 3
PER_EXERCISE = 5
SLACK = 10  # a stated time may round up, but not by more than this

# phrases that speak to developers or teachers, not to the learner
TEACHER_TALK = re.compile(
    r"\bassert(?:s|ed|ion)?\b|\btest suite\b|\bpytest\b|\bnbval\b|\btests/|\bCI\b"
    r"|\bevery machine\b|\bmachines? we tried\b|\bon (?:this|the) machine that\b",
    re.I,
)
EXPLORER_CALL = re.compile(r"^\s*\w*Explorer\(", re.M)
EXERCISE_HEADING = re.compile(r"^#+[^\n]*\bexercise\b", re.M | re.I)  # "## Exercise 1", "## 7. Exercise: ..."
STATED_TIME = re.compile(r"\*About (\d+) minutes?\.?\*")


@dataclass(frozen=True)
class Problem:
    cell: int
    kind: str  # "long paragraph", "numbers", "teacher talk", "time"
    detail: str

    def __str__(self):
        return f"cell {self.cell}: {self.kind}: {self.detail}"


def _source(cell):
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def learner_prose(markdown):
    """The markdown a learner reads in the open: without folded <details> blocks, display maths, code blocks,
    HTML comments and tables."""
    text = re.sub(r"<details>.*?</details>", "\n\n", markdown, flags=re.S)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"\$\$.*?\$\$", " X ", text, flags=re.S)
    text = re.sub(r"```.*?```", "\n\n", text, flags=re.S)
    text = "\n".join(line for line in text.split("\n") if not line.lstrip().startswith("|"))
    return text


def paragraphs(markdown):
    """Paragraphs of learner prose: blank-line separated blocks, each list item on its own; headings dropped."""
    out = []
    for block in re.split(r"\n\s*\n", learner_prose(markdown)):
        for item in re.split(r"\n(?=\s*(?:[-*+]|\d+\.)\s)", block):
            item = item.strip()
            if item and not item.startswith("#"):
                out.append(item)
    return out


def _plain(text):
    """Prose for counting: inline maths' sub- and superscripts dropped (h_{t-1} is a name, not a number), code
    spans and link targets dropped, references to notebooks, sections and exercises dropped."""
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"`[^`]*`", " code ", text)
    text = re.sub(r"<[^>]+>", " ", text)

    def maths(m):
        # in inline maths a number counts when it is a value: the whole expression ($10^{-26}$, $0.73$) or what
        # follows a relation ($b_f = 3$, $f \approx 0.95$); the constants of a formula ($1/(1-f)$) do not
        inner = m.group(1).strip()
        if re.fullmatch(r"[-−]?[\d.,]+(?:\s*(?:\\times|×)\s*10\^\{?[-−]?\d+\}?)?|10\^\{?[-−]?\d+\}?", inner):
            return " " + re.sub(r"\^\{?[-−]?\d+\}?", "", inner) + " "
        values = re.findall(r"(?:=|\\approx|≈|<|>|\\le|\\ge|\\leq|\\geq)\s*([-−]?\d+(?:\.\d+)?)", inner)
        return " " + " ".join(["X"] + values) + " "

    text = re.sub(r"\$([^$]+)\$", maths, text)
    text = re.sub(
        r"(?:notebooks?|§|section|exercises?|questions?|cell)\s*\d+(?:\s*(?:,|and|or|–|-)\s*\d+)*",
        " ",
        text,
        flags=re.I,
    )
    text = re.sub(r"\b\d\d\s*·", " ", text)
    return text


def words(text):
    return len(_plain(text).split())


NUMBER = re.compile(r"(?<![\w.])[-−]?\d+(?:[.,]\d+)*(?:\s*(?:\\times|×)\s*10\^?\{?[-−]?\d+\}?)?")


def sentences(text):
    return [s for s in re.split(r"(?<=[.!?;:])\s+(?=[A-Z$(*\"“])", " ".join(text.split())) if s.strip()]


def numbers_in(sentence):
    return NUMBER.findall(_plain(sentence))


def check_cell(k, markdown):
    problems = []
    for para in paragraphs(markdown):
        n = words(para)
        if n > MAX_WORDS:
            problems.append(Problem(k, "long paragraph", f"{n} words: {para[:70]!r}..."))
        for s in sentences(para):
            found = numbers_in(s)
            if len(found) > MAX_NUMBERS:
                problems.append(Problem(k, "numbers", f"{len(found)} numbers {found} in {s[:80]!r}..."))
        m = TEACHER_TALK.search(para)
        if m:
            problems.append(Problem(k, "teacher talk", f"{m.group(0)!r} in {para[:70]!r}..."))
    return problems


def estimate_minutes(nb):
    """The time model of the module's docstring, in minutes (not rounded)."""
    cells = nb["cells"]
    markdown = [_source(c) for c in cells if c["cell_type"] == "markdown"]
    code = [_source(c) for c in cells if c["cell_type"] == "code"]
    n_words = sum(words(m) for m in markdown)
    explorers = sum(1 for c in code if EXPLORER_CALL.search(c) and ".snapshot(" not in c)
    exercises = sum(len(EXERCISE_HEADING.findall(m)) for m in markdown)
    return n_words / WORDS_PER_MINUTE + PER_CODE_CELL * len(code) + PER_EXPLORER * explorers + PER_EXERCISE * exercises


def stated_minutes(nb):
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            m = STATED_TIME.search(_source(cell))
            if m:
                return int(m.group(1))
    return None


def check_notebook(nb):
    problems = []
    for k, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown":
            problems += check_cell(k, _source(cell))
    stated, need = stated_minutes(nb), estimate_minutes(nb)
    if stated is None:
        problems.append(Problem(0, "time", "no '*About N minutes.*' in the first cells"))
    elif not (math.ceil(need) <= stated <= need + SLACK):
        problems.append(Problem(0, "time", f"states {stated} minutes; the time model gives {need:.1f}"))
    return problems


def main(paths):
    bad = 0
    for path in paths:
        nb = json.load(open(path))
        problems = check_notebook(nb)
        print(
            f"{path}: about {estimate_minutes(nb):.0f} minutes by the model, states {stated_minutes(nb)}; "
            f"{len(problems)} problems"
        )
        for p in problems:
            print("   ", p)
        bad += bool(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
