package acceptance

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Service ids byte-compatible with Waiter's when a client spells its
// x-waiter-* header names in mixed case: with few headers Waiter's env and
// metadata order is the order of Jetty's HashSet of the names as sent,
// which net/http's canonical names lose. The router's HTTP/1.1 listener
// keeps them (internal/h1guard); here they go over a raw socket exactly as
// a real Jetty and Waiter's own code saw them
// (engine/testdata/jetty_header_case_golden.clj), pipelined on one
// connection so that each request must get its own names.
func TestServiceIDsOfMixedCaseHeadersMatchWaiter(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	b, err := os.ReadFile("../../engine/testdata/jetty_header_case_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Headers  [][2]string `json:"headers"`
		Tokens   []string    `json:"tokens"`
		RingSize int         `json:"ring-size"`
		ID       string      `json:"id"`
		IDLower  string      `json:"id-lower"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	token := tokenName(t)
	rt.cleanupToken(t, token)
	body := `{"token":` + strconv.Quote(token) + `,` + strings.TrimPrefix(cases[0].Tokens[0], "{")
	expectStatus(t, rt.request(http.MethodPost, "/token", map[string]string{"content-type": "application/json"},
		strings.NewReader(body)), http.StatusOK)

	var raw strings.Builder
	var want []string
	caseMatters := 0
	for _, c := range cases {
		// The Authorization header the router needs is one more name in
		// Jetty's set and the ring map: only requests that stay within 8
		// ring headers with it keep Jetty's order.
		if c.RingSize > 7 || len(c.Tokens) != 1 || c.Tokens[0] != cases[0].Tokens[0] {
			continue
		}
		raw.WriteString("GET /service-id HTTP/1.1\r\n")
		for _, kv := range c.Headers {
			if strings.EqualFold(kv[0], "x-waiter-token") {
				kv[1] = token
			}
			raw.WriteString(kv[0] + ": " + kv[1] + "\r\n")
		}
		raw.WriteString("Authorization: " + bearer + "\r\n\r\n")
		want = append(want, c.ID)
		if c.ID != c.IDLower {
			caseMatters++
		}
	}
	if len(want) < 20 || caseMatters < 5 {
		t.Fatalf("%d cases, %d where the case of the names changes the id: too few", len(want), caseMatters)
	}

	conn, err := net.Dial("tcp", strings.TrimPrefix(rt.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(requestTimeout))
	if _, err := io.WriteString(conn, raw.String()); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	for i, id := range want {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(got)) != id {
			t.Errorf("request %d: %d %s, Waiter's id %s", i, resp.StatusCode, got, id)
		}
	}
}
