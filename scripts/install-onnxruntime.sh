#!/usr/bin/env bash
# Installs Microsoft's CPU build of ONNX Runtime 1.30.0, the library
# framewire-server's default inference engine loads at start-up, from the npm
# package onnxruntime-node (only unpacked with `npm pack`, never installed).
# Only libonnxruntime.so.1 is taken from the tarball; both the tarball and the
# library are checked against pinned sha256 sums. The licence (MIT) goes
# beside the library. Idempotent: nothing is fetched when the library is
# already there with the right sum. Nothing is downloaded at run time.
# Usage: scripts/install-onnxruntime.sh   (FRAMEWIRE_LIB overrides the folder)
set -euo pipefail
dest=${FRAMEWIRE_LIB:-/usr/local/lib/framewire}
pkg=onnxruntime-node@1.30.0
tgz_sha256=6e3390d6b783e7be946fad629292799da28d0b42f84856e50d2c1b0383291e75
lib_sha256=ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23
member=package/bin/napi-v6/linux/x64/libonnxruntime.so.1
lib=$dest/libonnxruntime.so.1

sum() { sha256sum "$1" | cut -d' ' -f1; }

if [[ -f $lib && $(sum "$lib") == "$lib_sha256" && -s $dest/LICENSE-onnxruntime ]] && grep -q "Permission is hereby granted" "$dest/LICENSE-onnxruntime"; then
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "install-onnxruntime: fetching $pkg (113 MB) with npm pack" >&2
(cd "$tmp" && npm pack --silent "$pkg" >/dev/null)
tgz=$(ls "$tmp"/*.tgz)
got=$(sum "$tgz")
if [[ $got != "$tgz_sha256" ]]; then
  echo "install-onnxruntime: $pkg tarball has sha256 $got, expected $tgz_sha256" >&2
  exit 1
fi
# Only the library and the licence leave the tarball.
tar -xzf "$tgz" -C "$tmp" "$member"
tar -xzf "$tgz" -C "$tmp" package/LICENSE 2>/dev/null || true
got=$(sum "$tmp/$member")
if [[ $got != "$lib_sha256" ]]; then
  echo "install-onnxruntime: $member has sha256 $got, expected $lib_sha256" >&2
  exit 1
fi
mkdir -p "$dest"
install -m 0644 "$tmp/$member" "$lib.tmp"
mv -f "$lib.tmp" "$lib"
if [[ -s $tmp/package/LICENSE ]]; then
  install -m 0644 "$tmp/package/LICENSE" "$dest/LICENSE-onnxruntime"
else
  # onnxruntime-node 1.30.0 ships no LICENSE file; its package.json says
  # "license": "MIT", and this is ONNX Runtime's licence text.
  cat >"$dest/LICENSE-onnxruntime" <<'MIT'
ONNX Runtime 1.30.0 (libonnxruntime.so.1 from the npm package onnxruntime-node)

MIT License

Copyright (c) Microsoft Corporation

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
MIT
fi
echo "install-onnxruntime: ONNX Runtime 1.30.0 installed as $lib" >&2
