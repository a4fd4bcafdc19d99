-- Endpoints (named inboxes), captured requests, replay attempts, settings, full-text index.

CREATE TABLE endpoints (
    id          INTEGER PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    secrets     TEXT    NOT NULL DEFAULT '[]',   -- JSON array of strings
    provider    TEXT,
    response    TEXT    NOT NULL,                -- JSON ResponseRule
    forward_url TEXT,
    public_url  TEXT,
    notify      INTEGER NOT NULL DEFAULT 1,
    max_body    INTEGER NOT NULL,
    handshakes  INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL                 -- µs since epoch
);

CREATE TABLE requests (
    id               INTEGER PRIMARY KEY,
    endpoint_id      INTEGER NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
    received_at      INTEGER NOT NULL,           -- µs since epoch
    method           TEXT    NOT NULL,
    path             TEXT    NOT NULL,           -- as sent, slug included
    query            TEXT    NOT NULL,           -- raw, '' when none
    http_version     TEXT    NOT NULL,
    headers          BLOB    NOT NULL,           -- "name: value\r\n" lines, bytes as received
    body             BLOB    NOT NULL,           -- exactly as received
    body_size        INTEGER NOT NULL,
    content_type     TEXT,
    remote_addr      TEXT,
    rejection        TEXT,                       -- JSON Rejection when the body was not kept
    response_status  INTEGER NOT NULL,
    fingerprint      TEXT    NOT NULL,           -- identity of "the same request" for retries
    provider         TEXT,
    event_type       TEXT,
    event_id         TEXT,
    signature_status TEXT,
    signature        TEXT,                       -- JSON SignatureReport
    duplicate_of     INTEGER,
    imported         INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX requests_by_endpoint    ON requests(endpoint_id, id);
CREATE INDEX requests_by_event_id    ON requests(endpoint_id, event_id) WHERE event_id IS NOT NULL;
CREATE INDEX requests_by_fingerprint ON requests(endpoint_id, fingerprint);
CREATE INDEX requests_by_received_at ON requests(received_at);

CREATE TABLE replays (
    id               INTEGER PRIMARY KEY,
    request_id       INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    created_at       INTEGER NOT NULL,
    target           TEXT    NOT NULL,
    sent             TEXT    NOT NULL,           -- JSON of the request as sent
    status           INTEGER,
    response_headers TEXT,
    response_body    BLOB,
    latency_us       INTEGER,
    error            TEXT
);
CREATE INDEX replays_by_request ON replays(request_id, id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Trigram tokens give substring search ("evt_1N", "payment_int") over path, headers and text bodies.
CREATE VIRTUAL TABLE requests_fts USING fts5(
    path, headers, body, content = '', contentless_delete = 1, tokenize = 'trigram'
);

CREATE TRIGGER requests_fts_delete AFTER DELETE ON requests BEGIN
    DELETE FROM requests_fts WHERE rowid = old.id;
END;

-- Every endpoint change bumps a revision, so a server in another process reloads its routing.
INSERT INTO settings(key, value) VALUES ('endpoints_rev', '0');
CREATE TRIGGER endpoints_rev_insert AFTER INSERT ON endpoints BEGIN
    UPDATE settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'endpoints_rev';
END;
CREATE TRIGGER endpoints_rev_update AFTER UPDATE ON endpoints BEGIN
    UPDATE settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'endpoints_rev';
END;
CREATE TRIGGER endpoints_rev_delete AFTER DELETE ON endpoints BEGIN
    UPDATE settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'endpoints_rev';
END;
