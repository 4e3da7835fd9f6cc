"""Numbers in prose, and whether the code computed them.

``claims(text)`` finds the numbers a sentence states (0.954, 3×10⁻⁵, 1e-22, 46%, 110 steps); ``numbers(text)``
finds every number some output printed; ``supported(claim, printed)`` says whether a printed number, rounded
to the precision the sentence uses, is the claim. The tests use them to tie every number in the notebooks'
prose, the README, docs/ and the answer keys to something the current code computes.
"""

import math
import re
from dataclasses import dataclass

SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


@dataclass(frozen=True)
class Claim:
    text: str  # as written
    value: float
    rel: float  # how far a printed number may be from ``value``, relative (from the digits written)
    abs: float  # ... or absolute
    context: str  # the words around it
    magnitude: bool = False  # "10^-30", "1e-22": an order of magnitude (a printed number that rounds to it in log10)


def _tolerance(mantissa):
    """Half a unit of the last digit written: "0.954" -> 0.0005; "110" -> 0.5 (2 significant digits -> 5)."""
    if "." in mantissa:
        return 0.5 * 10 ** -len(mantissa.split(".")[1])
    digits = mantissa.lstrip("-").lstrip("0")
    trailing = len(digits) - len(digits.rstrip("0"))
    return 0.5 * 10**trailing


# scientific forms first: 3\times10^{-5}, 3 × 10⁻⁵, 10^{-48}, 1e-22, 1.6e-7; then percentages; then plain numbers
_SCI = re.compile(
    r"(?P<m>\d+(?:\.\d+)?)\s*(?:\\times|×|\\cdot|·)\s*10\^?\{?(?P<e>[-−]?\d+|[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)\}?"
    r"|(?<![\w.])10\^\{?(?P<e2>[-−]?\d+)\}?"
    r"|(?<![\w.])10(?P<e3>[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)"
    r"|(?<![\w.])(?P<m4>\d+(?:\.\d+)?)[eE](?P<e4>[-+]?\d+)(?![\w])"
)
_PERCENT = re.compile(r"(?<![\w.])(?P<n>\d+(?:\.\d+)?)\s*(?:%|\\%| per ?cent)")
_PLAIN = re.compile(r"(?<![\w.\-^{_])(?P<n>\d{1,3}(?:,\d{3})+|\d+\.\d+|\d+)(?![\w.]*\d)(?![\w^])")


def _strip(text):
    """Prose without what holds no claims: links' targets, code spans and blocks, HTML tags, headings' numbers."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = text.replace("{,}", ",")  # LaTeX's thousands separator: 55{,}680
    text = re.sub(
        r"\d+\s*(?:–\s*\d+\s*)?(?:min\b|minutes)", " ", text
    )  # time estimates: "About 20 minutes", "20–30 min"
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"^#+\s*[\d.]*\s*", "", text, flags=re.M)  # "## 3. Explore"
    text = re.sub(r"\b\d\d\s*·", " ", text)  # "05 · Training ..." (notebook numbers)
    return text


def claims(text, *, min_value_digits=2):
    """The numbers ``text`` states. Single-digit integers (step 1, 3 gates, 2 cores) are not claims; numbers
    with a decimal point, two or more digits, a percent sign or an exponent are."""
    text = _strip(text)
    out, taken = [], []

    def add(span, written, value, rel, ab, magnitude=False):
        if any(a < span[1] and span[0] < b for a, b in taken):
            return
        taken.append(span)
        ctx = text[max(0, span[0] - 50) : span[1] + 30].replace("\n", " ")
        out.append(Claim(written, value, rel, ab, ctx, magnitude))

    for m in _SCI.finditer(text):
        if m.group("m") is not None:
            mant, exp = m.group("m"), m.group("e")
        elif m.group("e2") is not None:
            mant, exp = "1", m.group("e2")
        elif m.group("e3") is not None:
            mant, exp = "1", m.group("e3").translate(SUPERSCRIPT)
        else:
            mant, exp = m.group("m4"), m.group("e4")
        e = int(exp.replace("−", "-").translate(SUPERSCRIPT))
        rel = _tolerance(mant) / float(mant) if float(mant) else 0.5
        add(m.span(), m.group(0), float(mant) * 10.0**e, rel, 0.0, magnitude=mant == "1")
    for m in _PERCENT.finditer(text):
        n = m.group("n")
        add(m.span(), m.group(0), float(n) / 100, 0.0, _tolerance(n) / 100)
    for m in _PLAIN.finditer(text):
        n = m.group("n").replace(",", "")
        if "." not in n and len(n.lstrip("0")) < min_value_digits:
            continue
        add(m.span(), m.group(0), float(n), 0.0, _tolerance(n))
    return out


_PRINTED = re.compile(r"[-−]?\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?")


def numbers(text):
    """Every number in printed output (commas and a Unicode minus allowed), as floats."""
    out = []
    for m in _PRINTED.finditer(text):
        try:
            out.append(abs(float(m.group(0).replace(",", "").replace("−", "-"))))
        except ValueError:
            pass
    return out


def supported(claim, printed):
    """True when some printed number, at the claim's precision, is the claim (sign ignored; a percentage may
    be printed as a fraction or as a number of percent)."""
    if claim.magnitude:
        return any(y > 0 and abs(math.log10(y) - math.log10(claim.value)) <= 0.5 for y in printed)
    targets = [claim.value]
    if claim.text.rstrip().endswith(("%", "cent")):
        targets.append(claim.value * 100)
    for y in printed:
        for x in targets:
            scale = 100 if x is not claim.value else 1
            if abs(y - x) <= claim.abs * scale + 1e-12 or (claim.rel and abs(y - x) <= claim.rel * abs(x)):
                return True
    return False


def unsupported(text, printed, allowed=()):
    """The claims of ``text`` no printed number supports, less those in ``allowed`` (their text as written)."""
    return [c for c in claims(text) if c.text.strip() not in allowed and not supported(c, printed)]


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-9)
