#!/usr/bin/env bash
# nbgrader itself, in its own virtual environment: generate every assignment, autograde a solved and a
# blank submission, and check the gradebook (solved: every automatic point; blank: zero).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -qq nbgrader==0.9.6 -r "$repo/requirements.txt"
export PATH="$tmp/venv/bin:$PATH"  # nbgrader runs alembic from its environment
cp -r "$repo/homework" "$tmp/course"
rm -rf "$tmp/course/release"
cd "$tmp/course"
assignments="a1_forward a2_backward a3_bptt a4_concepts"
for a in $assignments; do
  nbgrader generate_assignment "$a" --force > "$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
  if grep -qE "BEGIN SOLUTION|HIDDEN TESTS" "release/$a/$a.ipynb"; then echo "nbgrader's release of $a leaks"; exit 1; fi
  mkdir -p "submitted/solved/$a" "submitted/blank/$a"
  cp "source/$a/$a.ipynb" "submitted/solved/$a/"
  cp "release/$a/$a.ipynb" "submitted/blank/$a/"
done
for a in $assignments; do
  nbgrader autograde "$a" --force > "$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
done
nbgrader export --to "$tmp/grades.csv" > /dev/null 2>&1
python3 - "$tmp/grades.csv" <<'PY'
import csv, sys
auto = {"a1_forward": 10.0, "a2_backward": 15.0, "a3_bptt": 10.0, "a4_concepts": 5.0}  # automatic points
rows = list(csv.DictReader(open(sys.argv[1])))
bad = []
for r in rows:
    want = auto[r["assignment"]] if r["student_id"] == "solved" else 0.0
    print(f"nbgrader autograde: {r['student_id']:6} {r['assignment']:12} {float(r['score']):5.1f} / {r['max_score']}")
    if float(r["score"]) != want:
        bad.append(f"{r['student_id']} {r['assignment']}: {r['score']}, expected {want}")
if len(rows) != 2 * len(auto) or bad:
    sys.exit(f"nbgrader gradebook is wrong: {bad or rows}")
PY
