-- Performancy: base schema (tables, types, keys, indexes, triggers, grants).
--
-- Runs as performancy_owner (owner of the database, not a superuser) inside one transaction.
-- Roles performancy_owner / performancy_app / performancy_definer are cluster-wide and are created
-- by the set-up scripts, never here.
--
-- Conventions
--   * ids are text (Prisma cuids import unchanged), default performancy_id().
--   * every tenant table carries company_id NOT NULL and every key / index leads with it
--     (PRIMARY KEY (company_id, id)), so the schema can be distributed by company_id on Citus.
--   * references between tenant rows are composite ((company_id, x_id) -> x(company_id, id)):
--     foreign-key checks ignore row-level security, so a row can never point at another tenant's row.
--   * required references between business records use NO ACTION (checked at end of statement, so
--     deleting a company cascades cleanly); pure children CASCADE; optional owners SET NULL (col).
--   * actor columns a staff user (company_id NULL) may fill reference users(id) directly.

-- ---------------------------------------------------------------------------------------------
-- Extensions and helper functions
-- ---------------------------------------------------------------------------------------------
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;

-- Only the owner may create objects in public (PG15 default; stated explicitly because the
-- SECURITY DEFINER functions use search_path = pg_catalog, public).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- IMMUTABLE wrapper so unaccent can be used in index expressions (the dictionary is named
-- explicitly, so the result does not depend on search_path).
CREATE FUNCTION public.immutable_unaccent(text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

-- cuid-shaped id: 'c' + 24 lowercase base36 characters from the CSPRNG behind gen_random_uuid().
-- Only the fully random bytes of two v4 UUIDs are used (the version byte 6 and variant byte 8 of each
-- are skipped).
CREATE FUNCTION public.performancy_id()
RETURNS text
LANGUAGE sql VOLATILE PARALLEL SAFE
AS $$
  SELECT 'c' || string_agg(
           substr('0123456789abcdefghijklmnopqrstuvwxyz', (get_byte(s.b, i.i) % 36) + 1, 1),
           '' ORDER BY i.n)
  FROM (SELECT pg_catalog.uuid_send(pg_catalog.gen_random_uuid())
            || pg_catalog.uuid_send(pg_catalog.gen_random_uuid()) AS b) AS s,
       unnest(ARRAY[0,1,2,3,4,5,7,9,10,11,12,13,14,15,
                    16,17,18,19,20,21,23,25,26,27]) WITH ORDINALITY AS i(i, n)
$$;

-- Keeps updated_at on every UPDATE (runs as the updating role; works under RLS).
CREATE FUNCTION public.set_updated_at()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  NEW.updated_at := pg_catalog.now();
  RETURN NEW;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Enum types (values exactly as in the seed)
-- ---------------------------------------------------------------------------------------------
CREATE TYPE user_role AS ENUM ('ADMIN', 'DIRECTOR', 'MANAGER', 'AGENT');
CREATE TYPE user_status AS ENUM ('ACTIVE', 'INACTIVE', 'INVITED');
CREATE TYPE user_area AS ENUM ('SALES', 'MARKETING', 'CX_CS', 'GTM');
CREATE TYPE playbook_function AS ENUM ('PRE_SALES', 'SALES', 'CS');
CREATE TYPE playbook_status AS ENUM ('ACTIVE', 'INACTIVE', 'DRAFT');
CREATE TYPE integration_type AS ENUM ('CRM', 'WHATSAPP', 'EMAIL', 'PHONE', 'VIDEO', 'AI');
CREATE TYPE integration_provider AS ENUM (
  'ZOHO', 'HUBSPOT', 'SALESFORCE', 'PIPEDRIVE', 'CUSTOM_API', 'WHATSAPP_OFFICIAL',
  'WHATSAPP_UNOFFICIAL', 'TWILIO', 'SMTP', 'GOOGLE_MEET', 'ZOOM', 'OPENAI', 'ANTHROPIC', 'GEMINI');
CREATE TYPE integration_status AS ENUM ('ACTIVE', 'INACTIVE', 'ERROR', 'PENDING');
CREATE TYPE conversation_channel AS ENUM ('CALL', 'WHATSAPP', 'EMAIL', 'VIDEO');
CREATE TYPE conversation_sentiment AS ENUM ('POSITIVE', 'NEUTRAL', 'NEGATIVE');
CREATE TYPE bot_type AS ENUM ('SDR', 'CLOSER', 'FOLLOW_UP', 'CS');
CREATE TYPE bot_status AS ENUM ('ACTIVE', 'INACTIVE');
CREATE TYPE bot_log_status AS ENUM ('SUCCESS', 'FAILED', 'PENDING');
CREATE TYPE alert_type AS ENUM (
  'IMPORT_FAILED', 'BOT_ERROR', 'AI_RATE_LIMIT', 'LOW_PLAYBOOK_ADHERENCE', 'DEAL_STUCK',
  'CONVERSION_DROP', 'TARGET_RISK');
CREATE TYPE alert_priority AS ENUM ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL');
CREATE TYPE alert_status AS ENUM ('UNREAD', 'READ', 'ACKNOWLEDGED');
CREATE TYPE import_status AS ENUM ('SUCCESS', 'FAILED', 'PARTIAL', 'RUNNING');
CREATE TYPE okr_area AS ENUM ('REVENUE', 'SALES', 'MARKETING', 'PRESALES', 'CS');
CREATE TYPE okr_status AS ENUM ('DRAFT', 'ACTIVE', 'ACHIEVED', 'MISSED', 'CANCELLED');
CREATE TYPE key_result_status AS ENUM ('ON_TRACK', 'AT_RISK', 'BEHIND', 'ACHIEVED');
CREATE TYPE key_result_unit AS ENUM ('CURRENCY', 'PERCENTAGE', 'NUMBER', 'HOURS', 'DAYS');
-- Additions (PRODUCT.md)
CREATE TYPE goal_target_type AS ENUM ('USER', 'SQUAD');
CREATE TYPE audit_actor AS ENUM ('USER', 'STAFF', 'SYSTEM', 'INTEGRATION');
CREATE TYPE stage_kind AS ENUM ('OPEN', 'WON', 'LOST');

-- ---------------------------------------------------------------------------------------------
-- Companies and identity
-- ---------------------------------------------------------------------------------------------
CREATE TABLE companies (
  id          text        NOT NULL DEFAULT performancy_id(),
  name        text        NOT NULL,
  slug        text        NOT NULL,
  domain      text,
  timezone    text        NOT NULL DEFAULT 'America/Sao_Paulo',
  currency    text        NOT NULL DEFAULT 'BRL',
  features    jsonb       NOT NULL DEFAULT '{"ai_analysis": true, "bots": true, "auto_crm_fill": true, "playbook_generation": true, "ranking_visibility": false}',
  settings    jsonb       NOT NULL DEFAULT '{"polling_interval": 300, "backup_interval": "daily"}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT companies_pkey PRIMARY KEY (id),
  CONSTRAINT companies_slug_key UNIQUE (slug),
  CONSTRAINT companies_name_check CHECK (btrim(name) <> ''),
  CONSTRAINT companies_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) <= 63),
  CONSTRAINT companies_timezone_check CHECK (btrim(timezone) <> ''),
  CONSTRAINT companies_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
  CONSTRAINT companies_features_check CHECK (jsonb_typeof(features) = 'object'),
  CONSTRAINT companies_settings_check CHECK (jsonb_typeof(settings) = 'object')
);

CREATE TABLE users (
  id             text        NOT NULL DEFAULT performancy_id(),
  email          text        NOT NULL,
  name           text        NOT NULL,
  linkedin       text,
  password_hash  text,
  role           user_role   NOT NULL,
  status         user_status NOT NULL DEFAULT 'INVITED',
  avatar_url     text,
  area           user_area   NOT NULL DEFAULT 'SALES',
  company_id     text,
  last_login_at  timestamptz,
  security_stamp text        NOT NULL DEFAULT performancy_id(),
  language       text        NOT NULL DEFAULT 'pt-BR',
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_pkey PRIMARY KEY (id),
  CONSTRAINT users_company_id_id_key UNIQUE (company_id, id),
  CONSTRAINT users_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE,
  CONSTRAINT users_admin_company_check CHECK ((role = 'ADMIN') = (company_id IS NULL)),
  CONSTRAINT users_email_check CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
  CONSTRAINT users_name_check CHECK (btrim(name) <> ''),
  CONSTRAINT users_language_check CHECK (language IN ('pt-BR', 'en')),
  CONSTRAINT users_security_stamp_check CHECK (security_stamp <> '')
);
-- users.email is global by nature; case-insensitive.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
-- seed @@index([company_id]) is served by users_company_id_id_key.

-- NextAuth-style identity tables (not tenant tables; reached only through definer functions).
CREATE TABLE accounts (
  id                  text NOT NULL DEFAULT performancy_id(),
  user_id             text NOT NULL,
  type                text NOT NULL,
  provider            text NOT NULL,
  provider_account_id text NOT NULL,
  refresh_token       text,
  access_token        text,
  expires_at          integer,
  token_type          text,
  scope               text,
  id_token            text,
  session_state       text,
  CONSTRAINT accounts_pkey PRIMARY KEY (id),
  CONSTRAINT accounts_provider_provider_account_id_key UNIQUE (provider, provider_account_id),
  CONSTRAINT accounts_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX accounts_user_id_idx ON accounts (user_id);

CREATE TABLE sessions (
  id            text        NOT NULL DEFAULT performancy_id(),
  session_token text        NOT NULL,
  user_id       text        NOT NULL,
  expires       timestamptz NOT NULL,
  CONSTRAINT sessions_pkey PRIMARY KEY (id),
  CONSTRAINT sessions_session_token_key UNIQUE (session_token),
  CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);

CREATE TABLE verification_tokens (
  identifier text        NOT NULL,
  token      text        NOT NULL,
  expires    timestamptz NOT NULL,
  CONSTRAINT verification_tokens_pkey PRIMARY KEY (identifier, token),
  CONSTRAINT verification_tokens_token_key UNIQUE (token)
);

-- ---------------------------------------------------------------------------------------------
-- Squads
-- ---------------------------------------------------------------------------------------------
CREATE TABLE squads (
  company_id     text          NOT NULL,
  id             text          NOT NULL DEFAULT performancy_id(),
  name           text          NOT NULL,
  type           text          NOT NULL,
  target_monthly numeric(18,2),
  created_at     timestamptz   NOT NULL DEFAULT now(),
  updated_at     timestamptz   NOT NULL DEFAULT now(),
  CONSTRAINT squads_pkey PRIMARY KEY (company_id, id),
  CONSTRAINT squads_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE,
  CONSTRAINT squads_name_check CHECK (btrim(name) <> ''),
  CONSTRAINT squads_type_check CHECK (type IN ('sales', 'pre_sales', 'cs')),
  CONSTRAINT squads_target_monthly_check CHECK (target_monthly >= 0)
);

CREATE TABLE squad_members (
  company_id text        NOT NULL,
  id         text        NOT NULL DEFAULT performancy_id(),
  user_id    text        NOT NULL,
  squad_id   text        NOT NULL,
  is_leader  boolean     NOT NULL DEFAULT false,
  joined_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT squad_members_pkey PRIMARY KEY (company_id, id),
  CONSTRAINT squad_members_company_id_user_id_squad_id_key UNIQUE (company_id, user_id, squad_id),
  CONSTRAINT squad_members_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE,
  CONSTRAINT squad_members_user_fkey FOREIGN KEY (company_id, user_id) REFERENCES users (company_id, id) ON DELETE CASCADE,
  CONSTRAINT squad_members_squad_fkey FOREIGN KEY (company_id, squad_id) REFERENCES squads (company_id, id) ON DELETE CASCADE
);
-- (company_id, user_id) is served by the unique key.
CREATE INDEX squad_members_company_id_squad_id_idx ON squad_members (company_id, squad_id);

-- ---------------------------------------------------------------------------------------------
-- Playbooks
-- ---------------------------------------------------------------------------------------------
CREATE TABLE playbooks (
  company_id        text              NOT NULL,
  id                text              NOT NULL DEFAULT performancy_id(),
  name              text              NOT NULL,
  description       text,
  function          playbook_function NOT NULL,
  methodology       text              NOT NULL,
  version           integer           NOT NULL DEFAULT 1,
  status            playbook_status   NOT NULL DEFAULT 'DRAFT',
  is_ai_generated   boolean           NOT NULL DEFAULT false,
  content           jsonb             NOT NULL DEFAULT '{}',
  squad_id          text,
  parent_version_id text,
  created_at        timestamptz       NOT NULL DEFAULT now(),
  updated_at        timestamptz       NOT NULL DEFAULT now(),
  CONSTRAINT playbooks_pkey PRIMARY KEY (company_id, id),
  CONSTRAINT playbooks_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE,
  CONSTRAINT playbooks_squad_fkey FOREIGN KEY (company_id, squad_id)
    REFERENCES squads (company_id, id) ON DELETE SET NULL (squad_id),
  CONSTRAINT playbooks_parent_version_fkey FOREIGN KEY (company_id, parent_version_id)
    REFERENCES playbooks (company_id, id) ON DELETE SET NULL (parent_version_id),
  CONSTRAINT playbooks_name_check CHECK (btrim(name) <> ''),
  CONSTRAINT playbooks_methodology_check CHECK (methodology IN ('SPICED', 'SPIN', 'MEDDIC', 'BANT')),
  CONSTRAINT playbooks_version_check CHECK (version >= 1),
  CONSTRAINT playbooks_content_check CHECK (jsonb_typeof(content) = 'object'),
  CONSTRAINT playbooks_parent_not_self_check CHECK (parent_version_id IS DISTINCT FROM id)
);
CREATE INDEX playbooks_company_id_squad_id_idx ON playbooks (company_id, squad_id);
CREATE INDEX playbooks_company_id_status_idx ON playbooks (company_id, status);
CREATE INDEX playbooks_company_id_parent_version_id_idx ON playbooks (company_id, parent_version_id);

-- ---------------------------------------------------------------------------------------------
-- Integrations
-- ---------------------------------------------------------------------------------------------
CREATE TABLE integrations (
  company_id       text                 NOT NULL,
  id               text                 NOT NULL DEFAULT performancy_id(),
  type             integration_type     NOT NULL,
  provider         integration_provider NOT NULL,
  name             text                 NOT NULL,
  status           integration_status   NOT NULL DEFAULT 'PENDING',
  encrypted_config text                 NOT NULL,
  settings         jsonb                NOT NULL DEFAULT '{}',
  last_sync_at     timestamptz,
  last_error       text,
  created_at       timestamptz          NOT NULL DEFAULT now(),
  updated_at       timestamptz          NOT NULL DEFAULT now(),
  CONSTRAINT integrations_pkey PRIMARY KEY (company_id, id),
  CONSTRAINT integrations_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE,
  CONSTRAINT integrations_settings_check CHECK (jsonb_typeof(settings) = 'object')
);
CREATE INDEX integrations_company_id_type_idx ON integrations (company_id, type);

-- ---------------------------------------------------------------------------------------------
-- CRM: leads, pipeline stages, deals
-- ---------------------------------------------------------------------------------------------
CREATE TABLE leads (
  company_id    text             NOT NULL,
  id            text             NOT NULL DEFAULT performancy_id(),
  external_id   text,
  name          text             NOT NULL,
  email         text,
  phone         text,
  company_name  text,
  position      text,
  source        text,
  status        text,
  lead_score    double precision,
  custom_fields jsonb            NOT NULL DEFAULT '{}',
  owner_id      text,
  created_at    timestamptz      NOT NULL DEFAULT now(),
  updated_at    timestamptz      NOT NULL DEFAULT now(),
  CONSTRAINT leads_pkey PRIMARY KEY (company_id, id),
  CONSTRAINT leads_company_id_external_id_key UNIQUE (company_id, external_id),
  CONSTRAINT leads_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE,
  CONSTRAINT leads_owner_fkey FOREIGN KEY (company_id, owner_id)
    REFERENCES users (company_id, id) ON DELETE SET NULL (owner_id),
  CONSTRAINT leads_custom_fields_check CHECK (jsonb_typeof(custom_fields) = 'object')
);
CREATE INDEX leads_company_id_email_idx ON leads (company_id, lower(email));
CREATE INDEX leads_company_id_owner_id_idx ON leads (company_id, owner_id);
CREATE INDEX leads_company_id_created_at_idx ON leads (company_id, created_at);

-- Each company's ordered, editable list of stages; deals.stage holds the stage key.
CREATE TABLE pipeline_stages (
  company_id  text         NOT NULL,
  id          text         NOT NULL DEFAULT performancy_id(),
  key         text         NOT NULL,
  name        text         NOT NULL,
  position    integer      NOT NULL,
  probability numeric(5,2) NOT NULL DEFAULT 0,
  kind        stage_kind   NOT NULL DEFAULT 'OPEN',
  created_at  timestamptz  NOT NULL DEFAULT now(),
  updated_at  timestamptz  NOT NULL DEFAULT now(),
  CONSTRAINT pipeline_stages_pkey PRIMARY KEY (company_id, id),
  CONSTRAINT pipeline_stages_company_id_key_key UNIQUE (company_id, key),
  -- deferred so a reorder can swap positions inside one transaction
  CONSTRAINT pipeline_stages_company_id_position_key UNIQUE (company_id, position)
    DEFERRABLE INITIALLY DEFERRED,
  -- at most one WON and one LOST stage per company (deferred, so the role can move in one transaction)
  CONSTRAINT pipeline_stages_one_won_excl EXCLUDE USING btree (company_id WITH =)
    WHERE (kind = 'WON') DEFERRABLE INITIALLY DEFERRED,
  CONSTRAINT pipeline_stages_one_lost_excl EXCLUDE USING btree (company_id WITH =)
    WHERE (kind = 'LOST') DEFERRABLE INITIALLY DEFERRED,
  CONSTRAINT pipeline_stages_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE,
  CONSTRAINT pipeline_stages_key_check CHECK (key ~ '^[a-z0-9]+([_-][a-z0-9]+)*$' AND char_length(key) <= 64),
  CONSTRAINT pipeline_stages_name_check CHECK (btrim(name) <> ''),
  CONSTRAINT pipeline_stages_position_check CHECK (position >= 0),
  CONSTRAINT pipeline_stages_probability_check CHECK (probability BETWEEN 0 AND 100)
);

CREATE TABLE deals (
  company_id        text          NOT NULL,
  id                text          NOT NULL DEFAULT performancy_id(),
  external_id       text,
  title             text          NOT NULL,
  stage             text          NOT NULL,
  probability       numeric(5,2),
  value             numeric(18,2) NOT NULL,
  currency          text          NOT NULL DEFAULT 'BRL',
  expected_close_at timestamptz,
  closed_at         timestamptz,
  custom_fields     jsonb         NOT NULL DEFAULT '{}',
  lead_id           text          NOT NULL,
  owner_id          text,
  stage_changed_at  timestamptz   NOT NULL DEFAULT now(),
  created_at        timestamptz   NOT NULL DEFAULT now(),
  updated_at        timestamptz   NOT NULL DEFAULT now(),
  CONSTRAINT deals_pkey PRIMARY KEY (company_id, id),
  CONSTRAINT deals_company_id_external_id_key UNIQUE (company_id, external_id),
  CONSTRAINT deals_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE,
  CONSTRAINT deals_lead_fkey FOREIGN KEY (company_id, lead_id) REFERENCES leads (company_id, id),
  CONSTRAINT deals_owner_fkey FOREIGN KEY (company_id, owner_id)
    REFERENCES users (company_id, id) ON DELETE SET NULL (owner_id),
  CONSTRAINT deals_stage_fkey FOREIGN KEY (company_id, stage)
    REFERENCES pipeline_stages (company_id, key) ON UPDATE CASCADE,
  CONSTRAINT deals_title_check CHECK (btrim(title) <> ''),
  CONSTRAINT deals_probability_check CHECK (probability BETWEEN 0 AND 100),
  CONSTRAINT deals_value_check CHECK (value >= 0),
  CONSTRAINT deals_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
  CONSTRAINT deals_custom_fields_check CHECK (jsonb_typeof(custom_fields) = 'object')
);
CREATE INDEX deals_company_id_lead_id_idx ON deals (company_id, lead_id);
CREATE INDEX deals_company_id_stage_idx ON deals (company_id, stage);
CREATE INDEX deals_company_id_owner_id_idx ON deals (company_id, owner_id);
CREATE INDEX deals_company_id_closed_at_idx ON deals (company_id, closed_at);

-- ---------------------------------------------------------------------------------------------
-- Conversations
-- ---------------------------------------------------------------------------------------------
CREATE TABLE conversations (
  company_id         text                   NOT NULL,
  id                 text                   NOT NULL DEFAULT performancy_id(),
  channel            conversation_channel   NOT NULL,
  duration_seconds   integer,
  user_id            text                   NOT NULL,
  lead_id            text                   NOT NULL,
  transcript         text                   NOT NULL,
  summary            text,
  playbook_id        text,
  playbook_score     double precision,
  sentiment          conversation_sentiment,
  methodology_scores jsonb,
  key_moments        jsonb,
  suggested_actions  jsonb,
  notes              text,
  conversation_date  timestamptz            NOT NULL,
  processed_at       timestamptz,
  created_at         timestamptz            NOT NULL DEFAULT now(),
  updated_at         timestamptz            NOT NULL DEFAULT now(),
  CONSTRAINT conversations_pkey PRIMARY KEY (company_id, id),
  CONSTRAINT conversations_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE,
  CONSTRAINT conversations_user_fkey FOREIGN KEY (company_id, user_id) REFERENCES users (company_id, id),
  CONSTRAINT conversations_lead_fkey FOREIGN KEY (company_id, lead_id) REFERENCES leads (company_id, id),
  CONSTRAINT conversations_playbook_fkey FOREIGN KEY (company_id, playbook_id)
    REFERENCES playbooks (company_id, id) ON DELETE SET NULL (playbook_id),
  CONSTRAINT conversations_duration_seconds_check CHECK (duration_seconds >= 0),
  CONSTRAINT conversations_playbook_score_check CHECK (playbook_score BETWEEN 0 AND 100)
);
CREATE INDEX conversations_company_id_user_id_idx ON conversations (company_id, user_id);
CREATE INDEX conversations_company_id_lead_id_idx ON conversations (company_id, lead_id);
CREATE INDEX conversations_company_id_conversation_date_idx ON conversations (company_id, conversation_date);
CREATE INDEX conversations_company_id_playbook_id_idx ON conversations (company_id, playbook_id);

-- ---------------------------------------------------------------------------------------------
-- Bots
-- ---------------------------------------------------------------------------------------------
CREATE TABLE bots (
  company_id                     text        NOT NULL,
  id                             text        NOT NULL DEFAULT performancy_id(),
  name                           text        NOT NULL,
  type                           bot_type    NOT NULL,
  status                         bot_status  NOT NULL DEFAULT 'INACTIVE',
  playbook_id                    text        NOT NULL,
  channels                       jsonb       NOT NULL DEFAULT '[]',
  triggers                       jsonb       NOT NULL DEFAULT '[]',
  max_messages_per_day           integer     NOT NULL,
  delay_between_messages_seconds integer     NOT NULL,
  created_at                     timestamptz NOT NULL DEFAULT now(),
  updated_at                     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT bots_pkey PRIMARY KEY (company_id, id),
  CONSTRAINT bots_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE,
  CONSTRAINT bots_playbook_fkey FOREIGN KEY (company_id, playbook_id) REFERENCES playbooks (company_id, id),
  CONSTRAINT bots_name_check CHECK (btrim(name) <> ''),
  CONSTRAINT bots_channels_check CHECK (jsonb_typeof(channels) = 'array'),
  CONSTRAINT bots_max_messages_per_day_check CHECK (max_messages_per_day >= 0),
  CONSTRAINT bots_delay_between_messages_seconds_check CHECK (delay_between_messages_seconds >= 0)
);
CREATE INDEX bots_company_id_status_idx ON bots (company_id, status);
CREATE INDEX bots_company_id_playbook_id_idx ON bots (company_id, playbook_id);

CREATE TABLE bot_logs (
  company_id    text           NOT NULL,
  id            text           NOT NULL DEFAULT performancy_id(),
  bot_id        text           NOT NULL,
  lead_id       text           NOT NULL,
  user_id       text,
  action        text           NOT NULL,
  channel       text           NOT NULL,
  status        bot_log_status NOT NULL,
  message       text,
  error_message text,
  created_at    timestamptz    NOT NULL DEFAULT now(),
  CONSTRAINT bot_logs_pkey PRIMARY KEY (company_id, id),
  CONSTRAINT bot_logs_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE,
  CONSTRAINT bot_logs_bot_fkey FOREIGN KEY (company_id, bot_id) REFERENCES bots (company_id, id) ON DELETE CASCADE,
  CONSTRAINT bot_logs_lead_fkey FOREIGN KEY (company_id, lead_id) REFERENCES leads (company_id, id) ON DELETE CASCADE,
  CONSTRAINT bot_logs_user_fkey FOREIGN KEY (company_id, user_id)
    REFERENCES users (company_id, id) ON DELETE SET NULL (user_id)
);
-- (company_id, bot_id, created_at) serves the seed's bot_id index and the daily-cap count.
CREATE INDEX bot_logs_company_id_bot_id_created_at_idx ON bot_logs (company_id, bot_id, created_at);
CREATE INDEX bot_logs_company_id_lead_id_idx ON bot_logs (company_id, lead_id);
CREATE INDEX bot_logs_company_id_created_at_idx ON bot_logs (company_id, created_at);

-- ---------------------------------------------------------------------------------------------
-- Tracking: AI usage, audit log
-- ---------------------------------------------------------------------------------------------
CREATE TABLE ai_usage (
  company_id         text          NOT NULL,
  id                 text          NOT NULL DEFAULT performancy_id(),
  provider           text          NOT NULL,
  model              text          NOT NULL,
  total_tokens       integer       NOT NULL,
  prompt_tokens      integer       NOT NULL,
  completion_tokens  integer       NOT NULL,
  estimated_cost_usd numeric(14,6) NOT NULL,
  feature            text          NOT NULL,
  period_month       text          NOT NULL,
  created_at         timestamptz   NOT NULL DEFAULT now(),
  CONSTRAINT ai_usage_pkey PRIMARY KEY (company_id, id),
  CONSTRAINT ai_usage_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE,
  CONSTRAINT ai_usage_tokens_check CHECK (total_tokens >= 0 AND prompt_tokens >= 0 AND completion_tokens >= 0),
  CONSTRAINT ai_usage_estimated_cost_usd_check CHECK (estimated_cost_usd >= 0),
  CONSTRAINT ai_usage_period_month_check CHECK (period_month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$')
);
CREATE INDEX ai_usage_company_id_period_month_idx ON ai_usage (company_id, period_month);
CREATE INDEX ai_usage_company_id_provider_idx ON ai_usage (company_id, provider);

CREATE TABLE audit_logs (
  company_id  text        NOT NULL,
  id          text        NOT NULL DEFAULT performancy_id(),
  user_id     text,
  actor       audit_actor NOT NULL DEFAULT 'USER',
  actor_label text,
  action      text        NOT NULL,
  entity_type text        NOT NULL,
  entity_id   text        NOT NULL,
  changes     jsonb,
  ip_address  text,
  user_agent  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT audit_logs_pkey PRIMARY KEY (company_id, id),
  CONSTRAINT audit_logs_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE,
  -- staff (company_id NULL) act inside tenants: simple reference to users(id)
  CONSTRAINT audit_logs_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL,
  -- a job or integration must say which one acted
  CONSTRAINT audit_logs_actor_label_check CHECK (actor IN ('USER', 'STAFF') OR actor_label IS NOT NULL)
);
CREATE INDEX audit_logs_company_id_user_id_idx ON audit_logs (company_id, user_id);
CREATE INDEX audit_logs_company_id_entity_idx ON audit_logs (company_id, entity_type, entity_id);
CREATE INDEX audit_logs_company_id_created_at_idx ON audit_logs (company_id, created_at);
CREATE INDEX audit_logs_user_id_idx ON audit_logs (user_id); -- FK side of users(id) deletes

-- ---------------------------------------------------------------------------------------------
-- Intelligent search
-- ---------------------------------------------------------------------------------------------
CREATE TABLE chat_searches (
  company_id         text        NOT NULL,
  id                 text        NOT NULL DEFAULT performancy_id(),
  query              text        NOT NULL,
  search_results     jsonb       NOT NULL DEFAULT '{}',
  llm_analysis       jsonb       NOT NULL DEFAULT '{}',
  llm_provider       text        NOT NULL DEFAULT 'anthropic',
  llm_model          text        NOT NULL DEFAULT 'claude-3-5-sonnet-20241022',
  tokens_used        integer,
  processing_time_ms integer,
  shared_as_memory   boolean     NOT NULL DEFAULT false,
  user_id            text        NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT chat_searches_pkey PRIMARY KEY (company_id, id),
  CONSTRAINT chat_searches_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE,
  CONSTRAINT chat_searches_user_fkey FOREIGN KEY (company_id, user_id)
    REFERENCES users (company_id, id) ON DELETE CASCADE,
  CONSTRAINT chat_searches_tokens_used_check CHECK (tokens_used >= 0),
  CONSTRAINT chat_searches_processing_time_ms_check CHECK (processing_time_ms >= 0)
);
CREATE INDEX chat_searches_company_id_user_id_created_at_idx ON chat_searches (company_id, user_id, created_at);
CREATE INDEX chat_searches_company_id_created_at_idx ON chat_searches (company_id, created_at);
CREATE INDEX chat_searches_company_id_shared_idx ON chat_searches (company_id, created_at) WHERE shared_as_memory;

-- ---------------------------------------------------------------------------------------------
-- OKRs
-- ---------------------------------------------------------------------------------------------
CREATE TABLE okr_periods (
  company_id text        NOT NULL,
  id         text        NOT NULL DEFAULT performancy_id(),
  label      text        NOT NULL,
  start_date timestamptz NOT NULL,
  end_date   timestamptz NOT NULL,
  is_current boolean     NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT okr_periods_pkey PRIMARY KEY (company_id, id),
  CONSTRAINT okr_periods_company_id_label_key UNIQUE (company_id, label),
  -- at most one current period per company; deferred so switching can be one UPDATE
  CONSTRAINT okr_periods_one_current_excl EXCLUDE USING btree (company_id WITH =)
    WHERE (is_current) DEFERRABLE INITIALLY DEFERRED,
  CONSTRAINT okr_periods_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE,
  CONSTRAINT okr_periods_label_check CHECK (btrim(label) <> ''),
  CONSTRAINT okr_periods_dates_check CHECK (end_date > start_date)
);
CREATE INDEX okr_periods_company_id_start_date_idx ON okr_periods (company_id, start_date);

CREATE TABLE objectives (
  company_id     text             NOT NULL,
  id             text             NOT NULL DEFAULT performancy_id(),
  period_id      text             NOT NULL,
  title          text             NOT NULL,
  description    text,
  area           okr_area         NOT NULL,
  status         okr_status       NOT NULL DEFAULT 'ACTIVE',
  progress       integer          NOT NULL DEFAULT 0,
  owner_id       text             NOT NULL,
  owner_type     goal_target_type NOT NULL DEFAULT 'USER',
  -- owner_id is polymorphic; these derived columns let composite foreign keys check it.
  owner_user_id  text GENERATED ALWAYS AS (CASE WHEN owner_type = 'USER' THEN owner_id END) STORED,
  owner_squad_id text GENERATED ALWAYS AS (CASE WHEN owner_type = 'SQUAD' THEN owner_id END) STORED,
  created_by_id  text             NOT NULL,
  created_at     timestamptz      NOT NULL DEFAULT now(),
  updated_at     timestamptz      NOT NULL DEFAULT now(),
  CONSTRAINT objectives_pkey PRIMARY KEY (company_id, id),
  CONSTRAINT objectives_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE,
  CONSTRAINT objectives_period_fkey FOREIGN KEY (company_id, period_id) REFERENCES okr_periods (company_id, id),
  CONSTRAINT objectives_owner_user_fkey FOREIGN KEY (company_id, owner_user_id) REFERENCES users (company_id, id),
  CONSTRAINT objectives_owner_squad_fkey FOREIGN KEY (company_id, owner_squad_id) REFERENCES squads (company_id, id),
  CONSTRAINT objectives_created_by_id_fkey FOREIGN KEY (created_by_id) REFERENCES users (id),
  CONSTRAINT objectives_title_check CHECK (btrim(title) <> ''),
  CONSTRAINT objectives_progress_check CHECK (progress BETWEEN 0 AND 100)
);
CREATE INDEX objectives_company_id_period_id_idx ON objectives (company_id, period_id);
CREATE INDEX objectives_company_id_area_idx ON objectives (company_id, area);
CREATE INDEX objectives_company_id_status_idx ON objectives (company_id, status);
CREATE INDEX objectives_company_id_owner_idx ON objectives (company_id, owner_id, owner_type);
CREATE INDEX objectives_created_by_id_idx ON objectives (created_by_id); -- FK side of users(id) deletes

CREATE TABLE key_results (
  company_id     text              NOT NULL,
  id             text              NOT NULL DEFAULT performancy_id(),
  objective_id   text              NOT NULL,
  title          text              NOT NULL,
  description    text,
  current        numeric           NOT NULL DEFAULT 0,
  target         numeric           NOT NULL,
  unit           key_result_unit   NOT NULL DEFAULT 'NUMBER',
  status         key_result_status NOT NULL DEFAULT 'ON_TRACK',
  trend          text              NOT NULL DEFAULT 'stable',
  trend_value    double precision  NOT NULL DEFAULT 0,
  owner_id       text,
  due_date       timestamptz,
  linked_metrics jsonb             NOT NULL DEFAULT '[]',
  created_at     timestamptz       NOT NULL DEFAULT now(),
  updated_at     timestamptz       NOT NULL DEFAULT now(),
  CONSTRAINT key_results_pkey PRIMARY KEY (company_id, id),
  CONSTRAINT key_results_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE,
  CONSTRAINT key_results_objective_fkey FOREIGN KEY (company_id, objective_id)
    REFERENCES objectives (company_id, id) ON DELETE CASCADE,
  CONSTRAINT key_results_owner_fkey FOREIGN KEY (company_id, owner_id)
    REFERENCES users (company_id, id) ON DELETE SET NULL (owner_id),
  CONSTRAINT key_results_title_check CHECK (btrim(title) <> ''),
  CONSTRAINT key_results_trend_check CHECK (trend IN ('up', 'down', 'stable')),
  CONSTRAINT key_results_linked_metrics_check CHECK (jsonb_typeof(linked_metrics) = 'array')
);
CREATE INDEX key_results_company_id_objective_id_idx ON key_results (company_id, objective_id);
CREATE INDEX key_results_company_id_status_idx ON key_results (company_id, status);
CREATE INDEX key_results_company_id_owner_id_idx ON key_results (company_id, owner_id);

CREATE TABLE key_result_progress (
  company_id     text        NOT NULL,
  id             text        NOT NULL DEFAULT performancy_id(),
  key_result_id  text        NOT NULL,
  value          numeric     NOT NULL,
  note           text,
  recorded_at    timestamptz NOT NULL DEFAULT now(),
  -- nullable: entries written by live-metric jobs (source pipeline / crm) have no human recorder
  recorded_by_id text,
  source         text        NOT NULL DEFAULT 'manual',
  CONSTRAINT key_result_progress_pkey PRIMARY KEY (company_id, id),
  CONSTRAINT key_result_progress_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE,
  CONSTRAINT key_result_progress_key_result_fkey FOREIGN KEY (company_id, key_result_id)
    REFERENCES key_results (company_id, id) ON DELETE CASCADE,
  CONSTRAINT key_result_progress_recorded_by_id_fkey FOREIGN KEY (recorded_by_id)
    REFERENCES users (id) ON DELETE SET NULL,
  CONSTRAINT key_result_progress_source_check CHECK (source IN ('manual', 'coach', 'roleplay', 'pipeline', 'crm'))
);
CREATE INDEX key_result_progress_company_id_key_result_id_idx ON key_result_progress (company_id, key_result_id, recorded_at);
CREATE INDEX key_result_progress_company_id_recorded_at_idx ON key_result_progress (company_id, recorded_at);
CREATE INDEX key_result_progress_recorded_by_id_idx ON key_result_progress (recorded_by_id); -- FK side

-- ---------------------------------------------------------------------------------------------
-- Alerts and import logs (additions)
-- ---------------------------------------------------------------------------------------------
CREATE TABLE alerts (
  company_id         text           NOT NULL,
  id                 text           NOT NULL DEFAULT performancy_id(),
  type               alert_type     NOT NULL,
  priority           alert_priority NOT NULL DEFAULT 'MEDIUM',
  status             alert_status   NOT NULL DEFAULT 'UNREAD',
  title              text           NOT NULL,
  message            text           NOT NULL,
  entity_type        text,
  entity_id          text,
  user_id            text,          -- the person it is for; NULL = the directors
  squad_id           text,
  data               jsonb          NOT NULL DEFAULT '{}',
  dedup_key          text,
  created_at         timestamptz    NOT NULL DEFAULT now(),
  read_at            timestamptz,
  acknowledged_at    timestamptz,
  acknowledged_by_id text,
  CONSTRAINT alerts_pkey PRIMARY KEY (company_id, id),
  CONSTRAINT alerts_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE,
  CONSTRAINT alerts_user_fkey FOREIGN KEY (company_id, user_id) REFERENCES users (company_id, id) ON DELETE CASCADE,
  CONSTRAINT alerts_squad_fkey FOREIGN KEY (company_id, squad_id) REFERENCES squads (company_id, id) ON DELETE CASCADE,
  CONSTRAINT alerts_acknowledged_by_id_fkey FOREIGN KEY (acknowledged_by_id) REFERENCES users (id) ON DELETE SET NULL,
  CONSTRAINT alerts_data_check CHECK (jsonb_typeof(data) = 'object'),
  CONSTRAINT alerts_acknowledged_check CHECK (status <> 'ACKNOWLEDGED' OR acknowledged_at IS NOT NULL)
);
-- a rule raises no second alert while the first is open
CREATE UNIQUE INDEX alerts_company_id_dedup_key_open_key ON alerts (company_id, dedup_key)
  WHERE status <> 'ACKNOWLEDGED';
CREATE INDEX alerts_company_id_status_created_at_idx ON alerts (company_id, status, created_at);
CREATE INDEX alerts_company_id_user_id_status_idx ON alerts (company_id, user_id, status);
CREATE INDEX alerts_company_id_squad_id_idx ON alerts (company_id, squad_id);
CREATE INDEX alerts_acknowledged_by_id_idx ON alerts (acknowledged_by_id); -- FK side

CREATE TABLE import_logs (
  company_id      text          NOT NULL,
  id              text          NOT NULL DEFAULT performancy_id(),
  integration_id  text,         -- NULL for file uploads
  source          text          NOT NULL,
  status          import_status NOT NULL DEFAULT 'RUNNING',
  started_at      timestamptz   NOT NULL DEFAULT now(),
  finished_at     timestamptz,
  records_total   integer       NOT NULL DEFAULT 0,
  records_created integer       NOT NULL DEFAULT 0,
  records_updated integer       NOT NULL DEFAULT 0,
  records_failed  integer       NOT NULL DEFAULT 0,
  errors          jsonb         NOT NULL DEFAULT '[]',
  triggered_by_id text,
  CONSTRAINT import_logs_pkey PRIMARY KEY (company_id, id),
  CONSTRAINT import_logs_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE,
  CONSTRAINT import_logs_integration_fkey FOREIGN KEY (company_id, integration_id)
    REFERENCES integrations (company_id, id) ON DELETE SET NULL (integration_id),
  CONSTRAINT import_logs_triggered_by_id_fkey FOREIGN KEY (triggered_by_id) REFERENCES users (id) ON DELETE SET NULL,
  CONSTRAINT import_logs_records_check CHECK (
    records_total >= 0 AND records_created >= 0 AND records_updated >= 0 AND records_failed >= 0),
  CONSTRAINT import_logs_errors_check CHECK (jsonb_typeof(errors) = 'array'),
  CONSTRAINT import_logs_finished_check CHECK (finished_at IS NULL OR finished_at >= started_at)
);
CREATE INDEX import_logs_company_id_started_at_idx ON import_logs (company_id, started_at);
CREATE INDEX import_logs_company_id_integration_id_idx ON import_logs (company_id, integration_id, started_at);
CREATE INDEX import_logs_triggered_by_id_idx ON import_logs (triggered_by_id); -- FK side

-- ---------------------------------------------------------------------------------------------
-- updated_at triggers
-- ---------------------------------------------------------------------------------------------
CREATE TRIGGER companies_set_updated_at BEFORE UPDATE ON companies FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER squads_set_updated_at BEFORE UPDATE ON squads FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER playbooks_set_updated_at BEFORE UPDATE ON playbooks FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER integrations_set_updated_at BEFORE UPDATE ON integrations FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER leads_set_updated_at BEFORE UPDATE ON leads FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER pipeline_stages_set_updated_at BEFORE UPDATE ON pipeline_stages FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER deals_set_updated_at BEFORE UPDATE ON deals FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER conversations_set_updated_at BEFORE UPDATE ON conversations FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER bots_set_updated_at BEFORE UPDATE ON bots FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER okr_periods_set_updated_at BEFORE UPDATE ON okr_periods FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER objectives_set_updated_at BEFORE UPDATE ON objectives FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER key_results_set_updated_at BEFORE UPDATE ON key_results FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Session store of tower-sessions-sqlx-store (PostgresStore::new(pool) defaults:
-- schema "tower_sessions", table "session"). Created here because the app role cannot create
-- schemas: the app must NOT call PostgresStore::migrate(). Exempt from the tenant rule, no RLS.
-- ---------------------------------------------------------------------------------------------
CREATE SCHEMA tower_sessions;
CREATE TABLE tower_sessions.session (
  id          text        PRIMARY KEY NOT NULL,
  data        bytea       NOT NULL,
  expiry_date timestamptz NOT NULL
);
CREATE INDEX session_expiry_date_idx ON tower_sessions.session (expiry_date);

-- ---------------------------------------------------------------------------------------------
-- Grants. No ALTER DEFAULT PRIVILEGES on purpose: a future table must be granted explicitly,
-- next to its ENABLE/FORCE ROW LEVEL SECURITY and policy.
-- ---------------------------------------------------------------------------------------------
GRANT USAGE ON SCHEMA public TO performancy_app, performancy_definer;

GRANT SELECT, INSERT, UPDATE, DELETE ON
  companies, users, accounts, sessions, verification_tokens,
  squads, squad_members, playbooks, integrations, leads, pipeline_stages, deals, conversations,
  bots, bot_logs, ai_usage, audit_logs, chat_searches,
  okr_periods, objectives, key_results, key_result_progress, alerts, import_logs
  TO performancy_app;

GRANT USAGE ON SCHEMA tower_sessions TO performancy_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON tower_sessions.session TO performancy_app;
