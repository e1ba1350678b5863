package waiterhttp

import "testing"

// Each field of an answer is kept, dropped or refused (the answer then
// takes Answer's map) as answerHead and the server's framing treat it.
func TestRelayKindOf(t *testing.T) {
	cases := []struct {
		name, value string
		want        relayKind
	}{
		{"X-Custom", "v", relayKeep},
		{"set-cookie", "a=1", relayKeep},
		{"Content-Length", "5", relayKeep},
		{"content-TYPE", "text/plain", relayType},
		{"DATE", "Mon, 02 Jan 2006 15:04:05 GMT", relayDate},
		{"Connection", "close", relayDrop},
		{"connection", " Keep-Alive , close ", relayDrop},
		{"Connection", "close, X-Secret", relayRefuse}, // it names a field to drop
		{"Keep-Alive", "timeout=5", relayDrop},
		{"proxy-authenticate", "Basic", relayDrop},
		{"Transfer-Encoding", "identity", relayDrop},
		{"Trailer", "X-T", relayDrop},
		{"Upgrade", "h2c", relayDrop},
		{"x-cid", "theirs", relayDrop}, // the router's replaces it
		{"Via", "1.0 upstream", relayRefuse},
		{"X-Space", "a\u00a0", relayRefuse}, // the server's TrimSpace would trim it
		{"X-Space", "\u00a0a", relayRefuse},
		{"X-Mid", "a\u00a0b", relayKeep},
		{"X-Empty", "", relayKeep},
	}
	for _, c := range cases {
		if got := relayKindOf([]byte(c.name), []byte(c.value)); got != c.want {
			t.Errorf("%s: %q: %d, want %d", c.name, c.value, got, c.want)
		}
	}
}
