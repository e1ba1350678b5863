package serve

import (
	"github.com/waiter-go/waiter/adapters/jwt"
	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
)

// settingsView is what GET /settings shows of the configuration: every
// setting, durations in words, and warning when there is one. Nothing in
// it is secret: auth-secret shows only where the secret comes from.
func settingsView(c config.Config, warning string) map[string]any {
	v := map[string]any{
		"host": c.Host, "port": c.Port, "data-dir": c.DataDir, "scheduler": c.Scheduler,
		"tls":          map[string]any{"cert-file": c.TLS.CertFile, "key-file": c.TLS.KeyFile, "port": c.TLS.Port},
		"marathon-url": c.MarathonURL, "router-id": c.RouterID, "hostnames": c.Hostnames,
		"run-as-user": c.RunAsUser, "service-prefix": c.ServicePrefix,
		"queue-timeout": c.QueueTimeout.String(), "socket-timeout": c.SocketTimeout.String(),
		"streaming-timeout": c.StreamingTimeout.String(), "connect-timeout": c.ConnectTimeout.String(),
		"poll-interval": c.PollInterval.String(), "fast-poll-interval": c.FastPollInterval.String(),
		"scheduler-workers": c.SchedulerWorkers, "scaling-interval": c.ScalingInterval.String(),
		"seed": c.Seed, "drain-timeout": c.DrainTimeout.String(), "log-repeat-window": c.LogRepeatWindow.String(),
		"admins": c.Admins, "cors-allowed-origins": c.CORSAllowedOrigins,
		"service-cors": map[string]any{"allowed-origins": c.ServiceCORS.AllowedOrigins,
			"allowed-methods": c.ServiceCORS.AllowedMethods, "allowed-headers": c.ServiceCORS.AllowedHeaders,
			"allow-credentials": c.ServiceCORS.AllowCredentials, "max-age": c.ServiceCORS.MaxAge.String()},
		// The default policy; a service may name its own with the
		// scaling-policy parameter.
		"scaling-policy":        c.ScalingPolicy,
		"max-services-per-user": c.MaxServicesPerUser, "max-instances-per-user": c.MaxInstancesPerUser,
		"max-tokens-per-owner": c.MaxTokensPerOwner,
		"read-header-timeout":  c.ReadHeaderTimeout.String(), "idle-timeout": c.IdleTimeout.String(),
		"max-header-bytes": c.MaxHeaderBytes, "fast-http1": c.FastHTTP1, "event-loop": c.EventLoop, "event-loops": c.EventLoops, "api-body-timeout": c.APIBodyTimeout.String(),
		"api-write-timeout": c.APIWriteTimeout.String(), "max-api-body-bytes": c.MaxAPIBodyBytes,
		"description-cache-size": c.DescriptionCacheSize, "service-cache-size": c.ServiceCacheSize,
		"token-cache-size": c.TokenCacheSize, "inactive-services-per-user": c.InactiveServicesPerUser,
		"shell": map[string]any{
			"work-dir": c.Shell.WorkDir, "port-range": c.Shell.PortRange, "adopt": c.Shell.Adopt,
			"health-check-interval":          c.Shell.HealthCheckInterval.String(),
			"failed-instance-retry-interval": c.Shell.FailedInstanceRetryInterval.String(),
		},
		"authenticator": c.Authenticator, "insecure-allow-anyone": c.InsecureAllowAnyone,
		"auth-secret": "generated in data-dir",
		"log-format":  c.LogFormat, "log-level": c.LogLevel, "access-log": c.AccessLog,
		"debug-listen": c.DebugListen,
	}
	if c.AuthSecret != "" {
		v["auth-secret"] = "configured"
	}
	if c.Authenticator == config.AuthComposite {
		v["composite"] = c.Composite
	}
	if c.Uses(config.AuthJWT) {
		j := c.JWTConfig()
		// Show what is in force, defaults included.
		if j.Refresh == 0 {
			j.Refresh = jwt.DefaultRefresh
		}
		if len(j.Algorithms) == 0 {
			j.Algorithms = jwt.DefaultAlgorithms
		}
		if j.SubjectClaim == "" {
			j.SubjectClaim = jwt.DefaultSubjectClaim
		}
		v["jwt"] = map[string]any{"jwks-file": j.JWKSFile, "jwks-url": j.JWKSURL, "jwks-refresh": j.Refresh.String(),
			"issuer": j.Issuer, "audience": j.Audience, "algorithms": j.Algorithms, "clock-skew": j.ClockSkew.String(),
			"subject-claim": j.SubjectClaim}
	}
	if c.Uses(config.AuthKerberos) {
		v["kerberos"] = map[string]any{"keytab": c.Kerberos.Keytab, "service-principal": c.Kerberos.ServicePrincipal}
	}
	if warning != "" {
		v["warnings"] = []string{warning}
	}
	return v
}
