package store

import (
	"os"
	"strconv"
)

// CSAT_INLINE_PARTS sets how many parts a record holds, for a benchmark
// of the bound (BenchmarkBatchOnAHostileConversation).
func init() {
	if n, err := strconv.Atoi(os.Getenv("CSAT_INLINE_PARTS")); err == nil {
		inlinePartsMax = n
	}
}
