-- A counter that every change of the published catalogue moves, kept by triggers, so that a
-- node can keep the parsed form of what applicants apply for (a bundle, its items, the form
-- they make) in memory and know, in the statement a submission runs anyway, whether its copy
-- is still the catalogue on disk (whichever node published). Published versions never change;
-- the counter moves on any change of the four tables all the same, drafts of versions
-- included: catalogue edits are rare, and a needless re-read costs less than a wrong guess.

CREATE TABLE catalogue_revision (
    id        BIGINT PRIMARY KEY CHECK (id = 1),
    revision  BIGINT NOT NULL
);
INSERT INTO catalogue_revision (id, revision) VALUES (1, 1);

CREATE FUNCTION catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalogue_revision SET revision = revision + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER service_items_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON service_items FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER service_item_versions_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON service_item_versions FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER bundles_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON bundles FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
CREATE TRIGGER bundle_versions_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON bundle_versions FOR EACH STATEMENT EXECUTE FUNCTION catalogue_changed();
