// Package kserve speaks the Open Inference Protocol (KServe v2) over gRPC,
// both ways:
//
//   - Client sends a model's pre-processed input tensor to one or more
//     inference servers (Triton Inference Server, OpenVINO Model Server,
//     KServe, another framewire-server) and is the engine.Remote behind
//     --engine kserve: the detectors of package detect keep their pre- and
//     post-processing and only the forward pass leaves the process.
//     Requests go round-robin over the servers; one that fails is skipped
//     for a while and its request is retried on the next one within the
//     request's deadline.
//   - Service serves the model a framewire-server has loaded under the name
//     of its kind, with a small pool of engines of its own.
//
// Tensors travel as little-endian FP32 bytes (raw_input_contents,
// raw_output_contents); typed fp32_contents are read too.
package kserve
