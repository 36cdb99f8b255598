-- The person–ID check (人证核对, identity level 3): the applicant uploads a photo of the ID card
-- and a selfie; a front-desk worker compares them side by side and approves or refuses with a
-- reason. The photos live in the file store under generated keys.

CREATE TABLE identity_photos (
    id           INTEGER PRIMARY KEY,
    public_id    TEXT NOT NULL UNIQUE,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    kind         TEXT NOT NULL CHECK (kind IN ('id_card', 'selfie')),
    file_key     TEXT NOT NULL UNIQUE,
    file_type    TEXT NOT NULL CHECK (file_type IN ('jpg', 'png')),
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    uploaded_at  BIGINT NOT NULL
);
CREATE INDEX identity_photos_by_user ON identity_photos (user_id, kind, uploaded_at);

CREATE TABLE person_checks (
    id            INTEGER PRIMARY KEY,
    public_id     TEXT NOT NULL UNIQUE,
    user_id       BIGINT NOT NULL REFERENCES users (id),
    id_card_id    BIGINT NOT NULL REFERENCES identity_photos (id),
    selfie_id     BIGINT NOT NULL REFERENCES identity_photos (id),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'refused')),
    reason        TEXT,
    reviewer_id   BIGINT REFERENCES users (id),
    submitted_at  BIGINT NOT NULL,
    reviewed_at   BIGINT
);
CREATE INDEX person_checks_by_status ON person_checks (status, submitted_at);
CREATE INDEX person_checks_by_user ON person_checks (user_id, submitted_at);
