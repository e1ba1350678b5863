package scenario

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Nested aliases that expand to millions of load specs are refused before
// decoding, with the bound in the message; the bundled scenarios are far
// below it.
func TestAliasBombIsRefused(t *testing.T) {
	lines := []string{"duration: 1m", "services:", "  - name: a", "    load: &a0 {kind: constant, rate: 1}"}
	for i := 1; i <= 11; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 4), ", ")
		lines = append(lines, fmt.Sprintf("  - name: s%d", i), fmt.Sprintf("    load: &a%d {kind: sum, of: [%s]}", i, refs))
	}
	_, err := Parse("bomb.yaml", []byte(strings.Join(lines, "\n")))
	var se *Error
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "more than 100000 YAML nodes") {
		t.Fatalf("got %v, want a too-large error", err)
	}
	if _, err := Load("../../scenarios/faults.yaml"); err != nil {
		t.Fatalf("the largest bundled scenario is refused: %v", err)
	}
}
