-- A merged appeal's pending work orders go with it to the appeal it joins (issue 18): a
-- co-executor keeps its task, deadline, state and executor, and its history says it moved.
ALTER TABLE work_order_events DROP CONSTRAINT work_order_events_action_check;
ALTER TABLE work_order_events ADD CONSTRAINT work_order_events_action_check
  CHECK (action IN ('created', 'take', 'done', 'release', 'reopen', 'lead', 'moved'));
