//! Console users and their sessions: people who sign in to the web console with a login and
//! a password. The store keeps a password's Argon2id hash (computed by the server) and a
//! session's SHA-256; never a password or a session cookie.

use claims_domain::{KstDate, KstDateTime, OrderNo, ReasonCode, Scope};

use crate::credentials::SecretHash;
use crate::sql::{Param, Sql};
use crate::tables::{ConsoleUserRow, SessionRow, columns, select};
use crate::users::{Login, NewSession, NewUser, Session, User};
use crate::{Conflict, NotFound, StoreError, admin, stored};

// The scripts, shared by both stores.

/// Records a console user; a vendor user's scope must fit the vendor hierarchy.
pub(crate) async fn add_user(
    sql: &mut dyn Sql,
    user: &NewUser,
    now: KstDateTime,
) -> Result<User, StoreError> {
    if let Some(scope) = user.role.scope() {
        admin::check_scope(sql, scope).await?;
    }
    let row = ConsoleUserRow::of(user, now);
    // Two admins adding one login at once meet on the primary key.
    let inserted = sql
        .execute(
            &format!(
                "{} ON CONFLICT (login) DO NOTHING",
                ConsoleUserRow::insert_sql()
            ),
            &row.params(),
        )
        .await?;
    if inserted == 0 {
        return Err(Conflict::UserExists(user.login.clone()).into());
    }
    row.into_user()
}

/// Every console user, by login.
pub(crate) async fn users(sql: &mut dyn Sql) -> Result<Vec<User>, StoreError> {
    let columns = select(ConsoleUserRow::TABLE, ConsoleUserRow::COLUMNS);
    sql.query(&format!("{columns} ORDER BY login"), &[])
        .await?
        .iter()
        .map(|row| ConsoleUserRow::read(row)?.into_user())
        .collect()
}

/// A user and their password's hash, to check a sign-in.
pub(crate) async fn credentials(
    sql: &mut dyn Sql,
    login: &Login,
) -> Result<Option<(User, String)>, StoreError> {
    let columns = select(ConsoleUserRow::TABLE, ConsoleUserRow::COLUMNS);
    let Some(row) = sql
        .query_opt(
            &format!("{columns} WHERE login = $1"),
            &[login.as_str().into()],
        )
        .await?
    else {
        return Ok(None);
    };
    let row = ConsoleUserRow::read(&row)?;
    let hash = row.password_hash.clone().into_owned();
    Ok(Some((row.into_user()?, hash)))
}

/// Removes a user and ends their sessions.
pub(crate) async fn delete_user(sql: &mut dyn Sql, login: &Login) -> Result<(), StoreError> {
    sql.execute(
        "DELETE FROM console_sessions WHERE login = $1",
        &[login.as_str().into()],
    )
    .await?;
    let deleted = sql
        .execute(
            "DELETE FROM console_users WHERE login = $1",
            &[login.as_str().into()],
        )
        .await?;
    if deleted == 0 {
        return Err(NotFound::User(login.clone()).into());
    }
    Ok(())
}

pub(crate) async fn open_session(
    sql: &mut dyn Sql,
    session: &NewSession,
    now: KstDateTime,
) -> Result<(), StoreError> {
    let row = SessionRow::of(session, now);
    sql.execute(&SessionRow::insert_sql(), &row.params())
        .await?;
    Ok(())
}

/// How long a session's last-seen time may lag behind: a session seen again sooner is not
/// written, so reading pages does not write on every request.
pub(crate) const TOUCH_EVERY_SECS: i64 = 60;

/// The session of `hash`, if it was seen since `idle_since` and opened since
/// `opened_since`, and when it was last seen.
pub(crate) async fn session(
    sql: &mut dyn Sql,
    hash: &SecretHash,
    idle_since: KstDateTime,
    opened_since: KstDateTime,
) -> Result<Option<(Session, KstDateTime)>, StoreError> {
    let statement = format!(
        "SELECT {}, s.csrf, s.last_seen_at FROM console_sessions s \
         JOIN console_users u ON u.login = s.login \
         WHERE s.session_hash = $1 AND s.last_seen_at >= $2 AND s.created_at >= $3",
        columns("u", ConsoleUserRow::COLUMNS)
    );
    let Some(row) = sql
        .query_opt(
            &statement,
            &[(&hash.0[..]).into(), idle_since.into(), opened_since.into()],
        )
        .await?
    else {
        return Ok(None);
    };
    let n = ConsoleUserRow::COLUMNS.len();
    let user = ConsoleUserRow::read(&row)?.into_user()?;
    let csrf = row.text(n)?.to_owned();
    Ok(Some((Session { user, csrf }, row.time(n + 1)?)))
}

pub(crate) async fn touch_session(
    sql: &mut dyn Sql,
    hash: &SecretHash,
    now: KstDateTime,
) -> Result<(), StoreError> {
    sql.execute(
        "UPDATE console_sessions SET last_seen_at = $2 WHERE session_hash = $1",
        &[(&hash.0[..]).into(), now.into()],
    )
    .await?;
    Ok(())
}

pub(crate) async fn end_session(sql: &mut dyn Sql, hash: &SecretHash) -> Result<(), StoreError> {
    sql.execute(
        "DELETE FROM console_sessions WHERE session_hash = $1",
        &[(&hash.0[..]).into()],
    )
    .await?;
    Ok(())
}

/// Drops up to `limit` sessions last seen before `before`; how many.
pub(crate) async fn purge_sessions(
    sql: &mut dyn Sql,
    before: KstDateTime,
    limit: usize,
) -> Result<usize, StoreError> {
    let deleted = sql
        .execute(
            "DELETE FROM console_sessions WHERE session_hash IN \
             (SELECT session_hash FROM console_sessions WHERE last_seen_at < $1 LIMIT $2)",
            &[before.into(), Param::Int(limit as i64)],
        )
        .await?;
    Ok(deleted as usize)
}

/// Orders whose orderer is named exactly `name`, received within `from ..= to`, newest
/// first, at most `limit`.
pub(crate) async fn orders_by_orderer(
    sql: &mut dyn Sql,
    name: &str,
    from: KstDateTime,
    to: KstDateTime,
    limit: usize,
) -> Result<Vec<OrderNo>, StoreError> {
    sql.query(
        "SELECT ord_no FROM orders WHERE ordpe_nm = $1 AND ord_rcp_dts >= $2 \
         AND ord_rcp_dts <= $3 ORDER BY ord_rcp_dts DESC, ord_no DESC LIMIT $4",
        &[
            name.into(),
            from.into(),
            to.into(),
            Param::Int(limit as i64),
        ],
    )
    .await?
    .iter()
    .map(|row| stored::order_no(row.text(0)?))
    .collect()
}

/// Canceled lines of one KST day and one reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CancellationCount {
    pub day: KstDate,
    pub reason: ReasonCode,
    pub lines: u64,
}

/// The lines `scope` may see that were canceled within `from ..= to`, counted per KST day
/// and reason by the database (the dashboard reads counts, never the rows).
pub(crate) async fn cancellation_counts(
    sql: &mut dyn Sql,
    scope: &Scope,
    from: KstDateTime,
    to: KstDateTime,
) -> Result<Vec<CancellationCount>, StoreError> {
    let day = sql.dialect().kst_day("ord_cncl_dts");
    let statement = format!(
        "SELECT {day}, clm_rsn_cd, count(*) FROM claim_lines \
         WHERE spl_ven_id = $1 AND ord_cncl_dts >= $2 AND ord_cncl_dts <= $3 \
         AND ($4 = '' OR lrnk_spl_ven_id = $4) \
         GROUP BY {day}, clm_rsn_cd ORDER BY 1, 2"
    );
    let lower = scope.lower_rank.as_ref().map_or("", |lower| lower.as_str());
    sql.query(
        &statement,
        &[
            scope.vendor.as_str().into(),
            from.into(),
            to.into(),
            lower.into(),
        ],
    )
    .await?
    .iter()
    .map(|row| {
        let start = stored::time(row.int(0)? * 86_400 - 32_400)?;
        Ok(CancellationCount {
            day: KstDate::of(start),
            reason: stored::reason(row.text(1)?)?,
            lines: u64::try_from(row.int(2)?).map_err(stored::corrupt)?,
        })
    })
    .collect()
}

/// What waits for a vendor, as its first screen and the menu's badges count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Waiting {
    /// Cancel request lines pending the vendor's approval.
    pub requests: u64,
    /// When the oldest of them was filed.
    pub oldest_request: Option<KstDateTime>,
    /// Open items in 배송지시, of orders received since the window's start.
    pub to_confirm: u64,
    /// Open items confirmed or delayed, to release.
    pub to_release: u64,
    /// Lines canceled since the start of today (KST).
    pub canceled_today: u64,
    /// Returns' and exchanges' pickups filed since the window's start that wait for the
    /// vendor: to confirm (61) or to complete (63).
    pub pickups: u64,
}

/// Counts what waits for the vendor holding `scope`: items of orders received and pickups
/// filed since `since`, cancellations since `today`. Each count is one indexed statement
/// (the pending requests' index, the shipping lists' partial indexes, the pickups' filing
/// index, the inquiry's index).
pub(crate) async fn waiting(
    sql: &mut dyn Sql,
    scope: &Scope,
    since: KstDateTime,
    today: KstDateTime,
) -> Result<Waiting, StoreError> {
    let vendor = scope.vendor.as_str();
    let lower = scope.lower_rank.as_ref().map_or("", |lower| lower.as_str());
    let requests = sql
        .query_one(
            "SELECT count(*), min(clm_demnd_dts) FROM cancel_request_lines \
             WHERE clm_prog_stat_cd = '10' AND spl_ven_id = $1 \
             AND ($2 = '' OR lrnk_spl_ven_id = $2)",
            &[vendor.into(), lower.into()],
        )
        .await?;
    let items = |condition: &str| {
        format!(
            "SELECT count(*) FROM order_items WHERE spl_ven_id = $1 AND ord_rcp_dts >= $3 \
             AND shipped_qty = 0 AND canceled_qty < qty AND {condition} \
             AND ($2 = '' OR lrnk_spl_ven_id = $2)"
        )
    };
    let count = |row: crate::sql::Row| stored::count(row.int(0)?).map(u64::from);
    let to_confirm = sql
        .query_one(
            &items("confirmed_at IS NULL AND delay_nts = 0"),
            &[vendor.into(), lower.into(), since.into()],
        )
        .await?;
    let to_release = sql
        .query_one(
            &items("(confirmed_at IS NOT NULL OR delay_nts > 0)"),
            &[vendor.into(), lower.into(), since.into()],
        )
        .await?;
    let pickups = sql
        .query_one(
            "SELECT count(*) FROM pickups WHERE spl_ven_id = $1 AND filed_at >= $3 \
             AND status IN ('requested', 'confirmed') AND ($2 = '' OR lrnk_spl_ven_id = $2)",
            &[vendor.into(), lower.into(), since.into()],
        )
        .await?;
    let canceled = sql
        .query_one(
            "SELECT count(*) FROM claim_lines WHERE spl_ven_id = $1 AND ord_cncl_dts >= $3 \
             AND ($2 = '' OR lrnk_spl_ven_id = $2)",
            &[vendor.into(), lower.into(), today.into()],
        )
        .await?;
    Ok(Waiting {
        requests: stored::count(requests.int(0)?).map(u64::from)?,
        oldest_request: requests.opt_time(1)?,
        to_confirm: count(to_confirm)?,
        to_release: count(to_release)?,
        canceled_today: count(canceled)?,
        pickups: count(pickups)?,
    })
}

/// The characters `LIKE` treats specially, escaped with `\` (the statements say
/// `ESCAPE '\'`), so that a typed `%` or `_` matches itself.
fn like_escaped(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Up to `limit` orders received within `from ..= to` that a partial search names, newest
/// first: an order number beginning with `term`, an orderer or recipient whose name begins
/// with it (a family name finds everyone of that family), or — when `term` holds at least
/// four digits — a recipient phone number containing those digits, however it was written.
pub(crate) async fn search_orders(
    sql: &mut dyn Sql,
    term: &str,
    from: KstDateTime,
    to: KstDateTime,
    limit: usize,
) -> Result<Vec<OrderNo>, StoreError> {
    let prefix = format!("{}%", like_escaped(term));
    let digits: String = term.chars().filter(char::is_ascii_digit).collect();
    let phone = if digits.len() >= 4 {
        format!("%{digits}%")
    } else {
        // Matches no phone number.
        String::from("\u{1}")
    };
    sql.query(
        "SELECT ord_no FROM orders WHERE ord_rcp_dts >= $2 AND ord_rcp_dts <= $3 \
         AND (ord_no LIKE $1 ESCAPE '\\' OR ordpe_nm LIKE $1 ESCAPE '\\' \
              OR rcptpe_nm LIKE $1 ESCAPE '\\' \
              OR replace(replace(rcptpe_hpno, '-', ''), ' ', '') LIKE $4) \
         ORDER BY ord_rcp_dts DESC, ord_no DESC LIMIT $5",
        &[
            prefix.as_str().into(),
            from.into(),
            to.into(),
            phone.as_str().into(),
            Param::Int(limit as i64),
        ],
    )
    .await?
    .iter()
    .map(|row| stored::order_no(row.text(0)?))
    .collect()
}

/// The orders agent `agent` acted on since `since` — cancellations, cancel requests,
/// returns and exchanges they filed — each with the last time, newest first; at most
/// `limit`.
pub(crate) async fn orders_touched_by(
    sql: &mut dyn Sql,
    agent: &str,
    since: KstDateTime,
    limit: usize,
) -> Result<Vec<(OrderNo, KstDateTime)>, StoreError> {
    sql.query(
        "SELECT oror_no, max(touched_at) FROM ( \
           SELECT oror_no, ord_cncl_dts AS touched_at FROM claims \
             WHERE agent_id = $1 AND ord_cncl_dts >= $2 \
           UNION ALL SELECT oror_no, clm_demnd_dts FROM cancel_requests \
             WHERE agent_id = $1 AND clm_demnd_dts >= $2 \
           UNION ALL SELECT oror_no, filed_at FROM pickup_claims \
             WHERE agent_id = $1 AND filed_at >= $2 \
         ) touched GROUP BY oror_no ORDER BY 2 DESC, 1 LIMIT $3",
        &[agent.into(), since.into(), Param::Int(limit as i64)],
    )
    .await?
    .iter()
    .map(|row| Ok((stored::order_no(row.text(0)?)?, row.time(1)?)))
    .collect()
}
