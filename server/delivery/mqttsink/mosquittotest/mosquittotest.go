// Package mosquittotest runs Debian's mosquitto broker for tests, on a
// port of its own, stopped and restarted on the same port when a test
// says, and subscribes to it.
package mosquittotest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Binary is Debian's broker.
const Binary = "mosquitto"

// Broker is a mosquitto process the test owns; the test's cleanup stops
// it.
type Broker struct {
	tb   testing.TB
	dir  string
	Port int
	// User and Password are required when the broker was started with
	// WithPassword.
	User, Password string
	cmd            *exec.Cmd
	exited         chan struct{}
}

// Option changes the broker's configuration.
type Option func(*Broker)

// WithPassword makes the broker refuse anonymous clients and accept
// user with password.
func WithPassword(user, password string) Option {
	return func(b *Broker) { b.User, b.Password = user, password }
}

// Start starts mosquitto on a free port of 127.0.0.1, persistent (its
// sessions and queued messages survive a stop with SIGTERM), and waits
// until it accepts connections. It skips the test without mosquitto.
func Start(tb testing.TB, opts ...Option) *Broker {
	tb.Helper()
	if _, err := exec.LookPath(Binary); err != nil {
		if _, err := os.Stat("/usr/sbin/" + Binary); err != nil {
			tb.Skip("mosquitto is needed (apt-get install mosquitto)")
		}
	}
	b := &Broker{tb: tb, dir: tb.TempDir(), Port: freePort(tb)}
	for _, o := range opts {
		o(b)
	}
	b.writeConfig()
	b.Restart()
	tb.Cleanup(func() { b.Stop(syscall.SIGKILL) })
	return b
}

// URL is the broker's mqtt:// address, without credentials.
func (b *Broker) URL() string { return fmt.Sprintf("mqtt://127.0.0.1:%d", b.Port) }

func freePort(tb testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// writeConfig writes mosquitto.conf (and the password file) in b.dir.
// The broker saves its state at every change, so that a subscriber's
// session outlives a SIGKILL: what a test then checks is the publisher's
// at-least-once, not what an unsaved broker forgot.
func (b *Broker) writeConfig() {
	conf := fmt.Sprintf("listener %d 127.0.0.1\npersistence true\npersistence_location %s/\nautosave_on_changes true\nautosave_interval 1\nlog_dest stderr\n", b.Port, b.dir)
	if u, err := user.Current(); err == nil {
		conf += "user " + u.Username + "\n" // run as root, it would switch to user mosquitto
	}
	if b.User == "" {
		conf += "allow_anonymous true\n"
	} else {
		pw := filepath.Join(b.dir, "passwd")
		if out, err := exec.Command("mosquitto_passwd", "-c", "-b", pw, b.User, b.Password).CombinedOutput(); err != nil {
			b.tb.Fatalf("mosquitto_passwd: %v: %s", err, out)
		}
		conf += "allow_anonymous false\npassword_file " + pw + "\n"
	}
	if err := os.WriteFile(filepath.Join(b.dir, "mosquitto.conf"), []byte(conf), 0o600); err != nil {
		b.tb.Fatal(err)
	}
}

// Restart starts the broker (again, on the same port) and waits until it
// accepts connections.
func (b *Broker) Restart() {
	b.tb.Helper()
	log, err := os.OpenFile(filepath.Join(b.dir, "mosquitto.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		b.tb.Fatal(err)
	}
	defer log.Close()
	b.cmd = exec.Command(Binary, "-c", filepath.Join(b.dir, "mosquitto.conf"))
	b.cmd.Stdout, b.cmd.Stderr = log, log
	if err := b.cmd.Start(); err != nil {
		b.tb.Fatalf("start mosquitto: %v", err)
	}
	b.exited = make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}) { cmd.Wait(); close(exited) }(b.cmd, b.exited)
	b.waitListening()
}

// waitListening polls the port until it accepts, for at most 10 s.
func (b *Broker) waitListening() {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(b.Port)), time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-b.exited:
			b.tb.Fatalf("mosquitto exited at start; its log: %s", b.Log())
		default:
		}
		if time.Now().After(deadline) {
			b.tb.Fatalf("mosquitto does not accept on port %d: %v; its log: %s", b.Port, err, b.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop sends sig (SIGTERM: mosquitto saves its sessions; SIGKILL: it
// dies at once) and waits until the process is gone.
func (b *Broker) Stop(sig syscall.Signal) {
	if b.cmd == nil {
		return
	}
	b.cmd.Process.Signal(sig)
	<-b.exited
	b.cmd = nil
}

// Log is what mosquitto logged so far.
func (b *Broker) Log() string {
	out, _ := os.ReadFile(filepath.Join(b.dir, "mosquitto.log"))
	return string(out)
}

// Signal sends sig without waiting (SIGSTOP freezes the broker: its
// connections stay open and nothing answers; SIGCONT thaws it).
func (b *Broker) Signal(sig syscall.Signal) {
	if b.cmd != nil {
		b.cmd.Process.Signal(sig)
	}
}
