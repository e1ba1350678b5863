GO ?= go
PKGS := ./...

.PHONY: build test bench lint fmt deps kube

# build stamps the commit into --version: the Go tool does not from a git
# worktree or with -buildvcs=false (internal/clikit.Commit).
COMMIT := $(shell git rev-parse HEAD 2>/dev/null)
build:
	$(GO) build -ldflags "-X github.com/waiter-go/waiter/internal/clikit.Commit=$(COMMIT)" -o bin/ ./cmd/...

# RACE_PKGS own goroutines or state shared between them (the driver, the
# server wiring and its event loops, the adapters that poll, probe,
# refresh keys, serve or store, the fake Marathon, the waiter command line
# that asks its clusters at once, the caches and throttles every request
# shares); they run again under the race detector. The engine and the
# simulator are single-threaded and CPU bound, so the race detector would
# only slow them.
RACE_PKGS := ./cmd/waiter/internal/router ./cmd/waiter/internal/serve ./cmd/waiter/internal/tokencache \
	./cmd/waiter/internal/loopfront ./adapters/http ./adapters/shell ./adapters/marathon ./adapters/jwt \
	./adapters/kerberos ./adapters/bolt ./internal/fakemarathon/... ./cmd/waiter/internal/cli \
	./adapters/zookeeper ./adapters/peers ./cmd/waiter/internal/peering ./internal/h1serve ./internal/h1guard \
	./internal/fanout ./internal/rawio ./internal/localproc ./internal/connpark ./internal/childproc \
	./internal/healthcheck ./internal/peerauth ./internal/boundedmap ./internal/logthrottle ./internal/strarena \
	./internal/warmconn

# racecheck runs a command with the race detector's reports written to
# files (GORACE log_path), then prints them and fails if there are any: a
# -race program the tests start writes them to its own stderr, which no
# test may read, and exits 66 only when it exits by itself.
racecheck = logs=$$(mktemp -d) && GORACE="log_path=$$logs/race" $(1); rc=$$?; \
	if ls $$logs/race.* > /dev/null 2>&1; then cat $$logs/race.*; \
		echo "the race detector reported the races above"; rc=1; fi; \
	rm -rf $$logs; exit $$rc

# deps: the Debian packages the tests use (Kerberos KDC tools, curl,
# Chromium, ZooKeeper), installed when missing; see .ci/deps.
deps:
	@bash .ci/deps

# kube: the real Kubernetes control plane the Kubernetes tests run
# against (kube-apiserver, kube-controller-manager, etcd), built from the
# Go module proxy once into .cache/kube/<versions>/ (git-ignored):
# ~12 minutes cold on 2 cores, well under a second when cached. See
# test/kube/build.sh.
kube:
	@bash test/kube/build.sh

# kube-race: the Kubernetes adapter, its fake kubelet and the control
# plane harness under -race. Not in make test, to keep it under 10
# minutes: about 55 s more on two cores (serve's -race tests have already
# compiled client-go with -race by then; that alone is 3 minutes cold).
.PHONY: kube-race
kube-race: kube
	$(GO) test -count=1 -race ./adapters/kubernetes

# test: lint, the goroutine owners under -race, the whole suite, then
# deeper property runs (the engine's and the simulator's; the three HTTP
# fronts' answers to random request heads, 2,000 draws in about a second:
# at the default 100, a malformed Host the loops let through was found in
# about half the runs), then the Knative differential test (its own
# module, test/knativediff, so that only it depends on Knative: ./... does
# not descend into it); keep it well under 10 minutes on 2 cores.
# It builds waiter-sim, in its tests and the end-to-end suites' go build,
# without its profile (-pgo=off, see make pgo): with one, every package
# the simulator links is compiled once more, about a minute of the run,
# and the profile changes how fast the simulator runs, never what it does
# (make bench checks that the reports are the same). GOFLAGS set here
# replaces the one go env -w wrote, so it keeps that one's flags.
#
# The end-to-end suites (test/acceptance, test/marathon, test/kubernetes,
# the command line's) run a waiter built with the race detector
# (e2ekit.RaceEnv: the router only, not the services it starts), its
# reports written to files by GORACE and failing the run (racecheck):
# that found the one data race the -race packages had missed (the TLS
# listener's, d27db26), and costs about half a minute. test/fidelity
# keeps the plain build: it calibrates the model against the router. The
# -race packages run first: serve's tests compile with -race all that
# waiter links (client-go too, 3 minutes from a cold cache), which the
# suites' -race waiter then only links.
test: export GOFLAGS := $(strip $(shell $(GO) env GOFLAGS) -pgo=off)
test: deps kube lint
	$(GO) test -count=1 -race $(RACE_PKGS)
	@echo "WAITER_E2E_RACE=1 $(GO) test -count=1 $(PKGS)"
	@$(call racecheck,WAITER_E2E_RACE=1 $(GO) test -count=1 $(PKGS))
	$(GO) test -count=1 -run 'Properties|RandomScenarios|MatchesReference' ./engine ./sim -rapid.checks=2000
	$(GO) test -count=1 -run 'TestFrontsAnswerRandomHeadsAlike' ./cmd/waiter/internal/serve -rapid.checks=2000
	cd test/knativediff && $(GO) vet ./... && $(GO) test -count=1 ./...

# bench: every Go benchmark (each prints its ratio to a same-run baseline),
# then the simulator's own cost on spike.yaml and on large.yaml (1,000
# services for a day): wall time, simulated requests per wall second, CPU
# time and peak memory, from waiter-sim --stats, its CPU time per request
# as a ratio to the engine's arrive+finish path (sim BenchmarkEnginePath)
# measured just before the run and just after it; then its CPU time
# against the same simulator built without profile-guided optimization
# (make pgo), and against the same binary without its heap on huge pages
# (WAITER_SIM_HUGE_PAGES=off, see internal/hugeheap), with the page
# faults of both, and against the same binary without its GC floor
# (GOGC=100, see internal/gcfloor), with the peak RSS of both; every
# report must be byte-identical. On this machine a
# process runs at one of two speeds, about 1.7x apart, and a baseline in
# a fast process against a run in a slow one overstated the ratio by as
# much. The two speeds are the two CPUs: at times one runs the engine's
# request path at half the other's speed (86-88 ns against 43-44 ns,
# pinned with taskset, minutes later both 53-54 ns), the host's load on
# it, not ours. So the engine path and the simulator's own run are pinned
# to the same CPU (when taskset is there and there are two), each
# baseline is the fastest of 3 processes, spike.yaml (a fraction of a
# second) the fastest of 9 runs, large.yaml the faster of 2 (its wall
# time is a target, under 30 s, and the same binary took 27-46 s as the
# host's load came and went), and both ratios are printed. The two
# builds or settings compared run side by side, one per CPU, so that both
# see the machine in the same state, and then again with the CPUs
# swapped, each side's fastest run counted, so that neither is measured
# only on the slow CPU: one after the other, large.yaml's runs with and
# without huge pages were 351-591 ns a request either way; side by side,
# 4 of the first 7 pairs of large.yaml runs were within 4 % of each
# other, the others 6 %, 21 % and 47 % apart. It
# needs the Kubernetes control plane (make kube) as make test does: the
# Kubernetes suites start one even to run no test.
bench: kube
	$(GO) test -run='^$$' -bench=. -benchmem $(PKGS)
	$(GO) build -o bin/waiter-sim ./cmd/waiter-sim
	$(GO) build -pgo=off -o bin/waiter-sim-nopgo ./cmd/waiter-sim
	@$(GO) test -c -o bin/sim.test ./sim
	@pin() { if [ $$(nproc) -ge 2 ] && command -v taskset > /dev/null; then echo taskset -c $$1; fi; }; \
	base() { for i in 1 2 3; do \
			(cd sim && $$(pin 0) ../bin/sim.test -test.run='^$$' -test.bench='^BenchmarkEnginePath$$' -test.benchtime=3x) | \
			awk '{for (i = 2; i <= NF; i++) if ($$i == "engine-ns/req") print $$(i-1)}'; \
		done | sort -g | head -1; }; \
	field() { awk -v k="\"$$1\":" '$$1 == k {gsub(/[",]/, ""); print $$2}' $$2; }; \
	nsof() { field cpu_ns_per_request $$1; }; \
	cmd() { case $$1 in alone|pgo) echo bin/waiter-sim;; nopgo) echo bin/waiter-sim-nopgo;; \
		huge) echo WAITER_SIM_HUGE_PAGES=on bin/waiter-sim;; small) echo WAITER_SIM_HUGE_PAGES=off bin/waiter-sim;; \
		floor) echo bin/waiter-sim;; gogc) echo GOGC=100 bin/waiter-sim;; esac; }; \
	run() { $$(pin $$4) env GOMAXPROCS=1 $$(cmd $$1) run scenarios/$$2.yaml --out $$out/$$1-$$2 --stats $$out/$$1-$$2.$$3.json > /dev/null; }; \
	fastest() { for f in $$out/$$1-$$2.*.json; do echo "$$(nsof $$f) $$f"; done | sort -g | head -1 | cut -d' ' -f2; }; \
	pair() { for i in $$(seq $$2); do \
		run $$3 $$1 $$i.a 0 & run $$4 $$1 $$i.a 1; r=$$?; wait $$! && [ $$r = 0 ] || return 1; \
		run $$3 $$1 $$i.b 1 & run $$4 $$1 $$i.b 0; r=$$?; wait $$! && [ $$r = 0 ] || return 1; \
	done; }; \
	same() { if cmp -s $$out/alone-$$1/report.json $$out/$$2-$$1/report.json; then echo ", reports identical"; \
		else echo ", REPORTS DIFFER"; return 1; fi; }; \
	out=$$(mktemp -d); for s in spike large; do \
		n=2; p=1; if [ $$s = spike ]; then n=9; p=9; fi; \
		before=$$(base); \
		for i in $$(seq $$n); do run alone $$s $$i 0 || exit 1; done; alone=$$(fastest alone $$s); \
		after=$$(base); \
		echo "waiter-sim $$s (GOMAXPROCS=1, fastest of $$n): $$(cat $$alone)"; \
		awk -v s=$$s -v ns=$$(nsof $$alone) -v b=$$before -v a=$$after 'BEGIN { \
			printf "waiter-sim %s: %.0f CPU ns/request = %.2fx the engine path measured before the run (%.1f ns), %.2fx after it (%.1f ns)\n", \
				s, ns, ns / b, b, ns / a, a}'; \
		pair $$s $$p pgo nopgo || exit 1; \
		pgo=$$(fastest pgo $$s); nopgo=$$(fastest nopgo $$s); \
		awk -v s=$$s -v on=$$(field cpu_seconds $$pgo) -v off=$$(field cpu_seconds $$nopgo) 'BEGIN { \
			printf "waiter-sim %s, side by side: %.2f CPU s with PGO, %.2f without = %.2fx faster", s, on, off, off / on; \
			if (off < 2) printf " (too short a run to tell)"}'; \
		same $$s nopgo || exit 1; \
		pair $$s $$p huge small || exit 1; \
		huge=$$(fastest huge $$s); small=$$(fastest small $$s); \
		awk -v s=$$s -v on=$$(nsof $$huge) -v off=$$(nsof $$small) -v fon=$$(field page_faults $$huge) -v foff=$$(field page_faults $$small) 'BEGIN { \
			printf "waiter-sim %s, side by side: %.0f CPU ns/request on huge pages, %.0f on small ones (WAITER_SIM_HUGE_PAGES=off) = %.2fx faster; %d page faults against %d", \
				s, on, off, off / on, fon, foff}'; \
		same $$s small || exit 1; \
		pair $$s $$p floor gogc || exit 1; \
		floor=$$(fastest floor $$s); gogc=$$(fastest gogc $$s); \
		awk -v s=$$s -v on=$$(nsof $$floor) -v off=$$(nsof $$gogc) -v ron=$$(field peak_rss_bytes $$floor) -v roff=$$(field peak_rss_bytes $$gogc) 'BEGIN { \
			printf "waiter-sim %s, side by side: %.0f CPU ns/request with the GC floor, %.0f with Go'"'"'s default (GOGC=100) = %.2fx faster; peak RSS %.0f MB against %.0f", \
				s, on, off, off / on, ron / 1e6, roff / 1e6}'; \
		same $$s gogc || exit 1; \
	done; rm -rf $$out

# pgo: cmd/waiter-sim/default.pgo, the CPU profile that go build and go
# run optimize waiter-sim with (profile-guided optimization, -pgo=auto):
# spike.yaml's and large.yaml's profiles, taken with a waiter-sim built
# without one, merged. Take it again when the simulator's hot path
# changes; make bench shows what it gains. The merged profile replaces
# default.pgo only once it is whole: an empty one would fail every build.
# (waiter has none. On the event-loop front, a profile of proxybench's
# three cases under load (-profile, merged) made its CPU per keep-alive
# request 7.5 % higher and its throughput 6 % lower, median of 20
# interleaved rounds' ratios against the same commit built without it
# (faster in 5 of 20, sign test p=0.04); a profile of keep-alive alone,
# 1.5 % higher (cheaper in 13 of 30 pairs): the request path is bound by
# cache misses across many small functions, which more inlining does
# not help.)
.PHONY: pgo
pgo:
	$(GO) build -pgo=off -o bin/waiter-sim-nopgo ./cmd/waiter-sim
	@out=$$(mktemp -d); for s in spike large; do \
		GOMAXPROCS=1 bin/waiter-sim-nopgo run scenarios/$$s.yaml --out $$out/$$s --cpu-profile $$out/$$s.pprof > /dev/null || exit 1; \
	done; $(GO) tool pprof -proto $$out/spike.pprof $$out/large.pprof > $$out/merged.pgo && \
	mv $$out/merged.pgo cmd/waiter-sim/default.pgo && rm -rf $$out

# fuzz: every Go fuzz target in the tree for FUZZTIME each (default 30s),
# one after another; prints each target's execs and whether it found a
# crasher, and fails if one did. `make test` already runs every target's
# seed corpus (f.Add seeds and testdata/fuzz/<Target>/) through go test.
# FUZZMINIMIZE bounds input minimization (default 2s); FUZZFLAGS passes
# extra flags (e.g. FUZZFLAGS=-parallel=1). See .ci/fuzz.
.PHONY: fuzz
FUZZTIME ?= 30s
FUZZMINIMIZE ?= 2s
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) FUZZMINIMIZE=$(FUZZMINIMIZE) FUZZFLAGS="$(FUZZFLAGS)" .ci/fuzz

# lint: gofmt, go.mod/go.sum tidy (both modules), go vet and staticcheck (pinned; fetched through the Go
# module proxy on first use and cached after).
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) mod tidy -diff
	cd test/knativediff && $(GO) mod tidy -diff
	$(GO) vet $(PKGS)
	$(GO) run $(STATICCHECK) $(PKGS)

# cross: go vet over the whole tree as built for the other platforms
# people run Waiter on: a developer's Mac (darwin/arm64; everything
# builds, and the shell scheduler, which follows its instances through
# Linux's /proc, refuses to start there and names the schedulers that
# run) and ARM servers (linux/arm64). Linux-only code sits behind build
# tags, and this is what keeps it there. Not in make test (about two
# minutes cold, compiling every dependency twice more); .ci/run runs it.
.PHONY: cross
cross:
	GOOS=darwin GOARCH=arm64 $(GO) vet $(PKGS)
	GOOS=linux GOARCH=arm64 $(GO) vet $(PKGS)

fmt:
	gofmt -w $$(find . -name '*.go' -not -path './vendor/*')

# report-screenshots: the browser test of the HTML reports, keeping a PNG
# of every page it opens (fixture run, compare and sweep, and each
# committed report) in SHOTS (default /tmp/report-screenshots).
.PHONY: report-screenshots
SHOTS ?= /tmp/report-screenshots
report-screenshots:
	mkdir -p $(SHOTS)
	REPORT_SCREENSHOTS=$(SHOTS) $(GO) test -count=1 -run TestReportsInABrowser ./sim/report/
	@echo "screenshots in $(SHOTS)"

# reports: regenerate the committed report of every scenario under reports/
# (waiter-sim leaves unchanged files alone); TestCommittedReportsAreFresh in
# cmd/waiter-sim fails when a fast scenario's report is stale.
.PHONY: reports
reports:
	$(GO) run ./cmd/waiter-sim reports --all

# fidelity: each fidelity scenario (a step, a cold start with idle
# removal, a burst; a few minutes each on 2 cores) run for real through
# its own waiter serve and kitchen FIDELITY_RUNS times and simulated, with
# the scenario's tolerances (exit 1 when one is missed); the reports,
# real-vs-real noise beside simulated-vs-real, go to
# reports/<scenario>/fidelity/. make test runs a one-minute check of the
# instance curves (test/fidelity). FIDELITY_MARATHON_SCENARIOS run again
# with the router on waiter-sim marathon (real processes), reports to
# reports/<scenario>/fidelity-marathon/.
.PHONY: fidelity
FIDELITY_RUNS ?= 2
FIDELITY_SCENARIOS ?= fidelity-step fidelity-cold-start fidelity-burst
FIDELITY_MARATHON_SCENARIOS ?= fidelity-step fidelity-cold-start
fidelity: build
	@status=0; for s in $(FIDELITY_SCENARIOS); do \
		bin/waiter-sim fidelity scenarios/$$s.yaml --runs $(FIDELITY_RUNS) --out reports/$$s/fidelity || status=1; \
	done; for s in $(FIDELITY_MARATHON_SCENARIOS); do \
		bin/waiter-sim fidelity scenarios/$$s.yaml --runs $(FIDELITY_RUNS) --scheduler marathon --out reports/$$s/fidelity-marathon || status=1; \
	done; exit $$status

# bench-proxy: not run in CI. Throughput and p50/p99 latency of the same
# kitchen reached directly, through nginx, haproxy, two bare Go proxies
# (fasthttp; gnet's event loops) and `waiter serve` (wrk
# -t2 -c64, interleaved rounds; keep-alive, a new connection per request,
# 1 MiB uploads), with the ratios, each proxy's CPU per request and
# Waiter's Go heap allocations per request, then Waiter's overhead on N cold starts
# (kitchen and a minimal Go backend). Needs wrk, nginx and haproxy
# (/usr/bin/wrk, /usr/sbin/nginx, /usr/sbin/haproxy). BENCHFLAGS passes
# flags, e.g. BENCHFLAGS='-base-waiter /path/to/main/waiter -rounds 5'
# (-profile DIR: a CPU profile of Waiter under each case's load).
.PHONY: bench-proxy
bench-proxy:
	$(GO) run ./test/bench/proxybench $(BENCHFLAGS)

# bench-memory: not run in CI. Resident memory per idle keep-alive
# connection of `waiter serve` against nginx's, in the same run (10,000
# connections, one request answered on each), then per known idle service
# (1,000 services of one minimal backend instance each; -services N), and
# that router's idle CPU against a restarted router's that adopted them.
.PHONY: bench-memory
bench-memory:
	$(GO) run ./test/bench/proxybench -only memory
