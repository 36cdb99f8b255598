-- Queue filters at scale: an approver's queue filtered by item starts from the item's cases and
-- probes their pending tasks; this index holds only pending tasks, so it stays small.
CREATE INDEX approval_tasks_pending_by_case ON approval_tasks (case_id, department_code)
    WHERE status IN ('open', 'supplement');
