package e2e

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/framewire/framewire/internal/capturecmd"
)

// policies is the scheduling policy of each thread of process pid.
func policies(t *testing.T, pid int) map[int]uint32 {
	t.Helper()
	ents, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]uint32{}
	for _, e := range ents {
		tid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if a, err := unix.SchedGetAttr(tid, 0); err == nil {
			out[tid] = a.Policy
		}
	}
	return out
}

// The server runs every thread in the batch policy, those started for a
// stream too; --sched-batch=false leaves them in the default one.
func TestServerThreadsRunInBatchScheduling(t *testing.T) {
	t.Parallel()
	clip := vtestClip(t, 30)
	for _, c := range []struct {
		args []string
		want uint32
	}{
		{nil, unix.SCHED_BATCH},
		{[]string{"--sched-batch=false"}, unix.SCHED_NORMAL},
	} {
		s := startServer(t, t.TempDir(), append([]string{"--model", "mean"}, c.args...)...)
		var stdout, stderr bytes.Buffer
		if err := capturecmd.Run(context.Background(), []string{"--server", s.addr, "--source", clip}, &stdout, &stderr); err != nil {
			t.Fatalf("client failed: %v\n%s", err, stderr.String())
		}
		ps := policies(t, s.Cmd.Process.Pid)
		for tid, p := range ps {
			if p != c.want {
				t.Errorf("server %v: thread %d in policy %d, want %d", c.args, tid, p, c.want)
			}
		}
		if len(ps) < 3 {
			t.Errorf("server %v: %d threads, want several", c.args, len(ps))
		}
	}
}
