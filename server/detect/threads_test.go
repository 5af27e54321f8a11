package detect

import (
	"testing"

	"github.com/framewire/framewire/internal/cpus"
)

func TestThreadsPerWorker(t *testing.T) {
	n := cpus.Usable()
	for _, c := range []struct{ workers, want int }{
		{0, 1}, {n, 1}, {1, n}, {2 * n, 1}, {-1, 1},
	} {
		if got := ThreadsPerWorker(c.workers); got != c.want {
			t.Errorf("ThreadsPerWorker(%d) on %d CPUs = %d, want %d", c.workers, n, got, c.want)
		}
	}
}

func TestSetThreads(t *testing.T) {
	defer SetThreads(0)
	for _, n := range []int{1, 2, 3} {
		if err := SetThreads(n); err != nil {
			t.Fatal(err)
		}
		if got := Threads(); got != n {
			t.Errorf("after SetThreads(%d) OpenCV runs %d threads", n, got)
		}
	}
	if err := SetThreads(0); err != nil {
		t.Fatal(err)
	}
	if got := Threads(); got < 1 {
		t.Errorf("after SetThreads(0) OpenCV runs %d threads, want its default", got)
	}
}
