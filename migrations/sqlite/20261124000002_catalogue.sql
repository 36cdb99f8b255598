-- Service catalogue: items and bundles, each with immutable versions. The current published
-- version is what the public sees and what new applications are filed under; a case keeps the
-- version it was filed under. `spec` is the whole version as JSON (the import/export format);
-- the other columns are copies of it for search and filters.

CREATE TABLE service_items (
    code             TEXT PRIMARY KEY,
    current_version  BIGINT,
    latest_version   BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

CREATE TABLE service_item_versions (
    code              TEXT NOT NULL REFERENCES service_items (code),
    version           BIGINT NOT NULL,
    spec              TEXT NOT NULL,
    spec_sha256       TEXT NOT NULL,
    name_zh           TEXT NOT NULL,
    name_en           TEXT NOT NULL,
    kind              TEXT NOT NULL,
    online_level      TEXT NOT NULL,
    instant_approval  BIGINT NOT NULL CHECK (instant_approval IN (0, 1)),
    commitment        BIGINT NOT NULL CHECK (commitment IN (0, 1)),
    responsible_department TEXT NOT NULL,
    departments       TEXT NOT NULL,
    promised_days     BIGINT NOT NULL,
    search_text       TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    created_by        TEXT NOT NULL,
    published_at      BIGINT,
    PRIMARY KEY (code, version)
);

CREATE TABLE bundles (
    code             TEXT PRIMARY KEY,
    current_version  BIGINT,
    latest_version   BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

CREATE TABLE bundle_versions (
    code          TEXT NOT NULL REFERENCES bundles (code),
    version       BIGINT NOT NULL,
    spec          TEXT NOT NULL,
    spec_sha256   TEXT NOT NULL,
    name_zh       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    search_text   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    created_by    TEXT NOT NULL,
    published_at  BIGINT,
    PRIMARY KEY (code, version)
);

CREATE INDEX service_item_versions_published ON service_item_versions (code, published_at);
