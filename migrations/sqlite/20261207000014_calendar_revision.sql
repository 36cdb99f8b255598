-- A counter that every change of the working calendar moves, kept by triggers, so that a node
-- can keep the calendar in memory and know in the statement it runs anyway whether its copy
-- is still the calendar on disk (whichever node changed it).

CREATE TABLE working_calendar_revision (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    revision  BIGINT NOT NULL
);
INSERT INTO working_calendar_revision (id, revision) VALUES (1, 1);

CREATE TRIGGER working_calendar_inserted AFTER INSERT ON working_calendar
BEGIN
    UPDATE working_calendar_revision SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER working_calendar_updated AFTER UPDATE ON working_calendar
BEGIN
    UPDATE working_calendar_revision SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER working_calendar_deleted AFTER DELETE ON working_calendar
BEGIN
    UPDATE working_calendar_revision SET revision = revision + 1 WHERE id = 1;
END;
