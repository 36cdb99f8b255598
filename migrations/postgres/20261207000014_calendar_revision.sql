-- A counter that every change of the working calendar moves, kept by a trigger, so that a node
-- can keep the calendar in memory and know in the statement it runs anyway whether its copy
-- is still the calendar on disk (whichever node changed it).

CREATE TABLE working_calendar_revision (
    id        BIGINT PRIMARY KEY CHECK (id = 1),
    revision  BIGINT NOT NULL
);
INSERT INTO working_calendar_revision (id, revision) VALUES (1, 1);

CREATE FUNCTION working_calendar_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE working_calendar_revision SET revision = revision + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER working_calendar_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON working_calendar FOR EACH STATEMENT EXECUTE FUNCTION working_calendar_changed();
