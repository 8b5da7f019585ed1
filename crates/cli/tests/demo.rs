//! `ssg-claims demo` as a newcomer meets it: every curl its banner prints, run in order as
//! printed, is answered — SSG's calls with `00`, the platform's with a success. The banner's
//! commands are read from its own text, so a call it shows that stops working fails here.

mod support;

use std::io::{BufRead, BufReader};

use support::ssg_claims;

/// One `curl` of the banner: method, URL, headers and body.
#[derive(Debug)]
struct Curl {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
}

/// The single-quoted words of a shell line (the banner quotes every argument it varies).
fn quoted(line: &str) -> Vec<String> {
    line.split('\'')
        .enumerate()
        .filter(|(n, _)| n % 2 == 1)
        .map(|(_, part)| part.to_owned())
        .collect()
}

fn parse(command: &str) -> Curl {
    let words = quoted(command);
    let mut headers = Vec::new();
    let mut body = None;
    let flags: Vec<&str> = command
        .split('\'')
        .enumerate()
        .filter(|(n, _)| n % 2 == 0)
        .map(|(_, part)| part.trim())
        .collect();
    // Each quoted word follows the flag that precedes it in the unquoted text.
    for (flag, word) in flags.iter().zip(&words).skip(1) {
        if flag.ends_with("-H") {
            let (name, value) = word.split_once(':').expect("a header");
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        } else if flag.ends_with("--data") {
            body = Some(word.clone());
        }
    }
    Curl {
        method: if command.contains("-X POST") {
            "POST"
        } else {
            "GET"
        }
        .to_owned(),
        url: words[0].clone(),
        headers,
        body,
    }
}

#[test]
fn every_curl_the_demo_prints_is_answered() {
    let mut child = ssg_claims("unused.db")
        .args(["demo", "--listen", "127.0.0.1:0", "--orders", "400"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _server = support::Server(child);
    let mut banner = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let done = line.starts_with("Press Ctrl-C");
        banner.push_str(&line);
        banner.push('\n');
        if done {
            break;
        }
    }
    let commands: Vec<String> = banner
        .replace("\\\n", " ")
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("curl "))
        .map(str::to_owned)
        .collect();
    let names = [
        "listShppDirection",
        "updateOrderSubjectManage",
        "saveWblNo",
        "saveWhOutCompleteProcess",
        "saveNoSellRequestRegist",
        "listShppingDelay",
        "cancel/request/approve",
        "/v1/sandbox/clock",
        "listExchangeTarget",
        "saveConfirmRcov",
        "saveCompleteRcov",
        "/returns",
    ];
    for name in names {
        assert!(
            commands.iter().any(|command| command.contains(name)),
            "the banner shows {name}: {banner}"
        );
    }
    let http = reqwest::blocking::Client::new();
    for command in &commands {
        let curl = parse(command);
        // Placeholders the reader fills in, and the webhook that needs a receiver first.
        if curl.url.contains('<') || curl.url.contains("/v1/webhooks") {
            continue;
        }
        let mut request = http.request(curl.method.parse().unwrap(), &curl.url);
        for (name, value) in &curl.headers {
            request = request.header(name, value);
        }
        if let Some(body) = &curl.body {
            request = request.body(body.clone());
        }
        let answer = request.send().unwrap();
        let status = answer.status().as_u16();
        let text = answer.text().unwrap();
        if curl.url.contains("/api/") {
            assert!(
                text.contains("\"resultCode\":\"00\"")
                    || text.contains("<resultCode>00</resultCode>"),
                "{command}\n→ {status} {text}"
            );
        } else {
            assert!((200..300).contains(&status), "{command}\n→ {status} {text}");
        }
    }
}
