//! Golden tests for SSG's return and exchange pickup calls: the exact bytes of
//! `listExchangeTarget` in both formats (none as `[""]`, one row as the object, several as an
//! array), an exchange's replacement as the shipping lists show it, the refusals only these
//! calls give with SSG's own words, and how their requests are read.
//! `cargo insta review` accepts an intended change.

use claims_domain::{
    Actor, AgentId, Blame, CostLine, CustomerId, ExchangeOf, ExchangeReason, ItemSeq, ItemState,
    KstDateTime, NewOrderItem, OrderNo, PickupCarrier, PickupClaim, PickupConfirmation, PickupDate,
    PickupKind, PickupLine, PickupListing, PickupLookup, PickupReason, PickupStatus, Quantity,
    Recipient, RefusalReason, Replacement, ReplacementStatus, ReturnReason, ShippingItem,
    ShippingNo, Text, VendorId, Waybill, Won, auto_completes_at, replacement_state,
};
use claims_wire::calls::{ShippingList, decode_shipping_list, encode_rows, shipping_row};
use claims_wire::pickups::{
    PICKUP_LISTING, decode_pickup_list, decode_pickup_refusal, decode_pickup_step, pickup_row,
};
use claims_wire::{Failure, Field, Format, Lang, Missing, Refusal, encode_failure};

fn text(value: &str) -> Text {
    Text::from_stored(value.to_owned())
}

fn won(amount: i64) -> Won {
    Won::new("amount", amount).unwrap()
}

fn vendor() -> VendorId {
    VendorId::parse("splVenId", "0000012345").unwrap()
}

fn at(value: &str) -> KstDateTime {
    KstDateTime::parse("t", value).unwrap()
}

fn seq(n: i64) -> ItemSeq {
    ItemSeq::new("ordItemSeq", n).unwrap()
}

fn qty(n: i64) -> Quantity {
    Quantity::new("qty", n).unwrap()
}

fn shpp(n: u64) -> ShippingNo {
    ShippingNo::new("shppNo", n).unwrap()
}

fn item() -> NewOrderItem {
    NewOrderItem {
        seq: seq(1),
        item_id: text("1000028463390"),
        item_nm: text("유기농 우유 1L"),
        uitem_id: text("00001"),
        uitem_nm: text("화이트"),
        qty: qty(3),
        unit_price: won(4500),
        vendor: vendor(),
        lower_rank: None,
        discount: won(300),
    }
}

fn recipient() -> Recipient {
    Recipient {
        name: text("홍길동"),
        phone: text("010-1234-5678"),
        base_address: text("서울특별시 중구 소공로 63"),
        detail_address: text("신세계백화점 본점 7층 <A&B>"),
        postal_code: text("04530"),
        memo: text(""),
    }
}

fn original() -> ItemState {
    let mut state = ItemState::placed(&item(), shpp(1));
    state.shipped = 3;
    state.confirmed_at = Some(at("2026-11-21 09:00:00"));
    state.shipped_at = Some(at("2026-11-21 18:00:00"));
    state.waybill = Some(Waybill::new("0000033011", "6012345678901").unwrap());
    state
}

fn cost(ret: i64, exch: i64, discount: i64) -> CostLine {
    CostLine {
        shpmt_shppcst: won(0),
        ret_shppcst: won(ret),
        exch_shppcst: won(exch),
        spl_ven_bdn_dc_amt: won(discount),
        vendor: vendor(),
        lower_rank: None,
    }
}

/// A return of one unit, confirmed by courier; and an exchange of two, filed by an agent.
fn listings() -> Vec<PickupListing> {
    let confirmed = at("2026-11-26 09:00:00");
    let ret = PickupClaim {
        clm_no: claims_domain::ClaimNo::parse("c", "20261125000C1D").unwrap(),
        oror_no: OrderNo::parse("o", "20261120000A3F").unwrap(),
        kind: PickupKind::Return,
        reason: PickupReason::Return(ReturnReason::ChangedMind),
        reason_text: text("마음이 바뀌었어요"),
        actor: Actor::Customer(CustomerId::parse("c", "c-1001").unwrap()),
        filed_at: at("2026-11-25 10:00:00"),
        lines: vec![PickupLine {
            line_seq: seq(1),
            item_seq: seq(1),
            qty: qty(1),
            shpp_no: shpp(3_000_000_001),
            status: PickupStatus::Confirmed,
            cost: cost(3000, 0, 100),
            refund: won(1400),
            confirmation: Some(PickupConfirmation {
                at: confirmed,
                carrier: PickupCarrier::Courier(
                    Waybill::new("0000033011", "6098765432101").unwrap(),
                ),
                resell: true,
                blame: Some(Blame::Customer),
                auto_completes_at: auto_completes_at(confirmed),
            }),
            ended_at: None,
            refusal: None,
            withdrawn_at: None,
            replacement: None,
        }],
    };
    let exchange = PickupClaim {
        clm_no: claims_domain::ClaimNo::parse("c", "20261125000C1E").unwrap(),
        kind: PickupKind::Exchange,
        reason: PickupReason::Exchange(ExchangeReason::SizeOrColor),
        reason_text: text(""),
        actor: Actor::Agent(AgentId::parse("a", "ag-7").unwrap()),
        lines: vec![PickupLine {
            line_seq: seq(1),
            item_seq: seq(1),
            qty: qty(2),
            shpp_no: shpp(3_000_000_002),
            status: PickupStatus::Requested,
            cost: cost(0, 6000, 0),
            refund: won(0),
            confirmation: None,
            ended_at: None,
            refusal: None,
            withdrawn_at: None,
            replacement: Some(replacement(ReplacementStatus::Waiting)),
        }],
        ..ret.clone()
    };
    [ret, exchange]
        .into_iter()
        .map(|claim| PickupListing {
            claim,
            line: 0,
            item: item(),
            original: original(),
            ordpe_nm: text("홍길동"),
            recipient: recipient(),
        })
        .collect()
}

fn replacement(status: ReplacementStatus) -> Replacement {
    Replacement {
        line_seq: seq(2),
        shpp_no: shpp(3_000_000_003),
        qty: qty(2),
        uitem_id: text("00002"),
        uitem_nm: text("블랙"),
        status,
        confirmed_at: None,
        waybill: None,
        shipped_at: None,
        delivered_at: None,
    }
}

fn as_text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

#[test]
fn exchange_targets() {
    let listed = listings();
    let rows: Vec<_> = listed.iter().map(pickup_row).collect();
    let mut out = String::new();
    for format in [Format::Json, Format::Xml] {
        for count in 0..=2 {
            out.push_str(&format!("--- {format:?} {count} rows\n"));
            out.push_str(&as_text(encode_rows(
                format,
                Lang::Ko,
                PICKUP_LISTING,
                &rows[..count],
            )));
            out.push('\n');
        }
    }
    insta::assert_snapshot!(out);
    assert!(out.contains(r#""exchangeTargets":[""]"#), "no row");
    assert!(out.contains(r#""exchangeTargets":[{"exchangeTarget":{"ordNo":"20261125000C1D""#));
    assert!(out.contains(r#""shppDivDtlCd":21,"shppDivDtlNm":"반품회수""#));
    assert!(out.contains(r#""shppDivDtlCd":22,"shppDivDtlNm":"교환회수""#));
    assert!(out.contains(r#""lastShppProgStatDtlCd":63,"lastShppProgStatDtlNm":"회수확인""#));
    assert!(
        out.contains(r#""clmRsnCd":"351""#),
        "claim codes are strings"
    );
    assert!(
        out.contains(r#""wblNo":"6098765432101""#),
        "the pickup's own waybill"
    );
    assert!(
        out.contains(r#""wblNo":"6012345678901""#),
        "else the original's"
    );
    assert!(out.contains("<exchangeTargets></exchangeTargets>"));
    assert!(out.contains("<cstInfo><shpmtShppcst>0</shpmtShppcst><retShppcst>3000</retShppcst>"));
}

#[test]
fn a_replacement_is_listed_as_an_exchange_shipment() {
    let exchange = &listings()[1];
    let line = exchange.pickup();
    let waiting = line.replacement.clone().unwrap();
    let shipping = |status| {
        let replacement = replacement(status);
        ShippingItem {
            ord_no: OrderNo::parse("o", exchange.claim.clm_no.as_str()).unwrap(),
            ordpe_nm: text("홍길동"),
            received_at: exchange.claim.filed_at,
            recipient: recipient(),
            shipping_fee: won(0),
            item: NewOrderItem {
                seq: replacement.line_seq,
                qty: replacement.qty,
                uitem_id: replacement.uitem_id.clone(),
                uitem_nm: replacement.uitem_nm.clone(),
                discount: won(0),
                ..item()
            },
            state: replacement_state(&replacement, &vendor(), None),
            exchange: Some(ExchangeOf {
                oror_no: exchange.claim.oror_no.clone(),
                item_seq: line.item_seq,
                status,
            }),
        }
    };
    let items = [
        shipping(ReplacementStatus::Waiting),
        shipping(ReplacementStatus::Normal),
    ];
    let rows: Vec<_> = items
        .iter()
        .map(|item| shipping_row(item, ShippingList::Directions))
        .collect();
    let mut out = String::new();
    for format in [Format::Json, Format::Xml] {
        out.push_str(&as_text(encode_rows(
            format,
            Lang::Ko,
            ShippingList::Directions.listing(),
            &rows,
        )));
        out.push('\n');
    }
    insta::assert_snapshot!(out);
    assert_eq!(waiting.status, ReplacementStatus::Waiting);
    assert!(out.contains(r#""ordNo":"20261125000C1E","ordItemSeq":2,"orordNo":"20261120000A3F","orordItemSeq":1,"shppNo":3000000003"#));
    assert!(out.contains(
        r#""shppStatCd":30,"shppStatNm":"대기","shppDivDtlCd":15,"shppDivDtlNm":"교환출고""#
    ));
    assert!(out.contains(r#""shppStatCd":10,"shppStatNm":"정상","shppDivDtlCd":15"#));
    assert!(out.contains(r#""uitemId":"00002""#));
    assert!(out.contains(r#""shppcst":0"#));
    // The filters integrations send.
    let query = |filters: &str| {
        decode_shipping_list(
            Format::Json,
            format!(r#"{{"requestShppDirection": {{"perdType": "01", "perdStrDts": "20261125", "perdEndDts": "20261125"{filters}}}}}"#).as_bytes(),
            ShippingList::Directions,
        )
        .unwrap()
    };
    let admitted = |filters: &str| {
        let query = query(filters);
        items.iter().filter(|item| query.admits(item)).count()
    };
    assert_eq!(admitted(""), 2);
    assert_eq!(admitted(r#", "shppStatCd": "30", "shppDivDtlCd": "15""#), 1);
    assert_eq!(admitted(r#", "shppStatCd": 10"#), 1);
    assert_eq!(admitted(r#", "shppDivDtlCd": "11""#), 0);
    assert!(matches!(
        decode_shipping_list(
            Format::Json,
            br#"{"requestShppDirection": {"perdType": "01", "perdStrDts": "20261125", "perdEndDts": "20261125", "shppStatCd": "20"}}"#,
            ShippingList::Directions,
        ),
        Err(Failure::Malformed {
            field: Field::ShppStatCd,
            ..
        })
    ));
}

#[test]
fn pickup_calls_are_read_in_both_formats() {
    let list = |body: &str| decode_pickup_list(Format::Json, body.as_bytes());
    let query = list(r#"{"requestExchangeTarget": {"perdType": "01", "perdStrDts": "20261118", "perdEndDts": "20261125", "shppDivDtlCds": "21,22", "shppProgStatDtlCds": "61,63", "retProcStats": "60,66"}}"#).unwrap();
    assert_eq!(query.by, PickupDate::Filed);
    assert!(query.kinds.is_empty(), "both kinds is no filter");
    assert_eq!(query.statuses, ["61", "63"]);
    let query = list(r#"{"requestExchangeTarget": {"perdType": "04", "perdStrDts": "20261118", "perdEndDts": "20261125", "shppDivDtlCds": "22"}}"#).unwrap();
    assert_eq!(
        (query.by, query.kinds),
        (PickupDate::Confirmed, vec![PickupKind::Exchange])
    );
    assert!(
        matches!(
            list(
                r#"{"requestExchangeTarget": {"perdType": "01", "perdStrDts": "20261117", "perdEndDts": "20261125"}}"#
            ),
            Err(Failure::PeriodTooLong { .. })
        ),
        "today−7 … today at most"
    );
    let looked =
        list(r#"{"requestExchangeTarget": {"commType": "03", "commValue": 3000000001}}"#).unwrap();
    assert_eq!(
        (looked.period, looked.lookup),
        (None, Some(PickupLookup::Shipping(shpp(3_000_000_001))))
    );
    let looked =
        list(r#"{"requestExchangeTarget": {"commType": "02", "commValue": "20261125000C1D"}}"#)
            .unwrap();
    assert!(matches!(looked.lookup, Some(PickupLookup::Order(_))));
    for (body, field) in [
        (
            r#"{"requestExchangeTarget": {"perdType": "09", "perdStrDts": "20261118", "perdEndDts": "20261125"}}"#,
            Field::PerdType,
        ),
        (
            r#"{"requestExchangeTarget": {"perdType": "01", "perdStrDts": "20261118", "perdEndDts": "20261125", "shppDivDtlCds": "21,23"}}"#,
            Field::ShppDivDtlCds,
        ),
        (
            r#"{"requestExchangeTarget": {"perdType": "01", "perdStrDts": "20261118", "perdEndDts": "20261125", "shppProgStatDtlCds": "61,62"}}"#,
            Field::ShppProgStatDtlCds,
        ),
        (
            r#"{"requestExchangeTarget": {"commType": "01", "commValue": "x"}}"#,
            Field::CommType,
        ),
    ] {
        assert!(
            matches!(list(body), Err(Failure::Malformed { field: f, .. }) if f == field),
            "{body}"
        );
    }

    let json = br#"{"requestConfirmRcov": {"shppNo": "3000000001", "shppSeq": "1", "procItemQty": 1, "shppTypeDtlCd": "22", "delicoVenId": "0000033011", "wblNo": "6098765432101", "resellPsblYn": "Y", "retImptMainCd": "10"}}"#;
    let xml = b"<requestConfirmRcov><shppNo>3000000001</shppNo><shppSeq>1</shppSeq><procItemQty>1</procItemQty><shppTypeDtlCd>22</shppTypeDtlCd><delicoVenId>0000033011</delicoVenId><wblNo>6098765432101</wblNo><resellPsblYn>Y</resellPsblYn><retImptMainCd>10</retImptMainCd></requestConfirmRcov>";
    for (format, body) in [(Format::Json, &json[..]), (Format::Xml, &xml[..])] {
        let call = decode_pickup_step(format, body, true).unwrap();
        assert_eq!(call.pickup.shpp_no, shpp(3_000_000_001));
        assert_eq!(call.qty, 1);
        assert!(matches!(call.carrier, PickupCarrier::Courier(_)));
        assert!(call.resell);
        assert_eq!(call.blame, Some(Blame::Customer));
    }
    let step =
        |body: &str, confirming| decode_pickup_step(Format::Json, body.as_bytes(), confirming);
    assert_eq!(
        step(r#"{"requestConfirmRcov": {"shppNo": "3000000001", "shppSeq": "1", "procItemQty": 1, "shppTypeDtlCd": "22"}}"#, true).unwrap_err(),
        Failure::PickupWaybillRequired
    );
    assert!(matches!(
        step(r#"{"requestConfirmRcov": {"shppNo": "3000000001", "shppSeq": "1", "procItemQty": 1, "delicoVenId": "0000033011", "wblNo": "6098-7654"}}"#, true).unwrap_err(),
        Failure::WaybillNotDigits { .. }
    ));
    let own = step(r#"{"requestConfirmRcov": {"shppNo": "3000000001", "shppSeq": "1", "procItemQty": 1, "shppTypeDtlCd": "14"}}"#, true).unwrap();
    assert_eq!(own.carrier, PickupCarrier::Own);
    // Completion: the same body; the waybill is optional.
    step(
        r#"{"requestConfirmRcov": {"shppNo": "3000000001", "shppSeq": "1", "procItemQty": 1}}"#,
        false,
    )
    .unwrap();
    assert_eq!(
        step(
            r#"{"requestConfirmRcov": {"shppNo": "3000000001", "shppSeq": "1"}}"#,
            false
        )
        .unwrap_err(),
        Failure::Required {
            field: Field::ProcItemQty
        }
    );

    let refusal = decode_pickup_refusal(
        Format::Xml,
        "<requestRefusualReturn><shppNo>3000000001</shppNo><shppSeq>1</shppSeq><procItemQty>1</procItemQty><retRefusRsnCd>11</retRefusRsnCd><retProcMemoCntt>포장 훼손</retProcMemoCntt></requestRefusualReturn>".as_bytes(),
    )
    .unwrap();
    assert_eq!(refusal.reason, RefusalReason::Damaged);
    assert_eq!(refusal.memo.as_str(), "포장 훼손");
    assert!(matches!(
        decode_pickup_refusal(Format::Json, br#"{"requestRefusualReturn": {"shppNo": "3000000001", "shppSeq": "1", "procItemQty": 1, "retRefusRsnCd": "14"}}"#),
        Err(Failure::Malformed { field: Field::RetRefusRsnCd, .. })
    ));
}

#[test]
fn pickup_refusals() {
    let failures = [
        Failure::PickupWaybillRequired,
        Failure::WaybillNotDigits {
            value: "6098-7654".into(),
        },
        Failure::NotFound(Missing::Pickup),
        Failure::Refused(Refusal::PickupNotInState(PickupStatus::Confirmed)),
        Failure::Refused(Refusal::PickupQuantity { asked: 2, qty: 1 }),
        Failure::Refused(Refusal::ExchangeNotRefusable),
        Failure::Refused(Refusal::AwaitingPickup),
    ];
    let mut out = String::new();
    for format in [Format::Json, Format::Xml] {
        for lang in [Lang::Ko, Lang::En] {
            for failure in &failures {
                out.push_str(&as_text(encode_failure(format, lang, failure)));
                out.push('\n');
            }
        }
    }
    insta::assert_snapshot!(out);
    // The words a client retries on.
    assert!(out.contains(r#""resultCode":"10","resultMessage":"FAIL","resultDesc":"택배사와 운송장 번호는 필수 입력값 입니다.""#));
    assert!(out.contains(
        r#""resultCode":"11","resultMessage":"FAIL","resultDesc":"운송장번호는 숫자만 입력하세요.""#
    ));
    assert!(out.contains(r#""resultCode":"30","resultMessage":"대상이 없습니다.""#));
    assert!(out.contains("회수확인(63) 상태의 회수입니다"));
}

/// The order detail (`GET /api/claim/v2/order/{orordNo}`) shows a return's line as `031`, an
/// exchange's pickup as `041` and its replacement as `042`; a withdrawn line leaves no row.
#[test]
fn order_detail_rows_of_returns_and_exchanges() {
    use claims_domain::{MediaCode, NewOrder, Scope, ShippingFee};
    use claims_wire::calls::{Listing, order_detail_rows};
    let order = NewOrder::new(
        OrderNo::parse("o", "20261120000A3F").unwrap(),
        text("홍길동"),
        CustomerId::parse("c", "c-1001").unwrap(),
        MediaCode::MobileAppIos,
        at("2026-11-20 09:50:17"),
        vec![ShippingFee::outbound(vendor(), won(3000))],
        vec![item()],
    )
    .unwrap();
    let mut claims: Vec<PickupClaim> = listings().into_iter().map(|l| l.claim).collect();
    let mut withdrawn = claims[0].clone();
    withdrawn.clm_no = claims_domain::ClaimNo::parse("c", "20261125000C1F").unwrap();
    withdrawn.lines[0].status = PickupStatus::Withdrawn;
    withdrawn.lines[0].withdrawn_at = Some(at("2026-11-25 11:00:00"));
    claims.push(withdrawn);
    let scope = Scope {
        vendor: vendor(),
        lower_rank: None,
    };
    let states = [original()];
    let rows = order_detail_rows(&order, &states, &[], &[], &claims, &scope);
    let out = as_text(encode_rows(
        Format::Json,
        Lang::Ko,
        Listing::Flat("resultData"),
        &rows,
    ));
    insta::assert_snapshot!(out);
    assert_eq!(
        rows.len(),
        4,
        "the item, 031, 041 and 042; nothing of the withdrawn"
    );
    assert!(out.contains(r#"{"ordItemDiv":"031","ordNo":"20261125000C1D","ordItemSeq":1,"orordNo":"20261120000A3F","orordItemSeq":1"#));
    assert!(out.contains(r#""lastShppProgStatDtlCd":63,"retProcStatCd":"""#));
    assert!(out.contains(r#"{"ordItemDiv":"041","ordNo":"20261125000C1E","ordItemSeq":1"#));
    assert!(out.contains(r#"{"ordItemDiv":"042","ordNo":"20261125000C1E","ordItemSeq":2"#));
    assert!(out.contains(
        r#""uitemId":"00002","dircItemQty":2,"cnclQty":0,"shpmtQty":0,"shppProgStatDtlCd":11"#
    ));
    assert!(!out.contains("20261125000C1F"));
}
