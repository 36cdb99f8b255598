-- Foundation: organisation (departments, service centres), accounts, sessions, login
-- challenges, rate limits and the hash-chained audit log.
-- Times are Unix milliseconds. Flags are nullable timestamps (removed_at, revoked_at, …).

CREATE TABLE departments (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE service_centres (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('district', 'street', 'community')),
    address_zh  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    id                 INTEGER PRIMARY KEY,
    login              TEXT NOT NULL,
    login_kind         TEXT NOT NULL CHECK (login_kind IN ('phone', 'email')),
    display_name       TEXT NOT NULL,
    password_hash      TEXT NOT NULL,
    role               TEXT NOT NULL CHECK (role IN ('applicant', 'front_desk', 'approver', 'inspector', 'admin')),
    department_id      BIGINT REFERENCES departments (id),
    service_centre_id  BIGINT REFERENCES service_centres (id),
    totp_secret        TEXT,
    totp_enrolled_at   BIGINT,
    totp_last_step     BIGINT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    removed_at         BIGINT,
    CONSTRAINT users_login_unique UNIQUE (login),
    CONSTRAINT users_front_desk_has_centre CHECK ((role = 'front_desk') = (service_centre_id IS NOT NULL)),
    CONSTRAINT users_approver_has_department CHECK ((role = 'approver') = (department_id IS NOT NULL))
);

CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id),
    refresh_hash  TEXT NOT NULL UNIQUE,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    revoked_at    BIGINT,
    ip            TEXT,
    user_agent    TEXT
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE login_challenges (
    id              TEXT PRIMARY KEY,
    user_id         BIGINT NOT NULL REFERENCES users (id),
    pending_secret  TEXT,
    attempts        BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT
);

CREATE TABLE rate_limits (
    bucket        TEXT NOT NULL,
    window_start  BIGINT NOT NULL,
    hits          BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY,
    at             BIGINT NOT NULL,
    actor_user_id  BIGINT,
    actor_label    TEXT NOT NULL,
    action         TEXT NOT NULL,
    subject        TEXT NOT NULL,
    detail         TEXT NOT NULL,
    ip             TEXT,
    prev_hash      TEXT NOT NULL UNIQUE,
    hash           TEXT NOT NULL UNIQUE
);
