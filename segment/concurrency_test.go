package segment

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/commitlog-go/commitlog/vfs"
)

// TestMaxTimestampWhileSealing asks a segment whose batches carry no
// timestamps for its largest timestamp while the writer seals it, as a
// reader's OffsetForTimestamp can during a roll or Close: under -race,
// the answer must not race with the seal.
func TestMaxTimestampWhileSealing(t *testing.T) {
	s := createSegment(t, vfs.NewMem(), "/", 0, Options{})
	require.NoError(t, s.Append(noTimestampBatch(t, 0)))
	var wg sync.WaitGroup
	start := make(chan struct{})
	wg.Go(func() {
		<-start
		for range 1000 {
			ts, err := s.MaxTimestamp()
			if err != nil || ts != NoTimestamp {
				t.Errorf("MaxTimestamp = %d, %v", ts, err)
				return
			}
		}
	})
	close(start)
	require.NoError(t, s.Seal())
	wg.Wait()
}
