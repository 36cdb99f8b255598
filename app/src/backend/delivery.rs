//! Delivery of the outbox: the adapters that send mail (lettre over SMTP, or `.eml` files in a
//! directory for demo and development) and SMS (a provider trait; the built-in provider writes
//! to the log and says so), and the worker step that claims due messages and sends them.
//!
//! Messages are written to the outbox in the transaction of the change they tell of; this
//! worker delivers them at least once. A message that fails is retried with growing delays.
//! Each message keeps one `Message-ID` over its retries (`<outbox-ID.CREATED@sender domain>`),
//! so a receiver can tell a repeat after a crash from a new message.
//!
//! The worker stops on a [`CancellationToken`]: it claims nothing more, lets the sends already
//! started finish and records them, and hands the claimed messages it had not started back to
//! the queue at once (instead of leaving them claimed until the claim runs out).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use futures_util::StreamExt as _;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType};
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncFileTransport, AsyncTransport, Message, Tokio1Executor};

use super::config::{Config, SmtpTls};
use super::db::licences;
use super::db::notices::{self, OutboxRow};
use super::{AppState, now_ms};

pub use tokio_util::sync::CancellationToken;

/// Where mail goes.
#[derive(Clone)]
pub enum MailTransport {
    /// A real SMTP server (`smtp://host:port`, `smtps://user:pass@host`).
    Smtp(SmtpRelay),
    /// One `.eml` file per message in a directory (the demo "file outbox").
    Directory(PathBuf),
}

impl MailTransport {
    /// The SMTP relay of the configuration, or the file outbox when there is none.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let Some(smtp) = &config.smtp else {
            return Ok(MailTransport::Directory(config.mail_directory()));
        };
        let tls = match smtp.tls {
            SmtpTls::None => None,
            SmtpTls::StartTls | SmtpTls::Tls => Some(
                TlsParameters::new(smtp.host.clone())
                    .context("setting up TLS to the SMTP relay")?,
            ),
        };
        Ok(MailTransport::Smtp(SmtpRelay {
            settings: Arc::new(RelaySettings {
                host: smtp.host.clone(),
                port: smtp.port,
                mode: smtp.tls,
                tls,
                credentials: smtp
                    .credentials
                    .as_ref()
                    .map(|(user, password)| Credentials::new(user.clone(), password.clone())),
                hello: ClientId::default(),
            }),
            idle: Arc::new(std::sync::Mutex::new(Vec::new())),
        }))
    }

    pub fn describe(&self) -> String {
        match self {
            MailTransport::Smtp(_) => "SMTP".into(),
            MailTransport::Directory(path) => format!("files in {}", path.display()),
        }
    }

    /// Sends one message; the server's answer (`250 …`) on success.
    async fn send(&self, message: Message) -> anyhow::Result<String> {
        match self {
            MailTransport::Smtp(relay) => relay.send(&message).await,
            MailTransport::Directory(path) => {
                tokio::fs::create_dir_all(path)
                    .await
                    .with_context(|| format!("creating {}", path.display()))?;
                AsyncFileTransport::<Tokio1Executor>::new(path)
                    .send(message)
                    .await
                    .context("writing the mail file")?;
                Ok(format!("written to {}", path.display()))
            }
        }
    }
}

/// Longest an SMTP connection, or one message on it, may take.
const SMTP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);
/// A connection idle longer than this is asked `NOOP` before it carries a message (the
/// server may have closed it).
const SMTP_FRESH: std::time::Duration = std::time::Duration::from_secs(10);
/// Idle connections kept for the next messages.
const SMTP_IDLE_KEPT: usize = PARALLEL_SENDS;

/// An SMTP relay with a few reusable connections.
///
/// lettre's own transport writes the message and the closing `.` in two writes on a socket
/// with Nagle's algorithm on: the `.` then waits for the acknowledgement of the body, which
/// the server delays by 40 ms — at most 25 messages per second per connection. Here the
/// socket is opened with `TCP_NODELAY`, and lettre's connection speaks the protocol on it.
#[derive(Clone)]
pub struct SmtpRelay {
    settings: Arc<RelaySettings>,
    idle: Arc<std::sync::Mutex<Vec<(AsyncSmtpConnection, std::time::Instant)>>>,
}

struct RelaySettings {
    host: String,
    port: u16,
    mode: SmtpTls,
    tls: Option<TlsParameters>,
    credentials: Option<Credentials>,
    hello: ClientId,
}

impl SmtpRelay {
    async fn send(&self, message: &Message) -> anyhow::Result<String> {
        let mut connection = self.connection().await?;
        let sent = tokio::time::timeout(
            SMTP_TIMEOUT,
            connection.send(message.envelope(), &message.formatted()),
        )
        .await;
        match sent {
            Ok(Ok(response)) => {
                self.put_back(connection);
                Ok(format!(
                    "{} {}",
                    response.code(),
                    response.message().collect::<Vec<_>>().join(" ")
                ))
            }
            Ok(Err(error)) => {
                // lettre has already closed the connection (it aborts on any error).
                drop(connection);
                Err(anyhow::Error::from(error).context("sending by SMTP"))
            }
            Err(_) => {
                connection.abort().await;
                anyhow::bail!("sending by SMTP: no answer within {SMTP_TIMEOUT:?}")
            }
        }
    }

    /// An idle connection still alive, or a new one.
    async fn connection(&self) -> anyhow::Result<AsyncSmtpConnection> {
        loop {
            let idle = match self.idle.lock() {
                Ok(mut idle) => idle.pop(),
                Err(_) => None,
            };
            let Some((mut connection, since)) = idle else {
                break;
            };
            if since.elapsed() < SMTP_FRESH || connection.test_connected().await {
                return Ok(connection);
            }
            connection.abort().await;
        }
        tokio::time::timeout(SMTP_TIMEOUT, self.connect())
            .await
            .map_err(|_| {
                anyhow::anyhow!("connecting to the SMTP relay: no answer within {SMTP_TIMEOUT:?}")
            })?
    }

    fn put_back(&self, connection: AsyncSmtpConnection) {
        if connection.has_broken() {
            return;
        }
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < SMTP_IDLE_KEPT
        {
            idle.push((connection, std::time::Instant::now()));
        }
    }

    async fn connect(&self) -> anyhow::Result<AsyncSmtpConnection> {
        let settings = &self.settings;
        let mut connection = if let (SmtpTls::Tls, Some(tls)) = (settings.mode, &settings.tls) {
            // Implicit TLS: lettre opens the socket (without `TCP_NODELAY`: its TLS stream
            // cannot be built on a socket of ours). The caller's timeout bounds the connect.
            AsyncSmtpConnection::connect_tokio1(
                (settings.host.as_str(), settings.port),
                None,
                &settings.hello,
                Some(tls.clone()),
                None,
            )
            .await
            .context("connecting to the SMTP relay")?
        } else {
            let stream = tokio::net::TcpStream::connect((settings.host.as_str(), settings.port))
                .await
                .context("connecting to the SMTP relay")?;
            stream
                .set_nodelay(true)
                .context("setting TCP_NODELAY on the SMTP connection")?;
            let mut connection =
                AsyncSmtpConnection::connect_with_transport(Box::new(stream), &settings.hello)
                    .await
                    .context("greeting the SMTP relay")?;
            if let (SmtpTls::StartTls, Some(tls)) = (settings.mode, &settings.tls) {
                anyhow::ensure!(
                    connection.can_starttls(),
                    "the SMTP relay does not offer STARTTLS"
                );
                connection
                    .starttls(tls.clone(), &settings.hello)
                    .await
                    .context("STARTTLS with the SMTP relay")?;
            }
            connection
        };
        if let Some(credentials) = &settings.credentials {
            connection
                .auth(DEFAULT_MECHANISMS, credentials)
                .await
                .context("logging in to the SMTP relay")?;
        }
        Ok(connection)
    }
}

/// Sends text messages to mobile numbers. A government SMS gateway implements this; the
/// built-in [`LogSms`] only writes to the server log.
pub trait SmsSender: Send + Sync {
    fn send(
        &self,
        phone: &str,
        text: &str,
    ) -> std::pin::Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + '_>>;
}

/// The built-in SMS provider: writes each message to the server log.
pub struct LogSms;

impl SmsSender for LogSms {
    fn send(
        &self,
        phone: &str,
        text: &str,
    ) -> std::pin::Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send + '_>> {
        tracing::info!(
            phone,
            text,
            "SMS (built-in provider: written to the log, not sent)"
        );
        Box::pin(async { Ok(()) })
    }
}

/// Everything the worker needs to deliver.
#[derive(Clone)]
pub struct Deliverers {
    pub mail: MailTransport,
    pub from: Mailbox,
    pub sms: Arc<dyn SmsSender>,
}

impl Deliverers {
    /// Mail as configured, from the configured sender; SMS to the log.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        Ok(Self {
            mail: MailTransport::from_config(config)?,
            from: config
                .mail_from
                .parse()
                .context("reading the sender address (BJM_SMTP_FROM)")?,
            sms: Arc::new(LogSms),
        })
    }
}

/// How long a claim lasts before another worker may take the message over: longer than a
/// whole round can take (every message of a batch timing out at 20 s, a few at a time), so a
/// slow server never lets a second worker send what the first is still sending.
const CLAIM_MS: i64 = 15 * 60_000;
/// Messages per round.
const BATCH: i64 = 100;
/// Messages sent at the same time.
const PARALLEL_SENDS: usize = 8;
/// Most outcomes recorded in one transaction.
const RECORD_EVERY: usize = 16;

/// Delay before the next try after `attempts` failures: 10 s, 20 s, 40 s … at most an hour.
fn retry_delay_ms(attempts: i64) -> i64 {
    let exponent = u32::try_from(attempts.clamp(1, 12) - 1).unwrap_or(0);
    (10_000_i64 << exponent).min(3_600_000)
}

/// Builds the mail: plain text alone, or plain text and HTML as alternatives, with the PDF
/// attachments after them.
fn build_mail(
    from: &Mailbox,
    row: &OutboxRow,
    attachments: Vec<(String, Vec<u8>)>,
) -> anyhow::Result<Message> {
    let to: Mailbox = row
        .recipient
        .parse()
        .with_context(|| format!("recipient address of message {}", row.id))?;
    let domain = from.email.domain();
    let builder = Message::builder()
        .message_id(Some(format!(
            "<outbox-{}.{}@{domain}>",
            row.id, row.created_at
        )))
        .from(from.clone())
        .to(to)
        .subject(row.subject.clone());
    if row.body_html.is_none() && attachments.is_empty() {
        return builder
            .header(ContentType::TEXT_PLAIN)
            .body(row.body.clone())
            .context("building the mail");
    }
    let text = match &row.body_html {
        Some(html) => MultiPart::alternative_plain_html(row.body.clone(), html.clone()),
        None => MultiPart::alternative().singlepart(SinglePart::plain(row.body.clone())),
    };
    let mut mixed = MultiPart::mixed().multipart(text);
    for (filename, bytes) in attachments {
        let pdf = ContentType::parse("application/pdf").context("PDF content type")?;
        mixed = mixed.singlepart(Attachment::new(filename).body(bytes, pdf));
    }
    builder.multipart(mixed).context("building the mail")
}

async fn deliver_one(
    deliverers: &Deliverers,
    row: &OutboxRow,
    attachments: Vec<(String, Vec<u8>)>,
) -> anyhow::Result<String> {
    match row.channel.as_str() {
        "email" => {
            let message = build_mail(&deliverers.from, row, attachments)?;
            deliverers.mail.send(message).await
        }
        "sms" => {
            deliverers.sms.send(&row.recipient, &row.body).await?;
            Ok("handed to the SMS provider".into())
        }
        other => anyhow::bail!("unknown channel {other:?}"),
    }
}

/// Records the outcomes of sent messages in one transaction (one commit for several
/// messages: a commit per message would bound throughput by the disk's flushes). Returns how
/// many went out.
async fn record_outcomes(
    state: &AppState,
    outcomes: Vec<(OutboxRow, anyhow::Result<String>)>,
) -> anyhow::Result<usize> {
    let mut tx = state
        .db
        .begin_write()
        .await
        .context("recording deliveries")?;
    let at = now_ms();
    let mut sent = 0;
    for (row, outcome) in outcomes {
        match outcome {
            Ok(reply) => {
                notices::mark_sent(&mut tx, row.id, at, &reply).await?;
                sent += 1;
            }
            Err(error) => {
                tracing::warn!(message = row.id, attempts = row.attempts, error = %format!("{error:#}"), "delivery failed; will retry");
                let next = at + retry_delay_ms(row.attempts);
                notices::mark_failed(&mut tx, row.id, at, next, &format!("{error:#}")).await?;
            }
        }
    }
    tx.commit().await.context("recording deliveries")?;
    Ok(sent)
}

/// One round: claims due messages, sends them, records the outcome. Returns how many were
/// sent.
pub async fn deliver_due(state: &AppState, deliverers: &Deliverers) -> anyhow::Result<usize> {
    deliver_due_until(state, deliverers, &CancellationToken::new()).await
}

/// One round that stops early once `stop` is cancelled: no claim after that, no new send;
/// sends already started finish and are recorded, and claimed messages not yet started are
/// released for any worker. Returns how many were sent.
pub async fn deliver_due_until(
    state: &AppState,
    deliverers: &Deliverers,
    stop: &CancellationToken,
) -> anyhow::Result<usize> {
    if stop.is_cancelled() {
        return Ok(0);
    }
    let now = now_ms();
    let claimed_until = now + CLAIM_MS;
    let claimed = {
        let mut tx = state
            .db
            .begin_write()
            .await
            .context("claiming outbox rows")?;
        let rows = notices::claim_due(&mut tx, now, claimed_until, BATCH)
            .await
            .context("claiming outbox rows")?;
        tx.commit().await.context("claiming outbox rows")?;
        rows
    };
    let mut unstarted: std::collections::BTreeSet<i64> = claimed.iter().map(|row| row.id).collect();
    // Attachments are read first: a sending future must not hold a database connection while
    // the round records outcomes (the pool could run dry).
    let mut prepared = Vec::with_capacity(claimed.len());
    {
        let mut conn = state.db.read().await?;
        for row in claimed {
            let attachments = licences::attachments(&mut conn, row.id).await?;
            prepared.push((row, attachments));
        }
    }
    // Several messages at once (the SMTP transport pools its connections); outcomes are
    // recorded as they come, a few per transaction, so a crash repeats at most those few.
    // Once `stop` fires the source ends: the sends in flight finish, no new one starts.
    let outcomes = futures_util::stream::iter(prepared)
        .take_until(stop.cancelled())
        .map(|(row, attachments)| {
            let deliverers = deliverers.clone();
            async move {
                let outcome = deliver_one(&deliverers, &row, attachments).await;
                (row, outcome)
            }
        })
        .buffer_unordered(PARALLEL_SENDS)
        .ready_chunks(RECORD_EVERY);
    let mut outcomes = std::pin::pin!(outcomes);
    let mut sent = 0;
    while let Some(chunk) = outcomes.next().await {
        for (row, _) in &chunk {
            unstarted.remove(&row.id);
        }
        sent += record_outcomes(state, chunk).await?;
    }
    if !unstarted.is_empty() {
        let mut tx = state
            .db
            .begin_write()
            .await
            .context("releasing unsent claims")?;
        for id in &unstarted {
            notices::release_claim(&mut tx, *id, claimed_until).await?;
        }
        tx.commit().await.context("releasing unsent claims")?;
        tracing::info!(
            released = unstarted.len(),
            "stopping: claimed messages not yet sent handed back to the queue"
        );
    }
    Ok(sent)
}

/// Runs [`deliver_due_until`] every `interval` until `stop` is cancelled; the round in flight
/// then ends as that function describes, and this returns.
pub async fn run_worker(
    state: AppState,
    deliverers: Deliverers,
    interval: std::time::Duration,
    stop: CancellationToken,
) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            () = stop.cancelled() => break,
            _ = ticker.tick() => {}
        }
        if let Err(error) = deliver_due_until(&state, &deliverers, &stop).await {
            tracing::error!(error = %format!("{error:#}"), "outbox delivery round failed");
        }
    }
    tracing::info!("outbox worker stopped");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_at_most_an_hour() {
        assert_eq!(retry_delay_ms(1), 10_000);
        assert_eq!(retry_delay_ms(2), 20_000);
        assert_eq!(retry_delay_ms(30), 3_600_000);
    }
}
