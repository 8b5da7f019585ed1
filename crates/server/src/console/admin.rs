//! Operators' pages: vendors and their lower-rank vendors, vendor API keys (a new key is
//! shown once), platform tokens, and console users.

use axum::extract::State;
use axum::response::Response;
use claims_domain::order::rules;
use claims_domain::{Scope, Text, VendorId};
use claims_store::{KeyId, Login, NewUser, NewVendor, Password, Role, RoleKind, TokenId, UserRole};
use claims_wire::Lang;
use maud::{Markup, html};

use super::auth::hash_password;
use super::forms::{
    DeleteUserForm, KeyForm, RevokeKeyForm, RevokeTokenForm, TokenForm, UserForm, VendorForm,
};
use super::layout::{Kind, shell, table};
use super::page::{PageError, page};
use super::session::{Posted, Signed};
use super::text::Words;
use crate::app::credentials::{issue_api_key, issue_token};
use crate::app::state::AppState;

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
        nav.pager aria-label=(lang.t("관리 메뉴", "Admin sections")) {
            @for (key, href, name) in entries {
                @if key == active { a href=(href) aria-current="page" { strong { (name) } } }
                @else { a href=(href) { (name) } }
            }
        }
    }
}

/// A revoke button for a live credential, or when it was revoked.
fn revoke_or_revoked(
    me: &Signed,
    action: &str,
    field_name: &str,
    id: &str,
    revoked_at: Option<claims_domain::KstDateTime>,
) -> Markup {
    let lang = me.lang;
    html! {
        @if let Some(revoked) = revoked_at {
            span.badge.bad { (lang.t("폐기됨 ", "revoked ")) (revoked.to_wire()) }
        } @else {
            form.inline method="post" action=(action) {
                input type="hidden" name=(RevokeKeyForm::NAMES.csrf) value=(me.csrf);
                input type="hidden" name=(field_name) value=(id);
                button.danger type="submit" aria-label={ (lang.t("폐기 ", "Revoke ")) (id) } { (lang.t("폐기", "Revoke")) }
            }
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
    /// The form's labelled inputs.
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
                div { button type="submit" { (section.submit) } }
            }
        }
        (section.list)
    };
    page(shell(me.frame(), section.title, "admin", content))
}

/// What an action did, or why it could not: shown above the page's lists.
enum Outcome {
    None,
    Done(Markup),
    Refused(String),
}

fn outcome(outcome: &Outcome) -> Markup {
    match outcome {
        Outcome::None => html! {},
        Outcome::Done(markup) => html! { div.notice.ok role="status" { (markup) } },
        Outcome::Refused(message) => html! { p.notice.error role="alert" { (message) } },
    }
}

fn invalid(lang: Lang, error: claims_domain::InvalidValue) -> String {
    match lang {
        Lang::Ko => format!("{} 값이 올바르지 않습니다: {}", error.field, error.problem),
        Lang::En => error.to_string(),
    }
}

fn optional_vendor(
    field_name: &str,
    text: &str,
) -> Result<Option<VendorId>, claims_domain::InvalidValue> {
    if text.is_empty() {
        Ok(None)
    } else {
        VendorId::parse(field_name, text).map(Some)
    }
}

async fn vendors_page(app: &AppState, me: &Signed, done: Outcome) -> Result<Response, PageError> {
    let lang = me.lang;
    let vendors = app
        .store
        .vendors()
        .await
        .map_err(|e| PageError::store(lang, e))?;
    let title = lang.t("업체 관리", "Vendors");
    let names = VendorForm::NAMES;
    let fields = html! {
        div { label for=(names.id) { (lang.t("업체 ID (10자리)", "Vendor id (10 digits)")) }
              input id=(names.id) name=(names.id) type="text" inputmode="numeric" pattern="[0-9]{10}" required size="12"; }
        div { label for=(names.name) { (lang.t("업체명", "Name")) }
              input id=(names.name) name=(names.name) type="text" required; }
        div { label for=(names.parent) { (lang.t("상위 업체 ID (하위업체일 때)", "Parent vendor (for a lower-rank vendor)")) }
              input id=(names.parent) name=(names.parent) type="text" inputmode="numeric" size="12"; }
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
                    html! { (vendor.created_at.to_wire()) },
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

pub(super) async fn vendors(
    State(app): State<AppState>,
    me: Signed,
) -> Result<Response, PageError> {
    me.require(&[RoleKind::Admin])?;
    vendors_page(&app, &me, Outcome::None).await
}

/// A refusal by the store told in the page; a failure of the store itself is an error page.
fn refusal(lang: Lang, error: claims_store::StoreError) -> Result<String, PageError> {
    use claims_store::StoreError::*;
    match error {
        error @ (NotFound(_) | Conflict(_) | Invalid(_)) => {
            Ok(PageError::store(lang, error).message)
        }
        error => Err(PageError::store(lang, error)),
    }
}

async fn keys_page(app: &AppState, me: &Signed, done: Outcome) -> Result<Response, PageError> {
    let lang = me.lang;
    let keys = app
        .store
        .api_keys(None)
        .await
        .map_err(|e| PageError::store(lang, e))?;
    let title = lang.t("API 키 관리", "Vendor API keys");
    let names = KeyForm::NAMES;
    let fields = html! {
        div { label for=(names.vendor) { (lang.t("업체 ID", "Vendor id")) }
              input id=(names.vendor) name=(names.vendor) type="text" inputmode="numeric" required size="12"; }
        div { label for=(names.lrnk) { (lang.t("하위업체 ID (선택)", "Lower-rank vendor (optional)")) }
              input id=(names.lrnk) name=(names.lrnk) type="text" inputmode="numeric" size="12"; }
    };
    let list = table(
        Some(&format!("{}{}", keys.len(), lang.t("개 키", " keys"))),
        None,
        &[
            (lang.t("키 ID", "Key id"), Kind::Text),
            (lang.t("업체", "Vendor"), Kind::Text),
            (lang.t("하위업체", "Lower-rank"), Kind::Text),
            (lang.t("발급일시", "Issued"), Kind::Text),
            (lang.t("상태", "Status"), Kind::Text),
        ],
        keys.iter()
            .map(|key| {
                vec![
                    html! { (key.id) },
                    html! { (key.scope.vendor) },
                    html! { @if let Some(lower) = &key.scope.lower_rank { (lower) } @else { "—" } },
                    html! { (key.created_at.to_wire()) },
                    revoke_or_revoked(
                        me,
                        "/console/admin/keys/revoke",
                        RevokeKeyForm::NAMES.key_id,
                        key.id.as_str(),
                        key.revoked_at,
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

pub(super) async fn keys(State(app): State<AppState>, me: Signed) -> Result<Response, PageError> {
    me.require(&[RoleKind::Admin])?;
    keys_page(&app, &me, Outcome::None).await
}

async fn tokens_page(app: &AppState, me: &Signed, done: Outcome) -> Result<Response, PageError> {
    let lang = me.lang;
    let tokens = app
        .store
        .tokens()
        .await
        .map_err(|e| PageError::store(lang, e))?;
    let title = lang.t("플랫폼 토큰 관리", "Platform tokens");
    let names = TokenForm::NAMES;
    let fields = html! {
        div { label for=(names.role) { (lang.t("역할", "Role")) }
              select id=(names.role) name=(names.role) required {
                  @for role in Role::ALL { option value=(role.as_str()) { (role.as_str()) } }
              } }
        div { label for=(names.label) { (lang.t("용도 (선택)", "What it is for (optional)")) }
              input id=(names.label) name=(names.label) type="text"; }
    };
    let list = table(
        Some(&format!("{}{}", tokens.len(), lang.t("개 토큰", " tokens"))),
        None,
        &[
            (lang.t("토큰 ID", "Token id"), Kind::Text),
            (lang.t("역할", "Role"), Kind::Text),
            (lang.t("용도", "Label"), Kind::Wrap),
            (lang.t("발급일시", "Created"), Kind::Text),
            (lang.t("상태", "Status"), Kind::Text),
        ],
        tokens
            .iter()
            .map(|token| {
                vec![
                    html! { (token.id) },
                    html! { (token.role) },
                    html! { (token.label.as_str()) },
                    html! { (token.created_at.to_wire()) },
                    revoke_or_revoked(
                        me,
                        "/console/admin/tokens/revoke",
                        RevokeTokenForm::NAMES.token_id,
                        token.id.as_str(),
                        token.revoked_at,
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

pub(super) async fn tokens(State(app): State<AppState>, me: Signed) -> Result<Response, PageError> {
    me.require(&[RoleKind::Admin])?;
    tokens_page(&app, &me, Outcome::None).await
}

async fn users_page(app: &AppState, me: &Signed, done: Outcome) -> Result<Response, PageError> {
    let lang = me.lang;
    let users = app
        .store
        .console_users()
        .await
        .map_err(|e| PageError::store(lang, e))?;
    let title = lang.t("콘솔 사용자 관리", "Console users");
    let names = UserForm::NAMES;
    let fields = html! {
        div { label for=(names.login) { (lang.t("아이디", "Login")) }
              input id=(names.login) name=(names.login) type="text" required autocapitalize="none" spellcheck="false"; }
        div { label for=(names.role) { (lang.t("역할", "Role")) }
              select id=(names.role) name=(names.role) required {
                  option value="service-center" { (lang.t("고객센터 상담원", "service-center agent")) }
                  option value="vendor" { (lang.t("업체 직원", "vendor staff")) }
                  option value="admin" { (lang.t("운영자", "operator (admin)")) }
              } }
        div { label for=(names.vendor) { (lang.t("업체 ID (업체 직원)", "Vendor id (vendor staff)")) }
              input id=(names.vendor) name=(names.vendor) type="text" inputmode="numeric" size="12"; }
        div { label for=(names.lrnk) { (lang.t("하위업체 ID (선택)", "Lower-rank vendor (optional)")) }
              input id=(names.lrnk) name=(names.lrnk) type="text" inputmode="numeric" size="12"; }
        div { label for=(names.password) { (lang.t("비밀번호 (10자 이상)", "Password (10 characters or more)")) }
              input id=(names.password) name=(names.password) type="password" autocomplete="new-password" required minlength="10"; }
    };
    let list = table(Some(&format!("{}{}", users.len(), lang.t("명", " users"))), None, &[
        (lang.t("아이디", "Login"), Kind::Text),
        (lang.t("역할", "Role"), Kind::Text),
        (lang.t("업체", "Vendor"), Kind::Text),
        (lang.t("추가일시", "Added"), Kind::Text),
        (lang.t("처리", "Action"), Kind::Text),
    ], users.iter().map(|user| vec![
        html! { (user.login) },
        html! { (user.role.name()) },
        html! { @if let Some(scope) = user.role.scope() {
            (scope.vendor) @if let Some(lower) = &scope.lower_rank { " / " (lower) }
        } @else { "—" } },
        html! { (user.created_at.to_wire()) },
        html! {
            @if user.login != me.user.login {
                form.inline method="post" action="/console/admin/users/delete" {
                    input type="hidden" name=(DeleteUserForm::NAMES.csrf) value=(me.csrf);
                    input type="hidden" name=(DeleteUserForm::NAMES.login) value=(user.login);
                    button.danger type="submit" aria-label={ (lang.t("삭제 ", "Remove ")) (user.login) } { (lang.t("삭제", "Remove")) }
                }
            } @else { span.muted { (lang.t("나", "you")) } }
        },
    ]).collect());
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

pub(super) async fn users(State(app): State<AppState>, me: Signed) -> Result<Response, PageError> {
    me.require(&[RoleKind::Admin])?;
    users_page(&app, &me, Outcome::None).await
}

/// An operator's action (its form's token already checked): the input parsed (a bad
/// field is told on the page), then the store asked; a refusal by the store is told on the
/// page too.
async fn act<T, Fut>(
    me: &Signed,
    parse: impl FnOnce() -> Result<T, claims_domain::InvalidValue>,
    run: impl FnOnce(T) -> Fut,
) -> Result<Outcome, PageError>
where
    Fut: Future<Output = Result<Markup, claims_store::StoreError>>,
{
    me.require(&[RoleKind::Admin])?;
    Ok(match parse() {
        Err(error) => Outcome::Refused(invalid(me.lang, error)),
        Ok(input) => match run(input).await {
            Ok(done) => Outcome::Done(done),
            Err(error) => Outcome::Refused(refusal(me.lang, error)?),
        },
    })
}

pub(super) async fn add_vendor(
    State(app): State<AppState>,
    Posted { me, form }: Posted<VendorForm>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let app = &app;
    let names = VendorForm::NAMES;
    let parse = || {
        Ok(NewVendor {
            id: VendorId::parse(names.id, form.id.trim())?,
            name: Text::parse(names.name, form.name.trim(), rules::ORDERER_NAME)?,
            parent: optional_vendor(names.parent, form.parent.trim())?,
        })
    };
    let done = act(&me, parse, |vendor| async move {
        let vendor = app.store.add_vendor(vendor, app.clock.now()).await?;
        Ok(html! { (lang.t("등록했습니다: ", "Registered: ")) (vendor.id) " " (vendor.name.as_str()) })
    })
    .await?;
    vendors_page(app, &me, done).await
}

pub(super) async fn issue_key(
    State(app): State<AppState>,
    Posted { me, form }: Posted<KeyForm>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let app = &app;
    let names = KeyForm::NAMES;
    let parse = || {
        Ok(Scope {
            vendor: VendorId::parse(names.vendor, form.vendor.trim())?,
            lower_rank: optional_vendor(names.lrnk, form.lrnk.trim())?,
        })
    };
    let done = act(&me, parse, |scope| async move {
        let (info, secret) = issue_api_key(&*app.store, scope, app.clock.now()).await?;
        tracing::info!(key.id = %info.id, vendor.id = %info.scope.vendor, "API key issued from the console");
        Ok(html! {
            p { (lang.t("키를 발급했습니다. 지금 한 번만 보여 드립니다. 안전한 곳에 보관하세요.", "The key is issued. It is shown this once: keep it somewhere safe.")) }
            p { (info.id) ": " code.secret #new-key { (secret.expose()) } }
        })
    })
    .await?;
    keys_page(app, &me, done).await
}

pub(super) async fn revoke_key(
    State(app): State<AppState>,
    Posted { me, form }: Posted<RevokeKeyForm>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let app = &app;
    let parse = || KeyId::parse(RevokeKeyForm::NAMES.key_id, form.key_id.trim());
    let done = act(&me, parse, |id| async move {
        let info = app.store.revoke_api_key(&id, app.clock.now()).await?;
        Ok(html! { (lang.t("폐기했습니다: ", "Revoked: ")) (info.id) })
    })
    .await?;
    keys_page(app, &me, done).await
}

pub(super) async fn create_token(
    State(app): State<AppState>,
    Posted { me, form }: Posted<TokenForm>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let app = &app;
    let parse = || {
        Ok((
            Role::parse(form.role.trim())?,
            Text::parse(TokenForm::NAMES.label, form.label.trim(), rules::LABEL)?,
        ))
    };
    let done = act(&me, parse, |(role, label)| async move {
        let (info, secret) = issue_token(&*app.store, role, label, app.clock.now()).await?;
        tracing::info!(token.id = %info.id, role = %info.role, "platform token created from the console");
        Ok(html! {
            p { (lang.t("토큰을 발급했습니다. 지금 한 번만 보여 드립니다.", "The token is created. It is shown this once.")) }
            p { (info.id) ": " code.secret #new-token { (secret.expose()) } }
        })
    })
    .await?;
    tokens_page(app, &me, done).await
}

pub(super) async fn revoke_token(
    State(app): State<AppState>,
    Posted { me, form }: Posted<RevokeTokenForm>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let app = &app;
    let parse = || TokenId::parse(RevokeTokenForm::NAMES.token_id, form.token_id.trim());
    let done = act(&me, parse, |id| async move {
        let info = app.store.revoke_token(&id, app.clock.now()).await?;
        Ok(html! { (lang.t("폐기했습니다: ", "Revoked: ")) (info.id) })
    })
    .await?;
    tokens_page(app, &me, done).await
}

pub(super) async fn add_user(
    State(app): State<AppState>,
    Posted { me, form }: Posted<UserForm>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let app = &app;
    let names = UserForm::NAMES;
    let parse = || {
        let login = Login::parse(form.login.trim())?;
        let scope = match optional_vendor(names.vendor, form.vendor.trim())? {
            Some(vendor) => Some(Scope {
                vendor,
                lower_rank: optional_vendor(names.lrnk, form.lrnk.trim())?,
            }),
            None => None,
        };
        let role = UserRole::parse(form.role.trim(), scope)?;
        // Not trimmed: a password is exactly what was typed.
        let password = Password::parse(&form.password)?;
        Ok((login, role, password))
    };
    let done = act(&me, parse, |(login, role, password)| async move {
        let password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(claims_store::StoreError::internal)?;
        let user = NewUser {
            login,
            role,
            password_hash,
        };
        let user = app.store.add_console_user(user, app.clock.now()).await?;
        tracing::info!(console.login = %user.login, role = user.role.name(), "console user added from the console");
        Ok(html! { (lang.t("추가했습니다: ", "Added: ")) (user.login) })
    })
    .await?;
    users_page(app, &me, done).await
}

pub(super) async fn delete_user(
    State(app): State<AppState>,
    Posted { me, form }: Posted<DeleteUserForm>,
) -> Result<Response, PageError> {
    let lang = me.lang;
    let app = &app;
    let parse = || {
        let login = Login::parse(form.login.trim())?;
        if login == me.user.login {
            return Err(claims_domain::InvalidValue::new(
                "login",
                lang.t(
                    "자기 자신은 삭제할 수 없습니다",
                    "you cannot remove yourself",
                ),
            ));
        }
        Ok(login)
    };
    let done = act(&me, parse, |login| async move {
        app.store.delete_console_user(&login).await?;
        Ok(html! { (lang.t("삭제했습니다: ", "Removed: ")) (login) })
    })
    .await?;
    users_page(app, &me, done).await
}
