//! The client API's one map: every endpoint under `/hserve/{version}/`, the
//! versions it answers under, its handler and its line in the reference.
//!
//! Each handler module declares its endpoints as a table
//! (`ENDPOINTS: &[Endpoint]`); [`super::routes`] chains the tables, registers
//! them, documents them in the OpenAPI document and answers a request for a
//! known path under an unserved version with a 404 naming the served ones. A
//! handler never checks its own version: a request it sees was routed by
//! [`Served`], which reads the version segment of the path.

use actix_web::dev::ResourceDef;
use actix_web::guard::{Guard, GuardContext};
use actix_web::{http, web};

use super::openapi::{Auth, DocContext, Op};

/// The scope every endpoint of the table lives under.
pub const SCOPE: &str = "/hserve";

/// An HTTP method an endpoint answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// PATCH.
    Patch,
    /// DELETE.
    Delete,
}

impl Method {
    /// The `http` crate's method.
    pub fn http(self) -> http::Method {
        match self {
            Method::Get => http::Method::GET,
            Method::Post => http::Method::POST,
            Method::Put => http::Method::PUT,
            Method::Patch => http::Method::PATCH,
            Method::Delete => http::Method::DELETE,
        }
    }

    /// The lower-case name OpenAPI keys operations by.
    pub fn openapi(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
            Method::Put => "put",
            Method::Patch => "patch",
            Method::Delete => "delete",
        }
    }
}

/// The reference section an endpoint is listed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// Sign-up, sign-in, profiles and accounts.
    Users,
    /// Mailed links and codes.
    Email,
    /// Texted codes and phone flows.
    Sms,
    /// Third-party and mini-program sign-in.
    SignIn,
    /// Records of every table.
    Records,
    /// The content library.
    Content,
    /// Uploaded files.
    Files,
    /// Clock and table metadata.
    Server,
    /// The admin API.
    Admin,
}

impl Tag {
    /// The tag's name in the OpenAPI document.
    pub fn name(self) -> &'static str {
        match self {
            Tag::Users => "Users",
            Tag::Email => "Email",
            Tag::Sms => "SMS",
            Tag::SignIn => "Sign-in providers",
            Tag::Records => "Records",
            Tag::Content => "Content",
            Tag::Files => "Files",
            Tag::Server => "Server",
            Tag::Admin => "Admin",
        }
    }
}

/// What the reference says of an endpoint.
#[derive(Debug, Clone, Copy)]
pub struct Doc {
    /// Where it is listed.
    pub tag: Tag,
    /// Who may call it.
    pub auth: Auth,
    /// One line on what it does; `{table}` stands for the table's name in
    /// per-table paths.
    pub summary: &'static str,
    /// Adds the parameters, body and answers to the operation.
    pub detail: fn(Op, &DocContext<'_>) -> Op,
    /// Whether the reference lists the path once or once per value of a
    /// path parameter.
    pub each: Each,
}

/// How many entries an endpoint's path has in the reference.
#[derive(Debug, Clone, Copy)]
pub enum Each {
    /// One, with its path parameters as parameters.
    Once,
    /// One per table of the live schema, `{table}` filled in.
    Table,
    /// One per value of the path parameter `{name}`, filled in.
    Value(&'static str, &'static [&'static str]),
}

impl Doc {
    /// A reference entry with no parameters, body or answer beyond the defaults.
    pub const fn new(tag: Tag, auth: Auth, summary: &'static str) -> Self {
        Self {
            tag,
            auth,
            summary,
            detail: |op, _| op,
            each: Each::Once,
        }
    }

    /// With `detail` adding parameters, body and answers.
    pub const fn with(self, detail: fn(Op, &DocContext<'_>) -> Op) -> Self {
        Self { detail, ..self }
    }

    /// Listed once per table of the live schema.
    pub const fn per_table(self) -> Self {
        Self {
            each: Each::Table,
            ..self
        }
    }

    /// Listed once per value of the path parameter `{name}`.
    pub const fn per_value(self, name: &'static str, values: &'static [&'static str]) -> Self {
        Self {
            each: Each::Value(name, values),
            ..self
        }
    }
}

/// One endpoint: a method and a path under the versions it is served at.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    /// The method it answers.
    pub method: Method,
    /// The path after `/hserve/{version}`, with `{parameters}`.
    pub path: &'static str,
    /// The version prefixes an SDK build sends it under (see
    /// [`super::versions`]); none for the unversioned admin API.
    pub versions: &'static [&'static str],
    /// The handler, as an actix route without guards.
    pub handler: fn() -> actix_web::Route,
    /// Its reference entry.
    pub doc: Doc,
}

impl Endpoint {
    /// An endpoint answering `method` at `path` under `versions`.
    pub const fn new(
        method: Method,
        path: &'static str,
        versions: &'static [&'static str],
        handler: fn() -> actix_web::Route,
        doc: Doc,
    ) -> Self {
        Self {
            method,
            path,
            versions,
            handler,
            doc,
        }
    }

    /// The version the reference lists it under: the newest served.
    pub fn documented_version(&self) -> &'static str {
        self.versions.last().copied().unwrap_or("v2.0")
    }

    /// Whether `rest` (a path after the version) is this endpoint's path.
    fn matches(&self, rest: &str) -> bool {
        ResourceDef::new(self.path).is_match(rest)
    }
}

/// Registers `endpoints` (inside the [`SCOPE`] scope), each guarded by its
/// method and its versions, so that a request under another version falls
/// through to the next route and finally to [`unserved_version`].
pub fn register(cfg: &mut web::ServiceConfig, endpoints: &[&'static Endpoint]) {
    for endpoint in endpoints {
        let route = (endpoint.handler)()
            .method(endpoint.method.http())
            .guard(Served(endpoint.versions));
        cfg.route(&format!("/{{version}}{}", endpoint.path), route);
    }
}

/// Registers unversioned `endpoints` (the admin API) at their paths, each
/// guarded by its method.
pub fn register_unversioned(cfg: &mut web::ServiceConfig, endpoints: &[&'static Endpoint]) {
    for endpoint in endpoints {
        cfg.route(
            endpoint.path,
            (endpoint.handler)().method(endpoint.method.http()),
        );
    }
}

/// The version segment and the rest of a path under [`SCOPE`]:
/// `/hserve/v2.0/user/info/` → `("v2.0", "/user/info/")`.
pub fn split_version(path: &str) -> Option<(&str, &str)> {
    let under = path.strip_prefix(SCOPE)?.strip_prefix('/')?;
    let slash = under.find('/')?;
    Some((&under[..slash], &under[slash..]))
}

/// When `method` and `path` name an endpoint of `endpoints` under a version
/// it is not served at: that version and the served ones, joined.
pub fn unserved_version(
    endpoints: &[&'static Endpoint],
    method: &http::Method,
    path: &str,
) -> Option<(String, String)> {
    let (version, rest) = split_version(path)?;
    let endpoint = endpoints
        .iter()
        .find(|e| e.method.http() == *method && e.matches(rest))?;
    Some((
        version.chars().take(16).collect(),
        endpoint.versions.join(", "),
    ))
}

/// Admits requests whose version segment is one of these.
struct Served(&'static [&'static str]);

impl Guard for Served {
    fn check(&self, ctx: &GuardContext<'_>) -> bool {
        split_version(ctx.head().uri.path()).is_some_and(|(version, _)| self.0.contains(&version))
    }
}

#[cfg(test)]
#[path = "route_table_test.rs"]
mod tests;
