-- Front desk and back office: acceptance (claims, acceptance numbers, one-time correction
-- notices, refusals), walk-in filing by a worker, parallel approval tasks per department, the
-- working-day calendar and deadlines, documents issued (PDF), and an audit log the database
-- itself keeps append-only.
-- Times are Unix milliseconds; calendar days are 'YYYY-MM-DD' in China time.

-- Cases: queue position, claim, acceptance, time limit and refusal.
ALTER TABLE cases ADD COLUMN waiting_since BIGINT NOT NULL DEFAULT 0;
UPDATE cases SET waiting_since = submitted_at;
ALTER TABLE cases ADD COLUMN claimed_by BIGINT REFERENCES users (id);
ALTER TABLE cases ADD COLUMN claim_expires_at BIGINT;
ALTER TABLE cases ADD COLUMN acceptance_number TEXT;
ALTER TABLE cases ADD COLUMN accepted_at BIGINT;
ALTER TABLE cases ADD COLUMN accepted_by BIGINT REFERENCES users (id);
-- The centre that accepted the case, or where a worker filed it for a walk-in applicant.
ALTER TABLE cases ADD COLUMN centre_code TEXT;
-- The worker who filed the case for a walk-in applicant (代办), if any.
ALTER TABLE cases ADD COLUMN filed_by BIGINT REFERENCES users (id);
ALTER TABLE cases ADD COLUMN promised_days BIGINT NOT NULL DEFAULT 0;
-- By when the front desk must accept, return or refuse (statutory five working days).
ALTER TABLE cases ADD COLUMN accept_due_at BIGINT;
-- The last day of the promised time limit, and the instant it runs out (start of the next day).
ALTER TABLE cases ADD COLUMN deadline_on TEXT;
ALTER TABLE cases ADD COLUMN deadline_at BIGINT;
-- Set while the clock waits for the applicant (a supplement requested by a department).
ALTER TABLE cases ADD COLUMN clock_paused_at BIGINT;
ALTER TABLE cases ADD COLUMN refusal_reason TEXT;
ALTER TABLE cases ADD COLUMN refusal_note TEXT;
ALTER TABLE cases ADD COLUMN decided_at BIGINT;
CREATE UNIQUE INDEX cases_acceptance_number ON cases (acceptance_number);
-- The front-desk queue: only cases waiting for acceptance, oldest first.
CREATE INDEX cases_desk_queue ON cases (waiting_since, id) WHERE status IN ('submitted', 'resubmitted');

-- Drafts a worker fills for a walk-in applicant; the applicant confirms and signs.
ALTER TABLE drafts ADD COLUMN filed_by BIGINT REFERENCES users (id);
ALTER TABLE drafts ADD COLUMN filed_centre TEXT;

-- The departments a case needs a decision from (fixed at submission: queue filters use it).
CREATE TABLE case_departments (
    case_id          BIGINT NOT NULL REFERENCES cases (id),
    department_code  TEXT NOT NULL REFERENCES departments (code),
    PRIMARY KEY (case_id, department_code)
);
CREATE INDEX case_departments_by_department ON case_departments (department_code, case_id);
CREATE INDEX case_items_by_item ON case_items (item_code, case_id);

-- Yearly counters of numbered documents (acceptance numbers, …).
CREATE TABLE serial_counters (
    name  TEXT NOT NULL,
    year  BIGINT NOT NULL,
    last  BIGINT NOT NULL,
    PRIMARY KEY (name, year)
);

-- One approval task per department per accepted case, all open at once (并联审批).
CREATE TABLE approval_tasks (
    id                  INTEGER PRIMARY KEY,
    public_id           TEXT NOT NULL UNIQUE,
    case_id             BIGINT NOT NULL REFERENCES cases (id),
    department_code     TEXT NOT NULL REFERENCES departments (code),
    status              TEXT NOT NULL CHECK (status IN ('open', 'supplement', 'approved', 'rejected', 'moot')),
    promised_days       BIGINT NOT NULL,
    due_on              TEXT NOT NULL,
    due_at              BIGINT NOT NULL,
    paused_at           BIGINT,
    supplement_request  TEXT,
    opinion             TEXT,
    decided_by          BIGINT REFERENCES users (id),
    decided_at          BIGINT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    CONSTRAINT approval_tasks_one_per_department UNIQUE (case_id, department_code)
);
CREATE INDEX approval_tasks_queue ON approval_tasks (department_code, due_at, id) WHERE status IN ('open', 'supplement');
CREATE INDEX approval_tasks_by_case ON approval_tasks (case_id);

-- One-time correction notices (一次性告知): every problem in one notice; the applicant may
-- change only what it lists; `changed_names` records what the answer changed, which is all a
-- later notice may cite.
CREATE TABLE correction_notices (
    id             INTEGER PRIMARY KEY,
    case_id        BIGINT NOT NULL REFERENCES cases (id),
    round          BIGINT NOT NULL,
    issued_by      BIGINT NOT NULL REFERENCES users (id),
    issued_at      BIGINT NOT NULL,
    answered_at    BIGINT,
    changed_names  TEXT,
    CONSTRAINT correction_notices_round UNIQUE (case_id, round)
);

CREATE TABLE correction_notice_items (
    notice_id  BIGINT NOT NULL REFERENCES correction_notices (id),
    position   BIGINT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('field', 'material')),
    name       TEXT NOT NULL,
    problem    TEXT NOT NULL,
    clause     TEXT NOT NULL,
    PRIMARY KEY (notice_id, position),
    CONSTRAINT correction_notice_items_once UNIQUE (notice_id, kind, name)
);

-- Extensions of a case's time limit (or a task's), each with its reason.
CREATE TABLE deadline_extensions (
    id          INTEGER PRIMARY KEY,
    case_id     BIGINT NOT NULL REFERENCES cases (id),
    task_id     BIGINT REFERENCES approval_tasks (id),
    days        BIGINT NOT NULL CHECK (days > 0),
    reason      TEXT NOT NULL,
    granted_by  BIGINT NOT NULL REFERENCES users (id),
    granted_at  BIGINT NOT NULL
);

-- Documents issued on a case (受理通知书, 不予受理通知书, 补正告知书), kept as issued.
CREATE TABLE case_documents (
    id         INTEGER PRIMARY KEY,
    public_id  TEXT NOT NULL UNIQUE,
    case_id    BIGINT NOT NULL REFERENCES cases (id),
    kind       TEXT NOT NULL CHECK (kind IN ('acceptance_notice', 'refusal_notice', 'correction_notice')),
    sha256     TEXT NOT NULL,
    pdf        BLOB NOT NULL,
    issued_at  BIGINT NOT NULL
);
CREATE INDEX case_documents_by_case ON case_documents (case_id, issued_at);

-- The working-day calendar: weekends are rest days, weekdays working days, unless this table
-- says otherwise (statutory holidays, and the weekend days worked in exchange, 调休).
CREATE TABLE working_calendar (
    day         TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name        TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);
-- 2026, as published by the General Office of the State Council.
INSERT INTO working_calendar (day, kind, name, updated_at) VALUES
    ('2026-01-01', 'holiday', '元旦', 0), ('2026-01-02', 'holiday', '元旦', 0), ('2026-01-03', 'holiday', '元旦', 0),
    ('2026-01-04', 'workday', '元旦调休上班', 0),
    ('2026-02-14', 'workday', '春节调休上班', 0),
    ('2026-02-15', 'holiday', '春节', 0), ('2026-02-16', 'holiday', '春节', 0), ('2026-02-17', 'holiday', '春节', 0),
    ('2026-02-18', 'holiday', '春节', 0), ('2026-02-19', 'holiday', '春节', 0), ('2026-02-20', 'holiday', '春节', 0),
    ('2026-02-21', 'holiday', '春节', 0), ('2026-02-22', 'holiday', '春节', 0), ('2026-02-23', 'holiday', '春节', 0),
    ('2026-02-28', 'workday', '春节调休上班', 0),
    ('2026-04-04', 'holiday', '清明节', 0), ('2026-04-05', 'holiday', '清明节', 0), ('2026-04-06', 'holiday', '清明节', 0),
    ('2026-05-01', 'holiday', '劳动节', 0), ('2026-05-02', 'holiday', '劳动节', 0), ('2026-05-03', 'holiday', '劳动节', 0),
    ('2026-05-04', 'holiday', '劳动节', 0), ('2026-05-05', 'holiday', '劳动节', 0),
    ('2026-05-09', 'workday', '劳动节调休上班', 0),
    ('2026-06-19', 'holiday', '端午节', 0), ('2026-06-20', 'holiday', '端午节', 0), ('2026-06-21', 'holiday', '端午节', 0),
    ('2026-09-20', 'workday', '国庆节调休上班', 0),
    ('2026-09-25', 'holiday', '中秋节', 0), ('2026-09-26', 'holiday', '中秋节', 0), ('2026-09-27', 'holiday', '中秋节', 0),
    ('2026-10-01', 'holiday', '国庆节', 0), ('2026-10-02', 'holiday', '国庆节', 0), ('2026-10-03', 'holiday', '国庆节', 0),
    ('2026-10-04', 'holiday', '国庆节', 0), ('2026-10-05', 'holiday', '国庆节', 0), ('2026-10-06', 'holiday', '国庆节', 0),
    ('2026-10-07', 'holiday', '国庆节', 0),
    ('2026-10-10', 'workday', '国庆节调休上班', 0);

-- The audit log: the applicant's view and the verifier read it by subject.
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
