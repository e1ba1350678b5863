package engine

import "time"

// maxConcurrencySamples bounds a service's unread samples: passes read
// them every scaling interval, so the bound only matters for a driver
// that stopped stepping the engine for an hour.
const maxConcurrencySamples = 3600

// sampleBefore takes the once-a-second concurrency samples due strictly
// before now, just before the service's outstanding count changes at now:
// nothing changed since the previous change, so the current count is the
// count at each of those seconds. Cheap when no second has passed.
func (s *service) sampleBefore(now time.Time) {
	if s.sampleNext.IsZero() || !s.sampleNext.Before(now) {
		return
	}
	v := float64(s.outstanding())
	for s.sampleNext.Before(now) {
		s.pushSample(v)
	}
}

// sampleThrough takes the samples due at or before now (a scaling pass,
// after the events at now).
func (s *service) sampleThrough(now time.Time) {
	if s.sampleNext.IsZero() {
		return
	}
	v := float64(s.outstanding())
	for !s.sampleNext.After(now) {
		s.pushSample(v)
	}
}

func (s *service) pushSample(v float64) {
	if len(s.samples) == maxConcurrencySamples {
		n := copy(s.samples, s.samples[1:])
		s.samples = s.samples[:n]
	}
	s.samples = append(s.samples, v)
	s.sampleNext = s.sampleNext.Add(time.Second)
}

// startSampling starts the sampling grid at now (a scaler was created).
func (s *service) startSampling(now time.Time) {
	s.samples = s.samples[:0]
	s.sampleNext = now
}
