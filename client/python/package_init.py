"""rectrack: generated gRPC stubs for rectrack.v1.Tracker.

    from rectrack.v1 import commands_pb2, tracker_pb2, tracker_pb2_grpc
"""
