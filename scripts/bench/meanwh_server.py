#!/usr/bin/python3
"""The tutorial's ImageMeanWH server (the Python tutorial framewire grew from): grpcio with a thread
pool of 12, base64 decode and numpy mean. framewire-bench (figure j) runs it
against framewire-server with the same Go load client.

Usage: meanwh_server.py STUBS_DIR [PORT]
STUBS_DIR holds image_procedure_pb2*.py, generated from
proto/image_procedure.proto with grpc_tools.protoc. Prints "serving PORT".
"""
import base64
import sys
from concurrent import futures

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402
import numpy as np  # noqa: E402

import image_procedure_pb2  # noqa: E402
import image_procedure_pb2_grpc  # noqa: E402


def predict(b64img, w, h):
    """The tutorial's image_procedure.predict."""
    decoded = base64.b64decode(b64img)
    imgarr = np.frombuffer(decoded, dtype=np.uint8).reshape(w, h, -1)
    return imgarr.shape[2], np.mean(imgarr)


class ImageProcedureServicer(image_procedure_pb2_grpc.ImageProcedureServicer):
    def ImageMeanWH(self, request, context):
        response = image_procedure_pb2.Prediction()
        response.channel, response.mean = predict(request.b64image, request.width, request.height)
        return response


def main():
    port = sys.argv[2] if len(sys.argv) > 2 else "0"
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=12))
    image_procedure_pb2_grpc.add_ImageProcedureServicer_to_server(ImageProcedureServicer(), server)
    bound = server.add_insecure_port("127.0.0.1:" + port)
    server.start()
    print("serving", bound, flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
