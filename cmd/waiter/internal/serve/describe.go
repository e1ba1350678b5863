package serve

import (
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// describer returns the description of a service from the store, with its
// overrides, so the driver can adopt services the scheduler still runs
// after a router restart.
func describer(store waiter.ServiceStore, opts engine.DescriptionOptions) func(string) (*engine.Description, bool) {
	return func(id string) (*engine.Description, bool) {
		core, err := store.GetServiceDescription(id)
		if err != nil {
			return nil, false
		}
		if ov, err := store.GetOverride(id); err == nil && len(ov.Overrides) > 0 {
			opts.Overrides = engine.NormalizeParams(ov.Overrides)
		}
		d, err := engine.NewDescription(engine.NormalizeParams(core), opts)
		if err != nil || d.ID != id {
			return nil, false
		}
		return d, true
	}
}
