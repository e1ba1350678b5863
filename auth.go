package waiter

// AuthError is a refused credential, whichever authenticator refused it.
// Reason is safe to show the client; Challenges are the www-authenticate
// values the 401 offers; Scheme names the authenticator in logs ("jwt",
// "kerberos"); Err is the underlying cause, for logs only.
type AuthError struct {
	Scheme     string
	Reason     string
	Challenges []string
	Err        error
}

func (e *AuthError) Error() string {
	msg := e.Reason
	if e.Scheme != "" {
		msg = e.Scheme + ": " + msg
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *AuthError) Unwrap() error { return e.Err }
