-- Statistics (数据分析): daily rollups the dashboard and the public page read, so a year of
-- figures is a few thousand indexed rows instead of a scan of every case.
--
-- Two kinds of rows share the table, both keyed by a day in China time (`YYYY-MM-DD`):
--   * the cohort of cases submitted that day: counts by status, item, department, centre,
--     refusal reason, duration histograms, on-time and instant-approval counts;
--   * the work done that day: acceptances, returns and refusals per worker, decisions per
--     approver and department, licences issued.
-- A day's rows are replaced as a whole whenever a case of it (or work on it) changes.
CREATE TABLE stats_daily (
    day        TEXT NOT NULL,
    dimension  TEXT NOT NULL,
    key        TEXT NOT NULL,
    measure    TEXT NOT NULL,
    value      BIGINT NOT NULL,
    PRIMARY KEY (day, dimension, key, measure)
);
CREATE INDEX stats_daily_series ON stats_daily (dimension, measure, day);

-- The refresh job's progress: every case event up to `watermark` is in the rollups. A node
-- takes the lease before refreshing, so several nodes never refresh at once.
CREATE TABLE stats_refresh (
    id            BIGINT PRIMARY KEY CHECK (id = 1),
    watermark     BIGINT NOT NULL,
    last_started  BIGINT NOT NULL,
    lease_until   BIGINT NOT NULL,
    refreshed_at  BIGINT
);
INSERT INTO stats_refresh (id, watermark, last_started, lease_until, refreshed_at) VALUES (1, 0, 0, 0, NULL);

-- A day's cohort and a day's work are read by time.
CREATE INDEX cases_by_submission ON cases (submitted_at);
CREATE INDEX case_events_by_time ON case_events (at);
