package vfs

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
)

// ErrFileTooLarge is wrapped by ReadFile's error for a file larger than
// its limit.
var ErrFileTooLarge = errors.New("vfs: file larger than the limit")

// WriteFileAtomic replaces the file name with data so that a crash leaves
// either the old contents or the new, never a mix or an empty file.
//
// It writes data to name+".tmp" (replacing any such file a crash left),
// syncs and closes it, renames it over name and syncs the directory so
// that the rename is durable. On failure the temporary file is removed as
// far as possible; an error from the last step, syncing the directory,
// means the new contents are in place but may not survive a crash.
//
// A symbolic link at name is replaced by the rename, as a regular file
// would be; its target is never written. A symbolic link at name+".tmp"
// makes Create fail, so WriteFileAtomic returns an error wrapping
// ErrSymlink, having written nothing and left the link in place.
func WriteFileAtomic(fsys FS, name string, data []byte) error {
	tmp := name + ".tmp"
	f, err := fsys.Create(tmp)
	if err != nil {
		return fmt.Errorf("vfs: creating %s: %w", tmp, err)
	}
	// cleanup closes the file if still open and removes it, keeping err.
	cleanup := func(err error) error {
		if f != nil {
			f.Close()
		}
		fsys.Remove(tmp)
		return err
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		return cleanup(fmt.Errorf("vfs: writing %s: %w", tmp, err))
	}
	if err := f.Sync(); err != nil {
		return cleanup(fmt.Errorf("vfs: syncing %s: %w", tmp, err))
	}
	err = f.Close()
	f = nil
	if err != nil {
		return cleanup(fmt.Errorf("vfs: closing %s: %w", tmp, err))
	}
	if err := fsys.Rename(tmp, name); err != nil {
		return cleanup(fmt.Errorf("vfs: renaming %s to %s: %w", tmp, name, err))
	}
	dir := filepath.Dir(name)
	if err := fsys.SyncDir(dir); err != nil {
		return fmt.Errorf("vfs: syncing directory %s after replacing %s: %w", dir, name, err)
	}
	return nil
}

// ReadFile reads the whole file name, refusing with an error wrapping
// ErrFileTooLarge a file of more than limit bytes, so that a damaged or
// foreign file cannot make the caller allocate without bound. A missing
// file gives an error wrapping fs.ErrNotExist.
func ReadFile(fsys FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("vfs: opening %s: %w", name, err)
	}
	defer f.Close()
	// Read one byte past the limit to tell a file at the limit from one
	// beyond it.
	data, err := io.ReadAll(io.NewSectionReader(f, 0, limit+1))
	if err != nil {
		return nil, fmt.Errorf("vfs: reading %s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("vfs: reading %s: %w (%d bytes)", name, ErrFileTooLarge, limit)
	}
	return data, nil
}

// MkdirAllSynced creates dir and any missing parents, as MkdirAll does,
// and syncs the parent of every directory it created, so that the new
// directories survive a crash.
func MkdirAllSynced(fsys FS, dir string) error {
	var created []string // new directories, deepest first
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := fsys.Stat(d); err == nil {
			break
		}
		created = append(created, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if len(created) == 0 {
		return nil
	}
	if err := fsys.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("vfs: creating %s: %w", dir, err)
	}
	for _, d := range created {
		if err := fsys.SyncDir(filepath.Dir(d)); err != nil {
			return fmt.Errorf("vfs: creating %s: %w", dir, err)
		}
	}
	return nil
}
