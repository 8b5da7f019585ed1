//! One benchmark run on one store: the scenarios over HTTP against `ssg-claims serve`, and
//! the raw limit of the same statements.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use bytes::Bytes;
use claims_domain::Scope;
use claims_server::credentials::{issue_api_key, issue_token};
use claims_server::{Clock, INQUIRY_PATH, SystemClock};
use claims_store::{Role, SecretHash};
use claims_store_postgres::RawInquiry as PgInquiry;
use claims_store_sqlite::RawInquiry as SqliteInquiry;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};

use crate::dataset::Plan;
use crate::http::{self, MakeRequest, Pace};
use crate::lists::{self, List};
use crate::load::{Target, load};
use crate::measure::Measured;
use crate::raw;
use crate::scenarios::{self, Inquiry};
use crate::server::ServerProcess;

/// Settings of a run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub orders: u64,
    pub seconds: u64,
    pub concurrency: usize,
    pub server_binary: PathBuf,
    /// Run only these scenarios (`raw`, `json`, `xml`, `paced`, `original`, `lower`,
    /// `cancel`, `rows`, `kept`, `poll`, `stream`, `lists`); all when empty.
    pub only: Vec<String>,
}

impl Settings {
    fn wants(&self, scenario: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|s| s == scenario)
    }
}

/// The rows of a store's report.
#[derive(Debug, Clone)]
pub struct Line {
    pub store: &'static str,
    pub scenario: String,
    pub measured: Measured,
    /// The server's peak resident memory during the scenario, MiB (none for raw loops).
    pub peak_mib: Option<f64>,
    /// The server's CPU time per request, microseconds (none for raw loops).
    pub cpu_us: Option<f64>,
}

/// What one store's run found.
#[derive(Debug, Clone)]
pub struct Report {
    pub store: &'static str,
    pub load: Option<String>,
    pub lines: Vec<Line>,
    /// End-to-end ÷ raw for the period inquiry, per format.
    pub ratios: Vec<(String, f64)>,
    pub notes: Vec<String>,
}

/// Rows the server reads from the store at first (its page size); the raw loop uses the same
/// limit so that it runs the very same statements.
const FIRST_PAGE_LIMIT: usize = 1_000;

/// Claims a second while vendors poll, in the polling-under-change scenario.
const CLAIMS_PER_SECOND: f64 = 50.0;

/// Vendors the period scenario rotates through.
const ROTATION: u32 = 64;

pub(crate) fn request(
    method: &str,
    path: &str,
    headers: &[(hyper::header::HeaderName, String)],
    body: Bytes,
) -> Request<Full<Bytes>> {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "127.0.0.1");
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    builder.body(Full::new(body)).expect("a valid request")
}

fn period_body(format: &str, plan: &Plan) -> Bytes {
    let week = scenarios::last_week(plan);
    let (start, end) = (week.start().compact(), week.end().compact());
    match format {
        "xml" => Bytes::from(format!(
            "<request>\n\t<perdStrDts>{start}</perdStrDts>\n\t<perdEndDts>{end}</perdEndDts>\n</request>"
        )),
        _ => Bytes::from(format!(
            r#"{{"request": {{"perdStrDts": "{start}", "perdEndDts": "{end}"}}}}"#
        )),
    }
}

fn media(format: &str) -> &'static str {
    if format == "xml" {
        "application/xml"
    } else {
        "application/json"
    }
}

/// Last week's period inquiry in `format`, each request with the next of `keys` in turn.
fn period_requests(keys: &[Key], format: &str, plan: &Plan) -> MakeRequest {
    let keys: Vec<String> = keys.iter().map(|k| k.clear.clone()).collect();
    let body = period_body(format, plan);
    let media = media(format);
    Arc::new(move |n: u64| {
        let key = &keys[n as usize % keys.len()];
        request(
            "POST",
            INQUIRY_PATH,
            &[
                (AUTHORIZATION, key.clone()),
                (CONTENT_TYPE, media.into()),
                (ACCEPT, media.into()),
            ],
            body.clone(),
        )
    })
}

/// One-unit cancellations of `open` items in turn through the platform API, from the end of
/// the list when `from_end`.
fn cancellations(token: &str, open: &[(String, i64)], from_end: bool) -> MakeRequest {
    let token = token.to_owned();
    let open: Arc<[(String, i64)]> = open.into();
    Arc::new(move |n: u64| {
        let index = n as usize % open.len();
        let index = if from_end {
            open.len() - 1 - index
        } else {
            index
        };
        let (ord_no, seq) = &open[index];
        request(
            "POST",
            &format!("/v1/orders/{ord_no}/cancellations"),
            &[
                (AUTHORIZATION, format!("Bearer {token}")),
                (CONTENT_TYPE, "application/json".into()),
            ],
            Bytes::from(format!(
                r#"{{"items": [{{"ordItemSeq": {seq}, "qty": 1}}], "clmRsnCd": "251", "agentId": "bench"}}"#
            )),
        )
    })
}

/// An API key, in clear and hashed.
#[derive(Debug, Clone)]
struct Key {
    clear: String,
    hash: SecretHash,
}

/// Issues one API key per inquiry's scope.
async fn keys_for(target: &Target, inquiries: &[Inquiry]) -> anyhow::Result<Vec<Key>> {
    let store = target.store();
    let now = SystemClock.now();
    let mut keys = Vec::new();
    for inquiry in inquiries {
        let (_, secret) = issue_api_key(&*store, inquiry.scope.clone(), now).await?;
        keys.push(Key {
            clear: secret.expose().to_owned(),
            hash: secret.hash(),
        });
    }
    Ok(keys)
}

/// Items with open units near the end of the period, for the cancellation scenario.
async fn open_items(
    target: &Target,
    plan: &Plan,
    limit: usize,
) -> anyhow::Result<Vec<(String, i64)>> {
    let from = format!(
        "B{:013}",
        plan.orders
            .saturating_sub(plan.orders / plan.days.max(1) as u64 * 2)
    );
    let sql = format!(
        "SELECT ord_no, ord_item_seq FROM order_items WHERE ord_no >= '{from}' AND ord_no < 'C' \
         AND shipped_qty = 0 AND canceled_qty < qty ORDER BY ord_no LIMIT {limit}"
    );
    query_pairs(target, &sql).await
}

/// The (order number, item sequence) pairs `sql` selects, read on a connection of its own.
pub(crate) async fn query_pairs(target: &Target, sql: &str) -> anyhow::Result<Vec<(String, i64)>> {
    match target {
        Target::Sqlite { path, .. } => {
            let (path, sql) = (path.clone(), sql.to_owned());
            tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<(String, i64)>> {
                let connection = rusqlite::Connection::open(&path)?;
                let mut statement = connection.prepare(&sql)?;
                let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(rows.collect::<Result<_, _>>()?)
            })
            .await?
        }
        Target::Postgres { url, .. } => {
            let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
            tokio::spawn(connection);
            let rows = client.query(sql, &[]).await?;
            Ok(rows
                .iter()
                .map(|r| (r.get(0), i64::from(r.get::<_, i32>(1))))
                .collect())
        }
    }
}

async fn raw_limit(
    target: &Target,
    inquiries: &[Inquiry],
    keys: &[Key],
    settings: &Settings,
    which: raw::Statement,
) -> anyhow::Result<Measured> {
    let duration = Duration::from_secs(settings.seconds);
    match target {
        Target::Sqlite { path, .. } => {
            let queries: Vec<SqliteInquiry> = inquiries
                .iter()
                .zip(keys)
                .map(|(i, key)| {
                    SqliteInquiry::new(&key.hash, &i.scope, &i.query, None, FIRST_PAGE_LIMIT)
                })
                .collect();
            let path = PathBuf::from(path);
            let workers = settings.concurrency;
            tokio::task::spawn_blocking(move || {
                raw::sqlite(path, workers, duration, u64::MAX, Arc::new(queries), which)
            })
            .await?
        }
        Target::Postgres { url, .. } => {
            let queries: Vec<PgInquiry> = inquiries
                .iter()
                .zip(keys)
                .map(|(i, key)| PgInquiry::new(&key.hash, &i.query, None, FIRST_PAGE_LIMIT))
                .collect();
            raw::postgres(
                url,
                settings.concurrency,
                duration,
                u64::MAX,
                Arc::new(queries),
                which,
            )
            .await
        }
    }
}

/// What the server used during a scenario.
#[derive(Debug, Clone, Copy)]
struct Usage {
    peak_mib: f64,
    cpu_us_per_request: f64,
}

/// Runs `make` against the server, noting its peak memory and CPU time.
async fn over_http(
    server: &ServerProcess,
    settings: &Settings,
    pace: Pace,
    make: MakeRequest,
) -> anyhow::Result<(Measured, Usage)> {
    server.reset_peak()?;
    let cpu_before = server.cpu_seconds()?;
    let measured = http::run(
        server.address,
        settings.concurrency,
        Duration::from_secs(settings.seconds),
        u64::MAX,
        pace,
        make,
    )
    .await?;
    let cpu = server.cpu_seconds()? - cpu_before;
    Ok((
        measured.clone(),
        Usage {
            peak_mib: server.peak_kib()? as f64 / 1024.0,
            cpu_us_per_request: cpu * 1e6 / measured.requests().max(1) as f64,
        },
    ))
}

/// Sends one request and reads its body, returning the bytes read.
async fn one_request(
    server: &ServerProcess,
    request: Request<Full<Bytes>>,
) -> anyhow::Result<(u16, usize)> {
    let stream = tokio::net::TcpStream::connect(server.address).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    let mut body = response.into_body();
    let mut bytes = 0;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            bytes += data.len();
        }
    }
    Ok((status, bytes))
}

/// The period inquiry against one server, in both formats, measured against the raw limit.
struct PeriodRun<'a> {
    server: &'a ServerProcess,
    keys: &'a [Key],
    plan: &'a Plan,
    raw_rate: Option<f64>,
}

impl PeriodRun<'_> {
    /// Runs the closed loop in JSON, then XML (each after a second's warm-up when `warm`),
    /// adding a line and a ratio to `report` under "period inquiry, FORMAT, `label`".
    async fn both_formats(
        &self,
        label: &str,
        warm: bool,
        settings: &Settings,
        report: &mut Report,
    ) -> anyhow::Result<()> {
        for format in ["json", "xml"] {
            let make = period_requests(self.keys, format, self.plan);
            if warm {
                http::run(
                    self.server.address,
                    settings.concurrency,
                    Duration::from_secs(1),
                    u64::MAX,
                    Pace::ClosedLoop,
                    Arc::clone(&make),
                )
                .await?;
            }
            let (measured, usage) =
                over_http(self.server, settings, Pace::ClosedLoop, make).await?;
            let name = format!("{}, {label}", format.to_uppercase());
            if let Some(raw_rate) = self.raw_rate {
                report
                    .ratios
                    .push((name.clone(), measured.per_second() / raw_rate.max(1e-9)));
            }
            report.lines.push(Line {
                store: report.store,
                scenario: format!("period inquiry, {name}"),
                measured,
                peak_mib: Some(usage.peak_mib),
                cpu_us: Some(usage.cpu_us_per_request),
            });
        }
        Ok(())
    }
}

pub async fn run(database: &str, settings: &Settings) -> anyhow::Result<Report> {
    let target = Target::open(database, settings.concurrency.max(4)).await?;
    let plan = Plan::new(settings.orders);
    let store_name = target.name();
    let mut report = Report {
        store: store_name,
        load: None,
        lines: Vec::new(),
        ratios: Vec::new(),
        notes: Vec::new(),
    };

    let existing = target.order_count().await?;
    let expected = plan.orders + plan.stream_rows;
    if existing == 0 {
        let loaded = load(&target, &plan, 50_000, true).await?;
        report.load = Some(format!(
            "loaded {} orders ({} items, {} claim lines) in {:.1} s: {:.0} orders/s",
            loaded.orders,
            loaded.items,
            loaded.claim_lines,
            loaded.elapsed.as_secs_f64(),
            loaded.orders_per_second()
        ));
    } else if existing != expected {
        bail!(
            "the {store_name} database holds {existing} orders, not the {expected} of --orders {}: use an empty database",
            plan.orders
        );
    }

    // The inquiries, and keys for them.
    let period: Vec<Inquiry> = (0..ROTATION)
        .map(|n| scenarios::period(&plan, (n * 13 + 5) % plan.vendors))
        .collect();
    let originals = scenarios::originals(&target, 200).await?;
    let period_keys = keys_for(&target, &period).await?;
    let original_keys = keys_for(&target, &originals).await?;
    let stream_inquiry = Inquiry {
        name: "stream",
        scope: Scope {
            vendor: plan.stream_vendor(),
            lower_rank: None,
        },
        query: claims_domain::InquiryQuery::by_period(scenarios::last_week(&plan)),
    };
    let stream_key = keys_for(&target, std::slice::from_ref(&stream_inquiry))
        .await?
        .remove(0)
        .clear;
    let store = target.store();
    let label =
        claims_domain::Text::parse("label", "benchmark", claims_domain::order::rules::LABEL)?;
    let (_, token) = issue_token(&*store, Role::ServiceCenter, label, SystemClock.now()).await?;
    let token = token.expose().to_owned();
    let rows_per_answer = {
        let mut total = 0;
        for inquiry in &period {
            total += store
                .count_canceled_rows(&inquiry.scope, &inquiry.query, 100_000)
                .await?;
        }
        total as f64 / period.len() as f64
    };
    report.notes.push(format!(
        "period inquiry: 7 days ({}), {} vendors in rotation, {rows_per_answer:.0} rows per answer on average",
        scenarios::last_week(&plan).start().compact(),
        period.len()
    ));
    let open = open_items(&target, &plan, 50_000).await?;
    drop(store);

    // The service reading and encoding every answer (neither answers nor rows kept for
    // reuse), as the raw limit does; the scenarios with kept answers or rows run on servers
    // of their own.
    let server = ServerProcess::start_with(
        &settings.server_binary,
        database,
        settings.concurrency.max(4),
        &[
            ("SSG_CLAIMS_INQUIRY_CACHE_MIB", "0"),
            ("SSG_CLAIMS_INQUIRY_ROWS_CACHE_MIB", "0"),
        ],
    )?;
    let warm = period_requests(&period_keys, "json", &plan);
    http::run(
        server.address,
        settings.concurrency,
        Duration::from_secs(1),
        u64::MAX,
        Pace::ClosedLoop,
        warm,
    )
    .await?;

    // The raw limit of the period statement, then the service in both formats.
    let mut raw_rate = None;
    if settings.wants("raw") {
        let raw_period = raw_limit(
            &target,
            &period,
            &period_keys,
            settings,
            raw::Statement::Rows,
        )
        .await?;
        raw_rate = Some(raw_period.per_second());
        report.lines.push(Line {
            store: store_name,
            scenario: "raw: period statement".into(),
            measured: raw_period,
            peak_mib: None,
            cpu_us: None,
        });
    }
    let mut json_rate = 0.0;
    for format in ["json", "xml"] {
        // The JSON closed loop also sets the pace of the paced scenario.
        let needed = settings.wants(format) || (format == "json" && settings.wants("paced"));
        if !needed {
            continue;
        }
        let make = period_requests(&period_keys, format, &plan);
        let (measured, usage) = over_http(&server, settings, Pace::ClosedLoop, make).await?;
        let rate = measured.per_second();
        if format == "json" {
            json_rate = rate;
        }
        if let Some(raw_rate) = raw_rate {
            report
                .ratios
                .push((format.to_uppercase(), rate / raw_rate.max(1e-9)));
        }
        report.lines.push(Line {
            store: store_name,
            scenario: format!("period inquiry, {}", format.to_uppercase()),
            measured,
            peak_mib: Some(usage.peak_mib),
            cpu_us: Some(usage.cpu_us_per_request),
        });
    }

    // Half the peak rate, paced: the latency a moderately loaded service shows. Four times
    // as many connections as the closed loop, so that requests queue at the server, not
    // behind a busy connection of the generator.
    if settings.wants("paced") {
        let make = period_requests(&period_keys, "json", &plan);
        let paced = Settings {
            concurrency: settings.concurrency * 4,
            ..settings.clone()
        };
        let (measured, usage) =
            over_http(&server, &paced, Pace::Rate(json_rate / 2.0), make).await?;
        report.lines.push(Line {
            store: store_name,
            scenario: format!(
                "period inquiry, JSON, paced at {:.0}/s (half the peak), {} connections",
                json_rate / 2.0,
                paced.concurrency
            ),
            measured,
            peak_mib: Some(usage.peak_mib),
            cpu_us: Some(usage.cpu_us_per_request),
        });
    }

    // Inquiry by original order number.
    if settings.wants("original") {
        let raw_original = raw_limit(
            &target,
            &originals,
            &original_keys,
            settings,
            raw::Statement::Rows,
        )
        .await?;
        report.lines.push(Line {
            store: store_name,
            scenario: "raw: original-order statement".into(),
            measured: raw_original,
            peak_mib: None,
            cpu_us: None,
        });
        let bodies: Vec<Bytes> = originals
            .iter()
            .map(|inquiry| {
                let ord_no = inquiry
                    .query
                    .original()
                    .map(|o| o.ord_no.to_string())
                    .unwrap_or_default();
                Bytes::from(format!(r#"{{"request": {{"orordNo": "{ord_no}"}}}}"#))
            })
            .collect();
        let keys: Vec<String> = original_keys.iter().map(|k| k.clear.clone()).collect();
        let make: MakeRequest = Arc::new(move |n: u64| {
            let index = n as usize % keys.len();
            request(
                "POST",
                INQUIRY_PATH,
                &[
                    (AUTHORIZATION, keys[index].clone()),
                    (CONTENT_TYPE, "application/json".into()),
                ],
                bodies[index].clone(),
            )
        });
        let (measured, usage) = over_http(&server, settings, Pace::ClosedLoop, make).await?;
        report.lines.push(Line {
            store: store_name,
            scenario: "original-order inquiry, JSON".into(),
            measured,
            peak_mib: Some(usage.peak_mib),
            cpu_us: Some(usage.cpu_us_per_request),
        });
    }

    // A lower-rank vendor's week under a parent with a very large one: as cheap as any
    // vendor's week of the same size.
    if settings.wants("lower") {
        let lower = [scenarios::lower_rank_of_large_parent(&plan)];
        let lower_keys = keys_for(&target, &lower).await?;
        let store = target.store();
        let own = store
            .count_canceled_rows(&lower[0].scope, &lower[0].query, 100_000)
            .await?;
        let parent = store
            .count_canceled_rows(&stream_inquiry.scope, &stream_inquiry.query, 1_000_000)
            .await?;
        drop(store);
        let raw_lower =
            raw_limit(&target, &lower, &lower_keys, settings, raw::Statement::Rows).await?;
        report.lines.push(Line {
            store: store_name,
            scenario: "raw: lower-rank period statement".into(),
            measured: raw_lower,
            peak_mib: None,
            cpu_us: None,
        });
        let make = period_requests(&lower_keys, "json", &plan);
        let (measured, usage) = over_http(&server, settings, Pace::ClosedLoop, make).await?;
        report.lines.push(Line {
            store: store_name,
            scenario: format!("period inquiry, JSON, lower-rank key ({own} of {parent} rows)"),
            measured,
            peak_mib: Some(usage.peak_mib),
            cpu_us: Some(usage.cpu_us_per_request),
        });
    }

    // The flow's lists: each over HTTP, and the store's own read of the same rows.
    if settings.wants("lists") {
        let vendors: Vec<Inquiry> = lists::vendor_indexes(&plan)
            .into_iter()
            .map(|index| scenarios::period(&plan, index))
            .collect();
        let keys = keys_for(&target, &vendors).await?;
        let prepared =
            lists::prepare(&target, &plan, keys.into_iter().map(|k| k.clear).collect()).await?;
        for list in List::ALL {
            let rows = prepared.rows[list.index()];
            let measured = lists::store_limit(
                target.store(),
                &prepared,
                list,
                settings.concurrency,
                Duration::from_secs(settings.seconds),
            )
            .await?;
            let store_rate = measured.per_second();
            report.lines.push(Line {
                store: store_name,
                scenario: format!("store read: {} ({rows:.0} rows)", list.name()),
                measured,
                peak_mib: None,
                cpu_us: None,
            });
            let make = list.requests(&prepared);
            let (measured, usage) = over_http(&server, settings, Pace::ClosedLoop, make).await?;
            report.notes.push(format!(
                "{}: end-to-end / store read {:.2}",
                list.name(),
                measured.per_second() / store_rate.max(1e-9)
            ));
            report.lines.push(Line {
                store: store_name,
                scenario: format!("{}, JSON ({rows:.0} rows)", list.name()),
                measured,
                peak_mib: Some(usage.peak_mib),
                cpu_us: Some(usage.cpu_us_per_request),
            });
        }
    }

    // Rows kept for reuse, answers not: every answer is read afresh, as after a change of
    // its vendor, but the store reads the page's ids and the server writes the rows it
    // keeps (here, after the first round, all of them) without reading or encoding them.
    if settings.wants("rows") {
        if settings.wants("raw") {
            let raw_ids = raw_limit(
                &target,
                &period,
                &period_keys,
                settings,
                raw::Statement::Ids,
            )
            .await?;
            report.lines.push(Line {
                store: store_name,
                scenario: "raw: period ids statement".into(),
                measured: raw_ids,
                peak_mib: None,
                cpu_us: None,
            });
        }
        let rows = ServerProcess::start_with(
            &settings.server_binary,
            database,
            settings.concurrency.max(4),
            &[("SSG_CLAIMS_INQUIRY_CACHE_MIB", "0")],
        )?;
        let period = PeriodRun {
            server: &rows,
            keys: &period_keys,
            plan: &plan,
            raw_rate,
        };
        period
            .both_formats("rows kept", true, settings, &mut report)
            .await?;
    }

    // Answers kept for reuse (the default): the same week asked again while nothing of its
    // vendor changed is served without reading the rows.
    if settings.wants("kept") || settings.wants("poll") {
        let kept = ServerProcess::start(
            &settings.server_binary,
            database,
            settings.concurrency.max(4),
        )?;
        if settings.wants("kept") {
            let period = PeriodRun {
                server: &kept,
                keys: &period_keys,
                plan: &plan,
                raw_rate,
            };
            period
                .both_formats("answers kept", false, settings, &mut report)
                .await?;
        }
        // Polling under change: vendors poll their week while claims arrive at a steady
        // rate, each claim changing its vendor's count (so its kept answers are read again).
        if settings.wants("poll") && !open.is_empty() {
            // From the end of the list: items the cancellation scenario did not take.
            let claims = cancellations(&token, &open, true);
            let polls = period_requests(&period_keys, "json", &plan);
            let duration = Duration::from_secs(settings.seconds);
            let writing = http::run(
                kept.address,
                4,
                duration,
                u64::MAX,
                Pace::Rate(CLAIMS_PER_SECOND),
                claims,
            );
            let polling = over_http(&kept, settings, Pace::ClosedLoop, polls);
            let (written, polled) = tokio::join!(writing, polling);
            let (written, (polled, usage)) = (written?, polled?);
            report.lines.push(Line {
                store: store_name,
                scenario: format!(
                    "polling under change: period inquiry, JSON, {CLAIMS_PER_SECOND:.0} claims/s"
                ),
                measured: polled,
                peak_mib: Some(usage.peak_mib),
                cpu_us: Some(usage.cpu_us_per_request),
            });
            report.lines.push(Line {
                store: store_name,
                scenario: "polling under change: the claims (platform API)".into(),
                measured: written,
                peak_mib: None,
                cpu_us: None,
            });
        }
        drop(kept);
    }

    // Cancellations through the platform API, one unit at a time, of items still open.
    if settings.wants("cancel") && open.is_empty() {
        report
            .notes
            .push("no open items found: the cancellation scenario was skipped".into());
    } else if settings.wants("cancel") {
        let make = cancellations(&token, &open, false);
        let (measured, usage) = over_http(&server, settings, Pace::ClosedLoop, make).await?;
        report.lines.push(Line {
            store: store_name,
            scenario: "cancellation (platform API)".into(),
            measured,
            peak_mib: Some(usage.peak_mib),
            cpu_us: Some(usage.cpu_us_per_request),
        });
    }

    // One answer of the stream vendor's week, streamed: how much the server's memory grows.
    for format in ["json", "xml"]
        .into_iter()
        .filter(|_| settings.wants("stream"))
    {
        let rows = target
            .store()
            .count_canceled_rows(&stream_inquiry.scope, &stream_inquiry.query, 200_000)
            .await?;
        let baseline = server.rss_kib()?;
        server.reset_peak()?;
        let started = Instant::now();
        let media = media(format);
        let (status, bytes) = one_request(
            &server,
            request(
                "POST",
                INQUIRY_PATH,
                &[
                    (AUTHORIZATION, stream_key.clone()),
                    (CONTENT_TYPE, media.into()),
                    (ACCEPT, media.into()),
                ],
                period_body(format, &plan),
            ),
        )
        .await?;
        let took = started.elapsed();
        let peak = server.peak_kib()?;
        if status != 200 {
            bail!("the {rows}-row answer failed with HTTP {status}");
        }
        report.notes.push(format!(
            "{rows}-row answer, {}: {:.1} MB in {:.2} s; server RSS {:.1} MiB before, peak {:.1} MiB: grew {:.1} MiB",
            format.to_uppercase(),
            bytes as f64 / 1e6,
            took.as_secs_f64(),
            baseline as f64 / 1024.0,
            peak as f64 / 1024.0,
            (peak.saturating_sub(baseline)) as f64 / 1024.0
        ));
    }
    drop(server);
    Ok(report)
}

/// The report as text.
pub fn render(reports: &[Report], settings: &Settings) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "claims-bench: {} orders (+ the stream vendor's week), {} s per scenario, concurrency {}",
        settings.orders, settings.seconds, settings.concurrency
    );
    for report in reports {
        let _ = writeln!(out, "\n== {}", report.store);
        if let Some(load) = &report.load {
            let _ = writeln!(out, "{load}");
        }
        for note in &report.notes {
            let _ = writeln!(out, "{note}");
        }
        let _ = writeln!(
            out,
            "\n{:<66} {:>8} {:>7} {:>7} {:>8} {:>10} {:>9}  statuses",
            "scenario", "req/s", "p50 ms", "p99 ms", "p99.9 ms", "peak RSS", "CPU/req"
        );
        for line in &report.lines {
            let _ = writeln!(
                out,
                "{:<66} {:>8.0} {:>7.2} {:>7.2} {:>8.2} {:>10} {:>9}  {}",
                line.scenario,
                line.measured.per_second(),
                line.measured.millis(0.5),
                line.measured.millis(0.99),
                line.measured.millis(0.999),
                line.peak_mib
                    .map_or_else(|| "-".to_owned(), |mib| format!("{mib:.1} MiB")),
                line.cpu_us
                    .map_or_else(|| "-".to_owned(), |us| format!("{us:.0} us")),
                line.measured.status_summary()
            );
        }
        for (format, ratio) in &report.ratios {
            let _ = writeln!(out, "period inquiry {format} end-to-end/raw: {ratio:.2}");
        }
    }
    let min = reports
        .iter()
        .flat_map(|r| r.ratios.iter().map(|(_, ratio)| *ratio))
        .fold(f64::INFINITY, f64::min);
    if min.is_finite() {
        let _ = writeln!(out, "\ninquiry end-to-end/raw ratio: {min:.2}");
    } else {
        let _ = writeln!(
            out,
            "\ninquiry end-to-end/raw ratio: not measured (the raw scenario did not run)"
        );
    }
    out
}
