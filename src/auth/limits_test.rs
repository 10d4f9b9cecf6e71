//! Unit tests of `limits`.

use super::*;

#[test]
fn windows_are_aligned_and_say_how_long_they_last() {
    let w = Window {
        hits: 10,
        seconds: 900,
    };
    assert_eq!(w.at(1_800), (1_800, 900));
    assert_eq!(w.at(2_699), (1_800, 1));
    assert_eq!(w.at(2_700), (2_700, 900));
}
