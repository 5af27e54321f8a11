#!/usr/bin/env bash
# Measures what --video costs, for docs/video.md: the server's CPU time
# (ffmpeg included: the server waits for it) per frame and the client's
# throughput, without and with --video, side by side (A B A B).
# Usage: scripts/video-bench.sh [model] [source] [runs]   (after go build -o bin/ ./cmd/...)
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-mean}
src=${2:-/usr/share/doc/opencv-doc/examples/data/vtest.avi}
runs=${3:-2}
port=$((20000 + RANDOM % 20000))

one() { # one run: $1 = "" or --video
  local out; out=$(mktemp -d)
  /usr/bin/time -f "%U %S" -o "$out/cpu" bin/framewire-server --model "$model" --out "$out" \
    --listen "127.0.0.1:$port" --http "" $1 2>"$out/log" &
  local pid=$!
  local sum
  sum=$(bin/framewire-capture --server "127.0.0.1:$port" --wait-for-server 1m --source "$src" --name b --quiet 2>&1 | grep summary)
  kill -TERM "$pid"; wait "$pid" || true
  local frames fps
  frames=$(echo "$sum" | sed -E 's/.*processed ([0-9]+).*/\1/')
  fps=$(echo "$sum" | sed -E 's/.* ([0-9.]+) fps.*/\1/')
  awk -v f="$frames" -v fps="$fps" -v v="${1:-no video}" '{printf "%-10s %d frames  %6.1f fps  server CPU %.2f ms/frame\n", v, f, fps, ($1+$2)*1000/f}' "$out/cpu"
  rm -rf "$out"
}

for _ in $(seq "$runs"); do
  one ""
  one --video
done
