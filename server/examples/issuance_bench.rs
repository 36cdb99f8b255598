//! Issuance benchmark, server-side:
//! 1. one licence rendered (printpdf, Chinese font subset, vector QR code) and its token signed
//!    (EdDSA), p50 / p99 and file size; beside it, in the same run, the same licence as an HTML
//!    page printed to PDF by headless Chromium (`--print-to-pdf`, a new browser per print, as a
//!    service rendering on demand would), p50 and size, and the ratio;
//! 2. instant approval: N drafts of 个体工商户设立登记 (an instant-approval item) submitted one
//!    after another; each submission is one transaction that accepts, approves, issues the
//!    business licence (credit code, PDF, token) and queues the mail with the PDF; p50 / p99;
//! 3. the outbox to a local SMTP server (aiosmtpd from PyPI, discarding): the licence mails of
//!    step 2 (PDF attached), then M plain notices, delivered by the worker's rounds; messages
//!    per second.
//!
//! ```sh
//! cargo run --release -p server --example issuance_bench -- 200 5000            # SQLite
//! cargo run --release -p server --example issuance_bench -- 200 5000 postgres://postgres@127.0.0.1:5432/postgres
//! ```
//! Needs `chromium`, `python3 -m aiosmtpd` and the font (scripts/setup.sh installs them).
//! Figures go to `docs/benchmarks.md`.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use app::backend::audit::Actor;
use app::backend::auth::issuer::{IssuerKeys, LICENCE_ISSUER, LicenceClaims};
use app::backend::auth::session::CurrentUser;
use app::backend::db::identity;
use app::backend::pdf::{LicenceSheet, PdfRenderer};
use app::backend::services::applications;
use app::domain::Role;
use app::domain::case::TargetKind;

#[path = "support/drafts.rs"]
mod drafts;
#[path = "support/mod.rs"]
mod support;

use drafts::{complete_materials_and_signature, filled};
use support::percentile;

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn sheet(qr: &str) -> LicenceSheet {
    let fields = [
        ("经营者名称", "栖霞区老王面馆"),
        ("统一社会信用代码", "92320113MA000001XX"),
        ("法定代表人（负责人）", "王开店"),
        ("经营场所", "南京市栖霞区仙林大道 8 号 101 室"),
        ("主体业态", "餐饮服务经营者（小型餐馆）"),
        (
            "经营项目",
            "热食类食品制售；冷食类食品制售（不含生食）；预包装食品销售（不含冷藏冷冻食品）",
        ),
        ("经营面积", "60 平方米"),
        ("食品安全管理人员", "王开店"),
        ("日常监督管理机构", "南京市栖霞区市场监督管理局仙林分局"),
        ("有效期限", "2026年11月25日 至 2031年11月24日"),
    ];
    LicenceSheet {
        title: "食品经营许可证".into(),
        number_line: "许可证编号：JY13201130000429".into(),
        fields: fields
            .iter()
            .map(|(label, value)| ((*label).to_owned(), (*value).to_owned()))
            .collect(),
        authority_label: "发证机关".into(),
        authority: "南京市栖霞市场监督管理局".into(),
        issued_on: "2026年11月25日".into(),
        qr_payload: qr.to_owned(),
        verify_hint: "扫描二维码核验真伪 / Scan to verify".into(),
        footer: "本证照为电子证照，与纸质证照具有同等法律效力。核验网址：https://zwfw.example.cn/verify（扫描二维码，或上传本 PDF 文件）。"
            .into(),
        issued_at_s: 1_795_000_000,
    }
}

fn claims() -> LicenceClaims {
    LicenceClaims {
        iss: LICENCE_ISSUER.into(),
        lno: "JY13201130000429".into(),
        lty: "food_business_licence".into(),
        hn: "栖霞区老王面馆".into(),
        uscc: Some("92320113MA000001XX".into()),
        vf: "2026-11-25".into(),
        vu: Some("2031-11-24".into()),
        dsh: "ab".repeat(32),
        iat: 1_795_000_000,
    }
}

/// The same licence as an HTML page (the font from the same file, the QR code as SVG).
fn licence_html(font: &str, qr: &str) -> anyhow::Result<String> {
    let code = fast_qr::QRBuilder::new(qr)
        .ecl(fast_qr::ECL::M)
        .build()
        .map_err(|error| anyhow::anyhow!("QR code: {error:?}"))?;
    let svg = fast_qr::convert::svg::SvgBuilder::default().to_str(&code);
    let rows: String = sheet(qr)
        .fields
        .iter()
        .map(|(label, value)| format!("<tr><th>{label}</th><td>{value}</td></tr>"))
        .collect();
    Ok(format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><style>\
         @font-face {{ font-family: wqy; src: url('file://{font}'); }}\
         @page {{ size: A4 landscape; margin: 0; }}\
         body {{ font-family: wqy; margin: 0; }}\
         .sheet {{ border: 2mm double #b81a1a; margin: 8mm; padding: 12mm; height: 160mm; position: relative; }}\
         h1 {{ text-align: center; letter-spacing: 1em; font-size: 30pt; margin: 0 0 8mm; }}\
         .qr {{ position: absolute; right: 14mm; top: 14mm; width: 38mm; }}\
         th {{ text-align: left; width: 40mm; font-weight: normal; }} td, th {{ font-size: 11.5pt; padding: 1mm; }}\
         .seal {{ position: absolute; right: 30mm; bottom: 20mm; width: 38mm; height: 38mm; border: 1mm solid #b81a1a; border-radius: 50%; }}\
         </style></head><body><div class=\"sheet\"><h1>食品经营许可证</h1>\
         <p>许可证编号：JY13201130000429</p><div class=\"qr\">{svg}<p>扫描二维码核验真伪</p></div>\
         <table>{rows}</table><p>发证机关：南京市栖霞市场监督管理局 2026年11月25日</p><div class=\"seal\"></div>\
         </div></body></html>"
    ))
}

async fn render_benchmark(font: &str) -> anyhow::Result<()> {
    let renderer = PdfRenderer::new(font.into());
    let keys = IssuerKeys::from_private_pem(&app::backend::auth::keys::generate_private_pem()?)?;
    let token = keys.sign(&claims())?;
    let qr = format!("https://zwfw.example.cn/verify?t={token}");
    // The font is parsed once per process (as in the server); warm it up.
    let first = renderer.render_licence(&sheet(&qr))?;
    let runs = 300;
    let mut times = Vec::with_capacity(runs);
    let mut size = first.len();
    for _ in 0..runs {
        let started = Instant::now();
        let token = keys.sign(std::hint::black_box(&claims()))?;
        let pdf = renderer
            .render_licence(&sheet(&format!("https://zwfw.example.cn/verify?t={token}")))?;
        times.push(started.elapsed());
        size = pdf.len();
    }
    times.sort();
    let ours = percentile(&times, 0.5);
    println!(
        "licence PDF rendered and signed (printpdf): p50 {:.2} ms, p99 {:.2} ms, {} bytes ({runs} runs)",
        ms(ours),
        ms(percentile(&times, 0.99)),
        size
    );

    let dir = tempfile::tempdir()?;
    let html = dir.path().join("licence.html");
    std::fs::write(&html, licence_html(font, &qr)?)?;
    let mut chromium_times = Vec::new();
    let mut chromium_size = 0;
    for run in 0..5 {
        let out = dir.path().join(format!("licence-{run}.pdf"));
        let started = Instant::now();
        let status = std::process::Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--no-pdf-header-footer",
                &format!("--print-to-pdf={}", out.display()),
                &format!("file://{}", html.display()),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .context("running chromium")?;
        anyhow::ensure!(status.success(), "chromium failed");
        chromium_times.push(started.elapsed());
        chromium_size = std::fs::metadata(&out)?.len();
    }
    chromium_times.sort();
    let theirs = percentile(&chromium_times, 0.5);
    println!(
        "same licence printed by headless Chromium from HTML: p50 {:.0} ms, {} bytes (5 runs) — printpdf is {:.0}× faster",
        ms(theirs),
        chromium_size,
        theirs.as_secs_f64() / ours.as_secs_f64()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let count: usize = args
        .next()
        .as_deref()
        .unwrap_or("200")
        .parse()
        .context("count")?;
    let notices: usize = args
        .next()
        .as_deref()
        .unwrap_or("5000")
        .parse()
        .context("notices")?;
    let database = support::BenchDatabase::create(args.next()).await?;
    let (state, label) = (database.state.clone(), database.label);
    render_benchmark(&state.config.pdf_font.display().to_string()).await?;

    // 2. Instant approvals by the demo applicant.
    let user_id: i64 = {
        let mut conn = state.db.pool().acquire().await?;
        let user = app::backend::db::accounts::find_by_login(&mut conn, "13800138000")
            .await?
            .context("demo applicant")?;
        identity::confirm_contact(&mut conn, user.id, app::backend::now_ms()).await?;
        // Mail goes to an address: the licence mail is part of what is measured.
        sqlx::query("UPDATE users SET login = 'zhang.xiaocan@example.cn' WHERE id = $1")
            .bind(user.id)
            .execute(&mut *conn)
            .await?;
        user.id
    };
    let user = CurrentUser {
        user_id,
        session_id: "bench".into(),
        role: Role::Applicant,
    };
    let actor = Actor::user(user_id, None);
    let own_id = {
        let mut conn = state.db.pool().acquire().await?;
        identity::identity(&mut conn, user_id)
            .await?
            .resident_id
            .context("demo applicant is verified")?
    };
    let target = {
        let mut conn = state.db.pool().acquire().await?;
        applications::load_target(&mut conn, TargetKind::Item, "SCJG-XK-001")
            .await
            .map_err(|error| anyhow::anyhow!("item: {error}"))?
    };
    let values = filled(&target.layout, &own_id);
    let mut key_id = None;
    let mut drafts = Vec::with_capacity(count);
    for _ in 0..count {
        let draft = applications::start(&state, &actor, &user, TargetKind::Item, "SCJG-XK-001")
            .await
            .map_err(|error| anyhow::anyhow!("start: {error}"))?;
        applications::save(&state, &user, &draft.draft_id, draft.revision, &values)
            .await
            .map_err(|error| anyhow::anyhow!("save: {error}"))?;
        complete_materials_and_signature(
            &state,
            user_id,
            &draft.draft_id,
            (TargetKind::Item, "SCJG-XK-001"),
            &mut key_id,
        )
        .await?;
        drafts.push(draft.draft_id);
    }
    let mut latencies = Vec::with_capacity(count);
    for draft_id in &drafts {
        let started = Instant::now();
        applications::submit(&state, &actor, &user, draft_id)
            .await
            .map_err(|error| anyhow::anyhow!("submit: {error}"))?;
        latencies.push(started.elapsed());
    }
    latencies.sort();
    let issued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE status = 'issued'")
        .fetch_one(state.db.pool())
        .await?;
    anyhow::ensure!(issued as usize == count, "{issued} of {count} cases issued");
    println!(
        "{label}: instant approval, submission to issued licence and queued mail: p50 {:.1} ms, p99 {:.1} ms ({count} submissions)",
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
    );

    // 3. The outbox to a local SMTP server.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut smtp = std::process::Command::new("python3")
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Sink",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .context("python3 -m aiosmtpd")?;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut config = (*state.config).clone();
    config.smtp = Some(app::backend::config::SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        credentials: None,
        tls: app::backend::config::SmtpTls::None,
    });
    let deliverers = app::backend::delivery::Deliverers {
        mail: app::backend::delivery::MailTransport::from_config(&config)?,
        from: "不见面审批 <noreply@example.cn>".parse()?,
        sms: std::sync::Arc::new(app::backend::delivery::LogSms),
    };
    let deliver_all = |what: &'static str| {
        let state = state.clone();
        let deliverers = deliverers.clone();
        async move {
            let backlog: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
                    .fetch_one(state.db.pool())
                    .await?;
            let started = Instant::now();
            let mut sent = 0;
            while sent < backlog as usize {
                let round = app::backend::delivery::deliver_due(&state, &deliverers).await?;
                anyhow::ensure!(round > 0, "a round sent nothing ({sent} of {backlog})");
                sent += round;
            }
            let elapsed = started.elapsed();
            println!(
                "{label}: outbox to local SMTP, {what}: {sent} messages in {:.2} s = {:.0} per second",
                elapsed.as_secs_f64(),
                sent as f64 / elapsed.as_secs_f64()
            );
            anyhow::Ok(())
        }
    };
    deliver_all("licence mails with the PDF attached (and the acknowledgements)").await?;
    {
        let mut conn = state.db.pool().acquire().await?;
        let now = app::backend::now_ms();
        for index in 0..notices {
            app::backend::db::notices::enqueue(
                &mut conn,
                app::backend::db::notices::NewMessage {
                    channel: "email",
                    recipient: &format!("applicant{index}@example.cn"),
                    subject: "【不见面审批】申请已受理：QX-2026-000001 / Accepted",
                    body: "您好：您的申请已受理。\nYour application was accepted.\n",
                    sensitive: false,
                    now,
                },
            )
            .await?;
        }
    }
    deliver_all("plain notices").await?;
    let _ = smtp.kill();
    let _ = smtp.wait();
    database.finish().await?;
    Ok(())
}
