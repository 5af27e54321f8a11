#!/usr/bin/env bash
# The test command: installs what the tests need, then checks generated code,
# formatting, vet, the compose file, and runs every test with the race
# detector and the Mat-leak tests with gocv's matprofile tag; exits non-zero
# when any of them fails.
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
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
status=0
# The e2e tests that measure time or memory under load must not share the
# 2 cores: they run last, on their own. Every other e2e test calls
# t.Parallel (but for those that change the environment) and runs, four at
# a time, while the unit and package tests run two packages at a time and
# the Mat-leak tests (gocv's matprofile tag, no race detector) build and
# run beside them: much of the e2e tests' time is spent waiting (live
# sources, paced clients, servers starting and being killed), which the
# other packages fill. docs/development.md says how to add a timed test.
timed='^(TestLiveSourceDropsAndLatencyStaysFlat|TestLoadFourStreamsNanoDet)$'
# The same for the one package test that bounds time (a stalled viewer of
# the live view must not slow a stream): it runs alone at the end too.
timed_unit='^TestStalledViewerDoesNotSlowTheStream$'
go test -race -count=1 -p 2 -timeout 20m -v -skip "$timed_unit" $(go list ./... | grep -v '/e2e$') > "$logs/1-unit" 2>&1 &
unit=$!
go test -tags matprofile -count=1 -timeout 20m -v -run 'Leak' ./capture/ ./server/detect/ ./server/pixels/ ./server/pixels/drawing/ > "$logs/2-matprofile" 2>&1 &
leak=$!
go test -race -count=1 -parallel 4 -timeout 20m -v -skip "$timed" ./e2e/ > "$logs/3-e2e" 2>&1 || status=$?
wait $unit || status=$?
wait $leak || status=$?
go test -race -count=1 -timeout 20m -v -run "$timed" ./e2e/ > "$logs/4-e2e-timed" 2>&1 || status=$?
go test -race -count=1 -timeout 20m -v -run "$timed_unit" ./server/ > "$logs/5-unit-timed" 2>&1 || status=$?
ran=$(cat "$logs/4-e2e-timed" "$logs/5-unit-timed" | grep -cE -- '^--- (PASS|FAIL|SKIP): Test' || true)
names=$(tr -cd '|' <<<"$timed" | wc -c)
if ((ran != names + 2)); then
  echo "the timed e2e run ran $ran tests, want $((names + 1)): is a test in \$timed renamed?" >&2
  status=1
fi
# Every skipped test with its reason, the logged measurements, failures in
# full, and the per-package results of each run.
for log in "$logs"/*; do
  grep -B1 -- '--- SKIP' "$log" | grep -v -- '^--$' || true
  grep -E '^\s+\w+_test\.go:[0-9]+: .*(RSS|p95|summary|results;)' "$log" || true
  if grep -qE -- '--- FAIL|^panic:|DATA RACE|^FAIL' "$log"; then
    grep -B40 -A30 -E -- '--- FAIL|^panic:|DATA RACE' "$log" | head -600 || true
    grep -B30 -E -- '\[(build|setup) failed\]' "$log" | head -100 || true
  fi
done
for log in "$logs"/*; do
  echo "-- ${log##*/[0-9]-}"
  grep -E '^(ok|FAIL|\?)\s' "$log" || true
done
exit $status
