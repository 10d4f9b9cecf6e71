//! GeoJSON points and polygons, and the two geometric questions queries ask:
//! the distance between two points on the sphere, and whether a polygon holds a point.
//!
//! The same formulas run inside both databases (a Rust function registered on
//! SQLite, SQL functions on Postgres; see `migrations/*/…_records`), so results
//! agree across backends.

use serde_json::{json, Value};

use super::InvalidInput;

/// Mean earth radius in metres (IUGG).
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Most vertices accepted in one polygon.
pub const MAX_VERTICES: usize = 1000;

/// A GeoJSON `Point`: longitude, latitude in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    /// Longitude, -180..=180.
    pub lng: f64,
    /// Latitude, -90..=90.
    pub lat: f64,
}

/// A GeoJSON `Polygon`: an outer ring, then holes; each ring closed.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoPolygon {
    /// Rings of `[lng, lat]` positions.
    pub rings: Vec<Vec<GeoPoint>>,
}

fn position(field: &str, v: &Value) -> Result<GeoPoint, InvalidInput> {
    let bad = || InvalidInput::new(field, "positions are [longitude, latitude] in degrees");
    let pair = v.as_array().filter(|a| a.len() == 2).ok_or_else(bad)?;
    let lng = pair[0].as_f64().ok_or_else(bad)?;
    let lat = pair[1].as_f64().ok_or_else(bad)?;
    if !(-180.0..=180.0).contains(&lng) || !(-90.0..=90.0).contains(&lat) {
        return Err(InvalidInput::new(
            field,
            "longitude must be within -180..180 and latitude within -90..90",
        ));
    }
    Ok(GeoPoint { lng, lat })
}

fn typed<'a>(field: &str, v: &'a Value, ty: &str) -> Result<&'a Value, InvalidInput> {
    let obj = v
        .as_object()
        .filter(|o| o.get("type").and_then(Value::as_str) == Some(ty))
        .ok_or_else(|| {
            InvalidInput::new(
                field,
                format!("must be a GeoJSON {ty}: {{\"type\":\"{ty}\",\"coordinates\":…}}"),
            )
        })?;
    obj.get("coordinates")
        .ok_or_else(|| InvalidInput::new(field, format!("a GeoJSON {ty} needs \"coordinates\"")))
}

impl GeoPoint {
    /// Parses `{"type":"Point","coordinates":[lng,lat]}`.
    pub fn parse(field: &str, v: &Value) -> Result<Self, InvalidInput> {
        position(field, typed(field, v, "Point")?)
    }

    /// Parses a bare `[lng, lat]` pair.
    pub fn parse_pair(field: &str, v: &Value) -> Result<Self, InvalidInput> {
        position(field, v)
    }

    /// The GeoJSON form.
    pub fn to_json(self) -> Value {
        json!({"type": "Point", "coordinates": [self.lng, self.lat]})
    }

    /// Great-circle distance in metres (haversine).
    pub fn distance_m(self, other: GeoPoint) -> f64 {
        distance_m(self.lng, self.lat, other.lng, other.lat)
    }
}

/// Great-circle distance in metres between two positions given in degrees.
pub fn distance_m(lng1: f64, lat1: f64, lng2: f64, lat2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dlat = (lat2 - lat1).to_radians();
    let dlng = (lng2 - lng1).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dlng / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

impl GeoPolygon {
    /// Parses `{"type":"Polygon","coordinates":[[[lng,lat],…]]}`: at least one
    /// ring, every ring at least 4 positions and closed (first = last).
    pub fn parse(field: &str, v: &Value) -> Result<Self, InvalidInput> {
        let rings_json = typed(field, v, "Polygon")?
            .as_array()
            .filter(|r| !r.is_empty())
            .ok_or_else(|| InvalidInput::new(field, "a Polygon needs at least one ring"))?;
        let mut rings = Vec::with_capacity(rings_json.len());
        let mut vertices = 0;
        for ring in rings_json {
            let points = ring
                .as_array()
                .ok_or_else(|| InvalidInput::new(field, "each ring is an array of positions"))?
                .iter()
                .map(|p| position(field, p))
                .collect::<Result<Vec<_>, _>>()?;
            vertices += points.len();
            if points.len() < 4 || points.first() != points.last() {
                return Err(InvalidInput::new(
                    field,
                    "each ring needs at least 4 positions and must end where it starts",
                ));
            }
            rings.push(points);
        }
        if vertices > MAX_VERTICES {
            return Err(InvalidInput::new(
                field,
                format!("a polygon may have at most {MAX_VERTICES} positions"),
            ));
        }
        Ok(Self { rings })
    }

    /// The GeoJSON form.
    pub fn to_json(&self) -> Value {
        let rings: Vec<Vec<[f64; 2]>> = self
            .rings
            .iter()
            .map(|r| r.iter().map(|p| [p.lng, p.lat]).collect())
            .collect();
        json!({"type": "Polygon", "coordinates": rings})
    }

    /// Whether `p` lies inside the outer ring and outside every hole (even-odd
    /// rule on plane coordinates, as the database functions compute it).
    pub fn contains(&self, p: GeoPoint) -> bool {
        let mut rings = self.rings.iter();
        match rings.next() {
            Some(outer) if ring_contains(outer, p) => rings.all(|hole| !ring_contains(hole, p)),
            _ => false,
        }
    }
}

fn ring_contains(ring: &[GeoPoint], p: GeoPoint) -> bool {
    let mut inside = false;
    let mut j = ring.len().saturating_sub(1);
    for i in 0..ring.len() {
        let (a, b) = (ring[i], ring[j]);
        if (a.lat > p.lat) != (b.lat > p.lat)
            && p.lng < (b.lng - a.lng) * (p.lat - a.lat) / (b.lat - a.lat) + a.lng
        {
            inside = !inside;
        }
        j = i;
    }
    inside
}

#[cfg(test)]
#[path = "geo_test.rs"]
mod tests;
