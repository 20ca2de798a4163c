// Package index implements the two index files of a Kafka log segment,
// byte for byte as Kafka lays them out, so that Kafka's tools read the
// files this package writes and this package reads Kafka's:
//
//   - [OffsetIndex], the .index file, maps offsets to byte positions in the
//     segment's .log file. [OffsetIndex.Lookup] answers "where does the
//     batch holding this offset start, or at the latest?".
//   - [TimeIndex], the .timeindex file, maps timestamps to offsets.
//     [TimeIndex.Lookup] answers "from which offset on can a record have
//     this timestamp or a later one?".
//
// Both are sparse: a segment adds an entry about every 4 KiB of batches,
// not one per batch. Entries store offsets relative to the segment's base
// offset in 32 bits, so a segment spans at most 2^31 offsets and, since
// positions are 32-bit too, 2 GiB of log. The layouts are drawn in
// format.go.
//
// # Entries live in memory
//
// Kafka maps its index files into memory and writes entries straight into
// the mapping. Here each index keeps its entries in a slice, decoded
// (absolute offsets, 64-bit fields), and writes them to the file lazily:
// [OffsetIndex.Flush] encodes the entries not yet written and writes them
// with a single WriteAt, then syncs; [OffsetIndex.Seal] also cuts the file
// to exactly its entries. A lookup is a binary search over a Go slice,
// with no system call and no page fault. Opening an index reads the file
// through a reused buffer of at most 1 MiB (a few large reads for a full
// index), finds the zero tail from the end first, and allocates exactly
// the entries it holds.
//
// Keeping the entries in memory means all file work goes through package
// vfs, so the crash tests of the memory filesystem cover the indexes too;
// no mapping can fault on a file cut short under it; and nothing must be
// unmapped before a file is resized. The cost is memory, 16 bytes per
// entry: at the default interval at most one entry per 4 KiB of batches,
// so up to 4 MiB per GiB of log for each index, twice the size of the
// offset index file, and the time it takes to read and check a whole file
// when an index is opened.
//
// The choice was measured against a mapped index with the benchmarks in
// mmap_bench_test.go (1M entries, medians of 5 runs):
//
//	operation                                   in memory   mapped
//	append 1M entries, then flush or msync        50.0 ms   49.8 ms
//	look up a random target, warm                  182 ns    185 ns
//	open a sealed 1M-entry file, look up once      7.7 ms    0.1 ms
//
// The hot paths are the same; a mapping opens faster because it checks
// only the file's length and last entry. docs/ARCHITECTURE.md says why the
// in-memory design was kept.
//
// An index a segment appends to has its file preallocated to its maximum
// size from its first Flush on, as Kafka does from its creation, so the
// file is its entries followed by zeros until it is sealed. (Segments
// write their indexes only when they seal them, so in a log the active
// segment's index files are left as the last seal or rebuild wrote them.) The index files hold nothing the log does not: a segment
// whose indexes are lost or damaged rebuilds them from its batches. That
// is why the entries need not reach the disk as they are appended, and
// why a sync of the indexes happens only at flushes the log chooses.
//
// # Reading a file: the sanity check
//
// Open reads the file whole and accepts exactly the files that appends
// followed by a flush or seal could have left, possibly followed by a zero
// tail. Anything else is a *[CorruptError], wrapping [ErrCorrupt], and the
// caller deletes the file and rebuilds it. The rules:
//
//   - The length is a multiple of the entry size (8 or 12 bytes), as
//     Kafka requires too, and at most 2 GiB. A preallocated file always
//     has such a length, so a torn tail is the only way to break this.
//   - The zero tail is the longest run of all-zero entries that ends the
//     file. It is not data, and it may be empty (a sealed file).
//   - Every entry before the zero tail must be one Append would have
//     accepted after the ones before it: relative offsets in
//     [0, math.MaxInt32] (so no offset below the base), and so on. In an
//     offset index both offsets and positions strictly increase; in a
//     time index timestamps strictly increase, are not negative, and
//     offsets never decrease.
//
// An all-zero entry is thus taken as data only when it is the first entry
// and more entries follow it. Kafka never writes an offset index entry
// {relative 0, position 0} (the first append of a segment gets no entry),
// and such an entry would say nothing a missing one does not, since
// Lookup answers {BaseOffset, 0} when it finds no entry. A time index
// entry {timestamp 0, relative 0} is real but, alone in its file, cannot
// be told from a preallocated file that holds nothing: it is read as no
// entry, which changes only the Timestamp that Lookup and Last report, not
// an offset.
//
// The check finds the damage a crash leaves in a flushed file (a tail cut
// short, non-zero bytes after zero ones, entries out of order) but not
// every possible damage: a torn entry can still read as an ordered one. A
// log trusts its index files only after a clean shutdown and rebuilds them
// after a crash.
//
// # Concurrency
//
// Each index has one writer and many readers. The writer methods (Append,
// TruncateTo, Reset, Flush, Seal, Resize, Close) must be called by one
// goroutine at a time; the caller serialises them. The reader methods
// (Lookup, Len, Last, All, Full, MaxEntries and the accessors) may be
// called by any number of goroutines at the same time as the writer, and
// take no lock the writer holds.
//
// The entries are published through an atomic pointer to a slice whose
// length never changes once published. Append writes the new entry into
// the backing array just past every published length and then publishes
// a slice one longer, so a reader sees either the old list or the new one,
// never a half-written entry. Truncation copies the entries it keeps into
// a new array, so that later appends never write into memory a reader of
// the older, longer list may be reading. A reader's view is a consistent
// snapshot: Lookup, Last and All each answer from one published list, but
// two calls may see different ones.
//
// # Files
//
// A writable index holds its file open. An index opened read-only reads
// its file and closes it at once, and Seal closes the file after syncing
// it, so sealed segments cost no file descriptors; a writer method that
// must write again (Resize, or a Flush after more appends) reopens the
// file for writing. Close writes what is pending and cuts a file the index
// preallocated back to its entries, but does not sync: Flush or Seal does
// that.
package index
