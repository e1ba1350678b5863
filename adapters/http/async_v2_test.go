package waiterhttp

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/julienschmidt/httprouter"
)

// testdata/async_v2_golden.json holds Waiter's own route-params->uri
// (computed by Clojure, testdata/async_v2_golden.clj says how).
func TestAsyncV2URIMatchesWaiter(t *testing.T) {
	b, err := os.ReadFile("testdata/async_v2_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Case, Host, Proto, Location, Status, JSON string
		RequestID                                 string `json:"request-id"`
		RouterID                                  string `json:"router-id"`
		ServiceID                                 string `json:"service-id"`
		Port                                      int
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 4 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		ref := asyncRef{RequestID: c.RequestID, RouterID: c.RouterID, ServiceID: c.ServiceID, Host: c.Host, Port: c.Port}
		if got := asyncActionURI("status", ref, c.Proto, c.Location, ""); got != c.Status {
			t.Errorf("%s: uri\n got %s\nwant %s", c.Case, got, c.Status)
		}
		if c.Proto == "" {
			continue
		}
		raw, _ := base64.RawURLEncoding.DecodeString(encodeAsyncV2Data(ref, c.Proto))
		if string(raw) != c.JSON {
			t.Errorf("%s: json\n got %s\nwant %s", c.Case, raw, c.JSON)
		}
		d, err := decodeAsyncV2Data(encodeAsyncV2Data(ref, c.Proto))
		if err != nil || d.Host != c.Host || d.RouterID != c.RouterID || d.ServiceID != c.ServiceID || d.Proto != c.Proto {
			t.Errorf("%s: decoded %+v, %v", c.Case, d, err)
		}
	}
}

func TestAsyncV2Params(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	full := `{"host":"10.0.0.1","port":31000,"proto":"h2c","router-id":"r1","service-id":"s1"}`
	ps := func(data string) httprouter.Params {
		return httprouter.Params{{Key: "rid", Value: "id1"}, {Key: "data", Value: data}, {Key: "location", Value: "/st"}}
	}
	v1, herr := asyncV2Params(ps(enc(full)), false)
	if herr != nil {
		t.Fatal(herr)
	}
	for k, want := range map[string]string{"rid": "id1", "router": "r1", "sid": "s1", "host": "10.0.0.1",
		"port": "31000", "location": "/st", "proto": "h2c"} {
		if got := v1.ByName(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	// Padded base64 is Java's too; keys of the object win over the path's.
	padded := base64.URLEncoding.EncodeToString([]byte(`{"host":"h","port":"1","router-id":"r","service-id":"s","location":"/x","request-id":"id2"}`))
	v1, herr = asyncV2Params(ps(padded), false)
	if herr != nil || v1.ByName("location") != "/x" || v1.ByName("rid") != "id2" || v1.ByName("proto") != "" {
		t.Errorf("padded: %v %v", v1, herr)
	}
	for name, data := range map[string]string{
		"not base64":   "***",
		"not json":     enc("host=1"),
		"no host":      enc(`{"port":1,"router-id":"r","service-id":"s"}`),
		"no router-id": enc(`{"host":"h","port":1,"service-id":"s"}`),
		"bad proto":    enc(`{"host":"h","port":1,"router-id":"r","service-id":"s","proto":"gopher"}`),
	} {
		if _, herr := asyncV2Params(ps(data), false); herr == nil || herr.Status != http.StatusBadRequest {
			t.Errorf("%s: %v, want 400", name, herr)
		}
	}
	c, herr := asyncV2Params(httprouter.Params{{Key: "rid", Value: "id1"}, {Key: "data", Value: enc(full)}}, true)
	if herr != nil || c.ByName("sid") != "s1" || c.ByName("rid") != "id1" {
		t.Errorf("complete: %v %v", c, herr)
	}
	if _, herr := asyncV2Params(httprouter.Params{{Key: "rid", Value: "id1"}, {Key: "data", Value: enc(`{}`)}}, true); herr == nil {
		t.Error("complete without service-id accepted")
	}
}

// Waiter writes v2 only for an instance spoken to in another protocol
// than the service's backend-proto.
func TestAsyncURLProto(t *testing.T) {
	if p := asyncURLProto("http", "http"); p != "" {
		t.Errorf("same proto: %q", p)
	}
	if p := asyncURLProto("h2c", "http"); p != "h2c" {
		t.Errorf("other proto: %q", p)
	}
}
