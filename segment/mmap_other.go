//go:build !unix

package segment

import (
	"errors"

	"github.com/commitlog-go/commitlog/vfs"
)

var errNotMappable = errors.New("segment: file cannot be mapped")

// mapFile maps nothing on this platform: reads use read calls.
func mapFile(vfs.File, int64) ([]byte, error) { return nil, errNotMappable }

func unmapFile([]byte) {}
