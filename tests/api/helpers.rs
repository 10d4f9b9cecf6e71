//! The test harness: `spawn_app(Backend)` starts the real application on a random
//! port with a fresh database (a SQLite file in a temp dir, or a new Postgres
//! database on `TEST_DATABASE_URL`), and offers a small HTTP client.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use protium::config::{Settings, SmsSenderKind};
use protium::startup::Application;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates `mod <name> { sqlite, postgres }` tests calling `async fn <name>(Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if $crate::helpers::postgres_url().is_none() {
                        $crate::helpers::warn_postgres_skipped();
                        return;
                    }
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            }
        )*
    };
}

/// `TEST_DATABASE_URL`, the Postgres server tests create their databases on.
pub fn postgres_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// Says loudly that the Postgres half did not run.
pub fn warn_postgres_skipped() {
    eprintln!(
        "\n!!!!! POSTGRES TEST SKIPPED: TEST_DATABASE_URL is not set. \
         Set it (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run the Postgres half. !!!!!\n"
    );
}

/// Stores files in the test S3 server that `scripts/test` starts
/// (`TEST_S3_*`), under a prefix of this test's own; false when there is
/// none (said loudly; under CI the test fails instead).
pub fn use_test_s3(s: &mut Settings) -> bool {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let Some(endpoint) = var("TEST_S3_ENDPOINT") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "TEST_S3_ENDPOINT is not set: run the tests with scripts/test"
        );
        eprintln!(
            "\n!!!!! OBJECT-STORAGE TEST SKIPPED: TEST_S3_ENDPOINT is not set. \
             scripts/test starts a SeaweedFS server and sets it. !!!!!\n"
        );
        return false;
    };
    s.file_storage = protium::config::FileStorageKind::S3;
    s.s3_endpoint = endpoint;
    s.s3_bucket = var("TEST_S3_BUCKET").unwrap_or_default();
    s.s3_access_key_id = var("TEST_S3_ACCESS_KEY_ID").unwrap_or_default();
    s.s3_secret_access_key = var("TEST_S3_SECRET_ACCESS_KEY").unwrap_or_default();
    s.s3_prefix = format!("test-{:016x}/", rand::random::<u64>());
    true
}

/// A fresh database, removed on drop.
pub struct TestDb {
    pub url: String,
    /// Files the server writes (mail as `.eml` when no SMTP is set).
    pub data_dir: tempfile::TempDir,
    backend: Backend,
    pg_admin: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}/protium.db", dir.path().display());
                TestDb {
                    url,
                    data_dir: tempfile::tempdir().unwrap(),
                    backend,
                    pg_admin: None,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => {
                let admin = postgres_url().expect("TEST_DATABASE_URL");
                let name = format!("protium_test_{}", hex::encode(rand::random::<[u8; 8]>()));
                let template = pg_template(&admin);
                let mut conn =
                    PgConnection::establish(&admin).expect("connect to TEST_DATABASE_URL");
                diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .execute(&mut conn)
                    .unwrap();
                let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap();
                let url = format!("{base}/{name}");
                TestDb {
                    url,
                    data_dir: tempfile::tempdir().unwrap(),
                    backend,
                    pg_admin: Some((admin, name)),
                    _dir: None,
                }
            }
        }
    }

    /// Runs raw SQL against the test database (for arranging or inspecting state).
    pub fn execute(&self, sql: &str) -> usize {
        match self.backend {
            Backend::Sqlite => {
                let path = self.url.trim_start_matches("sqlite://");
                let mut c = SqliteConnection::establish(path).unwrap();
                diesel::sql_query(sql).execute(&mut c).unwrap()
            }
            Backend::Postgres => {
                let mut c = PgConnection::establish(&self.url).unwrap();
                diesel::sql_query(sql).execute(&mut c).unwrap()
            }
        }
    }

    /// Loads one text column (`AS v`) from a query.
    pub fn texts(&self, sql: &str) -> Vec<String> {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            v: String,
        }
        let rows: Vec<Row> = match self.backend {
            Backend::Sqlite => {
                let mut c =
                    SqliteConnection::establish(self.url.trim_start_matches("sqlite://")).unwrap();
                diesel::sql_query(sql).load(&mut c).unwrap()
            }
            Backend::Postgres => {
                let mut c = PgConnection::establish(&self.url).unwrap();
                diesel::sql_query(sql).load(&mut c).unwrap()
            }
        };
        rows.into_iter().map(|r| r.v).collect()
    }
}

/// Polls `check` every 25 ms until it holds; fails the test naming `what`
/// after `secs` seconds. For what happens in the background (mail, texts,
/// expiry), instead of a fixed sleep that is flaky under load.
pub async fn eventually<F, Fut>(what: &str, secs: u64, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while !check().await {
        assert!(
            std::time::Instant::now() < deadline,
            "after {secs} s still not: {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

/// The system tables' migrations, applied once to a template database that
/// every Postgres test database is copied from.
const PG_MIGRATIONS: diesel_migrations::EmbeddedMigrations =
    diesel_migrations::embed_migrations!("migrations/postgres");

/// The name of the migrated template database on the server `admin` names:
/// made on first use (by whichever test process comes first, under an
/// advisory lock), named by a digest of the migrations so a changed migration
/// makes a new one, and kept between runs.
fn pg_template(admin: &str) -> &'static str {
    use diesel::connection::SimpleConnection;
    use diesel_migrations::MigrationHarness;
    use std::hash::{Hash, Hasher};
    static TEMPLATE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let mut digest = std::collections::hash_map::DefaultHasher::new();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
        let mut files: Vec<PathBuf> = walk(&dir);
        files.sort();
        for file in files {
            std::fs::read(&file).unwrap().hash(&mut digest);
        }
        let name = format!("protium_tmpl_{:016x}", digest.finish());
        let mut conn = PgConnection::establish(admin).expect("connect to TEST_DATABASE_URL");
        conn.batch_execute("SELECT pg_advisory_lock(7078712)")
            .unwrap();
        let present: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
            "(SELECT count(*) FROM pg_database WHERE datname = '{name}')"
        )))
        .get_result(&mut conn)
        .unwrap();
        if present == 0 {
            let building = format!("{name}_building");
            // One statement per call: several would run as one transaction,
            // which DROP and CREATE DATABASE refuse.
            conn.batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
                .unwrap();
            conn.batch_execute(&format!("CREATE DATABASE {building}"))
                .unwrap();
            let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap();
            let mut fresh = PgConnection::establish(&format!("{base}/{building}")).unwrap();
            fresh.run_pending_migrations(PG_MIGRATIONS).unwrap();
            drop(fresh);
            conn.batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}"))
                .unwrap();
        }
        conn.batch_execute("SELECT pg_advisory_unlock(7078712)")
            .unwrap();
        name
    })
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg_admin {
            if let Ok(mut conn) = PgConnection::establish(admin) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn);
            }
        }
    }
}

/// A running application.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Arc<TestDb>,
    /// Text messages the server sent (memory SMS sender).
    pub sms: protium::notify::SmsInbox,
    /// The application's object engine, for writes no HTTP endpoint offers yet.
    pub records: protium::records::Records,
    /// The application's schema (reloads).
    pub schema: protium::admin::SchemaControl,
    _watcher: Option<protium::admin::FileWatcher>,
    handle: actix_web::dev::ServerHandle,
    mail_worker: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    /// Stops the server (its workers and database pool) without blocking the test.
    fn drop(&mut self) {
        self.mail_worker.abort();
        let handle = self.handle.clone();
        std::thread::spawn(move || futures::executor::block_on(handle.stop(false)));
    }
}

/// The default schema shipped in `schema/`.
pub fn default_schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schema")
}

/// Settings for a test: random port, quick shutdown.
pub fn test_settings(db: &TestDb, schema_dir: &Path) -> Settings {
    Settings {
        listen: "127.0.0.1:0".into(),
        database_url: db.url.clone(),
        schema_dir: schema_dir.to_path_buf(),
        shutdown_timeout: 1,
        log: std::env::var("TEST_LOG").unwrap_or_else(|_| "off".into()),
        db_pool_size: 8,
        auth_rate_per_minute: 0,
        data_dir: db.data_dir.path().to_path_buf(),
        public_url: "http://protium.test".into(),
        sms_sender: SmsSenderKind::Memory,
        schema_watch: false,
        ..Settings::default()
    }
}

/// Starts the application with the default schema.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Starts the application after `tweak` adjusts the settings.
pub async fn spawn_app_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let db = TestDb::new(backend);
    let mut settings = test_settings(&db, &default_schema_dir());
    tweak(&mut settings);
    start(Arc::new(db), settings, backend)
}

/// Starts the application with its public URL at its own address, so the
/// URLs it hands out (file paths, upload targets) can be followed.
pub async fn spawn_app_public(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    spawn_app_with(backend, |s| {
        s.listen = format!("127.0.0.1:{port}");
        s.public_url = format!("http://127.0.0.1:{port}");
        tweak(s);
    })
    .await
}

/// Starts the application on an existing database (for restarts).
pub fn start(db: Arc<TestDb>, settings: Settings, backend: Backend) -> TestApp {
    protium::telemetry::init(&settings.log, false);
    let app = Application::build(&settings).expect("application starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let sms = app.sms_inbox().unwrap_or_default();
    let records = app.records();
    let schema = app.schema();
    let (server, mail_worker, watcher) = app.into_parts();
    let handle = server.handle();
    tokio::spawn(async move {
        let _ = server.await;
    });
    let _ = backend;
    TestApp {
        address,
        // Idle connections are dropped before the server's keep-alive (5 s)
        // closes them, so a request never races a closing connection.
        client: reqwest::Client::builder()
            .pool_idle_timeout(std::time::Duration::from_secs(2))
            .build()
            .expect("an HTTP client"),
        db,
        sms,
        records,
        schema,
        _watcher: watcher,
        handle,
        mail_worker,
    }
}

/// A response: status and JSON body (`Null` when empty).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    /// Seconds in the `Retry-After` header, if any.
    pub retry_after: Option<u64>,
}

impl Reply {
    /// The `error_msg` of an error body.
    pub fn error_msg(&self) -> &str {
        self.body["error_msg"].as_str().unwrap_or_default()
    }
}

impl TestApp {
    /// Sends a request as the Hydrogen web SDK does (client id header, JSON body).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let auth = token.map(|t| format!("Hydrogen-r1 {t}"));
        self.send(method, path, auth.as_deref(), body).await
    }

    /// Sends a request with an optional raw `Authorization` header.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        authorization: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.address, path))
            .header("X-Hydrogen-Client-ID", "test-client");
        if let Some(a) = authorization {
            req = req.header("Authorization", a);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().parse().unwrap());
        let text = resp.text().await.unwrap_or_default();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply {
            status,
            body,
            retry_after,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::PUT, path, token, Some(body)).await
    }

    /// GET with query parameters encoded form-style, as axios does.
    pub async fn get_query(
        &self,
        path: &str,
        token: Option<&str>,
        params: &[(&str, &str)],
    ) -> Reply {
        let qs = serde_urlencoded::to_string(params).unwrap();
        self.get(&format!("{path}?{qs}"), token).await
    }

    /// Registers by email; returns (token, user id).
    pub async fn register_email(&self, email: &str, password: &str) -> (String, i64) {
        let r = self
            .post(
                "/hserve/v2.1/register/email/",
                None,
                json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "register {email}: {:?}",
            r.body
        );
        (
            r.body["token"].as_str().unwrap().to_owned(),
            r.body["user_id"].as_i64().unwrap(),
        )
    }

    /// Registers by phone and password (no code: the number stays unverified);
    /// returns (token, user id).
    pub async fn register_phone(&self, phone: &str, password: &str) -> (String, i64) {
        let r = self
            .post(
                "/hserve/v2.1/register/phone/",
                None,
                json!({"phone": phone, "password": password}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "register {phone}: {:?}",
            r.body
        );
        (
            r.body["token"].as_str().unwrap().to_owned(),
            r.body["user_id"].as_i64().unwrap(),
        )
    }

    /// Registers by phone (E.164) and password with a texted code: the number
    /// is proven; returns (token, user id).
    pub async fn register_phone_proven(&self, phone: &str, password: &str) -> (String, i64) {
        let code = self.texted_code(phone).await;
        let r = self
            .post(
                "/hserve/v2.1/register/phone/",
                None,
                json!({"phone": phone, "password": password, "code": code}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "register {phone}: {:?}",
            r.body
        );
        (
            r.body["token"].as_str().unwrap().to_owned(),
            r.body["user_id"].as_i64().unwrap(),
        )
    }

    /// Registers by username; returns (token, user id).
    pub async fn register_username(&self, username: &str, password: &str) -> (String, i64) {
        let r = self
            .post(
                "/hserve/v2.1/register/username/",
                None,
                json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "register {username}: {:?}",
            r.body
        );
        (
            r.body["token"].as_str().unwrap().to_owned(),
            r.body["user_id"].as_i64().unwrap(),
        )
    }

    /// Logs in by email and password.
    pub async fn login_email(&self, email: &str, password: &str) -> Reply {
        self.post(
            "/hserve/v2.1/login/email/",
            None,
            json!({"email": email, "password": password}),
        )
        .await
    }

    /// The code in the newest text message to `phone` (E.164).
    pub fn last_sms_code(&self, phone: &str) -> String {
        let messages = self.sms.messages();
        let text = &messages
            .iter()
            .rev()
            .find(|m| m.phone == phone)
            .unwrap_or_else(|| panic!("no SMS to {phone}: {messages:?}"))
            .text;
        text.split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == 6)
            .unwrap_or_else(|| panic!("no code in {text}"))
            .to_owned()
    }

    /// Has a code texted to `phone` (E.164) and returns it.
    pub async fn texted_code(&self, phone: &str) -> String {
        let r = self
            .post(
                "/hserve/v2.2/sms-verification-code/",
                None,
                json!({"phone": phone}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "send a code to {phone}: {:?}",
            r.body
        );
        self.last_sms_code(phone)
    }

    /// Sets profile fields of the token's user.
    pub async fn set_profile(&self, token: &str, body: Value) {
        let r = self.put("/hserve/v2.5/user/info/", Some(token), body).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
}

/// The admin token of apps started with [`spawn_records_app`].
pub const ADMIN_TOKEN: &str = "records-admin-token-for-tests";

/// The schema with data tables used by the record tests (`tests/schema/records`).
pub fn records_schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema/records")
}

/// Starts the application with the record-test schema and an admin token.
pub async fn spawn_records_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |s| {
        s.schema_dir = records_schema_dir();
        s.admin_token = ADMIN_TOKEN.into();
    })
    .await
}

impl TestApp {
    /// Sends a request with the admin token.
    pub async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let auth = format!("Bearer {ADMIN_TOKEN}");
        self.send(method, path, Some(&auth), body).await
    }

    /// Creates a record as `token`'s user; returns it (asserting 201).
    pub async fn create_record(&self, table: &str, token: &str, body: Value) -> Value {
        let r = self
            .post(
                &format!("/hserve/v2.4/table/{table}/record/"),
                Some(token),
                body,
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "create in {table}: {:?}",
            r.body
        );
        r.body
    }

    /// Lists records of `table` with query parameters.
    pub async fn list_records(
        &self,
        table: &str,
        token: Option<&str>,
        params: &[(&str, &str)],
    ) -> Reply {
        self.get_query(
            &format!("/hserve/v2.4/table/{table}/record/"),
            token,
            params,
        )
        .await
    }

    /// Ids of the `objects` of a list reply, in order.
    pub fn ids(reply: &Reply) -> Vec<String> {
        reply.body["objects"]
            .as_array()
            .unwrap_or_else(|| panic!("not a list: {:?}", reply.body))
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_owned())
            .collect()
    }
}

impl TestApp {
    /// Calls the admin API with `Authorization: Bearer <credential>`.
    pub async fn admin_api(
        &self,
        method: Method,
        path: &str,
        credential: &str,
        body: Option<Value>,
    ) -> Reply {
        let auth = format!("Bearer {credential}");
        self.send(method, &format!("/admin/api{path}"), Some(&auth), body)
            .await
    }
}

/// Runs the `protium` binary with `args` against `db` and the schema in
/// `schema_dir`, `stdin` on its standard input; returns (exit code, stdout, stderr).
pub fn run_cli(
    db: &TestDb,
    schema_dir: &Path,
    args: &[&str],
    stdin: &str,
) -> (i32, String, String) {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_protium"))
        .args(args)
        .env("PROTIUM_DATABASE_URL", &db.url)
        .env("PROTIUM_SCHEMA_DIR", schema_dir)
        .env("PROTIUM_LOG", "off")
        .env("PROTIUM_DATA_DIR", db.data_dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the protium binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Reads the change feed with `read` until `done` holds of the answer: the
/// feed holds writes back while older transactions anywhere on the database
/// server are still running (other tests' included), so a write just made may
/// appear a moment later. Gives up after fifteen seconds (the last answer).
pub async fn settle<F, Fut>(mut read: F, done: impl Fn(&Value) -> bool) -> Value
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Value>,
{
    for _ in 0..150 {
        let answer = read().await;
        if done(&answer) {
            return answer;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    read().await
}

/// Starts `app` on a free port: its base URL and a handle to stop it.
pub fn start_fake<F, A>(app: F) -> (String, actix_web::dev::ServerHandle)
where
    F: Fn() -> actix_web::App<A> + Send + Clone + 'static,
    A: actix_web::dev::ServiceFactory<
            actix_web::dev::ServiceRequest,
            Config = (),
            Response = actix_web::dev::ServiceResponse,
            Error = actix_web::Error,
            InitError = (),
        > + 'static,
{
    let server = actix_web::HttpServer::new(app)
        .workers(1)
        .bind("127.0.0.1:0")
        .unwrap();
    let port = server.addrs()[0].port();
    let running = server.run();
    let handle = running.handle();
    tokio::spawn(running);
    (format!("http://127.0.0.1:{port}"), handle)
}

/// Runs `node <script> <args…>` in `dir` (under the crate) with `env`;
/// asserts it succeeds and prints `done`; returns what it printed.
pub async fn run_node(
    dir: &str,
    script: &str,
    args: &[&str],
    env: &[(&str, &str)],
    done: &str,
) -> String {
    let out = tokio::process::Command::new("node")
        .arg(script)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
        .output()
        .await
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains(done),
        "{dir}/{script} {args:?} failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    stdout
}

/// Of `replies` to parallel costly requests of one caller under a cap of
/// one, exactly one ran and the others were refused with 429, `Retry-After: 1`
/// and a message saying the cap.
pub fn one_ran_others_refused(replies: &[&Reply]) {
    let statuses: Vec<StatusCode> = replies.iter().map(|r| r.status).collect();
    let refused: Vec<_> = replies
        .iter()
        .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(
        refused.len(),
        replies.len() - 1,
        "one runs, the others are refused: {statuses:?}"
    );
    assert_eq!(refused[0].retry_after, Some(1));
    assert!(
        refused[0].error_msg().contains("at most 1 of yours"),
        "{}",
        refused[0].error_msg()
    );
    assert!(
        statuses.contains(&StatusCode::OK),
        "the one that ran: {statuses:?}"
    );
}
