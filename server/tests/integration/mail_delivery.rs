//! Mail through SMTP: the outbox worker delivers to an SMTP server over a real TCP connection
//! (a small server speaking RFC 5321 on 127.0.0.1, recording what it receives), a message is
//! delivered once, and a server that refuses leaves the message queued for a retry. A worker
//! told to stop finishes the sends in flight, records them and hands the rest back at once.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::backend::config::{SmtpSettings, SmtpTls};
use app::backend::db::notices;
use app::backend::delivery::{
    CancellationToken, Deliverers, LogSms, MailTransport, deliver_due, run_worker,
};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};

use crate::common::{TestApp, spawn_app};

/// A minimal SMTP server: accepts every message (or refuses every recipient) and keeps the
/// DATA of each accepted one.
async fn smtp_server(refuse: bool) -> (u16, Arc<Mutex<Vec<String>>>) {
    smtp_server_with(refuse, Duration::ZERO).await
}

/// The same, answering each message's end of DATA only after `delay` (a slow relay).
async fn smtp_server_with(refuse: bool, delay: Duration) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = Arc::clone(&received);
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 test ESMTP\r\n").await;
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            if let Ok(mut store) = store.lock() {
                                store.push(std::mem::take(body));
                            }
                            data = None;
                            tokio::time::sleep(delay).await;
                            let _ = write.write_all(b"250 queued\r\n").await;
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250-test\r\n250 8BITMIME\r\n",
                        "MAIL" => b"250 ok\r\n",
                        "RCPT" if refuse => b"550 mailbox unavailable\r\n",
                        "RCPT" => b"250 ok\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    let _ = write.write_all(reply).await;
                }
            });
        }
    });
    (port, received)
}

fn deliverers(app: &TestApp, port: u16) -> Deliverers {
    let mut config = (*app.state.config).clone();
    config.smtp = Some(SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        credentials: None,
        tls: SmtpTls::None,
    });
    Deliverers {
        mail: MailTransport::from_config(&config).expect("SMTP transport"),
        from: "不见面审批 <noreply@example.cn>".parse().expect("sender"),
        sms: Arc::new(LogSms),
    }
}

async fn enqueue(app: &TestApp, to: &str) {
    let mut conn = app.state.db.pool().acquire().await.expect("connection");
    notices::enqueue(
        &mut conn,
        notices::NewMessage {
            channel: "email",
            recipient: to,
            subject: "【不见面审批】申请已提交：QX-2026-000001",
            body: "您好：您的申请已提交。\nYour application was submitted.\n",
            sensitive: false,
            now: app::backend::now_ms(),
        },
    )
    .await
    .expect("enqueue");
}

#[tokio::test]
async fn the_outbox_is_delivered_over_smtp_once() {
    let app = spawn_app().await;
    let (port, received) = smtp_server(false).await;
    enqueue(&app, "wang@example.cn").await;
    let deliverers = deliverers(&app, port);
    assert_eq!(
        deliver_due(&app.state, &deliverers).await.expect("round"),
        1
    );
    assert_eq!(
        deliver_due(&app.state, &deliverers).await.expect("round"),
        0
    );
    let received = received.lock().expect("received").clone();
    assert_eq!(received.len(), 1);
    assert!(
        received[0].contains("To: wang@example.cn"),
        "{}",
        received[0]
    );
    assert!(received[0].contains("Subject: "), "{}", received[0]);
    // The message keeps one Message-ID, made of its outbox row, over every retry.
    let (id, created_at): (i64, i64) = sqlx::query_as("SELECT id, created_at FROM outbox")
        .fetch_one(app.state.db.pool())
        .await
        .expect("the message");
    assert!(
        received[0].contains(&format!(
            "Message-ID: <outbox-{id}.{created_at}@example.cn>"
        )),
        "{}",
        received[0]
    );
    assert_eq!(app.count("outbox WHERE sent_at IS NOT NULL").await, 1);
}

#[tokio::test]
async fn a_refusing_server_leaves_the_message_queued_for_a_retry() {
    let app = spawn_app().await;
    let (port, received) = smtp_server(true).await;
    enqueue(&app, "wang@example.cn").await;
    assert_eq!(
        deliver_due(&app.state, &deliverers(&app, port))
            .await
            .expect("round"),
        0
    );
    assert!(received.lock().expect("received").is_empty());
    let (attempts, error, next): (i64, Option<String>, i64) = sqlx::query_as(
        "SELECT attempts, last_error, next_attempt_at FROM outbox WHERE sent_at IS NULL",
    )
    .fetch_one(app.state.db.pool())
    .await
    .expect("queued message");
    assert_eq!(attempts, 1);
    assert!(error.is_some_and(|error| error.contains("550")));
    assert!(next > app::backend::now_ms(), "retried later, not at once");
}

#[tokio::test]
async fn a_stopped_worker_finishes_the_sends_in_flight_and_hands_back_the_rest() {
    let app = spawn_app().await;
    let (port, received) = smtp_server_with(false, Duration::from_millis(1500)).await;
    for index in 0..20 {
        enqueue(&app, &format!("user{index}@example.cn")).await;
    }
    let stop = CancellationToken::new();
    let worker = tokio::spawn(run_worker(
        app.state.clone(),
        deliverers(&app, port),
        Duration::from_millis(50),
        stop.clone(),
    ));
    // The first round claims all twenty and starts sending (a few at a time, each answered
    // only after 1.5 s).
    let mut claimed = 0;
    for _ in 0..200 {
        claimed = app.count("outbox WHERE claimed_until IS NOT NULL").await;
        if claimed == 20 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(claimed, 20, "the round claimed every message");
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.cancel();
    tokio::time::timeout(Duration::from_secs(10), worker)
        .await
        .expect("the worker stops within the bound")
        .expect("the worker ends without panicking");

    // What the server accepted is recorded as sent, and nothing else is.
    let delivered = i64::try_from(received.lock().expect("received").len()).expect("count");
    assert!(
        (1..20).contains(&delivered),
        "the sends in flight finished, no new one started: {delivered}"
    );
    assert_eq!(
        app.count("outbox WHERE sent_at IS NOT NULL").await,
        delivered
    );
    assert_eq!(
        app.count("outbox_attempts WHERE outcome = 'sent'").await,
        delivered
    );
    assert_eq!(app.count("outbox_attempts").await, delivered);
    // The rest went back to the queue at once: unclaimed, no attempt counted.
    assert_eq!(
        app.count("outbox WHERE sent_at IS NULL AND claimed_until IS NULL AND attempts = 0")
            .await,
        20 - delivered
    );

    // Another worker (another node, or this one restarted) sends them without waiting for a
    // claim to run out; each message went out once.
    let rest = deliver_due(&app.state, &deliverers(&app, port))
        .await
        .expect("round");
    assert_eq!(i64::try_from(rest).expect("count"), 20 - delivered);
    assert_eq!(received.lock().expect("received").len(), 20);
    assert_eq!(app.count("outbox WHERE sent_at IS NULL").await, 0);
}

#[tokio::test]
async fn a_worker_stopped_before_its_first_round_claims_nothing() {
    let app = spawn_app().await;
    let (port, received) = smtp_server(false).await;
    enqueue(&app, "wang@example.cn").await;
    let stop = CancellationToken::new();
    stop.cancel();
    tokio::time::timeout(
        Duration::from_secs(5),
        run_worker(
            app.state.clone(),
            deliverers(&app, port),
            Duration::from_millis(10),
            stop,
        ),
    )
    .await
    .expect("returns at once");
    assert!(received.lock().expect("received").is_empty());
    assert_eq!(
        app.count("outbox WHERE claimed_until IS NULL AND attempts = 0")
            .await,
        1
    );
}

/// Two workers (or nodes) claiming at once take different messages, and the second does not
/// wait for the first's claim to commit: on PostgreSQL the first claim's transaction is still
/// open while the second claims (`FOR UPDATE SKIP LOCKED`); on SQLite the write turn puts the
/// second claim after the first, so the first commits before it.
#[tokio::test]
async fn two_claims_at_once_take_different_messages_without_waiting() {
    let app = spawn_app().await;
    for index in 0..4 {
        enqueue(&app, &format!("user{index}@example.cn")).await;
    }
    let now = app::backend::now_ms();
    let ids = |rows: &[notices::OutboxRow]| rows.iter().map(|row| row.id).collect::<Vec<_>>();
    let all: Vec<i64> = sqlx::query_scalar("SELECT id FROM outbox ORDER BY id")
        .fetch_all(app.state.db.pool())
        .await
        .expect("ids");

    let mut first = app.state.db.begin_write().await.expect("first transaction");
    let first_claim = notices::claim_due(&mut first, now, now + 60_000, 2)
        .await
        .expect("first claim");
    let first_open = match app.state.db.kind() {
        app::backend::db::DbKind::Postgres => Some(first),
        app::backend::db::DbKind::Sqlite => {
            first.commit().await.expect("first commit");
            None
        }
    };
    let second_claim = tokio::time::timeout(Duration::from_secs(5), async {
        let mut second = app
            .state
            .db
            .begin_write()
            .await
            .expect("second transaction");
        let rows = notices::claim_due(&mut second, now, now + 60_000, 2)
            .await
            .expect("second claim");
        second.commit().await.expect("second commit");
        rows
    })
    .await
    .expect("the second claim does not wait for the first to commit");
    if let Some(first) = first_open {
        first.commit().await.expect("first commit");
    }

    assert_eq!(ids(&first_claim), all[..2]);
    assert_eq!(ids(&second_claim), all[2..]);
    assert_eq!(
        app.count("outbox WHERE claimed_until IS NOT NULL AND attempts = 1")
            .await,
        4
    );
}
