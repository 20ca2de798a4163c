package vfs_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/commitlog-go/commitlog/vfs"
)

func ExampleMemFS_CrashClone() {
	m := vfs.NewMem()

	// A durable directory: created, then its parent synced.
	m.MkdirAll("/db", 0o755)
	m.SyncDir("/")

	// a.log: written, synced, and its name made durable. Then more data,
	// not synced.
	a, _ := m.Create("/db/a.log")
	a.WriteAt([]byte("hello"), 0)
	a.Sync()
	m.SyncDir("/db")
	a.WriteAt([]byte(", world"), 5)

	// b.log: synced, but its name never is.
	b, _ := m.Create("/db/b.log")
	b.WriteAt([]byte("lost"), 0)
	b.Sync()

	crashed := m.CrashClone(vfs.CrashOptions{})
	names, _ := crashed.List("/db")
	fmt.Println(names)
	buf := make([]byte, 64)
	f, _ := crashed.Open("/db/a.log")
	n, _ := f.ReadAt(buf, 0)
	fmt.Printf("%q\n", buf[:n])

	// With a random source the crash may keep part of the unsynced tail,
	// but always all of the synced data.
	torn := m.CrashClone(vfs.CrashOptions{Rand: rand.New(rand.NewPCG(1, 2))})
	f, _ = torn.Open("/db/a.log")
	n, _ = f.ReadAt(buf, 0)
	fmt.Println(n >= len("hello") && n <= len("hello, world"))

	// Output:
	// [a.log]
	// "hello"
	// true
}
