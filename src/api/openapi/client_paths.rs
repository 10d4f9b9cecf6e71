//! The client API's operations (the Hydrogen paths Protium serves), with one
//! set of record paths per table.

use serde_json::json;

use super::build::{list_params, object, query, schema_ref, string, Auth, Op};
use super::schemas::{record_name, sign_up_body};
use crate::schema::Snapshot;

/// The query parameters of the aggregate endpoints.
fn aggregate_params() -> Vec<serde_json::Value> {
    vec![
        query("where", "A query (JSON), as for lists.", string()),
        query(
            "group_by",
            "Comma list of fields to group by (at most 4).",
            string(),
        ),
        query(
            "sum",
            "Comma list of number fields to sum (at most 8).",
            string(),
        ),
        query(
            "order_by",
            "count, -count (the default) or a grouped field.",
            string(),
        ),
        query(
            "limit",
            "Groups, 0 to 1000 (default 20).",
            json!({"type": "integer", "minimum": 0, "maximum": 1000}),
        ),
    ]
}

/// The answer of the aggregate endpoints.
fn aggregate_answer() -> serde_json::Value {
    json!({"type": "object", "properties": {"objects": {"type": "array", "items": {"type": "object",
        "properties": {"group": {"type": "object"}, "count": {"type": "integer"}, "sum": {"type": "object"}}}}}})
}

fn ok_status() -> serde_json::Value {
    schema_ref("Ok")
}

/// Every client operation.
pub fn operations(snapshot: &Snapshot) -> Vec<Op> {
    let h = "/hserve";
    let mut ops = vec![
        Op::new("get", "/health/", "Server", "Liveness check.").ok(200, ok_status()),
        Op::new(
            "get",
            format!("{h}/v2.2/server/time/"),
            "Server",
            "The server's clock (BaaS.getServerDate).",
        )
        .ok(200, object(&[("time", string())], &["time"])),
        Op::new(
            "get",
            format!("{h}/v2.0/table/"),
            "Server",
            "The tables with the fields the caller may read (BaaS.getTableList).",
        )
        .auth(Auth::Optional),
        Op::new(
            "get",
            format!("{h}/v2.0/table/{{table}}/"),
            "Server",
            "One table by name or numeric id (BaaS.getTable).",
        )
        .auth(Auth::Optional),
    ];
    for (kind, credential) in [
        ("email", "email"),
        ("username", "username"),
        ("phone", "phone"),
    ] {
        ops.push(
            Op::new(
                "post",
                format!("{h}/v2.1/register/{kind}/"),
                "Users",
                format!(
                    "Register by {kind} and password, with initial profile fields beside them."
                ),
            )
            .body(sign_up_body(
                snapshot.profile(),
                &[credential, "password"],
                &[],
            ))
            .ok(201, schema_ref("LoginObject"))
            .auth(Auth::Optional),
        );
        ops.push(
            Op::new(
                "post",
                format!("{h}/v2.1/login/{kind}/"),
                "Users",
                format!("Log in by {kind} and password."),
            )
            .body(object(
                &[(credential, string()), ("password", string())],
                &[credential, "password"],
            ))
            .ok(201, schema_ref("LoginObject")),
        );
    }
    ops.extend([
        Op::new("post", format!("{h}/v2.1/login/sms/"), "Users", "Log in with a phone and an SMS code; creates the user (with initial profile fields) unless create_user is false.")
            .body(sign_up_body(snapshot.profile(), &["phone", "code"], &[("create_user", json!({"type": "boolean"}))]))
            .ok(201, schema_ref("LoginObject")),
        Op::new("post", format!("{h}/v2.0/login/anonymous/"), "Users", "Log in anonymously (a new device user).")
            .body(json!({"type": "object"}))
            .ok(201, schema_ref("LoginObject")),
        Op::new("post", format!("{h}/v2.0/login/device/"), "Users", "Log a device in: the same device_id always signs in the same user; with create_user false an unknown device is 404.")
            .body(sign_up_body(snapshot.profile(), &["device_id", "platform"], &[("create_user", json!({"type": "boolean"}))]))
            .ok(201, schema_ref("LoginObject")),
        Op::new("post", format!("{h}/v2.0/idp/{{provider}}/token/"), "Users", "Sign in with an access token (providers with native_token) or an authorization code (providers with native_code) from the provider's own SDK.")
            .body(json!({"type": "object", "properties": {"access_token": string(), "code": string(), "create_user": {"type": "boolean"}}, "anyOf": [{"required": ["access_token"]}, {"required": ["code"]}]}))
            .ok(201, schema_ref("LoginObject")),
        Op::new("get", format!("{h}/v2.0/user/find/"), "Users", "Find one user by id, username, email, phone (with region) or a profile field declared find_key: their public profile; the same 404 for an unknown user and one who does not want to be found.")
            .params(vec![
                query("id", "A user id.", string()),
                query("username", "A username.", string()),
                query("email", "An email address.", string()),
                query("phone", "A phone number.", string()),
                query("region", "The region of a national phone number.", string()),
            ])
            .ok(200, schema_ref("User"))
            .auth(Auth::User),
        Op::new("post", format!("{h}/v2.0/user/available/"), "Users", "Is this username, email or phone free to register? Off (403) unless availability_check is set.")
            .body(json!({"type": "object", "properties": {"username": string(), "email": string(), "phone": string(), "region": string()}}))
            .ok(200, json!({"type": "object", "properties": {"status": string(), "available": {"type": "boolean"}}})),
        Op::new("post", format!("{h}/v2.0/session/destroy/"), "Users", "Log out (always 201).")
            .body(json!({"type": "object"}))
            .ok(201, ok_status())
            .auth(Auth::Optional),
        Op::new("get", format!("{h}/v2.5/user/info/{{user_id}}/"), "Users", "One user as the caller may see them.")
            .params(vec![
                query("keys", "Comma list of fields to return or (with -) leave out.", string()),
                query("expand", "Comma list of pointer fields to expand.", string()),
            ])
            .ok(200, schema_ref("User"))
            .auth(Auth::User),
        Op::new("get", format!("{h}/v2.2/user/info/"), "Users", "Users matching a query (public fields; all for admins).")
            .params(list_params(true))
            .ok(200, schema_ref("UserList"))
            .auth(Auth::User),
        Op::new("get", format!("{h}/v2.4/user/aggregate/"), "Users", "Counts and sums by group over the users, on fields the caller may read (users by device platform, say).")
            .params(aggregate_params())
            .ok(200, aggregate_answer())
            .auth(Auth::User),
        Op::new("put", format!("{h}/v2.5/user/info/"), "Users", "Update the caller's profile (flat body or $set/$unset; atomic operators).")
            .params(vec![query("expand", "Comma list of pointer fields to expand in the answer.", string())])
            .body(schema_ref("UserUpdate"))
            .ok(200, schema_ref("User"))
            .auth(Auth::User),
        Op::new("put", format!("{h}/v2.2/user/account/"), "Users", "Change the caller's username, email, phone (null clears) or password; where the server asks for proof, with the password and/or a code (texted: code; mailed: email_code).")
            .body(object(&[("username", json!({"type": ["string", "null"]})), ("email", json!({"type": ["string", "null"]})), ("phone", json!({"type": ["string", "null"]})), ("password", string()), ("new_password", string()), ("code", string()), ("email_code", string())], &[]))
            .ok(200, schema_ref("User"))
            .auth(Auth::User),
        Op::new("delete", format!("{h}/v2.2/user/account/"), "Users", "Delete the caller's own account: with the password, or a texted or mailed code for an account without one (both with reauth_needs_code); records follow each table's on_owner_deleted.")
            .body(object(&[("password", string()), ("code", string()), ("email_code", string())], &[]))
            .ok(204, serde_json::Value::Null)
            .auth(Auth::User),
        Op::new("post", format!("{h}/v2.0/user/email-verify/"), "Email", "Mail the caller a verification link.")
            .body(json!({"type": "object"}))
            .ok(201, ok_status())
            .auth(Auth::User),
        Op::new("post", format!("{h}/v2.0/user/password/reset/"), "Email", "Mail a password-reset link to a verified address.")
            .body(object(&[("email", string())], &["email"]))
            .ok(201, ok_status()),
        Op::new("post", format!("{h}/v2.0/user/email-code/"), "Email", "Mail a code: verify_email (to your address), reset_password (to email), change_email (to the new address email), reauthenticate (to your verified address).")
            .body(object(&[("purpose", json!({"type": "string", "enum": ["verify_email", "reset_password", "change_email", "reauthenticate"]})), ("email", string())], &["purpose"]))
            .ok(201, ok_status())
            .auth(Auth::Optional),
        Op::new("post", format!("{h}/v2.1/user/email/"), "Email", "Switch the caller to a new address, proven by the change_email code mailed to it (verified at once); under reauth_account_changes also with the password (and a phone_code or email_code with reauth_needs_code).")
            .body(object(&[("email", string()), ("code", string()), ("password", string()), ("phone_code", string()), ("email_code", string())], &["email", "code"]))
            .ok(200, object(&[("_email", string()), ("_email_verified", json!({"type": "boolean"}))], &[]))
            .auth(Auth::User),
        Op::new("post", format!("{h}/v2.0/user/password/reset/code/"), "Email", "Set a new password with a mailed code.")
            .body(object(&[("email", string()), ("code", string()), ("password", string())], &["email", "code", "password"]))
            .ok(200, ok_status()),
        Op::new("post", format!("{h}/v2.2/sms-verification-code/"), "SMS", "Text a code to a phone number.")
            .body(object(&[("phone", string()), ("region", string())], &["phone"]))
            .ok(200, ok_status()),
        Op::new("post", format!("{h}/v1.8/sms-verification-code/check/"), "SMS", "Check a code without using it up (the try counts).")
            .body(object(&[("phone", string()), ("code", string())], &["phone", "code"]))
            .ok(200, ok_status()),
        Op::new("post", format!("{h}/v1.8/sms-verification-code/verify/"), "SMS", "Check a code; answers a one-time verification_token.")
            .body(object(&[("phone", string()), ("code", string())], &["phone", "code"]))
            .ok(200, json!({"type": "object"})),
        Op::new("post", format!("{h}/v2.0/user/password/reset/phone/"), "SMS", "Set a new password with an SMS code or verification_token.")
            .body(object(&[("phone", string()), ("code", string()), ("verification_token", string()), ("password", string())], &["phone", "password"]))
            .ok(200, ok_status()),
        Op::new("get", format!("{h}/v1/bulk-operation/{{id}}/"), "Records", "The status of an asynchronous batch operation.")
            .auth(Auth::User),
    ]);
    for table in snapshot.tables() {
        let name = &table.name;
        let record = record_name(name);
        let base = format!("{h}/v2.4/table/{name}/record/");
        let one = format!("{h}/v2.5/table/{name}/record/{{id}}/");
        let batch = vec![
            query(
                "where",
                "Hydrogen query, JSON, selecting the records to change.",
                string(),
            ),
            query(
                "limit",
                "At most this many (1000 with triggers).",
                json!({"type": "integer", "minimum": 0}),
            ),
            query(
                "offset",
                "Skip this many matches.",
                json!({"type": "integer", "minimum": 0}),
            ),
            query(
                "enable_trigger",
                "`0`: above 1000 matches, run as a background job.",
                json!({"type": "string", "enum": ["0", "1"]}),
            ),
        ];
        ops.extend([
            Op::new("get", base.clone(), "Records", format!("Records of {name} the caller may read."))
                .params(list_params(true))
                .ok(200, schema_ref(&format!("{record}List")))
                .auth(Auth::Optional),
            Op::new("post", base.clone(), "Records", format!("Create a record of {name} (or up to 1000 with an array); with upsert, update the record holding the key instead when there is one."))
                .params(vec![
                    query("expand", "Comma list of pointer fields to expand in the answer.", string()),
                    query("upsert", "A unique key (a unique field, the fields of a unique rule, or created_by on a table of one record per user): update the record holding the body's key values (200), or create it (201).", string()),
                ])
                .body(json!({"anyOf": [schema_ref(&format!("{record}Input")), {"type": "array", "maxItems": 1000, "items": schema_ref(&format!("{record}Input"))}]}))
                .ok(201, json!({"type": "object"}))
                .also(200, json!({"type": "object"}))
                .auth(Auth::User),
            Op::new("put", base.clone(), "Records", format!("Update every record of {name} a where matches."))
                .params(batch.clone())
                .body(schema_ref(&format!("{record}Update")))
                .ok(200, schema_ref("BatchResult"))
                .auth(Auth::User),
            Op::new("delete", base, "Records", format!("Delete every record of {name} a where matches."))
                .params(batch)
                .ok(200, schema_ref("BatchResult"))
                .auth(Auth::User),
            Op::new("get", one.clone(), "Records", format!("One record of {name}."))
                .params(vec![
                    query("keys", "Comma list of fields to return or (with -) leave out.", string()),
                    query("expand", "Comma list of pointer fields to expand.", string()),
                ])
                .ok(200, schema_ref(&record))
                .auth(Auth::Optional),
            Op::new("put", one.clone(), "Records", format!("Update one record of {name}."))
                .body(schema_ref(&format!("{record}Update")))
                .ok(200, schema_ref(&record))
                .auth(Auth::User),
            Op::new("patch", one.clone(), "Records", format!("Update one record of {name} (as PUT)."))
                .body(schema_ref(&format!("{record}Update")))
                .ok(200, schema_ref(&record))
                .auth(Auth::User),
            Op::new("delete", one, "Records", format!("Delete one record of {name}."))
                .ok(204, serde_json::Value::Null)
                .auth(Auth::User),
            Op::new("get", format!("{h}/v2.4/table/{name}/changes/"), "Records", format!("Changes of {name} since a time or cursor (sync)."))
                .params(vec![
                    query("since", "Unix time: changes after it.", json!({"type": "integer", "minimum": 0})),
                    query("cursor", "The cursor of the previous page.", string()),
                    query("limit", "1 to 1000 (default 100).", json!({"type": "integer", "minimum": 1, "maximum": 1000})),
                ])
                .ok(200, schema_ref("ChangePage"))
                .auth(Auth::Optional),
            Op::new("get", format!("{h}/v2.4/table/{name}/aggregate/"), "Records", format!("Counts and sums by group over the records of {name} the caller may read."))
                .params(aggregate_params())
                .ok(200, aggregate_answer())
                .auth(Auth::Optional),
        ]);
    }
    ops.push(
        Op::new("get", format!("{h}/v2.4/changes/"), "Records", "The change feed of several tables with one cursor, and the caller's own profile when it changed (profile=1).")
            .params(vec![
                query("tables", "Comma list of tables.", string()),
                query("profile", "1 adds the caller's own profile when it changed.", string()),
                query("since", "Unix time: changes after it.", json!({"type": "integer", "minimum": 0})),
                query("cursor", "The cursor of the previous page.", string()),
                query("limit", "1 to 1000 (default 100).", json!({"type": "integer", "minimum": 1, "maximum": 1000})),
            ])
            .ok(200, json!({"type": "object"}))
            .auth(Auth::Optional),
    );
    ops
}
