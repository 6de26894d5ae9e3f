#!/usr/bin/env python3
"""The peer a council's IT would pick instead: PostgreSQL, measured in the
same run as rectrackd, on the same events and the same machine.

It starts a PostgreSQL server of its own (Debian's `postgresql` package) on a
temporary data directory and a loopback port, with fsync and
synchronous_commit on, and an `events` table shaped as Marten and
commanded/eventstore keep theirs: a position, a unique (stream, version) and
a unique event id. Then:

  1. COPY of the events bulk_bench imported into rectrackd (bulk_bench
     --copy-file writes them, each as rectrackd stored it), in chunks of
     1,000, each chunk its own committed (so fsynced) transaction;
  2. single-event durable appends with a version check (the next version of
     the client's own stream, refused by the unique index if another writer
     took it) from 1, 8 and 64 clients, through pgbench.

It reads rectrackd's figures of the same run from the markdown rows that
apply_bench and bulk_bench printed (--rectrack FILE), and prints one row per
comparison: rectrackd's figure, PostgreSQL's as the baseline, and the ratio.

Usage: pg_peer.py --copy-file EVENTS.copy --rectrack ROWS.md [--seconds S]
"""

import argparse
import glob
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

SCHEMA = """
CREATE TABLE events (
  position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  stream text NOT NULL,
  version bigint NOT NULL,
  event_id text NOT NULL UNIQUE,
  type text NOT NULL,
  recorded_at timestamptz NOT NULL,
  payload bytea NOT NULL,
  UNIQUE (stream, version)
);
"""

COPY_COLUMNS = "events (stream, version, event_id, type, recorded_at, payload)"


def fail(message):
    print(f"pg_peer: {message}", file=sys.stderr)
    sys.exit(1)


def postgres_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"))
    if not found:
        fail("PostgreSQL is not installed (Debian package: postgresql; "
             "bash deploy/install-deps.sh --for-bench installs it)")
    return os.path.dirname(found[-1])


class Postgres:
    """A PostgreSQL server on a temporary directory, run as the `postgres`
    user when we are root (it refuses to run as root)."""

    def __init__(self, bindir):
        self.bindir = bindir
        self.dir = tempfile.mkdtemp(prefix="rectrack-pg-")
        self.as_user = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, user="postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.data = os.path.join(self.dir, "data")
        self.run("initdb", "-D", self.data, "-A", "trust", "-U", "bench",
                 "-E", "UTF8", "--locale=C", "--no-sync")
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} "
                   f"-k {self.dir} -c fsync=on -c synchronous_commit=on "
                   "-c full_page_writes=on -c max_connections=100")
        self.run("pg_ctl", "-D", self.data, "-o", options, "-w", "-l",
                 os.path.join(self.dir, "postgres.log"), "start")
        self.psql_input(SCHEMA)

    def command(self, tool, *args):
        return self.as_user + [os.path.join(self.bindir, tool), *args]

    def run(self, tool, *args):
        done = subprocess.run(self.command(tool, *args), capture_output=True,
                              text=True)
        if done.returncode != 0:
            fail(f"{tool} failed: {done.stderr.strip() or done.stdout.strip()}")
        return done.stdout

    def connect_args(self):
        return ["-h", "127.0.0.1", "-p", str(self.port), "-U", "bench"]

    def psql_input(self, sql):
        done = subprocess.run(
            self.command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                         *self.connect_args(), "-d", "postgres"),
            input=sql, capture_output=True, text=True)
        if done.returncode != 0:
            fail(f"psql failed: {done.stderr.strip()}")
        return done.stdout

    def stop(self):
        subprocess.run(self.command("pg_ctl", "-D", self.data, "-m", "fast",
                                    "-w", "stop"), capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def copy_in_chunks(pg, path, chunk):
    """COPY every line of `path` in transactions of `chunk` lines; events
    per second, and the number of events."""
    psql = subprocess.Popen(
        pg.command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                   *pg.connect_args(), "-d", "postgres"),
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    count = 0
    start = time.monotonic()
    with open(path, encoding="utf-8") as events:
        lines = []
        for line in events:
            lines.append(line)
            if len(lines) == chunk:
                count += write_chunk(psql, lines)
                lines = []
        if lines:
            count += write_chunk(psql, lines)
    psql.stdin.close()
    if psql.wait() != 0:
        fail(f"COPY failed: {psql.stderr.read().strip()}")
    seconds = time.monotonic() - start
    stored = int(pg.psql_input("\\pset tuples_only on\nSELECT count(*) FROM "
                               "events;\n").strip())
    if stored != count:
        fail(f"PostgreSQL holds {stored} events after copying {count}")
    return count / seconds, count


def write_chunk(psql, lines):
    psql.stdin.write(f"BEGIN;\nCOPY {COPY_COLUMNS} FROM STDIN;\n")
    psql.stdin.writelines(lines)
    psql.stdin.write("\\.\nCOMMIT;\n")
    return len(lines)


def typical_payload_hex(path):
    """The stored bytes of a recommendation event of the copied file, for
    the appends to write an event of the same size."""
    with open(path, encoding="utf-8") as events:
        for line in events:
            fields = line.rstrip("\n").split("\t")
            if "recommendation" in fields[3].lower():
                return fields[5][3:]  # after the escaped "\\x"
    fail(f"no recommendation event in {path}")


def pgbench_appends(pg, clients, seconds, payload_hex):
    """Single-event appends with a version check from `clients` clients:
    appends per second and the median latency in ms."""
    work = tempfile.mkdtemp(prefix="rectrack-pgbench-", dir=pg.dir)
    if pg.as_user:
        shutil.chown(work, user="postgres")
    script = os.path.join(work, "append.sql")
    with open(script, "w", encoding="utf-8") as f:
        f.write(
            "INSERT INTO events (stream, version, event_id, type, "
            "recorded_at, payload) SELECT 'pgbench-' || :client_id, "
            "coalesce(max(version), 0) + 1, gen_random_uuid()::text, "
            f"'ProgressRecorded', now(), decode('{payload_hex}', 'hex') "
            "FROM events WHERE stream = 'pgbench-' || :client_id;\n")
    threads = min(clients, 2)
    out = pg.run("pgbench", *pg.connect_args(), "-n", "-M", "prepared",
                 "-c", str(clients), "-j", str(threads), "-T", str(seconds),
                 "-f", script, "-l", "--log-prefix",
                 os.path.join(work, "log"), "postgres")
    tps = re.search(r"tps = ([0-9.]+)", out)
    failed = re.search(r"number of failed transactions: (\d+)", out)
    if tps is None:
        fail(f"pgbench printed no tps:\n{out}")
    if failed and int(failed.group(1)) > 0:
        fail(f"pgbench: {failed.group(1)} appends failed:\n{out}")
    latencies = []
    for log in glob.glob(os.path.join(work, "log*")):
        with open(log, encoding="utf-8") as f:
            latencies.extend(int(line.split()[2]) for line in f if line.strip())
    shutil.rmtree(work, ignore_errors=True)
    return float(tps.group(1)), statistics.median(latencies) / 1000.0


def rectrack_figures(path):
    """rectrackd's figures of this run, from apply_bench's and bulk_bench's
    markdown rows."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    apply = {int(c): float(v) for c, v in re.findall(
        r"\| Apply, (\d+) clients? \(group commit\) \| ([0-9.]+) commands/s",
        text)}
    bulk = re.search(r"\| BulkApply of (\d+) events[^|]*\| ([0-9.]+) events/s",
                     text)
    if bulk is None or not apply:
        fail(f"{path} has no BulkApply or Apply row of apply_bench and "
             "bulk_bench")
    return apply, int(bulk.group(1)), float(bulk.group(2))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copy-file", required=True)
    parser.add_argument("--rectrack", required=True)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--chunk", type=int, default=1000)
    args = parser.parse_args()
    apply, bulk_events, bulk_rate = rectrack_figures(args.rectrack)
    payload_hex = typical_payload_hex(args.copy_file)
    pg = Postgres(postgres_bin())
    try:
        said = pg.run("postgres", "--version")
        found = re.search(r"PostgreSQL\) ([0-9.]+)", said)
        version = found.group(1) if found else said.strip()
        copy_rate, copied = copy_in_chunks(pg, args.copy_file, args.chunk)
        if copied != bulk_events:
            fail(f"the copy file holds {copied} events, BulkApply "
                 f"imported {bulk_events}")
        print(f"| BulkApply of {bulk_events} events against PostgreSQL "
              f"{version} COPY of the same events, chunks of {args.chunk}, "
              f"each committed with fsync, unique (stream, version) and "
              f"event id | {bulk_rate:.0f} events/s | PostgreSQL COPY: "
              f"{copy_rate:.0f} events/s | {bulk_rate / copy_rate:.2f} | "
              f"≥ 1.5 |")
        for clients in sorted(apply):
            rate, p50 = pgbench_appends(pg, clients, args.seconds,
                                        payload_hex)
            target = "≥ 2" if clients >= 64 else "≥ 1"
            who = "1 client" if clients == 1 else f"{clients} clients"
            print(f"| Apply, {who}, against PostgreSQL "
                  f"single-event appends with a version check (pgbench, "
                  f"on the {copied}-event table) | {apply[clients]:.0f} "
                  f"commands/s | PostgreSQL: {rate:.0f} appends/s (p50 "
                  f"{p50:.2f} ms) | {apply[clients] / rate:.2f} | {target} |")
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
