//! The Standard Webhooks signature of a delivery: `webhook-signature` is `v1,` and the
//! base64 of HMAC-SHA256 over `"{id}.{timestamp}.{body}"`, keyed with the bytes the
//! secret's base64 (after `whsec_`) decodes to; several signatures are separated by spaces.
//! Any Standard Webhooks library verifies it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use claims_domain::WebhookSecret;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The headers of a delivery, by name.
pub const ID_HEADER: &str = "webhook-id";
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
pub const SIGNATURE_HEADER: &str = "webhook-signature";

/// A secret's key could not be read (its text after `whsec_` is not base64).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a webhook secret's key is not base64")]
pub struct BadSecret;

/// `v1,<base64 signature>` of one message under one secret.
pub fn sign(
    secret: &WebhookSecret,
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, BadSecret> {
    let key = STANDARD
        .decode(secret.key_base64())
        .map_err(|_| BadSecret)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes a key of any length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The `webhook-signature` header: one signature per live secret, separated by spaces.
pub fn signature_header(
    secrets: &[&WebhookSecret],
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, BadSecret> {
    let signatures = secrets
        .iter()
        .map(|secret| sign(secret, id, timestamp, body))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(signatures.join(" "))
}

/// A new secret from 32 random bytes.
pub fn new_secret(key: [u8; 32]) -> WebhookSecret {
    WebhookSecret::from_base64(&STANDARD.encode(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_standard_webhooks_test_vector() {
        let secret =
            WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("secret");
        assert_eq!(
            sign(
                &secret,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1_614_265_330,
                br#"{"test": 2432232314}"#
            ),
            Ok("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=".to_owned())
        );
    }

    #[test]
    fn two_live_secrets_sign_side_by_side_and_a_bad_key_is_refused() {
        let old = new_secret([1; 32]);
        let new = new_secret([2; 32]);
        let header = signature_header(&[&new, &old], "evt_1", 1, b"{}").expect("signs");
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], sign(&new, "evt_1", 1, b"{}").expect("signs"));
        assert_eq!(parts[1], sign(&old, "evt_1", 1, b"{}").expect("signs"));
        let bad = WebhookSecret::parse("whsec_not base64!").expect("shape");
        assert_eq!(sign(&bad, "evt_1", 1, b"{}"), Err(BadSecret));
    }
}
