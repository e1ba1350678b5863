package kitchen

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"
)

// Run is the whole kitchen process: open the log, sleep for the start-up
// delay, bind the port, serve until ctx is done. It reads the real process
// environment (WAITER_USERNAME/WAITER_PASSWORD, $MESOS_SANDBOX) and exits the
// real process on /die; tests that need neither use NewHandler and Serve.
func Run(ctx context.Context, cfg Config) error {
	out, closeLog, err := openLog(cfg.LogOutput, os.Getenv)
	if err != nil {
		return err
	}
	defer closeLog()
	logger := cfg.Log.Logger(out)

	h := NewHandler(HandlerConfig{
		Logger:             logger,
		Exit:               os.Exit,
		Environ:            os.Environ,
		Username:           os.Getenv("WAITER_USERNAME"),
		Password:           os.Getenv("WAITER_PASSWORD"),
		EnableStatusChange: cfg.EnableStatusChange,
		KeepAlive:          cfg.KeepAlive,
	})
	if h.auth != nil {
		logger.Info("basic authentication enabled")
	}

	if cfg.StartUpSleep > 0 {
		// The port stays closed meanwhile: that is what a slow-starting
		// service looks like to Waiter's health checks.
		logger.Info("sleeping before listening", "start-up-sleep", cfg.StartUpSleep)
		if err := sleep(ctx, cfg.StartUpSleep); err != nil {
			return nil // stopped while starting: a normal shutdown
		}
	}

	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("kitchen: listen on %s: %w", addr, err)
	}
	var cert *tls.Certificate
	if cfg.TLS {
		c, err := selfSigned(time.Now())
		if err != nil {
			_ = ln.Close()
			return err
		}
		cert = &c
	}
	logger.Info("starting HTTP server", "addr", ln.Addr().String(), "tls", cfg.TLS)
	err = serve(ctx, ln, h, cert)
	logger.Info("server is exiting")
	return err
}
