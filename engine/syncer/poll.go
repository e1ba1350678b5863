package syncer

import (
	"sort"
	"time"
)

// pollState is the schedule of full observations.
type pollState struct {
	// at is the announced time of the next poll; pending while it has
	// not started.
	at      time.Time
	pending bool
	// inflight: a poll started and has not reported; again: a poll was
	// asked for meanwhile, so the next starts as soon as this one ends.
	inflight bool
	again    bool
}

// Start returns the first poll, due at now.
func (s *Syncer) Start(now time.Time) []Action {
	s.out = s.out[:0]
	s.pollNow(now)
	return s.out
}

// PollStarted tells the syncer that a full observation starts now and
// returns its number, which Observed and PollDone take.
func (s *Syncer) PollStarted(now time.Time) uint64 {
	s.poll.pending, s.poll.inflight = false, true
	s.seq++
	return s.seq
}

// ObservationStarted numbers an observation of one service (after the
// scheduler announced a change) that starts now.
func (s *Syncer) ObservationStarted(now time.Time) uint64 {
	s.seq++
	return s.seq
}

// PollDone ends poll seq. Unless it failed (err), every service the
// router knows or deleted that the poll did not list (listed is false) is
// observed absent, which the lost-service and tombstone rules judge. A
// service the driver observed present in poll seq (Observed) was listed:
// listed is asked only of the others (with a thousand services, a lookup
// by id each that the driver just did for the observation).
// Then the next poll is announced: after PollInterval, FastPollInterval
// while requests wait, or at once if one was asked for meanwhile.
func (s *Syncer) PollDone(now time.Time, seq uint64, err error, listed func(id string) bool) []Action {
	s.out = s.out[:0]
	if err == nil {
		var missing []string
		// Every record listed in this poll: none is missing, and the
		// walk of the map (a thousand services at every poll, fast ones
		// while requests wait) is skipped.
		if s.listedPoll != seq || s.listedCount != len(s.services) {
			for id, rec := range s.services {
				if rec.listedSeq != seq && !listed(id) {
					missing = append(missing, id)
				}
			}
		}
		for id := range s.tombstones {
			if s.services[id] == nil && !listed(id) { // a re-created one was seen above
				missing = append(missing, id)
			}
		}
		sort.Strings(missing) // deterministic event order
		for _, id := range missing {
			s.observeAbsent(now, seq, id)
		}
	}
	s.poll.inflight = false
	next := now.Add(s.cfg.PollInterval)
	if s.urgent {
		next = now.Add(s.cfg.FastPollInterval)
	}
	if s.poll.again {
		s.poll.again, next = false, now
	}
	s.announcePoll(next)
	return s.out
}

// pollNow asks for a poll as soon as possible: at once, or right after
// the one in flight.
func (s *Syncer) pollNow(now time.Time) {
	switch {
	case s.poll.inflight:
		s.poll.again = true
	case s.poll.pending && !s.poll.at.After(now):
		// one is due already
	default:
		s.announcePoll(now)
	}
}

func (s *Syncer) announcePoll(at time.Time) {
	s.poll.at, s.poll.pending = at, true
	s.out = append(s.out, Action{Kind: ActPollAt, At: at})
}

// NextPoll returns when the next poll is due, and false while one runs.
func (s *Syncer) NextPoll() (time.Time, bool) { return s.poll.at, s.poll.pending }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// noteListed records that poll seq listed rec, counting it once for
// PollDone (see listedCount). A count restarts with each poll number it
// meets; one that met an older poll in between only falls short, and a
// short count only means the walk.
func (s *Syncer) noteListed(rec *record, seq uint64) {
	if rec.listedSeq == seq {
		return
	}
	rec.listedSeq = seq
	if s.listedPoll != seq {
		s.listedPoll, s.listedCount = seq, 0
	}
	s.listedCount++
}
