//! Two nodes, proven: two Protium processes on one database behind nginx
//! (round-robin), as a deployment runs them. A token from one node works on
//! the other; logout and a password change end sessions on both within a
//! second; the login lockout counts across both; queued mail and SMS go out
//! exactly once; a schema change reaches both; a background job survives the
//! death (`kill -9`) of the node running it and completes on the other with
//! every row changed exactly once.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{records_schema_dir, Backend, TestDb, ADMIN_TOKEN};
use crate::smtp::SmtpServer;

on_both_backends!(two_nodes_behind_nginx_behave_as_one);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process killed when the test ends.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn nginx_binary() -> PathBuf {
    ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("nginx is installed (apt-get install nginx; .ci/run does it)")
}

/// nginx on `port`, balancing round-robin over `nodes`, retrying the next one
/// when a node is down.
fn start_nginx(dir: &Path, port: u16, nodes: &[u16]) -> Proc {
    let servers: String = nodes
        .iter()
        .map(|p| format!("server 127.0.0.1:{p} max_fails=0;\n"))
        .collect();
    let d = dir.display();
    let conf = format!(
        "daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
         events {{}}\nhttp {{\n access_log off;\n client_body_temp_path {d}/body;\n proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi;\n uwsgi_temp_path {d}/uwsgi;\n scgi_temp_path {d}/scgi;\n\
         upstream protium {{\n{servers}}}\n server {{\n  listen 127.0.0.1:{port};\n  location / {{\n\
         proxy_pass http://protium;\n   proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n\
         proxy_next_upstream error timeout;\n  }}\n }}\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let child = Command::new(nginx_binary())
        .args([
            "-c",
            &dir.join("nginx.conf").display().to_string(),
            "-p",
            &d.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Proc(child)
}

struct Node {
    port: u16,
    proc: Proc,
}

fn start_node(db: &TestDb, schema: &Path, data: &Path, env: &[(&str, String)]) -> Node {
    let port = free_port();
    std::fs::create_dir_all(data).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_protium"));
    command
        .env("PROTIUM_LISTEN", format!("127.0.0.1:{port}"))
        .env("PROTIUM_DATABASE_URL", &db.url)
        .env("PROTIUM_SCHEMA_DIR", schema)
        .env("PROTIUM_DATA_DIR", data)
        .env("PROTIUM_LOG", "warn")
        .env("PROTIUM_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("PROTIUM_AUTH_RATE_PER_MINUTE", "0")
        .env("PROTIUM_LOGIN_LOCKOUT_FAILURES", "3")
        .env("PROTIUM_TRUSTED_PROXIES", "127.0.0.1")
        .env("PROTIUM_MAIL_RETRY_BASE_SECS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
    Node {
        port,
        proc: Proc(command.spawn().unwrap()),
    }
}

struct Cluster {
    client: reqwest::Client,
    front: String,
    nodes: Vec<String>,
}

impl Cluster {
    async fn call(
        &self,
        base: &str,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .client
            .request(method, format!("{base}{path}"))
            .header("X-Hydrogen-Client-ID", "cluster");
        if let Some(t) = token {
            let auth = if t == ADMIN_TOKEN {
                format!("Bearer {t}")
            } else {
                format!("Hydrogen-r1 {t}")
            };
            req = req.header("Authorization", auth);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn post(
        &self,
        base: &str,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> (StatusCode, Value) {
        self.call(base, reqwest::Method::POST, path, token, Some(body))
            .await
    }

    async fn get(&self, base: &str, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.call(base, reqwest::Method::GET, path, token, None)
            .await
    }

    async fn up(&self, base: &str) {
        for _ in 0..200 {
            if self
                .client
                .get(format!("{base}/health/"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{base} did not start");
    }

    /// Waits until `node` refuses `token`; the time it took.
    async fn refused(&self, node: &str, token: &str, since: Instant) -> Duration {
        loop {
            let (status, _) = self.get(node, "/hserve/v2.2/user/info/", Some(token)).await;
            if status == StatusCode::UNAUTHORIZED {
                return since.elapsed();
            }
            assert!(
                since.elapsed() < Duration::from_secs(3),
                "{node} still accepts the token"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

async fn two_nodes_behind_nginx_behave_as_one(backend: Backend) {
    let db = TestDb::new(backend);
    let work = tempfile::tempdir().unwrap();
    let schema = work.path().join("schema");
    std::fs::create_dir(&schema).unwrap();
    for entry in std::fs::read_dir(records_schema_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "json") {
            std::fs::copy(&path, schema.join(path.file_name().unwrap())).unwrap();
        }
    }
    let smtp = SmtpServer::start();
    let texts: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sink = texts.clone();
    let provider = HttpServer::new(move || {
        let sink = sink.clone();
        App::new().route(
            "/send",
            web::post().to(move |body: web::Json<Value>| {
                let sink = sink.clone();
                async move {
                    sink.lock().unwrap().push(body.into_inner());
                    actix_web::HttpResponse::Ok().finish()
                }
            }),
        )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let sms_port = provider.addrs()[0].port();
    tokio::spawn(provider.run());
    let front_port = free_port();
    let mut env = vec![
        ("PROTIUM_SMTP_URL", smtp.url()),
        (
            "PROTIUM_SMS_WEBHOOK_URL",
            format!("http://127.0.0.1:{sms_port}/send"),
        ),
        (
            "PROTIUM_PUBLIC_URL",
            format!("http://127.0.0.1:{front_port}"),
        ),
    ];
    // Files in the test S3 server when there is one (scripts/test starts it),
    // under this test's own prefix.
    let mut storage = protium::config::Settings::default();
    if crate::helpers::use_test_s3(&mut storage) {
        env.extend([
            ("PROTIUM_FILE_STORAGE", "s3".to_owned()),
            ("PROTIUM_S3_ENDPOINT", storage.s3_endpoint),
            ("PROTIUM_S3_BUCKET", storage.s3_bucket),
            ("PROTIUM_S3_ACCESS_KEY_ID", storage.s3_access_key_id),
            ("PROTIUM_S3_SECRET_ACCESS_KEY", storage.s3_secret_access_key),
            ("PROTIUM_S3_PREFIX", storage.s3_prefix),
        ]);
    }
    // The first node creates the tables; the second starts on them.
    // The nodes share one data directory, as a mounted shared disk would be
    // (local file storage refuses a second disk).
    let data = work.path().join("data");
    let a = start_node(&db, &schema, &data, &env);
    let mut cluster = Cluster {
        client: reqwest::Client::new(),
        front: format!("http://127.0.0.1:{front_port}"),
        nodes: vec![format!("http://127.0.0.1:{}", a.port)],
    };
    cluster.up(&cluster.nodes[0].clone()).await;
    let b = start_node(&db, &schema, &data, &env);
    cluster.nodes.push(format!("http://127.0.0.1:{}", b.port));
    cluster.up(&cluster.nodes[1].clone()).await;
    let _nginx = start_nginx(work.path(), front_port, &[a.port, b.port]);
    let front = cluster.front.clone();
    cluster.up(&front).await;
    let (na, nb) = (cluster.nodes[0].clone(), cluster.nodes[1].clone());

    // A token from one node works on the other.
    let (s, reg) = cluster
        .post(
            &front,
            "/hserve/v2.1/register/email/",
            None,
            json!({"email": "c@example.com", "password": "secret123"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{reg}");
    let token = reg["token"].as_str().unwrap().to_owned();
    for node in [&na, &nb, &front, &front] {
        assert_eq!(
            cluster
                .get(node, "/hserve/v2.2/user/info/", Some(&token))
                .await
                .0,
            StatusCode::OK
        );
    }
    // A file announced through the front, its bytes sent through the front,
    // is served by each node.
    let (s, announced) = cluster
        .post(
            &front,
            "/hserve/v2.1/upload/",
            Some(&token),
            json!({"filename": "both.txt"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{announced}");
    let sent = crate::files::send_bytes(&announced, "both.txt", b"on every node").await;
    assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
    let path = announced["path"].as_str().unwrap();
    for node in [&na, &nb] {
        let at_node = path.replace(&front, node);
        let served = reqwest::get(&at_node).await.unwrap();
        assert_eq!(served.status(), StatusCode::OK, "{at_node}");
        assert_eq!(served.bytes().await.unwrap().as_ref(), b"on every node");
    }
    // Logout on one node ends the session on both at once.
    let at = Instant::now();
    cluster
        .post(
            &na,
            "/hserve/v2.0/session/destroy/",
            Some(&token),
            json!({}),
        )
        .await;
    let took = cluster.refused(&nb, &token, at).await;
    assert!(
        took <= Duration::from_secs(1),
        "logout reached the other node after {took:?}"
    );
    // A password change on one node ends the other sessions on both.
    let login = |node: String| {
        let cluster = &cluster;
        async move {
            let (s, body) = cluster
                .post(
                    &node,
                    "/hserve/v2.1/login/email/",
                    None,
                    json!({"email": "c@example.com", "password": "secret123"}),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{body}");
            body["token"].as_str().unwrap().to_owned()
        }
    };
    let kept = login(na.clone()).await;
    let other = login(nb.clone()).await;
    assert_eq!(
        cluster
            .get(&na, "/hserve/v2.2/user/info/", Some(&other))
            .await
            .0,
        StatusCode::OK
    );
    let at = Instant::now();
    let (s, body) = cluster
        .call(
            &nb,
            reqwest::Method::PUT,
            "/hserve/v2.2/user/account/",
            Some(&kept),
            Some(json!({"password": "secret123", "new_password": "secret456"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let took = cluster.refused(&na, &other, at).await;
    assert!(
        took <= Duration::from_secs(1),
        "the password change reached the other node after {took:?}"
    );

    // The lockout counts attempts on both nodes together.
    for node in [&na, &nb, &front] {
        let (s, _) = cluster
            .post(
                node,
                "/hserve/v2.1/login/email/",
                None,
                json!({"email": "c@example.com", "password": "wrong-guess"}),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
    }
    for node in [&na, &nb] {
        let (s, _) = cluster
            .post(
                node,
                "/hserve/v2.1/login/email/",
                None,
                json!({"email": "c@example.com", "password": "secret456"}),
            )
            .await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "locked on {node}");
    }

    // Queued mail goes out exactly once, whichever node's worker takes it.
    let mut users = Vec::new();
    for i in 0..4 {
        let email = format!("m{i}@example.com");
        let (s, body) = cluster
            .post(
                &front,
                "/hserve/v2.1/register/email/",
                None,
                json!({"email": email, "password": "secret123"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        let t = body["token"].as_str().unwrap().to_owned();
        let (s, _) = cluster
            .post(
                &front,
                "/hserve/v2.0/user/email-verify/",
                Some(&t),
                json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
        users.push((email, t));
    }
    for (email, _) in &users {
        smtp.wait_for(email, 0).await;
    }
    // A later mail as a barrier: once it is out, the workers have passed the
    // earlier ones, and a second copy of any would have gone out before it.
    let (s, body) = cluster
        .post(
            &front,
            "/hserve/v2.1/register/email/",
            None,
            json!({"email": "barrier@example.com", "password": "secret123"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let barrier = body["token"].as_str().unwrap().to_owned();
    let (s, _) = cluster
        .post(
            &front,
            "/hserve/v2.0/user/email-verify/",
            Some(&barrier),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    smtp.wait_for("barrier@example.com", 0).await;
    for (email, _) in &users {
        assert_eq!(smtp.count_to(email), 1, "one mail to {email}");
    }
    // A text message goes out once.
    let (s, _) = cluster
        .post(
            &front,
            "/hserve/v2.2/sms-verification-code/",
            None,
            json!({"phone": "13800000000"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let sent = &texts;
    crate::helpers::eventually("the code is texted", 10, move || async move {
        !sent.lock().unwrap().is_empty()
    })
    .await;
    assert_eq!(texts.lock().unwrap().len(), 1);

    // A schema change reaches both nodes.
    let product = schema.join("product.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&product).unwrap()).unwrap();
    doc["properties"]["shelf"] = json!({"type": "string", "maxLength": 10});
    std::fs::write(&product, doc.to_string()).unwrap();
    for node in [&na, &nb] {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let (s, body) = cluster
                .post(
                    node,
                    "/hserve/v2.4/table/product/record/",
                    Some(ADMIN_TOKEN),
                    json!({"name": "n", "shelf": "A1"}),
                )
                .await;
            if s == StatusCode::CREATED {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{node} never learned the new field: {body}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    // A background job survives the death of the node running it.
    let (_, user) = &users[0];
    for chunk in 0..4 {
        let rows: Vec<Value> = (0..1000)
            .map(|i| json!({"name": format!("p{chunk}-{i}"), "stock": 0}))
            .collect();
        let (s, body) = cluster
            .post(
                &na,
                "/hserve/v2.4/table/product/record/",
                Some(user),
                json!(rows),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
    }
    let (s, job) = cluster
        .call(
            &na,
            reqwest::Method::PUT,
            "/hserve/v2.4/table/product/record/?where=%7B%22name%22%3A%7B%22%24regex%22%3A%22%5Ep%22%7D%7D&enable_trigger=0",
            Some(ADMIN_TOKEN),
            Some(json!({"$set": {"stock": {"$incr_by": 1}}})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{job}");
    let job_id = job["operation_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("a job: {job}"));
    // kill -9: no shutdown, the lease is simply left behind.
    let mut a = a;
    a.proc.0.kill().unwrap();
    let (_, left) = cluster
        .get(
            &nb,
            &format!("/hserve/v1/bulk-operation/{job_id}/"),
            Some(ADMIN_TOKEN),
        )
        .await;
    assert_eq!(left["status"], "pending", "the node died mid-job: {left}");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let (s, status) = cluster
            .get(
                &nb,
                &format!("/hserve/v1/bulk-operation/{job_id}/"),
                Some(ADMIN_TOKEN),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{status}");
        if status["status"] == "success" {
            break;
        }
        assert_ne!(status["status"], "failed", "{status}");
        assert!(
            Instant::now() < deadline,
            "the job never finished: {status}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let (s, once) = cluster
        .get(&nb, "/hserve/v2.4/table/product/record/?where=%7B%22stock%22%3A1%7D&limit=1&return_total_count=1", Some(ADMIN_TOKEN))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        once["meta"]["total_count"], 4000,
        "every row changed exactly once"
    );
    drop(b);
}
