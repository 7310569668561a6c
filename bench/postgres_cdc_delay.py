#!/usr/bin/env python3
# Delay from COMMIT to the line in the file, for bench/postgres_cdc: follows
# connectrun's FileStreamSink file and pg_recvlogical's wal2json file from
# their current end, stamps each new line with the wall clock when it is read
# (files polled every millisecond), and compares it with the commit time the
# line carries: source.ts_us of a Debezium event (pgoutput's commit
# timestamp), "timestamp" of a wal2json transaction (include-timestamp=1).
# Both are PostgreSQL's commit timestamps, taken on this machine's clock.
#   postgres_cdc_delay.py CDC_FILE W2J_FILE EXPECTED TIMEOUT_S READY_FILE
# Prints: name count median_ms p99_ms (one line per file).
import datetime, json, sys, time

cdc_path, w2j_path, expected, timeout, ready = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]

def commit_us_cdc(line):
    event = json.loads(line)  # FileStreamSink writes the value as schemaless JSON
    return event.get("payload", event)["source"]["ts_us"]

def commit_us_w2j(line):
    ts = json.loads(line)["timestamp"]  # "2026-12-03 07:10:48.123456+00"
    if len(ts) > 3 and ts[-3] in "+-": ts += ":00"  # "+00" → "+00:00", which fromisoformat reads
    return datetime.datetime.fromisoformat(ts).timestamp() * 1e6

class Follower:
    def __init__(self, name, path, commit_us):
        self.name, self.commit_us, self.f = name, commit_us, open(path, "r")
        self.f.seek(0, 2)
        self.partial, self.delays = "", []
    def poll(self, now_us):
        chunk = self.f.read()
        if not chunk: return
        lines = (self.partial + chunk).split("\n")
        self.partial = lines.pop()
        for line in lines:
            if line.strip(): self.delays.append((now_us - self.commit_us(line)) / 1000)

followers = [Follower("connectrun", cdc_path, commit_us_cdc), Follower("pg_recvlogical", w2j_path, commit_us_w2j)]
open(ready, "w").close()
deadline = time.time() + timeout
while time.time() < deadline and any(len(f.delays) < expected for f in followers):
    now_us = time.time() * 1e6
    for f in followers: f.poll(now_us)
    time.sleep(0.001)

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))] if xs else float("nan")

for f in followers:
    print(f"{f.name} {len(f.delays)} {pct(f.delays, 50):.1f} {pct(f.delays, 99):.1f}")
