// Package diskspace says how much room is left on the disk holding a
// directory, for the low-disk alert.
package diskspace

// Free returns the bytes available to paygate on the file system holding
// dir; ok is false where that cannot be told.
func Free(dir string) (bytes uint64, ok bool) { return free(dir) }
