//go:build !unix

package segment

import "github.com/commitlog-go/commitlog/vfs"

// mapFile maps nothing on this platform: reads use read calls.
func mapFile(vfs.File, int64) ([]byte, error) { return nil, errNotMappable }

func unmapFile([]byte) {}
