-- Performancy: searching and sorting the pipeline (PRODUCT.md feature 3).
--
-- Lists search leads by name, e-mail, company and position, and deals by title, ignoring accents
-- and case: each table carries its searchable text folded once (a stored generated column through
-- the IMMUTABLE immutable_unaccent wrapper of the first migration), under a trigram GIN index that
-- leads with company_id (btree_gin), so `search_text LIKE '%joao%'` is an index scan inside one
-- tenant. The sort orders the lists offer get their own indexes.

CREATE EXTENSION IF NOT EXISTS btree_gin WITH SCHEMA public;

ALTER TABLE leads ADD COLUMN search_text text GENERATED ALWAYS AS (
  public.immutable_unaccent(lower(
    name || ' ' || coalesce(email, '') || ' ' || coalesce(company_name, '') || ' ' || coalesce(position, '')
  ))
) STORED;
CREATE INDEX leads_company_id_search_text_idx ON leads USING gin (company_id, search_text gin_trgm_ops);
CREATE INDEX leads_company_id_updated_at_idx ON leads (company_id, updated_at);
CREATE INDEX leads_company_id_name_idx ON leads (company_id, lower(name));

ALTER TABLE deals ADD COLUMN search_text text GENERATED ALWAYS AS (
  public.immutable_unaccent(lower(title))
) STORED;
CREATE INDEX deals_company_id_search_text_idx ON deals USING gin (company_id, search_text gin_trgm_ops);
CREATE INDEX deals_company_id_value_idx ON deals (company_id, value);
CREATE INDEX deals_company_id_expected_close_at_idx ON deals (company_id, expected_close_at);
CREATE INDEX deals_company_id_updated_at_idx ON deals (company_id, updated_at);
CREATE INDEX deals_company_id_stage_changed_at_idx ON deals (company_id, stage_changed_at);
