package headername

// Cache is a small cache in front of the process's table, for one
// goroutine (an event loop, whose heads come in a few shapes again and
// again): a name sent in another case than its canonical one (clients
// send x-waiter-token, or all their names, in lower case) is found by
// comparing its bytes with the name last kept in its slot, not by
// hashing it into the table's map, about 25 ns a name. A name canonical
// as sent is checked as Canonical checks it, and not kept. The zero
// value is empty and ready; it is about 2 KB, so one per loop, not per
// connection.
type Cache struct {
	slots [cacheSlots]interned
}

// cacheSlots is how many names a Cache keeps: one per slot, the slot
// chosen by Slot.
const cacheSlots = 64

// Canonical is Canonical(name) (not empty), through c.
func (c *Cache) Canonical(name string) string {
	e := &c.slots[Slot(name)%cacheSlots]
	if e.sent == name {
		return e.canon
	}
	if isCanonical(name) {
		return name
	}
	// The slot keeps the sent name's own copy, never name itself: name is
	// cut from a head, whose whole chunk a kept substring keeps alive.
	*e = names.lookup(name)
	return e.canon
}

// Slot is a cheap hash of a name (not empty): its length and two of its
// bytes, enough to tell apart most names one head sends (the x-waiter-*
// names differ in length or in their middle or last byte). Its weights
// were chosen so that, modulo 64, the names of proxybench's heads all
// differ and 35 common request names (x-waiter-* parameters, content-*,
// accept-*, tracing) share a slot three times.
func Slot(name string) uint {
	return 3*uint(len(name)) + 7*uint(name[len(name)/2]) + uint(name[len(name)-1])
}
