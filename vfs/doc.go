// Package vfs is the filesystem layer under the storage code: the index,
// segment and log packages do all their file work through an [FS], so the
// same code runs on the real disk and on a memory filesystem that can
// simulate a power cut.
//
// # Implementations
//
// [Default] is the host's filesystem, through the os package. Its errors are
// the os package's own, but for a refused symbolic link (see below).
// [File.Sync] uses fdatasync on Linux and (*os.File).Sync elsewhere.
// [FS.Lock] takes an flock(2) lock on Unix and a LockFileEx lock on
// Windows, and also remembers the locks this process holds, so that a
// second Lock of the same file in the same process fails at once; on hosts
// with neither, Lock fails with an error wrapping [errors.ErrUnsupported].
// [FS.SyncDir] fsyncs the directory on Unix and, for want of a way to do
// so, only checks that the directory exists on Windows.
//
// [NewMem] returns a [MemFS], a filesystem in memory for tests. It behaves
// like a POSIX filesystem (directories must exist before files are created
// in them, an open file outlives its name, errors wrap [fs.ErrNotExist] and
// the like as the os package's do) and it tracks what has been made
// durable, so that [MemFS.CrashClone] can produce the filesystem a crash
// would leave behind.
//
// # Symbolic links
//
// No FS opens a file through a symbolic link at the last component of its
// name. [FS.Create], [FS.Open], [FS.OpenReadWrite] and [FS.Lock] refuse one
// with an error that wraps [ErrSymlink] and names the file
// (errors.Is(err, vfs.ErrSymlink) holds), and leave the link's target as
// it was: Create truncates nothing, and creates no missing target. A link
// planted in a data directory, pointing at a file elsewhere, thus cannot
// make recovery cut that file or an append extend it. Since the index,
// segment and log packages open files only through an FS, this holds for
// all of them.
//
// Directories are another matter: a data directory, or any directory
// above a file, may be a symbolic link, and it is followed. Moving a whole
// data directory to another disk and linking to it stays possible.
// [FS.Stat], [FS.List], [FS.SyncDir] and [FS.MkdirAll] follow links too;
// [FS.Remove] and [FS.Rename] act on a link itself, never on its target,
// so [WriteFileAtomic] replaces a link with a regular file and leaves the
// target alone (and fails with ErrSymlink if its temporary file is a
// link).
//
// [Default] refuses links with O_NOFOLLOW on Unix, so the kernel checks and
// opens in one step; an open refused so fails with an *[fs.PathError]
// wrapping ErrSymlink in place of the system's error (ELOOP on Linux),
// once an lstat has confirmed that the name is a link, since ELOOP can
// also mean a loop among the directories. On Windows and other hosts
// without O_NOFOLLOW it lstats the name just before opening it and refuses
// a symbolic link; a link put in place between the two steps is followed,
// a race this package accepts. A [MemFS] has no links at all.
//
// # Durability
//
// A write is durable once [File.Sync] returns. A file's name is another
// matter: creating, renaming or removing a file changes its directory, and
// that change is durable only once [FS.SyncDir] of the directory returns.
// So a new file that must survive a crash is written, synced, and then its
// directory is synced:
//
//	f, err := fsys.Create(filepath.Join(dir, "00000000000000000000.log"))
//	// ... write to f ...
//	err = f.Sync()
//	err = fsys.SyncDir(dir)
//
// The same holds for a rename that commits a change (write a temporary
// file, sync it, rename it over the old one, sync the directory) and for a
// new directory, which is an entry of its parent.
//
// # Crash model
//
// A MemFS keeps, besides the current state that reads see, the durable
// state: each file's contents as of its last Sync, and each directory's
// entries as of its last SyncDir. [MemFS.CrashClone] returns a copy
// holding only the durable state, or, given a random source, the durable
// state plus a random share of the rest: a random prefix of data appended
// since the last Sync (a torn write), other unsynced file changes kept
// whole or not at all, and unsynced directory changes kept up to a random
// point in the order they were made. See [MemFS.CrashClone] for the
// details. That is a power cut; a process killed while the machine runs
// loses nothing it wrote, and [MemFS.Clone] returns that: every write,
// with what is durable still tracked, so that a later CrashClone of it is
// a kill followed by a power cut. A test writes through a MemFS, clones it at an interesting
// moment, and checks that the code reopening the clone recovers:
//
//	m := vfs.NewMem()
//	// ... run the code under test on m ...
//	after := m.CrashClone(vfs.CrashOptions{Rand: rand.New(rand.NewPCG(seed, 0))})
//	// ... reopen on after and check what was acknowledged is there ...
//
// # Descriptors
//
// Files of [Default] implement [OSFile], which gives the underlying
// *os.File to code that wants its descriptor: to map it in memory, to
// advise the kernel with fadvise, or to serve it to a socket, where
// [io.Copy] can use sendfile. Such code must check for OSFile and keep a
// path that works without it, since MemFS files do not implement it.
package vfs
