package kitchen

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// The kitchen's gRPC service, the part of Waiter's courier test app the
// router's tests need: gRPC's own interop TestService
// (grpc.testing.TestService, generated code shipped with
// google.golang.org/grpc), served on the kitchen's port to HTTP/2
// requests with a gRPC content type (h2c, or h2 with --tls), beside the
// kitchen's HTTP endpoints, which keep answering health checks. Unary,
// server-, client- and bidirectional streaming calls are all there;
// metadata "x-kitchen-delay-ms" delays a unary call, a unary call's
// response_status makes it fail with that status, and every call sends
// the trailer "x-kitchen-trailer: done".

// grpcService implements grpc.testing.TestService.
type grpcService struct {
	grpc_testing.UnimplementedTestServiceServer
}

func newGRPCServer() *grpc.Server {
	s := grpc.NewServer()
	grpc_testing.RegisterTestServiceServer(s, grpcService{})
	return s
}

// isGRPCRequest reports a gRPC call: HTTP/2 with a gRPC content type.
func isGRPCRequest(r *http.Request) bool {
	return r.ProtoMajor == 2 && strings.HasPrefix(r.Header.Get("Content-Type"), "application/grpc")
}

// withGRPC sends gRPC calls to g and everything else to h.
func withGRPC(h http.Handler, g *grpc.Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isGRPCRequest(r) {
			g.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func trailerDone(ctx context.Context) {
	_ = grpc.SetTrailer(ctx, metadata.Pairs("x-kitchen-trailer", "done"))
}

// statusOf is the error a request's response_status asks for (nil for OK).
func statusOf(s *grpc_testing.EchoStatus) error {
	if s == nil || s.GetCode() == 0 {
		return nil
	}
	return status.Error(codes.Code(s.GetCode()), s.GetMessage())
}

// UnaryCall echoes the payload after the delay the metadata asks for.
func (grpcService) UnaryCall(ctx context.Context, req *grpc_testing.SimpleRequest) (*grpc_testing.SimpleResponse, error) {
	trailerDone(ctx)
	md, _ := metadata.FromIncomingContext(ctx)
	if v := md.Get("x-kitchen-delay-ms"); len(v) > 0 {
		ms, err := strconv.Atoi(v[0])
		if err != nil || ms < 0 {
			return nil, status.Error(codes.InvalidArgument, "x-kitchen-delay-ms must be a number of milliseconds")
		}
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
		case <-ctx.Done():
			return nil, status.FromContextError(ctx.Err()).Err()
		}
	}
	if err := statusOf(req.GetResponseStatus()); err != nil {
		return nil, err
	}
	return &grpc_testing.SimpleResponse{Payload: req.GetPayload()}, nil
}

// StreamingOutputCall sends one message per response parameter, each of
// its size after its interval.
func (grpcService) StreamingOutputCall(req *grpc_testing.StreamingOutputCallRequest,
	stream grpc.ServerStreamingServer[grpc_testing.StreamingOutputCallResponse]) error {
	trailerDone(stream.Context())
	for _, p := range req.GetResponseParameters() {
		if d := time.Duration(p.GetIntervalUs()) * time.Microsecond; d > 0 {
			select {
			case <-time.After(d):
			case <-stream.Context().Done():
				return status.FromContextError(stream.Context().Err()).Err()
			}
		}
		body := make([]byte, max(p.GetSize(), 0))
		if err := stream.Send(&grpc_testing.StreamingOutputCallResponse{Payload: &grpc_testing.Payload{Body: body}}); err != nil {
			return err
		}
	}
	return statusOf(req.GetResponseStatus())
}

// StreamingInputCall adds up the sizes of the payloads it receives.
func (grpcService) StreamingInputCall(stream grpc.ClientStreamingServer[grpc_testing.StreamingInputCallRequest, grpc_testing.StreamingInputCallResponse]) error {
	trailerDone(stream.Context())
	total := 0
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return stream.SendAndClose(&grpc_testing.StreamingInputCallResponse{AggregatedPayloadSize: int32(total)})
		}
		if err != nil {
			return err
		}
		total += len(req.GetPayload().GetBody())
	}
}

// FullDuplexCall answers each message as it arrives: its payload echoed
// once per response parameter (once when there are none).
func (grpcService) FullDuplexCall(stream grpc.BidiStreamingServer[grpc_testing.StreamingOutputCallRequest, grpc_testing.StreamingOutputCallResponse]) error {
	trailerDone(stream.Context())
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := statusOf(req.GetResponseStatus()); err != nil {
			return err
		}
		n := max(len(req.GetResponseParameters()), 1)
		for range n {
			if err := stream.Send(&grpc_testing.StreamingOutputCallResponse{Payload: req.GetPayload()}); err != nil {
				return err
			}
		}
	}
}
