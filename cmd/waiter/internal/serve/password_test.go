package serve

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPasswordsPersist(t *testing.T) {
	dir := t.TempDir()
	p1, err := loadPasswords(dir)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := loadPasswords(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p1.password("svc-a") != p2.password("svc-a") {
		t.Error("a restarted router derives other passwords")
	}
	if p1.password("svc-a") == p1.password("svc-b") || len(p1.password("svc-a")) != 32 {
		t.Errorf("passwords %q %q", p1.password("svc-a"), p1.password("svc-b"))
	}
	if info, err := os.Stat(filepath.Join(dir, SecretFile)); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("secret file: %v %v", info, err)
	}
	if err := os.WriteFile(filepath.Join(dir, SecretFile), []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadPasswords(dir); err == nil {
		t.Error("a truncated secret accepted")
	}
}
