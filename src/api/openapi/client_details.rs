//! The parameters, bodies and answers of the client API's user, account,
//! mail, SMS, provider and server operations, one function per endpoint (or
//! family), named in the endpoint tables of the handler modules; records and
//! the content library are in `record_details`.

use serde_json::{json, Value};

use super::build::{list_params, object, query, schema_ref, string, DocContext, Op};
use super::schemas::sign_up_body;

/// `{"status": "ok"}`.
fn ok_status() -> Value {
    schema_ref("Ok")
}

fn boolean() -> Value {
    json!({"type": "boolean"})
}

fn nullable_string() -> Value {
    json!({"type": ["string", "null"]})
}

/// `keys` and `expand` of a one-object read.
pub(super) fn read_params() -> Vec<Value> {
    vec![
        query(
            "keys",
            "Comma list of fields to return or (with -) leave out.",
            string(),
        ),
        query(
            "expand",
            "Comma list of pointer fields to expand.",
            string(),
        ),
    ]
}

/// `GET …/server/time/`.
pub fn server_time(op: Op, _: &DocContext<'_>) -> Op {
    op.ok(200, object(&[("time", string())], &["time"]))
}

/// `POST …/register/{kind}/`: the credential, the password and profile fields.
pub fn register(op: Op, ctx: &DocContext<'_>) -> Op {
    let credential = ctx.value.unwrap_or("username");
    op.body(sign_up_body(
        ctx.snapshot.profile(),
        &[credential, "password"],
        &[],
    ))
    .ok(201, schema_ref("LoginObject"))
}

/// `POST …/login/{kind}/`, by kind.
pub fn login(op: Op, ctx: &DocContext<'_>) -> Op {
    let profile = ctx.snapshot.profile();
    let create_user = [("create_user", boolean())];
    let body = match ctx.value.unwrap_or("username") {
        "sms" => sign_up_body(profile, &["phone", "code"], &create_user),
        "anonymous" => json!({"type": "object"}),
        "device" => sign_up_body(profile, &["device_id", "platform"], &create_user),
        credential => object(
            &[(credential, string()), ("password", string())],
            &[credential, "password"],
        ),
    };
    op.body(body).ok(201, schema_ref("LoginObject"))
}

/// The kind-less `POST …/register/` and `…/login/` of SDK 2.0.0–2.0.2.
pub fn sign_in_by_body(op: Op, _: &DocContext<'_>) -> Op {
    op.body(object(
        &[
            ("username", string()),
            ("email", string()),
            ("phone", string()),
            ("password", string()),
        ],
        &["password"],
    ))
    .ok(201, schema_ref("LoginObject"))
}

/// `POST …/session/destroy/`.
pub fn logout(op: Op, _: &DocContext<'_>) -> Op {
    op.body(json!({"type": "object"})).ok(201, ok_status())
}

/// `GET …/user/find/`.
pub fn user_find(op: Op, _: &DocContext<'_>) -> Op {
    op.params(vec![
        query("id", "A user id.", string()),
        query("username", "A username.", string()),
        query("email", "An email address.", string()),
        query("phone", "A phone number.", string()),
        query("region", "The region of a national phone number.", string()),
    ])
    .ok(200, schema_ref("User"))
}

/// `POST …/user/available/`.
pub fn user_available(op: Op, _: &DocContext<'_>) -> Op {
    op.body(object(
        &[
            ("username", string()),
            ("email", string()),
            ("phone", string()),
            ("region", string()),
        ],
        &[],
    ))
    .ok(
        200,
        object(&[("status", string()), ("available", boolean())], &[]),
    )
}

/// `GET …/user/info/{user_id}/`.
pub fn user_get(op: Op, _: &DocContext<'_>) -> Op {
    op.params(read_params()).ok(200, schema_ref("User"))
}

/// `GET …/user/info/`.
pub fn user_list(op: Op, _: &DocContext<'_>) -> Op {
    op.params(list_params(true)).ok(200, schema_ref("UserList"))
}

/// `PUT`/`PATCH …/user/info/`.
pub fn user_update(op: Op, _: &DocContext<'_>) -> Op {
    op.params(vec![query(
        "expand",
        "Comma list of pointer fields to expand in the answer.",
        string(),
    )])
    .body(schema_ref("UserUpdate"))
    .ok(200, schema_ref("User"))
}

/// `PUT …/user/account/`.
pub fn account_update(op: Op, _: &DocContext<'_>) -> Op {
    op.body(object(
        &[
            ("username", nullable_string()),
            ("email", nullable_string()),
            ("phone", nullable_string()),
            ("password", string()),
            ("new_password", string()),
            ("code", string()),
            ("email_code", string()),
        ],
        &[],
    ))
    .ok(200, schema_ref("User"))
}

/// `DELETE …/user/account/`.
pub fn account_delete(op: Op, _: &DocContext<'_>) -> Op {
    op.body(object(
        &[
            ("password", string()),
            ("code", string()),
            ("email_code", string()),
        ],
        &[],
    ))
    .ok(204, Value::Null)
}

/// An empty body answered with `{"status": "ok"}` (201).
pub fn empty_created(op: Op, _: &DocContext<'_>) -> Op {
    op.body(json!({"type": "object"})).ok(201, ok_status())
}

/// `POST …/user/password/reset/`.
pub fn email_reset(op: Op, _: &DocContext<'_>) -> Op {
    op.body(object(&[("email", string())], &["email"]))
        .ok(201, ok_status())
}

/// `POST …/user/email-code/`.
pub fn email_code(op: Op, _: &DocContext<'_>) -> Op {
    let purpose = json!({"type": "string", "enum": ["verify_email", "reset_password", "change_email", "reauthenticate"]});
    op.body(object(
        &[("purpose", purpose), ("email", string())],
        &["purpose"],
    ))
    .ok(201, ok_status())
}

/// `POST …/user/email-code/check/` and `…/verify/`.
pub fn email_code_check(op: Op, _: &DocContext<'_>) -> Op {
    op.body(object(
        &[
            ("purpose", string()),
            ("email", string()),
            ("code", string()),
        ],
        &["purpose", "code"],
    ))
    .ok(200, json!({"type": "object"}))
}

/// `POST …/user/email/`.
pub fn email_change(op: Op, _: &DocContext<'_>) -> Op {
    op.body(object(
        &[
            ("email", string()),
            ("code", string()),
            ("password", string()),
            ("phone_code", string()),
            ("email_code", string()),
        ],
        &["email", "code"],
    ))
    .ok(
        200,
        object(&[("_email", string()), ("_email_verified", boolean())], &[]),
    )
}

/// `POST …/user/password/reset/code/`.
pub fn email_reset_with_code(op: Op, _: &DocContext<'_>) -> Op {
    op.body(object(
        &[
            ("email", string()),
            ("code", string()),
            ("password", string()),
        ],
        &["email", "code", "password"],
    ))
    .ok(200, ok_status())
}

/// `POST …/sms-verification-code/`.
pub fn sms_send(op: Op, _: &DocContext<'_>) -> Op {
    op.body(object(
        &[("phone", string()), ("region", string())],
        &["phone"],
    ))
    .ok(200, ok_status())
}

/// A phone and a texted code.
pub fn sms_code(op: Op, _: &DocContext<'_>) -> Op {
    op.body(object(
        &[("phone", string()), ("code", string())],
        &["phone", "code"],
    ))
    .ok(200, json!({"type": "object"}))
}

/// `POST …/sms-phone-verification/`: the caller's own number, by a texted code.
pub fn sms_verify_own(op: Op, _: &DocContext<'_>) -> Op {
    op.body(object(&[("code", string())], &["code"]))
        .ok(200, json!({"type": "object"}))
}

/// `POST …/user/phone/`.
pub fn phone_change(op: Op, _: &DocContext<'_>) -> Op {
    op.body(object(
        &[
            ("phone", string()),
            ("code", string()),
            ("verification_token", string()),
            ("password", string()),
        ],
        &["phone"],
    ))
    .ok(200, json!({"type": "object"}))
}

/// `POST …/user/password/reset/phone/`.
pub fn sms_reset(op: Op, _: &DocContext<'_>) -> Op {
    op.body(object(
        &[
            ("phone", string()),
            ("code", string()),
            ("verification_token", string()),
            ("password", string()),
        ],
        &["phone", "password"],
    ))
    .ok(200, ok_status())
}

/// A provider sign-in body (code, token or mini-program credentials).
pub fn provider_sign_in(op: Op, _: &DocContext<'_>) -> Op {
    op.body(json!({"type": "object", "properties": {
        "access_token": string(), "code": string(), "auth_token": string(),
        "create_user": boolean(), "rawData": string(), "signature": string(),
        "encryptedData": string(), "iv": string(),
    }}))
    .ok(201, schema_ref("LoginObject"))
}

/// A link of the caller's account to a provider's.
pub fn provider_link(op: Op, _: &DocContext<'_>) -> Op {
    op.body(json!({"type": "object", "properties": {
        "access_token": string(), "code": string(), "auth_token": string(),
        "rawData": string(), "signature": string(),
    }}))
    .ok(200, json!({"type": "object"}))
}

/// `POST …/idp/{provider}/redirect/`: where to send the browser.
pub fn provider_redirect(op: Op, _: &DocContext<'_>) -> Op {
    op.body(object(&[("callback_url", string())], &[]))
        .ok(200, json!({"type": "object"}))
}
