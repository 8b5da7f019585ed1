//! The inquiry's SQL: one table, one range scan.

use claims_domain::{CancelRow, CostLine, InquiryQuery, RowKey, Scope};
use claims_store::{StoreError, stored};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use crate::error::db_error;

/// The columns of a row, in the order [`read_row`] expects.
pub(crate) const ROW_COLUMNS: &str = "ordpe_nm, ord_rcp_media_cd, oror_no, oror_item_seq, \
     clm_no, clm_item_seq, item_nm, item_id, clm_rsn_cd, clm_rsn_cntt, impt_div_cd, \
     ord_cncl_dts, cncl_item_qty, ord_rcp_dts, dirc_item_qty, uitem_id, uitem_nm, \
     shpmt_shppcst, ret_shppcst, exch_shppcst, spl_ven_bdn_dc_amt, spl_ven_id, lrnk_spl_ven_id";

type Param = Box<dyn ToSql + Sync + Send>;

/// The `FROM … WHERE …` of an inquiry and its parameters. A period inquiry is a range scan
/// of the primary key (vendor, cancel time, claim number, line), which is also the answer's
/// order; an inquiry by original order number starts from `claim_lines_by_original`.
pub(crate) struct Filter {
    sql: String,
    params: Vec<Param>,
}

impl Filter {
    pub(crate) fn new(scope: &Scope, query: &InquiryQuery, after: Option<&RowKey>) -> Self {
        let mut filter = Self {
            sql: String::from("FROM claim_lines WHERE spl_ven_id = $1"),
            params: vec![Box::new(scope.vendor.as_str().to_owned())],
        };
        if let Some(lower) = &scope.lower_rank {
            filter.push(
                " AND lrnk_spl_ven_id = ",
                Box::new(lower.as_str().to_owned()),
            );
        }
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
                filter.sql.push(')');
            }
        }
        if let Some(after) = after {
            let first = filter.params.len() + 1;
            filter.sql.push_str(&format!(
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
        self.sql.push_str(condition);
        self.sql.push('$');
        self.sql.push_str(&self.params.len().to_string());
    }

    fn next_placeholder(&self) -> String {
        format!("${}", self.params.len() + 1)
    }

    /// The full SELECT of rows, in answer order, ending with a placeholder for the limit.
    pub(crate) fn select_sql(&self) -> String {
        format!(
            "SELECT {ROW_COLUMNS} {} ORDER BY ord_cncl_dts, clm_no, clm_item_seq LIMIT {}",
            self.sql,
            self.next_placeholder()
        )
    }

    fn count_sql(&self) -> String {
        format!(
            "SELECT count(*) FROM (SELECT 1 {} LIMIT {}) AS capped",
            self.sql,
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

/// The exact statement and parameters the store runs for an inquiry page, for benchmarks
/// and `EXPLAIN`.
#[derive(Debug)]
pub struct RawInquiry {
    pub sql: String,
    params: Vec<Param>,
    limit: i64,
}

impl RawInquiry {
    pub fn new(scope: &Scope, query: &InquiryQuery, after: Option<&RowKey>, limit: usize) -> Self {
        let filter = Filter::new(scope, query, after);
        Self {
            sql: filter.select_sql(),
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

pub(crate) async fn canceled_rows(
    client: &impl GenericClient,
    filter: &Filter,
    limit: usize,
) -> Result<Vec<CancelRow>, StoreError> {
    let statement = client
        .prepare_cached(&filter.select_sql())
        .await
        .map_err(db_error)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = client
        .query(&statement, &filter.params_with(&limit))
        .await
        .map_err(db_error)?;
    rows.iter().map(read_row).collect()
}

pub(crate) async fn count_canceled_rows(
    client: &impl GenericClient,
    filter: &Filter,
    cap: usize,
) -> Result<usize, StoreError> {
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

fn time(row: &Row, index: usize) -> Result<claims_domain::KstDateTime, StoreError> {
    let value: jiff::Timestamp = row.try_get(index).map_err(db_error)?;
    stored::time(value.as_second())
}

/// Reads a row selected with the inquiry's columns into a domain row.
pub fn read_row(row: &Row) -> Result<CancelRow, StoreError> {
    let text = |index: usize| row.try_get::<_, String>(index).map_err(db_error);
    let int = |index: usize| {
        row.try_get::<_, i32>(index)
            .map(i64::from)
            .map_err(db_error)
    };
    let big = |index: usize| row.try_get::<_, i64>(index).map_err(db_error);
    Ok(CancelRow {
        ordpe_nm: stored::text(text(0)?),
        media: stored::media(&text(1)?)?,
        oror_no: stored::order_no(&text(2)?)?,
        oror_item_seq: stored::seq(int(3)?)?,
        clm_no: stored::order_no(&text(4)?)?,
        clm_item_seq: stored::seq(int(5)?)?,
        item_nm: stored::text(text(6)?),
        item_id: stored::text(text(7)?),
        reason: stored::reason(&text(8)?)?,
        reason_text: stored::text(text(9)?),
        fault: stored::fault(&text(10)?)?,
        canceled_at: time(row, 11)?,
        qty: stored::qty(int(12)?)?,
        received_at: time(row, 13)?,
        ordered_qty: stored::qty(int(14)?)?,
        uitem_id: stored::text(text(15)?),
        uitem_nm: stored::text(text(16)?),
        cost: vec![CostLine {
            shpmt_shppcst: stored::won(big(17)?)?,
            ret_shppcst: stored::won(big(18)?)?,
            exch_shppcst: stored::won(big(19)?)?,
            spl_ven_bdn_dc_amt: stored::won(big(20)?)?,
            vendor: stored::vendor(&text(21)?)?,
            lower_rank: stored::opt_vendor(
                row.try_get::<_, Option<String>>(22)
                    .map_err(db_error)?
                    .as_deref(),
            )?,
        }],
    })
}
