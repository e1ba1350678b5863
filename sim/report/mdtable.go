package report

import (
	"fmt"
	"io"
	"strings"
)

// mdTable writes a Markdown table. Columns of figures are right-aligned.
func mdTable(w io.Writer, header []string, rows [][]string) {
	fmt.Fprintf(w, "| %s |\n", strings.Join(mdCells(header), " | "))
	seps := make([]string, len(header))
	for i := range seps {
		seps[i] = "---"
		if numericColumn(rows, i) {
			seps[i] = "---:"
		}
	}
	fmt.Fprintf(w, "|%s|\n", strings.Join(seps, "|"))
	for _, r := range rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(mdCells(r), " | "))
	}
	fmt.Fprintln(w)
}

// numericColumn reports whether every cell of column i is a figure (starts
// with a digit, or is "-" for none).
func numericColumn(rows [][]string, i int) bool {
	if len(rows) == 0 {
		return false
	}
	for _, r := range rows {
		if i >= len(r) {
			return false
		}
		c := strings.TrimPrefix(r[i], "-")
		if r[i] != "-" && (c == "" || c[0] < '0' || c[0] > '9') {
			return false
		}
	}
	return true
}

// mdCells escapes cells: a pipe would end the cell, a newline the row.
func mdCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		c = strings.ReplaceAll(c, "|", `\|`)
		out[i] = strings.ReplaceAll(c, "\n", " ")
	}
	return out
}

// mdQuote writes text as a block quote, one paragraph per blank-line
// separated block.
func mdQuote(w io.Writer, text string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	for _, l := range strings.Split(text, "\n") {
		fmt.Fprintln(w, strings.TrimRight("> "+l, " "))
	}
	fmt.Fprintln(w)
}
