//! Vendors and their lower-rank vendors, API keys and platform tokens.

use super::*;

pub async fn vendors_and_their_lower_rank_vendors(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    let a1 = store.vendor(&vendor_id(LOWER_A1)).await.unwrap().unwrap();
    assert_eq!(a1.parent, Some(vendor_id(VENDOR_A)));
    assert_eq!(a1.name.as_str(), "한빛유통 신선센터");
    assert_eq!(a1.created_at, at("2026-11-01 09:00:00"));
    assert!(
        store
            .vendor(&vendor_id("0000099999"))
            .await
            .unwrap()
            .is_none()
    );
    let all: Vec<String> = store
        .vendors()
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.id.as_str().to_owned())
        .collect();
    assert_eq!(all, [VENDOR_A, LOWER_A1, LOWER_A2, VENDOR_B]);

    let again = NewVendor {
        id: vendor_id(VENDOR_A),
        name: Text::parse("name", "다른 이름", rules::ORDERER_NAME).unwrap(),
        parent: None,
    };
    assert!(matches!(
        store.add_vendor(again, at("2026-11-02 00:00:00")).await,
        Err(StoreError::Conflict(Conflict::VendorExists(_)))
    ));
    let orphan = NewVendor {
        id: vendor_id("0000034567"),
        name: Text::parse("name", "고아", rules::ORDERER_NAME).unwrap(),
        parent: Some(vendor_id("0000099999")),
    };
    assert!(matches!(
        store.add_vendor(orphan, at("2026-11-02 00:00:00")).await,
        Err(StoreError::Invalid(err)) if err.field == "parentSplVenId"
    ));
    let grandchild = NewVendor {
        id: vendor_id("0000034567"),
        name: Text::parse("name", "손자", rules::ORDERER_NAME).unwrap(),
        parent: Some(vendor_id(LOWER_A1)),
    };
    assert!(matches!(
        store.add_vendor(grandchild, at("2026-11-02 00:00:00")).await,
        Err(StoreError::Invalid(err)) if err.field == "parentSplVenId"
    ));
}

pub async fn api_keys_are_issued_listed_and_revoked(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    let whole = NewApiKey {
        id: KeyId::from_random([1; 8]),
        hash: SecretHash([1; 32]),
        scope: scope(VENDOR_A, None),
    };
    let narrow = NewApiKey {
        id: KeyId::from_random([2; 8]),
        hash: SecretHash([2; 32]),
        scope: scope(VENDOR_A, Some(LOWER_A1)),
    };
    store
        .add_api_key(whole.clone(), at("2026-11-02 10:00:00"))
        .await
        .unwrap();
    store
        .add_api_key(narrow.clone(), at("2026-11-02 11:00:00"))
        .await
        .unwrap();

    assert_eq!(
        store.scope_for_key(&SecretHash([1; 32])).await.unwrap(),
        Some(whole.scope.clone())
    );
    assert_eq!(
        store.scope_for_key(&SecretHash([2; 32])).await.unwrap(),
        Some(narrow.scope.clone())
    );
    assert_eq!(
        store.scope_for_key(&SecretHash([3; 32])).await.unwrap(),
        None
    );

    let revoked = store
        .revoke_api_key(&whole.id, at("2026-11-03 00:00:00"))
        .await
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(at("2026-11-03 00:00:00")));
    assert_eq!(
        store.scope_for_key(&SecretHash([1; 32])).await.unwrap(),
        None
    );
    // Revoking again keeps the first revocation time.
    let again = store
        .revoke_api_key(&whole.id, at("2026-11-04 00:00:00"))
        .await
        .unwrap();
    assert_eq!(again.revoked_at, Some(at("2026-11-03 00:00:00")));

    let listed = store.api_keys(Some(&vendor_id(VENDOR_A))).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].id, whole.id);
    assert!(listed[0].revoked_at.is_some());
    assert_eq!(listed[1].scope, narrow.scope);
    assert!(listed[1].revoked_at.is_none());
    assert!(
        store
            .api_keys(Some(&vendor_id(VENDOR_B)))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.api_keys(None).await.unwrap(),
        listed,
        "every vendor's keys: here only A has any"
    );

    assert!(matches!(
        store
            .revoke_api_key(&KeyId::from_random([9; 8]), at("2026-11-03 00:00:00"))
            .await,
        Err(StoreError::NotFound(NotFound::ApiKey(_)))
    ));
    let unknown_vendor = NewApiKey {
        id: KeyId::from_random([4; 8]),
        hash: SecretHash([4; 32]),
        scope: scope("0000099999", None),
    };
    assert!(matches!(
        store
            .add_api_key(unknown_vendor, at("2026-11-02 00:00:00"))
            .await,
        Err(StoreError::NotFound(NotFound::Vendor(_)))
    ));
    let foreign_lower = NewApiKey {
        id: KeyId::from_random([5; 8]),
        hash: SecretHash([5; 32]),
        scope: scope(VENDOR_B, Some(LOWER_A1)),
    };
    assert!(matches!(
        store.add_api_key(foreign_lower, at("2026-11-02 00:00:00")).await,
        Err(StoreError::Invalid(err)) if err.field == "lrnkSplVenId"
    ));
    let lower_as_top = NewApiKey {
        id: KeyId::from_random([6; 8]),
        hash: SecretHash([6; 32]),
        scope: scope(LOWER_A1, None),
    };
    assert!(matches!(
        store.add_api_key(lower_as_top, at("2026-11-02 00:00:00")).await,
        Err(StoreError::Invalid(err)) if err.field == "splVenId"
    ));
}

pub async fn platform_tokens_carry_a_role_and_are_revocable(fixture: &Fixture) {
    let store = fixture.store();
    let mut ids = Vec::new();
    for (n, role) in Role::ALL.into_iter().enumerate() {
        let token = NewToken {
            id: TokenId::from_random([n as u8; 8]),
            hash: SecretHash([n as u8 + 10; 32]),
            role,
            label: Text::parse("label", &format!("{role} 연동 서버"), rules::LABEL).unwrap(),
        };
        let info = store
            .add_token(token.clone(), at("2026-11-02 10:00:00"))
            .await
            .unwrap();
        assert_eq!((info.role, info.revoked_at), (role, None));
        assert_eq!(info.label, token.label);
        ids.push(token.id);
    }
    assert_eq!(
        store.role_for_token(&SecretHash([11; 32])).await.unwrap(),
        Some(Role::Storefront)
    );
    assert_eq!(
        store.role_for_token(&SecretHash([99; 32])).await.unwrap(),
        None
    );
    let revoked = store
        .revoke_token(&ids[1], at("2026-11-03 00:00:00"))
        .await
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(at("2026-11-03 00:00:00")));
    assert_eq!(
        store.role_for_token(&SecretHash([11; 32])).await.unwrap(),
        None
    );
    assert_eq!(
        store.role_for_token(&SecretHash([10; 32])).await.unwrap(),
        Some(Role::Admin)
    );
    let listed = store.tokens().await.unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(
        listed[0].label.as_str(),
        "admin 연동 서버",
        "labels are kept"
    );
    assert_eq!(listed.iter().filter(|t| t.revoked_at.is_some()).count(), 1);
    assert!(matches!(
        store
            .revoke_token(&TokenId::from_random([42; 8]), at("2026-11-03 00:00:00"))
            .await,
        Err(StoreError::NotFound(NotFound::Token(_)))
    ));
}

pub async fn a_keys_version_moves_with_its_vendors_changes(fixture: &Fixture) {
    let store = fixture.store();
    register_vendors(store).await;
    let now = at("2026-11-21 09:00:00");
    for (n, vendor, lower) in [
        (1, VENDOR_A, None),
        (2, VENDOR_A, Some(LOWER_A1)),
        (3, VENDOR_B, None),
    ] {
        store
            .add_api_key(
                NewApiKey {
                    id: KeyId::from_random([n; 8]),
                    hash: SecretHash([n; 32]),
                    scope: scope(vendor, lower),
                },
                now,
            )
            .await
            .unwrap();
    }
    let version = |n: u8| async move {
        store
            .key_version(&SecretHash([n; 32]))
            .await
            .unwrap()
            .map(|(scope, version)| (scope.vendor.as_str().to_owned(), version))
    };
    assert_eq!(
        version(1).await,
        Some((VENDOR_A.to_owned(), 0)),
        "no event yet"
    );
    assert!(version(9).await.is_none(), "an unknown key");

    place(
        store,
        order(
            "VERSION-1",
            "2026-11-20 09:50:17",
            &[(1, VENDOR_A, Some(LOWER_A1), 2, 0)],
            &[],
        ),
    )
    .await;
    let placed = version(1).await.unwrap().1;
    assert!(placed > 0, "an order tells its vendor");
    assert_eq!(
        version(2).await.unwrap().1,
        placed,
        "a narrowed key counts its vendor's"
    );
    store
        .cancel(
            &order_no("VERSION-1"),
            &by_agent(&[(1, 1)], Fault::Vendor),
            now,
        )
        .await
        .unwrap();
    let canceled = version(1).await.unwrap().1;
    assert!(canceled > placed, "a claim moves the version");
    assert_eq!(
        version(3).await,
        Some((VENDOR_B.to_owned(), 0)),
        "other vendors' stay"
    );

    // A revoked key has no version.
    store
        .revoke_api_key(&KeyId::from_random([1; 8]), now)
        .await
        .unwrap();
    assert!(version(1).await.is_none());
}
