//! Account update: `PUT /hserve/v2.2/user/account/` (answers the full profile)
//! and `/v2.1/` (answers the short account body). A changed email address gets a
//! verification link, and the old address a notice.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::body::{field, required, Body, BodyOrEmpty};
use super::error::ApiError;
use super::extract::{accept_language, LoggedIn};
use super::openapi::{client_details as details, Auth};
use super::route_table::{Doc, Endpoint, Method, Tag};
use super::{versions, AppState};
use crate::auth::{AccountChange, AuthError, CodeChannel, PhoneProof, Principal};
use crate::domain::{Email, Password, PasswordPolicy, Phone, PhoneRegion, UserId, Username};
use crate::records::{Target, Who};
use crate::store::audit::Actor;

/// The caller's account.
pub(super) const ENDPOINTS: &[Endpoint] = &[
    Endpoint::new(
        Method::Put,
        "/user/account/",
        versions::ACCOUNT,
        || web::route().to(update),
        Doc::new(Tag::Users, Auth::User, "Change the caller's username, email, phone (null clears) or password; where the server asks for proof, with the password and/or a code (texted: code; mailed: email_code).")
            .with(details::account_update),
    ),
    Endpoint::new(
        Method::Delete,
        "/user/account/",
        versions::ACCOUNT,
        || web::route().to(delete),
        Doc::new(Tag::Users, Auth::User, "Delete the caller's own account: with the password, or a texted or mailed code for an account without one (both with reauth_needs_code); records follow each table's on_owner_deleted.")
            .with(details::account_delete),
    ),
];

/// What a body offers as proof that its sender holds the account: the
/// current `password`, a texted code under the name the endpoint reads it
/// by (`code`, or `phone_code` where `code` means another code) and a mailed
/// `email_code`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Proofs<'a> {
    /// The current password.
    pub password: &'a Option<String>,
    /// The texted code's field name and value.
    pub texted: (&'static str, &'a Option<String>),
    /// A code mailed for `reauthenticate`.
    pub email_code: &'a Option<String>,
}

/// Checks that the caller is the account's owner for a sensitive change: their
/// current `password` when they have one, and (with `reauth_needs_code`, or
/// without a password) a fresh code: one texted to their verified phone (the
/// body's `texted`: `code`, or `phone_code` where `code` means another code)
/// or `email_code` mailed to their verified address. An account with none of
/// these needs nothing beyond its session.
/// Under `reauth_account_changes`, what a change of how the account signs in
/// needs (identifiers, a linked provider account): [`prove_identity`], each
/// try counted against the client address's attempt limit.
pub(super) async fn prove_if_required(
    req: &HttpRequest,
    state: &AppState,
    caller: &Principal,
    proofs: Proofs<'_>,
) -> Result<(), ApiError> {
    if let (true, Principal::User { id, .. }) = (state.reauth_account_changes, caller) {
        state.auth_limit.check(req).await?;
        prove_identity(state, *id, proofs).await?;
    }
    Ok(())
}

pub(super) async fn prove_identity(
    state: &AppState,
    id: UserId,
    proofs: Proofs<'_>,
) -> Result<(), ApiError> {
    let (texted, texted_code) = proofs.texted;
    let proof = state.auth.proof_needed(id, state.reauth_needs_code).await?;
    if proof.password {
        let password = Password::candidate("password", required(proofs.password, "password")?)?;
        state.auth.confirm_password(id, &password).await?;
    }
    if proof.code_from.is_empty() {
        return Ok(());
    }
    let phone = proof.code_from.iter().find_map(|c| match c {
        CodeChannel::Phone(phone) => Some(phone.clone()),
        CodeChannel::Email => None,
    });
    let email = proof.code_from.contains(&CodeChannel::Email);
    match (phone, texted_code.as_deref(), proofs.email_code.as_deref()) {
        (Some(phone), Some(code), _) if !code.is_empty() => {
            state
                .sms
                .take_proof(phone, PhoneProof::Code(code.to_owned()))
                .await?
        }
        (_, _, Some(code)) if email && !code.is_empty() => {
            state.email.take_reauth_code(id, code.to_owned()).await?
        }
        (phone, _, _) => {
            let rule = match (phone.is_some(), email) {
                (true, true) => format!("is required: a code texted to the account's phone ({texted}) or mailed to its address (email_code, purpose 'reauthenticate')"),
                (true, false) => "is required: a code texted to the account's phone".to_owned(),
                _ => "is required: a code mailed to the account's address (email_code, purpose 'reauthenticate')".to_owned(),
            };
            let field = if phone.is_some() {
                texted
            } else {
                "email_code"
            };
            return Err(crate::domain::InvalidInput::new(field, rule).into());
        }
    }
    Ok(())
}

/// `DELETE /hserve/v2.2/user/account/` (`{password}`, or `{code}` texted to the
/// verified phone of an account without a password): deletes the caller's
/// account — sessions, credentials, codes and linked accounts go with it, and
/// their records follow each table's `on_owner_deleted` — audited.
async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: LoggedIn,
    body: BodyOrEmpty<AccountBody>,
) -> Result<HttpResponse, ApiError> {
    let Principal::User { id, .. } = &caller.0 else {
        return Err(AuthError::Forbidden(
            "admins delete users through DELETE /admin/api/users/{id}/".into(),
        )
        .into());
    };
    state.auth_limit.check(&req).await?;
    prove_identity(&state, *id, body.0.proofs()).await?;
    let actor = Actor {
        name: format!("user:{}", id.get()),
        ip: state.proxies.client(&req).map(|ip| ip.to_string()),
        request_id: None,
    };
    state
        .records
        .delete_as(Who::server(), Target::Users, &id.to_string(), Some(actor))
        .await?;
    state.auth.forget_user(id.get());
    Ok(HttpResponse::NoContent().finish())
}

/// The body of the account endpoints: the identifiers to change (`null`
/// clears one), the password and its replacement, and the proofs a change may
/// need.
#[derive(Debug, Deserialize)]
pub(super) struct AccountBody {
    #[serde(default, deserialize_with = "field::nullable_text")]
    username: Option<Option<String>>,
    #[serde(default, deserialize_with = "field::nullable_text")]
    email: Option<Option<String>>,
    #[serde(default, deserialize_with = "field::nullable_text")]
    phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "field::text")]
    region: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    password: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    new_password: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    code: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    email_code: Option<String>,
}

impl AccountBody {
    /// The proofs, the texted code read as `code`.
    fn proofs(&self) -> Proofs<'_> {
        Proofs {
            password: &self.password,
            texted: ("code", &self.code),
            email_code: &self.email_code,
        }
    }

    /// Whether the body names an identifier to set or clear.
    fn changes_identifiers(&self) -> bool {
        self.username.is_some() || self.email.is_some() || self.phone.is_some()
    }

    /// The change asked for, each value parsed.
    fn change(
        &self,
        policy: &PasswordPolicy,
        region: PhoneRegion,
    ) -> Result<AccountChange, ApiError> {
        Ok(AccountChange {
            username: self
                .username
                .as_ref()
                .map(|v| v.as_deref().map(Username::parse).transpose())
                .transpose()?,
            email: self
                .email
                .as_ref()
                .map(|v| v.as_deref().map(Email::parse).transpose())
                .transpose()?,
            phone: match &self.phone {
                None => None,
                Some(None) => Some(None),
                Some(Some(raw)) => Some(Some(Phone::parse(raw, self.region.as_deref(), region)?)),
            },
            password: self
                .password
                .as_deref()
                .map(|p| Password::candidate("password", p))
                .transpose()?,
            new_password: self
                .new_password
                .as_deref()
                .map(|p| policy.parse("new_password", p))
                .transpose()?,
        })
    }
}

/// What SDK builds before 3.3 (v2.0, v2.1) read after an account change.
#[derive(Debug, Serialize)]
struct ShortAccount {
    username: Value,
    email: Value,
    email_verified: Value,
    phone: Value,
    phone_verified: Value,
}

async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    caller: LoggedIn,
    body: Body<AccountBody>,
) -> Result<HttpResponse, ApiError> {
    let version = path.into_inner();
    let body = body.0;
    let change = body.change(&state.password_policy, state.phone_region)?;
    if state.email_change_needs_code && matches!(change.email, Some(Some(_))) {
        return Err(crate::domain::InvalidInput::new(
            "email",
            "a new address is proven first: POST /hserve/v2.0/user/email-code/ \
             {purpose: 'change_email', email}, then POST /hserve/v2.1/user/email/ {email, code}",
        )
        .into());
    }
    if state.phone_change_needs_code && matches!(change.phone, Some(Some(_))) {
        return Err(crate::domain::InvalidInput::new(
            "phone",
            "a new number is proven first: POST /hserve/v2.2/sms-verification-code/ {phone}, \
             then POST /hserve/v2.1/user/phone/ {phone, code}",
        )
        .into());
    }
    let identifiers = body.changes_identifiers();
    if identifiers {
        prove_if_required(&req, &state, &caller.0, body.proofs()).await?;
    }
    if change.new_password.is_some() && !(identifiers && state.reauth_account_changes) {
        // Checking and hashing passwords is costly: limited per address too.
        state.auth_limit.check(&req).await?;
    }
    let update = state.auth.update_account(&caller.0, change).await?;
    if let Some((old, new)) = update.email_change {
        let accept = accept_language(&req);
        state
            .email
            .email_changed(update.user_id, old, new, accept)
            .await?;
    }
    let profile = state.records.get_own(update.user_id).await?;
    // SDK builds before 3.3 (v2.0, v2.1) read the short account body.
    if version != "v2.2" {
        let field = |k: &str| profile.get(k).cloned().unwrap_or(Value::Null);
        return Ok(HttpResponse::Ok().json(ShortAccount {
            username: field("_username"),
            email: field("_email"),
            email_verified: field("_email_verified"),
            phone: field("_phone"),
            phone_verified: field("_phone_verified"),
        }));
    }
    Ok(HttpResponse::Ok().json(profile))
}
