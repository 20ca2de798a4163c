package metrics

import "strconv"

// Metric names one measurement the library reports. Its Name, Kind, Unit
// and Help describe it to an adapter; All lists every one.
type Metric uint16

// The metrics, by the layer that reports them. Every log-layer metric is
// also reported by the logs under a topic, labelled with the topic and
// partition.
const (
	// AppendRecords counts records appended to a log.
	AppendRecords Metric = iota + 1
	// AppendBytes counts bytes appended to a log, batch headers included.
	AppendBytes
	// Fsyncs counts fsyncs of a log's active data: each covers every
	// append written before it started.
	Fsyncs
	// FsyncSeconds observes how long each of those fsyncs took.
	FsyncSeconds
	// FsyncRecords observes how many records each of them made durable.
	FsyncRecords
	// ReadBytes counts bytes of batches handed to readers, by copy or by
	// sendfile.
	ReadBytes
	// SendfileBytes counts the part of ReadBytes the kernel moved from a
	// segment file to a socket without a copy through the process.
	SendfileBytes
	// SegmentRolls counts segments sealed because a new active segment
	// took over.
	SegmentRolls
	// SegmentDeletions counts segments deleted by retention, by
	// DeleteRecordsBefore or by truncation.
	SegmentDeletions
	// RecoveryBytesScanned counts bytes read and checked by crash
	// recovery when a log opens.
	RecoveryBytesScanned
	// RecoveryBytesCut counts bytes crash recovery removed: torn or
	// corrupt tails, and segments after them.
	RecoveryBytesCut
	// ProducerBufferBytes is the memory a producer holds for records
	// not yet acknowledged.
	ProducerBufferBytes
	// ProducerBatchRecords observes how many records each batch a
	// producer appends holds.
	ProducerBatchRecords
	// ConsumerLag is how many records a reader or group member is behind
	// the high watermark of a partition, after its last poll.
	ConsumerLag

	numMetrics = iota
)

type desc struct {
	name, unit, help string
	kind             Kind
}

var descs = [numMetrics + 1]desc{
	AppendRecords:        {"append_records", "records", "Records appended to the log.", Counter},
	AppendBytes:          {"append_bytes", "bytes", "Bytes of batches appended to the log.", Counter},
	Fsyncs:               {"fsyncs", "fsyncs", "Fsyncs of the log's appended data.", Counter},
	FsyncSeconds:         {"fsync_duration", "seconds", "Time each fsync of appended data took.", Histogram},
	FsyncRecords:         {"fsync_records", "records", "Records each fsync made durable.", Histogram},
	ReadBytes:            {"read_bytes", "bytes", "Bytes of batches handed to readers.", Counter},
	SendfileBytes:        {"sendfile_bytes", "bytes", "Bytes of batches sent from segment files by sendfile.", Counter},
	SegmentRolls:         {"segment_rolls", "segments", "Segments sealed by a roll.", Counter},
	SegmentDeletions:     {"segment_deletions", "segments", "Segments deleted by retention, record deletion or truncation.", Counter},
	RecoveryBytesScanned: {"recovery_scanned_bytes", "bytes", "Bytes checked by crash recovery.", Counter},
	RecoveryBytesCut:     {"recovery_cut_bytes", "bytes", "Bytes removed by crash recovery.", Counter},
	ProducerBufferBytes:  {"producer_buffer_bytes", "bytes", "Memory held for records not yet acknowledged.", Gauge},
	ProducerBatchRecords: {"producer_batch_records", "records", "Records in each batch a producer appends.", Histogram},
	ConsumerLag:          {"consumer_lag", "records", "Records between a consumer's position and the high watermark.", Gauge},
}

// All returns every metric, in the order of their constants.
func All() []Metric {
	out := make([]Metric, 0, numMetrics)
	for m := Metric(1); m <= numMetrics; m++ {
		out = append(out, m)
	}
	return out
}

// Name is the metric's name in snake case, without a namespace or a unit
// suffix: "append_records".
func (m Metric) Name() string { return m.desc().name }

// Unit is what a value counts: "records", "bytes", "seconds", ...
func (m Metric) Unit() string { return m.desc().unit }

// Help is one sentence saying what the metric measures.
func (m Metric) Help() string { return m.desc().help }

// Kind says whether the metric is a counter, a gauge or a histogram.
func (m Metric) Kind() Kind { return m.desc().kind }

// String returns the name, or Metric(n) for a number no constant has.
func (m Metric) String() string {
	if m.Valid() {
		return m.Name()
	}
	return "Metric(" + strconv.Itoa(int(m)) + ")"
}

// Valid reports whether m is one of the constants.
func (m Metric) Valid() bool { return m >= 1 && m <= numMetrics }

func (m Metric) desc() desc {
	if !m.Valid() {
		return desc{}
	}
	return descs[m]
}
