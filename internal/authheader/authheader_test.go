package authheader

import (
	"net/http"
	"testing"
)

func TestCredential(t *testing.T) {
	for _, c := range []struct {
		values []string
		want   string
	}{
		{nil, ""},
		{[]string{"Bearer abc"}, "abc"},
		{[]string{"bearer  abc "}, "abc"},
		{[]string{"Basic x, Bearer abc"}, "abc"},
		{[]string{"Basic x", "Bearer abc"}, "abc"},
		{[]string{"Bearerabc"}, ""},
		{[]string{"Bearer"}, ""},
		{[]string{"Negotiate abc"}, ""},
	} {
		h := http.Header{"Authorization": c.values}
		if got := Credential(h, "Bearer"); got != c.want {
			t.Errorf("Credential(%q) = %q, want %q", c.values, got, c.want)
		}
	}
}
