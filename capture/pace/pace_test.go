package pace

import (
	"testing"
	"time"
)

// livePass feeds frames at the given capture times to a pacer and returns the
// indices it lets through.
func livePass(p *Pacer, times []time.Duration) []int {
	base := time.Unix(1_700_000_000, 0)
	var sent []int
	for i, d := range times {
		t := base.Add(d)
		if p.Allow(t) {
			p.Sent(t)
			sent = append(sent, i)
		}
	}
	return sent
}

func frameTimes(n int, period, jitter time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		j := jitter
		if i%2 == 0 {
			j = -jitter
		}
		out[i] = time.Duration(i)*period + j
	}
	return out
}

func TestPacerLiveAtCapKeepsAllFrames(t *testing.T) {
	// 30 fps with ±3 ms jitter under a 30 fps cap: nothing may be dropped.
	p := New(time.Second / 30)
	times := frameTimes(90, time.Second/30, 3*time.Millisecond)
	if sent := livePass(&p, times); len(sent) != len(times) {
		t.Errorf("sent %d of %d frames at the cap rate: %v", len(sent), len(times), sent)
	}
}

func TestPacerLiveHalvesDoubleRate(t *testing.T) {
	p := New(time.Second / 30)
	times := frameTimes(120, time.Second/60, 2*time.Millisecond)
	sent := livePass(&p, times)
	if len(sent) != 60 {
		t.Errorf("sent %d of 120 frames of a 60 fps source under a 30 fps cap, want 60: %v", len(sent), sent)
	}
	for i := 1; i < len(sent); i++ {
		if sent[i]-sent[i-1] != 2 {
			t.Fatalf("gap of %d frames between sent frames %d and %d, want 2", sent[i]-sent[i-1], sent[i-1], sent[i])
		}
	}
}

func TestPacerLiveAverageRateBounded(t *testing.T) {
	// A 30 fps source under a 20 fps cap: over 3 s at most 61 frames.
	p := New(time.Second / 20)
	sent := livePass(&p, frameTimes(90, time.Second/30, 0))
	if len(sent) < 58 || len(sent) > 61 {
		t.Errorf("sent %d frames of 3 s of 30 fps under a 20 fps cap, want about 60", len(sent))
	}
}

func TestPacerWaitAndStall(t *testing.T) {
	base := time.Unix(1_700_000_000, 0)
	p := New(100 * time.Millisecond)
	if w := p.Wait(base); w != 0 {
		t.Fatalf("first wait = %v, want 0", w)
	}
	p.Sent(base)
	if w := p.Wait(base.Add(30 * time.Millisecond)); w != 70*time.Millisecond {
		t.Fatalf("wait 30ms after a frame = %v, want 70ms", w)
	}
	p.Sent(base.Add(100 * time.Millisecond))
	// A 1 s stall restarts the schedule instead of allowing a burst.
	stall := base.Add(1100 * time.Millisecond)
	p.Sent(stall)
	if w := p.Wait(stall); w != 100*time.Millisecond {
		t.Fatalf("wait right after a stalled frame = %v, want the full 100ms", w)
	}
	none := Pacer{}
	none.Sent(base)
	if w := none.Wait(base); w != 0 || !none.Allow(base) {
		t.Fatalf("pacer without a cap waits %v / allows %v, want 0 / true", w, none.Allow(base))
	}
}
