package index

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/vfs"
)

func TestReadLastEntryOfSealedFiles(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		x := openOffset(t, fsys, dir, testMaxBytes, true)
		y := openTime(t, fsys, dir, testMaxBytes, true)
		_, found, err := ReadLastOffsetEntry(fsys, x.Path(), testBase)
		require.NoError(t, err)
		require.False(t, found, "an empty file has no last entry")
		_, found, err = ReadLastTimeEntry(fsys, y.Path(), testBase)
		require.NoError(t, err)
		require.False(t, found)

		es, ts := offsetSeq(testBase, 30), timeSeq(testBase, 30)
		appendOffsets(t, x, es)
		appendTimes(t, y, ts)
		require.NoError(t, x.Seal())
		require.NoError(t, y.Seal())
		e, found, err := ReadLastOffsetEntry(fsys, x.Path(), testBase)
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, es[len(es)-1], e)
		te, found, err := ReadLastTimeEntry(fsys, y.Path(), testBase)
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, ts[len(ts)-1], te)
		require.NoError(t, x.Close())
		require.NoError(t, y.Close())
	})
}

func TestReadLastEntryRefusesWhatASealDoesNotLeave(t *testing.T) {
	forEachFS(t, func(t *testing.T, fsys vfs.FS, dir string) {
		path := offsetPath(dir)
		for name, data := range map[string][]byte{
			"torn entry":               append(offsetBytes([2]int32{1, 10}), 0, 0, 0),
			"zero tail (preallocated)": append(offsetBytes([2]int32{1, 10}), make([]byte, 8)...),
			"negative relative offset": offsetBytes([2]int32{1, 10}, [2]int32{-5, 20}),
			"negative position":        offsetBytes([2]int32{1, -20}),
		} {
			writeFile(t, fsys, path, data)
			_, _, err := ReadLastOffsetEntry(fsys, path, testBase)
			require.ErrorIs(t, err, ErrCorrupt, name)
		}
		tpath := timePath(dir)
		writeFile(t, fsys, tpath, append(timeBytes(5, 1), timeBytes(-1, 2)...))
		_, _, err := ReadLastTimeEntry(fsys, tpath, testBase)
		require.ErrorIs(t, err, ErrCorrupt, "negative timestamp")

		_, _, err = ReadLastOffsetEntry(fsys, dir+"/missing.index", testBase)
		require.ErrorIs(t, err, fs.ErrNotExist)
	})
}
