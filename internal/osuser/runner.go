package osuser

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// Reasons a run-as-user cannot be used; an *Error wraps one of them.
var (
	// ErrNotPermitted means this process is not root, so it can start
	// processes as itself only.
	ErrNotPermitted = errors.New("this process cannot start processes as another user")
	// ErrLookupFailed means the account databases could not be read.
	ErrLookupFailed = errors.New("the account databases could not be read")
	// ErrUnreachable means the account cannot reach a folder it must
	// work in.
	ErrUnreachable = errors.New("a folder is not reachable by the user")
)

// Error says why a run-as-user cannot be used. Its message is meant for
// the client whose service it is, so it names the user and the problem
// and nothing else; Unwrap gives the reason (ErrUnknownUser,
// ErrNotPermitted, ErrLookupFailed or ErrUnreachable).
type Error struct {
	User   string
	Reason error
	msg    string
	cause  error
}

func (e *Error) Error() string { return e.msg }

// Unwrap gives the reason and, for a failed lookup, its cause.
func (e *Error) Unwrap() []error {
	if e.cause != nil {
		return []error{e.Reason, e.cause}
	}
	return []error{e.Reason}
}

// Runner is this process as a starter of other processes: which account
// it runs as and whether it may start processes as other accounts.
type Runner struct {
	// Self is the account of this process.
	Self Account
	// Privileged is true when the effective uid is 0: setuid, setgid and
	// setgroups are allowed, so any account can be used.
	Privileged bool
	// lookup finds accounts by name; Lookup unless a test replaces it.
	lookup func(name string) (Account, error)
}

// NewRunner describes the running process. When its uid has no passwd
// entry (some containers), its account is made up from the process's own
// ids and $USER and $HOME, as a login shell would have set them.
func NewRunner() Runner {
	self, err := Current()
	if err != nil {
		self = Account{Name: os.Getenv("USER"), UID: uint32(os.Getuid()), GID: uint32(os.Getgid()),
			Home: os.Getenv("HOME")}
		if self.Name == "" {
			self.Name = strconv.Itoa(os.Getuid())
		}
		groups, _ := os.Getgroups()
		for _, g := range groups {
			self.Groups = append(self.Groups, uint32(g))
		}
	}
	return Runner{Self: self, Privileged: os.Geteuid() == 0, lookup: Lookup}
}

// Resolve returns the account a process for run-as-user name runs as and
// the credential to start it with: nil when the process would run as
// this one does (name is empty, or names this process's own account).
// A name this process cannot use is an *Error.
func (r Runner) Resolve(name string) (Account, *syscall.Credential, error) {
	if name == "" || name == r.Self.Name {
		return r.Self, nil, nil
	}
	lookup := r.lookup
	if lookup == nil {
		lookup = Lookup
	}
	a, err := lookup(name)
	if err != nil {
		return Account{}, nil, err
	}
	if a.UID == r.Self.UID {
		// Another name of this same account: nothing to switch.
		return a, nil, nil
	}
	if !r.Privileged {
		return Account{}, nil, &Error{User: name, Reason: ErrNotPermitted,
			msg: fmt.Sprintf("the router runs as %s and cannot start processes as %s; run it as root to run services as other users",
				r.Self.Name, name)}
	}
	return a, &syscall.Credential{Uid: a.UID, Gid: a.GID, Groups: append([]uint32(nil), a.Groups...)}, nil
}
