package eventq

// far is a 4-ary min-heap stored inline in one slice: shallower than a
// binary heap (fewer cache misses on pop) and with no per-event
// allocation once the slice has grown to its peak length.

// popFar removes far's root.
func (q *Queue[T]) popFar() {
	last := len(q.far) - 1
	q.far[0] = q.far[last]
	// Clear the vacated slot so a popped payload holding pointers is not kept
	// alive by the slice's spare capacity.
	q.far[last] = Event[T]{}
	q.far = q.far[:last]
	if last > 0 {
		q.down(0)
	}
}

// up moves the element at i towards the root until its parent is not larger.
func (q *Queue[T]) up(i int) {
	items := q.far
	e := items[i]
	for i > 0 {
		p := (i - 1) / 4
		if !less(&e, &items[p]) {
			break
		}
		items[i] = items[p]
		i = p
	}
	items[i] = e
}

// down moves the element at i towards the leaves until no child is smaller.
func (q *Queue[T]) down(i int) {
	items := q.far
	n := len(items)
	e := items[i]
	for {
		first := 4*i + 1
		if first >= n {
			break
		}
		// Find the smallest of up to four children.
		m := first
		end := first + 4
		if end > n {
			end = n
		}
		for c := first + 1; c < end; c++ {
			if less(&items[c], &items[m]) {
				m = c
			}
		}
		if !less(&items[m], &e) {
			break
		}
		items[i] = items[m]
		i = m
	}
	items[i] = e
}
