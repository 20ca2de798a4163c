// Package checkpoint reads and writes the small text files in which the
// log and the partition keep one offset each: Kafka's checkpoint layout
// with a version line and a single entry, as below.
//
//	0\n          version
//	<offset>\n   decimal, canonical (no sign, no leading zeros)
//
// Files are written crash-safely (vfs.WriteFileAtomic: temporary file,
// fsync, rename, fsync of the directory), so a reader finds the old file
// or the new one, never a mix. A file that does not parse is reported with
// ErrMalformed, and every caller treats it as absent, falling back to what
// it can derive without it.
package checkpoint
