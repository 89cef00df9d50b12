-- Performancy: background jobs, and conversation analysis that follows its inputs.
--
-- jobs: one row per (company, dedup_key) — a unit of background work that is either idle (DONE,
-- FAILED), waiting (QUEUED, due at run_at) or RUNNING under a lease. Because the key is unique, the
-- same work (analysing acme's conversations, syncing one CRM integration) can never run twice at
-- once, on any number of server instances: a worker claims a due row with FOR UPDATE SKIP LOCKED,
-- sets RUNNING and lease_until, and renews the lease while it works. A worker that crashed leaves
-- its lease to expire, and the row is claimed again. Asking for work that is already RUNNING sets
-- `rerun`, so what arrived during the run is not forgotten: the row goes back to QUEUED when the run
-- ends. Recurring work (CRM sync) sets its next run_at when it finishes.
--
-- Claiming looks across tenants before any tenant is set, so it is a named SECURITY DEFINER
-- function like the other pre-tenant lookups; everything else on jobs goes through a tenant
-- transaction under row-level security.

CREATE TABLE jobs (
  company_id       text        NOT NULL,
  id               text        NOT NULL DEFAULT performancy_id(),
  kind             text        NOT NULL,
  dedup_key        text        NOT NULL,
  payload          jsonb       NOT NULL DEFAULT '{}',
  status           text        NOT NULL DEFAULT 'QUEUED',
  run_at           timestamptz NOT NULL DEFAULT now(),
  rerun            boolean     NOT NULL DEFAULT false,
  attempts         integer     NOT NULL DEFAULT 0,
  max_attempts     integer     NOT NULL DEFAULT 5,
  locked_by        text,
  lease_until      timestamptz,
  last_started_at  timestamptz,
  last_finished_at timestamptz,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT jobs_pkey PRIMARY KEY (company_id, id),
  CONSTRAINT jobs_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE,
  CONSTRAINT jobs_status_check CHECK (status IN ('QUEUED', 'RUNNING', 'DONE', 'FAILED')),
  CONSTRAINT jobs_lease_check CHECK (status <> 'RUNNING' OR (lease_until IS NOT NULL AND locked_by IS NOT NULL)),
  CONSTRAINT jobs_payload_check CHECK (jsonb_typeof(payload) = 'object'),
  CONSTRAINT jobs_attempts_check CHECK (attempts >= 0 AND max_attempts >= 1)
);
CREATE UNIQUE INDEX jobs_company_id_dedup_key_key ON jobs (company_id, dedup_key);
-- what a claim scans: waiting rows and leases that may have expired
CREATE INDEX jobs_company_id_due_idx ON jobs (company_id, run_at) WHERE status IN ('QUEUED', 'RUNNING');

ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY jobs_tenant ON jobs FOR ALL TO performancy_app
  USING (company_id = app_current_company_id())
  WITH CHECK (company_id = app_current_company_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON jobs TO performancy_app;

-- Asks for a job: creates it, or makes an idle one due (never later than it already was), or marks
-- a running one for another run when it ends. Runs as the caller, under the caller's tenant.
CREATE FUNCTION public.request_job(p_company_id text, p_kind text, p_dedup_key text, p_payload jsonb,
                                   p_run_at timestamptz)
RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, public
AS $$
  INSERT INTO public.jobs AS j (company_id, kind, dedup_key, payload, run_at)
  VALUES (p_company_id, p_kind, p_dedup_key, p_payload, p_run_at)
  ON CONFLICT (company_id, dedup_key) DO UPDATE
  SET payload    = EXCLUDED.payload,
      run_at     = CASE WHEN j.status = 'QUEUED' THEN LEAST(j.run_at, EXCLUDED.run_at)
                        ELSE EXCLUDED.run_at END,
      rerun      = j.rerun OR j.status = 'RUNNING',
      status     = CASE WHEN j.status = 'RUNNING' THEN 'RUNNING' ELSE 'QUEUED' END,
      attempts   = CASE WHEN j.status = 'RUNNING' THEN j.attempts ELSE 0 END,
      updated_at = now()
$$;
GRANT EXECUTE ON FUNCTION public.request_job(text, text, text, jsonb, timestamptz) TO performancy_app;

-- Conversations: analysis_revision counts changes of what the analysis reads (the transcript, the
-- playbook it is scored with, a re-analysis asked for). A change clears processed_at, and the job
-- writes its result only if the revision it read is still current, so a transcript edited during
-- an analysis is analysed again instead of keeping a stale result.
ALTER TABLE conversations
  ADD COLUMN analysis_revision bigint NOT NULL DEFAULT 0,
  ADD COLUMN analysed_by       text,
  ADD COLUMN analysis_details  jsonb,
  ADD CONSTRAINT conversations_analysis_details_check
    CHECK (analysis_details IS NULL OR jsonb_typeof(analysis_details) = 'object');
-- what the analysis job scans
CREATE INDEX conversations_company_id_unprocessed_idx ON conversations (company_id, conversation_date)
  WHERE processed_at IS NULL;

CREATE FUNCTION public.conversations_analysis_input_changed()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
  IF NEW.transcript IS DISTINCT FROM OLD.transcript
     OR NEW.playbook_id IS DISTINCT FROM OLD.playbook_id THEN
    NEW.analysis_revision := OLD.analysis_revision + 1;
    NEW.processed_at := NULL;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER conversations_analysis_input_changed
  BEFORE UPDATE OF transcript, playbook_id ON conversations
  FOR EACH ROW EXECUTE FUNCTION public.conversations_analysis_input_changed();

-- A new or changed conversation asks for its company's analysis job, whatever wrote it (upload,
-- integration, import, the demo generator).
CREATE FUNCTION public.conversations_request_analysis()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
  PERFORM public.request_job(c.company_id, 'analyse_conversations', 'analyse_conversations', '{}', now())
  FROM (SELECT DISTINCT company_id FROM new_rows WHERE processed_at IS NULL) c;
  RETURN NULL;
END
$$;
CREATE TRIGGER conversations_request_analysis_insert
  AFTER INSERT ON conversations REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION public.conversations_request_analysis();
CREATE TRIGGER conversations_request_analysis_update
  AFTER UPDATE ON conversations REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION public.conversations_request_analysis();

-- A playbook whose content, methodology or status changes is scored again on its conversations;
-- conversations without a playbook of their own are scored with the company's active one, so they
-- follow any active playbook's change too.
CREATE FUNCTION public.playbooks_analysis_input_changed()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
  IF NEW.content IS DISTINCT FROM OLD.content OR NEW.methodology IS DISTINCT FROM OLD.methodology
     OR NEW.status IS DISTINCT FROM OLD.status THEN
    UPDATE public.conversations
    SET analysis_revision = analysis_revision + 1, processed_at = NULL, updated_at = now()
    WHERE company_id = NEW.company_id
      AND (playbook_id = NEW.id
           OR (playbook_id IS NULL AND (NEW.status = 'ACTIVE' OR OLD.status = 'ACTIVE')));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER playbooks_analysis_input_changed
  AFTER UPDATE OF content, methodology, status ON playbooks
  FOR EACH ROW EXECUTE FUNCTION public.playbooks_analysis_input_changed();

-- Claims up to p_limit due jobs of the given kinds for worker p_worker: QUEUED rows whose run_at has
-- come, and RUNNING rows whose lease expired (a crashed worker's). Each claim counts an attempt; a
-- row that has used max_attempts is set FAILED instead of being handed out again.
GRANT CREATE ON SCHEMA public TO performancy_definer;
GRANT SELECT, UPDATE ON jobs TO performancy_definer;

CREATE FUNCTION public.claim_jobs(p_worker text, p_kinds text[], p_limit integer, p_lease_seconds integer)
RETURNS TABLE (company_id text, id text, kind text, dedup_key text, payload jsonb, attempts integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
  UPDATE public.jobs j
  SET status = 'FAILED', locked_by = NULL, lease_until = NULL, rerun = false, updated_at = now(),
      last_error = coalesce(j.last_error, 'lease expired')
  WHERE j.status = 'RUNNING' AND j.lease_until < now() AND j.attempts >= j.max_attempts
    AND j.kind = ANY (p_kinds);

  RETURN QUERY
  WITH due AS (
    SELECT d.company_id, d.id
    FROM public.jobs d
    WHERE d.kind = ANY (p_kinds)
      AND ((d.status = 'QUEUED' AND d.run_at <= now())
           OR (d.status = 'RUNNING' AND d.lease_until < now()))
    ORDER BY d.run_at
    LIMIT greatest(p_limit, 0)
    FOR UPDATE SKIP LOCKED
  )
  UPDATE public.jobs j
  SET status = 'RUNNING', locked_by = p_worker,
      lease_until = now() + make_interval(secs => p_lease_seconds),
      attempts = j.attempts + 1, rerun = false, last_started_at = now(), updated_at = now()
  FROM due
  WHERE j.company_id = due.company_id AND j.id = due.id
  RETURNING j.company_id, j.id, j.kind, j.dedup_key, j.payload, j.attempts;
END
$$;

DO $$
DECLARE
  f text;
BEGIN
  FOREACH f IN ARRAY ARRAY['public.claim_jobs(text, text[], integer, integer)']
  LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO performancy_definer', f);
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO performancy_app', f);
  END LOOP;
END
$$;

REVOKE CREATE ON SCHEMA public FROM performancy_definer;
