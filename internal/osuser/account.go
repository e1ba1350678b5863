package osuser

import (
	"errors"
	"fmt"
	"os/user"
	"strconv"
)

// Account is an OS user that processes can run as, with what a login
// would give it: its primary group, its supplementary groups and its home.
type Account struct {
	Name string
	UID  uint32
	GID  uint32
	// Groups are every group the account belongs to (the primary one
	// included), as setgroups(2) takes them.
	Groups []uint32
	// Home is the home folder from the passwd entry.
	Home string
}

// ErrUnknownUser means no account of that name exists on this host.
var ErrUnknownUser = errors.New("user does not exist on this host")

// Lookup reads the account name from the passwd and group databases. An
// account that does not exist, or databases that cannot be read, are an
// *Error.
func Lookup(name string) (Account, error) {
	u, err := user.Lookup(name)
	if err != nil {
		var unknown user.UnknownUserError
		if errors.As(err, &unknown) {
			return Account{}, &Error{User: name, Reason: ErrUnknownUser,
				msg: "run-as-user " + name + " does not exist on this host"}
		}
		return Account{}, &Error{User: name, Reason: ErrLookupFailed, cause: err,
			msg: fmt.Sprintf("run-as-user %s could not be looked up: %v", name, err)}
	}
	a, err := fromUser(u)
	if err != nil {
		return Account{}, &Error{User: name, Reason: ErrLookupFailed, cause: err,
			msg: fmt.Sprintf("run-as-user %s could not be looked up: %v", name, err)}
	}
	return a, nil
}

// Current is the account this process runs as (its real uid).
func Current() (Account, error) {
	u, err := user.Current()
	if err != nil {
		return Account{}, fmt.Errorf("osuser: the account of this process: %w", err)
	}
	return fromUser(u)
}

func fromUser(u *user.User) (Account, error) {
	uid, err := parseID(u.Uid)
	if err != nil {
		return Account{}, fmt.Errorf("uid %q: %w", u.Uid, err)
	}
	gid, err := parseID(u.Gid)
	if err != nil {
		return Account{}, fmt.Errorf("gid %q: %w", u.Gid, err)
	}
	ids, err := u.GroupIds()
	if err != nil {
		return Account{}, fmt.Errorf("its groups: %w", err)
	}
	a := Account{Name: u.Username, UID: uid, GID: gid, Home: u.HomeDir}
	a.Groups = make([]uint32, 0, len(ids)+1)
	seenPrimary := false
	for _, s := range ids {
		g, err := parseID(s)
		if err != nil {
			return Account{}, fmt.Errorf("group id %q: %w", s, err)
		}
		seenPrimary = seenPrimary || g == gid
		a.Groups = append(a.Groups, g)
	}
	if !seenPrimary {
		a.Groups = append(a.Groups, gid)
	}
	return a, nil
}

func parseID(s string) (uint32, error) {
	v, err := strconv.ParseUint(s, 10, 32)
	return uint32(v), err
}

// InGroup reports whether gid is one of a's groups.
func (a Account) InGroup(gid uint32) bool {
	for _, g := range a.Groups {
		if g == gid {
			return true
		}
	}
	return a.GID == gid
}
