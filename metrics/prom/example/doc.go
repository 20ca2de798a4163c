// Command example serves commitlog's metrics to Prometheus while a
// producer writes to a topic and a consumer group reads it.
//
//	go run ./example                      # serves until interrupted
//	curl -s 127.0.0.1:2112/metrics | grep ^commitlog_
//
// With -duration it stops on its own; with -scrape it then fetches its own
// /metrics once and prints the commitlog_ lines, which is what its test
// does.
package main
