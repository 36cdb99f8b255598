-- Electronic signatures of commitment letters (告知承诺书). The signing key is made and kept in
-- the applicant's browser (WebCrypto, ECDSA P-256, private key not extractable); the portal
-- binds its public key to the verified identity (a binding statement signed with the portal's
-- record key). A signature record holds the exact text signed, the browser's signature of its
-- SHA-256, the one-time code that confirmed it, who, when, from where, the drawn or typed
-- signature mark, and the portal's Ed25519 countersignature over all of it (a timestamp that
-- makes any later change to text or record detectable).

CREATE TABLE signing_keys (
    id                 INTEGER PRIMARY KEY,
    public_id          TEXT NOT NULL UNIQUE,
    user_id            BIGINT NOT NULL REFERENCES users (id),
    algorithm          TEXT NOT NULL CHECK (algorithm IN ('ES256')),
    public_key         TEXT NOT NULL,
    binding            TEXT NOT NULL,
    binding_signature  TEXT NOT NULL,
    binding_kid        TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    revoked_at         BIGINT
);
CREATE INDEX signing_keys_by_user ON signing_keys (user_id);

CREATE TABLE commitment_signatures (
    id                 INTEGER PRIMARY KEY,
    public_id          TEXT NOT NULL UNIQUE,
    draft_id           BIGINT NOT NULL REFERENCES drafts (id),
    applicant_id       BIGINT NOT NULL REFERENCES users (id),
    letter             TEXT NOT NULL,
    letter_sha256      TEXT NOT NULL,
    signature          TEXT NOT NULL,
    key_id             BIGINT NOT NULL REFERENCES signing_keys (id),
    signer_name        TEXT NOT NULL,
    identity_level     TEXT NOT NULL,
    signed_at          BIGINT NOT NULL,
    ip                 TEXT,
    user_agent         TEXT,
    code_id            TEXT NOT NULL,
    mark_kind          TEXT NOT NULL CHECK (mark_kind IN ('typed', 'drawn')),
    mark               TEXT NOT NULL,
    countersignature   TEXT NOT NULL,
    countersign_kid    TEXT NOT NULL
);
CREATE INDEX commitment_signatures_by_draft ON commitment_signatures (draft_id, signed_at);
