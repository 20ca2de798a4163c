// Command quickstart shows commitlog at work. It first runs the README's
// usage example (signups.go): one durable signup, then every signup read
// back. Then it creates a topic of three partitions compressed with zstd,
// produces keyed page views from several goroutines (one producer,
// group-committing their records), follows the topic with a subscriber
// that blocks until records arrive, reads one partition from an offset and
// from a point in time, reopens the registry and describes what it finds
// on disk.
//
// Run it again on the same directory and it finds its topics, adds to
// them, and reads them all back.
//
//	go run ./examples/quickstart            # in a temporary directory
//	go run ./examples/quickstart -dir data  # keep the topics in ./data
package main

import (
	"context"
	"flag"
	"fmt"
	stdlog "log"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/commitlog-go/commitlog/compress"
	"github.com/commitlog-go/commitlog/consumer"
	"github.com/commitlog-go/commitlog/producer"
	"github.com/commitlog-go/commitlog/topic"
)

func main() {
	dir := flag.String("dir", "", "directory to keep the topics in (default: a temporary directory, removed on exit)")
	flag.Parse()
	if err := run(*dir); err != nil {
		stdlog.Fatal(err)
	}
}

var users = []string{"ada", "bob", "cy", "dee", "eve"}

func run(dir string) error {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "commitlog-quickstart-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	if err := signups(ctx, dir); err != nil {
		return err
	}

	reg, err := topic.Open(dir, topic.Options{})
	if err != nil {
		return err
	}
	// Every acknowledgement waits for an fsync, shared by whatever
	// records arrived together; small segments make several files.
	views, created, err := reg.CreateIfNotExists(ctx, "page-views", topic.Config{
		Partitions: 3, Compression: compress.Zstd, Flush: topic.FlushAlways, SegmentBytes: 4 << 10,
	})
	if err != nil {
		return err
	}
	verb := "created"
	if !created {
		verb = "found"
	}
	fmt.Printf("%s %q: %d partitions, zstd, fsync before every acknowledgement\n", verb, views.Name(), views.NumPartitions())

	// A subscriber follows every partition from their ends, waiting for
	// the records produced below.
	sub, err := consumer.NewTopicReader(views, consumer.Options{Start: consumer.Latest()})
	if err != nil {
		return err
	}
	const perUser = 40
	seen := make(chan map[string]int, 1)
	go func() {
		counts := map[string]int{}
		for n := 0; n < len(users)*perUser; n++ {
			rec, err := sub.Next(ctx)
			if err != nil {
				stdlog.Print(err)
				break
			}
			counts[string(rec.Key)]++
		}
		seen <- counts
	}()

	// One producer, one goroutine per user. A user's views all go to the
	// partition murmur2 picks for the key, as Kafka's client would.
	prod, err := producer.New(reg, producer.Options{})
	if err != nil {
		return err
	}
	start := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	partitionOf := map[string]int32{}
	var wg sync.WaitGroup
	for u, user := range users {
		wg.Go(func() {
			for i := range perUser {
				ack, err := prod.Produce(ctx, producer.Message{
					Topic: "page-views", Key: []byte(user),
					Value: fmt.Appendf(nil, `{"user":%q,"page":"/docs/%d"}`, user, i),
					Time:  start.Add(time.Duration(i*len(users)+u) * time.Second),
				})
				if err != nil {
					stdlog.Print(err)
					return
				}
				mu.Lock()
				partitionOf[user] = ack.Partition
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := prod.Close(); err != nil {
		return err
	}
	for _, user := range users {
		fmt.Printf("  %-4s -> partition %d\n", user, partitionOf[user])
	}
	counts := <-seen
	total := 0
	for _, n := range counts {
		total += n
	}
	fmt.Printf("the subscriber saw %d views: %v\n", total, counts)

	// Read one partition from an offset, then from a point in time.
	p := partitionOf["ada"]
	pr, err := consumer.NewPartitionReader(views, p, consumer.Options{Start: consumer.AtOffset(3)})
	if err != nil {
		return err
	}
	rec, err := pr.Next(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("partition %d, offset 3: %s=%s\n", p, rec.Key, rec.Value)
	at := start.Add(150 * time.Second)
	if err := pr.Seek(consumer.AtTime(at)); err != nil {
		return err
	}
	if rec, err = pr.Next(ctx); err != nil {
		return err
	}
	fmt.Printf("partition %d, first record at or after %s: offset %d, %s\n", p, at.Format(time.TimeOnly), rec.Offset, rec.Time.UTC().Format(time.TimeOnly))

	// Close, reopen, and look at what is on disk.
	if err := reg.Close(); err != nil {
		return err
	}
	if reg, err = topic.Open(dir, topic.Options{}); err != nil {
		return err
	}
	defer reg.Close()
	d, err := reg.Describe("page-views")
	if err != nil {
		return err
	}
	fmt.Println("after reopening:")
	for _, pd := range d.Partitions {
		files, err := os.ReadDir(pd.Dir)
		if err != nil {
			return err
		}
		var logs []string
		for _, f := range files {
			if filepath.Ext(f.Name()) == ".log" {
				logs = append(logs, f.Name())
			}
		}
		slices.Sort(logs)
		fmt.Printf("  partition %d: offsets [%d, %d), %d bytes in %d segments: %v\n",
			pd.Index, pd.LogStartOffset, pd.LogEndOffset, pd.Size, pd.Segments, logs)
	}
	return nil
}
