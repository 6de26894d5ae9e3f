"""rectrackd's HTTP port against a real rectrackd process: /metrics in
Prometheus's text format (parsed with prometheus_client, the reference
client's own parser) moves by exactly the calls made over gRPC and HTTP,
and --http-static serves a directory's files with their types and nothing
outside it."""

import http.client
import json
import os
import subprocess
import tempfile
import time
import unittest

import grpc
from prometheus_client.parser import text_string_to_metric_families

from rectrack.v1 import commands_pb2, tracker_pb2, tracker_pb2_grpc

RECTRACKD = os.environ["RECTRACKD"]


def wait_for_file(path, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                text = f.read().strip()
            if text:
                return int(text)
        if process.poll() is not None:
            raise RuntimeError("rectrackd exited with %d" % process.returncode)
        time.sleep(0.05)
    raise RuntimeError("rectrackd did not write " + path)


class Daemon:
    """rectrackd on free loopback ports, its HTTP port too."""

    def __init__(self, tmp, static_dir=None):
        self.data_dir = os.path.join(tmp, "data")
        self.token = subprocess.run(
            [RECTRACKD, "token", "add", "http-test", "--role", "scrutiny",
             "--data-dir", self.data_dir],
            check=True, capture_output=True, text=True).stdout.strip()
        port_file = os.path.join(tmp, "port")
        http_port_file = os.path.join(tmp, "http-port")
        args = [RECTRACKD, "--listen", "127.0.0.1:0", "--data-dir",
                self.data_dir, "--port-file", port_file,
                "--http-listen", "127.0.0.1:0",
                "--http-port-file", http_port_file]
        if static_dir:
            args += ["--http-static", static_dir]
        self.log = open(os.path.join(tmp, "rectrackd.log"), "w")
        self.process = subprocess.Popen(args, stderr=self.log)
        self.port = wait_for_file(port_file, self.process)
        self.http_port = wait_for_file(http_port_file, self.process)
        self.channel = grpc.insecure_channel("127.0.0.1:%d" % self.port)
        self.stub = tracker_pb2_grpc.TrackerStub(self.channel)
        self.metadata = (("authorization", "Bearer " + self.token),)

    def stop(self):
        self.channel.close()
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()

    def get(self, path):
        """(status, headers, body) of GET path, the path sent as given."""
        conn = http.client.HTTPConnection("127.0.0.1", self.http_port,
                                          timeout=20)
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        reply = conn.getresponse()
        body = reply.read()
        conn.close()
        return reply.status, {k.lower(): v for k, v in reply.getheaders()}, body

    def post_json(self, method, body, token=True):
        conn = http.client.HTTPConnection("127.0.0.1", self.http_port,
                                          timeout=20)
        headers = {"content-type": "application/json"}
        if token:
            headers["authorization"] = "Bearer " + self.token
        conn.request("POST", "/rectrack.v1.Tracker/" + method,
                     json.dumps(body), headers)
        reply = conn.getresponse()
        data = reply.read()
        conn.close()
        return reply.status, json.loads(data)


def scrape(daemon):
    """{(name, labels as a sorted tuple): value} of every sample."""
    status, headers, body = daemon.get("/metrics")
    assert status == 200, status
    assert headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = {}
    families = {}
    for family in text_string_to_metric_families(body.decode()):
        families[family.name] = family.type
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples, families


def calls(samples, method, code):
    return samples.get(("rectrack_calls_total",
                        (("code", code),
                         ("method", "/rectrack.v1.Tracker/" + method))), 0)


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0)


class MetricsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.daemon = Daemon(self.tmp.name)

    def tearDown(self):
        self.daemon.stop()
        self.tmp.cleanup()

    def apply(self, *commands):
        return self.daemon.stub.Apply(
            tracker_pb2.ApplyRequest(commands=list(commands)), timeout=10,
            metadata=self.daemon.metadata)

    def test_counters_move_by_the_calls_made(self):
        C = commands_pb2
        before, families = scrape(self.daemon)
        self.assertEqual(families["rectrack_calls"], "counter")
        self.assertEqual(families["rectrack_call_duration_seconds"],
                         "histogram")
        self.assertEqual(families["rectrack_commit_group_size"], "histogram")
        self.assertEqual(families["rectrack_wal_sync_seconds"], "histogram")
        self.assertEqual(families["rectrack_watchers"], "gauge")
        # 3 changes over gRPC (4 events), 2 over HTTP, 1 refused over each.
        self.apply(C.Command(open_review=C.OpenReview(title="Parks",
                                                      committee="O&S")),
                   C.Command(add_recommendation=C.AddRecommendation(
                       review_id="$0", ref="A", text="Open the gates")))
        for i in range(2):
            self.apply(C.Command(open_review=C.OpenReview(
                title="Review %d" % i, committee="O&S")))
        for i in range(2):
            status, _ = self.daemon.post_json("Apply", {"commands": [
                {"openReview": {"title": "Web %d" % i, "committee": "O&S"}}]})
            self.assertEqual(status, 200)
        with self.assertRaises(grpc.RpcError) as raised:
            self.daemon.stub.GetAction(
                tracker_pb2.GetActionRequest(id="action-99"), timeout=10,
                metadata=self.daemon.metadata)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.NOT_FOUND)
        status, _ = self.daemon.post_json("GetAction", {"id": "action-98"})
        self.assertEqual(status, 404)
        status, _ = self.daemon.post_json("ListReviews", {}, token=False)
        self.assertEqual(status, 401)
        # One watcher open while scraping.
        watch = self.daemon.stub.Watch(tracker_pb2.WatchRequest(
            from_position=1), metadata=self.daemon.metadata)
        next(watch)
        during, _ = scrape(self.daemon)
        self.assertEqual(value(during, "rectrack_watchers"), 1)
        watch.cancel()
        after, _ = scrape(self.daemon)

        def delta(method, code):
            return calls(after, method, code) - calls(before, method, code)

        self.assertEqual(delta("Apply", "OK"), 5)
        self.assertEqual(delta("GetAction", "NOT_FOUND"), 2)
        self.assertEqual(delta("ListReviews", "UNAUTHENTICATED"), 1)
        self.assertEqual(value(after, "rectrack_log_position")
                         - value(before, "rectrack_log_position"), 6)
        # Every Apply went to the committer: the group sizes add up to 5,
        # and 5 synced writes (one per group here: they came one by one).
        self.assertEqual(value(after, "rectrack_commit_group_size_sum")
                         - value(before, "rectrack_commit_group_size_sum"), 5)
        groups = (value(after, "rectrack_commit_group_size_count")
                  - value(before, "rectrack_commit_group_size_count"))
        self.assertEqual(groups, 5)
        self.assertEqual(value(after, "rectrack_wal_sync_seconds_count")
                         - value(before, "rectrack_wal_sync_seconds_count"), 5)
        self.assertGreater(value(after, "rectrack_wal_sync_seconds_sum"), 0)
        self.assertGreater(value(after, "rectrack_wal_written_bytes_total"),
                           value(before, "rectrack_wal_written_bytes_total"))
        self.assertGreater(value(after, "rectrack_wal_bytes"), 0)
        self.assertEqual(value(after, "rectrack_commit_queue_depth"), 0)
        # The latency histogram counts every finished call, its buckets are
        # cumulative and its +Inf bucket is its count.
        method = "/rectrack.v1.Tracker/Apply"
        apply_count = value(after, "rectrack_call_duration_seconds_count",
                            method=method)
        self.assertEqual(apply_count, calls(after, "Apply", "OK"))
        buckets = sorted(
            (float(dict(labels)["le"]), v) for (name, labels), v
            in after.items()
            if name == "rectrack_call_duration_seconds_bucket"
            and dict(labels)["method"] == method)
        self.assertEqual(buckets[-1], (float("inf"), apply_count))
        counts = [v for _, v in buckets]
        self.assertEqual(counts, sorted(counts))
        self.assertGreater(value(after, "rectrack_call_duration_seconds_sum",
                                 method=method), 0)


class StaticFilesTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        site = os.path.join(self.tmp.name, "site")
        os.makedirs(os.path.join(site, "assets"))
        files = {"index.html": "<!doctype html><title>Leads</title>",
                 "assets/app.js": "console.log(1)",
                 "assets/app.css": "body{}",
                 "assets/blob.xyz": "bytes"}
        for name, text in files.items():
            with open(os.path.join(site, name), "w") as f:
                f.write(text)
        with open(os.path.join(self.tmp.name, "secret.txt"), "w") as f:
            f.write("outside the site")
        self.daemon = Daemon(self.tmp.name, static_dir=site)

    def tearDown(self):
        self.daemon.stop()
        self.tmp.cleanup()

    def test_files_with_their_types_and_nothing_outside(self):
        status, headers, body = self.daemon.get("/")
        self.assertEqual(status, 200)
        self.assertIn(b"<title>Leads</title>", body)
        self.assertTrue(headers["content-type"].startswith("text/html"))
        self.assertEqual(headers["x-content-type-options"], "nosniff")
        for path, kind in (("/assets/app.js", "text/javascript"),
                           ("/assets/app.css", "text/css"),
                           ("/assets/blob.xyz", "application/octet-stream")):
            status, headers, _ = self.daemon.get(path)
            self.assertEqual(status, 200, path)
            self.assertTrue(headers["content-type"].startswith(kind),
                            (path, headers["content-type"]))
        for path in ("/../secret.txt", "/assets/../../secret.txt",
                     "/%2e%2e/secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt",
                     "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt",
                     "/assets/..%5c..%5csecret.txt", "//secret.txt",
                     "/missing.html"):
            status, _, body = self.daemon.get(path)
            self.assertIn(status, (400, 404), path)
            self.assertNotIn(b"outside the site", body, path)
        # The API and /healthz still answer beside the files.
        self.assertEqual(self.daemon.get("/healthz")[0], 200)
        status, reply = self.daemon.post_json("ListReviews", {})
        self.assertEqual((status, reply), (200, {}))


if __name__ == "__main__":
    unittest.main()
