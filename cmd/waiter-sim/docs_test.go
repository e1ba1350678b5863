package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestScenarioReferenceIsFresh fails when docs/scenario.md is not what
// `waiter-sim docs scenario` prints now: the Go types of the format
// changed without the page. Regenerate it with
// go run ./cmd/waiter-sim docs scenario > docs/scenario.md
func TestScenarioReferenceIsFresh(t *testing.T) {
	code, stdout, stderr := sim(t, "docs", "scenario")
	if code != 0 {
		t.Fatalf("docs scenario: exit %d: %s", code, stderr)
	}
	committed, err := os.ReadFile(filepath.Join("..", "..", "docs", "scenario.md"))
	if err != nil {
		t.Fatalf("the committed reference: %v", err)
	}
	if string(committed) != stdout {
		t.Fatal("docs/scenario.md is stale: run 'go run ./cmd/waiter-sim docs scenario > docs/scenario.md' and commit it")
	}
}

func TestDocsWantsATopic(t *testing.T) {
	for _, args := range [][]string{{"docs"}, {"docs", "everything"}, {"docs", "scenario", "more"}} {
		if code, stdout, stderr := sim(t, args...); code != 2 || stdout != "" || stderr == "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and a usage message", args, code, stdout, stderr)
		}
	}
}
