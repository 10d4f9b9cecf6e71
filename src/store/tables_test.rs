//! Unit tests of the statements on the system tables converted to diesel's
//! builder, run on SQLite and, when `TEST_DATABASE_URL` is set, on Postgres.

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

use super::super::{devices, janitor, leases, rate_counters, AnyConnection, Store, StoreError};

/// Runs `check` on a fresh, migrated database of each backend.
fn on_both(check: impl Fn(&mut AnyConnection) -> Result<(), StoreError>) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/protium.db", dir.path().display());
    let store = Store::connect_for_command(&url).unwrap();
    store.run_blocking(&check).unwrap();
    let Some(admin_url) = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        eprintln!("!!!!! POSTGRES HALF SKIPPED: TEST_DATABASE_URL is not set !!!!!");
        return;
    };
    let name = format!(
        "protium_unit_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let mut admin = PgConnection::establish(&admin_url).unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    let result = Store::connect_for_command(&format!("{base}/{name}"))
        .and_then(|store| store.run_blocking(&check));
    admin
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .unwrap();
    result.unwrap();
}

/// A user row for the tables that reference one; returns its id.
fn user(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    conn.batch_execute(r#"INSERT INTO "_userprofile" (created_at, updated_at) VALUES (1, 1)"#)?;
    Ok(1)
}

#[test]
fn rate_counters_count_take_back_and_forget() {
    on_both(|conn| {
        assert_eq!(rate_counters::hits(conn, "k", 100)?, 0);
        assert_eq!(rate_counters::hit(conn, "k", 100)?, 1);
        assert_eq!(rate_counters::hit(conn, "k", 100)?, 2);
        assert_eq!(rate_counters::hit(conn, "k", 200)?, 1);
        assert_eq!(rate_counters::hit(conn, "other", 100)?, 1);
        assert_eq!(rate_counters::hits(conn, "k", 100)?, 2);
        rate_counters::unhit(conn, "k", 100)?;
        rate_counters::unhit(conn, "k", 100)?;
        rate_counters::unhit(conn, "k", 100)?;
        assert_eq!(rate_counters::hits(conn, "k", 100)?, 0, "never below zero");
        assert_eq!(rate_counters::prune(conn, 150)?, 2);
        assert_eq!(rate_counters::hits(conn, "k", 200)?, 1);
        rate_counters::clear(conn, "k")?;
        assert_eq!(rate_counters::hits(conn, "k", 200)?, 0);
        Ok(())
    });
}

#[test]
fn a_lease_goes_to_one_holder_until_it_expires() {
    on_both(|conn| {
        assert!(leases::acquire(conn, "janitor", "a", 0, 100)?);
        assert!(!leases::acquire(conn, "janitor", "b", 50, 150)?, "held");
        assert!(leases::acquire(conn, "janitor", "a", 60, 160)?, "renewed");
        assert!(!leases::acquire(conn, "janitor", "b", 150, 250)?, "renewed");
        assert!(leases::acquire(conn, "janitor", "b", 161, 261)?, "expired");
        assert!(!leases::acquire(conn, "janitor", "a", 200, 300)?);
        assert!(leases::acquire(conn, "other", "a", 200, 300)?);
        Ok(())
    });
}

#[test]
fn a_bound_device_signs_in_its_user() {
    on_both(|conn| {
        let id = user(conn)?;
        assert_eq!(devices::login(conn, "d1", 5)?, None);
        devices::bind(conn, "d1", id, "ios", 5)?;
        assert_eq!(devices::login(conn, "d1", 9)?, Some(id));
        assert!(matches!(
            devices::bind(conn, "d1", id, "ios", 10),
            Err(StoreError::Unique { .. })
        ));
        Ok(())
    });
}

#[test]
fn the_janitor_deletes_what_is_over() {
    on_both(|conn| {
        let id = user(conn)?;
        let day = 86_400;
        let now = 10 * day;
        conn.batch_execute(&format!(
            "INSERT INTO sessions (token_hash, user_id, login_method, created_at, expires_at) \
             VALUES ('old', {id}, 'email', 0, {old}), ('live', {id}, 'email', 0, {live}); \
             INSERT INTO sms_codes (phone, code_hmac, created_at, expires_at) \
             VALUES ('p', 'h', 0, 1), ('p', 'h', 0, {live}), ('p', 'h', {now}, {live}); \
             INSERT INTO outbox (recipient, subject, body_text, body_html, created_at, \
             next_attempt_at, sent_at) VALUES ('r', 's', '', '', 0, 0, 0), \
             ('r', 's', '', '', 0, 0, NULL), ('r', 's', '', '', 0, 0, {now});",
            old = now - 1,
            live = now + 1,
        ))?;
        rate_counters::hit(conn, "k", 0)?;
        rate_counters::hit(conn, "k", now)?;
        leases::acquire(conn, "janitor", "a", 0, 5)?;
        let swept = janitor::sweep(conn, now, 0)?;
        assert_eq!(
            swept.deleted,
            vec![
                ("sessions", 1),
                ("sms_codes", 1),
                ("rate_counters", 1),
                ("outbox", 1),
                ("leases", 1)
            ]
        );
        assert_eq!(janitor::sweep(conn, now, 0)?.deleted, vec![]);
        Ok(())
    });
}
