package store

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dgraph-io/ristretto/v2/z"
)

// A check drops the table pages it read with MADV_DONTNEED on ranges read
// from /proc/self/maps, and a check may run beside a writer whose
// compactions delete tables: a range unmapped between the read and the
// advice would be zeroed for whatever is mapped there next. So the drop
// holds off every unmapping, as the writer's watcher does: it waits while
// z.WhileMapped runs elsewhere (and an unmapping waits for it).
func TestCheckPageReleaseHoldsOffUnmapping(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "000001.sst")
	if err := os.WriteFile(path, make([]byte, 1<<16), 0o600); err != nil {
		t.Fatal(err)
	}
	mf, err := z.OpenMmapFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer mf.Close(-1)
	pageSink += mf.Data[0]
	released := make(chan struct{})
	z.WhileMapped(func() {
		go func() {
			releaseMappedFiles(dir)
			close(released)
		}()
		select {
		case <-released:
			t.Fatal("the check dropped pages while unmapping was held off for someone else")
		case <-time.After(100 * time.Millisecond):
		}
	})
	select {
	case <-released:
	case <-time.After(10 * time.Second):
		t.Fatal("the check's drop did not end once unmapping was free")
	}
}
