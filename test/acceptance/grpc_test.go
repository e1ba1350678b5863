package acceptance

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Ports of grpc_test.clj with grpc-go as the client and the kitchen's gRPC
// service (gRPC's interop TestService) as the backend, reached over h2c
// (backend-proto h2c): unary and streaming calls in both directions,
// trailers, the backend's statuses, and the router's own errors as gRPC
// statuses.

// grpcClient dials the router's plain port with h2c (grpc-go's insecure
// credentials) and returns the TestService client.
func grpcClient(t *testing.T, rt *router) grpc_testing.TestServiceClient {
	t.Helper()
	u, err := url.Parse(rt.url)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(u.Host, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("grpc.NewClient %s: %v", u.Host, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return grpc_testing.NewTestServiceClient(conn)
}

// grpcService is an on-the-fly h2c kitchen; its headers go in each
// call's metadata, with the suite's bearer token unless anonymous.
func grpcService(t *testing.T, extra map[string]string) map[string]string {
	h := map[string]string{"x-waiter-name": randName(t), "x-waiter-backend-proto": "h2c", "x-waiter-concurrency-level": "4"}
	for k, v := range extra {
		h[k] = v
	}
	return kitchenHeaders(h)
}

func grpcCtx(t *testing.T, headers map[string]string, anonymous bool) context.Context {
	t.Helper()
	md := metadata.MD{}
	for k, v := range headers {
		md.Set(strings.ToLower(k), v)
	}
	if !anonymous {
		md.Set("authorization", bearer)
	}
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	t.Cleanup(cancel)
	return metadata.NewOutgoingContext(ctx, md)
}

func TestGRPCUnaryCall(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := grpcService(t, nil)
	rt.cleanupService(t, rt.serviceIDOf(t, h))
	c := grpcClient(t, rt)

	var header, trailer metadata.MD
	resp, err := c.UnaryCall(grpcCtx(t, h, false), &grpc_testing.SimpleRequest{Payload: &grpc_testing.Payload{Body: []byte("hello grpc")}},
		grpc.Header(&header), grpc.Trailer(&trailer))
	if err != nil {
		t.Fatalf("UnaryCall through the router: %v", err)
	}
	if string(resp.GetPayload().GetBody()) != "hello grpc" {
		t.Errorf("payload %q, want the echo of \"hello grpc\"", resp.GetPayload().GetBody())
	}
	if got := trailer.Get("x-kitchen-trailer"); len(got) != 1 || got[0] != "done" {
		t.Errorf("trailer x-kitchen-trailer = %v, want [done] (trailers must pass through)", got)
	}
	if len(header.Get("x-cid")) == 0 || len(header.Get("x-waiter-backend-id")) == 0 {
		t.Errorf("response headers %v lack the router's x-cid and debug headers", header)
	}

	// The backend's own failure reaches the client as its status.
	_, err = c.UnaryCall(grpcCtx(t, h, false), &grpc_testing.SimpleRequest{
		ResponseStatus: &grpc_testing.EchoStatus{Code: int32(codes.FailedPrecondition), Message: "not now, 100% busy"}})
	if st := status.Convert(err); st.Code() != codes.FailedPrecondition || st.Message() != "not now, 100% busy" {
		t.Errorf("backend status: %v, want FailedPrecondition \"not now, 100%% busy\"", err)
	}
}

func TestGRPCStreamingCalls(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := grpcService(t, nil)
	rt.cleanupService(t, rt.serviceIDOf(t, h))
	c := grpcClient(t, rt)

	t.Run("server streaming", func(t *testing.T) {
		params := make([]*grpc_testing.ResponseParameters, 5)
		for i := range params {
			params[i] = &grpc_testing.ResponseParameters{Size: int32(1000 * (i + 1)), IntervalUs: 300_000}
		}
		stream, err := c.StreamingOutputCall(grpcCtx(t, h, false), &grpc_testing.StreamingOutputCallRequest{ResponseParameters: params})
		if err != nil {
			t.Fatal(err)
		}
		var arrived []time.Time
		for i := 0; ; i++ {
			m, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("message %d: %v", i, err)
			}
			if len(m.GetPayload().GetBody()) != 1000*(i+1) {
				t.Errorf("message %d: %d bytes, want %d", i, len(m.GetPayload().GetBody()), 1000*(i+1))
			}
			arrived = append(arrived, time.Now())
		}
		if len(arrived) != 5 {
			t.Fatalf("%d messages, want 5", len(arrived))
		}
		// Sent 300 ms apart: the router passes each on as it comes. A
		// router that held them would deliver all five at once; the bound
		// is a quarter of the 1.2 s, because a client goroutine starved on
		// a loaded runner may take the first late (CI saw 245 ms of 400,
		// and once all five at once, with messages 100 ms apart).
		if spread := arrived[4].Sub(arrived[0]); spread < 300*time.Millisecond {
			t.Errorf("messages arrived within %v, want them streamed as the backend sent them (1.2 s apart)", spread)
		}
		if got := stream.Trailer().Get("x-kitchen-trailer"); len(got) != 1 {
			t.Errorf("trailer after a stream: %v", stream.Trailer())
		}
	})
	t.Run("client streaming", func(t *testing.T) {
		stream, err := c.StreamingInputCall(grpcCtx(t, h, false))
		if err != nil {
			t.Fatal(err)
		}
		for range 20 {
			if err := stream.Send(&grpc_testing.StreamingInputCallRequest{Payload: &grpc_testing.Payload{Body: make([]byte, 1000)}}); err != nil {
				t.Fatal(err)
			}
		}
		resp, err := stream.CloseAndRecv()
		if err != nil || resp.GetAggregatedPayloadSize() != 20000 {
			t.Errorf("aggregated size %d, %v; want 20000", resp.GetAggregatedPayloadSize(), err)
		}
	})
	t.Run("bidirectional", func(t *testing.T) {
		stream, err := c.FullDuplexCall(grpcCtx(t, h, false))
		if err != nil {
			t.Fatal(err)
		}
		// Each answer arrives before the next message is sent: both
		// directions are open at once through the router.
		for i := range 5 {
			msg := []byte(strings.Repeat("x", i+1))
			if err := stream.Send(&grpc_testing.StreamingOutputCallRequest{Payload: &grpc_testing.Payload{Body: msg}}); err != nil {
				t.Fatalf("send %d: %v", i, err)
			}
			got, err := stream.Recv()
			if err != nil || string(got.GetPayload().GetBody()) != string(msg) {
				t.Fatalf("echo %d: %q %v, want %q", i, got.GetPayload().GetBody(), err, msg)
			}
		}
		if err := stream.CloseSend(); err != nil {
			t.Fatal(err)
		}
		if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
			t.Errorf("after CloseSend: %v, want the end of the stream", err)
		}
	})
}

// The router's own errors are gRPC statuses for gRPC clients
// (add-grpc-status-headers): 401 is UNAUTHENTICATED, a queue timeout
// UNAVAILABLE with Waiter's message, and grpc-timeout is the queue
// timeout of a call that sets no x-waiter-queue-timeout.
func TestGRPCRouterErrors(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	c := grpcClient(t, rt)

	h := grpcService(t, nil)
	_, err := c.UnaryCall(grpcCtx(t, h, true), &grpc_testing.SimpleRequest{})
	if st := status.Convert(err); st.Code() != codes.Unauthenticated {
		t.Errorf("a call without credentials: %v, want Unauthenticated", err)
	}

	// A header the router refuses: INVALID_ARGUMENT with its reason.
	bad := grpcService(t, map[string]string{"x-waiter-concurrency-level": "0"})
	_, err = c.UnaryCall(grpcCtx(t, bad, false), &grpc_testing.SimpleRequest{})
	if st := status.Convert(err); st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), "concurrency-level") {
		t.Errorf("an invalid concurrency-level: %v, want InvalidArgument naming it", err)
	}

	// A service that never turns healthy.
	never := grpcService(t, map[string]string{"x-waiter-cmd": "exec sleep 600", "x-waiter-queue-timeout": "1000"})
	rt.cleanupService(t, rt.serviceIDOf(t, never))
	_, err = c.UnaryCall(grpcCtx(t, never, false), &grpc_testing.SimpleRequest{})
	if st := status.Convert(err); st.Code() != codes.Unavailable || !strings.Contains(st.Message(), "no instance available") {
		t.Errorf("a call that timed out in the queue: %v, want Unavailable with Waiter's message", err)
	}

	// grpc-timeout, sent as a client would (grpc-go sets it from the
	// context's deadline, then gives up itself; a raw HTTP/2 call shows
	// what the router does with it).
	delete(never, "x-waiter-queue-timeout")
	never["content-type"], never["te"], never["grpc-timeout"] = "application/grpc", "trailers", "1S"
	start := time.Now()
	resp, body := sendVia(t, h2cClient(), rt.url, http.MethodPost, "/grpc.testing.TestService/UnaryCall", never)
	took := time.Since(start)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("grpc-status") != "14" || body != "" {
		t.Errorf("grpc-timeout 1S: %s grpc-status %q body %q, want 503, 14 and no body", resp.Status, resp.Header.Get("grpc-status"), body)
	}
	if msg := resp.Header.Get("grpc-message"); !strings.Contains(msg, "no instance available") {
		t.Errorf("grpc-message %q, want Waiter's queue timeout message", msg)
	}
	if took < time.Second || took > 10*time.Second {
		t.Errorf("answered after %v, want the 1 s grpc-timeout plus 100 ms (the router's queue timeout is 60 s)", took)
	}
}

// Deadlines and cancellations (grpc_test.clj): a call whose deadline
// passes while the backend works, or a stream the client cancels, ends
// at the client and frees its slot on the router at once; the instance
// is not blamed for it.
func TestGRPCDeadlineAndCancellation(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := grpcService(t, nil)
	id := rt.serviceIDOf(t, h)
	rt.cleanupService(t, id)
	c := grpcClient(t, rt)
	if _, err := c.UnaryCall(grpcCtx(t, h, false), &grpc_testing.SimpleRequest{}); err != nil {
		t.Fatalf("warm-up call: %v", err)
	}

	ctx, cancel := context.WithTimeout(metadata.AppendToOutgoingContext(grpcCtx(t, h, false), "x-kitchen-delay-ms", "10000"), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.UnaryCall(ctx, &grpc_testing.SimpleRequest{})
	if st := status.Convert(err); st.Code() != codes.DeadlineExceeded {
		t.Errorf("a call past its deadline: %v, want DeadlineExceeded", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("the call with a 500 ms deadline took %v", took)
	}
	waitOutstanding(t, rt, id, 0)

	sctx, scancel := context.WithCancel(grpcCtx(t, h, false))
	stream, err := c.FullDuplexCall(sctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&grpc_testing.StreamingOutputCallRequest{Payload: &grpc_testing.Payload{Body: []byte("x")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	waitOutstanding(t, rt, id, 1)
	scancel()
	waitOutstanding(t, rt, id, 0)

	// Not ejected by the client's deadline or cancellation: the next
	// call is served at once.
	start = time.Now()
	if _, err := c.UnaryCall(grpcCtx(t, h, false), &grpc_testing.SimpleRequest{}); err != nil {
		t.Fatalf("a call after the deadline and the cancellation: %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the next call took %v: was the instance ejected?", took)
	}
	// The router's own socket timeout (x-waiter-timeout) is
	// DEADLINE_EXCEEDED with Waiter's message (and ejects the instance:
	// last).
	slow := metadata.AppendToOutgoingContext(grpcCtx(t, h, false), "x-kitchen-delay-ms", "10000", "x-waiter-timeout", "500")
	_, err = c.UnaryCall(slow, &grpc_testing.SimpleRequest{})
	if st := status.Convert(err); st.Code() != codes.DeadlineExceeded || st.Message() != "Request to service backend timed out" {
		t.Errorf("a call past the router's socket timeout: %v, want DeadlineExceeded \"Request to service backend timed out\"", err)
	}
	waitOutstanding(t, rt, id, 0)
}

// The server exits in the middle of a stream (grpc_test.clj's server
// exits): the client's stream fails at once rather than hang, and the
// router frees its slot.
func TestGRPCServerExitsMidStream(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := grpcService(t, nil)
	id := rt.serviceIDOf(t, h)
	rt.cleanupService(t, id)
	c := grpcClient(t, rt)
	stream, err := c.FullDuplexCall(grpcCtx(t, h, false))
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&grpc_testing.StreamingOutputCallRequest{Payload: &grpc_testing.Payload{Body: []byte("x")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	rt.kitchenAt(http.MethodPost, "/die", h, nil) // its own answer is a 502; what matters is the stream
	start := time.Now()
	_, err = stream.Recv()
	if err == nil {
		t.Fatal("the stream went on after its server died")
	}
	// assert-grpc-server-exit-status: any of these three.
	if st := status.Convert(err); st.Code() != codes.Canceled && st.Code() != codes.Internal && st.Code() != codes.Unavailable {
		t.Errorf("stream after the server died: %v, want CANCELLED, INTERNAL or UNAVAILABLE", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the stream failed %v after its server died", took)
	}
	waitOutstanding(t, rt, id, 0)
}

// gRPC over TLS end to end: the client on the router's TLS listener
// (ALPN h2), the service an h2 backend (kitchen --tls).
func TestGRPCOverTLSToH2Backend(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := grpcService(t, map[string]string{"x-waiter-backend-proto": "h2", "x-waiter-cmd": kitchenCmd("-p $PORT0 --tls")})
	rt.cleanupService(t, rt.serviceIDOf(t, h))
	conn, err := grpc.NewClient(strings.TrimPrefix(rt.tlsURL(), "https://"),
		grpc.WithTransportCredentials(credentials.NewTLS(clientTLS())))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	c := grpc_testing.NewTestServiceClient(conn)

	var header, trailer metadata.MD
	resp, err := c.UnaryCall(grpcCtx(t, h, false), &grpc_testing.SimpleRequest{Payload: &grpc_testing.Payload{Body: []byte("tls")}},
		grpc.Header(&header), grpc.Trailer(&trailer))
	if err != nil || string(resp.GetPayload().GetBody()) != "tls" {
		t.Fatalf("UnaryCall over TLS to an h2 backend: %v %v", resp, err)
	}
	if got := header.Get("x-waiter-internal-protocol"); len(got) != 1 || got[0] != "HTTP/2.0" {
		t.Errorf("x-waiter-internal-protocol %v, want HTTP/2.0", got)
	}
	if got := trailer.Get("x-kitchen-trailer"); len(got) != 1 || got[0] != "done" {
		t.Errorf("trailer %v, want x-kitchen-trailer: done", trailer)
	}
	stream, err := c.FullDuplexCall(grpcCtx(t, h, false))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := stream.Send(&grpc_testing.StreamingOutputCallRequest{Payload: &grpc_testing.Payload{Body: []byte{byte('a' + i)}}}); err != nil {
			t.Fatal(err)
		}
		if got, err := stream.Recv(); err != nil || string(got.GetPayload().GetBody()) != string(rune('a'+i)) {
			t.Fatalf("echo %d: %v %v", i, got, err)
		}
	}
	_ = stream.CloseSend()
}
