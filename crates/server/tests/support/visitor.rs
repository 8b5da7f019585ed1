//! A browser without a browser, for page tests: it keeps cookies, follows no redirects,
//! sends each request straight to the application's router, and reads pages with CSS
//! selectors.

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use claims_server::console::hash_password;
use claims_server::router;
use claims_store::conformance::at;
use claims_store::{Login, NewUser, Password, UserRole};
use http_body_util::BodyExt;
use scraper::{Html, Selector};
use tower::ServiceExt;

use super::TestApp;

pub const PASSWORD: &str = "correct horse battery";

/// A browser without a browser: keeps cookies, follows no redirects, and sends each
/// request straight to the application's router.
#[derive(Clone)]
pub struct Visitor {
    router: Router,
    pub cookies: HashMap<String, String>,
    /// The client address the requests come from, when one is given.
    pub peer: Option<std::net::SocketAddr>,
    /// An `X-Forwarded-For` every request carries, as a proxy in front would add it.
    pub forwarded_for: Option<String>,
}

/// What a page answered.
pub struct Page {
    pub status: u16,
    pub location: String,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    /// The body as sent (a download is not text).
    pub bytes: Vec<u8>,
}

impl Page {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// The texts of the elements `css` selects, whitespace folded.
    pub fn texts(&self, css: &str) -> Vec<String> {
        let selector = Selector::parse(css).unwrap();
        self.html()
            .select(&selector)
            .map(|element| {
                element
                    .text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    /// The attribute `name` of the first element `css` selects.
    pub fn attr(&self, css: &str, name: &str) -> Option<String> {
        let selector = Selector::parse(css).unwrap();
        self.html()
            .select(&selector)
            .next()
            .and_then(|element| element.value().attr(name).map(str::to_owned))
    }

    /// How many elements `css` selects.
    pub fn count(&self, css: &str) -> usize {
        let selector = Selector::parse(css).unwrap();
        self.html().select(&selector).count()
    }

    /// The CSRF token of the page's first form.
    pub fn csrf(&self) -> String {
        self.attr("form input[name=csrf]", "value")
            .expect("a form with a token")
    }
}

impl Visitor {
    pub fn new(app: &TestApp) -> Visitor {
        Visitor {
            router: router(app.state.clone()),
            cookies: HashMap::new(),
            peer: None,
            forwarded_for: None,
        }
    }

    /// The same cookies, against another node.
    pub fn on(&self, app: &TestApp) -> Visitor {
        Visitor {
            router: router(app.state.clone()),
            cookies: self.cookies.clone(),
            peer: self.peer,
            forwarded_for: self.forwarded_for.clone(),
        }
    }

    pub async fn send(&mut self, request: axum::http::request::Builder, body: Body) -> Page {
        let cookie: Vec<String> = self
            .cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        let request = match &self.forwarded_for {
            Some(client) => request.header("X-Forwarded-For", client),
            None => request,
        };
        let mut request = request
            .header("Cookie", cookie.join("; "))
            .header("Accept-Language", "ko-KR")
            .body(body)
            .unwrap();
        if let Some(peer) = self.peer {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
        }
        let response = self.router.clone().oneshot(request).await.unwrap();
        for set in response.headers().get_all("set-cookie") {
            let set = set.to_str().unwrap();
            let (pair, attributes) = set.split_once(';').unwrap_or((set, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let location = headers
            .get("location")
            .map_or(String::new(), |l| l.to_str().unwrap().to_owned());
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Page {
            status,
            location,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    /// Posts a `multipart/form-data` form: its text fields, and one file.
    pub async fn upload(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        (name, file_name, content): (&str, &str, &[u8]),
    ) -> Page {
        const BOUNDARY: &str = "----visitor-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (field, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        self.send(
            Request::post(path).header(
                "Content-Type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            ),
            Body::from(body),
        )
        .await
    }

    pub async fn get(&mut self, path: &str) -> Page {
        self.send(Request::get(path), Body::empty()).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(form).unwrap();
        self.send(
            Request::post(path).header("Content-Type", "application/x-www-form-urlencoded"),
            Body::from(body),
        )
        .await
    }

    pub async fn sign_in(&mut self, login: &str, password: &str) -> Page {
        let form = self.get("/console/login").await;
        assert_eq!(form.status, 200);
        let csrf = form.csrf();
        self.post(
            "/console/login",
            &[("login", login), ("password", password), ("csrf", &csrf)],
        )
        .await
    }
}

/// Adds console user `login` with [`PASSWORD`].
pub async fn add_user(app: &TestApp, login: &str, role: UserRole) {
    let password_hash = hash_password(&Password::parse(PASSWORD).unwrap());
    app.store
        .add_console_user(
            NewUser {
                login: Login::parse(login).unwrap(),
                role,
                password_hash,
            },
            at("2026-11-01 00:00:00"),
        )
        .await
        .unwrap();
}
