package badger

import "github.com/dgraph-io/badger/v4/options"

// compressionInto is the block compression of a table written into level
// (csat): none for level 0 with Level0Uncompressed, since the next
// compaction out of level 0 rewrites its tables within minutes; the
// store's Compression for every other level.
func (opt *Options) compressionInto(level int) options.CompressionType {
	if level == 0 && opt.Level0Uncompressed {
		return options.None
	}
	return opt.Compression
}
