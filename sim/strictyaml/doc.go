// Package strictyaml decodes YAML into Go structs the way the simulator's
// scenario format wants it, and owns the rules that format shares:
//
//   - every key names a field by its yaml tag; a key that is another
//     spelling of a field (snake_case, camelCase) or an old name of it
//     (tag old:"...") is refused with a hint "use X";
//   - a field tagged required:"true" must be present;
//   - a time.Duration is written with a unit (5s, 200ms, 1h30m); a bare
//     number is refused with the unit-bearing spelling to use, except 0;
//   - numbers are finite (YAML's .nan and .inf are refused);
//   - a string type with EnumValues accepts only those values;
//   - every error is an *Error naming the field path
//     (services[0].startup) and the line.
//
// The same tags (yaml, doc, default, unit, required, old, kind) feed the
// generated reference of the format (see Fields), so what is decoded and
// what is documented cannot drift apart. yaml.v3 still parses the text;
// this package replaces only its decoding into Go values, whose errors
// name a line but not the field, and whose strict mode does not reach
// into values with their own unmarshaler.
package strictyaml
