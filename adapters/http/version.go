package waiterhttp

import "runtime/debug"

// buildVersion is the short VCS revision the binary was built from, as
// Waiter's server and via headers carry its git sha ("waiter/1a2b3c4"),
// or "dev" when the build recorded none (go test, go run).
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 7 {
			return s.Value[:7]
		}
	}
	return "dev"
}
