-- Performancy: what the lead and deal imports keep between steps (crate `ingest`).
--
-- import_uploads: an uploaded CSV kept in PostgreSQL between its preview and its import, so any
-- server instance can preview it again, take the edited mapping and run the import job. The file
-- content is cleared (set to the empty bytea) when its import ends DONE: the rows are in leads and
-- deals by then, and a 50 MB file per import would otherwise stay in the database for ever. A FAILED
-- import keeps its content, so it can be asked for again and resumes after the last committed
-- batch (`committed_line`); size_bytes keeps the original size either way.
--
-- integration_sync_state: per CRM integration and object (leads, deals), the paging cursor of a
-- run that stopped midway (so the next run resumes instead of starting over), the `since` and start
-- time of the traversal that cursor belongs to, and the watermark: the time up to which every
-- change is in, which the next incremental run asks for.
--
-- Indexes for the imports' lookups already exist: leads and deals are upserted on their
-- (company_id, external_id) unique keys, a deal's lead is found by leads_company_id_external_id_key
-- or leads_company_id_email_idx (company_id, lower(email)), owners by users_email_lower_key.

CREATE TABLE import_uploads (
  company_id     text        NOT NULL,
  id             text        NOT NULL DEFAULT performancy_id(),
  kind           text        NOT NULL,
  file_name      text        NOT NULL,
  content        bytea       NOT NULL,
  size_bytes     integer     NOT NULL,
  -- the tabular::Mapping (guessed from the headers, edited by the person importing)
  mapping        jsonb       NOT NULL,
  status         text        NOT NULL DEFAULT 'UPLOADED',
  import_log_id  text,
  -- the last file line whose batch is committed; a resumed import skips the lines up to it
  committed_line bigint      NOT NULL DEFAULT 0,
  -- a person uploads; staff inside a tenant have company_id NULL, hence the simple reference
  uploaded_by_id text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT import_uploads_pkey PRIMARY KEY (company_id, id),
  CONSTRAINT import_uploads_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE,
  CONSTRAINT import_uploads_import_log_fkey FOREIGN KEY (company_id, import_log_id)
    REFERENCES import_logs (company_id, id) ON DELETE SET NULL (import_log_id),
  CONSTRAINT import_uploads_uploaded_by_id_fkey FOREIGN KEY (uploaded_by_id) REFERENCES users (id) ON DELETE SET NULL,
  CONSTRAINT import_uploads_kind_check CHECK (kind IN ('LEAD', 'DEAL')),
  CONSTRAINT import_uploads_file_name_check CHECK (btrim(file_name) <> '' AND char_length(file_name) <= 255),
  -- tabular::MAX_FILE_BYTES (50 MiB)
  CONSTRAINT import_uploads_size_bytes_check CHECK (size_bytes BETWEEN 0 AND 52428800),
  -- the content is the file until the import is DONE, then empty
  CONSTRAINT import_uploads_content_check CHECK (
    octet_length(content) = CASE WHEN status = 'DONE' THEN 0 ELSE size_bytes END),
  CONSTRAINT import_uploads_mapping_check CHECK (jsonb_typeof(mapping) = 'object'),
  CONSTRAINT import_uploads_status_check CHECK (status IN ('UPLOADED', 'QUEUED', 'IMPORTING', 'DONE', 'FAILED')),
  CONSTRAINT import_uploads_committed_line_check CHECK (committed_line >= 0)
);
CREATE INDEX import_uploads_company_id_created_at_idx ON import_uploads (company_id, created_at);
CREATE INDEX import_uploads_company_id_import_log_id_idx ON import_uploads (company_id, import_log_id);
CREATE INDEX import_uploads_uploaded_by_id_idx ON import_uploads (uploaded_by_id); -- FK side

CREATE TABLE integration_sync_state (
  company_id     text        NOT NULL,
  id             text        NOT NULL DEFAULT performancy_id(),
  integration_id text        NOT NULL,
  object         text        NOT NULL,
  -- crm::Cursor of the traversal in progress; NULL when the last one reached its end
  cursor         text,
  -- the `since` the traversal in progress asked for (NULL: everything) and when it started
  run_since      timestamptz,
  run_started_at timestamptz,
  -- every change up to this time is in; the next incremental run asks for changes since it
  watermark      timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT integration_sync_state_pkey PRIMARY KEY (company_id, id),
  CONSTRAINT integration_sync_state_company_id_integration_id_object_key UNIQUE (company_id, integration_id, object),
  CONSTRAINT integration_sync_state_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE,
  CONSTRAINT integration_sync_state_integration_fkey FOREIGN KEY (company_id, integration_id)
    REFERENCES integrations (company_id, id) ON DELETE CASCADE,
  CONSTRAINT integration_sync_state_object_check CHECK (object IN ('leads', 'deals')),
  CONSTRAINT integration_sync_state_cursor_check CHECK (cursor IS NULL OR run_started_at IS NOT NULL)
);

CREATE TRIGGER import_uploads_set_updated_at BEFORE UPDATE ON import_uploads FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER integration_sync_state_set_updated_at BEFORE UPDATE ON integration_sync_state FOR EACH ROW EXECUTE FUNCTION set_updated_at();

ALTER TABLE import_uploads ENABLE ROW LEVEL SECURITY;
ALTER TABLE import_uploads FORCE ROW LEVEL SECURITY;
CREATE POLICY import_uploads_tenant ON import_uploads FOR ALL TO performancy_app
  USING (company_id = app_current_company_id())
  WITH CHECK (company_id = app_current_company_id());

ALTER TABLE integration_sync_state ENABLE ROW LEVEL SECURITY;
ALTER TABLE integration_sync_state FORCE ROW LEVEL SECURITY;
CREATE POLICY integration_sync_state_tenant ON integration_sync_state FOR ALL TO performancy_app
  USING (company_id = app_current_company_id())
  WITH CHECK (company_id = app_current_company_id());

GRANT SELECT, INSERT, UPDATE, DELETE ON import_uploads, integration_sync_state TO performancy_app;
