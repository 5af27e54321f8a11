#!/usr/bin/env bash
# The test command: installs what the tests need, then checks generated code,
# formatting, vet, the compose file, and runs every test with the race
# detector and the Mat-leak tests with gocv's matprofile tag.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
export PATH="$PATH:/usr/local/go/bin"

echo "== generated code"
bash scripts/gen-proto.sh --check
echo "== gofmt, go vet"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [[ -n $unformatted ]]; then echo "gofmt wants to change: $unformatted" >&2; exit 1; fi
go vet ./...
echo "== code size (function and package limits)"
go run ./scripts/codestats .
echo "== docker-compose config"
docker-compose -f docker-compose.yml config -q
docker-compose -f docker-compose.yml --profile file config -q
docker-compose -f docker-compose.yml --profile webcam config -q
docker-compose -f docker-compose.yml --profile triton config -q
echo "== go test -race"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# The unit and package tests run two packages at a time; the system tests
# in e2e (real binaries, real media) run on their own afterwards, because
# the live-latency and load tests among them measure time and must not
# share the 2 cores with other packages.
go test -race -count=1 -p 2 -timeout 20m -v $(go list ./... | grep -v '/e2e$') > "$log" 2>&1 || status=$?
go test -race -count=1 -p 1 -timeout 20m -v ./e2e/ >> "$log" 2>&1 || status=$?
# Every skipped test with its reason, the logged measurements, failures in
# full, and the per-package results.
grep -B1 -- '--- SKIP' "$log" | grep -v -- '^--$' || true
grep -E '^\s+\w+_test\.go:[0-9]+: .*(RSS|p95|summary|results;)' "$log" || true
if ((status != 0)); then
  grep -B2 -A30 -E -- '--- FAIL|^panic:|DATA RACE' "$log" | head -300
fi
grep -E '^(ok|FAIL|\?)\s' "$log"
((status == 0)) || exit $status
echo "== Mat leak tests (matprofile)"
go test -tags matprofile -count=1 -run 'Leak' ./capture/ ./server/detect/... ./server/pixels/
