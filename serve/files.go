package serve

import (
	"fmt"
	"os"
	"path/filepath"

	sshkeys "github.com/charmbracelet/keygen"
)

// WriteFileAtomic writes data to path through a temporary file in the same
// directory, synced and then renamed: a full disk or a kill leaves the old
// file or none, never an empty or half-written one.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(f.Name())
			err = fmt.Errorf("writing %s: %w", path, err)
		}
	}()
	if _, err = f.Write(data); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), perm)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	return err
}

// ensureHostKey makes the SSH host key once, with WriteFileAtomic: the
// ssh library writes it in place, and a full disk left an empty key that
// every later start refused.
func ensureHostKey(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	k, err := sshkeys.New(path, sshkeys.WithKeyType(sshkeys.Ed25519))
	if err != nil {
		return err
	}
	if err := WriteFileAtomic(path+".pub", []byte(k.AuthorizedKey()+"\n"), 0o600); err != nil {
		return err
	}
	return WriteFileAtomic(path, k.RawPrivateKey(), 0o600)
}
