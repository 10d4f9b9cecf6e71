//! Every client endpoint, from the handler modules' tables: what `/hserve`
//! registers, what the OpenAPI document lists and what an unserved version's
//! 404 consults.

use std::sync::LazyLock;

use super::route_table::Endpoint;
use super::{
    account, content, email, file_categories, files, meta, oauth, records, session, sms, user_info,
    user_lookup,
};

/// The endpoint tables, in the order they are matched.
static ENDPOINTS: LazyLock<Vec<&'static Endpoint>> = LazyLock::new(|| {
    [
        session::ENDPOINTS,
        user_info::ENDPOINTS,
        user_lookup::ENDPOINTS,
        account::ENDPOINTS,
        email::ENDPOINTS,
        sms::ENDPOINTS,
        oauth::ENDPOINTS,
        records::ENDPOINTS,
        content::ENDPOINTS,
        files::ENDPOINTS,
        file_categories::ENDPOINTS,
        meta::ENDPOINTS,
    ]
    .into_iter()
    .flatten()
    .collect()
});

/// Every client endpoint.
pub fn client_endpoints() -> &'static [&'static Endpoint] {
    &ENDPOINTS
}
