//! Vendors and their API keys (administrators only).

use axum::extract::{Request, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use claims_domain::order::rules;
use claims_domain::{Scope, Text, VendorId};
use claims_store::{KeyId, NewVendor, Role};

use super::dto::{KeyBody, KeyView, VendorBody, VendorView};
use super::problem::{Problem, ProblemKind};
use super::request::{Caller, JsonBody, Segments, created, json, parse_json, read_bytes};
use crate::app::credentials::issue_api_key;
use crate::app::state::AppState;

pub(crate) async fn create(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<VendorBody>,
) -> Result<Response, Problem> {
    caller.role(&[Role::Admin])?;
    let vendor = NewVendor {
        id: VendorId::parse("splVenId", &body.spl_ven_id)?,
        name: Text::parse("name", &body.name, rules::ORDERER_NAME)?,
        parent: body
            .parent_spl_ven_id
            .as_deref()
            .filter(|parent| !parent.trim().is_empty())
            .map(|parent| VendorId::parse("parentSplVenId", parent))
            .transpose()?,
    };
    let vendor = app.store.add_vendor(vendor, app.clock.now()).await?;
    Ok(created(
        &format!("/v1/vendors/{}", vendor.id),
        &VendorView::from(&vendor),
    ))
}

pub(crate) async fn show(
    State(app): State<AppState>,
    caller: Caller,
    Segments(spl_ven_id): Segments<String>,
) -> Result<Response, Problem> {
    caller.role(&[Role::Admin])?;
    let not_found = || {
        Problem::new(
            ProblemKind::VendorNotFound,
            format!("no vendor {spl_ven_id:?}"),
        )
        .ko(format!("업체 {spl_ven_id:?}이(가) 없습니다."))
    };
    let id = VendorId::parse("splVenId", &spl_ven_id).map_err(|_| not_found())?;
    let vendor = app.store.vendor(&id).await?.ok_or_else(not_found)?;
    Ok(json(StatusCode::OK, &VendorView::from(&vendor)))
}

pub(crate) async fn issue_key(
    State(app): State<AppState>,
    caller: Caller,
    Segments(spl_ven_id): Segments<String>,
    request: Request,
) -> Result<Response, Problem> {
    caller.role(&[Role::Admin])?;
    let vendor = VendorId::parse("splVenId", &spl_ven_id).map_err(|_| {
        Problem::new(
            ProblemKind::VendorNotFound,
            format!("no vendor {spl_ven_id:?}"),
        )
        .ko(format!("업체 {spl_ven_id:?}이(가) 없습니다."))
    })?;
    let headers = request.headers().clone();
    let bytes = read_bytes(request, &app).await?;
    let body: KeyBody = parse_json(&headers, &bytes, true)?;
    let scope = Scope {
        vendor,
        lower_rank: body
            .lrnk_spl_ven_id
            .as_deref()
            .filter(|lower| !lower.trim().is_empty())
            .map(|lower| VendorId::parse("lrnkSplVenId", lower))
            .transpose()?,
    };
    let (info, secret) = issue_api_key(&*app.store, scope, app.clock.now()).await?;
    tracing::info!(key.id = %info.id, vendor.id = %info.scope.vendor, "API key issued");
    let mut response = created(
        &format!("/v1/keys/{}", info.id),
        &KeyView::new(&info, Some(secret.expose().to_owned())),
    );
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

pub(crate) async fn revoke_key(
    State(app): State<AppState>,
    caller: Caller,
    Segments(key_id): Segments<String>,
) -> Result<Response, Problem> {
    caller.role(&[Role::Admin])?;
    let id = KeyId::parse("keyId", &key_id).map_err(|_| {
        Problem::new(ProblemKind::KeyNotFound, format!("no API key {key_id:?}"))
            .ko(format!("API 키 {key_id:?}이(가) 없습니다."))
    })?;
    let info = app.store.revoke_api_key(&id, app.clock.now()).await?;
    tracing::info!(key.id = %info.id, "API key revoked");
    Ok(json(StatusCode::OK, &KeyView::new(&info, None)))
}
