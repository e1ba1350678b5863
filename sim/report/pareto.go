package report

// point is one run of a sweep on the cost-latency plane.
type point struct {
	Cost float64 // instance-hours
	P99  float64 // milliseconds
}

// paretoFront marks the points no other point dominates: none is at most
// as costly and at most as slow while strictly better on one of the two.
// Equal points are all on the front (neither dominates the other).
func paretoFront(pts []point) []bool {
	front := make([]bool, len(pts))
	for i, p := range pts {
		front[i] = true
		for j, q := range pts {
			if j != i && q.Cost <= p.Cost && q.P99 <= p.P99 && (q.Cost < p.Cost || q.P99 < p.P99) {
				front[i] = false
				break
			}
		}
	}
	return front
}
