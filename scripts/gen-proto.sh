#!/usr/bin/env bash
# Regenerates proto/*.pb.go and proto/inference/*.pb.go with pinned plugins. With --check it regenerates
# into a temporary folder and fails when the committed code is stale.
set -euo pipefail
cd "$(dirname "$0")/.."

PROTOC_GEN_GO=v1.36.12
PROTOC_GEN_GO_GRPC=v1.6.2

bin="$PWD/.bin"
mkdir -p "$bin"
want_go="protoc-gen-go $PROTOC_GEN_GO"
want_grpc="protoc-gen-go-grpc ${PROTOC_GEN_GO_GRPC#v}"
if [[ "$("$bin/protoc-gen-go" --version 2>/dev/null)" != "$want_go" ]]; then
  GOBIN="$bin" go install "google.golang.org/protobuf/cmd/protoc-gen-go@$PROTOC_GEN_GO"
fi
if [[ "$("$bin/protoc-gen-go-grpc" --version 2>/dev/null)" != "$want_grpc" ]]; then
  GOBIN="$bin" go install "google.golang.org/grpc/cmd/protoc-gen-go-grpc@$PROTOC_GEN_GO_GRPC"
fi
command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }

out=proto
if [[ "${1:-}" == "--check" ]]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
PATH="$bin:$PATH" protoc -I proto \
  --go_out="$out" --go_opt=paths=source_relative \
  --go-grpc_out="$out" --go-grpc_opt=paths=source_relative \
  proto/image_procedure.proto proto/inference/open_inference.proto

if [[ "${1:-}" == "--check" ]]; then
  for f in image_procedure.pb.go image_procedure_grpc.pb.go \
    inference/open_inference.pb.go inference/open_inference_grpc.pb.go; do
    if ! cmp -s "$out/$f" "proto/$f"; then
      echo "proto/$f is stale: run scripts/gen-proto.sh and commit the result" >&2
      exit 1
    fi
  done
  echo "generated code is up to date"
fi
