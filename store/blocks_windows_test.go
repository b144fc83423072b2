package store

import "io/fs"

// allocatedBytes is the file's size: Windows gives no block count here.
func allocatedBytes(fi fs.FileInfo) int64 { return fi.Size() }
