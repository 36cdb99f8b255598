-- An inverted index over the search projection, so a search reads the items that contain its
-- words instead of every published item. Kept in step by the repository (publish_item,
-- unpublish_item) in the same transaction as `catalogue_search`; the terms are those of
-- `catalogue::SearchRow::index_terms` and the backfill below must stay identical to them:
--
-- * text terms of the lower-cased `search_text`, by characters: every bigram with at least one
--   non-ASCII character (餐饮, "（1") and every trigram of ASCII characters ("arc", "-00"),
--   none containing a space or control character (a search word never does);
-- * facet terms, starting with U+0001 (which no text term contains): `k:` kind, `o:` online
--   level, `i` instant approval, `c` commitment, `d:` each department (as is: PostgreSQL's
--   LIKE, which the department filter replaces, is case-sensitive).
--
-- SQLite keeps them in a table of (term, code) rows; PostgreSQL keeps them as an array in the
-- projection row under a GIN index, its own inverted index: a table of terms would be read
-- through its heap (one page visit per item and term) until VACUUM marks its pages visible,
-- which makes searches right after an import slower than reading every row.

ALTER TABLE catalogue_search ADD COLUMN terms TEXT[] NOT NULL DEFAULT '{}';

WITH RECURSIVE positions (i) AS (
    SELECT 1
    UNION ALL
    SELECT i + 1 FROM positions
    WHERE i < (SELECT COALESCE(MAX(length(search_text)), 0) FROM catalogue_search)
),
windows AS (
    SELECT s.code, substr(s.search_text, p.i, 3) AS chars,
        ascii(substr(s.search_text, p.i, 1)) AS c1,
        ascii(substr(s.search_text, p.i + 1, 1)) AS c2,
        ascii(substr(s.search_text, p.i + 2, 1)) AS c3
    FROM catalogue_search s JOIN positions p ON p.i < length(s.search_text)
),
-- `|D01|D09|` → D01, D09
item_departments (code, department, rest) AS (
    SELECT code, CAST(NULL AS TEXT), substr(departments, 2) FROM catalogue_search
    UNION ALL
    SELECT code, substr(rest, 1, strpos(rest, '|') - 1), substr(rest, strpos(rest, '|') + 1)
    FROM item_departments WHERE strpos(rest, '|') > 0
),
item_terms (code, term) AS (
    SELECT code, substr(chars, 1, 2) FROM windows
    WHERE c1 > 32 AND c2 > 32 AND (c1 > 127 OR c2 > 127)
    UNION
    SELECT code, chars FROM windows
    WHERE c1 > 32 AND c2 > 32 AND c3 > 32 AND c1 < 128 AND c2 < 128 AND c3 < 128
    UNION
    SELECT code, chr(1) || 'k:' || kind FROM catalogue_search
    UNION
    SELECT code, chr(1) || 'o:' || online_level FROM catalogue_search
    UNION
    SELECT code, chr(1) || 'i' FROM catalogue_search WHERE instant_approval = 1
    UNION
    SELECT code, chr(1) || 'c' FROM catalogue_search WHERE commitment = 1
    UNION
    SELECT code, chr(1) || 'd:' || department FROM item_departments WHERE department IS NOT NULL
)
UPDATE catalogue_search s SET terms = t.terms
FROM (SELECT code, array_agg(term ORDER BY term) AS terms FROM item_terms GROUP BY code) t
WHERE t.code = s.code;

-- Without the pending list (fastupdate), every search would also scan the entries of recent
-- publications one by one.
CREATE INDEX catalogue_search_terms ON catalogue_search USING gin (terms) WITH (fastupdate = off);
