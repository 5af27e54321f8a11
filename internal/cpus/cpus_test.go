package cpus

import (
	"runtime"
	"testing"
	"testing/fstest"
)

func TestUsable(t *testing.T) {
	for _, c := range []struct {
		name  string
		files fstest.MapFS
		n     int // runtime.NumCPU
		want  int
	}{
		{"no cgroup file", fstest.MapFS{}, 16, 16},
		{"v2 without a limit", fstest.MapFS{
			"proc/self/cgroup":      {Data: []byte("0::/\n")},
			"sys/fs/cgroup/cpu.max": {Data: []byte("max 100000\n")},
		}, 16, 16},
		{"v2 container of 2.5 CPUs (its group is the mount's root)", fstest.MapFS{
			"proc/self/cgroup":      {Data: []byte("0::/\n")},
			"sys/fs/cgroup/cpu.max": {Data: []byte("250000 100000\n")},
		}, 16, 3},
		{"v2 parent tighter than the leaf", fstest.MapFS{
			"proc/self/cgroup":                 {Data: []byte("0::/app/worker\n")},
			"sys/fs/cgroup/app/cpu.max":        {Data: []byte("200000 100000\n")},
			"sys/fs/cgroup/app/worker/cpu.max": {Data: []byte("max 100000\n")},
		}, 16, 2},
		{"v2 limit above the CPUs", fstest.MapFS{
			"proc/self/cgroup":      {Data: []byte("0::/\n")},
			"sys/fs/cgroup/cpu.max": {Data: []byte("800000 100000\n")},
		}, 4, 4},
		{"v2 half a CPU", fstest.MapFS{
			"proc/self/cgroup":      {Data: []byte("0::/\n")},
			"sys/fs/cgroup/cpu.max": {Data: []byte("50000 100000\n")},
		}, 2, 1},
		{"v1 docker without a cgroup namespace", fstest.MapFS{
			"proc/self/cgroup":                            {Data: []byte("12:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n")},
			"sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us":  {Data: []byte("200000\n")},
			"sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": {Data: []byte("100000\n")},
		}, 16, 2},
		{"v1 without a quota", fstest.MapFS{
			"proc/self/cgroup":                    {Data: []byte("1:cpu:/\n")},
			"sys/fs/cgroup/cpu/cpu.cfs_quota_us":  {Data: []byte("-1\n")},
			"sys/fs/cgroup/cpu/cpu.cfs_period_us": {Data: []byte("100000\n")},
		}, 8, 8},
		{"unreadable values", fstest.MapFS{
			"proc/self/cgroup":      {Data: []byte("0::/\ngarbage\n")},
			"sys/fs/cgroup/cpu.max": {Data: []byte("lots\n")},
		}, 8, 8},
	} {
		if got := usable(c.n, c.files); got != c.want {
			t.Errorf("%s: %d CPUs usable of %d, want %d", c.name, got, c.n, c.want)
		}
	}
}

// On this machine, whatever its groups: at least one CPU, at most NumCPU.
func TestUsableHere(t *testing.T) {
	if n := Usable(); n < 1 || n > runtime.NumCPU() {
		t.Errorf("Usable() = %d, want 1 to %d", n, runtime.NumCPU())
	}
}
