//! SQL for the geo operators. Both backends provide `protium_distance(lng1,
//! lat1, lng2, lat2)` (metres, haversine) and `protium_in_polygon(lng, lat,
//! polygon)`; SQLite gets them as Rust functions, Postgres from a migration.

use super::sql::{SqlFragment, SqlValue};
use super::sql_ident::SqlIdent;
use crate::domain::{Dialect, GeoPoint, GeoPolygon};

/// Pushes the longitude (`index` 0) or latitude (1) of a stored point.
fn coordinate(column: &SqlIdent, index: u8, out: &mut SqlFragment) {
    match out.dialect() {
        Dialect::Sqlite => {
            out.push("json_extract(")
                .push_ident(column)
                .push(&format!(", '$.coordinates[{index}]')"));
        }
        Dialect::Postgres => {
            out.push("(")
                .push_ident(column)
                .push(&format!("->'coordinates'->>{index})::float8"));
        }
    }
}

/// `protium_distance(<stored point>, <point>)`.
pub fn distance(column: &SqlIdent, point: GeoPoint, out: &mut SqlFragment) {
    out.push("protium_distance(");
    coordinate(column, 0, out);
    out.push(", ");
    coordinate(column, 1, out);
    out.push(", ")
        .push_bind(SqlValue::Float(point.lng))
        .push(", ")
        .push_bind(SqlValue::Float(point.lat))
        .push(")");
}

/// The stored point lies inside `polygon`.
pub fn within(column: &SqlIdent, polygon: &GeoPolygon, out: &mut SqlFragment) {
    out.push("protium_in_polygon(");
    coordinate(column, 0, out);
    out.push(", ");
    coordinate(column, 1, out);
    out.push(", ");
    let json = polygon.to_json();
    match out.dialect() {
        Dialect::Sqlite => out.push_bind(SqlValue::Text(json.to_string())),
        Dialect::Postgres => out.push_bind(SqlValue::Json(json)),
    };
    out.push(")");
}

/// The stored polygon contains `point`.
pub fn intersects(column: &SqlIdent, point: GeoPoint, out: &mut SqlFragment) {
    out.push("protium_in_polygon(")
        .push_bind(SqlValue::Float(point.lng))
        .push(", ")
        .push_bind(SqlValue::Float(point.lat))
        .push(", ")
        .push_ident(column)
        .push(")");
}

/// The stored point is between `min_m` and `max_m` metres from `point`.
pub fn between(
    column: &SqlIdent,
    point: GeoPoint,
    min_m: f64,
    max_m: Option<f64>,
    out: &mut SqlFragment,
) {
    out.push("(");
    distance(column, point, out);
    out.push(" >= ").push_bind(SqlValue::Float(min_m));
    if let Some(max) = max_m {
        out.push(" AND ");
        distance(column, point, out);
        out.push(" <= ").push_bind(SqlValue::Float(max));
    }
    out.push(")");
}
