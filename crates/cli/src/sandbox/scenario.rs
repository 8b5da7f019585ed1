//! Scenario files: a marketplace day as TOML — where the clock starts, the vendors, and
//! the steps (at a time of day, or on a vendor's call) with the platform API's own bodies.
//! A file is read whole and checked before the day starts: every step's body is read into
//! the platform API's type, so a wrong field is refused by name, with the step's number.

use std::collections::BTreeMap;
use std::fmt;

use claims_domain::{KstDate, KstDateTime, VendorId, parse_advance};
use claims_server::app::sandbox::hooks::Trap;
use claims_server::app::sandbox::record::CallKind;
use claims_server::platform::dto::{CancellationBody, OrderBody, PickupBody, WithdrawalBody};
use serde::Deserialize;

/// The scenarios that ship in the binary: (name, what it plays, the file).
pub const BUILT_IN: &[(&str, &str, &str)] = &[
    (
        "marketplace-day",
        "a whole day from 09:00: orders, cancellations by customers and agents, cancel requests (one withdrawn), a late commit, deliveries, a return and an exchange, and each wire trap once",
        include_str!("../../scenarios/marketplace-day.toml"),
    ),
    (
        "window-edges",
        "cancellations placed where polling clients miss them: a second before midnight, in the gap between back-to-back windows, committed after a poll had covered their time",
        include_str!("../../scenarios/window-edges.toml"),
    ),
    (
        "flaky-ssg",
        "the wire traps only: an approval answered 91 that took effect, a 500 that did nothing, a release that answers after 35 s",
        include_str!("../../scenarios/flaky-ssg.toml"),
    ),
];

/// The receipt time an order placed without `ordRcpDts` carries until its step runs:
/// then it is the step's time.
pub const RECEIPT_AT_STEP: &str = "2000-01-01 00:00:00";

/// A scenario, checked.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    /// Where the clock starts (KST), or the real time.
    pub start: Option<KstDateTime>,
    pub vendors: Vec<Vendor>,
    pub steps: Vec<Step>,
    /// When the day ends, as written (resolved against the start when it plays).
    end: Option<When>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vendor {
    pub id: VendorId,
    pub name: String,
    /// The vendor it ranks under, for a lower-rank vendor.
    pub parent: Option<VendorId>,
}

/// A step: when it runs and what it does.
#[derive(Debug, Clone)]
pub struct Step {
    /// Its number in the file, from 1.
    pub number: usize,
    pub when: Trigger,
    pub what: What,
}

#[derive(Debug, Clone)]
pub enum Trigger {
    /// At a sandbox time.
    At(When),
    /// After a vendor's next call of a kind (`vendor`'s only, when named), `after` later.
    On {
        kind: CallKind,
        vendor: Option<String>,
        after_secs: i64,
    },
}

/// A time as a scenario writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// A time of day on the start's day, or `days` later (`"+1d 09:00:05"`).
    OfDay { days: i32, seconds: i64 },
    /// After the start (`"+00:00:05"`).
    AfterStart(i64),
}

impl When {
    /// The sandbox time it names, for a day that starts at `start`.
    pub fn resolve(self, start: KstDateTime) -> KstDateTime {
        match self {
            When::OfDay { days, seconds } => KstDate::of(start)
                .plus_days(days)
                .start()
                .plus_seconds(seconds),
            When::AfterStart(seconds) => start.plus_seconds(seconds),
        }
    }
}

/// What a step does.
#[derive(Debug, Clone)]
pub enum What {
    PlaceOrder(Box<OrderBody>),
    Cancel {
        ord_no: String,
        body: CancellationBody,
        by: By,
        /// A late commit: the claim carries the step's time but is made this much later.
        commit_after_secs: Option<i64>,
    },
    CancelRequest {
        ord_no: String,
        body: CancellationBody,
    },
    Withdraw {
        /// The request, or the latest one a step filed on this order.
        target: WithdrawTarget,
        body: WithdrawalBody,
        by: By,
    },
    Deliver {
        ord_no: String,
        item_seq: u32,
    },
    Pickup {
        ord_no: String,
        exchange: bool,
        body: PickupBody,
        by: By,
    },
    /// Jump the clock.
    Advance(String),
    /// Answer the next call of the trigger's kind this way.
    Trap(Trap),
}

impl What {
    pub fn name(&self) -> &'static str {
        match self {
            What::PlaceOrder(_) => "place_order",
            What::Cancel { .. } => "cancel",
            What::CancelRequest { .. } => "cancel_request",
            What::Withdraw { .. } => "withdraw",
            What::Deliver { .. } => "deliver",
            What::Pickup {
                exchange: false, ..
            } => "return",
            What::Pickup { exchange: true, .. } => "exchange",
            What::Advance(_) => "advance",
            What::Trap(trap) => trap.name(),
        }
    }

    /// The order it acts on.
    pub fn ord_no(&self) -> Option<&str> {
        match self {
            What::PlaceOrder(order) => Some(&order.ord_no),
            What::Cancel { ord_no, .. }
            | What::CancelRequest { ord_no, .. }
            | What::Deliver { ord_no, .. }
            | What::Pickup { ord_no, .. } => Some(ord_no),
            What::Withdraw {
                target: WithdrawTarget::Latest(ord_no),
                ..
            } => Some(ord_no),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WithdrawTarget {
    Request(String),
    Latest(String),
}

/// Who acts: the customer (through the storefront) or a service-center agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Customer,
    Agent,
}

/// A scenario that cannot be played: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Invalid {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    name: String,
    #[serde(default)]
    description: String,
    start: Option<String>,
    end: Option<String>,
    #[serde(default)]
    vendor: Vec<VendorFile>,
    #[serde(default)]
    step: Vec<toml::Table>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VendorFile {
    #[serde(rename = "splVenId")]
    spl_ven_id: String,
    name: String,
    #[serde(default)]
    parent: Option<String>,
}

/// The fields a step may have besides its action.
const STEP_FIELDS: &[&str] = &["at", "on", "after", "vendor", "trap"];
const ACTIONS: &[&str] = &[
    "place_order",
    "cancel",
    "cancel_request",
    "withdraw",
    "deliver",
    "return",
    "exchange",
    "advance",
];

impl Scenario {
    /// A built-in scenario by name, or a file by path.
    pub fn load(name_or_path: &str) -> Result<Scenario, Invalid> {
        if let Some((_, _, text)) = BUILT_IN.iter().find(|(name, ..)| *name == name_or_path) {
            return Scenario::parse(text);
        }
        let text = std::fs::read_to_string(name_or_path).map_err(|error| {
            Invalid(format!(
                "{name_or_path:?} is neither a built-in scenario ({}) nor a file that can be read: {error}",
                BUILT_IN
                    .iter()
                    .map(|(name, ..)| *name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        Scenario::parse(&text).map_err(|invalid| Invalid(format!("{name_or_path}: {invalid}")))
    }

    /// Reads and checks a scenario file's text.
    pub fn parse(text: &str) -> Result<Scenario, Invalid> {
        let file: File = toml::from_str(text).map_err(|error| Invalid(error.to_string()))?;
        let _ = file.description;
        let start = file
            .start
            .as_deref()
            .map(|start| KstDateTime::parse("start", start))
            .transpose()
            .map_err(|invalid| Invalid(invalid.to_string()))?;
        let end = file
            .end
            .as_deref()
            .map(|end| when("end", end))
            .transpose()?;
        let mut vendors = Vec::new();
        for (index, vendor) in file.vendor.iter().enumerate() {
            let at = |what: String| Invalid(format!("vendor {}: {what}", index + 1));
            let id = VendorId::parse("splVenId", vendor.spl_ven_id.trim())
                .map_err(|invalid| at(invalid.to_string()))?;
            let parent = vendor
                .parent
                .as_deref()
                .map(|parent| VendorId::parse("parent", parent.trim()))
                .transpose()
                .map_err(|invalid| at(invalid.to_string()))?;
            if vendor.name.trim().is_empty() {
                return Err(at("name: must not be empty".into()));
            }
            vendors.push(Vendor {
                id,
                name: vendor.name.trim().to_owned(),
                parent,
            });
        }
        let mut steps = Vec::new();
        // Customers of the orders placed so far, for cancellations by them.
        let mut customers: BTreeMap<String, String> = BTreeMap::new();
        for (index, table) in file.step.iter().enumerate() {
            let number = index + 1;
            let step = step(number, table, &customers)
                .map_err(|why| Invalid(format!("step {number}: {why}")))?;
            if let What::PlaceOrder(order) = &step.what {
                customers.insert(order.ord_no.clone(), order.customer_id.clone());
            }
            steps.push(step);
        }
        Ok(Scenario {
            name: file.name,
            start,
            vendors,
            steps,
            end,
        })
    }

    /// When the day ends, for a day that starts at `start`: the file's `end`, or a quarter
    /// of an hour after the last timed step (time for a careful client's next poll).
    pub fn end(&self, start: KstDateTime) -> KstDateTime {
        if let Some(end) = self.end {
            return end.resolve(start);
        }
        self.steps
            .iter()
            .filter_map(|step| match step.when {
                Trigger::At(when) => Some(when.resolve(start)),
                Trigger::On { .. } => None,
            })
            .max()
            .unwrap_or(start)
            .plus_seconds(15 * 60)
    }
}

/// Reads one step.
fn step(
    number: usize,
    table: &toml::Table,
    customers: &BTreeMap<String, String>,
) -> Result<Step, String> {
    for key in table.keys() {
        if !STEP_FIELDS.contains(&key.as_str()) && !ACTIONS.contains(&key.as_str()) {
            return Err(format!(
                "unknown field `{key}`; a step takes {} and one action of {}",
                STEP_FIELDS.join(", "),
                ACTIONS.join(", ")
            ));
        }
    }
    let text = |field: &str| -> Result<Option<&str>, String> {
        match table.get(field) {
            None => Ok(None),
            Some(toml::Value::String(text)) => Ok(Some(text.as_str())),
            Some(other) => Err(format!(
                "{field}: must be a string, got {}",
                other.type_str()
            )),
        }
    };
    let trap = text("trap")?
        .map(|name| {
            Trap::parse(name).ok_or_else(|| {
                format!(
                    "trap: {name:?} is not a trap; one of answer-91-but-done, answer-500, slow-then-done"
                )
            })
        })
        .transpose()?;
    let when = match (text("at")?, text("on")?) {
        (Some(at), None) => {
            if table.contains_key("after") || table.contains_key("vendor") {
                return Err("after and vendor go with on (a call), not with at".into());
            }
            Trigger::At(when("at", at).map_err(|invalid| invalid.0)?)
        }
        (None, Some(on)) => {
            let kind = CallKind::trigger(on).ok_or_else(|| {
                let names: Vec<&str> = CallKind::TRIGGERS.iter().map(|k| k.name()).collect();
                format!("on: {on:?} is not a call; one of {}", names.join(", "))
            })?;
            let vendor = text("vendor")?
                .map(|id| {
                    VendorId::parse("vendor", id.trim())
                        .map(|id| id.to_string())
                        .map_err(|invalid| invalid.to_string())
                })
                .transpose()?;
            let after_secs = text("after")?
                .map(|after| duration("after", after))
                .transpose()?
                .unwrap_or(0);
            Trigger::On {
                kind,
                vendor,
                after_secs,
            }
        }
        (Some(_), Some(_)) => return Err("give at (a time) or on (a call), not both".into()),
        (None, None) => return Err("give at (a time of day) or on (a vendor's call)".into()),
    };
    let actions: Vec<&str> = ACTIONS
        .iter()
        .copied()
        .filter(|action| table.contains_key(*action))
        .collect();
    let what = match (actions.as_slice(), trap) {
        ([], Some(trap)) => {
            if !matches!(when, Trigger::On { .. }) {
                return Err(
                    "trap: a trap waits for a call; give on = \"approve\" (or another call)".into(),
                );
            }
            What::Trap(trap)
        }
        ([action], None) => action_of(action, &table[*action], customers)?,
        ([], None) => {
            return Err(format!(
                "no action; give one of {} (or a trap with on)",
                ACTIONS.join(", ")
            ));
        }
        (_, Some(_)) => return Err("a step has an action or a trap, not both".into()),
        (many, None) => return Err(format!("one action per step, got {}", many.join(" and "))),
    };
    Ok(Step { number, when, what })
}

/// Reads an action's value.
fn action_of(
    action: &str,
    value: &toml::Value,
    customers: &BTreeMap<String, String>,
) -> Result<What, String> {
    let table = || -> Result<toml::Table, String> {
        match value {
            toml::Value::Table(table) => Ok(table.clone()),
            other => Err(format!(
                "{action}: must be a table {{ … }}, got {}",
                other.type_str()
            )),
        }
    };
    // Takes a field the platform body does not have.
    let take = |table: &mut toml::Table, field: &str| -> Result<Option<String>, String> {
        match table.remove(field) {
            None => Ok(None),
            Some(toml::Value::String(text)) => Ok(Some(text)),
            Some(toml::Value::Integer(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(format!(
                "{action}.{field}: must be a string, got {}",
                other.type_str()
            )),
        }
    };
    let body = |table: toml::Table| -> Result<_, String> { Ok(toml::Value::Table(table)) };
    let read = |what: &str, value: toml::Value| -> Result<serde_json::Value, String> {
        serde_json::to_value(value).map_err(|error| format!("{what}: {error}"))
    };
    fn typed<T: serde::de::DeserializeOwned>(
        action: &str,
        value: serde_json::Value,
    ) -> Result<T, String> {
        serde_path_to_error::deserialize(value).map_err(|error| {
            let path = error.path().to_string();
            if path == "." {
                format!("{action}: {}", error.inner())
            } else {
                format!("{action}.{path}: {}", error.inner())
            }
        })
    }
    let by = |table: &mut toml::Table, default: By| -> Result<By, String> {
        match take(table, "by")?.as_deref() {
            None => Ok(default),
            Some("customer") => Ok(By::Customer),
            Some("agent") => Ok(By::Agent),
            Some(other) => Err(format!(
                "{action}.by: {other:?} is neither \"customer\" nor \"agent\""
            )),
        }
    };
    let ord_no = |table: &mut toml::Table| -> Result<String, String> {
        take(table, "ordNo")?.ok_or_else(|| format!("{action}.ordNo: missing: name the order"))
    };
    // Who acts names themselves as the platform body wants.
    let actor = |table: &mut toml::Table, by: By, ord_no: &str| -> Result<(), String> {
        match by {
            By::Customer if !table.contains_key("customerId") => {
                let customer = customers.get(ord_no).ok_or_else(|| {
                    format!("{action}.customerId: missing, and no earlier step places order {ord_no} to take it from")
                })?;
                table.insert("customerId".into(), toml::Value::String(customer.clone()));
            }
            By::Agent if !table.contains_key("agentId") => {
                table.insert(
                    "agentId".into(),
                    toml::Value::String("sandbox-agent".into()),
                );
            }
            _ => {}
        }
        Ok(())
    };
    Ok(match action {
        "place_order" => {
            let mut table = table()?;
            // The storefront's receipt time is the step's own unless the file gives one.
            table
                .entry("ordRcpDts")
                .or_insert_with(|| toml::Value::String(RECEIPT_AT_STEP.into()));
            let order: OrderBody = typed(action, read(action, body(table)?)?)?;
            order
                .to_order()
                .map_err(|invalid| format!("{action}.{invalid}"))?;
            What::PlaceOrder(Box::new(order))
        }
        "cancel" | "cancel_request" => {
            let mut table = table()?;
            let ord_no = ord_no(&mut table)?;
            let by = by(
                &mut table,
                if action == "cancel" {
                    By::Customer
                } else {
                    By::Agent
                },
            )?;
            if action == "cancel_request" && by != By::Agent {
                return Err("cancel_request.by: only an agent files a cancel request".into());
            }
            let commit_after_secs = take(&mut table, "commit_after")?
                .map(|after| duration(&format!("{action}.commit_after"), &after))
                .transpose()?;
            if action == "cancel_request" && commit_after_secs.is_some() {
                return Err("cancel_request.commit_after: only a cancel commits late".into());
            }
            actor(&mut table, by, &ord_no)?;
            let body: CancellationBody = typed(action, read(action, body(table)?)?)?;
            let role = match by {
                By::Customer => claims_store::Role::Storefront,
                By::Agent => claims_store::Role::ServiceCenter,
            };
            body.to_command(role)
                .map_err(|invalid| format!("{action}.{invalid}"))?;
            if action == "cancel" {
                What::Cancel {
                    ord_no,
                    body,
                    by,
                    commit_after_secs,
                }
            } else {
                What::CancelRequest { ord_no, body }
            }
        }
        "withdraw" => {
            let mut table = table()?;
            let target =
                match (take(&mut table, "requestId")?, take(&mut table, "ordNo")?) {
                    (Some(id), None) => WithdrawTarget::Request(id),
                    (None, Some(ord_no)) => WithdrawTarget::Latest(ord_no),
                    _ => return Err(
                        "withdraw: give ordNo (the latest request a step filed on it) or requestId"
                            .into(),
                    ),
                };
            let by = by(&mut table, By::Agent)?;
            let ord_no = match &target {
                WithdrawTarget::Latest(ord_no) => ord_no.clone(),
                WithdrawTarget::Request(_) => String::new(),
            };
            actor(&mut table, by, &ord_no)?;
            let body: WithdrawalBody = typed(action, read(action, body(table)?)?)?;
            What::Withdraw { target, body, by }
        }
        "deliver" => {
            let mut table = table()?;
            let ord_no = ord_no(&mut table)?;
            let seq = take(&mut table, "ordItemSeq")?
                .ok_or_else(|| "deliver.ordItemSeq: missing".to_owned())?;
            let item_seq = seq
                .parse::<u32>()
                .ok()
                .filter(|seq| *seq >= 1)
                .ok_or_else(|| {
                    format!("deliver.ordItemSeq: must be a number from 1, got {seq:?}")
                })?;
            if let Some(field) = table.keys().next() {
                return Err(format!(
                    "deliver.{field}: unknown field; deliver takes ordNo and ordItemSeq"
                ));
            }
            What::Deliver { ord_no, item_seq }
        }
        "return" | "exchange" => {
            let mut table = table()?;
            let ord_no = ord_no(&mut table)?;
            let by = by(&mut table, By::Customer)?;
            actor(&mut table, by, &ord_no)?;
            let body: PickupBody = typed(action, read(action, body(table)?)?)?;
            What::Pickup {
                ord_no,
                exchange: action == "exchange",
                body,
                by,
            }
        }
        _ => {
            let toml::Value::String(advance) = value else {
                return Err(format!(
                    "advance: must be an ISO 8601 duration such as \"PT2H\", got {}",
                    value.type_str()
                ));
            };
            parse_advance("advance", advance).map_err(|invalid| invalid.to_string())?;
            What::Advance(advance.clone())
        }
    })
}

/// Reads a time as a scenario writes it: `"09:00:05"`, `"+1d 09:00:05"`, `"+00:00:05"`.
fn when(field: &str, text: &str) -> Result<When, Invalid> {
    let invalid = || {
        Invalid(format!(
            "{field}: {text:?} is not a time; write \"09:00:05\" (that day), \"+1d 09:00:05\" (a later day) or \"+00:00:05\" (after the start)"
        ))
    };
    let clock = |hms: &str| -> Option<i64> {
        let parts: Vec<&str> = hms.split(':').collect();
        let [h, m, s] = parts.as_slice() else {
            return None;
        };
        let (h, m, s): (i64, i64, i64) = (h.parse().ok()?, m.parse().ok()?, s.parse().ok()?);
        (h >= 0 && (0..60).contains(&m) && (0..60).contains(&s)).then_some(h * 3600 + m * 60 + s)
    };
    let text = text.trim();
    if let Some(rest) = text.strip_prefix('+') {
        if let Some((days, hms)) = rest.split_once(' ') {
            let days: i32 = days
                .strip_suffix('d')
                .and_then(|d| d.parse().ok())
                .filter(|d| (0..=366).contains(d))
                .ok_or_else(invalid)?;
            let seconds = clock(hms.trim())
                .filter(|s| *s < 86_400)
                .ok_or_else(invalid)?;
            return Ok(When::OfDay { days, seconds });
        }
        return clock(rest).map(When::AfterStart).ok_or_else(invalid);
    }
    let seconds = clock(text).filter(|s| *s < 86_400).ok_or_else(invalid)?;
    Ok(When::OfDay { days: 0, seconds })
}

/// A short duration: `"1s"`, `"3m"`, `"2h"`, or ISO 8601 (`"PT3M"`).
fn duration(field: &str, text: &str) -> Result<i64, String> {
    let seconds = parse_advance(field, text).map_err(|invalid| invalid.to_string())?;
    if seconds < 0 {
        return Err(format!("{field}: must not be negative, got {text:?}"));
    }
    Ok(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_scenario_is_valid() {
        for (name, _, text) in BUILT_IN {
            let scenario = Scenario::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(&scenario.name, name);
            assert!(!scenario.steps.is_empty(), "{name}");
        }
    }

    #[test]
    fn a_wrong_field_is_named_with_its_step() {
        let bad = |steps: &str| {
            let text = format!("name = \"x\"\nstart = \"2026-12-08 09:00:00\"\n{steps}");
            Scenario::parse(&text).unwrap_err().0
        };
        let order = r#"[[step]]
at = "09:00:00"
place_order = { ordNo = "S1", ordpeNm = "김하나", customerId = "c-1", ordRcpMediaCd = "30", items = [ { ordItemSeq = 1, itemId = "1", itemNm = "우유", qty = 3, unitPrice = 4500, splVenId = "0000012345" } ] }
"#;
        assert!(Scenario::parse(&format!("name = \"x\"\n{order}")).is_ok());
        let wrong = bad(&format!(
            "{order}[[step]]\nat = \"09:10:00\"\ncancel = {{ ordNo = \"S1\", items = [ {{ ordItemSeq = 1, qtty = 1 }} ], clmRsnCd = \"251\" }}\n"
        ));
        assert!(wrong.starts_with("step 2: cancel.items[0]"), "{wrong}");
        assert!(wrong.contains("qtty"), "{wrong}");
        let wrong = bad("[[step]]\nat = \"25:00:00\"\nadvance = \"PT1H\"\n");
        assert!(wrong.starts_with("step 1: at:"), "{wrong}");
        let wrong = bad("[[step]]\non = \"approve\"\ntrap = \"answer-92\"\n");
        assert!(wrong.contains("step 1: trap: \"answer-92\""), "{wrong}");
        let wrong = bad("[[step]]\nat = \"09:00:00\"\ntrap = \"answer-500\"\n");
        assert!(wrong.contains("waits for a call"), "{wrong}");
        let wrong = bad(
            "[[step]]\nat = \"09:00:00\"\ncancel = { ordNo = \"S9\", items = [ { ordItemSeq = 1, qty = 1 } ], clmRsnCd = \"251\" }\n",
        );
        assert!(wrong.contains("no earlier step places order S9"), "{wrong}");
        let wrong = bad(&format!(
            "{order}[[step]]\nat = \"09:01:00\"\nplace_orders = {{}}\n"
        ));
        assert!(
            wrong.starts_with("step 2: unknown field `place_orders`"),
            "{wrong}"
        );
        // A TOML error keeps its line.
        let wrong = Scenario::parse("name = \"x\"\n[[step]\n").unwrap_err().0;
        assert!(wrong.contains("line 2"), "{wrong}");
    }

    #[test]
    fn times_are_read_as_a_day_and_a_time() {
        let start = KstDateTime::parse("s", "2026-12-08 09:00:00").unwrap();
        let at = |text| when("at", text).unwrap().resolve(start).to_wire();
        assert_eq!(at("09:00:05"), "2026-12-08 09:00:05");
        assert_eq!(at("+1d 00:00:01"), "2026-12-09 00:00:01");
        assert_eq!(at("+00:10:00"), "2026-12-08 09:10:00");
        assert_eq!(at("+26:00:00"), "2026-12-09 11:00:00");
        assert!(when("at", "9").is_err());
        assert!(when("at", "+1x 09:00:00").is_err());
    }
}
