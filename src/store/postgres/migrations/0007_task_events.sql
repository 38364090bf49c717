-- Why: live events (the SSE stream, dashboards) must survive process boundaries: a worker on
-- another host moves a task, and a client that was disconnected must be able to resume from
-- the last event it saw. So every task/step status transition is appended to `task_events`
-- by row triggers, in the same transaction as the transition itself, without touching the
-- statements of the hot path. The WHEN clauses are evaluated without entering PL/pgSQL, so
-- updates that change no status (lease renewals, progress) pay almost nothing.
--
-- Ids come from an identity sequence, which is NOT commit-ordered: a transaction may take
-- id 99, another take 100 and commit first. Readers therefore only return ids below a safe
-- horizon computed from the sequence and transaction snapshots (see task-events.ts). That
-- reasoning needs every id taken from the sequence at the moment of the insert: keep the
-- sequence's CACHE at 1 (the default), or a session could hold back a block of ids.
-- Only the primary key is indexed (each index is paid by every event); readers scan id
-- windows and retention walks ids.
CREATE TABLE task_events (
  id            bigint GENERATED ALWAYS AS IDENTITY (CACHE 1) PRIMARY KEY,
  tenant        text NOT NULL,
  task_id       text COLLATE "C" NOT NULL,
  definition_id text,
  kind          text NOT NULL,
  step          text,
  attempt       integer,
  status        text NOT NULL,
  message       text,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- The functions name the table with the schema fixed at migration time (the runner sets
-- search_path to the store's schema): they then work whatever search_path the writing
-- session has, without the per-call cost of a function-level SET search_path.
DO $migration$
BEGIN
  EXECUTE format($fn$
    CREATE FUNCTION task_events_on_task() RETURNS trigger LANGUAGE plpgsql AS $body$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO %1$I.task_events (tenant, task_id, definition_id, kind, status, message)
        VALUES (NEW.tenant, NEW.id, NEW.definition_id, 'task:dispatched', NEW.status, NEW.message);
      ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
        INSERT INTO %1$I.task_events (tenant, task_id, definition_id, kind, status, message)
        VALUES (NEW.tenant, NEW.id, NEW.definition_id, 'task:' || NEW.status, NEW.status, NEW.message);
      ELSE
        -- the only other way in: a running task was asked to cancel (see the WHEN below)
        INSERT INTO %1$I.task_events (tenant, task_id, definition_id, kind, status, message)
        VALUES (NEW.tenant, NEW.id, NEW.definition_id, 'task:cancel-requested', NEW.status, NEW.message);
      END IF;
      RETURN NULL;
    END
    $body$
  $fn$, current_schema());

  EXECUTE format($fn$
    CREATE FUNCTION task_events_on_step() RETURNS trigger LANGUAGE plpgsql AS $body$
    BEGIN
      -- step rows carry no tenant: read it from the task (a primary-key probe of a hot page)
      INSERT INTO %1$I.task_events (tenant, task_id, definition_id, kind, step, attempt, status, message)
      SELECT t.tenant, NEW.task_id, t.definition_id, 'step:' || NEW.status, NEW.name, NEW.attempts, NEW.status, NEW.message
      FROM %1$I.tasks t WHERE t.id = NEW.task_id;
      RETURN NULL;
    END
    $body$
  $fn$, current_schema());
END
$migration$;

CREATE TRIGGER task_events_task_created AFTER INSERT ON tasks
  FOR EACH ROW EXECUTE FUNCTION task_events_on_task();

CREATE TRIGGER task_events_task_status AFTER UPDATE OF status ON tasks
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION task_events_on_task();

-- A pending task is cancelled at once (a status change above); only a running one is asked.
CREATE TRIGGER task_events_cancel_requested AFTER UPDATE OF cancel_requested ON tasks
  FOR EACH ROW WHEN (NEW.cancel_requested AND NOT OLD.cancel_requested AND NEW.status = 'running'
                     AND OLD.status IS NOT DISTINCT FROM NEW.status)
  EXECUTE FUNCTION task_events_on_task();

CREATE TRIGGER task_events_step_status AFTER UPDATE OF status ON steps
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION task_events_on_step();
