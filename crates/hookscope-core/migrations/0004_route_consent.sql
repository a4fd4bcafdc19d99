-- A route keeps the user's consent to a target that is not loopback, so that delivery to that
-- route honours it (the endpoint's own `forwards.allow_remote` was given for its forward target,
-- not for a route's). Routes added before this migration could only be added with a remote target
-- when that consent was given, so every existing row carries it.

ALTER TABLE routes ADD COLUMN allow_remote INTEGER NOT NULL DEFAULT 0;
UPDATE routes SET allow_remote = 1;
