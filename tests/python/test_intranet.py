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

from rectrack.v1 import commands_pb2, domain_pb2, tracker_pb2, tracker_pb2_grpc

RECTRACKD = os.environ["RECTRACKD"]
EXAMPLES = os.environ["RECTRACK_EXAMPLES"]
sys.path.insert(0, EXAMPLES)
import intranet_sync  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data_dir, port, tls=None):
        self.data_dir, self.port, self.process = data_dir, port, None
        self.tls = tls  # (cert, key) PEM files, or None

    def add_token(self, name, role):
        """A new access token (the suite runs with access control on)."""
        return subprocess.run(
            [RECTRACKD, "token", "add", name, "--role", role,
             "--data-dir", self.data_dir],
            check=True, capture_output=True, text=True).stdout.strip()

    def start(self):
        tls_args = (["--tls-cert", self.tls[0], "--tls-key", self.tls[1]]
                    if self.tls else [])
        self.process = subprocess.Popen(
            [RECTRACKD, "--listen", "127.0.0.1:%d" % self.port,
             "--data-dir", self.data_dir] + tls_args,
            stderr=subprocess.DEVNULL)
        channel = self.channel()
        grpc.channel_ready_future(channel).result(timeout=30)
        channel.close()

    def channel(self):
        if not self.tls:
            return grpc.insecure_channel(self.address())
        with open(self.tls[0], "rb") as pem:
            return grpc.secure_channel(
                "localhost:%d" % self.port,
                grpc.ssl_channel_credentials(root_certificates=pem.read()))

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
        self.channel = self.server.channel()
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
        self.check_current_state(db)

    def check_current_state(self, db):
        """The mirror's current-state tables say what the server says."""
        mirror = sqlite3.connect(db)
        for (action_id,) in mirror.execute("SELECT id FROM actions"):
            action = self.stub.GetAction(
                tracker_pb2.GetActionRequest(id=action_id), timeout=10,
                metadata=self.metadata)
            row = mirror.execute(
                "SELECT leads, status, rag, overdue, days_overdue, due_soon, "
                "target, latest_progress, version FROM actions WHERE id = ?",
                (action_id,)).fetchone()
            standing = action.standing
            self.assertEqual(row, (
                "; ".join(action.leads),
                domain_pb2.ActionStatus.Name(action.status)[14:],
                domain_pb2.Rag.Name(standing.rag)[4:],
                int(standing.overdue), standing.days_overdue,
                int(standing.due_soon), action.timescale.text,
                action.progress[-1].text if action.progress else "",
                action.version))
        reviews = mirror.execute(
            "SELECT id, title, status FROM reviews").fetchall()
        listed = self.stub.ListReviews(tracker_pb2.ListReviewsRequest(),
                                       timeout=10, metadata=self.metadata)
        self.assertEqual(sorted(reviews), sorted(
            (r.id, r.title, domain_pb2.ReviewStatus.Name(r.status)[14:])
            for r in listed.reviews))
        self.assertEqual(mirror.execute(
            "SELECT COUNT(*) FROM stale").fetchone()[0], 0)
        return mirror

    def test_current_state_tables_follow_the_feed(self):
        C = commands_pb2
        self.apply(
            C.Command(open_review=C.OpenReview(title="Parks",
                                               committee="O&S")),
            C.Command(add_recommendation=C.AddRecommendation(
                review_id="$0", ref="A", text="Open later",
                portfolio="Leisure")),
            C.Command(add_action=C.AddAction(
                recommendation_id="$1", text="Survey users",
                leads=["Gemma Barron"], timescale="March 2010")),
            C.Command(add_action=C.AddAction(
                recommendation_id="$1", text="New hours",
                leads=["Gemma Barron", "Head of Parks"],
                timescale="December 2099")))
        db = os.path.join(self.tmp.name, "intranet.sqlite")
        self.assertEqual(intranet_sync.sync(self.server.address(), db,
                                            until_position=4,
                                            token=self.mirror_token), 4)
        mirror = self.check_current_state(db)
        self.assertEqual(mirror.execute(
            "SELECT id, rag, overdue FROM actions ORDER BY id").fetchall(),
            [("action-1", "RED", 1), ("action-2", "GREEN", 0)])
        self.assertEqual(mirror.execute(
            "SELECT id FROM actions WHERE overdue AND leads LIKE ?",
            ("%Gemma Barron%",)).fetchall(), [("action-1",)])
        self.assertEqual(mirror.execute(
            "SELECT id, ref, portfolio, status FROM recommendations")
            .fetchall(), [("rec-1", "A", "Leisure", "AWAITING_RESPONSE")])
        # Later changes reach the tables, not only the events.
        self.apply(C.Command(report_progress=C.ReportProgress(
            id="action-1", text="Survey sent")))
        self.apply(C.Command(set_action_status=C.SetActionStatus(
            id="action-1", status=domain_pb2.ACTION_STATUS_COMPLETED,
            note="Done")))
        self.assertEqual(intranet_sync.sync(self.server.address(), db,
                                            until_position=6,
                                            token=self.mirror_token), 6)
        mirror = self.check_current_state(db)
        self.assertEqual(mirror.execute(
            "SELECT status, rag, overdue, latest_progress FROM actions "
            "WHERE id = 'action-1'").fetchone(),
            ("COMPLETED", "GREEN", 0, "Survey sent"))

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


class CommandLineTest(unittest.TestCase):
    """intranet_sync.py as an intranet runs it: over TLS with --tls-ca and a
    viewer's --token; a wrong token ends with a plain message."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        cert = os.path.join(self.tmp.name, "cert.pem")
        key = os.path.join(self.tmp.name, "key.pem")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
             "-subj", "/CN=localhost", "-addext",
             "subjectAltName=DNS:localhost,IP:127.0.0.1",
             "-keyout", key, "-out", cert],
            check=True, capture_output=True)
        self.cert = cert
        self.server = Server(os.path.join(self.tmp.name, "data"), free_port(),
                             tls=(cert, key))
        self.writer = self.server.add_token("writer", "scrutiny")
        self.viewer = self.server.add_token("mirror", "viewer")
        self.server.start()

    def tearDown(self):
        self.server.stop()
        self.tmp.cleanup()

    def run_sync(self, *args):
        return subprocess.run(
            [sys.executable, os.path.join(EXAMPLES, "intranet_sync.py"),
             "--server", "localhost:%d" % self.server.port,
             "--db", os.path.join(self.tmp.name, "mirror.sqlite")]
            + list(args), capture_output=True, text=True, timeout=120)

    def test_tls_and_token_from_the_command_line(self):
        C = commands_pb2
        with self.server.channel() as channel:
            tracker_pb2_grpc.TrackerStub(channel).Apply(
                tracker_pb2.ApplyRequest(commands=[
                    C.Command(open_review=C.OpenReview(
                        title="Housing", committee="O&S")),
                    C.Command(add_recommendation=C.AddRecommendation(
                        review_id="$0", ref="1", text="Build more")),
                    C.Command(add_action=C.AddAction(
                        recommendation_id="$1", text="Find sites",
                        leads=["Head of Housing"], timescale="2009"))]),
                metadata=(("authorization", "Bearer " + self.writer),),
                timeout=10)
        done = self.run_sync("--tls-ca", self.cert, "--token", self.viewer,
                             "--until-position", "3")
        self.assertEqual((done.returncode, done.stdout.strip()), (0, "3"),
                         done.stderr)
        mirror = sqlite3.connect(os.path.join(self.tmp.name, "mirror.sqlite"))
        self.assertEqual(mirror.execute(
            "SELECT id, leads, rag, overdue FROM actions").fetchall(),
            [("action-1", "Head of Housing", "RED", 1)])

        # Not yet at position 4, so it asks the server, which refuses.
        wrong = self.run_sync("--tls-ca", self.cert, "--token", "rt_wrong",
                              "--until-position", "4")
        self.assertEqual(wrong.returncode, 1)
        self.assertIn("did not accept the token", wrong.stderr)
        self.assertNotIn("Traceback", wrong.stderr)
        missing = self.run_sync("--tls-ca", "/nonexistent/ca.pem",
                                "--token", self.viewer)
        self.assertEqual(missing.returncode, 1)
        self.assertIn("cannot read /nonexistent/ca.pem", missing.stderr)
        self.assertNotIn("Traceback", missing.stderr)


if __name__ == "__main__":
    unittest.main()
