package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/commitlog-go/commitlog/consumer/group"
	"github.com/commitlog-go/commitlog/metrics/prom"
	"github.com/commitlog-go/commitlog/producer"
	"github.com/commitlog-go/commitlog/topic"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.addr, "addr", "127.0.0.1:2112", "address to serve /metrics on")
	flag.StringVar(&cfg.dir, "dir", "", "directory of the topics (default: a temporary directory, removed on exit)")
	flag.IntVar(&cfg.rate, "rate", 2000, "records produced per second")
	flag.DurationVar(&cfg.duration, "duration", 0, "stop after this long (default: run until interrupted)")
	flag.BoolVar(&cfg.scrape, "scrape", false, "before stopping, fetch /metrics once and print the commitlog_ lines")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "example:", err)
		os.Exit(1)
	}
}

type config struct {
	addr     string
	dir      string
	rate     int
	duration time.Duration
	scrape   bool
}

func run(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	if cfg.dir == "" {
		tmp, err := os.MkdirTemp("", "commitlog-metrics-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		cfg.dir = tmp
	}
	if cfg.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.duration)
		defer cancel()
	}

	// One collector for every layer, registered beside the Go runtime's.
	collector := prom.New(prom.Options{})
	promReg := prometheus.NewRegistry()
	promReg.MustRegister(collector, collectors.NewGoCollector())
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	reg, err := topic.Open(cfg.dir, topic.Options{Logger: logger, Metrics: collector})
	if err != nil {
		return err
	}
	defer reg.Close()
	if _, _, err := reg.CreateIfNotExists(ctx, "events", topic.Config{Partitions: 3, Flush: topic.FlushAlways}); err != nil {
		return err
	}
	prod, err := producer.New(reg, producer.Options{Logger: logger, Metrics: collector})
	if err != nil {
		return err
	}
	defer prod.Close()
	coord, err := group.Open(reg, group.Options{Logger: logger, Metrics: collector})
	if err != nil {
		return err
	}
	defer coord.Close()
	member, err := coord.Join("readers", group.MemberOptions{Topics: []string{"events"}})
	if err != nil {
		return err
	}
	defer member.Close()

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: promhttp.HandlerFor(promReg, promhttp.HandlerOpts{}), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	fmt.Fprintf(stderr, "serving http://%s/metrics\n", ln.Addr())

	var wg sync.WaitGroup
	wg.Go(func() { produce(ctx, prod, cfg.rate, logger) })
	wg.Go(func() { consume(ctx, member, logger) })
	<-ctx.Done()
	wg.Wait()
	if cfg.scrape {
		return scrape(ln.Addr().String(), stdout)
	}
	return nil
}

// produce writes keyed records at about rate per second until ctx ends.
func produce(ctx context.Context, prod *producer.Producer, rate int, logger *slog.Logger) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	perTick := max(rate/100, 1)
	for n := 0; ; {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for range perTick {
			msg := producer.Message{Topic: "events", Key: fmt.Appendf(nil, "user-%d", n%50), Value: fmt.Appendf(nil, "event %d", n)}
			prod.ProduceAsync(ctx, msg, func(_ producer.Ack, err error) {
				if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
					logger.Warn("produce failed", "err", err)
				}
			})
			n++
		}
	}
}

// consume reads the group's partitions and commits every second.
func consume(ctx context.Context, member *group.Member, logger *slog.Logger) {
	last := time.Now()
	for _, err := range member.All(ctx) {
		if err != nil {
			if ctx.Err() == nil {
				logger.Warn("consume failed", "err", err)
			}
			return
		}
		if time.Since(last) > time.Second {
			if err := member.Commit(ctx); err != nil && ctx.Err() == nil {
				logger.Warn("commit failed", "err", err)
			}
			last = time.Now()
		}
	}
}

// scrape fetches /metrics from addr and prints the library's lines.
func scrape(addr string, w io.Writer) error {
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get("http://" + addr + "/metrics")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("scrape: %s", resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "commitlog_") {
			fmt.Fprintln(w, line)
		}
	}
	return sc.Err()
}
