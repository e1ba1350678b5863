package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// goMallocs is the Go heap allocations a Go server has made so far, from
// the go_memstats_mallocs_total of its Prometheus /metrics.
func goMallocs(metricsURL string) (float64, error) {
	status, body, err := request(context.Background(), http.DefaultClient, http.MethodGet, metricsURL, nil, nil)
	if err != nil || status != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %d %v", metricsURL, status, err)
	}
	for line := range strings.Lines(body) {
		if v, ok := strings.CutPrefix(line, "go_memstats_mallocs_total "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, fmt.Errorf("GET %s: no go_memstats_mallocs_total", metricsURL)
}

// mallocCounter counts a Go server's allocations over a run, less what
// reading its /metrics twice costs (measured by two reads in a row, just
// before): what its requests cost, and its background work, which is
// small against thousands of requests a second.
type mallocCounter struct {
	url           string
	start, scrape float64
}

func startMallocs(metricsURL string) (*mallocCounter, error) {
	a, err := goMallocs(metricsURL)
	if err != nil {
		return nil, err
	}
	b, err := goMallocs(metricsURL)
	if err != nil {
		return nil, err
	}
	return &mallocCounter{url: metricsURL, start: b, scrape: b - a}, nil
}

// since is the allocations since start.
func (m *mallocCounter) since() (float64, error) {
	now, err := goMallocs(m.url)
	if err != nil {
		return 0, err
	}
	return max(now-m.start-m.scrape, 0), nil
}
