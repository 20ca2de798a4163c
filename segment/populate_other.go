//go:build !linux

package segment

// populate does nothing where the kernel cannot be asked to map a range's
// pages at once; the copy faults them in.
func populate([]byte) {}
