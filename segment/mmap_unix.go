//go:build unix

package segment

import (
	"math"

	"golang.org/x/sys/unix"

	"github.com/commitlog-go/commitlog/vfs"
)

// mapFile maps length bytes of f, which may reach past its end, shared
// and read-only. Only files of the operating system can be mapped, and
// only where the address space is large enough to reserve ahead.
func mapFile(f vfs.File, length int64) ([]byte, error) {
	osf, ok := f.(vfs.OSFile)
	if !ok || math.MaxInt < 1<<40 || length > math.MaxInt {
		return nil, errNotMappable
	}
	return unix.Mmap(int(osf.OSFile().Fd()), 0, int(length), unix.PROT_READ, unix.MAP_SHARED)
}

func unmapFile(data []byte) { _ = unix.Munmap(data) }
