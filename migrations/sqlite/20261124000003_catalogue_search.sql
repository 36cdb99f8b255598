-- The search projection of the catalogue: one narrow row per published item (its current
-- version), so searches and counts scan a few hundred bytes per item instead of whole versions.
-- Kept in step by the repository whenever a version is published.

CREATE TABLE catalogue_search (
    code                    TEXT PRIMARY KEY REFERENCES service_items (code),
    version                 BIGINT NOT NULL,
    name_zh                 TEXT NOT NULL,
    name_en                 TEXT NOT NULL,
    kind                    TEXT NOT NULL,
    online_level            TEXT NOT NULL,
    instant_approval        BIGINT NOT NULL,
    commitment              BIGINT NOT NULL,
    responsible_department  TEXT NOT NULL,
    departments             TEXT NOT NULL,
    promised_days           BIGINT NOT NULL,
    search_text             TEXT NOT NULL
);

INSERT INTO catalogue_search (code, version, name_zh, name_en, kind, online_level, instant_approval,
    commitment, responsible_department, departments, promised_days, search_text)
SELECT v.code, v.version, v.name_zh, v.name_en, v.kind, v.online_level, v.instant_approval,
    v.commitment, v.responsible_department, v.departments, v.promised_days, v.search_text
FROM service_items i JOIN service_item_versions v ON v.code = i.code AND v.version = i.current_version;
