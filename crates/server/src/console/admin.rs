//! Operators' pages: vendors and their lower-rank vendors, vendor API keys, platform
//! tokens, and console users.
//!
//! Forms forgive: a field that does not hold what it should is named by its label, in the
//! page's language, with the form kept as typed (a password aside); revoking and removing
//! ask for a second click that says what will happen; every action answers with a redirect
//! (a reload repeats nothing). A new key or token is shown once, on a page of its own that
//! the redirect opens: its secret travels in a short-lived cookie for that one page, which
//! the page clears as it shows it — never in an address, never in a POST's answer — and a
//! second submit of the same form (a double click) issues nothing more.

use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use claims_domain::order::rules;
use claims_domain::{Scope, Text, VendorId};
use claims_store::{
    Fingerprint, KeyId, Login, NewUser, NewVendor, Password, Role, RoleKind, StoreError,
    StoredAnswer, TokenId, UserRole,
};
use claims_wire::Lang;
use maud::{Markup, html};
use sha2::{Digest, Sha256};

use super::auth::hash_password;
use super::claiming::{confirm_once, confirmation_token};
use super::forms::{
    AdminDone, DeleteUserForm, KeyForm, RevokeKeyForm, RevokeTokenForm, TokenForm, UserForm,
    VendorForm,
};
use super::layout::{Kind, shell, table};
use super::page::{PageError, page, see_other};
use super::session::{Posted, Signed, cookie};
use super::text::{Words, percent};
use crate::app::credentials::{issue_api_key, issue_token};
use crate::app::state::AppState;

/// The cookie that carries a new secret to the one page that shows it.
const SECRET_COOKIE: &str = "console_secret";
/// How long that cookie lives: long enough for the redirect, not for a stolen laptop.
const SECRET_SECONDS: u32 = 120;

/// The admin section's own tabs.
fn tabs(lang: Lang, active: &str) -> Markup {
    let entries = [
        (
            "vendors",
            "/console/admin/vendors",
            lang.t("업체", "Vendors"),
        ),
        ("keys", "/console/admin/keys", lang.t("API 키", "API keys")),
        (
            "tokens",
            "/console/admin/tokens",
            lang.t("플랫폼 토큰", "Platform tokens"),
        ),
        (
            "users",
            "/console/admin/users",
            lang.t("콘솔 사용자", "Console users"),
        ),
    ];
    html! {
        nav.tabs aria-label=(lang.t("관리 메뉴", "Admin sections")) {
            ul {
                @for (key, href, name) in entries {
                    li { a href=(href) aria-current=[(key == active).then_some("page")] { (name) } }
                }
            }
        }
    }
}

/// A destructive action behind a second click: the summary names it, the form inside says
/// what it will do and carries `confirm=1`.
fn confirm_first(
    me: &Signed,
    action: &str,
    (field_name, id): (&str, &str),
    (summary, warning, confirm): (&str, &str, &str),
) -> Markup {
    html! {
        details.notices {
            summary aria-label={ (summary) " " (id) } { (summary) }
            form.notice-form method="post" action=(action) {
                input type="hidden" name="csrf" value=(me.csrf);
                input type="hidden" name=(field_name) value=(id);
                input type="hidden" name="confirm" value="1";
                p.notice.warn { (warning) }
                button.danger type="submit" { (confirm) " " (id) }
            }
        }
    }
}

/// A revoke action for a live credential, or when it was revoked.
fn revoke_or_revoked(
    me: &Signed,
    action: &str,
    field: (&str, &str),
    revoked_at: Option<claims_domain::KstDateTime>,
    warning: &str,
) -> Markup {
    let lang = me.lang;
    html! {
        @if let Some(revoked) = revoked_at {
            span.badge.bad { (lang.t("폐기됨 ", "revoked ")) (revoked.to_wire()[..16].to_owned()) }
        } @else {
            (confirm_first(me, action, field, (lang.t("폐기", "Revoke"), warning, lang.t("폐기 확정:", "Revoke"))))
        }
    }
}

/// One admin section, laid out as every other: its tab, what the last action did, the form
/// that adds one, and the list.
struct Section<'a> {
    tab: &'a str,
    title: &'a str,
    /// Where the form posts.
    action: &'a str,
    heading: &'a str,
    /// The form's labelled inputs, holding what was typed.
    fields: Markup,
    submit: &'a str,
    list: Markup,
}

fn section(me: &Signed, done: &Outcome, section: Section<'_>) -> Response {
    let lang = me.lang;
    let content = html! {
        h1 { (section.title) }
        (tabs(lang, section.tab))
        (outcome(done))
        form.card method="post" action=(section.action) {
            h2 { (section.heading) }
            input type="hidden" name=(VendorForm::NAMES.csrf) value=(me.csrf);
            div.row {
                (section.fields)
            }
            div.actions { button type="submit" { (section.submit) } }
        }
        (section.list)
    };
    let mut response = page(shell(me.frame(), section.title, "admin", content));
    if let Outcome::Refused(status, _) = done {
        *response.status_mut() = *status;
    }
    response
}

/// What the last action did (from the redirect after it), or why the one just sent could
/// not be done: shown above the page's form.
enum Outcome {
    None,
    Done(String),
    Refused(StatusCode, String),
}

fn outcome(outcome: &Outcome) -> Markup {
    match outcome {
        Outcome::None => html! {},
        Outcome::Done(message) => html! { p.notice.ok role="status" { (message) } },
        Outcome::Refused(_, message) => html! { p.notice.error role="alert" { (message) } },
    }
}

/// What the redirect after an action says was done, worded here from what it names (so
/// that a link cannot make the page say anything else).
fn done_message(lang: Lang, done: &AdminDone) -> Outcome {
    let id = done.id.trim();
    let message = match done.did.trim() {
        "vendor-added" => VendorId::parse("id", id).ok().map(|id| match lang {
            Lang::Ko => format!("업체 {id}을(를) 등록했습니다."),
            Lang::En => format!("Registered vendor {id}."),
        }),
        "key-revoked" => KeyId::parse("id", id).ok().map(|id| match lang {
            Lang::Ko => {
                format!("키 {id}을(를) 폐기했습니다. 이 키로 오는 요청은 지금부터 거절됩니다.")
            }
            Lang::En => format!("Revoked {id}: requests with it are refused from now on."),
        }),
        "token-revoked" => TokenId::parse("id", id).ok().map(|id| match lang {
            Lang::Ko => format!("토큰 {id}을(를) 폐기했습니다."),
            Lang::En => format!("Revoked {id}."),
        }),
        "user-added" => Login::parse(id).ok().map(|login| match lang {
            Lang::Ko => format!("사용자 {login}을(를) 추가했습니다."),
            Lang::En => format!("Added {login}."),
        }),
        "user-removed" => Login::parse(id).ok().map(|login| match lang {
            Lang::Ko => {
                format!("사용자 {login}을(를) 삭제했습니다. 로그인 중이던 세션도 끝났습니다.")
            }
            Lang::En => format!("Removed {login}; their sessions ended."),
        }),
        _ => None,
    };
    message.map_or(Outcome::None, Outcome::Done)
}

/// A field that does not hold what it should, named by its label.
fn wrong(lang: Lang, label: &str, problem: &str) -> Outcome {
    Outcome::Refused(
        StatusCode::BAD_REQUEST,
        match lang {
            Lang::Ko => format!("{label}: {problem}"),
            Lang::En => format!("{label}: {problem}"),
        },
    )
}

/// A vendor id as a form field takes it: exactly ten digits.
fn vendor_id(lang: Lang, label: &str, value: &str) -> Result<VendorId, Outcome> {
    let value = value.trim();
    if value.is_empty() {
        return Err(wrong(lang, label, lang.t("입력하세요.", "required.")));
    }
    VendorId::parse("splVenId", value).map_err(|_| {
        let problem = match lang {
            Lang::Ko => format!(
                "숫자 10자리여야 합니다 (예: 0000012345). 입력한 값: {value} ({}자)",
                value.chars().count()
            ),
            Lang::En => format!(
                "must be exactly 10 digits (like 0000012345); typed: {value} ({} characters)",
                value.chars().count()
            ),
        };
        wrong(lang, label, &problem)
    })
}

/// An optional vendor id: empty is none.
fn optional_vendor_id(lang: Lang, label: &str, value: &str) -> Result<Option<VendorId>, Outcome> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        vendor_id(lang, label, value).map(Some)
    }
}

/// Text a field requires, within `rule`.
fn text(
    lang: Lang,
    label: &str,
    value: &str,
    rule: claims_domain::TextRule,
) -> Result<Text, Outcome> {
    Text::parse("text", value.trim(), rule).map_err(|error| {
        let problem = if value.trim().is_empty() {
            lang.t("입력하세요.", "required.").to_owned()
        } else {
            match lang {
                Lang::Ko => format!("사용할 수 없는 값입니다 ({}).", error.problem),
                Lang::En => format!("not allowed ({}).", error.problem),
            }
        };
        wrong(lang, label, &problem)
    })
}

async fn vendors_page(
    app: &AppState,
    me: &Signed,
    done: Outcome,
    typed: &VendorForm,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let vendors = app
        .store
        .vendors()
        .await
        .map_err(|e| PageError::store(lang, e))?;
    let title = lang.t("업체 관리", "Vendors");
    let names = VendorForm::NAMES;
    let fields = html! {
        div { label for=(names.id) { (label::VENDOR_ID.in_(lang)) }
              input id=(names.id) name=(names.id) type="text" inputmode="numeric" pattern="[0-9]{10}" required size="12" value=(typed.id); }
        div { label for=(names.name) { (label::VENDOR_NAME.in_(lang)) }
              input id=(names.name) name=(names.name) type="text" required value=(typed.name); }
        div { label for=(names.parent) { (label::PARENT.in_(lang)) }
              input id=(names.parent) name=(names.parent) type="text" inputmode="numeric" size="12" value=(typed.parent); }
    };
    let list = table(
        Some(&format!(
            "{}{}",
            vendors.len(),
            lang.t("개 업체", " vendors")
        )),
        None,
        &[
            (lang.t("업체 ID", "Vendor id"), Kind::Text),
            (lang.t("업체명", "Name"), Kind::Wrap),
            (lang.t("상위 업체", "Parent"), Kind::Text),
            (lang.t("등록일시", "Registered"), Kind::Text),
        ],
        vendors
            .iter()
            .map(|vendor| {
                vec![
                    html! { (vendor.id) },
                    html! { (vendor.name.as_str()) },
                    html! { @if let Some(parent) = &vendor.parent { (parent) } @else { "—" } },
                    html! { (vendor.created_at.to_wire()[..16].to_owned()) },
                ]
            })
            .collect(),
    );
    Ok(section(
        me,
        &done,
        Section {
            tab: "vendors",
            title,
            action: "/console/admin/vendors",
            heading: lang.t("업체 등록", "Register a vendor"),
            fields,
            submit: lang.t("등록", "Register"),
            list,
        },
    ))
}

/// The forms' labels, written once for the page and for the errors that name them.
mod label {
    use claims_wire::Lang;

    use crate::console::text::Words;

    pub(super) struct Label(&'static str, &'static str);

    impl Label {
        pub(super) fn in_(&self, lang: Lang) -> &'static str {
            lang.t(self.0, self.1)
        }
    }

    pub(super) const VENDOR_ID: Label = Label("업체 ID (숫자 10자리)", "Vendor id (10 digits)");
    pub(super) const VENDOR_NAME: Label = Label("업체명", "Name");
    pub(super) const PARENT: Label = Label(
        "상위 업체 ID (하위업체일 때)",
        "Parent vendor (for a lower-rank vendor)",
    );
    pub(super) const KEY_VENDOR: Label = Label("업체 ID", "Vendor id");
    pub(super) const LOWER_RANK: Label =
        Label("하위업체 ID (선택)", "Lower-rank vendor (optional)");
    pub(super) const ROLE: Label = Label("역할", "Role");
    pub(super) const TOKEN_LABEL: Label = Label("용도 (선택)", "What it is for (optional)");
    pub(super) const LOGIN: Label = Label("아이디", "Login");
    pub(super) const USER_VENDOR: Label = Label("업체 ID (업체 직원)", "Vendor id (vendor staff)");
    pub(super) const PASSWORD: Label =
        Label("비밀번호 (10자 이상)", "Password (10 characters or more)");
}

pub(super) async fn vendors(
    State(app): State<AppState>,
    me: Signed,
    Query(done): Query<AdminDone>,
) -> Result<Response, PageError> {
    me.require(&[RoleKind::Admin])?;
    vendors_page(
        &app,
        &me,
        done_message(me.lang, &done),
        &VendorForm::default(),
    )
    .await
}

/// A refusal by the store told in the page (409); a failure of the store itself is an
/// error page.
fn refusal(lang: Lang, error: StoreError) -> Result<Outcome, PageError> {
    match error {
        error @ (StoreError::NotFound(_) | StoreError::Conflict(_) | StoreError::Invalid(_)) => Ok(
            Outcome::Refused(StatusCode::CONFLICT, PageError::store(lang, error).message),
        ),
        error => Err(PageError::store(lang, error)),
    }
}

async fn keys_page(
    app: &AppState,
    me: &Signed,
    done: Outcome,
    typed: &KeyForm,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let keys = app
        .store
        .api_keys(None)
        .await
        .map_err(|e| PageError::store(lang, e))?;
    let title = lang.t("API 키 관리", "Vendor API keys");
    let names = KeyForm::NAMES;
    let fields = html! {
        input type="hidden" name=(names.once) value=(confirmation_token());
        div { label for=(names.vendor) { (label::KEY_VENDOR.in_(lang)) }
              input id=(names.vendor) name=(names.vendor) type="text" inputmode="numeric" required size="12" value=(typed.vendor); }
        div { label for=(names.lrnk) { (label::LOWER_RANK.in_(lang)) }
              input id=(names.lrnk) name=(names.lrnk) type="text" inputmode="numeric" size="12" value=(typed.lrnk); }
    };
    let warning = lang.t(
        "폐기하면 이 키를 쓰는 연동이 바로 멈춥니다. 새 키를 먼저 발급해 연동에 넣은 뒤 폐기하세요.",
        "Revoking stops every integration using this key at once: issue and install a new key first.",
    );
    let list = table(
        Some(&format!("{}{}", keys.len(), lang.t("개 키", " keys"))),
        None,
        &[
            (lang.t("키 ID", "Key id"), Kind::Text),
            (lang.t("업체", "Vendor"), Kind::Text),
            (lang.t("하위업체", "Lower-rank"), Kind::Text),
            (lang.t("발급일시", "Issued"), Kind::Text),
            (lang.t("상태", "Status"), Kind::Action),
        ],
        keys.iter()
            .map(|key| {
                vec![
                    html! { (key.id) },
                    html! { (key.scope.vendor) },
                    html! { @if let Some(lower) = &key.scope.lower_rank { (lower) } @else { "—" } },
                    html! { (key.created_at.to_wire()[..16].to_owned()) },
                    revoke_or_revoked(
                        me,
                        "/console/admin/keys/revoke",
                        (RevokeKeyForm::NAMES.key_id, key.id.as_str()),
                        key.revoked_at,
                        warning,
                    ),
                ]
            })
            .collect(),
    );
    Ok(section(
        me,
        &done,
        Section {
            tab: "keys",
            title,
            action: "/console/admin/keys",
            heading: lang.t("키 발급", "Issue a key"),
            fields,
            submit: lang.t("발급", "Issue"),
            list,
        },
    ))
}

pub(super) async fn keys(
    State(app): State<AppState>,
    me: Signed,
    Query(done): Query<AdminDone>,
) -> Result<Response, PageError> {
    me.require(&[RoleKind::Admin])?;
    keys_page(&app, &me, done_message(me.lang, &done), &KeyForm::default()).await
}

async fn tokens_page(
    app: &AppState,
    me: &Signed,
    done: Outcome,
    typed: &TokenForm,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let tokens = app
        .store
        .tokens()
        .await
        .map_err(|e| PageError::store(lang, e))?;
    let title = lang.t("플랫폼 토큰 관리", "Platform tokens");
    let names = TokenForm::NAMES;
    let fields = html! {
        input type="hidden" name=(names.once) value=(confirmation_token());
        div { label for=(names.role) { (label::ROLE.in_(lang)) }
              select id=(names.role) name=(names.role) required {
                  @for role in Role::ALL { option value=(role.as_str()) selected[typed.role.trim() == role.as_str()] { (role.as_str()) } }
              } }
        div { label for=(names.label) { (label::TOKEN_LABEL.in_(lang)) }
              input id=(names.label) name=(names.label) type="text" value=(typed.label); }
    };
    let warning = lang.t(
        "폐기하면 이 토큰을 쓰는 시스템이 바로 멈춥니다.",
        "Revoking stops every system using this token at once.",
    );
    let list = table(
        Some(&format!("{}{}", tokens.len(), lang.t("개 토큰", " tokens"))),
        None,
        &[
            (lang.t("토큰 ID", "Token id"), Kind::Text),
            (lang.t("역할", "Role"), Kind::Text),
            (lang.t("용도", "Label"), Kind::Wrap),
            (lang.t("발급일시", "Created"), Kind::Text),
            (lang.t("상태", "Status"), Kind::Action),
        ],
        tokens
            .iter()
            .map(|token| {
                vec![
                    html! { (token.id) },
                    html! { (token.role) },
                    html! { (token.label.as_str()) },
                    html! { (token.created_at.to_wire()[..16].to_owned()) },
                    revoke_or_revoked(
                        me,
                        "/console/admin/tokens/revoke",
                        (RevokeTokenForm::NAMES.token_id, token.id.as_str()),
                        token.revoked_at,
                        warning,
                    ),
                ]
            })
            .collect(),
    );
    Ok(section(
        me,
        &done,
        Section {
            tab: "tokens",
            title,
            action: "/console/admin/tokens",
            heading: lang.t("토큰 발급", "Create a token"),
            fields,
            submit: lang.t("발급", "Create"),
            list,
        },
    ))
}

pub(super) async fn tokens(
    State(app): State<AppState>,
    me: Signed,
    Query(done): Query<AdminDone>,
) -> Result<Response, PageError> {
    me.require(&[RoleKind::Admin])?;
    tokens_page(
        &app,
        &me,
        done_message(me.lang, &done),
        &TokenForm::default(),
    )
    .await
}

async fn users_page(
    app: &AppState,
    me: &Signed,
    done: Outcome,
    typed: &UserForm,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let users = app
        .store
        .console_users()
        .await
        .map_err(|e| PageError::store(lang, e))?;
    let title = lang.t("콘솔 사용자 관리", "Console users");
    let names = UserForm::NAMES;
    let role = typed.role.trim();
    let fields = html! {
        div { label for=(names.login) { (label::LOGIN.in_(lang)) }
              input id=(names.login) name=(names.login) type="text" required autocapitalize="none" spellcheck="false" value=(typed.login); }
        div { label for=(names.role) { (label::ROLE.in_(lang)) }
              select id=(names.role) name=(names.role) required {
                  option value="service-center" selected[role == "service-center"] { (lang.t("고객센터 상담원", "service-center agent")) }
                  option value="vendor" selected[role == "vendor"] { (lang.t("업체 직원", "vendor staff")) }
                  option value="admin" selected[role == "admin"] { (lang.t("운영자", "operator (admin)")) }
              } }
        div { label for=(names.vendor) { (label::USER_VENDOR.in_(lang)) }
              input id=(names.vendor) name=(names.vendor) type="text" inputmode="numeric" size="12" value=(typed.vendor); }
        div { label for=(names.lrnk) { (label::LOWER_RANK.in_(lang)) }
              input id=(names.lrnk) name=(names.lrnk) type="text" inputmode="numeric" size="12" value=(typed.lrnk); }
        div { label for=(names.password) { (label::PASSWORD.in_(lang)) }
              input id=(names.password) name=(names.password) type="password" autocomplete="new-password" required minlength="10"; }
    };
    let warning = lang.t(
        "삭제하면 이 사용자는 바로 로그아웃되고 다시 로그인할 수 없습니다.",
        "Removing signs this user out at once; they cannot sign in again.",
    );
    let list = table(
        Some(&format!("{}{}", users.len(), lang.t("명", " users"))),
        None,
        &[
            (lang.t("아이디", "Login"), Kind::Text),
            (lang.t("역할", "Role"), Kind::Text),
            (lang.t("업체", "Vendor"), Kind::Text),
            (lang.t("추가일시", "Added"), Kind::Text),
            (lang.t("처리", "Action"), Kind::Action),
        ],
        users
            .iter()
            .map(|user| {
                vec![
                    html! { (user.login) },
                    html! { (user.role.name()) },
                    html! { @if let Some(scope) = user.role.scope() {
                        (scope.vendor) @if let Some(lower) = &scope.lower_rank { " / " (lower) }
                    } @else { "—" } },
                    html! { (user.created_at.to_wire()[..16].to_owned()) },
                    html! {
                        @if user.login != me.user.login {
                            (confirm_first(
                                me,
                                "/console/admin/users/delete",
                                (DeleteUserForm::NAMES.login, user.login.as_str()),
                                (lang.t("삭제", "Remove"), warning, lang.t("삭제 확정:", "Remove")),
                            ))
                        } @else { span.muted { (lang.t("나", "you")) } }
                    },
                ]
            })
            .collect(),
    );
    Ok(section(
        me,
        &done,
        Section {
            tab: "users",
            title,
            action: "/console/admin/users",
            heading: lang.t("사용자 추가", "Add a user"),
            fields,
            submit: lang.t("추가", "Add"),
            list,
        },
    ))
}

pub(super) async fn users(
    State(app): State<AppState>,
    me: Signed,
    Query(done): Query<AdminDone>,
) -> Result<Response, PageError> {
    me.require(&[RoleKind::Admin])?;
    users_page(
        &app,
        &me,
        done_message(me.lang, &done),
        &UserForm::default(),
    )
    .await
}

/// The page after an action that changed something: the section, saying what was done.
fn done(section: &str, did: &str, id: &str) -> Response {
    see_other(&format!(
        "/console/admin/{section}?did={did}&id={}",
        percent(id)
    ))
}

/// An action asked for without its confirmation: nothing done, the page says how.
fn unconfirmed(lang: Lang) -> Outcome {
    Outcome::Refused(
        StatusCode::BAD_REQUEST,
        lang.t(
            "확인 없이 처리하지 않았습니다. 목록에서 다시 눌러 확인하세요.",
            "Nothing was done without a confirmation: press it again in the list and confirm.",
        )
        .to_owned(),
    )
}

pub(super) async fn add_vendor(
    State(app): State<AppState>,
    Posted { me, form }: Posted<VendorForm>,
) -> Result<Response, PageError> {
    me.require(&[RoleKind::Admin])?;
    let lang = me.lang;
    let parsed = (|| {
        Ok(NewVendor {
            id: vendor_id(lang, label::VENDOR_ID.in_(lang), &form.id)?,
            name: text(
                lang,
                label::VENDOR_NAME.in_(lang),
                &form.name,
                rules::ORDERER_NAME,
            )?,
            parent: optional_vendor_id(lang, label::PARENT.in_(lang), &form.parent)?,
        })
    })();
    let outcome = match parsed {
        Err(outcome) => outcome,
        Ok(vendor) => match app.store.add_vendor(vendor, app.clock.now()).await {
            Ok(vendor) => return Ok(done("vendors", "vendor-added", vendor.id.as_str())),
            Err(error) => refusal(lang, error)?,
        },
    };
    vendors_page(&app, &me, outcome, &form).await
}

/// What a one-time form asks for, as its fingerprint: the same token sent with other
/// contents is refused.
fn fingerprint(parts: &[&str]) -> Fingerprint {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    Fingerprint(hash.finalize().into())
}

/// The answer that opens the page showing a new secret once: a redirect there, with the
/// secret in a cookie only that page reads.
fn to_secret_page(app: &AppState, page: &str, id: &str, secret: &str) -> Response {
    let mut response = see_other(page);
    let secure = if app.config.console.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{SECRET_COOKIE}={id}.{secret}; Path={page}; HttpOnly; SameSite=Strict; Max-Age={SECRET_SECONDS}{secure}"
    )) {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    response
}

/// The replay of a one-time form's first answer: the same redirect, without the secret.
fn replayed(location: &str) -> StoredAnswer {
    StoredAnswer {
        status: StatusCode::SEE_OTHER.as_u16(),
        content_type: "text/plain; charset=utf-8".into(),
        location: Some(location.to_owned()),
        body: Vec::new(),
    }
}

/// Issues a secret (a key or a token) at most once per form: `once` is claimed as the
/// operator's key of `what`, so a second submit of the same form (a double click, a retry)
/// issues nothing and is sent where the first one was — the page that shows a secret once,
/// `issued_page`. A refusal by the store is told on the section's page (`refused`), and the
/// form's token is let go.
async fn issue_once<Issue, IssueFut, Refused, RefusedFut>(
    app: &AppState,
    me: &Signed,
    (what, once, print): (&str, &str, Fingerprint),
    issued_page: &str,
    issue: Issue,
    refused: Refused,
) -> Result<Response, PageError>
where
    Issue: FnOnce() -> IssueFut,
    IssueFut: Future<Output = Result<(String, String), StoreError>>,
    Refused: FnOnce(Outcome) -> RefusedFut,
    RefusedFut: Future<Output = Result<Response, PageError>>,
{
    let lang = me.lang;
    confirm_once(
        app,
        me,
        what,
        once,
        print,
        |message| Err(PageError::bad_request(lang, message)),
        |key| async move {
            use axum::response::IntoResponse;
            match issue().await {
                Ok((id, secret)) => {
                    let location = format!("{issued_page}?id={id}");
                    if let Err(error) = app
                        .store
                        .idempotency_finish(&key, replayed(&location), app.clock.now())
                        .await
                    {
                        tracing::warn!(%error, "a form that issued a secret could not be marked used");
                    }
                    Ok(to_secret_page(app, issued_page, &id, &secret))
                }
                Err(error) => {
                    let outcome = refusal(lang, error).map_err(IntoResponse::into_response)?;
                    // Nothing issued: the page tells why, and the form's token is let go.
                    Err(match refused(outcome).await {
                        Ok(page) => page,
                        Err(page) => page.into_response(),
                    })
                }
            }
        },
    )
    .await
}

pub(super) async fn issue_key(
    State(app): State<AppState>,
    Posted { me, form }: Posted<KeyForm>,
) -> Result<Response, PageError> {
    me.require(&[RoleKind::Admin])?;
    let lang = me.lang;
    let parsed = (|| {
        Ok(Scope {
            vendor: vendor_id(lang, label::KEY_VENDOR.in_(lang), &form.vendor)?,
            lower_rank: optional_vendor_id(lang, label::LOWER_RANK.in_(lang), &form.lrnk)?,
        })
    })();
    let scope = match parsed {
        Ok(scope) => scope,
        Err(outcome) => return keys_page(&app, &me, outcome, &form).await,
    };
    let print = fingerprint(&[form.vendor.trim(), form.lrnk.trim()]);
    issue_once(
        &app,
        &me,
        ("issue-key", form.once.trim(), print),
        "/console/admin/keys/issued",
        || async {
            let (info, secret) = issue_api_key(&*app.store, scope, app.clock.now()).await?;
            tracing::info!(key.id = %info.id, vendor.id = %info.scope.vendor, "API key issued from the console");
            Ok((info.id.to_string(), secret.expose().to_owned()))
        },
        |outcome| keys_page(&app, &me, outcome, &form),
    )
    .await
}

pub(super) async fn create_token(
    State(app): State<AppState>,
    Posted { me, form }: Posted<TokenForm>,
) -> Result<Response, PageError> {
    me.require(&[RoleKind::Admin])?;
    let lang = me.lang;
    let role = Role::parse(form.role.trim()).map_err(|_| {
        wrong(
            lang,
            label::ROLE.in_(lang),
            lang.t("목록에서 고르세요.", "choose one from the list."),
        )
    });
    let parsed = role.and_then(|role| {
        Ok((
            role,
            Text::parse("label", form.label.trim(), rules::LABEL)
                .map_err(|error| wrong(lang, label::TOKEN_LABEL.in_(lang), &error.problem))?,
        ))
    });
    let (role, text) = match parsed {
        Ok(parsed) => parsed,
        Err(outcome) => return tokens_page(&app, &me, outcome, &form).await,
    };
    let print = fingerprint(&[form.role.trim(), form.label.trim()]);
    issue_once(
        &app,
        &me,
        ("create-token", form.once.trim(), print),
        "/console/admin/tokens/issued",
        || async {
            let (info, secret) = issue_token(&*app.store, role, text, app.clock.now()).await?;
            tracing::info!(token.id = %info.id, role = %info.role, "platform token created from the console");
            Ok((info.id.to_string(), secret.expose().to_owned()))
        },
        |outcome| tokens_page(&app, &me, outcome, &form),
    )
    .await
}

/// `/console/admin/keys/issued` and `/console/admin/tokens/issued`: the new secret, shown
/// once — the cookie that carried it is cleared by this very answer, so a reload (or the
/// redirect of a second submit) says it was shown and what to do if it was lost.
async fn issued(
    me: &Signed,
    headers: &HeaderMap,
    (section, page_path): (&str, &str),
    id: &str,
) -> Result<Response, PageError> {
    me.require(&[RoleKind::Admin])?;
    let lang = me.lang;
    let carried = cookie(headers, SECRET_COOKIE).and_then(|value| value.split_once('.'));
    let (title, kind) = match section {
        "keys" => (lang.t("새 API 키", "New API key"), lang.t("키", "key")),
        _ => (
            lang.t("새 플랫폼 토큰", "New platform token"),
            lang.t("토큰", "token"),
        ),
    };
    let content = html! {
        h1 { (title) }
        (tabs(lang, section))
        @match carried {
            Some((id, secret)) => {
                div.notice.ok role="status" {
                    p { (lang.t("발급했습니다. 이 값은 지금 한 번만 보여 드립니다. 복사해 안전한 곳에 보관하세요.", "Issued. The value is shown this once: copy it somewhere safe.")) }
                    p { (id) ": " code.secret #new-secret { (secret) } }
                }
            }
            None => {
                div.notice.warn role="status" {
                    p {
                        (match lang {
                            Lang::Ko => format!("이 {kind}은(는) 이미 한 번 보여 드렸습니다{}. 값을 받지 못했다면 목록에서 폐기하고 새로 발급하세요.",
                                if id.is_empty() { String::new() } else { format!(" ({id})") }),
                            Lang::En => format!("This {kind} was shown once already{}. If its value was lost, revoke it in the list and issue a new one.",
                                if id.is_empty() { String::new() } else { format!(" ({id})") }),
                        })
                    }
                }
            }
        }
        p { a href={ "/console/admin/" (section) } { (lang.t("← 목록으로", "← Back to the list")) } }
    };
    let mut response = page(shell(me.frame(), title, "admin", content));
    let clear = format!("{SECRET_COOKIE}=; Path={page_path}; HttpOnly; SameSite=Strict; Max-Age=0");
    if let Ok(value) = HeaderValue::from_str(&clear) {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    Ok(response)
}

pub(super) async fn key_issued(
    me: Signed,
    headers: HeaderMap,
    Query(done): Query<AdminDone>,
) -> Result<Response, PageError> {
    let id = KeyId::parse("id", done.id.trim())
        .map(|id| id.to_string())
        .unwrap_or_default();
    issued(&me, &headers, ("keys", "/console/admin/keys/issued"), &id).await
}

pub(super) async fn token_issued(
    me: Signed,
    headers: HeaderMap,
    Query(done): Query<AdminDone>,
) -> Result<Response, PageError> {
    let id = TokenId::parse("id", done.id.trim())
        .map(|id| id.to_string())
        .unwrap_or_default();
    issued(
        &me,
        &headers,
        ("tokens", "/console/admin/tokens/issued"),
        &id,
    )
    .await
}

pub(super) async fn revoke_key(
    State(app): State<AppState>,
    Posted { me, form }: Posted<RevokeKeyForm>,
) -> Result<Response, PageError> {
    me.require(&[RoleKind::Admin])?;
    let lang = me.lang;
    let outcome = if form.confirm.trim() != "1" {
        unconfirmed(lang)
    } else {
        match KeyId::parse("keyId", form.key_id.trim()) {
            Err(_) => wrong(
                lang,
                lang.t("키 ID", "Key id"),
                lang.t("목록의 키가 아닙니다.", "not a key of the list."),
            ),
            // Revoking a revoked key changes nothing and succeeds: a second click is one.
            Ok(id) => match app.store.revoke_api_key(&id, app.clock.now()).await {
                Ok(info) => return Ok(done("keys", "key-revoked", info.id.as_str())),
                Err(error) => refusal(lang, error)?,
            },
        }
    };
    keys_page(&app, &me, outcome, &KeyForm::default()).await
}

pub(super) async fn revoke_token(
    State(app): State<AppState>,
    Posted { me, form }: Posted<RevokeTokenForm>,
) -> Result<Response, PageError> {
    me.require(&[RoleKind::Admin])?;
    let lang = me.lang;
    let outcome = if form.confirm.trim() != "1" {
        unconfirmed(lang)
    } else {
        match TokenId::parse("tokenId", form.token_id.trim()) {
            Err(_) => wrong(
                lang,
                lang.t("토큰 ID", "Token id"),
                lang.t("목록의 토큰이 아닙니다.", "not a token of the list."),
            ),
            Ok(id) => match app.store.revoke_token(&id, app.clock.now()).await {
                Ok(info) => return Ok(done("tokens", "token-revoked", info.id.as_str())),
                Err(error) => refusal(lang, error)?,
            },
        }
    };
    tokens_page(&app, &me, outcome, &TokenForm::default()).await
}

pub(super) async fn add_user(
    State(app): State<AppState>,
    Posted { me, form }: Posted<UserForm>,
) -> Result<Response, PageError> {
    me.require(&[RoleKind::Admin])?;
    let lang = me.lang;
    let parsed = (|| {
        let login = Login::parse(form.login.trim()).map_err(|_| {
            let problem = if form.login.trim().is_empty() {
                lang.t("입력하세요.", "required.")
            } else {
                lang.t(
                    "3~64자의 영문 소문자, 숫자, '.', '_', '-', '@'만 쓸 수 있습니다.",
                    "3 to 64 characters of a-z, 0-9, '.', '_', '-' or '@'.",
                )
            };
            wrong(lang, label::LOGIN.in_(lang), problem)
        })?;
        let scope = match optional_vendor_id(lang, label::USER_VENDOR.in_(lang), &form.vendor)? {
            Some(vendor) => Some(Scope {
                vendor,
                lower_rank: optional_vendor_id(lang, label::LOWER_RANK.in_(lang), &form.lrnk)?,
            }),
            None => None,
        };
        let role = UserRole::parse(form.role.trim(), scope).map_err(|_| {
            let problem = match form.role.trim() {
                "vendor" => lang.t(
                    "업체 직원은 업체 ID가 필요합니다.",
                    "a vendor's staff member needs the vendor id.",
                ),
                "admin" | "service-center" => lang.t(
                    "업체 ID는 업체 직원에게만 씁니다. 비워 두세요.",
                    "only vendor staff have a vendor id: leave it empty.",
                ),
                _ => lang.t("목록에서 고르세요.", "choose one from the list."),
            };
            wrong(lang, label::ROLE.in_(lang), problem)
        })?;
        // Not trimmed: a password is exactly what was typed.
        let chars = form.password.chars().count();
        let password = Password::parse(&form.password).map_err(|_| {
            let problem = match lang {
                Lang::Ko if chars < Password::MIN_CHARS => format!(
                    "{}자 이상이어야 합니다 (지금 {chars}자).",
                    Password::MIN_CHARS
                ),
                Lang::Ko => format!(
                    "{}자 이하여야 합니다 (지금 {chars}자).",
                    Password::MAX_CHARS
                ),
                Lang::En if chars < Password::MIN_CHARS => format!(
                    "at least {} characters (typed {chars}).",
                    Password::MIN_CHARS
                ),
                Lang::En => format!(
                    "at most {} characters (typed {chars}).",
                    Password::MAX_CHARS
                ),
            };
            wrong(lang, label::PASSWORD.in_(lang), &problem)
        })?;
        Ok((login, role, password))
    })();
    let outcome = match parsed {
        Err(outcome) => outcome,
        Ok((login, role, password)) => {
            let password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
                .await
                .map_err(|error| PageError::store(lang, StoreError::internal(error)))?;
            let user = NewUser {
                login,
                role,
                password_hash,
            };
            match app.store.add_console_user(user, app.clock.now()).await {
                Ok(user) => {
                    tracing::info!(console.login = %user.login, role = user.role.name(), "console user added from the console");
                    return Ok(done("users", "user-added", user.login.as_str()));
                }
                Err(error) => refusal(lang, error)?,
            }
        }
    };
    users_page(&app, &me, outcome, &form).await
}

pub(super) async fn delete_user(
    State(app): State<AppState>,
    Posted { me, form }: Posted<DeleteUserForm>,
) -> Result<Response, PageError> {
    me.require(&[RoleKind::Admin])?;
    let lang = me.lang;
    let outcome = if form.confirm.trim() != "1" {
        unconfirmed(lang)
    } else {
        match Login::parse(form.login.trim()) {
            Err(_) => wrong(
                lang,
                label::LOGIN.in_(lang),
                lang.t("목록의 사용자가 아닙니다.", "not a user of the list."),
            ),
            Ok(login) if login == me.user.login => wrong(
                lang,
                label::LOGIN.in_(lang),
                lang.t(
                    "자기 자신은 삭제할 수 없습니다.",
                    "you cannot remove yourself.",
                ),
            ),
            Ok(login) => match app.store.delete_console_user(&login).await {
                // Removed meanwhile (a second click): it is gone all the same.
                Ok(()) | Err(StoreError::NotFound(_)) => {
                    return Ok(done("users", "user-removed", login.as_str()));
                }
                Err(error) => refusal(lang, error)?,
            },
        }
    };
    users_page(&app, &me, outcome, &UserForm::default()).await
}
