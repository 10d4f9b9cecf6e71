//! Typed request bodies.
//!
//! A handler names its body as a `#[derive(Deserialize)]` struct and takes
//! [`Body<T>`] (or [`BodyOrEmpty<T>`] where Hydrogen clients may send none).
//! Hydrogen's leniency is kept with the serde attributes of [`field`]: absent
//! and `null` mean "not given", and keys a struct does not name are ignored
//! (or gathered with `#[serde(flatten)]`). One adapter, [`read`], turns any
//! deserialisation failure into the 400 naming the field and the rule that
//! every other bad input gets.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::error::ApiError;
use crate::domain::InvalidInput;

/// A JSON object body read into `T`.
#[derive(Debug)]
pub struct Body<T>(pub T);

/// A JSON object body read into `T`; no body, or one that is not JSON, reads
/// as `{}` (an SDK posts some sign-ins and account deletions without one).
#[derive(Debug)]
pub struct BodyOrEmpty<T>(pub T);

/// Reads the body as a JSON object: the JSON extractor's own limit and
/// errors (`request body: …`), then the typed read.
impl<T: DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = web::Json::<Map<String, Value>>::from_request(req, payload);
        Box::pin(async move {
            let object = json.await?.into_inner();
            Ok(Body(read(object).map_err(ApiError::from)?))
        })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for BodyOrEmpty<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = Option::<web::Json<Map<String, Value>>>::from_request(req, payload);
        Box::pin(async move {
            let object = json.await?.map(web::Json::into_inner).unwrap_or_default();
            Ok(BodyOrEmpty(read(object).map_err(ApiError::from)?))
        })
    }
}

/// The one adapter from serde to the API's field errors: the failing field's
/// path (`email`, `objects[2].name`) and the rule its deserialiser gave, a
/// missing required field as `<field>: is required`.
pub fn read<T: DeserializeOwned>(object: Map<String, Value>) -> Result<T, InvalidInput> {
    serde_path_to_error::deserialize(Value::Object(object)).map_err(|err| {
        let path = err.path().to_string();
        let rule = err.into_inner().to_string();
        if let Some(missing) = rule
            .strip_prefix("missing field `")
            .and_then(|r| r.strip_suffix('`'))
        {
            let field = match path.as_str() {
                "." => missing.to_owned(),
                parent => format!("{parent}.{missing}"),
            };
            return InvalidInput::new(field, "is required");
        }
        let field = if path == "." { "body".to_owned() } else { path };
        InvalidInput::new(field, rule)
    })
}

/// A string a handler needs that the body left out, `null` or empty.
pub fn required<'a>(value: &'a Option<String>, field: &str) -> Result<&'a str, InvalidInput> {
    value
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| InvalidInput::new(field, "is required"))
}

/// Field deserialisers (`#[serde(default, deserialize_with = "field::text")]`)
/// with the rules the API states for a wrong shape.
pub mod field {
    use serde::de::{Deserializer, Error};
    use serde::Deserialize;
    use serde_json::Value;

    /// A string or nothing: absent and `null` are `None`; anything else but a
    /// string "must be a string".
    pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s)),
            _ => Err(D::Error::custom("must be a string")),
        }
    }

    /// A non-empty string: absent, `null` and `""` are "is required".
    pub fn required_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        match text(d)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(D::Error::custom("is required")),
        }
    }

    /// A change that may clear: absent is `None` (no change, with
    /// `#[serde(default)]`), `null` is `Some(None)`, a string `Some(Some(…))`.
    pub fn nullable_text<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(Some(None)),
            Value::String(s) => Ok(Some(Some(s))),
            _ => Err(D::Error::custom("must be a string or null")),
        }
    }

    /// A boolean or nothing (absent and `null` are `None`).
    pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            Value::Bool(b) => Ok(Some(b)),
            _ => Err(D::Error::custom("must be true or false")),
        }
    }
}
