package badger

// logFileSynced, when a test sets it, is told of every sync of a memtable
// log or value log (Sync, and the one inside Truncate: z.MmapFile.Truncate
// syncs the mapping first) and how many of the file's bytes it made
// durable: the test's model of what a power loss keeps
// (flush_vlog_sync_test.go).
var logFileSynced func(lf *logFile, upTo uint32)

// Sync flushes the file's mapped bytes to disk (z.MmapFile.Sync).
func (lf *logFile) Sync() error {
	upTo := lf.size.Load()
	if err := lf.MmapFile.Sync(); err != nil {
		return err
	}
	lf.tellSynced(upTo)
	return nil
}

func (lf *logFile) tellSynced(upTo uint32) {
	if logFileSynced != nil {
		logFileSynced(lf, upTo)
	}
}
