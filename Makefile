GO ?= go
PKGS := ./...

.PHONY: build test bench lint fmt

build:
	$(GO) build -o bin/ ./cmd/...

# test: vet + the whole suite with the race detector off (the engine's
# property tests are CPU bound); keep it well under 10 minutes on 2 cores.
test: lint
	$(GO) test -count=1 $(PKGS)

bench:
	$(GO) test -run='^$$' -bench=. -benchmem $(PKGS)

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)

fmt:
	gofmt -w $$(find . -name '*.go' -not -path './vendor/*')

# reports: regenerate the committed report of every scenario under reports/
# (waiter-sim leaves unchanged files alone); TestCommittedReportsAreFresh in
# cmd/waiter-sim fails when a fast scenario's report is stale.
.PHONY: reports
reports:
	$(GO) run ./cmd/waiter-sim reports --all
