package jwt

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lestrrat-go/jwx/v3/jwa"
)

// DefaultAlgorithms are accepted when the configuration names none: the
// asymmetric algorithms Waiter supports (RS256, EdDSA) and ES256.
var DefaultAlgorithms = []string{"RS256", "ES256", "EdDSA"}

// keyTypes maps every algorithm this package accepts to the JWK key type
// that can verify it. Symmetric (HS*) algorithms and "none" are absent on
// purpose: a JWKS holds public keys, and accepting HMAC would let anyone
// who has the public key sign tokens with it.
var keyTypes = map[string]jwa.KeyType{
	"RS256": jwa.RSA(), "RS384": jwa.RSA(), "RS512": jwa.RSA(),
	"PS256": jwa.RSA(), "PS384": jwa.RSA(), "PS512": jwa.RSA(),
	"ES256": jwa.EC(), "ES384": jwa.EC(), "ES512": jwa.EC(),
	"EdDSA": jwa.OKP(),
}

// SupportedAlgorithms lists the algorithm names a configuration may allow.
func SupportedAlgorithms() []string {
	out := make([]string, 0, len(keyTypes))
	for name := range keyTypes {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// algorithmSet is the allowed algorithms, by name.
type algorithmSet map[string]jwa.SignatureAlgorithm

// newAlgorithmSet checks names against the supported list and resolves
// them; every unsupported name is reported at once.
func newAlgorithmSet(names []string) (algorithmSet, error) {
	if len(names) == 0 {
		names = DefaultAlgorithms
	}
	set := algorithmSet{}
	var bad []string
	for _, n := range names {
		alg, known := jwa.LookupSignatureAlgorithm(n)
		if _, ok := keyTypes[n]; !ok || !known {
			bad = append(bad, fmt.Sprintf("%q", n))
			continue
		}
		set[n] = alg
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("algorithms: %s not allowed; choose from %s (symmetric HS* and none are never accepted)",
			strings.Join(bad, ", "), strings.Join(SupportedAlgorithms(), ", "))
	}
	return set, nil
}

// names is the sorted list of allowed algorithm names.
func (s algorithmSet) names() []string {
	out := make([]string, 0, len(s))
	for n := range s {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
