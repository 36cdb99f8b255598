-- The audit log's chain guarded by one trigger instead of two unique indexes.
--
-- `prev_hash UNIQUE` and `hash UNIQUE` kept a fork out of the chain, but their keys are
-- SHA-256 digests: every entry went into a random leaf of each index, and on a busy day that
-- was two more dirty pages per entry in the WAL (measured in docs/benchmarks.md, "The audit
-- chain without its two random indexes"). The trigger checks more than they did (each entry
-- follows the last one, not merely no two follow the same) and reads only the last entry.
-- SQLite cannot drop a column's constraint: the table is rebuilt, with its guards.

DROP TRIGGER audit_log_no_update;
DROP TRIGGER audit_log_no_delete;
DROP INDEX audit_log_by_subject;

CREATE TABLE audit_log_chained (
    id             INTEGER PRIMARY KEY,
    at             BIGINT NOT NULL,
    actor_user_id  BIGINT,
    actor_label    TEXT NOT NULL,
    action         TEXT NOT NULL,
    subject        TEXT NOT NULL,
    detail         TEXT NOT NULL,
    ip             TEXT,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
INSERT INTO audit_log_chained (id, at, actor_user_id, actor_label, action, subject, detail, ip,
                               prev_hash, hash)
SELECT id, at, actor_user_id, actor_label, action, subject, detail, ip, prev_hash, hash
FROM audit_log ORDER BY id;
DROP TABLE audit_log;
ALTER TABLE audit_log_chained RENAME TO audit_log;

-- The applicant's view and the verifier read it by subject.
CREATE INDEX audit_log_by_subject ON audit_log (subject, id);
-- Append-only, enforced by the database: no update, no delete, whoever asks.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- Each entry follows the last one (the first one the genesis hash, `audit::GENESIS`).
CREATE TRIGGER audit_log_follows_chain BEFORE INSERT ON audit_log
WHEN NEW.prev_hash IS NOT COALESCE(
    (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1),
    '0000000000000000000000000000000000000000000000000000000000000000')
BEGIN
    SELECT RAISE(ABORT, 'audit_log entries follow the chain');
END;
