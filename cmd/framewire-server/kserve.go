package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"google.golang.org/grpc"

	"github.com/framewire/framewire/server/detect"
	"github.com/framewire/framewire/server/detect/engine"
	"github.com/framewire/framewire/server/kserve"
	"github.com/framewire/framewire/stream/dial"
)

// kserveOptions are the flags of --engine kserve: where the inference
// servers are and how to call them.
type kserveOptions struct {
	addrs   string
	model   string
	version string
	tls     bool
	ca      string
	token   string
	timeout time.Duration
}

func kserveFlags(fs *flag.FlagSet, k *kserveOptions) {
	fs.StringVar(&k.addrs, "kserve", "", "inference servers of --engine kserve, speaking the Open Inference Protocol over gRPC (Triton, OpenVINO Model Server, KServe, framewire-server): `host:port[,host:port...]`, used round-robin, a failing one skipped")
	fs.StringVar(&k.model, "kserve-model", "", "model `name` on the inference servers (default: --model)")
	fs.StringVar(&k.version, "kserve-model-version", "", "model `version` on the inference servers (default: the server's choice)")
	fs.BoolVar(&k.tls, "kserve-tls", false, "call the inference servers over TLS, verifying them against the system's CAs (implied by --kserve-ca)")
	fs.StringVar(&k.ca, "kserve-ca", "", "call the inference servers over TLS, verifying them against the CAs in this PEM `file`")
	fs.StringVar(&k.token, "kserve-token", "", "send \"authorization: Bearer TOKEN\" to the inference servers (another framewire-server's --token)")
	fs.DurationVar(&k.timeout, "kserve-timeout", kserve.DefaultTimeout, "deadline of one frame's inference, retries on the other servers included")
}

// check refuses kserve flags that do not fit --engine.
func (k *kserveOptions) check(engineName string) error {
	switch {
	case engineName == detect.EngineKServe && k.addrs == "":
		return errors.New("--engine kserve needs --kserve host:port[,host:port...]")
	case engineName != detect.EngineKServe && k.addrs != "":
		return fmt.Errorf("--kserve is for --engine kserve, not %s", engineName)
	case k.timeout <= 0:
		return errors.New("--kserve-timeout must be positive")
	}
	return nil
}

// dialKServe connects to the inference servers of --engine kserve and
// checks the model on them; nil (and no Remote) for the other engines.
func dialKServe(ctx context.Context, o *options, log *slog.Logger) (*kserve.Client, engine.Remote, error) {
	if o.engine != detect.EngineKServe {
		return nil, nil, nil
	}
	k := o.kserve
	model := k.model
	if model == "" {
		model = o.model
	}
	dc := dial.Config{TLS: k.tls, CAFile: k.ca, Token: k.token, MaxMsgBytes: o.maxMsgMB << 20}
	c, err := kserve.Dial(ctx, kserve.Config{
		Addrs: splitAddrs(k.addrs), Model: model, Version: k.version, Timeout: k.timeout,
		Dial: func(addr string) (*grpc.ClientConn, error) { return dial.Dial(addr, dc) },
	})
	if err != nil {
		return nil, nil, err
	}
	for _, err := range c.Unready() {
		log.Warn("inference server not ready; kept in the rotation", "err", err)
	}
	log.Info("inference servers", "kserve", k.addrs, "model", model, "input", c.Metadata().GetInputs()[0].GetShape())
	return c, c, nil
}

// splitAddrs reads "a:1, b:2".
func splitAddrs(s string) []string {
	var out []string
	for a := range strings.SplitSeq(s, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// closeKServe closes c when there is one.
func closeKServe(c *kserve.Client, log *slog.Logger) {
	if c == nil {
		return
	}
	if err := c.Close(); err != nil {
		log.Warn("close inference servers", "err", err)
	}
}
