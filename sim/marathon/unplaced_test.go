package marathon

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestUnplacedCountsWaitingTasks checks the count placeWaiting relies on
// to skip its walk: after any mix of creates, scales, kills, deletes,
// lost agents and time passing on a cluster too small for every task, it
// equals the tasks waiting for room.
func TestUnplacedCountsWaitingTasks(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := newTestModel(2, 3, 1024)
		var now time.Duration
		apps := []string{"a", "b", "c"}
		app := rapid.SampledFrom(apps)
		t.Repeat(map[string]func(*rapid.T){
			"create": func(t *rapid.T) {
				_, _ = m.CreateApp(now, spec(app.Draw(t, "app"), rapid.IntRange(0, 4).Draw(t, "n")))
			},
			"scale": func(t *rapid.T) {
				_ = m.ScaleApp(now, app.Draw(t, "app"), rapid.IntRange(0, 5).Draw(t, "n"), rapid.Bool().Draw(t, "force"))
			},
			"kill": func(t *rapid.T) {
				a := m.App(app.Draw(t, "app"))
				if a == nil || len(a.Tasks) == 0 {
					return
				}
				tk := a.Tasks[rapid.IntRange(0, len(a.Tasks)-1).Draw(t, "task")]
				_ = m.KillTask(now, a.Spec.ID, tk.ID, rapid.Bool().Draw(t, "scale"), true)
			},
			"delete": func(t *rapid.T) { _ = m.DeleteApp(now, app.Draw(t, "app")) },
			"lose":   func(t *rapid.T) { m.LoseAgent(now, rapid.SampledFrom([]string{"a", "b"}).Draw(t, "agent")) },
			"advance": func(t *rapid.T) {
				now += time.Duration(rapid.IntRange(0, 10_000).Draw(t, "ms")) * time.Millisecond
				m.Advance(now)
			},
			"": func(t *rapid.T) {
				waiting := 0
				for _, a := range m.Apps() {
					for _, tk := range a.Tasks {
						if tk.State == TaskWaiting {
							waiting++
						}
					}
				}
				if m.unplaced != waiting {
					t.Fatal(fmt.Sprintf("unplaced %d, tasks waiting %d", m.unplaced, waiting))
				}
			},
		})
	})
}
