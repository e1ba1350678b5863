package kubernetes

import "github.com/waiter-go/waiter/internal/e2ekit"

// kitchenService describes this suite's kitchen with Waiter's defaults
// plus extra parameters (header names without the x-waiter- prefix).
func kitchenService(extra map[string]string) e2ekit.Service {
	return e2ekit.KitchenService(bins.kitchen, extra)
}
