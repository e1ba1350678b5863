package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// goMallocs is the Go heap allocations a Go server has made so far, from
// the go_memstats_mallocs_total of its Prometheus /metrics.
func goMallocs(metricsURL string) (float64, error) {
	return scrapeOne(metricsURL, "go_memstats_mallocs_total ")
}

// scrape reads the text url answers (Prometheus metrics, a profile's
// debug=1 text) and returns the number after each of prefixes that
// begins a line, by prefix.
func scrape(url string, prefixes ...string) (map[string]float64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	status, body, err := request(ctx, http.DefaultClient, http.MethodGet, url, nil, nil)
	if err != nil || status != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d %v", url, status, err)
	}
	got := map[string]float64{}
	for line := range strings.Lines(body) {
		for _, p := range prefixes {
			if v, ok := strings.CutPrefix(line, p); ok {
				n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil {
					return nil, fmt.Errorf("GET %s: %s: %w", url, strings.TrimSpace(p), err)
				}
				got[p] = n
			}
		}
	}
	return got, nil
}

// scrapeOne is scrape of one prefix, which must be there.
func scrapeOne(url, prefix string) (float64, error) {
	got, err := scrape(url, prefix)
	if err != nil {
		return 0, err
	}
	n, ok := got[prefix]
	if !ok {
		return 0, fmt.Errorf("GET %s: no %s", url, strings.TrimSpace(prefix))
	}
	return n, nil
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
