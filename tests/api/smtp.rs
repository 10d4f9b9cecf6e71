//! A real SMTP server for tests (mailin-embedded on a loopback port) that keeps
//! every message it receives, decoded with `mailparse`.

use std::io;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mailin_embedded::{response, Handler, Response, Server};

/// A received mail, decoded.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl ReceivedMail {
    /// The first http(s) link of the text body.
    pub fn link(&self) -> String {
        self.text
            .split_whitespace()
            .find(|w| w.starts_with("http://") || w.starts_with("https://"))
            .unwrap_or_else(|| panic!("no link in mail: {}", self.text))
            .to_owned()
    }

    /// The first run of six digits in the text body.
    pub fn code(&self) -> String {
        self.text
            .split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == 6)
            .unwrap_or_else(|| panic!("no code in mail: {}", self.text))
            .to_owned()
    }
}

#[derive(Clone)]
struct Collector {
    buf: Vec<u8>,
    received: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Handler for Collector {
    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        _to: &[String],
    ) -> Response {
        self.buf.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        self.buf.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.received
            .lock()
            .unwrap()
            .push(std::mem::take(&mut self.buf));
        response::OK
    }
}

/// The server; it runs on a background thread until the test process ends.
pub struct SmtpServer {
    pub port: u16,
    received: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl SmtpServer {
    /// Starts on a free loopback port.
    pub fn start() -> Self {
        Self::start_on(TcpListener::bind("127.0.0.1:0").unwrap())
    }

    /// Starts on `listener`.
    pub fn start_on(listener: TcpListener) -> Self {
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let handler = Collector {
            buf: Vec::new(),
            received: received.clone(),
        };
        std::thread::spawn(move || {
            let mut server = Server::new(handler);
            server.with_name("smtp.test").with_tcp_listener(listener);
            let _ = server.serve().map_err(|e| e.to_string());
        });
        Self { port, received }
    }

    /// `smtp://127.0.0.1:<port>` (plain SMTP, as on a local relay).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, decoded.
    pub fn mails(&self) -> Vec<ReceivedMail> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .map(|raw| decode(raw))
            .collect()
    }

    /// Waits (up to 15 s) until a mail to `to` has arrived beyond the first `skip` of them.
    pub async fn wait_for(&self, to: &str, skip: usize) -> ReceivedMail {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let mine: Vec<ReceivedMail> = self
                .mails()
                .into_iter()
                .filter(|m| m.to.contains(to))
                .collect();
            if mine.len() > skip {
                return mine[skip].clone();
            }
            assert!(
                Instant::now() < deadline,
                "no mail #{skip} to {to}; got {:?}",
                self.mails()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// How many mails went to `to`.
    pub fn count_to(&self, to: &str) -> usize {
        self.mails().iter().filter(|m| m.to.contains(to)).count()
    }
}

fn decode(raw: &[u8]) -> ReceivedMail {
    use mailparse::MailHeaderMap;
    let parsed = mailparse::parse_mail(raw).unwrap();
    let header = |name: &str| parsed.headers.get_first_value(name).unwrap_or_default();
    let mut text = String::new();
    let mut html = String::new();
    for part in parsed.subparts.iter().chain(std::iter::once(&parsed)) {
        match part.ctype.mimetype.as_str() {
            "text/plain" if text.is_empty() => text = part.get_body().unwrap(),
            "text/html" if html.is_empty() => html = part.get_body().unwrap(),
            _ => {}
        }
    }
    ReceivedMail {
        to: header("To"),
        subject: header("Subject"),
        text,
        html,
    }
}
