package engine

import (
	"fmt"
	"reflect"
	"testing"

	"pgregory.net/rapid"
)

// TestRankInstancesGolden: md5(router-id + instance-id) ranks computed by
// hand (python3 hashlib over the same strings, sorted by hex digest).
func TestRankInstancesGolden(t *testing.T) {
	got := RankInstances([]string{"r1", "r2", "r3"}, []string{"i1", "i2", "i3", "i4", "i5", "i6"})
	want := map[string][][]string{
		"r1": {{"i2", "i5", "i6"}, {"i4"}, {"i1", "i3"}},
		"r2": {{"i3"}, {"i1", "i2", "i6"}, {"i4", "i5"}},
		"r3": {{"i1", "i4"}, {"i3", "i5"}, {"i2", "i6"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ranks\n got %v\nwant %v", got, want)
	}
}

// TestDistributeSlotsGolden follows Waiter's algorithm by hand on the
// md5 ranks above.
func TestDistributeSlotsGolden(t *testing.T) {
	routers := []string{"r1", "r2", "r3"}
	six := []string{"i1", "i2", "i3", "i4", "i5", "i6"}
	cases := []struct {
		name      string
		instances []string
		cl        int
		scheme    string
		want      map[string]map[string]int
	}{
		// weights 116 (r1), 86 (r3), 56 (r2): r1 takes 2 from its rank 0,
		// r3 takes its rank 0 rotated by 1, r2 its rank 0 then rank 1
		// rotated by 2.
		{"balanced 6x1", six, 1, SchemeBalanced, map[string]map[string]int{
			"r1": {"i2": 1, "i5": 1}, "r3": {"i4": 1, "i1": 1}, "r2": {"i3": 1, "i6": 1}}},
		{"simple 6x2", six, 2, SchemeSimple, map[string]map[string]int{
			"r1": {"i2": 2, "i5": 2, "i6": 2}, "r2": {"i3": 2}, "r3": {"i1": 2, "i4": 2}}},
		// Two slots, three routers: the last router shares i1.
		{"balanced 2x1 shared", []string{"i1", "i2"}, 1, SchemeBalanced, map[string]map[string]int{
			"r1": {"i2": 1}, "r3": {"i1": 1}, "r2": {"i1": 1}}},
		{"unknown scheme is balanced", []string{"i1", "i2"}, 1, "", map[string]map[string]int{
			"r1": {"i2": 1}, "r3": {"i1": 1}, "r2": {"i1": 1}}},
		{"no instances", nil, 1, SchemeBalanced, map[string]map[string]int{"r1": {}, "r2": {}, "r3": {}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := DistributeSlots(routers, c.instances, c.cl, c.scheme)
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %v\nwant %v", got, c.want)
			}
		})
	}
}

// TestDistributeBalancedWaiterCases are the cases of Waiter's
// test-evenly-distribute-slots-across-routers (maintainer_test.clj), fed
// the same rankings.
func TestDistributeBalancedWaiterCases(t *testing.T) {
	type m = map[string]map[string]int
	cases := []struct {
		name      string
		instances []string
		ranked    map[string][][]string
		cl        int
		want      m
	}{
		{"two partitioned, two routers, CL=1", []string{"a1", "b1"},
			map[string][][]string{"a": {{"a1"}, {"b1"}}, "b": {{"b1"}, {"a1"}}}, 1,
			m{"a": {"a1": 1}, "b": {"b1": 1}}},
		{"two instances, two routers, CL=2", []string{"a1", "a2"},
			map[string][][]string{"a": {{"a1", "a2"}, {}}, "b": {{}, {"a1", "a2"}}}, 2,
			m{"a": {"a1": 1, "a2": 1}, "b": {"a1": 1, "a2": 1}}},
		{"two instances, three routers, CL=1", []string{"a1", "a2"},
			map[string][][]string{"a": {{"a1", "a2"}, {}, {}}, "b": {{}, {"a1", "a2"}, {}}, "c": {{}, {}, {"a1", "a2"}}}, 1,
			m{"a": {"a1": 1}, "b": {"a2": 1}, "c": {"a1": 1}}},
		{"two partitioned, three routers, CL=1", []string{"a1", "b1"},
			map[string][][]string{"a": {{"a1"}, {"b1"}, {}}, "b": {{"b1"}, {"a1"}, {}}, "c": {{}, {"b1"}, {"a1"}}}, 1,
			m{"a": {"a1": 1}, "b": {"b1": 1}, "c": {"b1": 1}}},
		{"two instances, three routers, CL=2", []string{"a1", "a2"},
			map[string][][]string{"a": {{"a1", "a2"}, {}, {}}, "b": {{}, {"a1", "a2"}, {}}, "c": {{}, {}, {"a1", "a2"}}}, 2,
			m{"a": {"a1": 1, "a2": 1}, "b": {"a2": 1}, "c": {"a1": 1}}},
		{"two instances, three routers, CL=3", []string{"a1", "a2"},
			map[string][][]string{"a": {{"a1", "a2"}, {}, {}}, "b": {{}, {"a1", "a2"}, {}}, "c": {{}, {}, {"a1", "a2"}}}, 3,
			m{"a": {"a1": 1, "a2": 1}, "b": {"a1": 1, "a2": 1}, "c": {"a1": 1, "a2": 1}}},
		{"ten instances, three routers, CL=1",
			[]string{"a1", "a2", "a3", "a4", "a5", "b1", "b2", "b3", "c1", "c2"},
			map[string][][]string{
				"a": {{"a1", "a2", "a3", "a4", "a5"}, {"b3", "c2"}, {"b1", "b2", "c1"}},
				"b": {{"b1", "b2", "b3"}, {"a1", "a3", "a4", "a5", "c1"}, {"a2", "c2"}},
				"c": {{"c1", "c2"}, {"a2", "b1", "b2"}, {"a1", "a3", "a4", "a5", "b3"}}}, 1,
			m{"a": {"a1": 1, "a2": 1, "a3": 1, "a4": 1}, "b": {"b1": 1, "b2": 1, "b3": 1}, "c": {"c1": 1, "c2": 1, "a5": 1}}},
		{"five instances, three routers, CL=2", []string{"a1", "a2", "a3", "b1", "c1"},
			map[string][][]string{
				"a": {{"a1", "a2", "a3"}, {"b1"}, {"c1"}},
				"b": {{"b1"}, {"a1", "a3", "c1"}, {"a2"}},
				"c": {{"c1"}, {"a2"}, {"a1", "a3", "b1"}}}, 2,
			m{"a": {"a1": 1, "a2": 1, "a3": 1, "b1": 1}, "b": {"b1": 1, "a3": 1, "c1": 1}, "c": {"c1": 1, "a1": 1, "a2": 1}}},
		{"ten instances, three routers, CL=2",
			[]string{"a1", "a2", "a3", "a4", "a5", "b1", "b2", "b3", "c1", "c2"},
			map[string][][]string{
				"a": {{"a1", "a2", "a3", "a4", "a5"}, {"b3", "c2"}, {"b1", "b2", "c1"}},
				"b": {{"b1", "b2", "b3"}, {"a1", "a3", "a4", "a5", "c1"}, {"a2", "c2"}},
				"c": {{"c1", "c2"}, {"a2", "b1", "b2"}, {"a1", "a3", "a4", "a5", "b3"}}}, 2,
			m{"a": {"a1": 1, "a2": 1, "a3": 1, "a4": 1, "a5": 1, "b3": 1, "c2": 1},
				"b": {"b1": 1, "b2": 1, "b3": 1, "a3": 1, "a4": 1, "a5": 1, "c1": 1},
				"c": {"c1": 1, "c2": 1, "a1": 1, "a2": 1, "b1": 1, "b2": 1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var routers []string
			for r := range c.ranked {
				routers = append(routers, r)
			}
			got := distributeBalanced(routers, c.instances, c.ranked, c.cl)
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %v\nwant %v", got, c.want)
			}
		})
	}
}

func drawDistribution(t *rapid.T) (routers, instances []string, cl int) {
	nr := rapid.IntRange(1, 6).Draw(t, "routers")
	ni := rapid.IntRange(0, 20).Draw(t, "instances")
	for i := range nr {
		routers = append(routers, fmt.Sprintf("router-%d", i))
	}
	for i := range ni {
		instances = append(instances, fmt.Sprintf("svc.%d", i))
	}
	return routers, instances, rapid.IntRange(1, 5).Draw(t, "cl")
}

// TestDistributeSlotsProperties: every router gets an entry; an
// instance's slots are owned once (they sum to its concurrency level)
// unless the service has fewer slots than routers, when every router gets
// one shared slot; balanced totals differ by at most one; simple gives all
// of an instance to one router; the order routers are listed in does not
// matter.
func TestDistributeSlotsProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		routers, instances, cl := drawDistribution(t)
		scheme := rapid.SampledFrom([]string{SchemeBalanced, SchemeSimple}).Draw(t, "scheme")
		got := DistributeSlots(routers, instances, cl, scheme)
		if len(got) != len(routers) {
			t.Fatalf("%d routers in result, want %d", len(got), len(routers))
		}
		total := len(instances) * cl
		shared := scheme == SchemeBalanced && total > 0 && total < len(routers)
		per := map[string]int{}
		owners := map[string]int{}
		minR, maxR := total, 0
		for _, r := range routers {
			sum := 0
			for in, k := range got[r] {
				if k <= 0 || k > cl {
					t.Fatalf("router %s has %d slots of %s (cl %d)", r, k, in, cl)
				}
				if scheme == SchemeSimple && k != cl {
					t.Fatalf("simple: router %s has %d of %d slots of %s", r, k, cl, in)
				}
				per[in] += k
				owners[in]++
				sum += k
			}
			minR, maxR = min(minR, sum), max(maxR, sum)
		}
		for _, in := range instances {
			switch {
			case shared && per[in] < cl:
				t.Fatalf("instance %s: %d slots assigned, want at least %d", in, per[in], cl)
			case !shared && per[in] != cl:
				t.Fatalf("instance %s: %d slots assigned, want exactly %d", in, per[in], cl)
			}
		}
		if scheme == SchemeBalanced && total > 0 {
			if shared && minR != 1 {
				t.Fatalf("shared: a router has %d slots, want 1 each", minR)
			}
			if !shared && maxR-minR > 1 {
				t.Fatalf("balanced: router totals from %d to %d", minR, maxR)
			}
		}
		rev := append([]string(nil), routers...)
		for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
			rev[i], rev[j] = rev[j], rev[i]
		}
		if again := DistributeSlots(rev, instances, cl, scheme); !reflect.DeepEqual(again, got) {
			t.Fatalf("router order changed the result")
		}
	})
}

// TestDistributeSimpleStable: with "simple", adding an instance moves no
// existing instance to another router.
func TestDistributeSimpleStable(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		routers, instances, cl := drawDistribution(t)
		before := DistributeSlots(routers, instances, cl, SchemeSimple)
		after := DistributeSlots(routers, append(instances, "svc.new"), cl, SchemeSimple)
		for _, r := range routers {
			for in, k := range before[r] {
				if after[r][in] != k {
					t.Fatalf("instance %s moved off %s when one was added", in, r)
				}
			}
		}
	})
}
