// Command eventsourcing keeps bank accounts as a log of events. Commands
// (open, deposit, withdraw, transfer) are checked against the current
// state and, when valid, append events keyed by account, so that each
// account's events stay in order on one partition. State is never stored
// as such: it is rebuilt at start-up by replaying the topic, from a
// snapshot that records the state and the offsets it covers. A projection
// (monthly statements, say) follows the same events as a consumer group
// and commits its offsets as it goes.
//
//	go run ./examples/eventsourcing            # in a temporary directory
//	go run ./examples/eventsourcing -dir bank  # keep the data in ./bank
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	stdlog "log"
	"os"
	"path/filepath"
	"time"

	"github.com/commitlog-go/commitlog/consumer"
	"github.com/commitlog-go/commitlog/consumer/group"
	"github.com/commitlog-go/commitlog/producer"
	"github.com/commitlog-go/commitlog/topic"
	"github.com/commitlog-go/commitlog/vfs"
)

const eventsTopic = "account-events"

func main() {
	dir := flag.String("dir", "", "directory to keep the data in (default: a temporary directory, removed on exit)")
	flag.Parse()
	if err := run(*dir); err != nil {
		stdlog.Fatal(err)
	}
}

func run(dir string) error {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "commitlog-eventsourcing-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()

	bank, err := openBank(dir)
	if err != nil {
		return err
	}
	fmt.Printf("replayed %d events: %d accounts\n", bank.replayed, len(bank.state.Balances))
	if bank.replayed == 0 {
		// An account moved over from last year's ledger keeps the
		// times its events happened.
		opened := time.Now().AddDate(-1, 0, 0)
		for i, e := range []event{{Kind: "opened", Account: "erin"}, {Kind: "deposited", Account: "erin", Amount: 500}} {
			if err := bank.importEvent(ctx, e, opened.Add(time.Duration(i)*time.Hour)); err != nil {
				return err
			}
		}
		fmt.Println("imported erin's account, opened a year ago")
	}

	// A day of business. Rejected commands append nothing.
	commands := []command{
		{Kind: "open", Account: "alice"}, {Kind: "open", Account: "bob"}, {Kind: "open", Account: "carol"},
		{Kind: "deposit", Account: "alice", Amount: 100}, {Kind: "deposit", Account: "bob", Amount: 50},
		{Kind: "transfer", Account: "alice", To: "bob", Amount: 30},
		{Kind: "withdraw", Account: "bob", Amount: 500}, // insufficient funds
		{Kind: "transfer", Account: "bob", To: "carol", Amount: 60},
		{Kind: "deposit", Account: "dave", Amount: 10}, // no such account
	}
	for _, c := range commands {
		if err := bank.handle(ctx, c); err != nil {
			fmt.Printf("  rejected %-8s %-5s: %v\n", c.Kind, c.Account, err)
		}
	}
	fmt.Printf("balances: %v\n", bank.state.Balances)

	// Snapshot: the state and, per partition, the offset it covers.
	if err := bank.snapshot(); err != nil {
		return err
	}
	for i := range 5 {
		if err := bank.handle(ctx, command{Kind: "deposit", Account: "carol", Amount: 1 + i}); err != nil {
			return err
		}
	}

	// The projection reads the events as consumer group "statements".
	statements, err := project(ctx, bank.groups)
	if err != nil {
		return err
	}
	fmt.Printf("statements projection: %v\n", statements)
	want := bank.state.Balances
	if err := bank.close(); err != nil {
		return err
	}

	// Restart: the snapshot, then only the events after it.
	bank, err = openBank(dir)
	if err != nil {
		return err
	}
	defer bank.close()
	fmt.Printf("after a restart: %d events replayed on top of the snapshot, balances %v\n", bank.replayed, bank.state.Balances)
	if fmt.Sprint(want) != fmt.Sprint(bank.state.Balances) {
		return fmt.Errorf("replay gave %v, want %v", bank.state.Balances, want)
	}
	desc, err := bank.groups.Describe("statements")
	if err != nil {
		return err
	}
	lag := int64(0)
	for _, p := range desc.Partitions {
		lag += p.Lag
	}
	fmt.Printf("the projection's committed offsets leave a lag of %d events\n", lag)
	fmt.Printf("done in %v\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// command is a request to change an account.
type command struct {
	Kind    string // open, deposit, withdraw, transfer
	Account string
	To      string // transfer only
	Amount  int
}

// event is what happened, as stored in the log.
type event struct {
	Kind    string `json:"kind"` // opened, deposited, withdrew
	Account string `json:"account"`
	Amount  int    `json:"amount,omitempty"`
}

// state is what the events add up to.
type state struct {
	Balances map[string]int `json:"balances"`
}

func (s *state) apply(e event) {
	switch e.Kind {
	case "opened":
		s.Balances[e.Account] = 0
	case "deposited":
		s.Balances[e.Account] += e.Amount
	case "withdrew":
		s.Balances[e.Account] -= e.Amount
	}
}

// snapshotFile holds the state and the offsets of the events it covers.
type snapshotFile struct {
	State   state   `json:"state"`
	Offsets []int64 `json:"offsets"` // per partition: the next event not in State
}

type bank struct {
	reg      *topic.Registry
	prod     *producer.Producer
	groups   *group.Coordinator
	events   *topic.Topic
	state    state
	replayed int
	snapPath string
}

// openBank opens the registry, creating the events topic the first time,
// and rebuilds the state from the snapshot and the events after it.
func openBank(dir string) (*bank, error) {
	reg, err := topic.Open(filepath.Join(dir, "log"), topic.Options{})
	if err != nil {
		return nil, err
	}
	b := &bank{reg: reg, state: state{Balances: map[string]int{}}, snapPath: filepath.Join(dir, "snapshot.json")}
	if b.events, err = openEvents(reg); err != nil {
		reg.Close()
		return nil, err
	}
	offsets := make([]int64, b.events.NumPartitions())
	if data, err := os.ReadFile(b.snapPath); err == nil {
		var snap snapshotFile
		if err := json.Unmarshal(data, &snap); err != nil {
			reg.Close()
			return nil, fmt.Errorf("reading snapshot: %w", err)
		}
		b.state = snap.State
		copy(offsets, snap.Offsets)
	}
	for p := range offsets {
		r, err := consumer.NewPartitionReader(b.events, int32(p), consumer.Options{Start: consumer.AtOffset(offsets[p])})
		if err != nil {
			reg.Close()
			return nil, err
		}
		for {
			rec, err := r.TryNext()
			if err != nil {
				reg.Close()
				return nil, err
			}
			if rec == nil {
				break
			}
			var e event
			if err := json.Unmarshal(rec.Value, &e); err != nil {
				reg.Close()
				return nil, fmt.Errorf("event at %d/%d: %w", p, rec.Offset, err)
			}
			b.state.apply(e)
			b.replayed++
		}
	}
	if b.prod, err = producer.New(reg, producer.Options{}); err != nil {
		reg.Close()
		return nil, err
	}
	// The consumer groups' offsets live in the registry's directory, and
	// the registry's Close closes them.
	if b.groups, err = group.Open(reg, group.Options{}); err != nil {
		reg.Close()
		return nil, err
	}
	return b, nil
}

// openEvents opens the events topic, creating it the first time.
//
// The events are the only copy of the state, so the topic keeps them
// forever: RetentionAge is negative. Under the default, seven days,
// retention deletes a segment once its newest record is older than that,
// judged by the records' timestamps; events imported with the times they
// happened elsewhere (see importEvent), a year ago say, would go at the
// first retention check, every five minutes by default. A topic that an
// older version of the program created with another retention is
// changed to keep its events too.
func openEvents(reg *topic.Registry) (*topic.Topic, error) {
	ctx := context.Background()
	// FlushAlways: every acknowledged event is on disk, so a command's
	// effect is never lost once it has been answered.
	t, _, err := reg.CreateIfNotExists(ctx, eventsTopic, topic.Config{Partitions: 4, Flush: topic.FlushAlways, RetentionAge: -1})
	if err != nil {
		return nil, err
	}
	if cfg := t.Config(); cfg.RetentionAge >= 0 || cfg.RetentionBytes > 0 {
		if _, err := reg.AlterConfig(ctx, eventsTopic, func(c *topic.Config) { c.RetentionAge, c.RetentionBytes = -1, 0 }); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// handle checks a command against the state and appends its events.
func (b *bank) handle(ctx context.Context, c command) error {
	_, exists := b.state.Balances[c.Account]
	var events []event
	switch {
	case c.Kind == "open" && exists:
		return errors.New("account exists")
	case c.Kind == "open":
		events = []event{{Kind: "opened", Account: c.Account}}
	case !exists:
		return errors.New("no such account")
	case c.Amount <= 0:
		return errors.New("amount must be positive")
	case c.Kind == "deposit":
		events = []event{{Kind: "deposited", Account: c.Account, Amount: c.Amount}}
	case b.state.Balances[c.Account] < c.Amount:
		return fmt.Errorf("insufficient funds: %d", b.state.Balances[c.Account])
	case c.Kind == "withdraw":
		events = []event{{Kind: "withdrew", Account: c.Account, Amount: c.Amount}}
	case c.Kind == "transfer":
		if _, ok := b.state.Balances[c.To]; !ok {
			return errors.New("no such account to transfer to")
		}
		events = []event{{Kind: "withdrew", Account: c.Account, Amount: c.Amount}, {Kind: "deposited", Account: c.To, Amount: c.Amount}}
	default:
		return fmt.Errorf("unknown command %q", c.Kind)
	}
	for _, e := range events {
		if err := b.append(ctx, e, time.Time{}); err != nil {
			return err
		}
	}
	return nil
}

// importEvent appends an event that happened elsewhere at time at (a
// ledger being moved over, say), with at as its record's timestamp.
func (b *bank) importEvent(ctx context.Context, e event, at time.Time) error {
	return b.append(ctx, e, at)
}

// append stores e, keyed by its account, and applies it once it is
// acknowledged. A zero at stamps it with the time it is produced.
func (b *bank) append(ctx context.Context, e event, at time.Time) error {
	value, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if _, err := b.prod.Produce(ctx, producer.Message{Topic: eventsTopic, Key: []byte(e.Account), Value: value, Time: at}); err != nil {
		return err
	}
	b.state.apply(e)
	return nil
}

// snapshot writes the state with the offsets it covers: every event
// appended so far, since handle applies an event once it is acknowledged.
func (b *bank) snapshot() error {
	snap := snapshotFile{State: b.state}
	for _, p := range b.events.Partitions() {
		snap.Offsets = append(snap.Offsets, p.HighWatermark())
	}
	data, err := json.Marshal(snap)
	if err != nil {
		return err
	}
	// Crash-safe: a crash leaves the old snapshot or the new one.
	return vfs.WriteFileAtomic(vfs.Default, b.snapPath, data)
}

func (b *bank) close() error {
	return errors.Join(b.prod.Close(), b.reg.Close())
}

// project reads every event as consumer group "statements" and counts, per
// account, the movements a monthly statement would list. The member
// commits what it has read every few milliseconds and when it closes.
func project(ctx context.Context, groups *group.Coordinator) (map[string]int, error) {
	m, err := groups.Join("statements", group.MemberOptions{Topics: []string{eventsTopic}, AutoCommitInterval: 10 * time.Millisecond})
	if err != nil {
		return nil, err
	}
	lines := map[string]int{}
	for {
		idle, stop := context.WithTimeout(ctx, 50*time.Millisecond)
		rec, err := m.Poll(idle)
		stop()
		if errors.Is(err, context.DeadlineExceeded) {
			break // caught up
		}
		if err != nil {
			m.Close()
			return nil, err
		}
		var e event
		if err := json.Unmarshal(rec.Value, &e); err != nil {
			m.Close()
			return nil, err
		}
		if e.Kind != "opened" {
			lines[e.Account]++
		}
	}
	return lines, m.Close()
}
