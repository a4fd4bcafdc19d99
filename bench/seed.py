"""Fill a capture server with N realistic webhook requests over keep-alive connections, then
wait until the store's search index has caught up (so the app starts as after a day of use).

Usage: seed.py CAPTURE_URL DB_PATH N
Every request has a unique term `needle-NNNNNN` in its path and body, for the search figures."""

import http.client
import json
import sqlite3
import sys
import threading
import time
import urllib.parse

base, db, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
host = urllib.parse.urlparse(base).netloc
THREADS = 4
TYPES = ["payment_intent.succeeded", "invoice.paid", "customer.created", "charge.refunded"]


def body(n):
    return json.dumps(
        {
            "id": f"evt_{n:010d}",
            "object": "event",
            "type": TYPES[n % len(TYPES)],
            "created": 1760000000 + n,
            "data": {"object": {"id": f"pi_{n:08d}", "amount": n % 10000, "ref": f"needle-{n:06d}"}},
        }
    ).encode()


def worker(k, failures):
    conn = http.client.HTTPConnection(host, timeout=30)
    for n in range(k, total, THREADS):
        slug = ("shop", "stripe", "github")[n % 3]
        conn.request("POST", f"/{slug}/orders/needle-{n:06d}", body(n), {"Content-Type": "application/json"})
        res = conn.getresponse()
        res.read()
        if res.status != 200:
            failures.append((n, res.status))


failures = []
start = time.monotonic()
threads = [threading.Thread(target=worker, args=(k, failures)) for k in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
if failures:
    sys.exit(f"seed: {len(failures)} requests failed, first {failures[0]}")
print(f"seeded {total} events in {time.monotonic() - start:.1f} s", flush=True)

c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
while True:
    top = c.execute("SELECT coalesce(max(id), 0) FROM requests").fetchone()[0]
    row = c.execute("SELECT value FROM settings WHERE key = 'search.indexed_upto'").fetchone()
    if row and int(row[0]) >= top:
        break
    time.sleep(1)
print(f"search index complete after {time.monotonic() - start:.1f} s", flush=True)
