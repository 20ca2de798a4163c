package notify

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestBroadcastWakesEveryWaiterOnce(t *testing.T) {
	var n Notifier
	a, b := n.Wait(), n.Wait()
	require.Equal(t, a, b, "waiters before a broadcast share one channel")
	select {
	case <-a:
		t.Fatal("woken before any broadcast")
	default:
	}
	n.Broadcast()
	for _, ch := range []<-chan struct{}{a, b} {
		select {
		case <-ch:
		case <-time.After(time.Second):
			t.Fatal("waiter not woken")
		}
	}
	c := n.Wait()
	select {
	case <-c:
		t.Fatal("a waiter after the broadcast is woken by it")
	default:
	}
	n.Broadcast()
	<-c
}

func TestBroadcastWithoutWaitersMakesNoChannel(t *testing.T) {
	var n Notifier
	n.Broadcast()
	require.Nil(t, n.ch)
}
