package router

import (
	"context"
	"errors"
	"fmt"
	"testing"

	waiterhttp "github.com/waiter-go/waiter/adapters/http"
	"github.com/waiter-go/waiter/engine"
)

// Requests for services the engine refuses to create (a per-user limit)
// leave nothing behind in the driver, however many distinct ones come.
func TestRefusedServicesLeaveNoRecord(t *testing.T) {
	h := newHarnessWith(t, nil, func(c *Config) { c.Engine.MaxServicesPerUser = 1 })
	first := desc(t, engine.Params{"version": "kept"})
	g, err := h.d.Admit(context.Background(), waiterhttp.Admission{Description: first})
	if err != nil {
		t.Fatal(err)
	}
	h.d.Release(g, engine.OutcomeSuccess)
	for i := range 200 {
		d := desc(t, engine.Params{"version": fmt.Sprint("refused-", i)})
		_, err := h.d.Admit(context.Background(), waiterhttp.Admission{Description: d})
		var ee *engine.Error
		if !errors.As(err, &ee) || ee.Code != engine.CodeTooMany {
			t.Fatalf("request %d: %v, want the per-user limit", i, err)
		}
		h.d.Start(d)
	}
	var records int
	h.d.call(func() { records = len(h.d.services) + len(h.d.reqs) + len(h.d.waiters) })
	if records != 1 {
		t.Errorf("the driver keeps %d records, want the one service it runs", records)
	}
	if n := len(h.d.Services()); n != 1 {
		t.Errorf("%d services listed", n)
	}
}
