-- /metrics counts the inspection tasks still to conclude at every scrape: a partial index keeps
-- that count to the pending ones, however many concluded tasks accumulate.
CREATE INDEX inspection_tasks_pending ON inspection_tasks (status, due_on) WHERE status IN ('open', 'rectifying');
