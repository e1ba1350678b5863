package engine

import (
	"sort"
	"strings"
)

// AuthenticationDisabled is the value of the "authentication" parameter
// that lets requests reach a service without authenticating.
const AuthenticationDisabled = "disabled"

// DisablesAuthentication reports whether the tokens a request names turn
// authentication off for it. Waiter honours authentication "disabled"
// only from tokens (merged left to right) that, with the router's
// defaults, describe a runnable service anyone may invoke: permitted-user
// "*" and every required parameter (token_validator.clj; reference 2.1
// and 7.3). They must also name the user the service runs as: with
// nobody authenticated there is no requester to run as. The router's
// defaults never disable it on their own.
func DisablesAuthentication(tokens []Params, defaults Params) bool {
	merged := Params{}
	for k, v := range NormalizeParams(defaults) {
		merged[k] = v
	}
	disabled := false
	for _, t := range tokens {
		for k, v := range t {
			merged[k] = v
		}
		if a, ok := t["authentication"].(string); ok {
			disabled = a == AuthenticationDisabled
		}
	}
	return disabled && len(disabledAuthenticationProblems(merged)) == 0
}

// DisabledAuthenticationProblems says why a token that sets
// authentication "disabled" may not (the router's defaults may supply
// required parameters); nil when it may, or when it does not try.
func DisabledAuthenticationProblems(token Params, defaults Params) []FieldError {
	if a, _ := token["authentication"].(string); a != AuthenticationDisabled {
		return nil
	}
	merged := Params{}
	for k, v := range NormalizeParams(defaults) {
		merged[k] = v
	}
	for k, v := range token {
		merged[k] = v
	}
	return disabledAuthenticationProblems(merged)
}

func disabledAuthenticationProblems(p Params) []FieldError {
	var errs []FieldError
	if pu, _ := p["permitted-user"].(string); pu != "*" {
		errs = append(errs, FieldError{Field: "permitted-user", Rule: "authentication-disabled",
			Message: "Tokens with authentication disabled must specify permitted-user as *, instead provided " + quote(pu)})
	}
	if ru, _ := p["run-as-user"].(string); ru == "" || ru == "*" {
		errs = append(errs, FieldError{Field: "run-as-user", Rule: "authentication-disabled",
			Message: "Tokens with authentication disabled must name the run-as-user: no requester is authenticated to run as"})
	}
	var missing []string
	for _, name := range requiredParams {
		if _, ok := p[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		errs = append(errs, FieldError{Field: "authentication", Rule: "authentication-disabled",
			Message: "Tokens with authentication disabled must specify all required parameters (missing: " + strings.Join(missing, ", ") + ")"})
	}
	return errs
}
