// Package interop checks commitlog's bytes against independent Kafka
// implementations: the franz-go and sarama client libraries, talking to an
// in-process fake cluster (franz-go's kfake) on the loopback interface.
//
// It is a module of its own so that the library's dependencies stay the few
// it chose; nothing outside this directory imports it. Run it with
//
//	cd interop && go vet ./... && go test -race ./...
package interop
