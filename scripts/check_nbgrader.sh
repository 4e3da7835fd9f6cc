#!/usr/bin/env bash
# nbgrader itself, in its own virtual environment: generate every assignment, autograde a solved, a blank,
# a hostile and a tampering submission, and check the gradebook (solved: every automatic point; blank and
# hostile: zero). homework/nbgrader_config.py puts every kernel nbgrader starts in the grader's
# sandbox (bubblewrap): the hostile notebook tries to write outside its kernel's scratch folder, read the
# sources and the gradebook, and reach the network, and the check fails if any of that worked. The
# tampering one replaces the checks inside its kernel, which nbgrader cannot see: it gets assignment 1's
# 10 automatic points here (docs/teaching.md says so; python -m homework grade gives it 0).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v bwrap >/dev/null || { echo "check_nbgrader: bubblewrap (bwrap) is needed: apt-get install bubblewrap"; exit 1; }
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -qq nbgrader==0.9.6 -r "$repo/requirements.txt"
export PATH="$tmp/venv/bin:$PATH"  # nbgrader runs alembic from its environment
cp -r "$repo/homework" "$tmp/homework"  # named homework: nbgrader_config.py imports the package from the folder above
rm -rf "$tmp/homework/release"
cd "$tmp/homework"
assignments="a1_forward a2_backward a3_bptt a4_concepts a5_language_model"
for a in $assignments; do
  nbgrader generate_assignment "$a" --force > "$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
  if grep -qE "BEGIN SOLUTION|HIDDEN TESTS" "release/$a/$a.ipynb"; then echo "nbgrader's release of $a leaks"; exit 1; fi
  mkdir -p "submitted/solved/$a" "submitted/blank/$a"
  cp "source/$a/$a.ipynb" "submitted/solved/$a/"
  cp "release/$a/$a.ipynb" "submitted/blank/$a/"
done
python - "$tmp" <<'PY'
import os, sys, nbformat
tmp = sys.argv[1]
nb = nbformat.read(f"{tmp}/homework/release/a1_forward/a1_forward.ipynb", as_version=4)
attack = f'''import glob, os, socket
tried = []
for path in ["{tmp}/pwned", os.path.expanduser("~/pwned"), "{tmp}/homework/gradebook.db"]:
    try:
        open(path, "a").write("pwned")
        tried.append("wrote " + path)
    except OSError as e:
        tried.append("refused " + path)
tried.append("sources visible: %s" % bool(glob.glob("{tmp}/homework/source/*/*.ipynb")))
try:
    socket.create_connection(("pypi.org", 443), timeout=3)
    tried.append("network: yes")
except OSError:
    tried.append("network: no")
print("PROBE", os.getuid(), tried)


def lstm_step_forward(x, h_prev, c_prev, W, b):
    return 0 * h_prev, 0 * c_prev, None'''
# and the attack nbgrader cannot stop, since it judges inside the kernel: replace the checks there
tamper = """from lstm_lab import homework as hw

hw.judge = lambda *a, **k: (True, "perfect")


def lstm_step_forward(x, h_prev, c_prev, W, b):
    return 0 * h_prev, 0 * c_prev, None"""
for student, code in (("hostile", attack), ("tamper", tamper)):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "forward_answer":
            cell.source = code
    os.makedirs(f"{tmp}/homework/submitted/{student}/a1_forward", exist_ok=True)
    nbformat.write(nb, f"{tmp}/homework/submitted/{student}/a1_forward/a1_forward.ipynb")
PY
sources_before=$(sha256sum source/*/*.ipynb)
for a in $assignments; do
  nbgrader autograde "$a" --force > "$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
done
nbgrader export --to "$tmp/grades.csv" > /dev/null 2>&1
python3 - "$tmp" <<'PY'
import csv, json, re, sys
tmp = sys.argv[1]
auto = {"a1_forward": 10.0, "a2_backward": 15.0, "a3_bptt": 10.0, "a4_concepts": 5.0, "a5_language_model": 15.0}
rows = list(csv.DictReader(open(f"{tmp}/grades.csv")))
bad = []
for r in rows:
    want = auto[r["assignment"]] if r["student_id"] == "solved" else 0.0
    if (r["student_id"], r["assignment"]) == ("tamper", "a1_forward"):
        want = 10.0  # nbgrader's own weakness, documented in docs/teaching.md: python -m homework grade gives it 0
    print(f"nbgrader autograde: {r['student_id']:7} {r['assignment']:12} {float(r['score']):5.1f} / {r['max_score']}")
    if float(r["score"]) != want:
        bad.append(f"{r['student_id']} {r['assignment']}: {r['score']}, expected {want}")
if len(rows) != 4 * len(auto) or bad:  # nbgrader lists every student for every assignment
    sys.exit(f"nbgrader gradebook is wrong: {bad or rows}")
nb = json.load(open(f"{tmp}/homework/autograded/hostile/a1_forward/a1_forward.ipynb"))
texts = ["".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", [])]
probe = [t for t in texts if "PROBE" in t]
print("nbgrader autograde: hostile kernel saw:", probe)
outside = [w for w in re.findall(r"wrote ([^']+)", probe[0] if probe else "") if not w.startswith("/scratch/")]
if not probe or outside or "sources visible: True" in probe[0] or "network: yes" in probe[0]:
    sys.exit("nbgrader's kernel was not sandboxed")
if int(probe[0].split()[1]) == 0:
    sys.exit("nbgrader's kernel ran as root")
PY
[ ! -e "$tmp/pwned" ] || { echo "a submission wrote outside its sandbox under nbgrader"; exit 1; }
[ "$(sha256sum source/*/*.ipynb)" = "$sources_before" ] || { echo "the sources changed during autograde"; exit 1; }
python3 - "$tmp" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"{sys.argv[1]}/homework/gradebook.db")
if any("pwned" in str(row) for row in db.execute("select * from grade")):
    sys.exit("the gradebook was written by a submission")
PY
