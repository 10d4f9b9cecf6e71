//! What a store transaction decided about the request it serves: go on, or
//! refuse — after committing what the transaction wrote either way.
//!
//! Many auth flows must keep their writes even when they turn the caller away:
//! a wrong code still counts as a try, a used link stays used, an unproven
//! phone number is released. Such a transaction closure returns
//! `Ok(Verdict::Refuse(why))`, so the transaction commits and the request is
//! answered with `why`; an `Err` from the closure still rolls everything back.
//!
//! Rules: a refusal never travels through `?` inside a transaction (that would
//! turn "commit and refuse" into "roll back"); turn a verdict into a `Result`
//! with [`Verdict::into_result`] only once the transaction has committed.

use super::error::AuthError;

/// The decision of a transaction that commits in both cases: proceed with a
/// value, or refuse the request with a reason (by default an [`AuthError`]).
///
/// A closure given to `Store::transaction` returns `Result<Verdict<T>, E>`:
/// `Ok(Proceed(value))` and `Ok(Refuse(why))` both commit, `Err(e)` rolls back.
#[must_use = "a refusal must reach the caller once the transaction has committed"]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict<T, R = AuthError> {
    /// The request goes on with this value.
    Proceed(T),
    /// The request is refused with this reason; what was written is kept.
    Refuse(R),
}

impl<T, R> Verdict<T, R> {
    /// Refuses with `why`, converted to the refusal type (an
    /// [`InvalidInput`](crate::domain::InvalidInput) becomes an [`AuthError`]).
    pub fn refuse(why: impl Into<R>) -> Self {
        Verdict::Refuse(why.into())
    }

    /// Changes the value of a verdict that proceeds.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Verdict<U, R> {
        match self {
            Verdict::Proceed(value) => Verdict::Proceed(f(value)),
            Verdict::Refuse(why) => Verdict::Refuse(why),
        }
    }

    /// Changes the reason of a verdict that refuses.
    pub fn map_refusal<S>(self, f: impl FnOnce(R) -> S) -> Verdict<T, S> {
        match self {
            Verdict::Proceed(value) => Verdict::Proceed(value),
            Verdict::Refuse(why) => Verdict::Refuse(f(why)),
        }
    }

    /// The verdict as the request's answer: `Ok` to proceed, `Err` to refuse.
    /// Call it after the transaction committed, never inside its closure.
    pub fn into_result(self) -> Result<T, R> {
        match self {
            Verdict::Proceed(value) => Ok(value),
            Verdict::Refuse(why) => Err(why),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Verdict;
    use crate::auth::AuthError;
    use crate::domain::InvalidInput;

    #[test]
    fn proceeding_gives_the_value() {
        let verdict: Verdict<i32> = Verdict::Proceed(2);
        assert_eq!(verdict.map(|n| n * 3).into_result().ok(), Some(6));
    }

    #[test]
    fn refusing_keeps_the_reason() {
        let verdict: Verdict<()> = Verdict::refuse(InvalidInput::new("code", "is wrong"));
        let err = verdict.map(|()| 1).into_result().err();
        assert_eq!(
            err.map(|e| e.to_string()),
            Some(InvalidInput::new("code", "is wrong").to_string())
        );
    }

    #[test]
    fn a_refusal_can_change_its_type() {
        let verdict: Verdict<(), InvalidInput> =
            Verdict::Refuse(InvalidInput::new("code", "is wrong"));
        let verdict: Verdict<()> = verdict.map_refusal(AuthError::from);
        assert!(matches!(verdict, Verdict::Refuse(AuthError::Invalid(_))));
    }
}
