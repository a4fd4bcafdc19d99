-- Replay attempts say what sent them (a replay or auto-forward, and which try) and how big the
-- target's whole answer was (the stored body is capped). Auto-forward keeps, per endpoint, how far
-- it has delivered and how it retries; the target itself is `endpoints.forward_url`, or the
-- target of the first route an event matches.

ALTER TABLE replays ADD COLUMN kind TEXT NOT NULL DEFAULT 'replay';   -- 'replay' | 'forward'
ALTER TABLE replays ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;    -- 1 for the first try
ALTER TABLE replays ADD COLUMN response_size INTEGER;                 -- bytes of the whole answer

CREATE TABLE forwards (
    endpoint_id      INTEGER PRIMARY KEY REFERENCES endpoints(id) ON DELETE CASCADE,
    delivered_upto   INTEGER NOT NULL,            -- id of the last request delivered (or given up)
    timeout_ms       INTEGER NOT NULL,
    retry_initial_ms INTEGER NOT NULL,
    retry_max_ms     INTEGER NOT NULL,
    max_attempts     INTEGER NOT NULL,            -- for 5xx answers; 0: keep trying
    allow_remote     INTEGER NOT NULL DEFAULT 0,
    follow_redirects INTEGER NOT NULL DEFAULT 0
);

-- Routes: per endpoint, events matching a rule go to that rule's target instead of the forward
-- target (first match by position): a prefix of the path after the slug, or an event type with an
-- optional trailing `*` (`invoice.*`).
CREATE TABLE routes (
    id          INTEGER PRIMARY KEY,
    endpoint_id INTEGER NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    match_kind  TEXT    NOT NULL CHECK (match_kind IN ('path_prefix', 'event_type')),
    pattern     TEXT    NOT NULL,
    target      TEXT    NOT NULL
);
CREATE INDEX routes_by_endpoint ON routes(endpoint_id, position);
