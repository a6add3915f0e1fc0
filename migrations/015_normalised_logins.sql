-- Logins are normalised once, as src/profiles/login-normalisation.ts does at import and at login
-- (issue 10): Unicode NFKC, surrounding spaces trimmed, lower case (ICU's, whatever the database's
-- LC_CTYPE: the same Unicode mapping as JavaScript's toLowerCase), NFKC again. Stored logins get that
-- form here, and keep the spelling they were imported with in `imported_login`, so that re-importing
-- the same file updates them in place, while an import line that only becomes an existing login
-- once normalised is refused (jobseeker-queries.ts) instead of overwriting that account.
--
-- Refused, with the accounts named by id, when two existing logins become one (e.g. "Marie.Dupont"
-- and "marie.dupont"), or a login holds a space or an invisible or control character inside (it
-- could never be typed again): an operator decides which account each person keeps (rename or delete
-- the others), then starts the provider again. Nothing is changed before that.
ALTER TABLE jobseekers ADD COLUMN imported_login text;

CREATE FUNCTION normalised_login(login text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  -- JavaScript's trim(): its white space and line terminators, as they remain after NFKC.
  SELECT normalize(lower(btrim(normalize(login, NFKC), E' \t\n\r\u000b\u000c\ufeff\u2028\u2029\u1680')
                         COLLATE "und-x-icu"), NFKC)
$$;

DO $$
DECLARE
  unusable text;
  merged text;
BEGIN
  SELECT string_agg(id::text, ', ' ORDER BY id) INTO unusable FROM jobseekers
   WHERE normalised_login(login) = ''
      OR normalised_login(login) ~ E'[\\u0000-\\u0020\\u007f-\\u00a0\\u00ad\\u034f\\u061c\\u115f\\u1160\\u1680\\u17b4\\u17b5\\u180b-\\u180f\\u2000-\\u200f\\u2028-\\u202f\\u205f-\\u206f\\u3000\\u3164\\ue000-\\uf8ff\\ufe00-\\ufe0f\\ufeff\\uffa0\\ufff0-\\ufffb]';
  IF unusable IS NOT NULL THEN
    RAISE EXCEPTION 'migration 015 refused: these jobseekers'' logins hold a space or an invisible or control character and could never be typed again: %', unusable
      USING HINT = 'Rename them (UPDATE jobseekers SET login = ''…'' WHERE id = ''…'') or delete them, then start again.';
  END IF;

  SELECT string_agg(format('(%s)', ids), ' ' ORDER BY ids) INTO merged FROM (
    SELECT normalised_login(login) AS n, string_agg(id::text, ', ' ORDER BY id) AS ids
      FROM jobseekers GROUP BY 1 HAVING count(*) > 1) collisions;
  IF merged IS NOT NULL THEN
    RAISE EXCEPTION 'migration 015 refused: these jobseekers'' logins become one login once normalised, each group in parentheses: %', merged
      USING HINT = 'Decide which account each person keeps: rename or delete the others, then start again.';
  END IF;
END $$;

UPDATE jobseekers SET imported_login = login, login = normalised_login(login)
 WHERE login IS DISTINCT FROM normalised_login(login);
