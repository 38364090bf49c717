-- Why: live events (the SSE stream, dashboards) must survive process boundaries: a worker in
-- another process moves a task, and a client that was disconnected must be able to resume
-- from the last event it saw. So every task/step status transition is appended to
-- `task_events` by triggers, in the same transaction as the transition itself, without
-- touching the statements of the hot path. Ids are rowids: SQLite has one writer at a time,
-- so ids increase in commit order and a reader that saw id N never later sees a smaller one.
-- No AUTOINCREMENT (it costs a write to sqlite_sequence per insert): retention never deletes
-- the newest row, so a rowid is never handed out twice.
-- Only the primary key is indexed: every extra index is paid on each of the ~5 events of a
-- one-step task; readers scan id windows (see task-events.ts) and retention walks ids.
CREATE TABLE task_events (
  id            INTEGER PRIMARY KEY,
  tenant        TEXT NOT NULL,
  task_id       TEXT NOT NULL,
  definition_id TEXT,
  kind          TEXT NOT NULL,
  step          TEXT,
  attempt       INTEGER,
  status        TEXT NOT NULL,
  message       TEXT,
  created_at    INTEGER NOT NULL   -- ms since the epoch, the database's clock
);

CREATE TRIGGER task_events_task_created AFTER INSERT ON tasks
BEGIN
  INSERT INTO task_events (tenant, task_id, definition_id, kind, status, message, created_at)
  VALUES (NEW.tenant, NEW.id, NEW.definition_id, 'task:dispatched', NEW.status, NEW.message,
          CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;

CREATE TRIGGER task_events_task_status AFTER UPDATE OF status ON tasks
WHEN OLD.status IS NOT NEW.status
BEGIN
  INSERT INTO task_events (tenant, task_id, definition_id, kind, status, message, created_at)
  VALUES (NEW.tenant, NEW.id, NEW.definition_id, 'task:' || NEW.status, NEW.status, NEW.message,
          CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;

-- A pending task is cancelled at once (a status change above); only a running one is asked.
CREATE TRIGGER task_events_cancel_requested AFTER UPDATE OF cancel_requested ON tasks
WHEN NEW.cancel_requested = 1 AND OLD.cancel_requested = 0 AND NEW.status = 'running' AND OLD.status = NEW.status
BEGIN
  INSERT INTO task_events (tenant, task_id, definition_id, kind, status, message, created_at)
  VALUES (NEW.tenant, NEW.id, NEW.definition_id, 'task:cancel-requested', NEW.status, NEW.message,
          CAST(unixepoch('subsec') * 1000 AS INTEGER));
END;

-- Step rows carry no tenant: read it from the task (one primary-key probe of a hot page).
CREATE TRIGGER task_events_step_status AFTER UPDATE OF status ON steps
WHEN OLD.status IS NOT NEW.status
BEGIN
  INSERT INTO task_events (tenant, task_id, definition_id, kind, step, attempt, status, message, created_at)
  SELECT t.tenant, NEW.task_id, t.definition_id, 'step:' || NEW.status, NEW.name, NEW.attempts, NEW.status, NEW.message,
         CAST(unixepoch('subsec') * 1000 AS INTEGER)
  FROM tasks t WHERE t.id = NEW.task_id;
END;
