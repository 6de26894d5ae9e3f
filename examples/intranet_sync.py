#!/usr/bin/env python3
"""Mirror rectrack's change feed into an SQLite database.

An intranet page can then read recommendations and progress from SQLite
without talking gRPC. The mirror remembers the last position it stored, in
the same transaction as the event, so after either side restarts it
resumes exactly where it stopped: no event missed, none stored twice.

It also keeps the hash of that last event and passes it when it resumes
(after_hash): if the tracker's log is no longer the one it mirrored (the
tracker was restored from an older backup, or replaced), rectrack refuses
with FAILED_PRECONDITION and the mirror stops with LogReplaced instead of
silently mixing two logs. Each event also names its predecessor's hash, so
the mirror checks that what it receives follows on from what it has.

    PYTHONPATH=build/python python3 examples/intranet_sync.py \
        --server 127.0.0.1:50051 --db intranet.sqlite

Uses only the generated stubs (package "rectrack") and the standard library.
"""

import argparse
import os
import sqlite3
import sys
import time

import grpc
from google.protobuf import json_format

from rectrack.v1 import tracker_pb2, tracker_pb2_grpc

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
  position    INTEGER PRIMARY KEY,
  stream      TEXT NOT NULL,
  type        TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  payload     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sync (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  last_position INTEGER NOT NULL
);
INSERT OR IGNORE INTO sync (id, last_position) VALUES (1, 0);
"""


class LogReplaced(Exception):
    """The tracker's log is not the one this mirror was made from."""


def open_mirror(db_path):
    db = sqlite3.connect(db_path)
    db.executescript(SCHEMA)
    columns = [row[1] for row in db.execute("PRAGMA table_info(sync)")]
    if "last_hash" not in columns:  # a mirror made before the resume check
        with db:
            db.execute("ALTER TABLE sync ADD COLUMN last_hash BLOB")
    return db


def last_position(db):
    return db.execute("SELECT last_position FROM sync WHERE id = 1").fetchone()[0]


def last_hash(db):
    """The hash of the last event stored (b"" for none, or an old mirror)."""
    row = db.execute("SELECT last_hash FROM sync WHERE id = 1").fetchone()
    return bytes(row[0]) if row[0] is not None else b""


def store(db, event):
    """Stores one event and the new position atomically."""
    with db:
        db.execute(
            "INSERT INTO events (position, stream, type, recorded_at, payload) "
            "VALUES (?, ?, ?, ?, ?)",
            (event.position, event.stream, event.type,
             event.recorded_at.ToJsonString(),
             json_format.MessageToJson(event.payload, indent=None)))
        db.execute("UPDATE sync SET last_position = ?, last_hash = ? "
                   "WHERE id = 1", (event.position, event.hash))


def sync(server, db_path, until_position=None, retry_seconds=0.2,
         give_up_after=None, token=None):
    """Follows the feed; returns once until_position is stored (if given).

    token: an access token (a viewer's is enough), sent as
    "authorization: Bearer TOKEN"; default RECTRACK_TOKEN.
    """
    token = token if token is not None else os.environ.get("RECTRACK_TOKEN")
    metadata = (("authorization", "Bearer " + token),) if token else None
    db = open_mirror(db_path)
    started_waiting = None
    while True:
        position = last_position(db)
        if until_position is not None and position >= until_position:
            return position
        try:
            with grpc.insecure_channel(server) as channel:
                stub = tracker_pb2_grpc.TrackerStub(channel)
                request = tracker_pb2.WatchRequest(
                    from_position=position + 1, after_hash=last_hash(db))
                for item in stub.Watch(request, metadata=metadata):
                    started_waiting = None
                    if item.HasField("event"):
                        if item.event.position != last_position(db) + 1:
                            raise RuntimeError(
                                "the feed skipped from %d to %d"
                                % (last_position(db), item.event.position))
                        held = last_hash(db)
                        if (held and item.event.predecessor_hash
                                and item.event.predecessor_hash != held):
                            raise LogReplaced(
                                "event %d does not follow on from the event "
                                "this mirror holds at %d; rebuild the mirror"
                                % (item.event.position, position))
                        store(db, item.event)
                    if (until_position is not None
                            and last_position(db) >= until_position):
                        return last_position(db)
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.FAILED_PRECONDITION:
                # The log is not the one mirrored: resuming would mix two
                # logs. Rebuild the mirror (delete it and sync again).
                raise LogReplaced(error.details()) from error
            if error.code() in (grpc.StatusCode.UNAUTHENTICATED,
                                grpc.StatusCode.PERMISSION_DENIED):
                raise  # retrying will not help
            # The server went away (restart, network): resume from the
            # last stored position once it is back.
            if started_waiting is None:
                started_waiting = time.monotonic()
            if (give_up_after is not None
                    and time.monotonic() - started_waiting > give_up_after):
                raise
            print("rectrack unavailable (%s); retrying" % error.code(),
                  file=sys.stderr)
            time.sleep(retry_seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="127.0.0.1:50051")
    parser.add_argument("--db", default="intranet.sqlite")
    parser.add_argument("--until-position", type=int, default=None,
                        help="stop once this position is stored")
    args = parser.parse_args()
    try:
        print(sync(args.server, args.db, args.until_position))
    except LogReplaced as replaced:
        sys.exit("the tracker's log is not the one %s mirrors (%s); move %s "
                 "aside and run again to mirror the tracker afresh"
                 % (args.db, replaced, args.db))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
