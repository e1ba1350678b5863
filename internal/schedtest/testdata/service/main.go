// Command service is the tiny HTTP service the scheduler contract suite
// runs (internal/schedtest). It listens on $HOST:$PORT0 (127.0.0.1 when
// HOST is unset) and answers:
//
//	/health  200, or $SERVICE_HEALTH_STATUS
//	/env     the environment as a JSON object
//	/        "ok"
//
// With $SERVICE_EXIT set it exits at once with that status (a bad
// command). SIGTERM stops it cleanly.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
)

func main() {
	if code := os.Getenv("SERVICE_EXIT"); code != "" {
		n, _ := strconv.Atoi(code)
		os.Exit(n)
	}
	status := http.StatusOK
	if s, err := strconv.Atoi(os.Getenv("SERVICE_HEALTH_STATUS")); err == nil {
		status = s
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) })
	mux.HandleFunc("/env", func(w http.ResponseWriter, _ *http.Request) {
		env := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(env)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "ok") })
	host := os.Getenv("HOST")
	if host == "" {
		host = "127.0.0.1"
	}
	srv := &http.Server{Addr: net.JoinHostPort(host, os.Getenv("PORT0")), Handler: mux}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "service:", err)
		os.Exit(1)
	}
}
