-- Uploaded materials of an application. The file itself lives in the file store under a
-- generated key (never the uploaded name); this row says whose it is, for which listed
-- material, what it really is (type checked by content), its size and hash. A material belongs
-- to a draft; once the draft is submitted, the case (cases.draft_id) reaches it.

CREATE TABLE materials (
    id             INTEGER PRIMARY KEY,
    public_id      TEXT NOT NULL UNIQUE,
    draft_id       BIGINT NOT NULL REFERENCES drafts (id),
    applicant_id   BIGINT NOT NULL REFERENCES users (id),
    -- The material's name in the form: its code for an item, `ITEM-CODE/code` in a bundle.
    material_name  TEXT NOT NULL,
    file_key       TEXT NOT NULL UNIQUE,
    file_name      TEXT NOT NULL,
    file_type      TEXT NOT NULL CHECK (file_type IN ('pdf', 'jpg', 'png')),
    size_bytes     BIGINT NOT NULL,
    sha256         TEXT NOT NULL,
    uploaded_at    BIGINT NOT NULL,
    removed_at     BIGINT
);
CREATE INDEX materials_by_draft ON materials (draft_id, material_name);
