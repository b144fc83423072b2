package store

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/csat-app/csat/domain"
)

// A writer maps every table it builds; the pages it wrote through the
// mapping used to stay resident, so a long load held each table it had
// built in its RSS (4.8 GB at the end of a 2.6 GB load). Once a table is
// on disk its pages leave the process (third_party/ristretto/CSAT.md).
func TestWrittenTablesDoNotStayResident(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir)
	defer s.Close()
	g := newRealisticStream(3, 50, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	for tables := 0; tables < 4; {
		evs := make([]domain.Event, 0, 500)
		for range 500 {
			evs = append(evs, g.next())
		}
		if _, err := s.ApplyBatch(evs); err != nil {
			t.Fatal(err)
		}
		tables = len(s.db.Tables())
	}
	mapped, resident := tableMappings(t, dir)
	if mapped < 1<<20 {
		t.Fatalf("only %d bytes of tables mapped", mapped)
	}
	// Opening a table reads its index (at the file's end) through the map,
	// and the batches read conversations back from the tables: up to a
	// third of it was resident again by the end of the test.
	if resident*2 > mapped {
		t.Fatalf("%d of %d mapped table bytes resident after writing them", resident, mapped)
	}
}

// tableMappings sums the size and the resident part of this process's
// mappings of .sst files in dir, from /proc/self/smaps.
func tableMappings(t *testing.T, dir string) (size, rss int64) {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip("no /proc/self/smaps:", err)
	}
	defer f.Close()
	inTable := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) >= 5 && strings.Contains(fields[0], "-"): // a mapping's first line
			inTable = len(fields) >= 6 && filepath.Dir(fields[5]) == dir && strings.HasSuffix(fields[5], ".sst")
		case inTable && len(fields) == 3 && (fields[0] == "Size:" || fields[0] == "Rss:"):
			kb, _ := strconv.ParseInt(fields[1], 10, 64)
			if fields[0] == "Size:" {
				size += kb << 10
			} else {
				rss += kb << 10
			}
		}
	}
	return size, rss
}
