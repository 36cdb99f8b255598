-- Issuance and delivery: licences issued on approval (PDF kept as issued, signed token,
-- revocation), the approvals feed, the applicant's delivery choice (electronic, courier, pickup
-- with a code), mail with HTML and attachments plus every delivery attempt, supervision after
-- approval (inspectors per street, inspection tasks and visits) and API tokens for the feed.

CREATE TABLE licences (
    id               INTEGER PRIMARY KEY,
    public_id        TEXT NOT NULL UNIQUE,
    licence_type     TEXT NOT NULL,
    number           TEXT NOT NULL,
    name_zh          TEXT NOT NULL,
    name_en          TEXT NOT NULL,
    case_id          BIGINT NOT NULL REFERENCES cases (id),
    -- The items it grants, comma-separated (several for a combined bundle licence).
    item_codes       TEXT NOT NULL,
    holder_name      TEXT NOT NULL,
    -- Resident ID of the person responsible; never in the token or on /verify.
    holder_person_id TEXT NOT NULL,
    credit_code      TEXT,
    department_code  TEXT NOT NULL,
    valid_from       TEXT NOT NULL,
    valid_until      TEXT,
    -- The printed fields (JSON) and the SHA-256 the token carries.
    content          TEXT NOT NULL,
    content_sha256   TEXT NOT NULL,
    token            TEXT NOT NULL,
    key_id           TEXT NOT NULL,
    pdf              BLOB NOT NULL,
    pdf_sha256       TEXT NOT NULL,
    issued_at        BIGINT NOT NULL,
    revoked_at       BIGINT,
    revoked_reason   TEXT,
    revoked_by       BIGINT REFERENCES users (id),
    CONSTRAINT licences_number_unique UNIQUE (licence_type, number)
);
CREATE INDEX licences_by_case ON licences (case_id);
CREATE INDEX licences_by_pdf ON licences (pdf_sha256);
CREATE INDEX licences_by_number ON licences (number);

-- Every approval, in order, for the enforcement platform (批管同步). The id is the cursor.
CREATE TABLE approval_feed (
    id           INTEGER PRIMARY KEY,
    case_id      BIGINT NOT NULL UNIQUE REFERENCES cases (id),
    payload      TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

-- How the applicant receives the paper licence, besides the download and the mail.
CREATE TABLE case_delivery (
    case_id          BIGINT PRIMARY KEY REFERENCES cases (id),
    mode             TEXT NOT NULL CHECK (mode IN ('electronic', 'courier', 'pickup')),
    recipient_name   TEXT,
    recipient_phone  TEXT,
    address          TEXT,
    pickup_centre    TEXT,
    pickup_code      TEXT,
    carrier          TEXT,
    tracking_number  TEXT,
    dispatched_at    BIGINT,
    dispatched_by    BIGINT REFERENCES users (id),
    outcome          TEXT CHECK (outcome IN ('delivered', 'failed')),
    outcome_note     TEXT,
    outcome_at       BIGINT,
    outcome_by       BIGINT REFERENCES users (id),
    picked_up_at     BIGINT,
    picked_up_by     BIGINT REFERENCES users (id),
    chosen_at        BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

-- Mail: an HTML part beside the plain text, attachments (licence PDFs, by reference) and
-- every attempt with the server's answer.
ALTER TABLE outbox ADD COLUMN body_html TEXT;
CREATE TABLE outbox_attachments (
    outbox_id    BIGINT NOT NULL REFERENCES outbox (id),
    position     BIGINT NOT NULL,
    filename     TEXT NOT NULL,
    licence_id   BIGINT NOT NULL REFERENCES licences (id),
    PRIMARY KEY (outbox_id, position)
);
CREATE TABLE outbox_attempts (
    id            INTEGER PRIMARY KEY,
    outbox_id     BIGINT NOT NULL REFERENCES outbox (id),
    attempted_at  BIGINT NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('sent', 'failed')),
    reply         TEXT NOT NULL
);
CREATE INDEX outbox_attempts_by_message ON outbox_attempts (outbox_id, attempted_at);

-- The streets (service-centre codes) an inspector covers.
CREATE TABLE inspector_streets (
    user_id      BIGINT NOT NULL REFERENCES users (id),
    centre_code  TEXT NOT NULL,
    PRIMARY KEY (user_id, centre_code)
);

-- An inspection of a commitment-based licence (事中事后监管).
CREATE TABLE inspection_tasks (
    id            INTEGER PRIMARY KEY,
    public_id     TEXT NOT NULL UNIQUE,
    licence_id    BIGINT NOT NULL UNIQUE REFERENCES licences (id),
    case_id       BIGINT NOT NULL REFERENCES cases (id),
    street_code   TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('open', 'rectifying', 'compliant', 'revoked')),
    due_on        TEXT NOT NULL,
    rectify_by    TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX inspection_tasks_queue ON inspection_tasks (street_code, status, due_on);

CREATE TABLE inspection_visits (
    id            INTEGER PRIMARY KEY,
    task_id       BIGINT NOT NULL REFERENCES inspection_tasks (id),
    inspector_id  BIGINT NOT NULL REFERENCES users (id),
    outcome       TEXT NOT NULL CHECK (outcome IN ('compliant', 'non_compliant', 'rectified', 'unrectified')),
    findings      TEXT NOT NULL,
    rectify_by    TEXT,
    visited_at    BIGINT NOT NULL
);
CREATE INDEX inspection_visits_by_task ON inspection_visits (task_id, visited_at);

-- Bearer tokens for machine clients (the approvals feed); only a hash is kept.
CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    token_sha256  TEXT NOT NULL UNIQUE,
    scope         TEXT NOT NULL CHECK (scope IN ('approvals_feed')),
    created_by    BIGINT REFERENCES users (id),
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);
