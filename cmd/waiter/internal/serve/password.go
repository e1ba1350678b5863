package serve

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// SecretFile holds the router's secret inside the data folder.
const SecretFile = "secret"

// backendUser is the user name of the Basic auth the router sends to
// instances (Waiter's WAITER_USERNAME).
const backendUser = "waiter"

// passwords derives each service's password: WAITER_PASSWORD for its
// instances and the Basic auth the router sends them, so a service can
// tell the router's requests from anyone else's on its port. Like Waiter
// (which hashes the service id with the cluster password), it is a keyed
// hash of the service id; the key is kept in the data folder so restarted
// routers and adopted instances agree.
type passwords struct{ key []byte }

// loadPasswords reads the secret from dir, creating it on first use.
func loadPasswords(dir string) (passwords, error) {
	path := filepath.Join(dir, SecretFile)
	key, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return passwords{}, fmt.Errorf("secret: %w", err)
		}
		if err := os.WriteFile(path, key, 0o600); err != nil {
			return passwords{}, fmt.Errorf("secret: %w", err)
		}
		return passwords{key: key}, nil
	}
	if err != nil {
		return passwords{}, fmt.Errorf("secret: %w", err)
	}
	if len(key) < 16 {
		return passwords{}, fmt.Errorf("secret: %s is too short (%d bytes); delete it to make a new one", path, len(key))
	}
	return passwords{key: key}, nil
}

// password is the service's password.
func (p passwords) password(serviceID string) string {
	mac := hmac.New(sha256.New, p.key)
	mac.Write([]byte(serviceID))
	return hex.EncodeToString(mac.Sum(nil))[:32]
}

// backendAuth is the HTTP edge's BackendAuth.
func (p passwords) backendAuth(serviceID string) (string, string, bool) {
	return backendUser, p.password(serviceID), true
}

// cookieSecret keys the x-waiter-auth cookie: the configured auth-secret
// (routers that share it accept each other's cookies), else this router's
// own secret (the HTTP edge derives a key of its own from it).
func (p passwords) cookieSecret(configured string) []byte {
	if configured != "" {
		return []byte(configured)
	}
	return p.key
}
