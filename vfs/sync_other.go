//go:build !linux

package vfs

import "os"

// datasync flushes f to stable storage. Hosts other than Linux use
// (*os.File).Sync, which on darwin issues F_FULLFSYNC.
func datasync(f *os.File) error { return f.Sync() }
