#!/usr/bin/env bash
# Prove the Binder environment: repo2docker accepts the repository (--no-build needs no Docker), and a
# fresh virtual environment built from binder/ alone (no torch, nothing else) runs every notebook.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 -m venv "$tmp/r2d"
"$tmp/r2d/bin/pip" install -qq jupyter-repo2docker==2026.4.0
"$tmp/r2d/bin/jupyter-repo2docker" --no-build --debug . > "$tmp/r2d.log" 2>&1
for want in 'python=3.11' 'pip install --no-cache-dir -r "binder/requirements.txt"' './binder/postBuild'; do
  grep -qF -- "$want" "$tmp/r2d.log" || { echo "repo2docker's plan lacks: $want"; cat "$tmp/r2d.log"; exit 1; }
done
echo "repo2docker --no-build: accepted (Python 3.11, binder/requirements.txt, binder/postBuild)"

python3 -m venv "$tmp/binder"
"$tmp/binder/bin/pip" install -qq -r binder/requirements.txt
PATH="$tmp/binder/bin:$PATH" bash binder/postBuild > /dev/null
if "$tmp/binder/bin/python" -c "import torch" 2>/dev/null; then echo "binder/ must not install torch"; exit 1; fi
for nb in notebooks/[0-9][0-9]_*.ipynb; do
  start=$(date +%s)
  "$tmp/binder/bin/jupyter" nbconvert --to notebook --execute --ExecutePreprocessor.timeout=300 \
    --output-dir "$tmp/out" "$nb" > "$tmp/nbconvert.log" 2>&1 || { cat "$tmp/nbconvert.log"; exit 1; }
  echo "binder environment ran $(basename "$nb") in $(( $(date +%s) - start )) s"
done
