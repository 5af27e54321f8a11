package cpus

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// batchChild runs in a child process: it renices its thread to 5, calls
// Batch, starts four more threads and prints "moved N" and then
// "tid policy nice" for each thread of the process.
func batchChild() {
	runtime.LockOSThread()
	_ = unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), 5)
	moved, err := Batch()
	if err != nil {
		fmt.Println("error", err)
		return
	}
	fmt.Println("moved", moved)
	r, w, _ := os.Pipe()
	started := make(chan int)
	for range 4 {
		go func() { // a thread of its own, blocked in read
			runtime.LockOSThread()
			started <- unix.Gettid()
			r.Read(make([]byte, 1))
		}()
	}
	for range 4 {
		fmt.Println("new", <-started)
	}
	tids, _ := threads()
	for _, tid := range tids {
		a, err := unix.SchedGetAttr(tid, 0)
		if err == nil {
			fmt.Println(tid, a.Policy, a.Nice)
		}
	}
	w.Close()
}

// threadPolicies runs batchChild under prefix (a command, or none) and
// returns how many threads it moved, each thread's policy and nice, and
// the threads started after Batch.
func threadPolicies(t *testing.T, prefix ...string) (moved int, policy map[int][2]int, fresh []int) {
	args := append(prefix, os.Args[0], "-test.run", "^TestBatch$")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "FW_CPUS_BATCH=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
	policy = map[int][2]int{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "moved":
			moved, _ = strconv.Atoi(f[1])
		case len(f) == 2 && f[0] == "new":
			tid, _ := strconv.Atoi(f[1])
			fresh = append(fresh, tid)
		case len(f) == 3:
			tid, _ := strconv.Atoi(f[0])
			p, _ := strconv.Atoi(f[1])
			n, _ := strconv.Atoi(f[2])
			policy[tid] = [2]int{p, n}
		case len(f) > 0 && f[0] == "error":
			t.Fatalf("child: %s", line)
		}
	}
	return moved, policy, fresh
}

// Every thread, those there before and those started after, runs in
// SCHED_BATCH, with its niceness kept; a process a user put in another
// policy (SCHED_IDLE here) is left in it.
func TestBatch(t *testing.T) {
	if os.Getenv("FW_CPUS_BATCH") != "" {
		batchChild()
		return
	}
	moved, policy, fresh := threadPolicies(t)
	if moved < 2 || moved > len(policy) {
		t.Errorf("moved %d threads (%d in the end), want at least 2 (a Go process starts several)", moved, len(policy))
	}
	niced := 0
	for tid, pn := range policy {
		if pn[0] != unix.SCHED_BATCH {
			t.Errorf("thread %d: policy %d, want SCHED_BATCH (%d)", tid, pn[0], unix.SCHED_BATCH)
		}
		if pn[1] == 5 {
			niced++
		}
	}
	if niced != 1 {
		t.Errorf("%d threads at nice 5, want 1 (the reniced thread kept its niceness)", niced)
	}
	for _, tid := range fresh {
		if _, ok := policy[tid]; !ok {
			t.Errorf("thread %d started after Batch is not listed", tid)
		}
	}
	if _, err := exec.LookPath("chrt"); err != nil {
		t.Skipf("chrt (util-linux) not found: %v", err)
	}
	moved, policy, _ = threadPolicies(t, "chrt", "--idle", "0")
	for tid, pn := range policy {
		if pn[0] != unix.SCHED_IDLE {
			t.Errorf("under chrt --idle: thread %d policy %d, want SCHED_IDLE (%d) kept", tid, pn[0], unix.SCHED_IDLE)
		}
	}
	if moved != 0 {
		t.Errorf("under chrt --idle: moved %d threads, want 0", moved)
	}
}
