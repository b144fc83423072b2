package badger

import (
	"bytes"
	"fmt"
	"testing"
)

// A transaction's keys, shared with its map of pending writes and given
// their timestamps in one buffer at the commit, read back as written:
// keys cut from one caller's buffer, a key set twice (the last value
// wins), the transaction's own reads before the commit, and every key
// and value after it, with the keys' buffer of the next commit reusing
// nothing of this one's.
func TestTransactionKeysReadBackAsWritten(t *testing.T) {
	db, err := Open(DefaultOptions("").WithInMemory(true).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := map[string]string{}
	for round := 0; round < 3; round++ {
		txn := db.NewTransaction(true)
		var keys []byte
		mine := map[string]string{}
		for i := 0; i < 2000; i++ {
			from := len(keys)
			keys = fmt.Appendf(keys, "k/%05d", (i*7+round*3)%1500)
			k := keys[from:len(keys):len(keys)]
			v := fmt.Sprintf("v%d-%d", round, i)
			if err := txn.Set(k, []byte(v)); err != nil {
				t.Fatal(err)
			}
			mine[string(k)] = v
		}
		for k, v := range mine {
			item, err := txn.Get([]byte(k))
			if err != nil {
				t.Fatalf("round %d, reading %s in the transaction: %v", round, k, err)
			}
			if got, _ := item.ValueCopy(nil); !bytes.Equal(got, []byte(v)) {
				t.Fatalf("round %d, %s in the transaction = %q, want %q", round, k, got, v)
			}
			want[k] = v
		}
		if err := txn.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	err = db.View(func(txn *Txn) error {
		for k, v := range want {
			item, err := txn.Get([]byte(k))
			if err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			got, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			if string(got) != v {
				return fmt.Errorf("%s = %q, want %q", k, got, v)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
