#!/usr/bin/env bash
# The demo: installs what it needs, builds both commands, starts the server
# with the NanoDet COCO detector on ONNX Runtime, streams a sample video
# (opencv-doc's vtest.avi, pedestrians) through it and leaves one annotated
# JPEG per frame, boxes labelled, (and predictions.jsonl) in a folder.
# FRAMEWIRE_SERVER_MODEL=blazeface or FRAMEWIRE_SERVER_ENGINE=opencv change the detector.
# Usage: scripts/demo.sh [video-or-source] [output-folder]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh demo
export PATH="$PATH:/usr/local/go/bin"

src=${1:-/usr/share/doc/opencv-doc/examples/data/vtest.avi}
out=${2:-$PWD/framewire-out}
addr=127.0.0.1:${FRAMEWIRE_DEMO_PORT:-5005}

echo "== building" >&2
go build -o bin/ ./cmd/framewire-server ./cmd/framewire-capture

bin/framewire-server --listen "$addr" --http "" --out "$out" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
# Wait until the server answers (at most 10 s).
for _ in $(seq 100); do
  if (exec 3<>"/dev/tcp/${addr%:*}/${addr##*:}") 2>/dev/null; then break; fi
  kill -0 $server 2>/dev/null || { echo "demo: the server did not start" >&2; exit 1; }
  sleep 0.1
done

# --overwrite: the demo always makes its output afresh, whatever an earlier
# run (another video or model) left in the folder.
bin/framewire-capture --server "$addr" --source "$src" --name demo --overwrite
echo >&2
echo "demo: $(ls "$out/demo" | grep -c '\.jpg$') annotated JPEGs and predictions.jsonl are in $out/demo/" >&2
