-- An approver's queue filtered by item: one row per pending task and item of its case, kept in
-- step with the task (inserted when it opens, due date moved with it, deleted when decided),
-- so the filtered queue is one index range in due order instead of probing every case of the
-- item.
CREATE TABLE pending_task_items (
    task_id          BIGINT NOT NULL REFERENCES approval_tasks (id),
    item_code        TEXT NOT NULL,
    department_code  TEXT NOT NULL,
    due_at           BIGINT NOT NULL,
    PRIMARY KEY (task_id, item_code)
);
CREATE INDEX pending_task_items_queue ON pending_task_items (department_code, item_code, due_at, task_id);

INSERT INTO pending_task_items (task_id, item_code, department_code, due_at)
SELECT t.id, ci.item_code, t.department_code, t.due_at
FROM approval_tasks t JOIN case_items ci ON ci.case_id = t.case_id
WHERE t.status IN ('open', 'supplement');
