package waiterhttp

import (
	"runtime"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"
)

// buildInfo is the waiter_build_info gauge: always 1, its labels say what
// runs (the version the router reports in its headers, the module's
// version, the VCS commit and whether the tree was modified, the Go
// release), so a dashboard can tell which routers run which build.
func buildInfo(version string) prometheus.Collector {
	module, revision, modified := "(unknown)", "", ""
	if info, ok := debug.ReadBuildInfo(); ok {
		module = info.Main.Version
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
	}
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "waiter_build_info",
		Help: "Always 1; the labels name the build: version (as in the server header), module version, VCS revision, whether the tree was modified, Go release.",
		ConstLabels: prometheus.Labels{"version": version, "module_version": module, "revision": revision,
			"modified": modified, "go_version": runtime.Version()},
	})
	g.Set(1)
	return g
}
