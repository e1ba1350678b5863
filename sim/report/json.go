package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/waiter-go/waiter/sim"
)

// WriteJSON writes rep as indented JSON with a trailing newline. The bytes
// are stable: sim.Report holds no wall-clock figure and encoding/json sorts
// map keys.
func WriteJSON(w io.Writer, rep *sim.Report) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return fmt.Errorf("report: encode JSON: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("report: write JSON: %w", err)
	}
	return nil
}
