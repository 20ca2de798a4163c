package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/commitlog-go/commitlog/consumer"
	"github.com/commitlog-go/commitlog/producer"
	"github.com/commitlog-go/commitlog/topic"
)

// signups is the usage example of the README, word for word (a test
// checks it): it stores one signup durably and reads back every signup
// the directory holds, so each run on the same directory finds one more.
func signups(ctx context.Context, dir string) error {
	reg, err := topic.Open(dir, topic.Options{})
	if err != nil {
		return err
	}
	defer reg.Close()
	// Created on the first run, found as it is on the next ones.
	t, _, err := reg.CreateIfNotExists(ctx, "signups", topic.Config{Partitions: 4, Flush: topic.FlushAlways})
	if err != nil {
		return err
	}

	prod, err := producer.New(reg, producer.Options{})
	if err != nil {
		return err
	}
	ack, err := prod.Produce(ctx, producer.Message{Topic: "signups", Key: []byte("user-1"), Value: []byte("signed up")})
	if err != nil {
		return err
	}
	fmt.Println("stored at", ack.Partition, ack.Offset) // durable: fsynced before Produce returned

	r, err := consumer.NewTopicReader(t, consumer.Options{Start: consumer.Earliest()})
	if err != nil {
		return err
	}
	// All waits for new records until its context ends: read for 100 ms.
	reading, stop := context.WithTimeout(ctx, 100*time.Millisecond)
	defer stop()
	var all []*consumer.Record
	for rec, err := range r.All(reading) {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			break // the 100 ms are up: the end of the loop, not a failure
		}
		if err != nil {
			return err
		}
		all = append(all, rec.Clone()) // rec itself is reused by the next iteration
	}
	for _, rec := range all {
		fmt.Printf("%d/%d %s=%s\n", rec.Partition, rec.Offset, rec.Key, rec.Value)
	}
	return nil
}
