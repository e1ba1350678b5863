package main

import (
	"math"
	"slices"
	"time"
)

// summary is mean, median and 99th percentile of a sample.
type summary struct {
	n              int
	mean, p50, p99 time.Duration
}

func summarize(ds []time.Duration) summary {
	if len(ds) == 0 {
		return summary{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return summary{n: len(s), mean: sum / time.Duration(len(s)), p50: percentile(s, 0.50), p99: percentile(s, 0.99)}
}

// percentile of a sorted sample, nearest rank.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
