package waiterhttp

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/julienschmidt/httprouter"
)

// Waiter's async API version 2 (route-params->uri and
// unpack-async-v2-request-data in async_request.clj, the /v2 routes of
// core.clj). v1 spells the instance in the path:
//
//	/waiter-async/<action>/<request-id>/<router-id>/<service-id>/<host>/<port><location>
//
// v2 packs it into one segment, the URL-safe unpadded base64 of a JSON
// object, so that it can also carry the protocol to talk to the instance in:
//
//	/waiter-async/v2/<action>/<request-id>/<request-data><location>
//	request-data = b64url({"host":..,"port":..,"proto":..,"router-id":..,"service-id":..})
//
// Waiter writes v2 only when the instance's request protocol differs from
// the service's backend-proto (its Kubernetes scheduler's per-port
// protocols); a v2 status URL's 303 gets a v2 result URL with the same
// proto, and a v2 call talks to the instance in that proto. This router's
// schedulers always talk to an instance in its backend-proto, so, as Waiter
// with them, it hands out v1 URLs; it follows both.

// asyncV2Data is the decoded request-data segment. Waiter merges every key
// of the JSON object over the route's parameters, so "request-id" and
// "location" in it win over the path's.
type asyncV2Data struct {
	Host      string
	Port      string
	Proto     string
	RouterID  string
	ServiceID string
	RequestID string // only when the object names one
	Location  string // only when the object names one
}

// asyncV2URI is Waiter's v2 route for an action on an async request whose
// instance is spoken to in proto (route-params->uri with :proto set).
// location starts with a slash.
func asyncV2URI(action string, ref asyncRef, proto, location, query string) string {
	var b strings.Builder
	b.WriteString("/waiter-async/v2/")
	b.WriteString(action)
	b.WriteByte('/')
	b.WriteString(url.QueryEscape(ref.RequestID))
	b.WriteByte('/')
	b.WriteString(encodeAsyncV2Data(ref, proto))
	b.WriteString(location)
	if query != "" {
		b.WriteByte('?')
		b.WriteString(query)
	}
	return b.String()
}

// encodeAsyncV2Data is utils/b64-url-json-encode of the route parameters
// without location and request-id: the array map {:host :port :proto
// :router-id :service-id} in that order, written by clojure.data.json
// (slashes unescaped, non-ASCII as \uXXXX), port a number, then base64
// URL-safe without padding.
func encodeAsyncV2Data(ref asyncRef, proto string) string {
	var b []byte
	b = append(b, `{"host":`...)
	b = appendClojureJSONString(b, ref.Host)
	b = append(b, `,"port":`...)
	b = strconv.AppendInt(b, int64(ref.Port), 10)
	b = append(b, `,"proto":`...)
	b = appendClojureJSONString(b, proto)
	b = append(b, `,"router-id":`...)
	b = appendClojureJSONString(b, ref.RouterID)
	b = append(b, `,"service-id":`...)
	b = appendClojureJSONString(b, ref.ServiceID)
	b = append(b, '}')
	return base64.RawURLEncoding.EncodeToString(b)
}

// appendClojureJSONString writes s as clojure.data.json's write-str does
// with :escape-slash false and its default :escape-unicode true.
func appendClojureJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"':
			b = append(b, `\"`...)
		case r == '\\':
			b = append(b, `\\`...)
		case r == '\b':
			b = append(b, `\b`...)
		case r == '\f':
			b = append(b, `\f`...)
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r == '\t':
			b = append(b, `\t`...)
		case r >= 0x20 && r < 0x7f:
			b = append(b, byte(r))
		default:
			units := []rune{r}
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				units = []rune{r1, r2}
			}
			for _, u := range units {
				b = append(b, '\\', 'u', hex[u>>12&0xf], hex[u>>8&0xf], hex[u>>4&0xf], hex[u&0xf])
			}
		}
	}
	return append(b, '"')
}

// decodeAsyncV2Data reads a request-data segment (b64-url-json-decode:
// Java's URL decoder takes it with or without padding).
func decodeAsyncV2Data(seg string) (asyncV2Data, error) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return asyncV2Data{}, fmt.Errorf("request data is not URL-safe base64: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return asyncV2Data{}, fmt.Errorf("request data is not a JSON object: %w", err)
	}
	str := func(k string) string {
		switch v := m[k].(type) {
		case string:
			return v
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return ""
	}
	return asyncV2Data{Host: str("host"), Port: str("port"), Proto: str("proto"), RouterID: str("router-id"),
		ServiceID: str("service-id"), RequestID: str("request-id"), Location: str("location")}, nil
}

// asyncV2Params turns a v2 route's parameters into the v1 route's (and
// "proto"), so one handler serves both. A segment that does not decode, or
// lacks what names the instance, is the client's error: 400, where Waiter
// (which lets the decoder's exception through) answers 500.
func asyncV2Params(ps httprouter.Params, complete bool) (httprouter.Params, *Error) {
	d, err := decodeAsyncV2Data(ps.ByName("data"))
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Message: "Invalid async request data in uri", Cause: err}
	}
	rid, location := ps.ByName("rid"), ps.ByName("location")
	if d.RequestID != "" {
		rid = d.RequestID
	}
	if d.Location != "" {
		location = d.Location
	}
	if complete {
		if d.ServiceID == "" {
			return nil, &Error{Status: http.StatusBadRequest, Message: "No service-id specified"}
		}
		return httprouter.Params{{Key: "rid", Value: rid}, {Key: "sid", Value: d.ServiceID}}, nil
	}
	if d.Host == "" || d.Port == "" || d.RouterID == "" || d.ServiceID == "" || rid == "" || location == "" {
		return nil, &Error{Status: http.StatusBadRequest, ServiceID: d.ServiceID,
			Message: "Missing host, location, port, request-id, router-id or service-id in uri"}
	}
	if d.Proto != "" && !backendProtos[d.Proto] {
		return nil, &Error{Status: http.StatusBadRequest, ServiceID: d.ServiceID,
			Message: "Unknown proto " + strconv.Quote(d.Proto) + " in async request data (http, https, h2c or h2)"}
	}
	return httprouter.Params{{Key: "rid", Value: rid}, {Key: "router", Value: d.RouterID},
		{Key: "sid", Value: d.ServiceID}, {Key: "host", Value: d.Host}, {Key: "port", Value: d.Port},
		{Key: "location", Value: location}, {Key: "proto", Value: d.Proto}}, nil
}

// backendProtos are the protocols an instance is spoken to in.
var backendProtos = map[string]bool{"http": true, "https": true, "h2c": true, "h2": true}

// asyncV2 adapts a v1 async handler to the v2 route.
func (s *Server) asyncV2(h httprouter.Handle, complete bool) httprouter.Handle {
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
		v1, herr := asyncV2Params(ps, complete)
		if herr != nil {
			s.writeError(w, r, herr)
			return
		}
		h(w, r, v1)
	}
}

// asyncActionURI is the router's URL for an action on an async request,
// in the version the request came in: v2 when it names a proto.
func asyncActionURI(action string, ref asyncRef, proto, location, query string) string {
	if proto != "" {
		return asyncV2URI(action, ref, proto, location, query)
	}
	return asyncURI(action, ref, location, query)
}

// routeAsyncV2 adds the v2 routes beside v1's, with the same methods.
func (s *Server) routeAsyncV2(rt *httprouter.Router) {
	for _, m := range []string{http.MethodGet, http.MethodDelete} {
		rt.Handle(m, "/waiter-async/v2/status/:rid/:data/*location", s.asyncV2(s.handleAsyncStatus, false))
	}
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodHead} {
		rt.Handle(m, "/waiter-async/v2/result/:rid/:data/*location", s.asyncV2(s.handleAsyncResult, false))
	}
	rt.GET("/waiter-async/v2/complete/:rid/:data", s.asyncV2(s.handleAsyncComplete, true))
}

// asyncURLProto is the proto a router URL for an async request carries:
// none (v1) when the instance is spoken to in the service's backend-proto,
// else the instance's (post-process-async-request-response).
func asyncURLProto(instanceProto, backendProto string) string {
	if instanceProto == backendProto {
		return ""
	}
	return instanceProto
}
