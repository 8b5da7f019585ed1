//! Golden tests for SSG's shipping and cancel-request calls: the exact bytes of each answer
//! in both formats (none, one and several rows, since SSG writes one row differently), the
//! refusals only these calls give (30, 31, 99), and how their requests are read.
//! `cargo insta review` accepts an intended change.

use claims_domain::{
    Actor, AgentId, CancelRequest, Claim, ClaimLine, ClaimNo, CostLine, CustomerId, Fault, ItemSeq,
    ItemState, KstDateTime, LineStatus, MediaCode, NewOrder, NewOrderItem, OrderNo, PendingLine,
    Quantity, ReasonCode, Recipient, RequestId, RequestLine, Scope, ShippingFee, ShippingItem,
    ShippingNo, Text, VendorId, Waybill, Won,
};
use claims_domain::{Delay, DelayReason, KstDate, NoSellReason, ShippingStatus};
use claims_wire::calls::{
    self, DELIVERED_LISTING, Listing, NoSellEvent, ShippingList, approve_call,
    cancel_requests_period, decode_approve_body, decode_confirm, decode_delay,
    decode_delivered_list, decode_delivery_end, decode_no_sell, decode_release,
    decode_shipping_list, decode_waybill, delay_date_refused, delivered_row, encode_done,
    encode_rows, order_detail_rows, pending_line_row, query_fields, shipping_row,
};
use claims_wire::{Failure, Field, Format, Lang, Malformation, Missing, Refusal, encode_failure};

fn text(value: &str) -> Text {
    Text::from_stored(value.to_owned())
}

fn won(amount: i64) -> Won {
    Won::new("amount", amount).unwrap()
}

fn vendor(id: &str) -> VendorId {
    VendorId::parse("splVenId", id).unwrap()
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

fn order_item(n: i64, name: &str, ordered: i64, vendor_id: &str) -> NewOrderItem {
    NewOrderItem {
        seq: seq(n),
        item_id: text("1000028463390"),
        item_nm: text(name),
        uitem_id: text("00001"),
        uitem_nm: text(""),
        qty: qty(ordered),
        unit_price: won(4500),
        vendor: vendor(vendor_id),
        lower_rank: None,
        discount: won(1000),
    }
}

fn state(item: &NewOrderItem, shpp_no: u64) -> ItemState {
    ItemState::placed(item, ShippingNo::new("shppNo", shpp_no).unwrap())
}

fn recipient() -> Recipient {
    Recipient {
        name: text("홍길동"),
        phone: text("010-1234-5678"),
        base_address: text("서울특별시 중구 소공로 63"),
        detail_address: text("신세계백화점 본점 7층 <A&B>"),
        postal_code: text("04530"),
        memo: text("부재 시 경비실에 맡겨주세요"),
    }
}

fn shipping_items() -> Vec<ShippingItem> {
    let first = order_item(1, "유기농 우유 1L", 2, "0000012345");
    let mut second = order_item(2, "M&M's 초콜릿 <대용량> 1kg", 3, "0000012345");
    second.item_id = text("SKU-77");
    let mut second_state = state(&second, 9_007_199_254_740_991);
    second_state.canceled = 1;
    second_state.confirmed_at = Some(at("2026-11-21 08:00:00"));
    second_state.waybill = Some(Waybill::new("0000033011", "6012345678901").unwrap());
    vec![
        ShippingItem {
            ord_no: OrderNo::parse("ordNo", "20261120000A3F").unwrap(),
            ordpe_nm: text("홍길동"),
            received_at: at("2026-11-20 09:50:17"),
            recipient: recipient(),
            shipping_fee: won(3000),
            state: state(&first, 1),
            item: first,
            exchange: None,
        },
        ShippingItem {
            ord_no: OrderNo::parse("ordNo", "20261121000C11").unwrap(),
            ordpe_nm: text("김철수"),
            received_at: at("2026-11-21 07:12:00"),
            recipient: Recipient::default(),
            shipping_fee: won(0),
            state: second_state,
            item: second,
            exchange: None,
        },
    ]
}

fn as_text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

/// The answer to a list call with no row, one row and two rows, in both formats.
fn list_transcript(list: ShippingList) -> String {
    let items = shipping_items();
    let rows: Vec<_> = items.iter().map(|item| shipping_row(item, list)).collect();
    let mut out = String::new();
    for format in [Format::Json, Format::Xml] {
        for count in 0..=2 {
            out.push_str(&format!("--- {format:?} {count} rows\n"));
            out.push_str(&as_text(encode_rows(
                format,
                Lang::Ko,
                list.listing(),
                &rows[..count],
            )));
            out.push('\n');
        }
    }
    out
}

#[test]
fn shipping_directions() {
    insta::assert_snapshot!(list_transcript(ShippingList::Directions));
}

#[test]
fn warehouse_outs() {
    insta::assert_snapshot!(list_transcript(ShippingList::WarehouseOut));
}

#[test]
fn one_row_is_the_object_itself_and_numbers_are_numbers() {
    let items = shipping_items();
    let rows = [shipping_row(&items[0], ShippingList::Directions)];
    let body = encode_rows(
        Format::Json,
        Lang::Ko,
        ShippingList::Directions.listing(),
        &rows,
    );
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let row = &value["result"]["shppDirections"][0]["shppDirection"];
    assert!(row.is_object(), "one row is an object: {row}");
    for number in [
        "ordItemSeq",
        "shppNo",
        "shppSeq",
        "shppStatCd",
        "shppProgStatDtlCd",
        "itemId",
        "dircItemQty",
        "ordQty",
        "sellprc",
        "shppcst",
    ] {
        assert!(row[number].is_u64(), "{number} is a number: {row}");
    }
    for string in ["ordNo", "uitemId", "splVenId", "ordRcpDts", "shppTypeCd"] {
        assert!(row[string].is_string(), "{string} is a string: {row}");
    }
    assert_eq!(row["uitemId"], "00001");
    assert_eq!(row["ordQty"], 2);

    // An itemId that is not all digits stays a string.
    let rows = [shipping_row(&items[1], ShippingList::WarehouseOut)];
    let body = encode_rows(
        Format::Json,
        Lang::Ko,
        ShippingList::WarehouseOut.listing(),
        &rows,
    );
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let row = &value["result"]["warehouseOuts"][0]["warehouseOut"];
    assert_eq!(row["itemId"], "SKU-77");
    assert_eq!(row["shppNo"], 9_007_199_254_740_991_u64);
    assert_eq!(row["lastShppProgStatDtlCd"], 22);
    assert_eq!(row["ordQty"], 2, "ordered 3, canceled 1");
    assert_eq!(row["wblNo"], "6012345678901");
}

fn pending() -> Vec<PendingLine> {
    let item = order_item(1, "유기농 우유 1L", 2, "0000012345");
    let line = |n: i64, units: i64| RequestLine {
        item_seq: seq(n),
        qty: qty(units),
        status: LineStatus::Requested,
        ended_at: None,
        claim: None,
    };
    vec![
        PendingLine {
            request: RequestId::parse("requestId", "creq_00000000000000a1").unwrap(),
            oror_no: OrderNo::parse("orordNo", "20261120000A3F").unwrap(),
            filed_at: at("2026-11-22 10:02:11"),
            reason: ReasonCode::SimpleCancel,
            reason_text: text("고객 요청 \"빨리\""),
            fault: Fault::Customer,
            line: line(1, 1),
            item: item.clone(),
            shpp_no: ShippingNo::new("shppNo", 1).unwrap(),
        },
        PendingLine {
            request: RequestId::parse("requestId", "creq_00000000000000b2").unwrap(),
            oror_no: OrderNo::parse("orordNo", "20261121000C11").unwrap(),
            filed_at: at("2026-11-22 11:00:00"),
            reason: ReasonCode::AddressChange,
            reason_text: text(""),
            fault: Fault::Vendor,
            line: line(2, 2),
            item: order_item(2, "M&M's 초콜릿 <대용량> 1kg", 3, "0000012345"),
            shpp_no: ShippingNo::new("shppNo", 42).unwrap(),
        },
    ]
}

#[test]
fn cancel_requests() {
    let lines = pending();
    let rows: Vec<_> = lines.iter().map(pending_line_row).collect();
    let listing = Listing::Flat("resultData");
    let mut out = String::new();
    for format in [Format::Json, Format::Xml] {
        for count in [0, 2] {
            out.push_str(&format!("--- {format:?} {count} rows\n"));
            out.push_str(&as_text(encode_rows(
                format,
                Lang::Ko,
                listing,
                &rows[..count],
            )));
            out.push('\n');
        }
    }
    insta::assert_snapshot!(out);
}

fn detail_order() -> (NewOrder, Vec<ItemState>, Vec<Claim>, Vec<CancelRequest>) {
    let items = vec![
        order_item(1, "유기농 우유 1L", 2, "0000012345"),
        order_item(2, "M&M's 초콜릿 <대용량> 1kg", 3, "0000012345"),
        order_item(3, "다른 업체 상품", 1, "0000023456"),
    ];
    let order = NewOrder::new(
        OrderNo::parse("ordNo", "20261120000A3F").unwrap(),
        text("홍길동"),
        CustomerId::parse("customerId", "c-1001").unwrap(),
        MediaCode::MobileAppIos,
        at("2026-11-20 09:50:17"),
        vec![ShippingFee {
            vendor: vendor("0000012345"),
            amount: won(3000),
            return_fee: None,
            exchange_fee: None,
        }],
        items.clone(),
    )
    .unwrap();
    let mut states: Vec<ItemState> = items
        .iter()
        .zip(1..)
        .map(|(item, n)| state(item, n))
        .collect();
    states[0].canceled = 1;
    states[1].confirmed_at = Some(at("2026-11-21 08:00:00"));
    let agent = AgentId::parse("agentId", "cs-07").unwrap();
    let claim = Claim {
        clm_no: ClaimNo::parse("ordNo", "20261122000B07").unwrap(),
        oror_no: order.ord_no().clone(),
        canceled_at: at("2026-11-22 10:02:11"),
        reason: ReasonCode::SimpleCancel,
        reason_text: text(""),
        fault: Fault::Customer,
        actor: Actor::Agent(agent.clone()),
        lines: vec![ClaimLine {
            line_seq: seq(1),
            item_seq: seq(1),
            qty: qty(1),
            cost: CostLine {
                shpmt_shppcst: won(0),
                ret_shppcst: won(0),
                exch_shppcst: won(0),
                spl_ven_bdn_dc_amt: won(500),
                vendor: vendor("0000012345"),
                lower_rank: None,
            },
        }],
    };
    let request = CancelRequest {
        id: RequestId::parse("requestId", "creq_00000000000000a1").unwrap(),
        oror_no: order.ord_no().clone(),
        filed_at: at("2026-11-22 11:00:00"),
        reason: ReasonCode::SimpleCancel,
        reason_text: text(""),
        fault: Fault::Customer,
        agent,
        lines: vec![RequestLine {
            item_seq: seq(2),
            qty: qty(2),
            status: LineStatus::Requested,
            ended_at: None,
            claim: None,
        }],
    };
    let withdrawn = CancelRequest {
        id: RequestId::parse("requestId", "creq_00000000000000a0").unwrap(),
        lines: vec![RequestLine {
            item_seq: seq(2),
            qty: qty(1),
            status: LineStatus::Withdrawn,
            ended_at: Some(at("2026-11-22 10:30:00")),
            claim: None,
        }],
        ..request.clone()
    };
    (order, states, vec![claim], vec![withdrawn, request])
}

#[test]
fn order_detail() {
    let (order, states, claims, requests) = detail_order();
    let scope = Scope {
        vendor: vendor("0000012345"),
        lower_rank: None,
    };
    let rows = order_detail_rows(&order, &states, &claims, &requests, &[], &scope);
    assert_eq!(
        rows.len(),
        4,
        "two items of the vendor's, one cancellation in effect, one pending line; no row for the withdrawn line or the other vendor's item"
    );
    let listing = Listing::Flat("resultData");
    let mut out = String::new();
    for format in [Format::Json, Format::Xml] {
        out.push_str(&format!("--- {format:?}\n"));
        out.push_str(&as_text(encode_rows(format, Lang::Ko, listing, &rows)));
        out.push('\n');
    }
    insta::assert_snapshot!(out);

    let other = Scope {
        vendor: vendor("0000023456"),
        lower_rank: None,
    };
    let rows = order_detail_rows(&order, &states, &claims, &requests, &[], &other);
    assert_eq!(rows.len(), 1, "the other vendor sees only its own item");
}

#[test]
fn a_call_that_changed_something_answers_the_bare_envelope() {
    let mut out = String::new();
    for (format, lang) in [
        (Format::Json, Lang::Ko),
        (Format::Xml, Lang::Ko),
        (Format::Json, Lang::En),
    ] {
        out.push_str(&as_text(encode_done(format, lang)));
        out.push('\n');
    }
    insta::assert_snapshot!(out);
}

#[test]
fn refusals_only_these_calls_give() {
    let failures = [
        Failure::NotFound(Missing::Item),
        Failure::NotFound(Missing::PendingRequest),
        Failure::NotFound(Missing::Order),
        Failure::Refused(Refusal::NotConfirmed),
        Failure::Refused(Refusal::AlreadyReleased),
        Failure::Refused(Refusal::NoWaybill),
        Failure::Refused(Refusal::WrongQuantity { asked: 1, open: 2 }),
        Failure::Refused(Refusal::FullyCanceled),
        Failure::Refused(Refusal::NotInState(ShippingStatus::Confirmed)),
        Failure::Refused(Refusal::NotInState(ShippingStatus::Delayed)),
        Failure::Refused(Refusal::NoSellRegistered),
        Failure::Refused(Refusal::AlreadyNoSell),
        Failure::NotFound(Missing::NoSellRegistration),
        Failure::UnknownCall {
            path: "/api/pd/1/listNothing.ssg".into(),
        },
        Failure::Required {
            field: Field::ShppNo,
        },
        Failure::PeriodTooLong { days: 9, max: 8 },
    ];
    let mut out = String::new();
    for failure in &failures {
        for (format, lang) in [
            (Format::Json, Lang::Ko),
            (Format::Xml, Lang::Ko),
            (Format::Json, Lang::En),
        ] {
            out.push_str(&format!(
                "--- {} HTTP {} {format:?} {lang:?}\n",
                failure.code().as_str(),
                failure.http_status()
            ));
            out.push_str(&as_text(encode_failure(format, lang, failure)));
            out.push('\n');
        }
    }
    insta::assert_snapshot!(out);
    assert_eq!(
        Failure::NotFound(Missing::PendingRequest).message(),
        "대상이 없습니다.",
        "integrations look for this message"
    );
    for lang in [Lang::Ko, Lang::En] {
        let already = as_text(encode_failure(
            Format::Json,
            lang,
            &Failure::Refused(Refusal::AlreadyNoSell),
        ));
        assert!(
            already.contains("이미 판매불가로 등록된 상품입니다."),
            "integrations treat this text as done: {already}"
        );
        let registered = as_text(encode_failure(
            Format::Json,
            lang,
            &Failure::Refused(Refusal::NoSellRegistered),
        ));
        assert!(
            registered.contains("판매불가 등록된 상품입니다"),
            "{registered}"
        );
    }
}

/// A delayed item as listWarehouseOut lists it: state 42, its new date and notices.
#[test]
fn a_delayed_item_is_listed_with_its_date_and_notices() {
    let mut items = shipping_items();
    items[1].state.delay = Some(Delay {
        reason: DelayReason::MadeToOrder,
        until: KstDate::parse_compact("20261203").unwrap(),
        notices: 2,
        noticed_at: at("2026-11-22 10:00:00"),
    });
    let rows: Vec<_> = items[1..]
        .iter()
        .map(|item| shipping_row(item, ShippingList::WarehouseOut))
        .collect();
    let mut out = String::new();
    for format in [Format::Json, Format::Xml] {
        out.push_str(&as_text(encode_rows(
            format,
            Lang::Ko,
            ShippingList::WarehouseOut.listing(),
            &rows,
        )));
        out.push('\n');
    }
    insta::assert_snapshot!(out);
    assert!(out.contains(r#""shppProgStatDtlCd":42,"shppProgStatDtlNm":"출고지연""#));
    assert!(out.contains(r#""lastShppProgStatDtlCd":42"#));
    assert!(out.contains(r#""whinExpcDt":"20261203","delayNts":2"#));
}

#[test]
fn an_out_of_stock_registration_is_read_in_both_formats() {
    let json = r#"{"requestNoSellRequestRegist": {"shppNo": 3000000001, "shppSeq": 1, "itemId": 1000028463390, "scEvnt": "I", "shortgRsnCd": "09", "shortgProcDtlc": "입고 지연으로 결품"}}"#;
    let xml = "<requestNoSellRequestRegist><shppNo>3000000001</shppNo><shppSeq>1</shppSeq><itemId>1000028463390</itemId><scEvnt>I</scEvnt><shortgRsnCd>09</shortgRsnCd><shortgProcDtlc>입고 지연으로 결품</shortgProcDtlc></requestNoSellRequestRegist>";
    for (format, body) in [(Format::Json, json), (Format::Xml, xml)] {
        let call = decode_no_sell(format, body.as_bytes()).unwrap();
        assert_eq!(call.item.shpp_no.get(), 3_000_000_001);
        assert_eq!(call.item_id, "1000028463390");
        assert_eq!(
            call.event,
            NoSellEvent::Register {
                reason: NoSellReason::OutOfStock,
                text: text("입고 지연으로 결품"),
            }
        );
    }
    let withdraw = decode_no_sell(
        Format::Json,
        br#"{"requestNoSellRequestRegist": {"shppNo": "3000000001", "shppSeq": "1", "itemId": "1000028463390", "scEvnt": "D"}}"#,
    )
    .unwrap();
    assert_eq!(withdraw.event, NoSellEvent::Withdraw);

    let refused = |body: String| decode_no_sell(Format::Json, body.as_bytes()).unwrap_err();
    let body = |fields: &str| {
        format!(
            r#"{{"requestNoSellRequestRegist": {{"shppNo": 1, "shppSeq": 1, "itemId": "9", {fields}}}}}"#
        )
    };
    assert!(matches!(
        refused(body(r#""scEvnt": "U""#)),
        Failure::Malformed {
            field: Field::ScEvnt,
            ..
        }
    ));
    assert_eq!(
        refused(body(r#""scEvnt": "I""#)),
        Failure::Required {
            field: Field::ShortgRsnCd
        },
        "a registration needs its reason"
    );
    assert!(matches!(
        refused(body(r#""scEvnt": "I", "shortgRsnCd": "01""#)),
        Failure::Malformed {
            field: Field::ShortgRsnCd,
            ..
        }
    ));
    let long = "가".repeat(201);
    let too_long = refused(body(&format!(
        r#""scEvnt": "I", "shortgRsnCd": "08", "shortgProcDtlc": "{long}""#
    )));
    assert!(
        matches!(&too_long, Failure::Malformed { field: Field::ShortgProcDtlc, problem: Malformation::BadText(problem), .. } if problem.contains("201 characters")),
        "{too_long:?}"
    );
    assert_eq!(too_long.code().as_str(), "11");
    let hidden = refused(body(
        r#""scEvnt": "I", "shortgRsnCd": "08", "shortgProcDtlc": "a\u202Eb""#,
    ));
    assert!(matches!(
        hidden,
        Failure::Malformed {
            field: Field::ShortgProcDtlc,
            ..
        }
    ));
    assert_eq!(
        refused(
            r#"{"requestNoSellRequestRegist": {"shppNo": 1, "shppSeq": 1, "scEvnt": "D"}}"#.into()
        ),
        Failure::Required {
            field: Field::ItemId
        }
    );
}

#[test]
fn a_delay_notice_is_read_in_both_formats() {
    let json = r#"{"requestShppingDelay": {"shppNo": "3000000001", "shppSeq": "1", "itemId": "1000028463390", "shortgRsnCd": "03", "whinExpcDt": "20261210"}}"#;
    let xml = "<requestShppingDelay><shppNo>3000000001</shppNo><shppSeq>1</shppSeq><itemId>1000028463390</itemId><shortgRsnCd>03</shortgRsnCd><whinExpcDt>20261210</whinExpcDt></requestShppingDelay>";
    for (format, body) in [(Format::Json, json), (Format::Xml, xml)] {
        let call = decode_delay(format, body.as_bytes()).unwrap();
        assert_eq!(call.reason, DelayReason::MadeToOrder);
        assert_eq!(call.until, KstDate::parse_compact("20261210").unwrap());
    }
    let bad_day = decode_delay(
        Format::Json,
        br#"{"requestShppingDelay": {"shppNo": 1, "shppSeq": 1, "itemId": "9", "shortgRsnCd": "01", "whinExpcDt": "20261332"}}"#,
    )
    .unwrap_err();
    assert_eq!(bad_day.code().as_str(), "11");
    let refused = delay_date_refused(
        KstDate::parse_compact("20270110").unwrap(),
        KstDate::parse_compact("20261207").unwrap(),
        30,
    );
    assert_eq!(refused.code().as_str(), "11");
    let mut out = String::new();
    for lang in [Lang::Ko, Lang::En] {
        out.push_str(&as_text(encode_failure(Format::Json, lang, &refused)));
        out.push('\n');
    }
    insta::assert_snapshot!(out);
}

// ---------------------------------------------------------------------------------------
// Requests

#[test]
fn numbers_come_as_numbers_or_as_digit_strings() {
    for body in [
        r#"{"requestOrderSubjectManage": {"shppNo": 42, "shppSeq": 1}}"#,
        r#"{"requestOrderSubjectManage": {"shppNo": "42", "shppSeq": "1"}}"#,
    ] {
        let item = decode_confirm(Format::Json, body.as_bytes()).unwrap();
        assert_eq!(item.shpp_no.get(), 42);
        assert!(item.is_ours());
    }
    let xml = "<requestOrderSubjectManage><shppNo>42</shppNo><shppSeq>2</shppSeq></requestOrderSubjectManage>";
    let item = decode_confirm(Format::Xml, xml.as_bytes()).unwrap();
    assert!(!item.is_ours(), "shppSeq 2 names no item here");

    let release = decode_release(
        Format::Json,
        br#"{"requestWhOutCompleteProcess": {"shppNo": "42", "shppSeq": "1", "procItemQty": 2}}"#,
    )
    .unwrap();
    assert_eq!(release.qty.get(), 2);

    let waybill = decode_waybill(
        Format::Json,
        br#"{"requestWhOutCompleteProcess": {"shppNo": "42", "shppSeq": "1", "wblNo": "6012345678901", "delicoVenId": "0000033011", "shppTypeCd": "20", "shppTypeDtlCd": "22"}}"#,
    )
    .unwrap();
    assert_eq!(waybill.waybill.wbl_no(), "6012345678901");
}

#[test]
fn bad_requests_name_the_field() {
    let cases: [(&str, Failure); 5] = [
        (
            r#"{"requestOrderSubjectManage": {"shppSeq": 1}}"#,
            Failure::Required {
                field: Field::ShppNo,
            },
        ),
        (
            r#"{"requestOrderSubjectManage": {"shppNo": "4x", "shppSeq": 1}}"#,
            Failure::Malformed {
                field: Field::ShppNo,
                value: "4x".into(),
                problem: Malformation::NotANumber,
            },
        ),
        (
            r#"{"requestOrderSubjectManage": {"shppNo": 0, "shppSeq": 1}}"#,
            Failure::Malformed {
                field: Field::ShppNo,
                value: "0".into(),
                problem: Malformation::NotANumber,
            },
        ),
        (
            r#"{"requestOrderSubjectManage": {"shppNo": -3, "shppSeq": 1}}"#,
            Failure::Malformed {
                field: Field::ShppNo,
                value: "-3".into(),
                problem: Malformation::NotAString,
            },
        ),
        (
            r#"{"requestOrderSubjectManage": {"shppNo": 9007199254740992, "shppSeq": 1}}"#,
            Failure::Malformed {
                field: Field::ShppNo,
                value: "9007199254740992".into(),
                problem: Malformation::NotANumber,
            },
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(
            decode_confirm(Format::Json, body.as_bytes()).unwrap_err(),
            expected,
            "{body}"
        );
    }
    let bad_waybill = decode_waybill(
        Format::Json,
        br#"{"requestWhOutCompleteProcess": {"shppNo": 1, "shppSeq": 1, "wblNo": "60 12", "delicoVenId": "0000033011"}}"#,
    )
    .unwrap_err();
    assert!(
        matches!(
            bad_waybill,
            Failure::Malformed {
                field: Field::WblNo,
                ..
            }
        ),
        "{bad_waybill:?}"
    );
}

#[test]
fn shipping_lists_take_their_period_types_and_180_days() {
    let body = |root: &str, perd_type: &str, start: &str, end: &str| {
        format!(
            r#"{{"{root}": {{"perdType": "{perd_type}", "perdStrDts": "{start}", "perdEndDts": "{end}"}}}}"#
        )
    };
    let directions = ShippingList::Directions;
    let query = decode_shipping_list(
        Format::Json,
        body("requestShppDirection", "02", "20260604", "20261201").as_bytes(),
        directions,
    )
    .unwrap();
    assert_eq!(
        query.period.start().compact(),
        "20260604",
        "today−180 … today"
    );
    assert_eq!((query.waiting, query.replacements), (None, None));
    assert!(matches!(
        decode_shipping_list(
            Format::Json,
            body("requestShppDirection", "02", "20260603", "20261201").as_bytes(),
            directions,
        ),
        Err(Failure::PeriodTooLong {
            days: 182,
            max: 181
        })
    ));
    assert!(matches!(
        decode_shipping_list(
            Format::Json,
            body("requestShppDirection", "04", "20261101", "20261201").as_bytes(),
            directions,
        ),
        Err(Failure::Malformed {
            field: Field::PerdType,
            ..
        })
    ));
    decode_shipping_list(
        Format::Json,
        body("requestWarehouseOut", "04", "20261101", "20261201").as_bytes(),
        ShippingList::WarehouseOut,
    )
    .unwrap();
    // The wrong root is the inquiry's code 14.
    assert!(matches!(
        decode_shipping_list(
            Format::Json,
            body("requestWarehouseOut", "01", "20261101", "20261201").as_bytes(),
            directions,
        ),
        Err(Failure::Unreadable(_))
    ));
}

#[test]
fn cancel_requests_take_today_minus_seven_to_today() {
    let query = |start: &'static str, end: &'static str| {
        query_fields(
            [("perdStrDts", start), ("perdEndDts", end), ("other", "x")],
            &[Field::PerdStrDts, Field::PerdEndDts],
        )
    };
    cancel_requests_period(&query("20261124", "20261201")).unwrap();
    assert!(matches!(
        cancel_requests_period(&query("20261123", "20261201")),
        Err(Failure::PeriodTooLong { days: 9, max: 8 })
    ));
    assert!(matches!(
        cancel_requests_period(&query("20261201", "20261124")),
        Err(Failure::StartAfterEnd { .. })
    ));
}

#[test]
fn an_approval_names_the_item_in_the_query_or_the_body() {
    let from_query = approve_call(&query_fields(
        [("ordNo", "20261120000A3F"), ("ordItemSeq", "2")],
        calls::APPROVE_FIELDS,
    ))
    .unwrap();
    let body = decode_approve_body(
        Format::Json,
        br#"{"ordNo": "20261120000A3F", "ordItemSeq": 2}"#,
    )
    .unwrap();
    assert_eq!(approve_call(&body).unwrap(), from_query);
    // The body integrations send with the query-string form is empty or {}.
    assert_eq!(
        decode_approve_body(Format::Json, b"{}").unwrap(),
        decode_approve_body(Format::Json, b"").unwrap()
    );
    assert_eq!(
        approve_call(&decode_approve_body(Format::Json, b"{}").unwrap()).unwrap_err(),
        Failure::Required {
            field: Field::OrdNo
        }
    );
}

/// `listDeliveryEnd`: delivered shipments (51) with their delivery and release times; none is
/// `[""]`, as SSG sends it.
#[test]
fn delivered_shipments() {
    let mut items = shipping_items();
    for item in &mut items {
        item.state.shipped = item.state.open();
        item.state.shipped_at = Some(at("2026-11-21 18:00:00"));
        item.state.delivered_at = Some(at("2026-11-22 10:30:00"));
    }
    let rows: Vec<_> = items.iter().map(delivered_row).collect();
    let mut out = String::new();
    for format in [Format::Json, Format::Xml] {
        for count in 0..=2 {
            out.push_str(&format!("--- {format:?} {count} rows\n"));
            out.push_str(&as_text(encode_rows(
                format,
                Lang::Ko,
                DELIVERED_LISTING,
                &rows[..count],
            )));
            out.push('\n');
        }
    }
    insta::assert_snapshot!(out);
    assert!(out.contains(r#""deliveryEnds":[""]"#), "no row");
    assert!(out.contains(r#""lastShppProgStatDtlCd":51"#));
    assert!(out.contains(r#""shppDt":"2026-11-22 10:30:00","whoutDt":"2026-11-21 18:00:00","reOrderYn":"N","orOrdNo":"20261120000A3F""#));
}

#[test]
fn delivery_calls_are_read_in_both_formats() {
    use claims_domain::{DeliveredBy, Lookup};
    let json = br#"{"requestDeliveryEnd": {"shppNo": "3000000001", "shppSeq": "1"}}"#;
    let xml =
        b"<requestDeliveryEnd><shppNo>3000000001</shppNo><shppSeq>1</shppSeq></requestDeliveryEnd>";
    for (format, body) in [(Format::Json, &json[..]), (Format::Xml, &xml[..])] {
        assert_eq!(
            decode_delivery_end(format, body).unwrap().shpp_no.get(),
            3_000_000_001
        );
    }
    let list = |body: &str| decode_delivered_list(Format::Json, body.as_bytes());
    let query = list(r#"{"requestDeliveryEnd": {"perdType": "02", "perdStrDts": "20261120", "perdEndDts": "20261127"}}"#).unwrap();
    assert_eq!((query.by, query.lookup), (DeliveredBy::Released, None));
    assert!(
        matches!(
            list(
                r#"{"requestDeliveryEnd": {"perdType": "01", "perdStrDts": "20261120", "perdEndDts": "20261128"}}"#
            ),
            Err(Failure::PeriodTooLong { .. })
        ),
        "a week at most"
    );
    // A lookup needs no period, and is not held to a week (one client sends 15 days).
    let looked =
        list(r#"{"requestDeliveryEnd": {"commType": "01", "commValue": "20261120000A3F"}}"#)
            .unwrap();
    assert_eq!(looked.period, None);
    assert_eq!(
        looked.lookup,
        Some(Lookup::Order(
            OrderNo::parse("o", "20261120000A3F").unwrap()
        ))
    );
    let fifteen = list(r#"{"requestDeliveryEnd": {"perdType": "02", "perdStrDts": "20261101", "perdEndDts": "20261115", "commType": "02", "commValue": 3000000001}}"#).unwrap();
    assert!(matches!(fifteen.lookup, Some(Lookup::Shipping(_))));
    assert_eq!(
        list(r#"{"requestDeliveryEnd": {"commType": "01"}}"#).unwrap_err(),
        Failure::Required {
            field: Field::CommValue
        }
    );
    assert!(matches!(
        list(r#"{"requestDeliveryEnd": {"commType": "03", "commValue": "1"}}"#).unwrap_err(),
        Failure::Malformed {
            field: Field::CommType,
            ..
        }
    ));
    assert_eq!(
        list(r#"{"requestDeliveryEnd": {"perdStrDts": "20261120", "perdEndDts": "20261120"}}"#)
            .unwrap_err(),
        Failure::Required {
            field: Field::PerdType
        }
    );
    // The refusals integrations read, word for word.
    for (refusal, words) in [
        (
            Refusal::DeliveredOnReleaseDay,
            "배송완료는 출고일 익일부터 처리할 수 있습니다.",
        ),
        (
            Refusal::AlreadyDelivered,
            "이미 배송완료 된 배송번호입니다.",
        ),
    ] {
        for lang in [Lang::Ko, Lang::En] {
            let answer = as_text(encode_failure(
                Format::Json,
                lang,
                &Failure::Refused(refusal),
            ));
            assert!(answer.contains(words), "{answer}");
            assert!(answer.contains(r#""resultCode":"31""#));
        }
    }
}
