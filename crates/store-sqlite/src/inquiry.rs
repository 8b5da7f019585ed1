//! The inquiry's SQL: one table, one range scan.

use claims_domain::{CancelRow, CancelRowRef, InquiryQuery, KstDateTime, RowKey, RowSink, Scope};
use claims_store::stored::{ID_COLUMNS, LastRow, PageIds, ROW_COLUMNS, RowColumns, check_found};
use claims_store::{InquiryPage, SecretHash, StoreError};
use rusqlite::types::Value;
use rusqlite::{Connection, Row};

use crate::convert::{self, db_error};
use crate::sql::{SqliteSql, finish};

/// The `FROM … WHERE …` of an inquiry and its parameters.
///
/// A period inquiry is a range scan of the primary key (vendor, cancel time, claim number,
/// line), which is also the answer's order; a lower-rank vendor's, a range scan of
/// `claim_lines_by_lower_rank` (its own rows in the same order, never its parent's). An
/// inquiry by original order number uses the index on it. Indexes are named explicitly so
/// the plan never depends on statistics.
pub(crate) struct Filter {
    pub(crate) sql: String,
    pub(crate) params: Vec<(&'static str, Value)>,
}

impl Filter {
    pub(crate) fn new(scope: &Scope, query: &InquiryQuery, after: Option<&RowKey>) -> Self {
        let mut sql = String::from("FROM claim_lines");
        let mut params: Vec<(&'static str, Value)> = Vec::new();
        if query.original().is_some() {
            sql.push_str(" INDEXED BY claim_lines_by_original");
        } else if scope.lower_rank.is_some() {
            sql.push_str(" INDEXED BY claim_lines_by_lower_rank");
        }
        sql.push_str(" WHERE spl_ven_id = :vendor");
        params.push((":vendor", Value::Text(scope.vendor.as_str().to_owned())));
        if let Some(lower) = &scope.lower_rank {
            sql.push_str(" AND lrnk_spl_ven_id = :lower");
            params.push((":lower", Value::Text(lower.as_str().to_owned())));
        }
        // SQLite seeks an index range by simple bounds only, not by a row value, so a page
        // after the first starts its range at the cursor's time: the lower bound is the later
        // of the period's start and the cursor's.
        let after_time = after.map(|after| after.canceled_at.unix_seconds());
        if let Some(period) = query.period() {
            let (from, until) = period.bounds();
            sql.push_str(" AND ord_cncl_dts >= :from AND ord_cncl_dts < :until");
            let from = from.unix_seconds().max(after_time.unwrap_or(i64::MIN));
            params.push((":from", Value::Integer(from)));
            params.push((":until", Value::Integer(until.unix_seconds())));
        } else if let Some(after_time) = after_time {
            sql.push_str(" AND ord_cncl_dts >= :from");
            params.push((":from", Value::Integer(after_time)));
        }
        if let Some(original) = query.original() {
            sql.push_str(" AND oror_no = :oror_no");
            params.push((":oror_no", Value::Text(original.ord_no.as_str().to_owned())));
            if let Some(seqs) = &original.item_seqs {
                sql.push_str(" AND oror_item_seq IN (SELECT value FROM json_each(:seqs))");
                let list: Vec<String> = seqs
                    .as_slice()
                    .iter()
                    .map(|s| s.get().to_string())
                    .collect();
                params.push((":seqs", Value::Text(format!("[{}]", list.join(",")))));
            }
        }
        if let Some(after) = after {
            sql.push_str(
                " AND (ord_cncl_dts, clm_no, clm_item_seq) > (:after_time, :after_no, :after_seq)",
            );
            params.push((
                ":after_time",
                Value::Integer(after.canceled_at.unix_seconds()),
            ));
            params.push((":after_no", Value::Text(after.clm_no.as_str().to_owned())));
            params.push((
                ":after_seq",
                Value::Integer(i64::from(after.clm_item_seq.get())),
            ));
        }
        Self { sql, params }
    }

    fn bind(&self) -> Vec<(&str, &dyn rusqlite::ToSql)> {
        self.params
            .iter()
            .map(|(name, value)| (*name, value as &dyn rusqlite::ToSql))
            .collect()
    }

    /// The full SELECT of rows, in answer order.
    pub(crate) fn select_sql(&self) -> String {
        self.select_sql_of(ROW_COLUMNS)
    }

    /// The SELECT of `columns` of the rows, in answer order.
    fn select_sql_of(&self, columns: &str) -> String {
        format!(
            "SELECT {columns} {} ORDER BY ord_cncl_dts, clm_no, clm_item_seq LIMIT :limit",
            self.sql
        )
    }
}

/// The exact statements and parameters the store runs for an inquiry page of a key's holder
/// (the key lookup, then the page for the key's scope), for benchmarks and
/// `EXPLAIN QUERY PLAN`.
#[derive(Debug)]
pub struct RawInquiry {
    pub key_sql: String,
    pub key_hash: Vec<u8>,
    pub sql: String,
    /// The same page's id scan, which a server keeping rows runs instead of `sql` (and
    /// then reads in full only the rows it does not keep).
    pub ids_sql: String,
    pub params: Vec<(&'static str, Value)>,
}

impl RawInquiry {
    /// `scope` is the scope of the key with hash `key`.
    pub fn new(
        key: &SecretHash,
        scope: &Scope,
        query: &InquiryQuery,
        after: Option<&RowKey>,
        limit: usize,
    ) -> Self {
        let filter = Filter::new(scope, query, after);
        let mut params = filter.params.clone();
        params.push((
            ":limit",
            Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)),
        ));
        Self {
            key_sql: claims_store::sql::question_mark_placeholders(claims_store::KEY_LOOKUP_SQL),
            key_hash: key.0.to_vec(),
            sql: filter.select_sql(),
            ids_sql: filter.select_sql_of(ID_COLUMNS),
            params,
        }
    }

    /// The parameters, named, for `Statement::query`.
    pub fn params(&self) -> Vec<(&str, &dyn rusqlite::ToSql)> {
        self.params
            .iter()
            .map(|(name, value)| (*name, value as &dyn rusqlite::ToSql))
            .collect()
    }
}

/// One claim line by its primary key.
static ONE_ROW_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT {ROW_COLUMNS} FROM claim_lines WHERE spl_ven_id = ?1 AND ord_cncl_dts = ?2 \
         AND clm_no = ?3 AND clm_item_seq = ?4"
    )
});

/// Rows of a page kept by the sink that may be missing for [`page_of_kept_rows`] to read
/// them one by one: a point read costs a few microseconds, and the page is read on the
/// calling thread, so the work stays small and bounded.
const MAX_MISSING: usize = 8;

/// A page for a sink that keeps rows: the page's ids first (the index alone, or the
/// table's keys), then, in order, each row the sink holds written by it and each other row
/// read by its key. `None`, with nothing written, when the page is full (the start of a
/// long answer, whose rows are not kept) or more than [`MAX_MISSING`] rows are missing
/// (the page is then read in full, on a blocking thread).
fn page_by_ids(
    connection: &Connection,
    filter: &Filter,
    vendor: &str,
    limit: usize,
    sink: &mut dyn RowSink,
) -> Result<Option<(usize, Option<RowKey>)>, StoreError> {
    let mut ids = PageIds::new(vendor);
    {
        let mut statement = connection
            .prepare_cached(&filter.select_sql_of(ID_COLUMNS))
            .map_err(db_error)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut params = filter.bind();
        params.push((":limit", &limit));
        let mut rows = statement.query(params.as_slice()).map_err(db_error)?;
        while let Some(row) = rows.next().map_err(db_error)? {
            let columns = Columns(row);
            ids.push(columns.time(0)?, columns.text(1)?, columns.count(2)?);
        }
    }
    if ids.len() == limit {
        return Ok(None);
    }
    let found = ids.find_in(sink);
    let missing = found.iter().filter(|held| !**held).count();
    if missing > MAX_MISSING {
        sink.drop_held();
        return Ok(None);
    }
    let mut one = connection.prepare_cached(&ONE_ROW_SQL).map_err(db_error)?;
    for (index, held) in found.into_iter().enumerate() {
        if held {
            sink.held_row();
            continue;
        }
        let id = ids.get(index);
        let mut rows = one
            .query(rusqlite::params![
                id.vendor,
                id.canceled_at.unix_seconds(),
                id.clm_no,
                id.clm_item_seq
            ])
            .map_err(db_error)?;
        let row = rows
            .next()
            .map_err(db_error)?
            .ok_or_else(|| StoreError::internal("a claim line found by its id scan is gone"))?;
        let view = read_view(row)?;
        check_found(&id, &view)?;
        sink.row(&view).map_err(convert::corrupt)?;
    }
    Ok(Some((ids.len(), ids.last()?)))
}

/// Runs a page's statement, handing each row to `visit`; returns the rows seen.
fn visit_rows(
    connection: &Connection,
    filter: &Filter,
    limit: usize,
    mut visit: impl FnMut(&CancelRowRef<'_>) -> Result<(), StoreError>,
) -> Result<usize, StoreError> {
    let mut statement = connection
        .prepare_cached(&filter.select_sql())
        .map_err(db_error)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut params = filter.bind();
    params.push((":limit", &limit));
    let mut rows = statement.query(params.as_slice()).map_err(db_error)?;
    let mut count = 0;
    while let Some(row) = rows.next().map_err(db_error)? {
        visit(&read_view(row)?)?;
        count += 1;
    }
    Ok(count)
}

pub(crate) fn canceled_rows(
    connection: &Connection,
    filter: &Filter,
    limit: usize,
) -> Result<Vec<CancelRow>, StoreError> {
    let mut out = Vec::new();
    visit_rows(connection, filter, limit, |row| {
        out.push(row.to_owned_row().map_err(convert::corrupt)?);
        Ok(())
    })?;
    Ok(out)
}

/// A page for the holder of a key: the key's scope, then the rows into `sink`, on one
/// connection.
/// The scope of the key with hash `key` and its page's conditions; `None` for an unknown
/// or revoked key.
fn key_filter(
    connection: &mut Connection,
    key: &SecretHash,
    query: &InquiryQuery,
    after: Option<&RowKey>,
) -> Result<Option<(Scope, Filter)>, StoreError> {
    let mut sql = SqliteSql::new(connection, None);
    let scope = finish(claims_store::admin::scope_for_key(&mut sql, key))?;
    Ok(scope.map(|scope| {
        let filter = Filter::new(&scope, query, after);
        (scope, filter)
    }))
}

/// The page an unknown or revoked key gets: no scope, no rows.
const NO_PAGE: InquiryPage = InquiryPage {
    scope: None,
    rows: 0,
    last: None,
};

/// A page for the holder of a key, for a sink that keeps rows, read by ids
/// ([`page_by_ids`]): `None`, with nothing written, when it must be read in full instead.
pub(crate) fn page_of_kept_rows(
    connection: &mut Connection,
    key: &SecretHash,
    query: &InquiryQuery,
    after: Option<&RowKey>,
    limit: usize,
    sink: &mut dyn RowSink,
) -> Result<Option<InquiryPage>, StoreError> {
    let Some((scope, filter)) = key_filter(connection, key, query, after)? else {
        return Ok(Some(NO_PAGE));
    };
    let page = page_by_ids(connection, &filter, scope.vendor.as_str(), limit, sink)?;
    Ok(page.map(|(rows, last)| InquiryPage {
        scope: Some(scope),
        rows,
        last,
    }))
}

/// A page for the holder of a key, read in full.
pub(crate) fn inquiry_page(
    connection: &mut Connection,
    key: &SecretHash,
    query: &InquiryQuery,
    after: Option<&RowKey>,
    limit: usize,
    sink: &mut dyn RowSink,
) -> Result<InquiryPage, StoreError> {
    let Some((scope, filter)) = key_filter(connection, key, query, after)? else {
        return Ok(NO_PAGE);
    };
    let mut last = LastRow::default();
    let rows = visit_rows(connection, &filter, limit, |row| {
        sink.row(row).map_err(convert::corrupt)?;
        last.note(row);
        Ok(())
    })?;
    Ok(InquiryPage {
        scope: Some(scope),
        rows,
        last: last.into_key()?,
    })
}

pub(crate) fn count_canceled_rows(
    connection: &Connection,
    filter: &Filter,
    cap: usize,
) -> Result<usize, StoreError> {
    let sql = format!("SELECT count(*) FROM (SELECT 1 {} LIMIT :cap)", filter.sql);
    let mut statement = connection.prepare_cached(&sql).map_err(db_error)?;
    let cap = i64::try_from(cap).unwrap_or(i64::MAX);
    let mut params = filter.bind();
    params.push((":cap", &cap));
    let count: i64 = statement
        .query_row(params.as_slice(), |row| row.get(0))
        .map_err(db_error)?;
    Ok(usize::try_from(count).unwrap_or(usize::MAX))
}

/// Reads a row selected with the inquiry's columns as a view borrowing SQLite's buffers.
pub fn read_view<'row>(row: &'row Row<'_>) -> Result<CancelRowRef<'row>, StoreError> {
    convert::cancel_row(&Columns(row))
}

/// A SQLite row's inquiry columns.
struct Columns<'r, 's>(&'r Row<'s>);

impl<'r> RowColumns<'r> for Columns<'r, '_> {
    fn text(&self, index: usize) -> Result<&'r str, StoreError> {
        self.0
            .get_ref(index)
            .and_then(|value| value.as_str().map_err(rusqlite::Error::from))
            .map_err(db_error)
    }

    fn opt_text(&self, index: usize) -> Result<Option<&'r str>, StoreError> {
        self.0
            .get_ref(index)
            .and_then(|value| value.as_str_or_null().map_err(rusqlite::Error::from))
            .map_err(db_error)
    }

    fn count(&self, index: usize) -> Result<u32, StoreError> {
        u32::try_from(self.amount(index)?).map_err(|_| convert::corrupt(format!("column {index}")))
    }

    fn amount(&self, index: usize) -> Result<i64, StoreError> {
        self.0.get::<_, i64>(index).map_err(db_error)
    }

    fn time(&self, index: usize) -> Result<KstDateTime, StoreError> {
        convert::time(self.amount(index)?)
    }
}

#[cfg(test)]
mod tests {
    use claims_domain::{
        InquiryQuery, ItemSeq, ItemSeqs, KstDate, KstDateTime, OrderNo, OriginalOrder, Period,
        RowKey, Scope, VendorId,
    };
    use rusqlite::Connection;

    use super::Filter;

    fn plan(filter: &Filter) -> String {
        let mut connection = Connection::open_in_memory().unwrap();
        crate::schema::migrate(&mut connection).unwrap();
        let sql = format!("EXPLAIN QUERY PLAN {}", filter.select_sql());
        let mut statement = connection.prepare(&sql).unwrap();
        let mut params: Vec<(&str, &dyn rusqlite::ToSql)> = filter.bind();
        params.push((":limit", &10));
        let rows = statement
            .query_map(params.as_slice(), |row| row.get::<_, String>(3))
            .unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    fn scope(lower: Option<&str>) -> Scope {
        Scope {
            vendor: VendorId::parse("v", "0000012345").unwrap(),
            lower_rank: lower.map(|l| VendorId::parse("v", l).unwrap()),
        }
    }

    fn week() -> Period {
        Period::new(
            KstDate::parse_compact("20261122").unwrap(),
            KstDate::parse_compact("20261128").unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn a_page_statement_run_again_is_not_planned_again() {
        let mut connection = Connection::open_in_memory().unwrap();
        crate::schema::migrate(&mut connection).unwrap();
        crate::configure(&connection, &crate::SqliteOptions::default(), false).unwrap();
        let filter = Filter::new(&scope(None), &InquiryQuery::by_period(week()), None);
        // Each run takes the statement from the connection's cache and puts it back, which
        // clears its bindings; the limit differs between runs too.
        for limit in [10, 10, 1000, 10] {
            super::visit_rows(&connection, &filter, limit, |_| Ok(())).unwrap();
        }
        let statement = connection.prepare_cached(&filter.select_sql()).unwrap();
        assert_eq!(
            statement.get_status(rusqlite::StatementStatus::RePrepare),
            0
        );
    }

    #[test]
    fn a_period_inquiry_is_a_range_scan_in_answer_order() {
        let plan = plan(&Filter::new(
            &scope(None),
            &InquiryQuery::by_period(week()),
            None,
        ));
        assert_eq!(
            plan,
            "SEARCH claim_lines USING PRIMARY KEY (spl_ven_id=? AND ord_cncl_dts>? AND ord_cncl_dts<?)",
            "no table scan and no sort"
        );
    }

    #[test]
    fn a_lower_rank_vendors_inquiry_reads_only_its_own_rows() {
        let plan = plan(&Filter::new(
            &scope(Some("0000012346")),
            &InquiryQuery::by_period(week()),
            None,
        ));
        assert_eq!(
            plan,
            "SEARCH claim_lines USING INDEX claim_lines_by_lower_rank (lrnk_spl_ven_id=? AND ord_cncl_dts>? AND ord_cncl_dts<?)",
            "a range of the lower-rank vendor's rows, not its parent's, and no sort"
        );
    }

    #[test]
    fn the_next_page_starts_where_the_last_ended() {
        let after = RowKey {
            canceled_at: KstDateTime::parse("t", "2026-11-23 10:00:00").unwrap(),
            clm_no: claims_domain::ClaimNo::parse("o", "20261123000001").unwrap(),
            clm_item_seq: ItemSeq::new("s", 1).unwrap(),
        };
        let plan = plan(&Filter::new(
            &scope(None),
            &InquiryQuery::by_period(week()),
            Some(&after),
        ));
        assert!(
            plan.starts_with("SEARCH claim_lines USING PRIMARY KEY (spl_ven_id=?"),
            "{plan}"
        );
        assert!(
            !plan.contains("SCAN") && !plan.contains("TEMP B-TREE"),
            "{plan}"
        );
    }

    #[test]
    fn an_original_order_inquiry_uses_its_index() {
        let original = OriginalOrder {
            ord_no: OrderNo::parse("o", "20261120000A3F").unwrap(),
            item_seqs: Some(ItemSeqs::parse("s", "1,2").unwrap()),
        };
        for period in [None, Some(week())] {
            let query = InquiryQuery::new(period, Some(original.clone())).unwrap();
            let plan = plan(&Filter::new(&scope(None), &query, None));
            assert!(
                plan.starts_with("SEARCH claim_lines USING INDEX claim_lines_by_original (oror_no=? AND oror_item_seq=?"),
                "{plan}"
            );
            assert!(!plan.contains("SCAN claim_lines"), "{plan}");
        }
    }
}
