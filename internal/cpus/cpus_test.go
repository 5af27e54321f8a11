package cpus

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
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

// The limits of a real control group (cgroup v1's cpu controller, as on
// this project's machines; skipped where it cannot be made): a child
// process put in a group of 0.5 and then 1.5 CPUs counts ceil(limit)
// CPUs, at most NumCPU.
func TestUsableInARealCgroup(t *testing.T) {
	if os.Getenv("FW_CPUS_PRINT") != "" {
		fmt.Println(Usable())
		return
	}
	dir := filepath.Join("/sys/fs/cgroup/cpu", fmt.Sprintf("framewire-test-%d", os.Getpid()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skipf("cannot make a cgroup v1 cpu group (needs root and the cpu controller at /sys/fs/cgroup/cpu): %v", err)
	}
	t.Cleanup(func() { os.Remove(dir) }) // after the children have exited
	for _, quota := range []int{50000, 150000} {
		if err := os.WriteFile(filepath.Join(dir, "cpu.cfs_quota_us"), []byte(strconv.Itoa(quota)), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("sh", "-c", `echo $$ > "$1/cgroup.procs" && exec "$2" -test.run '^TestUsableInARealCgroup$'`, "sh", dir, os.Args[0])
		cmd.Env = append(os.Environ(), "FW_CPUS_PRINT=1")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("child in a group of %d/100000: %v\n%s", quota, err, out)
		}
		got, _ := strconv.Atoi(strings.Fields(string(out))[0])
		if want := min(runtime.NumCPU(), (quota+99999)/100000); got != want {
			t.Errorf("in a group of %.1f CPUs: %d usable, want %d (of %d)", float64(quota)/100000, got, want, runtime.NumCPU())
		}
	}
}
