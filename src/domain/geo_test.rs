//! Unit tests of `geo`.

use serde_json::json;

use super::*;

fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Value {
    json!({"type":"Polygon","coordinates":[[[x0,y0],[x1,y0],[x1,y1],[x0,y1],[x0,y0]]]})
}

#[test]
fn one_degree_of_latitude_is_about_111_km() {
    let d = distance_m(0.0, 0.0, 0.0, 1.0);
    assert!((d - 111_195.0).abs() < 10.0, "{d}");
    let shanghai = GeoPoint {
        lng: 121.47,
        lat: 31.23,
    };
    let beijing = GeoPoint {
        lng: 116.40,
        lat: 39.90,
    };
    let km = shanghai.distance_m(beijing) / 1000.0;
    assert!((1060.0..1075.0).contains(&km), "{km}");
}

#[test]
fn polygons_hold_inner_points_and_not_points_in_holes() {
    let mut poly = square(0.0, 0.0, 10.0, 10.0);
    poly["coordinates"].as_array_mut().unwrap().push(json!([
        [4, 4],
        [6, 4],
        [6, 6],
        [4, 6],
        [4, 4]
    ]));
    let p = GeoPolygon::parse("area", &poly).unwrap();
    assert!(p.contains(GeoPoint { lng: 1.0, lat: 1.0 }));
    assert!(!p.contains(GeoPoint { lng: 5.0, lat: 5.0 }));
    assert!(!p.contains(GeoPoint {
        lng: 11.0,
        lat: 1.0
    }));
    let small = GeoPolygon::parse("area", &square(0.0, 0.0, 2.0, 2.0)).unwrap();
    assert!(small.contains(GeoPoint { lng: 1.0, lat: 1.0 }));
}

#[test]
fn malformed_geojson_is_refused_naming_the_field() {
    for bad in [
        json!({"type":"Point","coordinates":[200,0]}),
        json!({"type":"Point","coordinates":[1]}),
        json!({"type":"Polygon","coordinates":[[[0,0],[1,0],[0,1]]]}),
        json!([1, 2]),
    ] {
        let point = GeoPoint::parse("loc", &bad);
        let poly = GeoPolygon::parse("loc", &bad);
        assert!(point.is_err() && poly.is_err(), "{bad} accepted");
        assert_eq!(point.unwrap_err().field, "loc");
    }
    assert_eq!(
        GeoPoint::parse("loc", &json!({"type":"Point","coordinates":[120.5,30]})).unwrap(),
        GeoPoint {
            lng: 120.5,
            lat: 30.0
        }
    );
}
