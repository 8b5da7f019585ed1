//! Hostile XML and credential probing against the real binary: each attack is answered with
//! result code 14 (or 20), the server's memory stays bounded, nothing secret is echoed or
//! logged, and the server keeps serving.

mod support;

use std::time::{Duration, Instant};

use support::{Running, add_vendor, issue_key, ssg_claims};

const INQUIRY: &str = "/api/clm/cncl/ord/inquiry.ssg";

/// Peak resident memory of a process, in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .expect("VmHWM in /proc/PID/status")
}

fn attacks() -> Vec<(&'static str, Vec<u8>)> {
    let mut out: Vec<(&'static str, Vec<u8>)> = Vec::new();
    out.push((
        "external entity (XXE)",
        br#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><request><orordNo>&x;</orordNo></request>"#.to_vec(),
    ));
    let mut laughs = String::from("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    for level in 1..=9 {
        let previous = if level == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", level - 1)
        };
        laughs.push_str(&format!(
            "<!ENTITY lol{level} \"{}\">",
            format!("&{previous};").repeat(10)
        ));
    }
    laughs.push_str("]><request><orordNo>&lol9;</orordNo></request>");
    out.push(("billion laughs", laughs.into_bytes()));
    let blowup = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"{}\">]><request><orordNo>{}</orordNo></request>",
        "x".repeat(20_000),
        "&a;".repeat(10_000)
    );
    out.push(("quadratic blow-up", blowup.into_bytes()));
    out.push((
        "quadratic blow-up without a DTD",
        format!(
            "<request><orordNo>{}</orordNo></request>",
            "&a;".repeat(15_000)
        )
        .into_bytes(),
    ));
    out.push((
        "100,000 nested elements",
        format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000)).into_bytes(),
    ));
    out.push((
        "9,000 nested elements (within the size limit)",
        format!(
            "<request>{}{}</request>",
            "<a>".repeat(9_000),
            "</a>".repeat(9_000)
        )
        .into_bytes(),
    ));
    let attributes: String = (0..100_000).map(|n| format!(" a{n}=\"\"")).collect();
    out.push((
        "100,000 attributes",
        format!("<request{attributes}><orordNo>1</orordNo></request>").into_bytes(),
    ));
    let mut invalid = b"<request><orordNo>".to_vec();
    invalid.extend_from_slice(&[0xff, 0xfe, 0xc3, 0x28]);
    invalid.extend_from_slice(b"</orordNo></request>");
    out.push(("invalid UTF-8", invalid));
    out.push((
        "an unclosed CDATA to the end",
        format!("<request><orordNo><![CDATA[{}", "x".repeat(60_000)).into_bytes(),
    ));
    out
}

/// Posts `body` on a raw connection, sending it from another thread while this one reads:
/// the server may answer (and close) before the body is all sent, as it does for bodies
/// over the limit, and a client that insists on sending first would never see the answer.
fn raw_post(address: &str, key: &str, body: &[u8], chunked: bool) -> (u16, String) {
    use std::io::{Read, Write};
    let stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_owned()
    } else {
        format!("Content-Length: {}", body.len())
    };
    let head = format!(
        "POST {INQUIRY} HTTP/1.1\r\nHost: {address}\r\nAuthorization: {key}\r\n\
         Content-Type: application/xml\r\nAccept: application/json\r\n{framing}\r\n\r\n"
    );
    let body = body.to_vec();
    std::thread::spawn(move || -> std::io::Result<()> {
        writer.write_all(head.as_bytes())?;
        if chunked {
            for chunk in body.chunks(8192) {
                write!(writer, "{:x}\r\n", chunk.len())?;
                writer.write_all(chunk)?;
                writer.write_all(b"\r\n")?;
            }
            writer.write_all(b"0\r\n\r\n")?;
        } else {
            writer.write_all(&body)?;
        }
        Ok(())
    });
    let mut reader = stream;
    let mut received = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        let read = reader.read(&mut buffer).unwrap_or(0);
        if read == 0 {
            break;
        }
        received.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&received);
        if let Some((head, rest)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if rest.len() >= length {
                let status = head[9..12].parse().unwrap();
                return (status, rest[..length].to_owned());
            }
        }
    }
    panic!(
        "no complete answer: {:?}",
        String::from_utf8_lossy(&received)
    );
}

#[test]
fn hostile_xml_is_code_14_quickly_in_bounded_memory_and_the_server_stays_healthy() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    add_vendor(&db, "0000012345", "(주)한빛유통");
    let key = issue_key(&db, "0000012345");
    let server = Running::start(ssg_claims(&db).args(["serve", "--listen", "127.0.0.1:0"]));
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let url = format!("{}{INQUIRY}", server.base);
    // Warm up, then measure from here.
    let ok = client
        .post(&url)
        .header("authorization", &key)
        .header("content-type", "application/xml")
        .body(
            "<request><perdStrDts>20261122</perdStrDts><perdEndDts>20261128</perdEndDts></request>",
        )
        .send()
        .unwrap();
    assert_eq!(ok.status(), 200);
    let before = peak_rss_kib(server.pid());

    let mut report = Vec::new();
    for (name, body) in attacks() {
        for chunked in [false, true] {
            let started = Instant::now();
            let address = server.base.trim_start_matches("http://");
            let (status, answer) = raw_post(address, &key, &body, chunked);
            let body: serde_json::Value = serde_json::from_str(&answer).unwrap();
            let code = body["result"]["resultCode"]
                .as_str()
                .unwrap_or("")
                .to_owned();
            report.push(format!(
                "{name} ({}): HTTP {status}, code {code}, {:?}",
                if chunked { "chunked" } else { "with length" },
                started.elapsed()
            ));
            assert_eq!(code, "14", "{name}: {body}");
            assert_eq!(status, 500, "{name}: every error is a 500, as SSG answers");
            // A hang guard only; the times are reported, not asserted.
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{name} took too long"
            );
        }
    }
    let grown = peak_rss_kib(server.pid()).saturating_sub(before);
    eprintln!("{}\npeak RSS grew by {grown} KiB", report.join("\n"));
    assert!(grown < 32 * 1024, "peak RSS grew by {grown} KiB");

    // Healthy afterwards.
    let health = client
        .get(format!("{}/healthz", server.base))
        .send()
        .unwrap();
    assert_eq!(health.status(), 200);
    let ok = client
        .post(&url)
        .header("authorization", &key)
        .header("content-type", "application/json")
        .body(r#"{"request": {"perdStrDts": "20261122", "perdEndDts": "20261128"}}"#)
        .send()
        .unwrap();
    assert_eq!(ok.status(), 200);
}

#[test]
fn credentials_are_never_echoed_or_logged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claims.db");
    add_vendor(&db, "0000012345", "(주)한빛유통");
    let key = issue_key(&db, "0000012345");
    let mut server = Running::start(ssg_claims(&db).env("SSG_CLAIMS_LOG", "trace").args([
        "serve",
        "--listen",
        "127.0.0.1:0",
    ]));
    let client = reqwest::blocking::Client::new();
    // A near miss of a real key, and the real key, in every place a caller could put it.
    let near_miss = format!("{}0", &key[..key.len() - 1]);
    let mut bodies = Vec::new();
    for credential in [key.as_str(), near_miss.as_str()] {
        for value in [credential.to_owned(), format!("Bearer {credential}")] {
            for path in [INQUIRY, "/v1/orders/NO-SUCH-ORDER"] {
                let answer = client
                    .post(format!("{}{path}", server.base))
                    .header("authorization", &value)
                    .header("content-type", "application/json")
                    .body(r#"{"request": {"orordNo": "X"}}"#)
                    .send()
                    .unwrap();
                let headers = format!("{:?}", answer.headers());
                bodies.push(format!("{headers} {}", answer.text().unwrap()));
            }
        }
    }
    server.terminate();
    assert!(server.wait_exit(Duration::from_secs(10)).is_some());
    let log = server.log_lines().join("\n");
    assert!(log.contains("answered"), "the requests were logged: {log}");
    for secret in [&key, &near_miss] {
        assert!(!log.contains(secret.as_str()), "a credential is in the log");
        for body in &bodies {
            assert!(
                !body.contains(secret.as_str()),
                "a credential was echoed: {body}"
            );
        }
    }
}
