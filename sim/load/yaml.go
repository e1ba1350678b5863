package load

import (
	"errors"

	"github.com/waiter-go/waiter/sim/strictyaml"
)

// UnmarshalStrict decodes a spec: kind picks the process, every other key
// must be one of that kind's fields, and the values must pass Validate.
// Errors are *strictyaml.Error values naming the field path and line.
func (s *Spec) UnmarshalStrict(n strictyaml.Node) error {
	var out Spec
	if err := strictyaml.DecodeUnion(n, &out); err != nil {
		return err
	}
	if err := out.Validate(); err != nil {
		return located(err, n)
	}
	*s = out
	return nil
}

// located turns a *SpecError from validating the spec decoded from n into
// a *strictyaml.Error at the field it names.
func located(err error, n strictyaml.Node) error {
	var se *SpecError
	if !errors.As(err, &se) {
		return err
	}
	return n.ErrorAt(se.Field, "%s", se.Msg)
}
