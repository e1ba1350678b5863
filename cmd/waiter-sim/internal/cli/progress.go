package cli

import (
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// bar shows a run's progress through virtual time on stderr.
type bar struct{ pb *progressbar.ProgressBar }

// barSteps is the resolution of the bar: the simulator reports progress
// in hundredths.
const barSteps = 100

// progress returns a bar when stderr is a terminal, nil otherwise: a bar
// in a log file or a pipe is noise, and tests see none.
func (e *env) progress(label string) *bar {
	f, ok := e.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &bar{pb: progressbar.NewOptions(barSteps,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription(label),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(40),
	)}
}

func (b *bar) update(done float64) { _ = b.pb.Set(int(done * barSteps)) }

func (b *bar) done() { _ = b.pb.Finish() }
