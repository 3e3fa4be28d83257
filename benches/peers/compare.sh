#!/usr/bin/env bash
# Peer comparison, run by hand (not by CI): writes one generated capacity-only instance as
# DIMACS min-cost flow and MPS, then solves it with OR-Tools min-cost flow and HiGHS and prints
# whether their optima equal ours, with the time ratios, in one run.
#
#   benches/peers/compare.sh [REFERRALS [SLOTS [SEED [--tier1-only]]]]   (default 20000 5000 1)
#
# Needs python3 (3.9 or later) with venv and pip, and PyPI: the first run creates
# benches/peers/.venv and installs the pinned peers of requirements.txt into it. Files go to
# benches/peers/out/REFERRALSxSLOTS-sSEED/. Exits non-zero if a peer's optimum differs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
referrals="${1:-20000}"
slots="${2:-5000}"
seed="${3:-1}"
shift $(( $# < 3 ? $# : 3 ))
out="$here/out/${referrals}x${slots}-s${seed}"

venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  echo "== creating $venv" >&2
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"

echo "== building and running examples/export_instance (release)" >&2
cd "$root"
cargo build --release --quiet --example export_instance
./target/release/examples/export_instance \
  --referrals "$referrals" --slots "$slots" --seed "$seed" --out "$out"

echo "== peers" >&2
"$venv/bin/python" "$here/compare.py" "$out" "$@"
