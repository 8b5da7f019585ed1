//! The vendor API over HTTP: every rule of the canceled-order inquiry.

mod support;

use claims_server::{Config, ErrorStyle};
use support::{TestApp, http_errors, spawn};

async fn app() -> TestApp {
    spawn(http_errors()).await
}

fn row(ord: &str, seq: &str, time: &str) -> (String, String, String) {
    (ord.to_owned(), seq.to_owned(), time.to_owned())
}

#[tokio::test]
async fn a_period_includes_its_first_and_last_kst_second() {
    let app = app().await;
    let answer = app.period(&app.keys.a, "20261122", "20261128").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type, "application/json;charset=UTF-8");
    assert_eq!(answer.code(), "00");
    assert_eq!(
        answer.json_rows(),
        [
            row("A-ORDER-1", "1", "2026-11-22 00:00:00"),
            row("A-ORDER-1", "2", "2026-11-28 23:59:59"),
            row("A-ORDER-1", "3", "2026-11-28 23:59:59"),
        ]
    );
    // The seconds just outside belong to the neighbouring days.
    let before = app.period(&app.keys.a, "20261121", "20261121").await;
    assert_eq!(
        before.json_rows(),
        [row("A-ORDER-1", "1", "2026-11-21 23:59:59")]
    );
    let after = app.period(&app.keys.a, "20261129", "20261129").await;
    assert_eq!(
        after.json_rows(),
        [row("A-ORDER-2", "1", "2026-11-29 00:00:00")]
    );
}

#[tokio::test]
async fn six_days_apart_is_fine_seven_is_code_12() {
    let app = app().await;
    let six = app.period(&app.keys.a, "20261122", "20261128").await;
    assert_eq!((six.status, six.code()), (200, "00".into()));
    let seven = app.period(&app.keys.a, "20261122", "20261129").await;
    assert_eq!((seven.status, seven.code()), (400, "12".into()));
    assert!(seven.desc().contains("7"), "{}", seven.desc());
    assert!(
        seven.json()["result"].get("data").is_none(),
        "errors carry no data"
    );
}

#[tokio::test]
async fn impossible_and_malformed_dates_are_code_11() {
    let app = app().await;
    for (start, end, field) in [
        ("20261131", "20261201", "perdStrDts"),
        ("20261122", "20260230", "perdEndDts"),
        ("2026-11-22", "20261128", "perdStrDts"),
        ("20261122", "2026112", "perdEndDts"),
        ("abcdefgh", "20261128", "perdStrDts"),
    ] {
        let answer = app.period(&app.keys.a, start, end).await;
        assert_eq!(
            (answer.status, answer.code()),
            (400, "11".into()),
            "{start} {end}"
        );
        assert!(answer.desc().contains(field), "{}", answer.desc());
    }
}

#[tokio::test]
async fn a_start_after_the_end_is_code_13() {
    let app = app().await;
    let answer = app.period(&app.keys.a, "20261128", "20261122").await;
    assert_eq!((answer.status, answer.code()), (400, "13".into()));
    assert!(answer.desc().contains("perdStrDts"));
}

#[tokio::test]
async fn missing_values_are_code_10() {
    let app = app().await;
    for body in [
        r#"{"request": {}}"#,
        r#"{"request": {"perdStrDts": "20261122"}}"#,
        r#"{"request": {"perdEndDts": "20261128"}}"#,
        r#"{"request": {"perdStrDts": "", "perdEndDts": ""}}"#,
        r#"{"request": {"orordItemSeqs": "1,2"}}"#,
        r#"{"request": {"orordNo": "   "}}"#,
    ] {
        let answer = app.json(&app.keys.a, body).await;
        assert_eq!((answer.status, answer.code()), (400, "10".into()), "{body}");
    }
    let half = app
        .json(&app.keys.a, r#"{"request": {"perdStrDts": "20261122"}}"#)
        .await;
    assert!(half.desc().contains("perdEndDts"), "{}", half.desc());
}

#[tokio::test]
async fn an_original_order_search_with_item_sequences() {
    let app = app().await;
    let all = app
        .json(&app.keys.a, r#"{"request": {"orordNo": "A-ORDER-1"}}"#)
        .await;
    assert_eq!(
        all.json_rows().len(),
        4,
        "every claim line of the order, any date"
    );
    let some = app
        .json(
            &app.keys.a,
            r#"{"request": {"orordNo": "A-ORDER-1", "orordItemSeqs": " 3, 2,3"}}"#,
        )
        .await;
    assert_eq!(
        some.json_rows(),
        [
            row("A-ORDER-1", "2", "2026-11-28 23:59:59"),
            row("A-ORDER-1", "3", "2026-11-28 23:59:59"),
        ]
    );
    let both = app
        .json(
            &app.keys.a,
            r#"{"request": {"orordNo": "A-ORDER-1", "perdStrDts": "20261121", "perdEndDts": "20261121"}}"#,
        )
        .await;
    assert_eq!(
        both.json_rows(),
        [row("A-ORDER-1", "1", "2026-11-21 23:59:59")]
    );
}

#[tokio::test]
async fn bad_sequence_lists_are_code_11() {
    let app = app().await;
    for seqs in ["1,,2", "a", "0", "1;2", "-1", "1.5", ","] {
        let body =
            format!(r#"{{"request": {{"orordNo": "A-ORDER-1", "orordItemSeqs": "{seqs}"}}}}"#);
        let answer = app.json(&app.keys.a, &body).await;
        assert_eq!((answer.status, answer.code()), (400, "11".into()), "{seqs}");
        assert!(answer.desc().contains("orordItemSeqs"));
    }
}

#[tokio::test]
async fn keys_unknown_revoked_or_missing_are_code_20() {
    let app = app().await;
    let body = r#"{"request": {"perdStrDts": "20261122", "perdEndDts": "20261128"}}"#;
    for key in [
        "6f1c2b7e-0000-4000-8000-000000000000",
        app.keys.revoked.as_str(),
        "",
        "Bearer ",
    ] {
        let answer = app.json(key, body).await;
        assert_eq!(
            (answer.status, answer.code()),
            (401, "20".into()),
            "{key:?}"
        );
    }
    let without = app
        .post(
            &[
                ("content-type", "application/json"),
                ("accept", "application/json"),
            ],
            body,
        )
        .await;
    assert_eq!((without.status, without.code()), (401, "20".into()));
    assert!(without.desc().contains("Authorization"));
    // Bearer and upper case are the same key.
    let bearer = format!("Bearer {}", app.keys.a.to_uppercase());
    assert_eq!(app.json(&bearer, body).await.code(), "00");
}

#[tokio::test]
async fn content_negotiation() {
    let app = app().await;
    let xml_body =
        "<request><perdStrDts>20261122</perdStrDts><perdEndDts>20261128</perdEndDts></request>";
    let json_body = r#"{"request": {"perdStrDts": "20261122", "perdEndDts": "20261128"}}"#;
    let key = app.keys.a.as_str();

    // No Accept, or */*: the request's format.
    let answer = app
        .post(
            &[
                ("authorization", key),
                ("content-type", "text/xml; charset=utf-8"),
            ],
            xml_body,
        )
        .await;
    assert_eq!(answer.content_type, "application/xml;charset=UTF-8");
    assert_eq!(answer.code(), "00");
    let answer = app
        .post(
            &[
                ("authorization", key),
                ("content-type", "application/json"),
                ("accept", "*/*"),
            ],
            json_body,
        )
        .await;
    assert_eq!(answer.content_type, "application/json;charset=UTF-8");
    // XML in, JSON out, by q-value.
    let answer = app
        .post(
            &[
                ("authorization", key),
                ("content-type", "application/xml"),
                ("accept", "application/xml;q=0.2, application/json"),
            ],
            xml_body,
        )
        .await;
    assert_eq!(answer.content_type, "application/json;charset=UTF-8");
    assert_eq!(answer.json_rows().len(), 3);

    // Wrong Content-Type: 415, answered in the accepted format.
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml; charset=euc-kr",
    ] {
        let answer = app
            .post(
                &[
                    ("authorization", key),
                    ("content-type", content_type),
                    ("accept", "application/xml"),
                ],
                xml_body,
            )
            .await;
        assert_eq!(
            (answer.status, answer.code()),
            (415, "15".into()),
            "{content_type}"
        );
        assert_eq!(answer.content_type, "application/xml;charset=UTF-8");
    }
    let answer = app.post(&[("authorization", key)], json_body).await;
    assert_eq!((answer.status, answer.code()), (415, "15".into()));
    assert_eq!(answer.content_type, "application/json;charset=UTF-8");
    assert!(answer.desc().contains("Content-Type"));

    // Nothing acceptable: 406, in JSON.
    let answer = app
        .post(
            &[
                ("authorization", key),
                ("content-type", "application/xml"),
                ("accept", "text/html"),
            ],
            xml_body,
        )
        .await;
    assert_eq!((answer.status, answer.code()), (406, "15".into()));
    assert_eq!(answer.content_type, "application/json;charset=UTF-8");
}

#[tokio::test]
async fn english_descriptions_when_preferred() {
    let app = app().await;
    let body = r#"{"request": {}}"#;
    let korean = app.json(&app.keys.a, body).await;
    assert!(korean.desc().contains("조회 조건"));
    let english = app
        .post(
            &[
                ("authorization", &app.keys.a),
                ("content-type", "application/json"),
                ("accept-language", "en-US,en;q=0.9,ko;q=0.8"),
            ],
            body,
        )
        .await;
    assert!(
        english.desc().starts_with("No search condition"),
        "{}",
        english.desc()
    );
    let success = app
        .post(
            &[
                ("authorization", &app.keys.a),
                ("content-type", "application/json"),
                ("accept-language", "en"),
            ],
            r#"{"request": {"orordNo": "A-ORDER-1"}}"#,
        )
        .await;
    assert_eq!(success.json()["result"]["resultDesc"], "Success");
}

#[tokio::test]
async fn doctype_entities_and_broken_xml_are_code_14() {
    let app = app().await;
    let bodies = [
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\"><!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">]><request><orordNo>&lol2;</orordNo></request>".to_owned(),
        "<!DOCTYPE request [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><request><orordNo>&xxe;</orordNo></request>".to_owned(),
        "<request><orordNo>&xxe;</orordNo></request>".to_owned(),
        "<request><orordNo>A-ORDER-1</orordNo>".to_owned(),
        "<query><orordNo>A-ORDER-1</orordNo></query>".to_owned(),
        format!("<request>{}</request>", "<a>".repeat(5000)),
        String::new(),
    ];
    for body in bodies {
        let answer = app.xml(&app.keys.a, &body).await;
        assert_eq!(
            (answer.status, answer.code()),
            (400, "14".into()),
            "{body:.60}"
        );
    }
    for body in ["{", "[]", r#"{"query": {}}"#, r#"{"request": 1}"#] {
        let answer = app.json(&app.keys.a, body).await;
        assert_eq!((answer.status, answer.code()), (400, "14".into()), "{body}");
    }
    let not_utf8 = app
        .post(
            &[
                ("authorization", &app.keys.a),
                ("content-type", "application/xml"),
            ],
            b"<request><orordNo>\xc0\xaf</orordNo></request>".to_vec(),
        )
        .await;
    assert_eq!(not_utf8.code(), "14");
    // The server is still answering.
    assert_eq!(
        app.period(&app.keys.a, "20261122", "20261128").await.code(),
        "00"
    );
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413() {
    let app = app().await;
    let padding = " ".repeat(70 * 1024);
    let body = format!(r#"{{"request": {{"orordNo": "A-ORDER-1"}}}}{padding}"#);
    let answer = app.json(&app.keys.a, &body).await;
    assert_eq!((answer.status, answer.code()), (413, "14".into()));
    // Without a declared length too (chunked).
    let chunks: Vec<Result<String, std::io::Error>> = vec![
        Ok(r#"{"request": {"orordNo": "A-ORDER-1"}}"#.to_owned()),
        Ok(padding),
    ];
    let streamed = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    let answer = app
        .post(
            &[
                ("authorization", &app.keys.a),
                ("content-type", "application/json"),
            ],
            streamed,
        )
        .await;
    assert_eq!((answer.status, answer.code()), (413, "14".into()));
}

#[tokio::test]
async fn a_vendor_never_sees_another_vendors_rows() {
    let app = app().await;
    // B's claim lies inside the week; A's key does not see it, by period or by number.
    let a_week = app.period(&app.keys.a, "20261122", "20261128").await;
    assert!(
        a_week
            .json_rows()
            .iter()
            .all(|(ord, _, _)| ord.starts_with("A-"))
    );
    let b_week = app.period(&app.keys.b, "20261122", "20261128").await;
    assert_eq!(
        b_week.json_rows(),
        [row("B-ORDER-1", "1", "2026-11-25 12:00:00")]
    );
    let a_asks_for_b = app
        .json(&app.keys.a, r#"{"request": {"orordNo": "B-ORDER-1"}}"#)
        .await;
    assert_eq!(
        (a_asks_for_b.status, a_asks_for_b.code()),
        (200, "00".into())
    );
    assert!(a_asks_for_b.json_rows().is_empty());
    let b_asks_for_a = app
        .xml(
            &app.keys.b,
            "<request><orordNo>A-ORDER-1</orordNo></request>",
        )
        .await;
    assert_eq!(b_asks_for_a.code(), "00");
    assert!(!b_asks_for_a.body.contains("<data>"));
}

#[tokio::test]
async fn a_lower_rank_key_sees_only_its_own_rows() {
    let app = app().await;
    let a1 = app.period(&app.keys.a1, "20261122", "20261128").await;
    assert_eq!(
        a1.json_rows(),
        [row("A-ORDER-1", "2", "2026-11-28 23:59:59")]
    );
    let a2 = app
        .json(
            &app.keys.a2,
            r#"{"request": {"orordNo": "A-ORDER-1", "orordItemSeqs": "1,2,3"}}"#,
        )
        .await;
    assert_eq!(
        a2.json_rows(),
        [row("A-ORDER-1", "3", "2026-11-28 23:59:59")]
    );
    for row in a1.json()["result"]["data"].as_array().unwrap() {
        assert_eq!(row["cstInfo"][0]["lrnkSplVenId"], "0000012346");
    }
}

#[tokio::test]
async fn a_legacy_client_posts_tab_indented_xml_and_walks_the_dom() {
    let app = app().await;
    let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<request>\r\n\t<perdStrDts>20261122</perdStrDts>\r\n\t<perdEndDts>20261128</perdEndDts>\r\n</request>\r\n";
    let answer = app
        .post(
            &[
                ("authorization", &app.keys.a),
                ("content-type", "application/xml"),
                ("accept", "application/xml"),
            ],
            body,
        )
        .await;
    assert_eq!(answer.status, 200);
    let document = roxmltree::Document::parse(&answer.body).unwrap();
    let result = document.root_element();
    assert_eq!(result.tag_name().name(), "result");
    let text = |node: roxmltree::Node, name: &str| {
        node.children()
            .find(|n| n.has_tag_name(name))
            .and_then(|n| n.text())
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(text(result, "resultCode"), "00");
    assert_eq!(text(result, "resultMessage"), "SUCCESS");
    let data: Vec<_> = result
        .children()
        .filter(|n| n.has_tag_name("data"))
        .collect();
    assert_eq!(data.len(), 3);
    assert_eq!(text(data[0], "ordpeNm"), "홍길동");
    assert_eq!(text(data[0], "itemNm"), "M&M's 초콜릿 <1호>");
    assert_eq!(text(data[0], "ordCnclDts"), "2026-11-22 00:00:00");
    assert_eq!(text(data[0], "dircItemQty"), "2");
    assert_eq!(text(data[0], "cnclItemQty"), "1");
    assert_eq!(text(data[0], "ordItemStatNm"), "주문취소");
    let cost: Vec<_> = data[0]
        .children()
        .filter(|n| n.has_tag_name("cstInfo"))
        .collect();
    assert_eq!(cost.len(), 1);
    assert_eq!(text(cost[0], "splVenBdnDcAmt"), "500");
    assert_eq!(text(cost[0], "splVenId"), "0000012345");
    // The claim that completed A's goods refunds the shipping fee once, on its first line.
    assert_eq!(
        text(
            data[1]
                .children()
                .find(|n| n.has_tag_name("cstInfo"))
                .unwrap(),
            "shpmtShppcst"
        ),
        "3000"
    );
    assert_eq!(
        text(
            data[2]
                .children()
                .find(|n| n.has_tag_name("cstInfo"))
                .unwrap(),
            "shpmtShppcst"
        ),
        "0"
    );
}

#[tokio::test]
async fn no_rows_is_an_empty_list_or_no_data_element() {
    let app = app().await;
    let json = app.period(&app.keys.b, "20260101", "20260107").await;
    assert_eq!(json.json()["result"]["data"], serde_json::json!([]));
    let xml = app
        .xml(
            &app.keys.b,
            "<request><perdStrDts>20260101</perdStrDts><perdEndDts>20260107</perdEndDts></request>",
        )
        .await;
    assert_eq!(xml.code(), "00");
    assert!(!xml.body.contains("<data>"));
}

#[tokio::test]
async fn by_default_every_error_is_a_500_as_ssg_answers() {
    assert_eq!(Config::default().errors, ErrorStyle::Ssg);
    let app = spawn(Config::default()).await;
    let too_long = app.period(&app.keys.a, "20261122", "20261129").await;
    assert_eq!((too_long.status, too_long.code()), (500, "12".into()));
    let no_key = app.json("", r#"{"request": {}}"#).await;
    assert_eq!((no_key.status, no_key.code()), (500, "20".into()));
    let ok = app.period(&app.keys.a, "20261122", "20261128").await;
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn more_rows_than_the_maximum_is_code_16() {
    let app = spawn(Config {
        max_rows: 2,
        ..http_errors()
    })
    .await;
    let answer = app.period(&app.keys.a, "20261122", "20261128").await;
    assert_eq!((answer.status, answer.code()), (400, "16".into()));
    assert!(answer.desc().contains('2'));
    let exactly = app.period(&app.keys.a, "20261121", "20261122").await;
    assert_eq!(exactly.json_rows().len(), 2);

    // The same limits when the answer is long enough to be streamed page by page.
    let paged = spawn(Config {
        max_rows: 2,
        page_rows: 1,
        ..http_errors()
    })
    .await;
    assert_eq!(
        paged
            .period(&paged.keys.a, "20261122", "20261128")
            .await
            .code(),
        "16"
    );
    assert_eq!(
        paged
            .period(&paged.keys.a, "20261121", "20261122")
            .await
            .json_rows()
            .len(),
        2
    );
}

#[tokio::test]
async fn a_streamed_answer_equals_a_whole_one() {
    let whole = app().await;
    let paged = spawn(Config {
        page_rows: 1,
        ..http_errors()
    })
    .await;
    for key_of in [
        |k: &support::Keys| k.a.clone(),
        |k: &support::Keys| k.b.clone(),
    ] {
        let xml =
            "<request><perdStrDts>20261122</perdStrDts><perdEndDts>20261128</perdEndDts></request>";
        let expected = whole.xml(&key_of(&whole.keys), xml).await;
        let streamed = paged.xml(&key_of(&paged.keys), xml).await;
        // Claim numbers are assigned by each store alike, so the bodies are identical.
        assert_eq!(streamed.body, expected.body);
        let json_whole = whole
            .period(&key_of(&whole.keys), "20261122", "20261128")
            .await;
        let json_paged = paged
            .period(&key_of(&paged.keys), "20261122", "20261128")
            .await;
        assert_eq!(json_paged.body, json_whole.body);
        json_paged.json();
    }
}
