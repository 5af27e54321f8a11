// Package core holds the server's domain types and the interfaces its
// parts meet at, with no OpenCV and no gRPC server in it:
//
//   - Processor and Picture: the pixel work on a frame (package pixels is
//     the OpenCV implementation);
//   - Store and Output: where a stream's images and predictions go (package
//     store/folder keeps them in a folder, local or shared; package
//     store/storetest is the suite every store passes);
//   - NewRun and RunDifferences: the run a call asks for (record.Run, a
//     stream's run.json) and whether it continues the run an output holds,
//     so that a resume continues only the same run;
//   - Detection and Box, the errors that say whose fault a failure is, and
//     the rule for stream names.
//
// Package service turns gRPC calls into uses of these interfaces; package
// server wires the implementations together.
package core
