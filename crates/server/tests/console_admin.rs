//! The operator's forms forgive and never act twice: a wrong field is named by its label
//! in Korean with the form kept as typed; a new key is shown once on a page of its own (a
//! reload shows it no more, a second submit of the form issues nothing); revoking and
//! removing need their confirmation, and a second click changes nothing more.

mod support;

use claims_server::Config;
use claims_store::UserRole;
use claims_store::conformance::VENDOR_B;
use support::visitor::{PASSWORD, Visitor, add_user};
use support::{Backend, spawn_on};

#[tokio::test]
async fn an_operators_forms_forgive_and_never_act_twice() {
    let app = spawn_on(Backend::Sqlite, Config::default()).await.unwrap();
    add_user(&app, "admin", UserRole::Admin).await;
    add_user(&app, "agent.lee", UserRole::ServiceCenter).await;
    let mut admin = Visitor::new(&app);
    admin.sign_in("admin", PASSWORD).await;

    // A short password: named by its label, in Korean; the rest of the form kept.
    let users = admin.get("/console/admin/users").await;
    let csrf = users.csrf();
    let refused = admin
        .post(
            "/console/admin/users",
            &[
                ("csrf", &csrf),
                ("login", "park.staff"),
                ("role", "vendor"),
                ("vendor", VENDOR_B),
                ("password", "abcd"),
            ],
        )
        .await;
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.texts("[role=alert]"),
        ["비밀번호 (10자 이상): 10자 이상이어야 합니다 (지금 4자)."]
    );
    assert_eq!(
        refused.attr("#login", "value").as_deref(),
        Some("park.staff")
    );
    assert_eq!(refused.attr("#vendor", "value").as_deref(), Some(VENDOR_B));
    assert_eq!(
        refused.attr("#role option[selected]", "value").as_deref(),
        Some("vendor")
    );
    assert_eq!(refused.attr("#password", "value"), None, "never a password");
    // A vendor id of the wrong length.
    let vendors = admin
        .post(
            "/console/admin/vendors",
            &[("csrf", &csrf), ("id", "12345"), ("name", "새 업체")],
        )
        .await;
    assert_eq!(vendors.status, 400);
    assert!(
        vendors.texts("[role=alert]")[0]
            .starts_with("업체 ID (숫자 10자리): 숫자 10자리여야 합니다"),
        "{}",
        vendors.body
    );
    assert_eq!(vendors.attr("#name", "value").as_deref(), Some("새 업체"));

    // A key, shown once; the same form sent again issues nothing.
    let vendor = claims_domain::VendorId::parse("v", VENDOR_B).unwrap();
    let live = || async {
        app.store
            .api_keys(Some(&vendor))
            .await
            .unwrap()
            .into_iter()
            .filter(|key| key.revoked_at.is_none())
            .collect::<Vec<_>>()
    };
    let before = live().await.len();
    let keys = admin.get("/console/admin/keys").await;
    let once = keys.attr("input[name=once]", "value").unwrap();
    let form = [
        ("csrf", csrf.as_str()),
        ("vendor", VENDOR_B),
        ("once", once.as_str()),
    ];
    let issued = admin.post("/console/admin/keys", &form).await;
    assert_eq!(issued.status, 303, "{}", issued.body);
    assert_eq!(issued.location, "/console/admin/keys/issued");
    let shown = admin.get(&issued.location).await;
    let secret = shown.texts("#new-secret");
    assert_eq!(secret.len(), 1, "{}", shown.body);
    assert!(!shown.body.contains("이미 한 번"));
    let reload = admin.get(&issued.location).await;
    assert!(
        reload.texts("#new-secret").is_empty(),
        "a reload shows it no more"
    );
    assert!(reload.texts("[role=status]")[0].contains("이미 한 번 보여 드렸습니다"));
    let again = admin.post("/console/admin/keys", &form).await;
    assert_eq!(again.status, 303);
    assert!(
        again
            .location
            .starts_with("/console/admin/keys/issued?id=key_"),
        "{}",
        again.location
    );
    let live = live().await;
    assert_eq!(live.len(), before + 1, "one key for one form");
    let new_key = live.last().unwrap().id.to_string();

    // Revoking needs its confirmation; twice is once.
    let unconfirmed = admin
        .post(
            "/console/admin/keys/revoke",
            &[("csrf", &csrf), ("keyId", &new_key)],
        )
        .await;
    assert_eq!(unconfirmed.status, 400);
    assert!(unconfirmed.texts("[role=alert]")[0].contains("확인"));
    let page = admin.get("/console/admin/keys").await;
    assert!(
        page.count(&format!(
            "details form input[name=keyId][value='{new_key}'] ~ input[name=confirm][value='1']"
        )) == 1,
        "the confirmation is a second click away"
    );
    for _ in 0..2 {
        let revoked = admin
            .post(
                "/console/admin/keys/revoke",
                &[("csrf", &csrf), ("keyId", &new_key), ("confirm", "1")],
            )
            .await;
        assert_eq!(revoked.status, 303);
        let told = admin.get(&revoked.location).await;
        assert!(told.texts("[role=status]")[0].contains("폐기했습니다"));
    }

    // Removing a user: confirmed, twice is once.
    let unconfirmed = admin
        .post(
            "/console/admin/users/delete",
            &[("csrf", &csrf), ("login", "agent.lee")],
        )
        .await;
    assert_eq!(unconfirmed.status, 400);
    for _ in 0..2 {
        let removed = admin
            .post(
                "/console/admin/users/delete",
                &[("csrf", &csrf), ("login", "agent.lee"), ("confirm", "1")],
            )
            .await;
        assert_eq!(removed.status, 303, "{}", removed.body);
        let told = admin.get(&removed.location).await;
        assert!(told.texts("[role=status]")[0].contains("agent.lee"));
    }
}
