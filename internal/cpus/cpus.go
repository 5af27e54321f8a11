// Package cpus says how many CPUs this process may use: the CPUs it may
// run on (runtime.NumCPU, the affinity mask), lowered to the CPU bandwidth
// limit of its control group and the groups above it (a container's
// --cpus, a Kubernetes CPU limit), rounded up. A server sized from
// runtime.NumCPU alone would start a worker per CPU of the host in a
// container allowed two, and the limit would throttle them all.
package cpus

import (
	"bufio"
	"bytes"
	"io/fs"
	"math"
	"os"
	"path"
	"runtime"
	"strconv"
	"strings"
)

// Usable is how many CPUs this process may use, at least 1.
func Usable() int { return usable(runtime.NumCPU(), os.DirFS("/")) }

// usable is n lowered to the limit fsys's cgroup files give, if any.
func usable(n int, fsys fs.FS) int {
	if lim, ok := limit(fsys); ok {
		n = min(n, int(math.Ceil(lim)))
	}
	return max(1, n)
}

// limit reads the tightest CPU bandwidth limit, in CPUs, of the control
// group /proc/self/cgroup names and of those above it, in fsys (a view of
// /). cgroup v2 (cpu.max) and v1 (the cpu controller's cfs quota and
// period) mounted at /sys/fs/cgroup are read; false when none is set or
// none can be read.
func limit(fsys fs.FS) (float64, bool) {
	b, err := fs.ReadFile(fsys, "proc/self/cgroup")
	if err != nil {
		return 0, false
	}
	best, found := math.Inf(1), false
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		for _, h := range hierarchies(sc.Text()) {
			if lim, ok := tightest(fsys, h.base, h.group, h.read); ok && lim < best {
				best, found = lim, true
			}
		}
	}
	return best, found
}

// hierarchy is where one line of /proc/self/cgroup puts this process:
// its group under the mount base, and how to read a group's limit there.
type hierarchy struct {
	base, group string
	read        func(fsys fs.FS, dir string) (float64, bool)
}

// hierarchies are those of a /proc/self/cgroup line
// ("id:controllers:/path") that can hold a CPU limit.
func hierarchies(line string) []hierarchy {
	parts := strings.SplitN(line, ":", 3)
	if len(parts) != 3 {
		return nil
	}
	if parts[0] == "0" && parts[1] == "" {
		return []hierarchy{{"sys/fs/cgroup", parts[2], readV2}}
	}
	for _, c := range strings.Split(parts[1], ",") {
		if c == "cpu" {
			return []hierarchy{
				{"sys/fs/cgroup/cpu", parts[2], readV1},
				{"sys/fs/cgroup/cpu,cpuacct", parts[2], readV1},
				{"sys/fs/cgroup/cpuacct,cpu", parts[2], readV1},
			}
		}
	}
	return nil
}

// tightest is the lowest limit of group and its ancestors under base. A
// group that is not there (a container sees its own group as the root of
// the mount) is skipped.
func tightest(fsys fs.FS, base, group string, read func(fs.FS, string) (float64, bool)) (float64, bool) {
	best, found := math.Inf(1), false
	for g := path.Clean("/" + group); ; g = path.Dir(g) {
		if lim, ok := read(fsys, path.Join(base, g)); ok && lim < best {
			best, found = lim, true
		}
		if g == "/" {
			return best, found
		}
	}
}

// readV2 reads a cgroup v2 group's cpu.max ("max 100000" or "150000
// 100000": quota and period in microseconds).
func readV2(fsys fs.FS, dir string) (float64, bool) {
	b, err := fs.ReadFile(fsys, path.Join(dir, "cpu.max"))
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(b))
	if len(f) != 2 || f[0] == "max" {
		return 0, false
	}
	return ratio(f[0], f[1])
}

// readV1 reads a cgroup v1 group's cpu.cfs_quota_us (-1: none) over its
// cpu.cfs_period_us.
func readV1(fsys fs.FS, dir string) (float64, bool) {
	q, err := fs.ReadFile(fsys, path.Join(dir, "cpu.cfs_quota_us"))
	if err != nil {
		return 0, false
	}
	p, err := fs.ReadFile(fsys, path.Join(dir, "cpu.cfs_period_us"))
	if err != nil {
		return 0, false
	}
	return ratio(strings.TrimSpace(string(q)), strings.TrimSpace(string(p)))
}

// ratio is quota/period when both are positive numbers.
func ratio(quota, period string) (float64, bool) {
	q, err1 := strconv.ParseFloat(quota, 64)
	p, err2 := strconv.ParseFloat(period, 64)
	if err1 != nil || err2 != nil || q <= 0 || p <= 0 {
		return 0, false
	}
	return q / p, true
}
