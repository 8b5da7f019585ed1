//! The inquiries a benchmark asks, chosen from the loaded data, and their query plans.

use claims_domain::{InquiryQuery, KstDate, OrderNo, OriginalOrder, Period, RowKey, Scope};
use claims_store_postgres::RawInquiry as PgInquiry;
use claims_store_sqlite::RawInquiry as SqliteInquiry;

use crate::dataset::Plan;
use crate::load::Target;

/// One inquiry: who asks, and what.
#[derive(Debug, Clone)]
pub struct Inquiry {
    pub name: &'static str,
    pub scope: Scope,
    pub query: InquiryQuery,
}

/// The last seven days of the dataset, ending the day before its end.
pub fn last_week(plan: &Plan) -> Period {
    let end = KstDate::of(plan.end).plus_days(-1);
    Period::new(end.plus_days(-6), end).expect("seven days")
}

/// A seven-day period inquiry of an ordinary vendor (about 90 rows at the default shape).
pub fn period(plan: &Plan, vendor: u32) -> Inquiry {
    Inquiry {
        name: "period",
        scope: Scope {
            vendor: plan.vendor_id(vendor),
            lower_rank: None,
        },
        query: InquiryQuery::by_period(last_week(plan)),
    }
}

/// The same period for a key narrowed to a lower-rank vendor.
pub fn lower_rank(plan: &Plan) -> Inquiry {
    // Every tenth vendor has lower-rank vendors.
    let vendor = 20 % plan.vendors;
    Inquiry {
        name: "period, lower-rank key",
        scope: Scope {
            vendor: plan.vendor_id(vendor),
            lower_rank: plan.lower_ranks(vendor).first().cloned(),
        },
        query: InquiryQuery::by_period(last_week(plan)),
    }
}

/// The same period for a key narrowed to the stream vendor's lower-rank vendor: about a
/// hundred rows of its own among its parent's `stream_rows` in the week.
pub fn lower_rank_of_large_parent(plan: &Plan) -> Inquiry {
    Inquiry {
        name: "period, lower-rank key of the stream vendor",
        scope: Scope {
            vendor: plan.stream_vendor(),
            lower_rank: Some(plan.stream_lower_rank()),
        },
        query: InquiryQuery::by_period(last_week(plan)),
    }
}

/// Original-order inquiries for orders with claims, as (vendor, order number) pairs found in
/// the data, spread over the whole period.
pub async fn originals(target: &Target, count: usize) -> anyhow::Result<Vec<Inquiry>> {
    // Claims spread evenly over the claim sequence, each with its order and a vendor of it.
    let sql = "SELECT spl_ven_id, oror_no FROM claim_lines \
               WHERE oror_no = (SELECT oror_no FROM claims WHERE claim_id = $1) LIMIT 1";
    let pairs: Vec<(String, String)> = match target {
        Target::Sqlite { path, .. } => {
            let path = path.clone();
            let sql = sql.replace("$1", "?1");
            tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<(String, String)>> {
                let connection = rusqlite::Connection::open(&path)?;
                let total: i64 = connection.query_row(
                    "SELECT coalesce(max(claim_id), 0) FROM claims",
                    [],
                    |r| r.get(0),
                )?;
                let step = (total / count.max(1) as i64).max(1);
                let mut statement = connection.prepare(&sql)?;
                let mut out = Vec::new();
                for n in 0..count as i64 {
                    if let Ok(pair) =
                        statement.query_row([1 + n * step], |r| Ok((r.get(0)?, r.get(1)?)))
                    {
                        out.push(pair);
                    }
                }
                Ok(out)
            })
            .await??
        }
        Target::Postgres { url, .. } => {
            let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
            tokio::spawn(connection);
            let total: i64 = client
                .query_one("SELECT coalesce(max(claim_id), 0) FROM claims", &[])
                .await?
                .get(0);
            let step = (total / count.max(1) as i64).max(1);
            let statement = client.prepare(sql).await?;
            let mut out = Vec::new();
            for n in 0..count as i64 {
                if let Some(row) = client.query_opt(&statement, &[&(1 + n * step)]).await? {
                    out.push((row.get(0), row.get(1)));
                }
            }
            out
        }
    };
    pairs
        .into_iter()
        .map(|(vendor, ord_no)| {
            Ok(Inquiry {
                name: "original order",
                scope: Scope {
                    vendor: claims_domain::VendorId::parse("splVenId", &vendor)?,
                    lower_rank: None,
                },
                query: InquiryQuery::new(
                    None,
                    Some(OriginalOrder {
                        ord_no: OrderNo::parse("orordNo", &ord_no)?,
                        item_seqs: None,
                    }),
                )
                .expect("a filter"),
            })
        })
        .collect::<Result<_, claims_domain::InvalidValue>>()
        .map_err(|err| anyhow::anyhow!("{err}"))
}

/// Prints the query plans of `inquiries` (with the first page's cursor for a next page).
/// Issues a key for each, since a page is read on a key's behalf.
pub async fn explain(target: &Target, inquiries: &[Inquiry]) -> anyhow::Result<String> {
    let mut out = String::new();
    for inquiry in inquiries {
        let store = target.store();
        let (_, key) = claims_server::credentials::issue_api_key(
            &*store,
            inquiry.scope.clone(),
            claims_server::Clock::now(&claims_server::SystemClock),
        )
        .await?;
        let key = key.hash();
        let first = store
            .canceled_rows(&inquiry.scope, &inquiry.query, None, 1)
            .await?;
        let cursor: Option<RowKey> = first.first().map(|row| row.key());
        for (label, after) in [("first page", None), ("next page", cursor.as_ref())] {
            if label == "next page" && after.is_none() {
                continue;
            }
            out.push_str(&format!(
                "-- {} ({label}), {}\n",
                inquiry.name,
                target.name()
            ));
            match target {
                Target::Postgres { url, .. } => {
                    let raw = PgInquiry::new(&key, &inquiry.query, after, 1_000);
                    let (client, connection) =
                        tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
                    tokio::spawn(connection);
                    out.push_str(&raw.sql);
                    out.push('\n');
                    let rows = client
                        .query(
                            &format!("EXPLAIN (ANALYZE, BUFFERS) {}", raw.sql),
                            &raw.params(),
                        )
                        .await?;
                    for row in rows {
                        out.push_str(row.get::<_, &str>(0));
                        out.push('\n');
                    }
                }
                Target::Sqlite { path, .. } => {
                    let raw =
                        SqliteInquiry::new(&key, &inquiry.scope, &inquiry.query, after, 1_000);
                    let path = path.clone();
                    let plan = tokio::task::spawn_blocking(move || -> anyhow::Result<String> {
                        let connection = rusqlite::Connection::open(&path)?;
                        let mut statement =
                            connection.prepare(&format!("EXPLAIN QUERY PLAN {}", raw.sql))?;
                        let lines: Vec<String> = statement
                            .query_map(raw.params().as_slice(), |row| row.get::<_, String>(3))?
                            .collect::<Result<_, _>>()?;
                        Ok(format!("{}\n{}\n", raw.sql, lines.join("\n")))
                    })
                    .await??;
                    out.push_str(&plan);
                }
            }
            out.push('\n');
        }
    }
    Ok(out)
}
