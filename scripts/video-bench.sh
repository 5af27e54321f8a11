#!/usr/bin/env bash
# Measures what --video costs, for docs/video.md: the pipeline's throughput
# and the server's CPU time per frame (its ffmpeg children included), and
# the client's, without and with --video, side by side (A B A B). The
# server's CPU includes its start (loading the model); the last column,
# the CPU of both a frame, says what the throughput would be on cores
# nothing else uses (2 cores / that), which other load does not move.
# Usage: scripts/video-bench.sh [model] [source] [runs]   (after go build -o bin/ ./cmd/...)
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-nanodet}
src=${2:-/usr/share/doc/opencv-doc/examples/data/vtest.avi}
runs=${3:-2}

# cpu prints a process's CPU seconds, its children included: those it
# waited for and those still running (a stream's encoder runs until the
# stream ends).
cpu() {
  local p total=0
  for p in "$1" $(pgrep -P "$1"); do
    total=$(awk -v hz="$(getconf CLK_TCK)" -v t="$total" '{print t + ($14 + $15 + $16 + $17) / hz}' "/proc/$p/stat" 2>/dev/null || echo "$total")
  done
  echo "$total"
}

one() { # one run: $1 = "" or --video
  local out port pid used
  out=$(mktemp -d)
  port=$((20000 + RANDOM % 20000))
  bin/framewire-server --model "$model" --out "$out/o" --listen "127.0.0.1:$port" --http "" $1 2>"$out/log" &
  pid=$!
  /usr/bin/time -f "%U %S" -o "$out/client" bin/framewire-capture --server "127.0.0.1:$port" --wait-for-server 1m \
    --source "$src" --name b --json >"$out/frames.jsonl" 2>/dev/null
  used=$(cpu "$pid")
  kill -TERM "$pid"
  wait "$pid" || true
  python3 - "$out/frames.jsonl" "$used" "${1:-no video}" "$(awk '{print $1 + $2}' "$out/client")" <<'PY'
import json, sys
frames = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{"seq"')]
span = (frames[-1]["capture_unix_nano"] - frames[0]["capture_unix_nano"]) / 1e9
server, client = float(sys.argv[2]) * 1000 / len(frames), float(sys.argv[4]) * 1000 / len(frames)
print(f"{sys.argv[3]:<10} {len(frames)} frames  {(len(frames) - 1) / span:6.1f} fps  "
      f"CPU a frame: server {server:.2f} ms, client {client:.2f} ms, both {server + client:.2f} ms")
PY
  rm -rf "$out"
}

for _ in $(seq "$runs"); do
  one ""
  one --video
done
