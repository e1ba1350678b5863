package krbtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	krbclient "github.com/jcmturner/gokrb5/v8/client"
	krbconfig "github.com/jcmturner/gokrb5/v8/config"

	"github.com/waiter-go/waiter/internal/freeport"
)

// Names of the test realm.
const (
	Realm            = "WAITER.TEST"
	ServicePrincipal = "HTTP/localhost"
	User             = "alice"
)

// Packages is what to install when the tools are missing.
const Packages = "krb5-kdc krb5-admin-server krb5-user"

// KDC is a running test realm.
type KDC struct {
	// Dir holds the realm's files.
	Dir string
	// Krb5Conf is the client configuration (KRB5_CONFIG).
	Krb5Conf string
	// Keytab holds ServicePrincipal's keys.
	Keytab string
	// Password is User's password.
	Password string
	// Port is the KDC's port on 127.0.0.1 (UDP and TCP).
	Port int
	env  []string
}

// tools are the MIT programs the realm needs, found on PATH or in the
// sbin folders Debian installs them to.
type tools struct{ kdc, util, admin, kinit string }

func findTools(t testing.TB) tools {
	t.Helper()
	var missing []string
	find := func(name string) string {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
		for _, dir := range []string{"/usr/sbin", "/usr/bin", "/sbin", "/usr/local/sbin"} {
			if p := filepath.Join(dir, name); isExecutable(p) {
				return p
			}
		}
		missing = append(missing, name)
		return ""
	}
	tl := tools{kdc: find("krb5kdc"), util: find("kdb5_util"), admin: find("kadmin.local"), kinit: find("kinit")}
	if len(missing) > 0 {
		t.Fatalf("MIT Kerberos tools missing (%s): install them with `apt-get install -y --no-install-recommends %s` (.ci/run does)",
			strings.Join(missing, ", "), Packages)
	}
	return tl
}

func isExecutable(p string) bool {
	info, err := os.Stat(p)
	return err == nil && !info.IsDir() && info.Mode()&0o111 != 0
}

// Start creates the realm and starts its KDC; both go away when t ends.
func Start(t testing.TB) *KDC {
	t.Helper()
	tl := findTools(t)
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		// The port probe and the KDC's bind race with other processes;
		// a lost race is retried on another port.
		k, err := start(t, tl)
		if err == nil {
			return k
		}
		lastErr = err
	}
	t.Fatalf("krbtest: %v", lastErr)
	return nil
}

func start(t testing.TB, tl tools) (*KDC, error) {
	dir, err := os.MkdirTemp("", "krbtest-")
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	k := &KDC{Dir: dir, Krb5Conf: filepath.Join(dir, "krb5.conf"), Keytab: filepath.Join(dir, "http.keytab"),
		Password: randomPassword(), Port: port}
	kdcConf := filepath.Join(dir, "kdc.conf")
	k.env = append(os.Environ(), "KRB5_CONFIG="+k.Krb5Conf, "KRB5_KDC_PROFILE="+kdcConf,
		"KRB5RCACHEDIR="+dir, "KRB5CCNAME=FILE:"+filepath.Join(dir, "ccache"))
	if err := os.WriteFile(k.Krb5Conf, []byte(k.clientConfig()), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(kdcConf, []byte(kdcConfig(dir, port)), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "kadm5.acl"), nil, 0o644); err != nil {
		return nil, err
	}
	if err := k.run(tl.util, "-r", Realm, "create", "-s", "-P", randomPassword()); err != nil {
		return nil, err
	}
	for _, q := range []string{
		"addprinc -pw " + k.Password + " " + User,
		"addprinc -randkey " + ServicePrincipal,
		"ktadd -k " + k.Keytab + " " + ServicePrincipal,
	} {
		if err := k.run(tl.admin, "-r", Realm, "-q", q); err != nil {
			return nil, err
		}
	}
	if err := k.serve(t, tl.kdc); err != nil {
		return nil, err
	}
	return k, nil
}

// serve starts krb5kdc in the foreground and waits until it accepts TCP
// connections; it is stopped when t ends.
func (k *KDC) serve(t testing.TB, bin string) error {
	var out bytes.Buffer
	cmd := exec.Command(bin, "-n", "-r", Realm)
	cmd.Env, cmd.Stdout, cmd.Stderr = k.env, &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start krb5kdc: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(k.Port)), time.Second)
		if err == nil {
			_ = c.Close()
			t.Cleanup(stop)
			return nil
		}
		select {
		case err := <-exited:
			exited <- err
			log, _ := os.ReadFile(filepath.Join(k.Dir, "kdc.log"))
			return fmt.Errorf("krb5kdc exited (%v): %s%s", err, out.String(), log)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return fmt.Errorf("krb5kdc does not accept connections on port %d within 15s: %s", k.Port, out.String())
		}
	}
}

// run runs one of the realm's admin tools in the realm's environment.
func (k *KDC) run(bin string, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = k.env
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %w: %s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
	return nil
}

// Env is the environment MIT tools need to use the realm: KRB5_CONFIG and
// a credential cache (KRB5CCNAME) of the realm's own.
func (k *KDC) Env() []string { return append([]string(nil), k.env...) }

// Kinit gets User's ticket-granting ticket into the realm's credential
// cache with MIT's kinit, as a person would.
func (k *KDC) Kinit(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, findTools(t).kinit, User+"@"+Realm)
	cmd.Env, cmd.Stdin = k.env, strings.NewReader(k.Password+"\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kinit: %v: %s", err, out)
	}
}

// Client is gokrb5's client logged in as User.
func (k *KDC) Client(t testing.TB) *krbclient.Client {
	t.Helper()
	cfg, err := krbconfig.Load(k.Krb5Conf)
	if err != nil {
		t.Fatalf("krb5.conf: %v", err)
	}
	cl := krbclient.NewWithPassword(User, Realm, k.Password, cfg, krbclient.DisablePAFXFAST(true))
	if err := cl.Login(); err != nil {
		t.Fatalf("gokrb5 login as %s: %v", User, err)
	}
	t.Cleanup(cl.Destroy)
	return cl
}

// clientConfig is krb5.conf: the realm's KDC over TCP, no DNS.
func (k *KDC) clientConfig() string {
	return fmt.Sprintf(`[libdefaults]
  default_realm = %[1]s
  dns_lookup_realm = false
  dns_lookup_kdc = false
  rdns = false
  dns_canonicalize_hostname = false
  udp_preference_limit = 1
  default_tkt_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
  default_tgs_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
  permitted_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96

[realms]
  %[1]s = {
    kdc = 127.0.0.1:%[2]d
  }

[domain_realm]
  localhost = %[1]s
  127.0.0.1 = %[1]s
`, Realm, k.Port)
}

// kdcConfig is kdc.conf: everything in dir, the KDC on port.
func kdcConfig(dir string, port int) string {
	return fmt.Sprintf(`[kdcdefaults]
  kdc_ports = %[2]d
  kdc_tcp_ports = %[2]d

[realms]
  %[3]s = {
    database_name = %[1]s/principal
    key_stash_file = %[1]s/stash
    acl_file = %[1]s/kadm5.acl
    admin_keytab = FILE:%[1]s/kadm5.keytab
    supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
    kdc_ports = %[2]d
    kdc_tcp_ports = %[2]d
    max_life = 10h
  }

[logging]
  kdc = FILE:%[1]s/kdc.log
`, dir, port, Realm)
}

// freePort finds a port free on 127.0.0.1 for both TCP and UDP, from
// outside the kernel's ephemeral range (internal/freeport): the KDC binds
// it later.
func freePort() (int, error) { return freeport.TCPAndUDP() }

func randomPassword() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
