package waiter_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/waiter-go/waiter"
)

// A damaged record's error names the record and the damage, with no
// adapter's prefix (the HTTP edge shows it to clients), and is
// ErrCorruptRecord however a store wraps it.
func TestCorruptRecordError(t *testing.T) {
	err := fmt.Errorf("bolt: get token: %w", &waiter.CorruptRecordError{Record: `token "app"`, Problem: "checksum mismatch"})
	var cr *waiter.CorruptRecordError
	if !errors.Is(err, waiter.ErrCorruptRecord) || !errors.As(err, &cr) {
		t.Fatalf("wrapped corrupt record is not ErrCorruptRecord: %v", err)
	}
	if got := cr.Error(); got != `corrupt record: token "app": checksum mismatch` {
		t.Errorf("text %q", got)
	}
	if errors.Is(err, waiter.ErrTokenNotFound) {
		t.Error("a corrupt record reads as a missing token")
	}
}

// A soft-deleted token reads as a missing one.
func TestTokenDeletedIsNotFound(t *testing.T) {
	if !errors.Is(fmt.Errorf("%w: %q", waiter.ErrTokenDeleted, "t"), waiter.ErrTokenNotFound) {
		t.Error("ErrTokenDeleted does not wrap ErrTokenNotFound")
	}
}
