package realrun

import (
	"testing"
	"time"
)

func TestStarvedJudgesTheLatestSend(t *testing.T) {
	run := &Result{Requests: []Request{
		{AtMS: 100, SentMS: 100.4},
		{AtMS: 200, SentMS: 530}, // 330 ms late: a busy machine, not a stall
		{AtMS: 300, SentMS: 300.1},
	}}
	if late, starved := Starved(run); starved || late != 330*time.Millisecond {
		t.Errorf("Starved = %v, %v; want 330ms, false", late, starved)
	}
	run.Requests = append(run.Requests, Request{AtMS: 127394, SentMS: 135651.9})
	late, starved := Starved(run)
	if !starved || late < 8257*time.Millisecond || late > 8258*time.Millisecond {
		t.Errorf("Starved = %v, %v; want 8.2579s, true", late, starved)
	}
	if late, starved := Starved(&Result{}); starved || late != 0 {
		t.Errorf("no requests: Starved = %v, %v; want 0, false", late, starved)
	}
}
