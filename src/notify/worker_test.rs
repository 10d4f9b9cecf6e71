//! Unit tests of `worker`.

use super::*;

#[test]
fn back_off_doubles_up_to_the_cap_then_gives_up() {
    let p = RetryPolicy {
        base_secs: 5,
        max_delay_secs: 60,
        max_attempts: 6,
    };
    let delays: Vec<Option<u64>> = (1..=6).map(|a| p.delay_after(a)).collect();
    assert_eq!(
        delays,
        vec![Some(5), Some(10), Some(20), Some(40), Some(60), None]
    );
}
