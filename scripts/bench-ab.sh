#!/usr/bin/env bash
# Runs framewire-bench's figures side by side on an earlier commit ("before",
# exported with git archive into a temporary folder, so that the bench, the
# server and the client are all that commit's) and on this checkout
# ("after"), alternated B A B A, one round each, with the load at the
# start and end of each run. This is how docs/performance.md's "before and
# after" tables are made.
# Usage: scripts/bench-ab.sh COMMIT [figures] [pairs] [extra bench flags...]
#   e.g. scripts/bench-ab.sh e395548 lm 3
set -euo pipefail
cd "$(dirname "$0")/.."
commit=${1:?usage: scripts/bench-ab.sh COMMIT [figures] [pairs] [bench flags...]}
figs=${2:-l}
pairs=${3:-2}
shift $(($# < 3 ? $# : 3))
before=$(mktemp -d)
trap 'rm -rf "$before"' EXIT
git archive "$commit" | tar -x -C "$before"
# The NanoDet file may be installed rather than committed: use this checkout's.
cp -rn models "$before/" 2>/dev/null || true
after=$PWD
load() { cut -d' ' -f1-3 /proc/loadavg; }
for i in $(seq "$pairs"); do
  for side in before after; do
    dir=$before
    [ "$side" = after ] && dir=$after
    echo "=== $side ($([ "$side" = before ] && echo "$commit" || git rev-parse --short HEAD)) $figs pair $i, load $(load)"
    (cd "$dir" && go run ./cmd/framewire-bench --only "$figs" --rounds 1 --json-out "" "$@")
    echo "=== $side pair $i done, load $(load)"
  done
done
