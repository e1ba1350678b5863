#!/usr/bin/env bash
# build.sh: builds the real Kubernetes control plane the Kubernetes tests run
# against (kube-apiserver, kube-controller-manager and etcd) from the Go
# module proxy, once, into a git-ignored cache keyed by version:
#   $KUBE_CACHE (default <repo>/.cache/kube)/k8s-<version>-etcd-<version>/
# and prints that directory (with --path: prints it if the binaries are
# there, else fails without building). A second run with the same versions returns at
# once; a cold run takes ~12-25 minutes on 2 cores (the Go build cache makes
# a rebuild in a fresh clone much shorter).
#
# No Kubernetes distribution can be downloaded here, but k8s.io/kubernetes
# is on the module proxy. Its module zip has empty staging/ and vendor/
# placeholders and a go.work naming them, so the copy is edited: those are
# removed and each `k8s.io/X => ./staging/src/k8s.io/X` replace becomes a
# require of the published k8s.io/X at the matching v0.N.M release. etcd is
# built from go.etcd.io/etcd/server/v3 at the version Kubernetes' go.mod
# pins (Debian's etcd 3.4 lacks RequestWatchProgress: watches stall).
set -euo pipefail
KUBE_VERSION=${KUBE_VERSION:-v1.37.2}
repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${KUBE_CACHE:-$repo/.cache/kube}
go=${GO:-go}
export GOWORK=off GOFLAGS=-mod=mod

log() { echo "kube-build: $*" >&2; }

kdir=$(GOFLAGS= $go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$kdir" ] || { log "k8s.io/kubernetes@$KUBE_VERSION not downloaded"; exit 1; }
etcd_version=$(awk '$1=="go.etcd.io/etcd/server/v3"{print $2; exit}' "$kdir/go.mod")
[ -n "$etcd_version" ] || { log "no go.etcd.io/etcd/server/v3 in $kdir/go.mod"; exit 1; }
out=$cache/k8s-$KUBE_VERSION-etcd-$etcd_version
bins=(kube-apiserver kube-controller-manager etcd)
ok=1
for b in "${bins[@]}"; do [ -x "$out/$b" ] || ok=0; done
if [ $ok = 1 ]; then echo "$out"; exit 0; fi
if [ "${1:-}" = --path ]; then
	log "no Kubernetes binaries in $out: run \`make kube\` (builds them once, ~12-25 min cold)"
	exit 3
fi

start=$(date +%s)
staged=$(echo "$KUBE_VERSION" | sed 's/^v1\./v0./')
# A fixed folder and -trimpath keep the Go build cache's keys the same
# from one clone to the next, so a fresh clone relinks in about a minute
# instead of compiling everything again.
work="${TMPDIR:-/tmp}/waiter-kube-src-$KUBE_VERSION"
chmod -R u+w "$work" 2>/dev/null || true
rm -rf "$work"
mkdir -p "$work"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -r "$kdir/." "$work/"
chmod -R u+w "$work"
cd "$work"
rm -rf staging vendor go.work go.work.sum
edits=()
for m in $(awk '$2=="=>" && $3 ~ /^\.\/staging\/src\// {print $1}' go.mod); do
	edits+=("-dropreplace=$m" "-require=$m@$staged")
done
$go mod edit "${edits[@]}"
log "building kube-apiserver, kube-controller-manager $KUBE_VERSION and etcd $etcd_version in $work"
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(echo "$KUBE_VERSION" | cut -d. -f2) -X k8s.io/component-base/version.gitTreeState=clean"
mkdir -p "$out.tmp"
$go build -trimpath -ldflags "$ldflags" -o "$out.tmp/" ./cmd/kube-apiserver ./cmd/kube-controller-manager
$go build -trimpath -ldflags "-s -w" -o "$out.tmp/etcd" go.etcd.io/etcd/server/v3
rm -rf "$out" && mv "$out.tmp" "$out"
log "built in $(( $(date +%s) - start ))s"
echo "$out"
