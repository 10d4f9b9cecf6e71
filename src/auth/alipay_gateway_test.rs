//! Unit tests of `alipay_gateway`: requests signed as Alipay checks them,
//! answers taken only with Alipay's signature.

use openssl::rsa::Rsa;

use super::*;

fn key_pair() -> (String, String) {
    let rsa = Rsa::generate(2048).unwrap();
    let key = PKey::from_rsa(rsa).unwrap();
    (
        String::from_utf8(key.private_key_to_pem_pkcs8().unwrap()).unwrap(),
        String::from_utf8(key.public_key_to_pem().unwrap()).unwrap(),
    )
}

fn sign(private_pem: &str, content: &str) -> String {
    let key = PKey::private_key_from_pem(private_pem.as_bytes()).unwrap();
    let mut signer = Signer::new(MessageDigest::sha256(), &key).unwrap();
    signer.update(content.as_bytes()).unwrap();
    base64::engine::general_purpose::STANDARD.encode(signer.sign_to_vec().unwrap())
}

#[test]
fn a_request_is_signed_over_its_sorted_parameters() {
    let (app_private, app_public) = key_pair();
    let params = signed_request(
        "2021-app",
        &app_private,
        "auth-code-1",
        "2026-12-04 12:00:00",
    )
    .unwrap();
    let content = signing_content(&params);
    assert!(
        content.starts_with("app_id=2021-app&charset=utf-8&code=auth-code-1&format=JSON"),
        "{content}"
    );
    assert!(!content.contains("sign="));
    let sign = &params.iter().find(|(k, _)| k == "sign").unwrap().1;
    let key = PKey::public_key_from_pem(app_public.as_bytes()).unwrap();
    let mut verifier = Verifier::new(MessageDigest::sha256(), &key).unwrap();
    verifier.update(content.as_bytes()).unwrap();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(sign)
        .unwrap();
    assert!(
        verifier.verify(&raw).unwrap(),
        "Alipay can check it with the app's public key"
    );
}

#[test]
fn an_answer_counts_only_with_alipays_signature() {
    let (alipay_private, alipay_public) = key_pair();
    let member = r#"{"user_id":"2088000000000001","open_id":"o-1","access_token":"t"}"#;
    let signed = format!(
        r#"{{"alipay_system_oauth_token_response":{member},"sign":"{}"}}"#,
        sign(&alipay_private, member)
    );
    assert_eq!(
        read_answer(&signed, &alipay_public).unwrap(),
        (Some("2088000000000001".into()), Some("o-1".into()))
    );
    let tampered = signed.replace("2088000000000001", "2088000000000002");
    assert!(matches!(
        read_answer(&tampered, &alipay_public),
        Err(GatewayError::Fault(_))
    ));
    let (_, someone_else) = key_pair();
    assert!(matches!(
        read_answer(&signed, &someone_else),
        Err(GatewayError::Fault(_))
    ));
    let refused = r#"{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.code-invalid"},"sign":"x"}"#;
    assert_eq!(
        read_answer(refused, &alipay_public),
        Err(GatewayError::CodeRefused("isv.code-invalid".into()))
    );
}

#[test]
fn the_signed_member_is_cut_out_exactly() {
    let text = r#"{"a_response" : {"k":"v}{\"","n":{"x":1}},"sign":"s"}"#;
    assert_eq!(
        member_text(text, "a_response"),
        Some(r#"{"k":"v}{\"","n":{"x":1}}"#)
    );
    assert_eq!(member_text(text, "missing"), None);
}
