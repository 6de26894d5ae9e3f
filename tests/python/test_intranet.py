"""A Python program that uses only the generated stubs works end to end:
it opens a review, adds and updates actions, reads them back, and follows
Watch into SQLite (examples/intranet_sync.py) without missing or
duplicating an event across a restart of the server and of the mirror."""

import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import grpc

from rectrack.v1 import commands_pb2, tracker_pb2, tracker_pb2_grpc

RECTRACKD = os.environ["RECTRACKD"]
EXAMPLES = os.environ["RECTRACK_EXAMPLES"]
sys.path.insert(0, EXAMPLES)
import intranet_sync  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data_dir, port):
        self.data_dir, self.port, self.process = data_dir, port, None

    def add_token(self, name, role):
        """A new access token (the suite runs with access control on)."""
        return subprocess.run(
            [RECTRACKD, "token", "add", name, "--role", role,
             "--data-dir", self.data_dir],
            check=True, capture_output=True, text=True).stdout.strip()

    def start(self):
        self.process = subprocess.Popen(
            [RECTRACKD, "--listen", "127.0.0.1:%d" % self.port,
             "--data-dir", self.data_dir],
            stderr=subprocess.DEVNULL)
        channel = grpc.insecure_channel(self.address())
        grpc.channel_ready_future(channel).result(timeout=30)
        channel.close()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)

    def address(self):
        return "127.0.0.1:%d" % self.port


class IntranetTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.server = Server(os.path.join(self.tmp.name, "data"), free_port())
        # The test changes things as scrutiny; the mirror only reads.
        self.metadata = (("authorization",
                          "Bearer " + self.server.add_token("intranet-test",
                                                            "scrutiny")),)
        self.mirror_token = self.server.add_token("intranet-mirror", "viewer")
        self.server.start()
        self.channel = grpc.insecure_channel(self.server.address())
        self.stub = tracker_pb2_grpc.TrackerStub(self.channel)

    def tearDown(self):
        self.channel.close()
        self.server.stop()
        self.tmp.cleanup()

    def apply(self, *commands, request_id=""):
        return self.stub.Apply(tracker_pb2.ApplyRequest(
            commands=list(commands), request_id=request_id), timeout=10,
            metadata=self.metadata)

    def test_stubs_open_update_read_and_mirror_across_restarts(self):
        C = commands_pb2
        created = self.apply(
            C.Command(open_review=C.OpenReview(
                title="Review of Partnerships", committee="O&S")),
            C.Command(add_recommendation=C.AddRecommendation(
                review_id="$0", ref="A", text="Compile a database")),
            C.Command(add_action=C.AddAction(
                recommendation_id="$1", text="Set it up",
                leads=["Head of Scrutiny"], timescale="Autumn 2007")))
        action_id = created.results[2].entity_id
        self.assertEqual(action_id, "action-1")
        self.apply(C.Command(update_action=C.UpdateAction(
            id=action_id, set_leads=True, leads=["Gemma Barron"])))
        self.apply(C.Command(report_progress=C.ReportProgress(
            id=action_id, text="Database live")))
        action = self.stub.GetAction(
            tracker_pb2.GetActionRequest(id=action_id), timeout=10,
            metadata=self.metadata)
        self.assertEqual(list(action.leads), ["Gemma Barron"])
        self.assertEqual(action.progress[0].text, "Database live")
        with self.assertRaises(grpc.RpcError) as raised:
            self.stub.GetAction(tracker_pb2.GetActionRequest(id="action-9"),
                                metadata=self.metadata)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.NOT_FOUND)
        # Without a token nothing is answered; the mirror's viewer token
        # may read but not change.
        with self.assertRaises(grpc.RpcError) as raised:
            self.stub.GetAction(tracker_pb2.GetActionRequest(id=action_id))
        self.assertEqual(raised.exception.code(),
                         grpc.StatusCode.UNAUTHENTICATED)
        with self.assertRaises(grpc.RpcError) as raised:
            self.stub.Apply(tracker_pb2.ApplyRequest(commands=[
                C.Command(report_progress=C.ReportProgress(
                    id=action_id, text="x"))]),
                metadata=(("authorization", "Bearer " + self.mirror_token),))
        self.assertEqual(raised.exception.code(),
                         grpc.StatusCode.PERMISSION_DENIED)

        db = os.path.join(self.tmp.name, "intranet.sqlite")
        # First run of the mirror: the 5 events so far.
        self.assertEqual(intranet_sync.sync(self.server.address(), db,
                                            until_position=5,
                                            token=self.mirror_token), 5)
        # More events while the mirror is down, then a server restart while
        # the mirror is following the feed.
        for i in range(10):
            self.apply(C.Command(report_progress=C.ReportProgress(
                id=action_id, text="update %d" % i)))
        result = {}
        follower = threading.Thread(target=lambda: result.setdefault(
            "last", intranet_sync.sync(self.server.address(), db,
                                       until_position=30, give_up_after=60,
                                       token=self.mirror_token)))
        follower.start()
        time.sleep(0.5)
        self.channel.close()
        self.server.stop()
        self.server.start()
        self.channel = grpc.insecure_channel(self.server.address())
        self.stub = tracker_pb2_grpc.TrackerStub(self.channel)
        for i in range(15):
            self.apply(C.Command(report_progress=C.ReportProgress(
                id=action_id, text="after restart %d" % i)))
        follower.join(timeout=60)
        self.assertEqual(result.get("last"), 30)

        rows = sqlite3.connect(db).execute(
            "SELECT position, type FROM events ORDER BY position").fetchall()
        self.assertEqual([p for p, _ in rows], list(range(1, 31)))
        self.assertEqual(rows[0][1], "ReviewOpened")
        self.assertEqual(rows[-1][1], "ProgressReported")

    def test_mirror_refuses_to_resume_on_a_replaced_log(self):
        C = commands_pb2
        for title in ("First", "Second", "Third"):
            self.apply(C.Command(open_review=C.OpenReview(
                title=title, committee="O&S")))
        db = os.path.join(self.tmp.name, "intranet.sqlite")
        self.assertEqual(intranet_sync.sync(self.server.address(), db,
                                            until_position=3,
                                            token=self.mirror_token), 3)
        # The tracker is replaced by another log (as by restoring another
        # backup) that is longer and so would look like more to read.
        self.channel.close()
        self.server.stop()
        self.server = Server(os.path.join(self.tmp.name, "other"),
                             self.server.port)
        self.metadata = (("authorization", "Bearer "
                          + self.server.add_token("t", "scrutiny")),)
        self.mirror_token = self.server.add_token("m", "viewer")
        self.server.start()
        self.channel = grpc.insecure_channel(self.server.address())
        self.stub = tracker_pb2_grpc.TrackerStub(self.channel)
        for title in ("Other 1", "Other 2", "Other 3", "Other 4"):
            self.apply(C.Command(open_review=C.OpenReview(
                title=title, committee="O&S")))
        with self.assertRaises(intranet_sync.LogReplaced) as raised:
            intranet_sync.sync(self.server.address(), db, until_position=4,
                               token=self.mirror_token)
        self.assertIn("not the one you read", str(raised.exception))
        self.assertIn("position 1", str(raised.exception))
        rows = sqlite3.connect(db).execute(
            "SELECT COUNT(*) FROM events").fetchone()
        self.assertEqual(rows[0], 3)  # nothing of the other log mixed in


if __name__ == "__main__":
    unittest.main()
