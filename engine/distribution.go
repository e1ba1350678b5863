package engine

import (
	"bytes"
	"crypto/md5"
	"sort"
)

// Distribution schemes (the distribution-scheme parameter, reference 4.3).
const (
	// SchemeBalanced spreads a service's slots evenly over the routers
	// (Waiter's evenly-distribute-slots-across-routers); the default.
	SchemeBalanced = "balanced"
	// SchemeSimple gives all of an instance's slots to its preferred
	// router (distribute-slots-across-routers): stable while scaling,
	// imbalance is left to work stealing.
	SchemeSimple = "simple"
)

// hrwScore is Waiter's md5-hash-function: md5(router-id + instance-id).
// Waiter compares the hex digests as strings, which orders them like the
// raw digests compared byte by byte.
func hrwScore(router, instance string) [md5.Size]byte {
	h := md5.New()
	h.Write([]byte(router))
	h.Write([]byte(instance))
	var s [md5.Size]byte
	h.Sum(s[:0])
	return s
}

// RankInstances is Waiter's consistent-hash-distribution (HRW): every
// instance scores every router with md5(router-id + instance-id); the
// lowest score is its preferred router (rank 0), the next rank 1, and so
// on. The result gives, per router, its instances of rank 0, 1, ...,
// len(routers)-1, each list in the order of instances (which the caller
// sorts like Waiter's sort-instances: started-at, then id). Score ties,
// which md5 makes vanishingly rare, go to the smaller router id.
func RankInstances(routers, instances []string) map[string][][]string {
	ranked := make(map[string][][]string, len(routers))
	for _, r := range routers {
		ranked[r] = make([][]string, len(routers))
	}
	type scored struct {
		router string
		score  [md5.Size]byte
	}
	scores := make([]scored, len(routers))
	for _, in := range instances {
		for i, r := range routers {
			scores[i] = scored{r, hrwScore(r, in)}
		}
		sort.Slice(scores, func(i, j int) bool {
			if c := bytes.Compare(scores[i].score[:], scores[j].score[:]); c != 0 {
				return c < 0
			}
			return scores[i].router < scores[j].router
		})
		for rank, s := range scores {
			ranked[s.router][rank] = append(ranked[s.router][rank], in)
		}
	}
	return ranked
}

// DistributeSlots is Waiter's distribute-slots-using-consistent-hash-
// distribution: which slots of a service's healthy instances each router
// owns, as router -> instance -> slots. instances must be sorted like
// Waiter's sort-instances (started-at, then id) and hold no duplicates;
// every router appears in the result, possibly with no slots. Every
// router computes the same answer from the same inputs.
//
// With "simple", each instance's concurrencyLevel slots go to its rank-0
// router. With "balanced" (and any other value), each router takes
// max(1, ceil(remaining slots / remaining routers)) slots, spread over as
// many instances as it can, preferring its higher-ranked ones; with
// fewer slots than routers an instance's slot is shared.
func DistributeSlots(routers, instances []string, concurrencyLevel int, scheme string) map[string]map[string]int {
	ranked := RankInstances(routers, instances)
	if scheme == SchemeSimple {
		return distributeSimple(ranked, concurrencyLevel)
	}
	return distributeBalanced(routers, instances, ranked, concurrencyLevel)
}

// distributeSimple is Waiter's distribute-slots-across-routers.
func distributeSimple(ranked map[string][][]string, cl int) map[string]map[string]int {
	out := make(map[string]map[string]int, len(ranked))
	for r, ranks := range ranked {
		m := map[string]int{}
		if len(ranks) > 0 {
			for _, in := range ranks[0] {
				m[in] = cl
			}
		}
		out[r] = m
	}
	return out
}

// distributeBalanced is Waiter's evenly-distribute-slots-across-routers.
// routers lists every router of ranked (its order does not matter).
func distributeBalanced(routers, instances []string, ranked map[string][][]string, cl int) map[string]map[string]int {
	if cl <= 0 {
		cl = 1
	}
	n := len(instances)
	// A router's weight reads its per-rank counts as digits in base n:
	// most rank-0 instances first, then most rank-1, ...; ties by id.
	weight := func(r string) int {
		v := 0
		for _, ids := range ranked[r] {
			v = v*n + len(ids)
		}
		return v
	}
	order := append([]string(nil), routers...)
	weights := make(map[string]int, len(order))
	for _, r := range order {
		weights[r] = weight(r)
	}
	sort.Slice(order, func(i, j int) bool {
		wi, wj := weights[order[i]], weights[order[j]]
		if wi != wj {
			return wi > wj
		}
		return order[i] < order[j]
	})
	available := make(map[string]int, n)
	for _, in := range instances {
		available[in] = cl
	}
	remaining := n * cl
	out := make(map[string]map[string]int, len(order))
	for counter, r := range order {
		target := max(1, ceilDiv(remaining, len(order)-counter))
		// The router's preference: its instances by rank, each rank's
		// list rotated by the router's position so that routers of equal
		// preference start on different instances.
		var prefs []string
		for _, ids := range ranked[r] {
			shift := 0
			if len(ids) > 0 {
				shift = counter % len(ids)
			}
			prefs = append(prefs, ids[shift:]...)
			prefs = append(prefs, ids[:shift]...)
		}
		mine := allocateSlots(target, available, instances, prefs)
		remaining = 0
		for _, in := range instances {
			available[in] = max(available[in]-mine[in], 0)
			remaining += available[in]
		}
		out[r] = mine
	}
	return out
}

// allocateSlots is Waiter's allocate-from-available-slots: take target
// slots from available, first an equal share of every instance that has
// slots left, then one at a time cycling through prefs; once no slot is
// left, share one slot of each of the first instances of prefs not yet
// taken. instances fixes the iteration order so the result is
// deterministic.
func allocateSlots(target int, available map[string]int, instances, prefs []string) map[string]int {
	withSlots := 0
	for _, in := range instances {
		if available[in] > 0 {
			withSlots++
		}
	}
	each := 0
	if withSlots > 0 {
		each = target / withSlots
	}
	mine := map[string]int{}
	left := map[string]int{}
	taken, free := 0, 0
	for _, in := range instances {
		k := min(available[in], each)
		if k > 0 {
			mine[in] = k
		}
		taken += k
		left[in] = max(available[in]-k, 0)
		free += left[in]
	}
	need := target - taken
	for i := 0; need > 0 && len(prefs) > 0; i++ {
		if free == 0 {
			for _, in := range prefs[:min(need, len(prefs))] {
				if _, ok := mine[in]; !ok {
					mine[in] = 1
				}
			}
			break
		}
		in := prefs[i%len(prefs)]
		if left[in] > 0 {
			mine[in]++
			left[in]--
			need--
			free--
		}
	}
	return mine
}

func ceilDiv(a, b int) int {
	if b <= 0 {
		return 0
	}
	return (a + b - 1) / b
}
