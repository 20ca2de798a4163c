// Package logcapture records what a *slog.Logger is given, so that tests
// can assert the lines the library writes.
package logcapture
