package load

import "errors"

func asSpecError(err error, target **SpecError) bool { return errors.As(err, target) }
