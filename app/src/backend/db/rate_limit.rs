//! Fixed-window rate-limit counters kept in the database, so every node of a cluster sees the
//! same counts.

use sqlx::AnyConnection;

use super::DbResult;

/// The start of the window `now_ms` falls in.
pub fn window_start(now_ms: i64, window_ms: i64) -> i64 {
    now_ms - now_ms.rem_euclid(window_ms)
}

/// Adds one hit to `bucket` in the current window and returns the hits so far (this one
/// included).
pub async fn hit(
    conn: &mut AnyConnection,
    bucket: &str,
    window_ms: i64,
    now_ms: i64,
) -> DbResult<i64> {
    let hits = sqlx::query_scalar(
        "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1 \
         RETURNING hits",
    )
    .bind(bucket)
    .bind(window_start(now_ms, window_ms))
    .fetch_one(conn)
    .await?;
    Ok(hits)
}

/// Hits recorded in the current window, without adding one.
pub async fn count(
    conn: &mut AnyConnection,
    bucket: &str,
    window_ms: i64,
    now_ms: i64,
) -> DbResult<i64> {
    let hits: Option<i64> =
        sqlx::query_scalar("SELECT hits FROM rate_limits WHERE bucket = $1 AND window_start = $2")
            .bind(bucket)
            .bind(window_start(now_ms, window_ms))
            .fetch_optional(conn)
            .await?;
    Ok(hits.unwrap_or(0))
}

/// Drops windows that ended before `before_ms` (housekeeping).
pub async fn purge(conn: &mut AnyConnection, before_ms: i64) -> DbResult<u64> {
    Ok(
        sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
            .bind(before_ms)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_start_rounds_down_to_the_window() {
        assert_eq!(window_start(125_000, 60_000), 120_000);
        assert_eq!(window_start(120_000, 60_000), 120_000);
    }
}
