package main

import (
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"time"

	"golang.org/x/sys/unix"
)

// machineMetrics are the hardware's own limits, measured by the same
// program on the same machine, so that each figure of the table can be
// read as a fraction of what was possible.
var machineMetrics = []metric{
	{key: "memcpy GB/s", unit: "GB/s", higher: true},
	{key: "page-cache write GB/s", unit: "GB/s", higher: true},
	{key: "10 KB append µs", unit: "µs per write, median"},
	{key: "10 KB overwrite µs", unit: "µs per write, median"},
	{key: "10 KB append + fdatasync µs", unit: "µs, median"},
	{key: "CRC-32C GB/s, 10 KB in cache", unit: "GB/s", higher: true},
	{key: "CRC-32C GB/s, 64 MiB from memory", unit: "GB/s", higher: true},
}

// measureMachine measures memory copy speed, buffered file writes,
// fdatasync latency and CRC-32C speed in dir.
func measureMachine(dir string, sz sizes) (result, error) {
	res := result{metrics: map[string]float64{}}
	const chunk = 1 << 20
	src, dst := make([]byte, 64<<20), make([]byte, 64<<20)
	for i := range src {
		src[i] = byte(i)
	}
	copy(dst, src) // fault the pages in
	start := time.Now()
	for n := int64(0); n < sz.machine; n += int64(len(src)) {
		copy(dst, src)
	}
	res.metrics["memcpy GB/s"] = float64(sz.machine) / time.Since(start).Seconds() / 1e9

	f, err := os.Create(filepath.Join(dir, "write"))
	if err != nil {
		return res, err
	}
	defer f.Close()
	start = time.Now()
	for n := int64(0); n < sz.machine; n += chunk {
		if _, err := f.Write(src[n%int64(len(src)) : n%int64(len(src))+chunk]); err != nil {
			return res, err
		}
	}
	res.metrics["page-cache write GB/s"] = float64(sz.machine) / time.Since(start).Seconds() / 1e9

	// Writes of 10 KB that extend a file, as appends of batches of 100
	// records do: what (a) can reach at most.
	a, err := os.Create(filepath.Join(dir, "append"))
	if err != nil {
		return res, err
	}
	defer a.Close()
	var appends []time.Duration
	for n := int64(0); n < sz.machine/4; n += 10_000 {
		start := time.Now()
		if _, err := a.Write(src[:10_000]); err != nil {
			return res, err
		}
		appends = append(appends, time.Since(start))
	}
	res.metrics["10 KB append µs"] = medianMicros(appends)

	// The same writes over pages the file already has in the page cache:
	// the difference is what the kernel spends taking fresh pages.
	var overwrites []time.Duration
	for n := int64(0); n < sz.machine/4; n += 10_000 {
		start := time.Now()
		if _, err := a.WriteAt(src[:10_000], n%(1<<20)); err != nil {
			return res, err
		}
		overwrites = append(overwrites, time.Since(start))
	}
	res.metrics["10 KB overwrite µs"] = medianMicros(overwrites)

	// A 10 KB append and an fdatasync, as a durable batch of 100 records
	// needs at the least.
	g, err := os.Create(filepath.Join(dir, "sync"))
	if err != nil {
		return res, err
	}
	defer g.Close()
	var lat []time.Duration
	for range sz.fsyncs {
		start := time.Now()
		if _, err := g.Write(src[:10_000]); err != nil {
			return res, err
		}
		if err := unix.Fdatasync(int(g.Fd())); err != nil {
			return res, err
		}
		lat = append(lat, time.Since(start))
	}
	res.metrics["10 KB append + fdatasync µs"] = medianMicros(lat)

	// CRC-32C over one 10 KB batch that is already in the CPU's cache, as
	// a reader checks a batch it has just copied, and over a buffer far
	// larger than the cache, which the memory's speed bounds.
	table := crc32.MakeTable(crc32.Castagnoli)
	batch := src[:10_000]
	start = time.Now()
	for n := int64(0); n < sz.machine; n += int64(len(batch)) {
		crc32.Update(0, table, batch)
	}
	res.metrics["CRC-32C GB/s, 10 KB in cache"] = float64(sz.machine) / time.Since(start).Seconds() / 1e9
	start = time.Now()
	for n := int64(0); n < sz.machine; n += int64(len(src)) {
		crc32.Update(0, table, src)
	}
	res.metrics["CRC-32C GB/s, 64 MiB from memory"] = float64(sz.machine) / time.Since(start).Seconds() / 1e9
	return res, nil
}

// medianMicros is the median of ds in microseconds.
func medianMicros(ds []time.Duration) float64 {
	slices.Sort(ds)
	return float64(ds[len(ds)/2].Nanoseconds()) / 1e3
}
