-- Applicant journey: identity verification (contact confirmation, population registry match),
-- one-time codes, the credit registry, server-side drafts, cases with their pinned item
-- versions and timeline, in-app notifications and the transactional mail outbox.
-- Times are Unix milliseconds; flags are nullable timestamps.

-- The population registry a name + resident ID is matched against (imported from CSV).
CREATE TABLE population_registry (
    resident_id  TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    imported_at  BIGINT NOT NULL
);

-- An applicant's verified identity. L1: contact confirmed; L2: registry matched (a resident ID
-- belongs to one account); L3: person–ID check approved.
CREATE TABLE applicant_identities (
    user_id               BIGINT PRIMARY KEY REFERENCES users (id),
    contact_confirmed_at  BIGINT,
    resident_id           TEXT UNIQUE,
    legal_name            TEXT,
    registry_matched_at   BIGINT,
    person_checked_at     BIGINT,
    updated_at            BIGINT NOT NULL
);

-- One-time codes (6 digits) sent by email or SMS: only a hash is kept.
CREATE TABLE one_time_codes (
    id           TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    purpose      TEXT NOT NULL CHECK (purpose IN ('confirm_contact', 'sign_commitment', 'enrol_device')),
    channel      TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    destination  TEXT NOT NULL,
    code_hash    TEXT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT
);
CREATE INDEX one_time_codes_by_user ON one_time_codes (user_id, purpose, created_at);

-- The credit registry: records of dishonest persons (resident ID) and entities (credit code).
CREATE TABLE credit_records (
    id            INTEGER PRIMARY KEY,
    subject_id    TEXT NOT NULL,
    subject_name  TEXT NOT NULL,
    category      TEXT NOT NULL CHECK (category IN ('dishonest_debtor', 'serious_violation', 'broken_commitment')),
    level         TEXT NOT NULL CHECK (level IN ('block', 'warn')),
    source        TEXT NOT NULL,
    reason        TEXT NOT NULL,
    recorded_on   TEXT NOT NULL,
    expires_on    TEXT,
    imported_at   BIGINT NOT NULL,
    CONSTRAINT credit_records_unique UNIQUE (subject_id, category, source, recorded_on)
);

-- Drafts: the form values of one application being filled in, saved as the applicant types.
-- `public_id` is what URLs carry. `case_id` is set by the submission (one case per draft).
CREATE TABLE drafts (
    id            INTEGER PRIMARY KEY,
    public_id     TEXT NOT NULL UNIQUE,
    applicant_id  BIGINT NOT NULL REFERENCES users (id),
    target_kind   TEXT NOT NULL CHECK (target_kind IN ('item', 'bundle')),
    target_code   TEXT NOT NULL,
    form_values   TEXT NOT NULL,
    revision      BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    case_id       BIGINT UNIQUE
);
CREATE INDEX drafts_by_applicant ON drafts (applicant_id, updated_at);

-- The last case number handed out per year (QX-2026-000123).
CREATE TABLE case_numbers (
    year  BIGINT PRIMARY KEY,
    last  BIGINT NOT NULL
);

CREATE TABLE cases (
    id              INTEGER PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,
    applicant_id    BIGINT NOT NULL REFERENCES users (id),
    draft_id        BIGINT NOT NULL UNIQUE REFERENCES drafts (id),
    target_kind     TEXT NOT NULL CHECK (target_kind IN ('item', 'bundle')),
    target_code     TEXT NOT NULL,
    bundle_version  BIGINT,
    title_zh        TEXT NOT NULL,
    title_en        TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('submitted', 'returned', 'resubmitted', 'accepted',
                        'refused', 'in_approval', 'approved', 'rejected', 'issued', 'delivered', 'withdrawn')),
    form_values     TEXT NOT NULL,
    identity_level  TEXT NOT NULL,
    credit_level    TEXT NOT NULL CHECK (credit_level IN ('clear', 'warn', 'block')),
    credit_detail   TEXT NOT NULL,
    needs_front_desk BIGINT NOT NULL CHECK (needs_front_desk IN (0, 1)),
    submitted_at    BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX cases_by_applicant ON cases (applicant_id, submitted_at);
CREATE INDEX cases_by_status ON cases (status, submitted_at);

-- The item versions a case was filed under (one per item; several for a bundle).
CREATE TABLE case_items (
    case_id       BIGINT NOT NULL REFERENCES cases (id),
    item_code     TEXT NOT NULL,
    item_version  BIGINT NOT NULL,
    PRIMARY KEY (case_id, item_code),
    FOREIGN KEY (item_code, item_version) REFERENCES service_item_versions (code, version)
);

-- The timeline of a case: what happened, by which role, when, and the deadline it set.
CREATE TABLE case_events (
    id             INTEGER PRIMARY KEY,
    case_id        BIGINT NOT NULL REFERENCES cases (id),
    at             BIGINT NOT NULL,
    kind           TEXT NOT NULL,
    actor_role     TEXT NOT NULL,
    actor_user_id  BIGINT REFERENCES users (id),
    note           TEXT,
    deadline_at    BIGINT
);
CREATE INDEX case_events_by_case ON case_events (case_id, at);

-- In-app notifications (the unread badge).
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    case_id     BIGINT REFERENCES cases (id),
    kind        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    read_at     BIGINT
);
CREATE INDEX notifications_by_user ON notifications (user_id, created_at);

-- Outgoing mail and SMS, written in the same transaction as the change they tell of and
-- delivered by a background worker that claims rows (so several nodes never send one twice).
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    channel          TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    -- A message carrying a secret (a one-time code): its body is erased once delivered.
    sensitive        BIGINT NOT NULL CHECK (sensitive IN (0, 1)),
    created_at       BIGINT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    claimed_until    BIGINT,
    sent_at          BIGINT,
    last_error       TEXT
);
CREATE INDEX outbox_pending ON outbox (sent_at, next_attempt_at);
