#include "fwnet.h"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

namespace {

struct fwNet {
    cv::dnn::Net net;
    std::vector<cv::String> outNames;
    std::vector<cv::Mat> outs;
};

char* dupErr(const std::string& s) {
    char* p = static_cast<char*>(std::malloc(s.size() + 1));
    if (p != NULL) {
        std::memcpy(p, s.c_str(), s.size() + 1);
    }
    return p;
}

}  // namespace

FWNet FWNet_ReadONNX(const char* data, size_t len, char** err) {
    *err = NULL;
    fwNet* n = NULL;
    try {
        n = new fwNet();
        n->net = cv::dnn::readNetFromONNX(data, len);
        if (n->net.empty()) {
            delete n;
            *err = dupErr("OpenCV loaded an empty network");
            return NULL;
        }
        n->outNames = n->net.getUnconnectedOutLayersNames();
        return n;
    } catch (const std::exception& e) {
        delete n;
        *err = dupErr(e.what());
    } catch (...) {
        delete n;
        *err = dupErr("unknown C++ exception while reading the model");
    }
    return NULL;
}

void FWNet_Close(FWNet n) {
    delete static_cast<fwNet*>(n);
}

int FWNet_NumOutputs(FWNet n) {
    return static_cast<int>(static_cast<fwNet*>(n)->outNames.size());
}

char* FWNet_Forward(FWNet p, void* blob, const char* inName) {
    fwNet* n = static_cast<fwNet*>(p);
    try {
        n->net.setInput(*static_cast<cv::Mat*>(blob), inName);
        n->net.forward(n->outs, n->outNames);
        return NULL;
    } catch (const std::exception& e) {
        return dupErr(e.what());
    } catch (...) {
        return dupErr("unknown C++ exception in forward");
    }
}

int FWNet_Output(FWNet p, int i, int* dims, int maxDims, float** data) {
    fwNet* n = static_cast<fwNet*>(p);
    *data = NULL;
    if (i < 0 || i >= static_cast<int>(n->outs.size())) {
        return -1;
    }
    const cv::Mat& m = n->outs[i];
    if (m.type() != CV_32F || !m.isContinuous()) {
        return -1;
    }
    int nd = m.dims;
    for (int k = 0; k < nd && k < maxDims; k++) {
        dims[k] = m.size[k];
    }
    *data = reinterpret_cast<float*>(m.data);
    return nd;
}

char* FWNet_SetNumThreads(int n) {
    try {
        cv::setNumThreads(n);
        return NULL;
    } catch (const std::exception& e) {
        return dupErr(e.what());
    } catch (...) {
        return dupErr("unknown C++ exception in setNumThreads");
    }
}

int FWNet_GetNumThreads(void) {
    return cv::getNumThreads();
}
