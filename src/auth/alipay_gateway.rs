//! Alipay's open gateway, for the one call mini-program sign-in needs:
//! `alipay.system.oauth.token`, which trades the `authCode` of
//! `my.getAuthCode` for the user's `user_id` (and `open_id`).
//!
//! Every request is signed with the app's RSA private key (`RSA2`: SHA-256
//! over the parameters sorted by name as `k=v&…`, base64), and every answer
//! is checked against Alipay's public key over the exact text of its
//! `…_response` member, with OpenSSL. An answer that is not Alipay's is the
//! platform failing (502), never a sign-in.

use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::sign::{Signer, Verifier};

use base64::Engine as _;

/// The method name and the member of its answer.
const METHOD: &str = "alipay.system.oauth.token";
const RESPONSE_MEMBER: &str = "alipay_system_oauth_token_response";

/// Why the gateway gave no account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayError {
    /// Alipay refused the app's code (used, expired, made up).
    CodeRefused(String),
    /// Our configuration, the signature or Alipay itself failed.
    Fault(String),
}

/// The signed form of `alipay.system.oauth.token` for `code`, `now` being
/// the request time in China (`yyyy-MM-dd HH:mm:ss`).
pub fn signed_request(
    app_id: &str,
    private_key_pem: &str,
    code: &str,
    now: &str,
) -> Result<Vec<(String, String)>, GatewayError> {
    let mut params: Vec<(String, String)> = [
        ("app_id", app_id),
        ("method", METHOD),
        ("format", "JSON"),
        ("charset", "utf-8"),
        ("sign_type", "RSA2"),
        ("timestamp", now),
        ("version", "1.0"),
        ("grant_type", "authorization_code"),
        ("code", code),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    params.sort();
    let content = signing_content(&params);
    let key = PKey::private_key_from_pem(private_key_pem.as_bytes()).map_err(|_| {
        GatewayError::Fault("the app's private key (client_secret) is not a PEM RSA key".into())
    })?;
    let mut signer = Signer::new(MessageDigest::sha256(), &key)
        .map_err(|e| GatewayError::Fault(format!("signing: {e}")))?;
    signer
        .update(content.as_bytes())
        .map_err(|e| GatewayError::Fault(format!("signing: {e}")))?;
    let signature = signer
        .sign_to_vec()
        .map_err(|e| GatewayError::Fault(format!("signing: {e}")))?;
    params.push((
        "sign".into(),
        base64::engine::general_purpose::STANDARD.encode(signature),
    ));
    Ok(params)
}

/// `k=v&…` of the non-empty parameters, sorted by name, without `sign`.
pub fn signing_content(params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params
        .iter()
        .filter(|(k, v)| k != "sign" && !v.is_empty())
        .collect();
    sorted.sort();
    sorted
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The account in Alipay's `answer` (its raw text), once its signature
/// checks out against `public_key_pem`: `(user_id, open_id)`.
pub fn read_answer(
    answer: &str,
    public_key_pem: &str,
) -> Result<(Option<String>, Option<String>), GatewayError> {
    let parsed: serde_json::Value = serde_json::from_str(answer)
        .map_err(|_| GatewayError::Fault("the answer is not JSON".into()))?;
    if let Some(error) = parsed.get("error_response") {
        let sub = error
            .get("sub_code")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        // Codes Alipay refuses are the app's; anything else is ours.
        return Err(
            if sub.starts_with("isv.code-") || sub == "isv.invalid-auth-code" {
                GatewayError::CodeRefused(sub.to_owned())
            } else {
                GatewayError::Fault(format!("Alipay answered {sub}"))
            },
        );
    }
    let member = member_text(answer, RESPONSE_MEMBER)
        .ok_or_else(|| GatewayError::Fault(format!("the answer has no {RESPONSE_MEMBER}")))?;
    let signature = parsed
        .get("sign")
        .and_then(|v| v.as_str())
        .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
        .ok_or_else(|| GatewayError::Fault("the answer is not signed".into()))?;
    let key = PKey::public_key_from_pem(public_key_pem.as_bytes())
        .map_err(|_| GatewayError::Fault("platform_public_key is not a PEM public key".into()))?;
    let mut verifier = Verifier::new(MessageDigest::sha256(), &key)
        .map_err(|e| GatewayError::Fault(format!("checking the signature: {e}")))?;
    let genuine = verifier
        .update(member.as_bytes())
        .and_then(|()| verifier.verify(&signature))
        .unwrap_or(false);
    if !genuine {
        return Err(GatewayError::Fault(
            "the answer's signature is not Alipay's".into(),
        ));
    }
    let body = &parsed[RESPONSE_MEMBER];
    let text = |key: &str| {
        body.get(key)
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    Ok((text("user_id"), text("open_id")))
}

/// The exact text of the object value of member `key` in the JSON `text`
/// (Alipay signs those bytes, not a re-serialisation).
fn member_text<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let at = text.find(&format!("\"{key}\""))?;
    let rest = &text[at + key.len() + 2..];
    let open = rest.find('{')?;
    if !rest[..open]
        .trim()
        .trim_start_matches(':')
        .trim()
        .is_empty()
    {
        return None;
    }
    let value = &rest[open..];
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, c) in value.char_indices() {
        match (in_string, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (true, false, '"') => in_string = false,
            (true, false, _) => {}
            (false, _, '"') => in_string = true,
            (false, _, '{') => depth += 1,
            (false, _, '}') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(&value[..=i]);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
#[path = "alipay_gateway_test.rs"]
mod tests;
