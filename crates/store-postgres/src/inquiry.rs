//! The inquiry's SQL: one table, one range scan; for a key's holder, the key lookup and the
//! page in one statement.

use claims_domain::{CancelRow, CancelRowRef, InquiryQuery, KstDateTime, RowKey, RowSink, Scope};
use claims_store::stored::{
    self, ID_COLUMNS, LastRow, PageIds, ROW_COLUMNS, RowColumns, check_found,
};
use claims_store::{InquiryPage, SecretHash, StoreError};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use crate::error::db_error;

type Param = Box<dyn ToSql + Sync + Send>;

/// Whose rows a statement reads.
pub(crate) enum Whose<'a> {
    /// A known scope.
    Scope(&'a Scope),
    /// The scope of the live API key with this hash, looked up in the same statement.
    Key(&'a SecretHash),
}

/// The conditions of an inquiry and its parameters. A period inquiry is a range scan of the
/// primary key (vendor, cancel time, claim number, line), which is also the answer's order;
/// a lower-rank vendor's, a range scan of `claim_lines_by_lower_rank` (its own rows in the
/// same order, never its parent's); an inquiry by original order number starts from
/// `claim_lines_by_original`.
pub(crate) struct Filter {
    /// Which rows the scope allows: conditions on a known scope, or `None` for the key's
    /// own, looked up in the same statement (see [`Filter::select_sql`]).
    scope: Option<String>,
    /// The query's own conditions, each starting with ` AND `.
    conditions: String,
    params: Vec<Param>,
}

/// The rows of a key's scope, in a statement where `k` is the key's row: one condition for
/// a key of a top-level vendor and one for a lower-rank vendor's, so that each is a range
/// scan of its own index (a single condition with an `OR` would scan the parent's rows
/// for a lower-rank key).
const KEY_SCOPES: [&str; 2] = [
    "k.lrnk_spl_ven_id IS NULL AND spl_ven_id = k.spl_ven_id",
    "lrnk_spl_ven_id = k.lrnk_spl_ven_id AND spl_ven_id = k.spl_ven_id",
];

impl Filter {
    pub(crate) fn new(whose: Whose<'_>, query: &InquiryQuery, after: Option<&RowKey>) -> Self {
        let mut filter = match whose {
            Whose::Scope(scope) => {
                let mut params: Vec<Param> = vec![Box::new(scope.vendor.as_str().to_owned())];
                let mut sql = String::from("spl_ven_id = $1");
                if let Some(lower) = &scope.lower_rank {
                    params.push(Box::new(lower.as_str().to_owned()));
                    sql.push_str(" AND lrnk_spl_ven_id = $2");
                }
                Self {
                    scope: Some(sql),
                    conditions: String::new(),
                    params,
                }
            }
            Whose::Key(hash) => Self {
                scope: None,
                conditions: String::new(),
                params: vec![Box::new(hash.0.to_vec())],
            },
        };
        if let Some(period) = query.period() {
            let (from, until) = period.bounds();
            filter.push(" AND ord_cncl_dts >= ", Box::new(from.timestamp()));
            filter.push(" AND ord_cncl_dts < ", Box::new(until.timestamp()));
        }
        if let Some(original) = query.original() {
            filter.push(
                " AND oror_no = ",
                Box::new(original.ord_no.as_str().to_owned()),
            );
            if let Some(seqs) = &original.item_seqs {
                let list: Vec<i32> = seqs.as_slice().iter().map(|s| s.get() as i32).collect();
                filter.push(" AND oror_item_seq = ANY(", Box::new(list));
                filter.conditions.push(')');
            }
        }
        if let Some(after) = after {
            let first = filter.params.len() + 1;
            filter.conditions.push_str(&format!(
                " AND (ord_cncl_dts, clm_no, clm_item_seq) > (${first}, ${}, ${})",
                first + 1,
                first + 2
            ));
            filter.params.push(Box::new(after.canceled_at.timestamp()));
            filter
                .params
                .push(Box::new(after.clm_no.as_str().to_owned()));
            filter
                .params
                .push(Box::new(after.clm_item_seq.get() as i32));
        }
        filter
    }

    fn push(&mut self, condition: &str, value: Param) {
        self.params.push(value);
        self.conditions.push_str(condition);
        self.conditions.push('$');
        self.conditions.push_str(&self.params.len().to_string());
    }

    fn next_placeholder(&self) -> String {
        format!("${}", self.params.len() + 1)
    }

    /// `columns` of a page of the rows `scope` allows, in answer order, up to the limit
    /// placeholder.
    fn page_sql(&self, columns: &str, scope: &str) -> String {
        format!(
            "SELECT {columns} FROM claim_lines WHERE {scope}{} \
             ORDER BY ord_cncl_dts, clm_no, clm_item_seq LIMIT {}",
            self.conditions,
            self.next_placeholder()
        )
    }

    /// The full SELECT of rows, in answer order, ending with a placeholder for the limit.
    /// By key, each result row starts with the key's vendor and lower-rank vendor; a live key
    /// without rows gives one row whose other columns are NULL, an unknown key none at all.
    pub(crate) fn select_sql(&self) -> String {
        self.select_sql_of(ROW_COLUMNS)
    }

    /// [`Filter::select_sql`] of `columns` only.
    fn select_sql_of(&self, columns: &str) -> String {
        match &self.scope {
            Some(scope) => self.page_sql(columns, scope),
            // Only one of the two pages can have rows (a key is narrowed or it is not);
            // the outer ORDER BY makes the answer's order explicit.
            None => format!(
                "SELECT k.spl_ven_id AS key_vendor, k.lrnk_spl_ven_id AS key_lower, c.* \
                 FROM (SELECT spl_ven_id, lrnk_spl_ven_id FROM api_keys \
                       WHERE key_hash = $1 AND revoked_at IS NULL) AS k \
                 LEFT JOIN LATERAL (({}) UNION ALL ({})) AS c ON true \
                 ORDER BY c.ord_cncl_dts, c.clm_no, c.clm_item_seq",
                self.page_sql(columns, KEY_SCOPES[0]),
                self.page_sql(columns, KEY_SCOPES[1])
            ),
        }
    }

    /// Counts the rows of a known scope, no further than the cap placeholder.
    fn count_sql(&self) -> String {
        let scope = self
            .scope
            .as_deref()
            .expect("rows are counted for a known scope");
        format!(
            "SELECT count(*) FROM (SELECT 1 FROM claim_lines WHERE {scope}{} LIMIT {}) AS capped",
            self.conditions,
            self.next_placeholder()
        )
    }

    fn params_with<'a>(&'a self, last: &'a (dyn ToSql + Sync)) -> Vec<&'a (dyn ToSql + Sync)> {
        let mut params: Vec<&(dyn ToSql + Sync)> = self
            .params
            .iter()
            .map(|p| p.as_ref() as &(dyn ToSql + Sync))
            .collect();
        params.push(last);
        params
    }
}

/// The exact statement and parameters the store runs for an inquiry page of a key's holder,
/// for benchmarks and `EXPLAIN`.
#[derive(Debug)]
pub struct RawInquiry {
    pub sql: String,
    /// The same page's id scan, which a server keeping rows runs instead of `sql` (and
    /// then reads in full only the rows it does not keep).
    pub ids_sql: String,
    params: Vec<Param>,
    limit: i64,
}

impl RawInquiry {
    pub fn new(
        key: &SecretHash,
        query: &InquiryQuery,
        after: Option<&RowKey>,
        limit: usize,
    ) -> Self {
        let filter = Filter::new(Whose::Key(key), query, after);
        Self {
            sql: filter.select_sql(),
            ids_sql: filter.select_sql_of(ID_COLUMNS),
            params: filter.params,
            limit: i64::try_from(limit).unwrap_or(i64::MAX),
        }
    }

    /// The parameters, in order.
    pub fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        let mut params: Vec<&(dyn ToSql + Sync)> = self
            .params
            .iter()
            .map(|p| p.as_ref() as &(dyn ToSql + Sync))
            .collect();
        params.push(&self.limit);
        params
    }
}

async fn query_rows(
    client: &impl GenericClient,
    filter: &Filter,
    columns: &str,
    limit: usize,
) -> Result<Vec<Row>, StoreError> {
    let statement = client
        .prepare_cached(&filter.select_sql_of(columns))
        .await
        .map_err(db_error)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    client
        .query(&statement, &filter.params_with(&limit))
        .await
        .map_err(db_error)
}

pub(crate) async fn canceled_rows(
    client: &impl GenericClient,
    scope: &Scope,
    query: &InquiryQuery,
    after: Option<&RowKey>,
    limit: usize,
) -> Result<Vec<CancelRow>, StoreError> {
    let filter = Filter::new(Whose::Scope(scope), query, after);
    query_rows(client, &filter, ROW_COLUMNS, limit)
        .await?
        .iter()
        .map(|row| read_view(row, 0)?.to_owned_row().map_err(stored::corrupt))
        .collect()
}

pub(crate) async fn inquiry_page(
    client: &impl GenericClient,
    key: &SecretHash,
    query: &InquiryQuery,
    after: Option<&RowKey>,
    limit: usize,
    sink: &mut dyn RowSink,
) -> Result<InquiryPage, StoreError> {
    let filter = Filter::new(Whose::Key(key), query, after);
    let by_ids = sink.keeps_rows();
    let columns = if by_ids { ID_COLUMNS } else { ROW_COLUMNS };
    let rows = query_rows(client, &filter, columns, limit).await?;
    let Some(first) = rows.first() else {
        return Ok(InquiryPage {
            scope: None,
            rows: 0,
            last: None,
        });
    };
    let scope = Scope {
        vendor: stored::vendor(first.try_get(0).map_err(db_error)?)?,
        lower_rank: stored::opt_vendor(first.try_get(1).map_err(db_error)?)?,
    };
    // A full page of ids is the start of a long answer, whose rows are not kept: it is
    // read again in full.
    if by_ids && rows.len() < limit {
        let (rows, last) = page_by_ids(client, &rows, scope.vendor.as_str(), sink).await?;
        return Ok(InquiryPage {
            scope: Some(scope),
            rows,
            last,
        });
    }
    let rows = if by_ids {
        query_rows(client, &filter, ROW_COLUMNS, limit).await?
    } else {
        rows
    };
    let mut last = LastRow::default();
    let mut count = 0;
    for row in &rows {
        // A live key without rows comes back as one row of NULLs after the key's columns.
        if row
            .try_get::<_, Option<&str>>(2 + 4)
            .map_err(db_error)?
            .is_none()
        {
            break;
        }
        let view = read_view(row, 2)?;
        sink.row(&view).map_err(stored::corrupt)?;
        last.note(&view);
        count += 1;
    }
    Ok(InquiryPage {
        scope: Some(scope),
        rows: count,
        last: last.into_key()?,
    })
}

/// The claim lines of one vendor with the given times, claim numbers and lines, in answer
/// order.
static ROWS_BY_ID_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT {ROW_COLUMNS} FROM claim_lines WHERE spl_ven_id = $1 \
         AND (ord_cncl_dts, clm_no, clm_item_seq) IN \
             (SELECT * FROM unnest($2::timestamptz[], $3::text[], $4::integer[])) \
         ORDER BY ord_cncl_dts, clm_no, clm_item_seq"
    )
});

/// A page for a sink that keeps rows, from its id scan (`rows`: the key's two columns, then
/// [`ID_COLUMNS`]): each row the sink holds written by it, the others read in one statement
/// by their keys and written in their places.
async fn page_by_ids(
    client: &impl GenericClient,
    rows: &[Row],
    vendor: &str,
    sink: &mut dyn RowSink,
) -> Result<(usize, Option<RowKey>), StoreError> {
    let mut ids = PageIds::new(vendor);
    for row in rows {
        // A live key without rows comes back as one row of NULLs after the key's columns.
        let Some(clm_no) = row.try_get::<_, Option<&str>>(2 + 1).map_err(db_error)? else {
            break;
        };
        let columns = Columns { row, offset: 2 };
        ids.push(columns.time(0)?, clm_no, columns.count(2)?);
    }
    let found = ids.find_in(sink);
    let missing: Vec<_> = ids
        .iter()
        .zip(&found)
        .filter(|(_, held)| !**held)
        .map(|(id, _)| id)
        .collect();
    let read = if missing.is_empty() {
        Vec::new()
    } else {
        let times: Vec<_> = missing
            .iter()
            .map(|id| id.canceled_at.timestamp())
            .collect();
        let clm_nos: Vec<_> = missing.iter().map(|id| id.clm_no).collect();
        let seqs: Vec<_> = missing
            .iter()
            .map(|id| i32::try_from(id.clm_item_seq).unwrap_or(i32::MAX))
            .collect();
        let statement = client
            .prepare_cached(&ROWS_BY_ID_SQL)
            .await
            .map_err(db_error)?;
        client
            .query(&statement, &[&vendor, &times, &clm_nos, &seqs])
            .await
            .map_err(db_error)?
    };
    let mut read = read.iter();
    for (id, held) in ids.iter().zip(found) {
        if held {
            sink.held_row();
            continue;
        }
        let row = read
            .next()
            .ok_or_else(|| StoreError::internal("a claim line found by its id scan is gone"))?;
        let view = read_view(row, 0)?;
        check_found(&id, &view)?;
        sink.row(&view).map_err(stored::corrupt)?;
    }
    Ok((ids.len(), ids.last()?))
}

pub(crate) async fn count_canceled_rows(
    client: &impl GenericClient,
    scope: &Scope,
    query: &InquiryQuery,
    cap: usize,
) -> Result<usize, StoreError> {
    let filter = Filter::new(Whose::Scope(scope), query, None);
    let statement = client
        .prepare_cached(&filter.count_sql())
        .await
        .map_err(db_error)?;
    let cap = i64::try_from(cap).unwrap_or(i64::MAX);
    let row = client
        .query_one(&statement, &filter.params_with(&cap))
        .await
        .map_err(db_error)?;
    let count: i64 = row.get(0);
    Ok(usize::try_from(count).unwrap_or(usize::MAX))
}

/// Reads the inquiry's columns, starting at column `offset`, as a view borrowing the row.
pub fn read_view(row: &Row, offset: usize) -> Result<CancelRowRef<'_>, StoreError> {
    stored::cancel_row(&Columns { row, offset })
}

/// A PostgreSQL row's inquiry columns, after `offset` columns of something else.
struct Columns<'r> {
    row: &'r Row,
    offset: usize,
}

impl<'r> RowColumns<'r> for Columns<'r> {
    fn text(&self, index: usize) -> Result<&'r str, StoreError> {
        self.row.try_get(self.offset + index).map_err(db_error)
    }

    fn opt_text(&self, index: usize) -> Result<Option<&'r str>, StoreError> {
        self.row.try_get(self.offset + index).map_err(db_error)
    }

    fn count(&self, index: usize) -> Result<u32, StoreError> {
        let value: i32 = self.row.try_get(self.offset + index).map_err(db_error)?;
        u32::try_from(value).map_err(|_| stored::corrupt(format!("column {index}: {value}")))
    }

    fn amount(&self, index: usize) -> Result<i64, StoreError> {
        self.row.try_get(self.offset + index).map_err(db_error)
    }

    fn time(&self, index: usize) -> Result<KstDateTime, StoreError> {
        let value: jiff::Timestamp = self.row.try_get(self.offset + index).map_err(db_error)?;
        stored::time(value.as_second())
    }
}
