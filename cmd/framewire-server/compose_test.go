package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// composeServices runs docker-compose config on the project's compose
// file and returns each service's block of the output, by name.
func composeServices(t *testing.T) map[string]string {
	t.Helper()
	if _, err := exec.LookPath("docker-compose"); err != nil {
		t.Skipf("docker-compose is needed (apt-get install docker-compose): %v", err)
	}
	out, err := exec.Command("docker-compose", "-f", filepath.Join("..", "..", "docker-compose.yml"), "config").CombinedOutput()
	if err != nil {
		t.Fatalf("docker-compose config: %v\n%s", err, out)
	}
	text := string(out)
	start := strings.Index(text, "services:\n")
	end := strings.Index(text, "\nversion:")
	if start < 0 || end < start {
		t.Fatalf("no services in:\n%s", text)
	}
	services := map[string]string{}
	header := regexp.MustCompile(`(?m)^  (\S+):\n`)
	names := header.FindAllStringSubmatch(text[start:end], -1)
	blocks := header.Split(text[start:end], -1)[1:]
	for i, n := range names {
		services[n[1]] = blocks[i]
	}
	return services
}

// docker-compose up starts on any machine: only the server runs without a
// profile, a service that needs a device is behind one, the output is a
// named volume the image's user can write, and Docker waits longer than
// the server's drain before killing it.
func TestComposeStartsAnywhere(t *testing.T) {
	services := composeServices(t)
	for name, block := range services {
		profiled := strings.Contains(block, "    profiles:\n")
		if !profiled && name != "server" {
			t.Errorf("service %s runs on a plain up; only the server should", name)
		}
		if strings.Contains(block, "    devices:\n") && !profiled {
			t.Errorf("service %s needs a device but has no profile", name)
		}
	}
	if !strings.Contains(services["webcam"], "    - webcam\n") {
		t.Errorf("the webcam client is not behind the webcam profile:\n%s", services["webcam"])
	}
	server := services["server"]
	if !regexp.MustCompile(`(?m)^    - framewire-out:/data/out`).MatchString(server) {
		t.Errorf("the server's output is not the named volume framewire-out:\n%s", server)
	}
	grace := regexp.MustCompile(`stop_grace_period: (\S+)`).FindStringSubmatch(server)
	drain := regexp.MustCompile(`--drain=(\S+)`).FindStringSubmatch(server)
	if grace == nil || drain == nil {
		t.Fatalf("the server sets no stop_grace_period or --drain:\n%s", server)
	}
	g, err1 := time.ParseDuration(grace[1])
	d, err2 := time.ParseDuration(drain[1])
	if err1 != nil || err2 != nil || g <= d {
		t.Errorf("stop_grace_period %s must be longer than --drain %s", grace[1], drain[1])
	}
}

// The image has a health check of its own, caches Go builds, and the
// build context leaves out what the image does not need.
func TestDockerfileAndIgnore(t *testing.T) {
	dockerfile, err := os.ReadFile(filepath.Join("..", "..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"HEALTHCHECK", "--health-probe=127.0.0.1:5005", "--mount=type=cache,target=/root/.cache/go-build", "install-onnxruntime.sh", "VOLUME /data/out"} {
		if !strings.Contains(string(dockerfile), want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	ignore, err := os.ReadFile(filepath.Join("..", "..", ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".git", "framewire-out", "bin"} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(want) + `$`).Match(ignore) {
			t.Errorf(".dockerignore lacks %s", want)
		}
	}
}
