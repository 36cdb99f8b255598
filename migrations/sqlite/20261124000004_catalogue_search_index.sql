-- An inverted index over the search projection, so a search reads the items that contain its
-- words instead of every published item. Kept in step by the repository (publish_item,
-- unpublish_item) in the same transaction as `catalogue_search`; the terms are those of
-- `catalogue::SearchRow::index_terms` and the backfill below must stay identical to them:
--
-- * text terms of the lower-cased `search_text`, by characters: every bigram with at least one
--   non-ASCII character (餐饮, "（1") and every trigram of ASCII characters ("arc", "-00"),
--   none containing a space or control character (a search word never does);
-- * facet terms, starting with U+0001 (which no text term contains): `k:` kind, `o:` online
--   level, `i` instant approval, `c` commitment, `d:` each department (ASCII-lower-cased:
--   SQLite's LIKE, which the department filter replaces, ignores ASCII case).
--
-- One row per term and item, ordered by term then code: a search starts from the shortest list
-- and pages by code without sorting. `flags` repeats the filter columns so filters are checked
-- on the index row itself: online level (1 fully online, 2 one visit), 4 instant approval,
-- 8 commitment, kind × 16 (1 licensing, 2 confirmation, 3 filing, 4 public service).
-- (PostgreSQL keeps the same terms as an array under a GIN index instead.)

CREATE TABLE catalogue_search_terms (
    term   TEXT NOT NULL,
    code   TEXT NOT NULL,
    flags  BIGINT NOT NULL,
    PRIMARY KEY (term, code)
) WITHOUT ROWID;

CREATE INDEX catalogue_search_terms_code ON catalogue_search_terms (code);

WITH RECURSIVE positions (i) AS (
    SELECT 1
    UNION ALL
    SELECT i + 1 FROM positions
    WHERE i < (SELECT COALESCE(MAX(length(search_text)), 0) FROM catalogue_search)
),
items AS (
    SELECT code, search_text,
        (CASE online_level WHEN 'fully_online' THEN 1 WHEN 'one_visit' THEN 2 ELSE 0 END)
        + (CASE WHEN instant_approval = 1 THEN 4 ELSE 0 END)
        + (CASE WHEN commitment = 1 THEN 8 ELSE 0 END)
        + 16 * (CASE kind WHEN 'licensing' THEN 1 WHEN 'confirmation' THEN 2 WHEN 'filing' THEN 3
                WHEN 'public_service' THEN 4 ELSE 0 END) AS flags
    FROM catalogue_search
),
windows AS (
    SELECT s.code, s.flags, substr(s.search_text, p.i, 3) AS chars,
        unicode(substr(s.search_text, p.i, 1)) AS c1,
        unicode(substr(s.search_text, p.i + 1, 1)) AS c2,
        unicode(substr(s.search_text, p.i + 2, 1)) AS c3
    FROM items s JOIN positions p ON p.i < length(s.search_text)
)
INSERT INTO catalogue_search_terms (term, code, flags)
SELECT substr(chars, 1, 2), code, flags FROM windows
WHERE c1 > 32 AND c2 > 32 AND (c1 > 127 OR c2 > 127)
UNION
SELECT chars, code, flags FROM windows
WHERE c1 > 32 AND c2 > 32 AND c3 > 32 AND c1 < 128 AND c2 < 128 AND c3 < 128;

WITH RECURSIVE items AS (
    SELECT code, kind, online_level, instant_approval, commitment, departments,
        (CASE online_level WHEN 'fully_online' THEN 1 WHEN 'one_visit' THEN 2 ELSE 0 END)
        + (CASE WHEN instant_approval = 1 THEN 4 ELSE 0 END)
        + (CASE WHEN commitment = 1 THEN 8 ELSE 0 END)
        + 16 * (CASE kind WHEN 'licensing' THEN 1 WHEN 'confirmation' THEN 2 WHEN 'filing' THEN 3
                WHEN 'public_service' THEN 4 ELSE 0 END) AS flags
    FROM catalogue_search
),
-- `|D01|D09|` → D01, D09
item_departments (code, flags, department, rest) AS (
    SELECT code, flags, CAST(NULL AS TEXT), substr(departments, 2) FROM items
    UNION ALL
    SELECT code, flags, substr(rest, 1, instr(rest, '|') - 1), substr(rest, instr(rest, '|') + 1)
    FROM item_departments WHERE instr(rest, '|') > 0
)
INSERT INTO catalogue_search_terms (term, code, flags)
SELECT char(1) || 'k:' || kind, code, flags FROM items
UNION
SELECT char(1) || 'o:' || online_level, code, flags FROM items
UNION
SELECT char(1) || 'i', code, flags FROM items WHERE instant_approval = 1
UNION
SELECT char(1) || 'c', code, flags FROM items WHERE commitment = 1
UNION
SELECT char(1) || 'd:' || lower(department), code, flags FROM item_departments
WHERE department IS NOT NULL;
