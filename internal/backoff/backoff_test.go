package backoff

import (
	"context"
	"testing"
	"time"
)

func TestWaitDoublesUpToMax(t *testing.T) {
	p := Policy{Min: 100 * time.Millisecond, Max: time.Second}
	for _, c := range []struct {
		n    int
		full time.Duration // the wait before jitter
	}{
		{1, 100 * time.Millisecond}, {2, 200 * time.Millisecond}, {3, 400 * time.Millisecond},
		{4, 800 * time.Millisecond}, {5, time.Second}, {50, time.Second},
	} {
		for range 20 {
			if got := p.Wait(c.n); got < c.full/2 || got > c.full {
				t.Fatalf("Wait(%d) = %v, want within [%v, %v]", c.n, got, c.full/2, c.full)
			}
		}
	}
}

func TestWaitDefaults(t *testing.T) {
	var p Policy
	if got := p.Wait(1); got < DefaultMin/2 || got > DefaultMin {
		t.Errorf("zero Policy Wait(1) = %v, want within [%v, %v]", got, DefaultMin/2, DefaultMin)
	}
	if got := p.Wait(100); got < DefaultMax/2 || got > DefaultMax {
		t.Errorf("zero Policy Wait(100) = %v, want within [%v, %v]", got, DefaultMax/2, DefaultMax)
	}
	if got := (Policy{Min: time.Second, Max: time.Millisecond}).Wait(3); got < time.Second/2 || got > time.Second {
		t.Errorf("Max below Min: Wait(3) = %v, want Min's range", got)
	}
}

func TestSleepEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := Sleep(ctx, time.Hour); err != context.Canceled {
		t.Errorf("Sleep on a cancelled context = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Sleep on a cancelled context took %v", d)
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("Sleep(1ms) = %v, want nil", err)
	}
}
