#!/usr/bin/env python3
"""Mirror rectrack's change feed into an SQLite database.

An intranet page can then read recommendations and progress from SQLite
without talking gRPC. The mirror remembers the last position it stored, in
the same transaction as the event, so after either side restarts it
resumes exactly where it stopped: no event missed, none stored twice.

Beside the raw events it keeps the current state, as the server works it
out, in tables of their own: reviews, recommendations and actions (with
their RAG rating, overdue and due soon, and the latest progress). Each
event marks its entity to be read again (in the event's own transaction),
and marked entities are read once the feed has caught up, so the tables
follow within moments. Overdue and RAG change with the calendar, not only
with events, so every action's standing is read again at start and every
--refresh-seconds (default an hour). For example:

    SELECT id, text, days_overdue FROM actions
     WHERE overdue AND leads LIKE '%Gemma Barron%';

It also keeps the hash of that last event and passes it when it resumes
(after_hash): if the tracker's log is no longer the one it mirrored (the
tracker was restored from an older backup, or replaced), rectrack refuses
with FAILED_PRECONDITION and the mirror stops with LogReplaced instead of
silently mixing two logs. Each event also names its predecessor's hash, so
the mirror checks that what it receives follows on from what it has.

    PYTHONPATH=build/python python3 examples/intranet_sync.py \
        --server rectrack.example:50051 --tls-ca ca.pem --db intranet.sqlite

with the token in RECTRACK_TOKEN (or --token; a viewer's is enough).

Uses only the generated stubs (package "rectrack") and the standard library.
"""

import argparse
import os
import sqlite3
import sys
import time

import grpc
from google.protobuf import json_format

from rectrack.v1 import domain_pb2, tracker_pb2, tracker_pb2_grpc

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
-- Current state, as the server reports it. json: the whole entity in
-- protobuf's JSON mapping, for anything the columns leave out.
CREATE TABLE IF NOT EXISTS reviews (
  id           TEXT PRIMARY KEY,
  title        TEXT NOT NULL,
  committee    TEXT NOT NULL,
  council      TEXT NOT NULL,
  status       TEXT NOT NULL,
  published_on TEXT NOT NULL,
  version      INTEGER NOT NULL,
  json         TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS recommendations (
  id        TEXT PRIMARY KEY,
  review_id TEXT NOT NULL,
  ref       TEXT NOT NULL,
  text      TEXT NOT NULL,
  portfolio TEXT NOT NULL,
  status    TEXT NOT NULL,
  decision  TEXT NOT NULL,
  version   INTEGER NOT NULL,
  json      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS actions (
  id                TEXT PRIMARY KEY,
  recommendation_id TEXT NOT NULL,
  review_id         TEXT NOT NULL,
  text              TEXT NOT NULL,
  leads             TEXT NOT NULL,  -- "; " between names
  status            TEXT NOT NULL,
  target            TEXT NOT NULL,  -- as written, e.g. "March 2011"
  target_latest     TEXT NOT NULL,  -- YYYY-MM-DD, "" if none
  rag               TEXT NOT NULL,  -- RED, AMBER, GREEN, NO_TARGET, NOT_RATED
  overdue           INTEGER NOT NULL,
  days_overdue      INTEGER NOT NULL,
  due_soon          INTEGER NOT NULL,
  standing_on       TEXT NOT NULL,  -- the day RAG and overdue are for
  latest_progress   TEXT NOT NULL,
  latest_progress_on TEXT NOT NULL,
  version           INTEGER NOT NULL,
  json              TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS actions_by_review ON actions (review_id);
-- Entities changed by stored events, not yet read again.
CREATE TABLE IF NOT EXISTS stale (id TEXT PRIMARY KEY);
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
    """Stores one event and the new position atomically, and marks its
    entity to be read again."""
    with db:
        db.execute(
            "INSERT INTO events (position, stream, type, recorded_at, payload) "
            "VALUES (?, ?, ?, ?, ?)",
            (event.position, event.stream, event.type,
             event.recorded_at.ToJsonString(),
             json_format.MessageToJson(event.payload, indent=None)))
        db.execute("UPDATE sync SET last_position = ?, last_hash = ? "
                   "WHERE id = 1", (event.position, event.hash))
        db.execute("INSERT OR IGNORE INTO stale (id) VALUES (?)",
                   (event.stream,))


def enum_name(enum, value, prefix):
    """RAG_RED -> RED, ACTION_STATUS_IN_PROGRESS -> IN_PROGRESS."""
    name = enum.Name(value)
    return name[len(prefix):] if name.startswith(prefix) else name


def as_json(message):
    return json_format.MessageToJson(message, indent=None)


def save_review(db, review):
    db.execute(
        "INSERT OR REPLACE INTO reviews VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (review.id, review.title, review.committee, review.council,
         enum_name(domain_pb2.ReviewStatus, review.status, "REVIEW_STATUS_"),
         review.published_on, review.version, as_json(review)))


def save_recommendation(db, rec):
    decision = (enum_name(domain_pb2.Decision, rec.response.decision,
                          "DECISION_") if rec.HasField("response") else "")
    db.execute(
        "INSERT OR REPLACE INTO recommendations "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (rec.id, rec.review_id, rec.ref, rec.text, rec.portfolio,
         enum_name(domain_pb2.RecommendationStatus, rec.status,
                   "RECOMMENDATION_STATUS_"),
         decision, rec.version, as_json(rec)))


def save_action(db, action):
    kept = [p for p in action.progress if not p.retracted]
    latest = kept[-1] if kept else None
    standing = action.standing
    db.execute(
        "INSERT OR REPLACE INTO actions "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (action.id, action.recommendation_id, action.review_id, action.text,
         "; ".join(action.leads),
         enum_name(domain_pb2.ActionStatus, action.status, "ACTION_STATUS_"),
         action.timescale.text, action.timescale.latest,
         enum_name(domain_pb2.Rag, standing.rag, "RAG_"),
         int(standing.overdue), standing.days_overdue,
         int(standing.due_soon), standing.day,
         latest.text if latest else "",
         (latest.reported_on or latest.recorded_at.ToJsonString()[:10])
         if latest else "",
         action.version, as_json(action)))


def read_entity(stub, metadata, entity_id):
    """Reads one entity and returns the function that saves it (None for a
    stream that is not a review, recommendation or action)."""
    if entity_id.startswith("review-"):
        review = stub.GetReview(tracker_pb2.GetReviewRequest(id=entity_id),
                                metadata=metadata, timeout=30)
        return lambda db: save_review(db, review)
    if entity_id.startswith("rec-"):
        rec = stub.GetRecommendation(
            tracker_pb2.GetRecommendationRequest(id=entity_id),
            metadata=metadata, timeout=30)
        return lambda db: save_recommendation(db, rec)
    if entity_id.startswith("action-"):
        action = stub.GetAction(tracker_pb2.GetActionRequest(id=entity_id),
                                metadata=metadata, timeout=30)
        return lambda db: save_action(db, action)
    return None


def refresh_stale(db, stub, metadata):
    """Reads again every entity that stored events changed; each is saved
    and unmarked in one transaction."""
    for (entity_id,) in db.execute("SELECT id FROM stale").fetchall():
        save = read_entity(stub, metadata, entity_id)
        with db:
            if save is not None:
                save(db)
            db.execute("DELETE FROM stale WHERE id = ?", (entity_id,))


def refresh_standings(db, stub, metadata):
    """Reads every action again: overdue and RAG move with the calendar."""
    page_token = ""
    while True:
        page = stub.ListActions(
            tracker_pb2.ListActionsRequest(page_size=1000,
                                           page_token=page_token),
            metadata=metadata, timeout=60)
        with db:
            for action in page.actions:
                save_action(db, action)
        page_token = page.next_page_token
        if not page_token:
            return


def open_channel(server, tls_ca=None):
    """A channel to rectrackd: TLS trusting the CA in tls_ca (a PEM file)
    when given, else plaintext (loopback, or behind a TLS proxy)."""
    if not tls_ca:
        return grpc.insecure_channel(server)
    with open(tls_ca, "rb") as pem:
        credentials = grpc.ssl_channel_credentials(root_certificates=pem.read())
    return grpc.secure_channel(server, credentials)


def sync(server, db_path, until_position=None, retry_seconds=0.2,
         give_up_after=None, token=None, tls_ca=None, refresh_seconds=3600):
    """Follows the feed; returns once until_position is stored (if given)
    and the current-state tables show it.

    token: an access token (a viewer's is enough), sent as
    "authorization: Bearer TOKEN"; default RECTRACK_TOKEN.
    tls_ca: PEM file of the CA that signed rectrackd's certificate (TLS).
    refresh_seconds: how often every action's standing (overdue, RAG) is
    read again while no event arrives.
    """
    token = token if token is not None else os.environ.get("RECTRACK_TOKEN")
    metadata = (("authorization", "Bearer " + token),) if token else None
    db = open_mirror(db_path)
    started_waiting = None
    standings_read = False
    while True:
        try:
            with open_channel(server, tls_ca) as channel:
                stub = tracker_pb2_grpc.TrackerStub(channel)
                position = last_position(db)
                if until_position is not None and position >= until_position:
                    return position
                request = tracker_pb2.WatchRequest(
                    from_position=position + 1, after_hash=last_hash(db))
                caught_up = False
                for item in stub.Watch(request, metadata=metadata,
                                       timeout=refresh_seconds):
                    started_waiting = None
                    if not standings_read:
                        # Only now: the server has accepted the resume
                        # point, so this is the log the mirror holds.
                        refresh_standings(db, stub, metadata)
                        standings_read = True
                    if item.HasField("event"):
                        follow_on(db, item.event)
                        store(db, item.event)
                    else:
                        caught_up = True
                    reached = (until_position is not None
                               and last_position(db) >= until_position)
                    if caught_up or reached:
                        refresh_stale(db, stub, metadata)
                    if reached:
                        return last_position(db)
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.FAILED_PRECONDITION:
                # The log is not the one mirrored: resuming would mix two
                # logs. Rebuild the mirror (delete it and sync again).
                raise LogReplaced(error.details()) from error
            if error.code() in (grpc.StatusCode.UNAUTHENTICATED,
                                grpc.StatusCode.PERMISSION_DENIED):
                raise  # retrying will not help
            if error.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
                # refresh_seconds without an event: read every standing
                # again, then resume the feed where it stopped.
                standings_read = False
                continue
            # The server went away (restart, network): resume from the
            # last stored position once it is back.
            if started_waiting is None:
                started_waiting = time.monotonic()
            if (give_up_after is not None
                    and time.monotonic() - started_waiting > give_up_after):
                raise
            print("rectrack at %s unavailable (%s: %s); retrying"
                  % (server, error.code().name, error.details()),
                  file=sys.stderr)
            time.sleep(retry_seconds)


def follow_on(db, event):
    """Refuses an event that does not follow on from the last one stored."""
    position = last_position(db)
    if event.position != position + 1:
        raise RuntimeError("the feed skipped from %d to %d"
                           % (position, event.position))
    held = last_hash(db)
    if held and event.predecessor_hash and event.predecessor_hash != held:
        raise LogReplaced(
            "event %d does not follow on from the event this mirror holds "
            "at %d; rebuild the mirror" % (event.position, position))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="127.0.0.1:50051",
                        help="rectrackd's gRPC address, HOST:PORT")
    parser.add_argument("--db", default="intranet.sqlite",
                        help="the SQLite file to keep (created if missing)")
    parser.add_argument("--token", default=None,
                        help="access token (a viewer's is enough); better "
                        "in RECTRACK_TOKEN, which others on this machine "
                        "cannot read from the process list")
    parser.add_argument("--tls-ca", default=None, metavar="FILE",
                        help="talk TLS, trusting the CA certificate (PEM) "
                        "in FILE")
    parser.add_argument("--refresh-seconds", type=float, default=3600,
                        help="read every action's overdue and RAG again "
                        "this often (they change with the date)")
    parser.add_argument("--until-position", type=int, default=None,
                        help="stop once this position is stored")
    args = parser.parse_args()
    try:
        print(sync(args.server, args.db, args.until_position,
                   token=args.token, tls_ca=args.tls_ca,
                   refresh_seconds=args.refresh_seconds))
    except LogReplaced as replaced:
        sys.exit("the tracker's log is not the one %s mirrors (%s); move %s "
                 "aside and run again to mirror the tracker afresh"
                 % (args.db, replaced, args.db))
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.UNAUTHENTICATED:
            sys.exit("rectrack at %s did not accept the token (%s). Give a "
                     "viewer's token with --token or RECTRACK_TOKEN (made "
                     "with: rectrackd token add NAME --role viewer)"
                     % (args.server, error.details()))
        if error.code() == grpc.StatusCode.PERMISSION_DENIED:
            sys.exit("rectrack at %s refused the mirror: %s"
                     % (args.server, error.details()))
        sys.exit("rectrack at %s: %s" % (args.server, error.details()))
    except OSError as error:
        sys.exit("cannot read %s: %s" % (error.filename, error.strerror))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
