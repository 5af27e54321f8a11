// fwnet.h: a minimal C API over cv::dnn::Net that catches every C++ exception
// and turns it into an error string, so that a bad model or input returns an
// error to Go instead of aborting the process (gocv v0.31.0's own wrappers do
// not catch cv::Exception).
#ifndef FRAMEWIRE_DETECT_FWNET_H
#define FRAMEWIRE_DETECT_FWNET_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void* FWNet;

// FWNet_ReadONNX loads an ONNX model from memory. On failure it returns NULL
// and sets *err to a malloc'd message the caller frees.
FWNet FWNet_ReadONNX(const char* data, size_t len, char** err);

void FWNet_Close(FWNet n);

// FWNet_NumOutputs is the number of unconnected outputs the net computes.
int FWNet_NumOutputs(FWNet n);

// FWNet_Forward sets blob (a cv::Mat*) as input inName ("" = the first input)
// and computes every unconnected output. It returns NULL or a malloc'd error.
char* FWNet_Forward(FWNet n, void* blob, const char* inName);

// FWNet_Output describes output i of the last forward: it writes up to
// maxDims sizes to dims and the data pointer to *data, and returns the number
// of dims, or -1 if the output is not continuous float32. The data stays
// valid until the next forward or close.
int FWNet_Output(FWNet n, int i, int* dims, int maxDims, float** data);

// FWNet_SetNumThreads sets the threads OpenCV uses for one parallel call
// (cv::setNumThreads), for the whole process; n < 0 restores the default.
// It returns NULL or a malloc'd error.
char* FWNet_SetNumThreads(int n);

// FWNet_GetNumThreads is cv::getNumThreads().
int FWNet_GetNumThreads(void);

#ifdef __cplusplus
}
#endif

#endif
