package partition

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAcks(t *testing.T) {
	require.Equal(t, Acks(-1), AcksAll, "Kafka's number for acks=all")
	for _, a := range []Acks{AcksNone, AcksLeader, AcksAll} {
		require.True(t, a.Valid(), a.String())
	}
	require.False(t, Acks(2).Valid())
	require.Equal(t, "all", AcksAll.String())
	require.Equal(t, "Acks(2)", Acks(2).String())
}
