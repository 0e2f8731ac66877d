-- The flag functions of 0006, the same answers, in PL/pgSQL loops. As SQL
-- functions with sub-selects they could not be inlined, so every execution
-- of a STORE set each of them up again (parsed and planned its body): about
-- 0.2 ms of a one-message STORE. PL/pgSQL keeps a function compiled for the
-- session, and these loops are simple expressions that need no executor.

-- Whether `flags` holds `f`, compared without case.
CREATE FUNCTION kimap_flag_in(f text, flags text[]) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  x text;
BEGIN
  FOREACH x IN ARRAY coalesce(flags, '{}') LOOP
    IF lower(x) = lower(f) THEN
      RETURN true;
    END IF;
  END LOOP;
  RETURN false;
END $$;

-- `current` with `wanted` added (those not already there, compared without
-- case), removed, or replaced by `wanted`; order kept.
CREATE OR REPLACE FUNCTION kimap_flags_apply(current text[], mode text, wanted text[]) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  result text[] := '{}';
  f text;
BEGIN
  IF mode = 'replace' THEN
    RETURN wanted;
  END IF;
  IF mode = 'remove' THEN
    FOREACH f IN ARRAY coalesce(current, '{}') LOOP
      IF NOT kimap_flag_in(f, wanted) THEN
        result := result || f;
      END IF;
    END LOOP;
    RETURN result;
  END IF;
  result := coalesce(current, '{}');
  FOREACH f IN ARRAY coalesce(wanted, '{}') LOOP
    IF NOT kimap_flag_in(f, result) THEN
      result := result || f;
    END IF;
  END LOOP;
  RETURN result;
END $$;

-- The same flags, whatever their order and case.
CREATE OR REPLACE FUNCTION kimap_flags_same(a text[], b text[]) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  f text;
BEGIN
  IF cardinality(a) IS DISTINCT FROM cardinality(b) THEN
    RETURN false;
  END IF;
  FOREACH f IN ARRAY coalesce(b, '{}') LOOP
    IF NOT kimap_flag_in(f, a) THEN
      RETURN false;
    END IF;
  END LOOP;
  RETURN true;
END $$;

-- Likewise the other SQL functions that the writes call once per statement:
-- in PL/pgSQL their statements are planned once per session.
CREATE OR REPLACE FUNCTION kimap_record_change(p_account bigint, p_mailbox bigint, p_modseq bigint, p_kind text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  v_event bigint;
BEGIN
  INSERT INTO outbox (account_id, payload)
  VALUES (p_account, jsonb_build_object('accountId', p_account, 'mailboxId', p_mailbox, 'modseq', p_modseq, 'kind', p_kind))
  RETURNING event_id INTO v_event;
  RETURN v_event;
END $$;

CREATE OR REPLACE FUNCTION mailbox_counters_apply(sign integer, changed_account bigint, changed_mailbox bigint, n bigint, unseen_n bigint, deleted_n bigint, size_n bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE mailboxes SET messages = messages + sign * n, unseen = unseen + sign * unseen_n,
                       deleted = deleted + sign * deleted_n, total_size = total_size + sign * size_n
   WHERE account_id = changed_account AND mailbox_id = changed_mailbox;
END $$;

CREATE OR REPLACE FUNCTION kimap_search_fields(header text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF header IS NULL THEN
    RETURN NULL;
  END IF;
  RETURN coalesce(
    (SELECT string_agg(line, E'\n') FROM regexp_split_to_table(header, E'\n') AS l(line)
      WHERE rtrim(split_part(line, ':', 1), E' \t') IN ('from', 'to', 'cc', 'bcc', 'subject')), '');
END $$;

-- The writes plan their statements for the session (after five custom
-- plans, a generic one when it costs no more: key lookups whatever the
-- parameters), not on every call, as the connection's
-- plan_cache_mode=force_custom_plan has the service's own queries planned.
-- The functions and triggers they call run with the same setting. A
-- one-message APPEND 0.87 → 0.55 ms (one client, wall).
ALTER FUNCTION kimap_append(bigint, text, bigint, bytea[], bigint[], integer[], bytea[], jsonb[], jsonb[], text[], text[], timestamptz[], jsonb[])
  SET plan_cache_mode = auto;
ALTER FUNCTION kimap_store(bigint, bigint, bigint, bigint, bigint[], bigint[], text, text[], bigint) SET plan_cache_mode = auto;
ALTER FUNCTION kimap_expunge(bigint, bigint, bigint, bigint, bigint[], bigint[], boolean, boolean) SET plan_cache_mode = auto;
