# The tutorial's client (../shared/seed): random 416x416x3 frames, base64,
# one ImageMeanWH call each. Usage: client.py HOST:PORT [N]
# Checks every answer against numpy and exits non-zero on a mismatch.
import base64
import sys

import grpc
import numpy as np

import image_procedure_pb2
import image_procedure_pb2_grpc

channel = grpc.insecure_channel(sys.argv[1])
stub = image_procedure_pb2_grpc.ImageProcedureStub(channel)
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
for _ in range(n):
    frame = np.random.randint(0, 255, (416, 416, 3), dtype=np.uint8)  # dummy rgb image
    data = frame
    data = base64.b64encode(data)
    image_req = image_procedure_pb2.B64Image(b64image=data, width=416, height=416)
    response = stub.ImageMeanWH(image_req)
    if response.channel != 3 or abs(response.mean - np.mean(frame)) > 1e-3:
        print("mismatch: got", response.channel, response.mean, "want 3", np.mean(frame))
        sys.exit(1)

# A full-HD frame, 8.3 MB of base64, must pass the server's message limit.
big = np.random.randint(0, 255, (1080, 1920, 3), dtype=np.uint8)
response = stub.ImageMeanWH(image_procedure_pb2.B64Image(b64image=base64.b64encode(big), width=1920, height=1080))
if response.channel != 3 or abs(response.mean - np.mean(big)) > 1e-3:
    print("mismatch on 1920x1080:", response.channel, response.mean, np.mean(big))
    sys.exit(1)
print("ok", n + 1, "calls")
