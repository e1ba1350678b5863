//go:build linux

package loopfront

import (
	"testing"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/internal/rawio"
)

// A panic while the loop takes one mail of its copy must not lose the
// mails after it (an admission's grant travels in one): they go back to
// the head of the mailbox, before any posted since, and the loop is
// woken to take them.
func TestRequeuedMailKeepsItsOrderAheadOfNewMail(t *testing.T) {
	l, err := newLoop(&Front{edge: handingEdge{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.epfile.Close(); _ = rawClose(l.evfd) })
	grant := func(n uint64) mail { return mail{seq: n, grant: waiter.Grant{Instance: "i"}} }
	l.box = []mail{grant(1), grant(2), grant(3)}
	l.mail = []mail{grant(4)}
	l.requeueMail(2) // the panic came with mail 2 (index 1)
	var got []uint64
	for _, m := range l.mail {
		got = append(got, m.seq)
	}
	if len(got) != 2 || got[0] != 3 || got[1] != 4 {
		t.Errorf("mailbox after the requeue: seqs %v, want [3 4]", got)
	}
	if len(l.box) != 0 || l.box[:cap(l.box)][1].seq != 0 {
		t.Errorf("the loop's copy still holds %d mails, or the one that panicked", len(l.box))
	}
	var b [8]byte
	if n, e := rawio.ReadFD(l.evfd, b[:]); n != 8 || e != 0 || b[0] != 1 {
		t.Errorf("the loop was not woken: read %d %v %v", n, b, e)
	}
}
