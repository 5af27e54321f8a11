# Thin wrappers over scripts/: every target works as root on Debian 12.
.PHONY: demo test build proto bench fuzz

demo:
	bash scripts/demo.sh

test:
	bash scripts/test.sh

build:
	go build -o bin/ ./cmd/...

proto:
	bash scripts/gen-proto.sh

# One run of every performance figure (a-k); BENCHFLAGS=--help lists options.
bench:
	go run ./cmd/framewire-bench $(BENCHFLAGS)

fuzz:
	go test -run '^$$' -fuzz FuzzFrameDecode -fuzztime 60s ./server/pixels/
