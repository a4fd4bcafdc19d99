-- Auto-forward can answer the provider with the forward target's own answer instead of the
-- endpoint's response rule (`respond = 'target'`), waiting at most `respond_timeout_ms` for it.
-- A request answered that way is marked `answered_by_target` when it is stored: its one try was
-- made inline, so the background forwarder never sends it again.

ALTER TABLE forwards ADD COLUMN respond TEXT NOT NULL DEFAULT 'rule'
    CHECK (respond IN ('rule', 'target'));
ALTER TABLE forwards ADD COLUMN respond_timeout_ms INTEGER NOT NULL DEFAULT 10000;

ALTER TABLE requests ADD COLUMN answered_by_target INTEGER NOT NULL DEFAULT 0;

-- Capture servers learn the mode from their endpoint directory, reloaded on this revision.
CREATE TRIGGER endpoints_rev_forward_respond AFTER UPDATE OF respond, respond_timeout_ms ON forwards
BEGIN
    UPDATE settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'endpoints_rev';
END;
