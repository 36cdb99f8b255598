//! Two nodes on one database: two real `server` processes (the binary this package builds),
//! started at the same moment on a fresh database, each with its own port and data directory,
//! sharing the session and licence keys and mailing through one SMTP server (`aiosmtpd`).
//!
//! A workload alternates between them: registration on one, the code mail asked for on the
//! other, the mailed code confirmed on the first; a burst of queued mail both workers compete
//! for (each node mails from its own sender address, so each mail shows which node sent it).
//! It proves that both nodes migrate the fresh database safely, that a session signed in
//! on one node works on the other (and a sign-out on one ends it on both), that every outbox
//! message reaches the SMTP server exactly once (counted by its Message-ID, which names the
//! outbox row) with one recorded attempt, and that SIGTERM stops each node cleanly.
//!
//! On PostgreSQL this is the deployment of docs/deployment.md. On SQLite both processes open
//! the same database file (one host), which shows the same guarantees through SQLite's locks.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use app::backend::db::Db;
use reqwest::Client;

use crate::common::process::ServerProcess;
use crate::common::{
    PASSWORD, Reply, SmtpServer, browser, free_port, maildir_messages, test_database,
};

/// One node: a server process with its own data directory.
struct Node {
    process: ServerProcess,
    _data_dir: tempfile::TempDir,
}

/// What both nodes share.
struct Cluster {
    database_url: String,
    public_url: String,
    session_key: String,
    licence_key: String,
    record_key: String,
    smtp_port: u16,
}

impl Node {
    fn start(name: &'static str, cluster: &Cluster) -> Self {
        let data_dir = tempfile::tempdir().expect("data directory");
        // The record key has no environment variable: every node gets the same key file.
        let keys = data_dir.path().join("keys");
        std::fs::create_dir_all(&keys).expect("keys directory");
        std::fs::write(keys.join("records-ed25519.pem"), &cluster.record_key).expect("record key");
        let process = ServerProcess::start(
            name,
            &cluster.database_url,
            data_dir.path(),
            &data_dir.path().join("server.log"),
            &[
                ("BJM_PUBLIC_URL", cluster.public_url.clone()),
                ("BJM_SESSION_KEY", cluster.session_key.clone()),
                ("BJM_LICENCE_KEY", cluster.licence_key.clone()),
                ("BJM_SMTP_HOST", "127.0.0.1".to_owned()),
                ("BJM_SMTP_PORT", cluster.smtp_port.to_string()),
                ("BJM_SMTP_TLS", "none".to_owned()),
                // The sender names the node, so each mail tells which node's worker sent it.
                (
                    "BJM_SMTP_FROM",
                    format!(
                        "不见面审批 <noreply-{}@nodes.example.cn>",
                        name.to_lowercase()
                    ),
                ),
            ],
        );
        Self {
            process,
            _data_dir: data_dir,
        }
    }

    fn name(&self) -> &str {
        &self.process.name
    }

    async fn wait_ready(&mut self) {
        self.process.wait_ready().await;
    }

    /// Calls a server function the way a page served from the public URL does.
    async fn call(
        &self,
        cluster: &Cluster,
        client: &Client,
        path: &str,
        form: &[(&str, &str)],
    ) -> Reply {
        self.process
            .call(&cluster.public_url, client, path, form)
            .await
    }
}

fn key_pem() -> String {
    app::backend::auth::keys::generate_private_pem().expect("Ed25519 key")
}

/// The message id each delivered mail names: the outbox row it came from.
fn outbox_ids(maildir: &Path) -> Vec<i64> {
    maildir_messages(maildir)
        .iter()
        .map(|raw| {
            let message = mail_parser::MessageParser::default()
                .parse(raw.as_slice())
                .expect("a mail");
            let id = message.message_id().expect("a Message-ID");
            id.strip_prefix("outbox-")
                .and_then(|rest| rest.split('.').next())
                .and_then(|row| row.parse().ok())
                .unwrap_or_else(|| panic!("Message-ID {id} names no outbox row"))
        })
        .collect()
}

/// How many delivered mails each node sent (by the sender address, which names the node).
fn senders(maildir: &Path) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for raw in maildir_messages(maildir) {
        let message = mail_parser::MessageParser::default()
            .parse(raw.as_slice())
            .expect("a mail");
        let from = message
            .from()
            .and_then(|from| from.first())
            .and_then(|address| address.address())
            .expect("a sender")
            .to_owned();
        *counts.entry(from).or_default() += 1;
    }
    counts
}

/// The six-digit code in the newest mail to `login`.
fn mailed_code(maildir: &Path, login: &str) -> Option<String> {
    maildir_messages(maildir).iter().find_map(|raw| {
        let message = mail_parser::MessageParser::default().parse(raw.as_slice())?;
        let to = message.to()?.first()?.address()?.to_owned();
        if to != login {
            return None;
        }
        let text = message.body_text(0)?;
        let start = text.find("code is ")? + "code is ".len();
        text.get(start..start + 6).map(str::to_owned)
    })
}

async fn wait_for<F: AsyncFnMut() -> bool>(what: &str, mut done: F) {
    for _ in 0..600 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not happen within 60 s");
}

#[tokio::test]
async fn two_nodes_share_sessions_deliver_each_message_once_and_stop_cleanly() {
    let database = test_database().await;
    let maildir_root = tempfile::tempdir().expect("maildir");
    let maildir: PathBuf = maildir_root.path().to_path_buf();
    let smtp_port = free_port();
    let _smtp = SmtpServer::start(smtp_port, &maildir).await;
    let cluster = Cluster {
        database_url: database.url.clone(),
        // The load balancer's address: what browsers see, and what both nodes are told.
        public_url: format!("http://127.0.0.1:{}", free_port()),
        session_key: key_pem(),
        licence_key: key_pem(),
        record_key: key_pem(),
        smtp_port,
    };

    // Both start at once on the fresh database: both migrate it safely and become ready.
    let mut a = Node::start("A", &cluster);
    let mut b = Node::start("B", &cluster);
    a.wait_ready().await;
    b.wait_ready().await;
    let db = Db::connect(&database.url).await.expect("database");
    assert!(db.migrations_applied().await.expect("migrations"));
    let nodes = [&a, &b];

    // Registrations, codes and confirmations alternate between the nodes.
    let mut browsers = Vec::new();
    for index in 0..6_usize {
        let here = nodes[index % 2];
        let there = nodes[(index + 1) % 2];
        let login = format!("node{index}@example.cn");
        let client = browser();
        let registered = here
            .call(
                &cluster,
                &client,
                "auth/register",
                &[
                    ("login", &login),
                    ("display_name", "张三"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(registered.status, 200, "{}", registered.body);
        // Signed in on one node, known on the other.
        let me = there.call(&cluster, &client, "session/whoami", &[]).await;
        assert_eq!(
            me.status,
            200,
            "whoami on node {}: {}",
            there.name(),
            me.body
        );
        assert_eq!(me.json()["display_name"], "张三");
        let sent = there
            .call(&cluster, &client, "identity/send-code", &[])
            .await;
        assert_eq!(sent.status, 200, "{}", sent.body);
        browsers.push((login, client, index));
    }
    // Each code arrives by mail (sent by whichever node claimed it) and confirms the contact
    // on the node that did not ask for it.
    for (login, client, index) in &browsers {
        let mut code = None;
        wait_for(&format!("the code mail to {login}"), async || {
            code = mailed_code(&maildir, login);
            code.is_some()
        })
        .await;
        let code = code.expect("code");
        let confirmed = nodes[index % 2]
            .call(
                &cluster,
                client,
                "identity/confirm-contact",
                &[("code", &code)],
            )
            .await;
        assert_eq!(confirmed.status, 200, "{login}: {}", confirmed.body);
    }

    // A burst of mail queued at once: both workers claim from it at the same time.
    {
        let mut tx = db.begin_write().await.expect("transaction");
        let now = app::backend::now_ms();
        for index in 0..240 {
            app::backend::db::notices::enqueue(
                &mut tx,
                app::backend::db::notices::NewMessage {
                    channel: "email",
                    recipient: &format!("burst{index}@example.cn"),
                    subject: "【不见面审批】测试 / test",
                    body: "burst",
                    sensitive: false,
                    now,
                },
            )
            .await
            .expect("enqueue");
        }
        tx.commit().await.expect("commit");
    }
    let pending = async || -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
            .fetch_one(db.pool())
            .await
            .expect("count")
    };
    wait_for("delivery of the whole outbox", async || {
        pending().await == 0
    })
    .await;

    // Every message reached the SMTP server exactly once, and ran once.
    let rows: Vec<(i64, i64)> = sqlx::query_as("SELECT id, attempts FROM outbox ORDER BY id")
        .fetch_all(db.pool())
        .await
        .expect("outbox");
    assert_eq!(rows.len(), 6 + 240);
    let mut seen: BTreeMap<i64, usize> = BTreeMap::new();
    wait_for("the Maildir to hold every message", async || {
        outbox_ids(&maildir).len() >= rows.len()
    })
    .await;
    for id in outbox_ids(&maildir) {
        *seen.entry(id).or_default() += 1;
    }
    let duplicates: Vec<_> = seen.iter().filter(|(_, count)| **count > 1).collect();
    assert!(
        duplicates.is_empty(),
        "delivered more than once: {duplicates:?}"
    );
    let expected: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    assert_eq!(seen.keys().copied().collect::<Vec<_>>(), expected);
    assert!(
        rows.iter().all(|(_, attempts)| *attempts == 1),
        "each message was claimed once: {rows:?}"
    );
    // Both workers took part: while one sends its batch of 100, the other claims the next.
    let by_node = senders(&maildir);
    assert_eq!(
        by_node.keys().collect::<Vec<_>>(),
        ["noreply-a@nodes.example.cn", "noreply-b@nodes.example.cn"],
        "{by_node:?}"
    );
    let (attempts, sent): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN outcome = 'sent' THEN 1 ELSE 0 END), 0) \
         FROM outbox_attempts",
    )
    .fetch_one(db.pool())
    .await
    .expect("attempts");
    assert_eq!((attempts, sent), (246, 246));

    // Signing out on one node ends the session on both.
    let (_, client, _) = &browsers[0];
    let out = b.call(&cluster, client, "auth/logout", &[]).await;
    assert_eq!(out.status, 200, "{}", out.body);
    assert_eq!(
        a.call(&cluster, client, "session/whoami", &[]).await.status,
        401
    );
    let (_, other, _) = &browsers[1];
    assert_eq!(
        a.call(&cluster, other, "session/whoami", &[]).await.status,
        200
    );

    // SIGTERM: each node finishes, its outbox worker stopped, and exits with success.
    db.close().await;
    for node in [a, b] {
        let name = node.name().to_owned();
        let (status, log) = node.process.terminate().await;
        assert!(status.success(), "node {name} exited with {status}:\n{log}");
        assert!(log.contains("outbox worker stopped"), "node {name}:\n{log}");
    }
}
