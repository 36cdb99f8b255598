-- A counter that every change of the published catalogue moves, kept by triggers, so that a
-- node can keep the parsed form of what applicants apply for (a bundle, its items, the form
-- they make) in memory and know, in the statement a submission runs anyway, whether its copy
-- is still the catalogue on disk (whichever node published). Published versions never change;
-- the counter moves on any change of the four tables all the same, drafts of versions
-- included: catalogue edits are rare, and a needless re-read costs less than a wrong guess.

CREATE TABLE catalogue_revision (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    revision  BIGINT NOT NULL
);
INSERT INTO catalogue_revision (id, revision) VALUES (1, 1);

CREATE TRIGGER service_items_inserted AFTER INSERT ON service_items
BEGIN
    UPDATE catalogue_revision SET revision = revision + 1 WHERE id = 1;
END;
CREATE TRIGGER service_items_updated AFTER UPDATE ON service_items
BEGIN
    UPDATE catalogue_revision SET revision = revision + 1 WHERE id = 1;
END;
CREATE TRIGGER service_items_deleted AFTER DELETE ON service_items
BEGIN
    UPDATE catalogue_revision SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER service_item_versions_inserted AFTER INSERT ON service_item_versions
BEGIN
    UPDATE catalogue_revision SET revision = revision + 1 WHERE id = 1;
END;
CREATE TRIGGER service_item_versions_updated AFTER UPDATE ON service_item_versions
BEGIN
    UPDATE catalogue_revision SET revision = revision + 1 WHERE id = 1;
END;
CREATE TRIGGER service_item_versions_deleted AFTER DELETE ON service_item_versions
BEGIN
    UPDATE catalogue_revision SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER bundles_inserted AFTER INSERT ON bundles
BEGIN
    UPDATE catalogue_revision SET revision = revision + 1 WHERE id = 1;
END;
CREATE TRIGGER bundles_updated AFTER UPDATE ON bundles
BEGIN
    UPDATE catalogue_revision SET revision = revision + 1 WHERE id = 1;
END;
CREATE TRIGGER bundles_deleted AFTER DELETE ON bundles
BEGIN
    UPDATE catalogue_revision SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER bundle_versions_inserted AFTER INSERT ON bundle_versions
BEGIN
    UPDATE catalogue_revision SET revision = revision + 1 WHERE id = 1;
END;
CREATE TRIGGER bundle_versions_updated AFTER UPDATE ON bundle_versions
BEGIN
    UPDATE catalogue_revision SET revision = revision + 1 WHERE id = 1;
END;
CREATE TRIGGER bundle_versions_deleted AFTER DELETE ON bundle_versions
BEGIN
    UPDATE catalogue_revision SET revision = revision + 1 WHERE id = 1;
END;
