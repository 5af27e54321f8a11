package cpus

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Batch puts every thread of the process in Linux's SCHED_BATCH policy,
// and with them every thread they start later (a new thread inherits its
// creator's policy): the scheduler then takes them for CPU-bound work and
// no longer lets each of their wake-ups preempt the thread running on a
// core (a Go process wakes threads often: sysmon, hand-offs around long
// cgo calls). Niceness is kept, and a thread in another policy than the
// default one (a user's chrt) is left as it is. It returns how many
// threads it moved.
func Batch() (moved int, err error) {
	// Until a pass finds no thread started while the others moved.
	for seen, fresh := map[int]bool{}, -1; fresh != 0 && err == nil; {
		var n int
		fresh, n, err = batchUnseen(seen)
		moved += n
	}
	return moved, err
}

// batchUnseen moves the threads not in seen and adds them to it; fresh is
// how many there were.
func batchUnseen(seen map[int]bool) (fresh, moved int, err error) {
	tids, err := threads()
	for _, tid := range tids {
		if err == nil && !seen[tid] {
			seen[tid] = true
			fresh++
			var m int
			m, err = batchThread(tid)
			moved += m
		}
	}
	return fresh, moved, err
}

// threads lists the process's threads.
func threads() ([]int, error) {
	ents, err := os.ReadDir("/proc/self/task")
	tids := make([]int, 0, len(ents))
	for _, e := range ents {
		if tid, err := strconv.Atoi(e.Name()); err == nil {
			tids = append(tids, tid)
		}
	}
	if err != nil {
		err = fmt.Errorf("list the process's threads: %w", err)
	}
	return tids, err
}

// batchThread moves thread tid from the default policy to SCHED_BATCH: 1
// if it did, 0 if the thread is in another policy or has exited meanwhile.
func batchThread(tid int) (int, error) {
	attr, err := unix.SchedGetAttr(tid, 0)
	if err == nil && attr.Policy == unix.SCHED_NORMAL {
		attr.Policy = unix.SCHED_BATCH
		return outcome(tid, unix.SchedSetAttr(tid, attr, 0))
	}
	_, err = outcome(tid, err)
	return 0, err
}

// outcome is 1 when moving thread tid met no error; an exited thread is not
// an error.
func outcome(tid int, err error) (int, error) {
	if err == nil {
		return 1, nil
	}
	if errors.Is(err, unix.ESRCH) {
		return 0, nil
	}
	return 0, fmt.Errorf("put thread %d in the batch scheduling policy: %w", tid, err)
}
