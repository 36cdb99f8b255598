//! Demo mode: a realistic district (modelled on Qixia district, Nanjing: one district
//! government-service hall and nine street centres, and the departments that approve business
//! licences) and one account per role. Seeding is idempotent: it runs at every start in demo mode.

use serde_json::json;

use super::audit::{self, Actor};
use super::auth::totp;
use super::db::{accounts, org};
use super::error::ServiceResult;
use super::services::staff::{self, NewStaff};
use super::{AppState, now_ms};
use crate::api::DemoLogin;
use crate::domain::{LoginId, Role};

/// The password of every demo account (the demo page prints it).
pub const DEMO_PASSWORD: &str = "Demo-2026-bjm";

/// Departments: code, Chinese name, English name.
pub const DEPARTMENTS: &[(&str, &str, &str)] = &[
    (
        "D01-SCJG",
        "区市场监督管理局",
        "District Administration for Market Regulation",
    ),
    ("D02-WJW", "区卫生健康委员会", "District Health Commission"),
    (
        "D03-ZJJ",
        "区住房和城乡建设局",
        "District Housing and Urban-Rural Development Bureau",
    ),
    (
        "D04-RSJ",
        "区人力资源和社会保障局",
        "District Human Resources and Social Security Bureau",
    ),
    ("D05-MZJ", "区民政局", "District Civil Affairs Bureau"),
    (
        "D06-GAFJ",
        "公安分局",
        "District Public Security Sub-bureau",
    ),
    (
        "D07-CGJ",
        "区城市管理局",
        "District Urban Management Bureau",
    ),
    (
        "D08-SHJ",
        "生态环境局分局",
        "Ecology and Environment Sub-bureau",
    ),
    (
        "D09-XF",
        "区消防救援大队",
        "District Fire and Rescue Brigade",
    ),
    ("D10-SWJ", "税务局分局", "District Taxation Sub-bureau"),
    (
        "D11-YBJ",
        "区医疗保障局",
        "District Healthcare Security Bureau",
    ),
    ("D12-DAG", "区档案馆", "District Archives"),
    ("D13-SWJ", "区水务局", "District Water Affairs Bureau"),
    (
        "D14-WLJ",
        "区文化和旅游局",
        "District Culture and Tourism Bureau",
    ),
];

/// Service centres: code, Chinese name, English name, level, address.
pub const CENTRES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "C00-QU",
        "区政务服务中心",
        "District Government Service Hall",
        "district",
        "区政务服务中心一楼大厅",
    ),
    (
        "C01-YH",
        "尧化街道便民服务中心",
        "Yaohua Street Service Centre",
        "street",
        "尧化街道办事处一楼",
    ),
    (
        "C02-MQ",
        "马群街道便民服务中心",
        "Maqun Street Service Centre",
        "street",
        "马群街道办事处一楼",
    ),
    (
        "C03-MGQ",
        "迈皋桥街道便民服务中心",
        "Maigaoqiao Street Service Centre",
        "street",
        "迈皋桥街道办事处一楼",
    ),
    (
        "C04-YZJ",
        "燕子矶街道便民服务中心",
        "Yanziji Street Service Centre",
        "street",
        "燕子矶街道办事处一楼",
    ),
    (
        "C05-XL",
        "仙林街道便民服务中心",
        "Xianlin Street Service Centre",
        "street",
        "仙林街道办事处一楼",
    ),
    (
        "C06-QX",
        "栖霞街道便民服务中心",
        "Qixia Street Service Centre",
        "street",
        "栖霞街道办事处一楼",
    ),
    (
        "C07-LT",
        "龙潭街道便民服务中心",
        "Longtan Street Service Centre",
        "street",
        "龙潭街道办事处一楼",
    ),
    (
        "C08-BGZ",
        "八卦洲街道便民服务中心",
        "Baguazhou Street Service Centre",
        "street",
        "八卦洲街道办事处一楼",
    ),
    (
        "C09-XG",
        "西岗街道便民服务中心",
        "Xigang Street Service Centre",
        "street",
        "西岗街道办事处一楼",
    ),
];

struct DemoAccount {
    role: Role,
    login: &'static str,
    name: &'static str,
    department: Option<&'static str>,
    centre: Option<&'static str>,
}

const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        role: Role::Applicant,
        login: "13800138000",
        name: "张小餐",
        department: None,
        centre: None,
    },
    DemoAccount {
        role: Role::FrontDesk,
        login: "qiantai@qixia.example.cn",
        name: "李全科",
        department: None,
        centre: Some("C00-QU"),
    },
    DemoAccount {
        role: Role::Approver,
        login: "shenpi@qixia.example.cn",
        name: "王审批",
        department: Some("D01-SCJG"),
        centre: None,
    },
    DemoAccount {
        role: Role::Approver,
        login: "chengguan@qixia.example.cn",
        name: "刘城管",
        department: Some("D07-CGJ"),
        centre: None,
    },
    DemoAccount {
        role: Role::Approver,
        login: "weijian@qixia.example.cn",
        name: "孙卫健",
        department: Some("D02-WJW"),
        centre: None,
    },
    DemoAccount {
        role: Role::Inspector,
        login: "hecha@qixia.example.cn",
        name: "赵核查",
        department: None,
        centre: None,
    },
    DemoAccount {
        role: Role::Admin,
        login: "admin@qixia.example.cn",
        name: "陈管理",
        department: None,
        centre: None,
    },
];

/// Creates the demo district and accounts if they are missing.
pub async fn seed(state: &AppState) -> ServiceResult<()> {
    let now = now_ms();
    let actor = Actor::system("demo-seed");
    let mut tx = state.db.begin_write().await?;
    let mut created = 0;
    for (code, zh, en) in DEPARTMENTS {
        created += usize::from(
            org::upsert_department(
                &mut tx,
                &org::NewOrgUnit {
                    code,
                    name_zh: zh,
                    name_en: en,
                },
                now,
            )
            .await?,
        );
    }
    for (code, zh, en, level, address) in CENTRES {
        created += usize::from(
            org::upsert_centre(
                &mut tx,
                &org::NewOrgUnit {
                    code,
                    name_zh: zh,
                    name_en: en,
                },
                level,
                address,
                now,
            )
            .await?,
        );
    }
    if created > 0 {
        audit::record(
            &mut tx,
            &actor,
            "demo.seed_organisation",
            "organisation",
            json!({ "created": created }),
        )
        .await?;
    }
    tx.commit().await?;

    for account in ACCOUNTS {
        let mut conn = state.db.read().await?;
        if accounts::find_by_login(&mut conn, account.login)
            .await?
            .is_some()
        {
            continue;
        }
        let department_id = match account.department {
            Some(code) => org::department_id_by_code(&mut conn, code).await?,
            None => None,
        };
        let service_centre_id = match account.centre {
            Some(code) => org::centre_id_by_code(&mut conn, code).await?,
            None => None,
        };
        drop(conn);
        if account.role == Role::Applicant {
            seed_applicant(state, &actor, account).await?;
        } else {
            let secret = totp::generate_secret();
            staff::create(
                state,
                &actor,
                NewStaff {
                    login: account.login,
                    display_name: account.name,
                    role: account.role.code(),
                    department_id,
                    service_centre_id,
                    initial_password: DEMO_PASSWORD,
                },
                Some(&secret),
            )
            .await?;
        }
    }
    // The demo inspector covers every street of the district (and the district hall, where
    // cases without a street land).
    {
        let mut conn = state.db.read().await?;
        for account in ACCOUNTS
            .iter()
            .filter(|account| account.role == Role::Inspector)
        {
            if let Some(user) = accounts::find_by_login(&mut conn, account.login).await? {
                for (code, ..) in CENTRES {
                    crate::backend::db::licences::add_inspector_street(&mut conn, user.id, code)
                        .await?;
                }
            }
        }
    }
    seed_catalogue(state, &actor).await?;
    seed_registry_and_credit(state).await?;
    seed_history(state).await?;
    Ok(())
}

/// A past for the statistics: completed cases of the last 90 days, generated once.
async fn seed_history(state: &AppState) -> ServiceResult<()> {
    let cases = state.config.demo_history_cases;
    if cases == 0 {
        return Ok(());
    }
    let mut conn = state.db.read().await?;
    if crate::backend::history::exists(&mut conn).await? {
        return Ok(());
    }
    drop(conn);
    let plan = crate::backend::history::HistoryPlan {
        cases,
        days: 90,
        completed_only: true,
    };
    crate::backend::history::generate(state, plan).await?;
    Ok(())
}

/// People of the demo population registry: name, birth date, sequence (栖霞区 320113). Their
/// resident IDs get a valid check character. The first is the demo applicant (seeded verified);
/// 赵守信 has a court record that blocks licences, 钱若诺 a broken commitment that only warns.
pub const REGISTRY_PEOPLE: &[(&str, &str, &str)] = &[
    ("张小餐", "19900512", "123"),
    ("王开店", "19880304", "215"),
    ("李美味", "19920718", "332"),
    ("孙理发", "19950226", "441"),
    ("周旅舍", "19791130", "516"),
    ("吴新生", "19930621", "628"),
    ("郑创业", "20000101", "734"),
    ("冯小吃", "19860815", "847"),
    ("赵守信", "19850101", "457"),
    ("钱若诺", "19870909", "568"),
];

/// The demo registry people with their resident IDs and credit standing (for the home page).
pub fn people() -> Vec<crate::api::DemoPerson> {
    use crate::domain::case::CreditLevel;
    REGISTRY_PEOPLE
        .iter()
        .filter_map(|(name, birth, sequence)| {
            Some(crate::api::DemoPerson {
                name: (*name).to_owned(),
                resident_id: demo_resident_id(birth, sequence)?.as_str().to_owned(),
                credit: match *name {
                    "赵守信" => CreditLevel::Block,
                    "钱若诺" => CreditLevel::Warn,
                    _ => CreditLevel::Clear,
                },
            })
        })
        .collect()
}

/// The resident ID of a demo registry person.
pub fn demo_resident_id(birth: &str, sequence: &str) -> Option<crate::domain::ResidentId> {
    let first17 = format!("320113{birth}{sequence}");
    let bytes: [u8; 17] = first17.as_bytes().try_into().ok()?;
    let check = crate::domain::resident_id::check_character(&bytes);
    crate::domain::ResidentId::parse(&format!("{first17}{check}")).ok()
}

/// The demo registry, the demo credit records, and the demo applicant verified at level 2.
async fn seed_registry_and_credit(state: &AppState) -> ServiceResult<()> {
    use super::services::credit::{self, ImportedRecord};
    let people: Vec<(crate::domain::ResidentId, String)> = REGISTRY_PEOPLE
        .iter()
        .filter_map(|(name, birth, sequence)| {
            demo_resident_id(birth, sequence).map(|id| (id, (*name).to_owned()))
        })
        .collect();
    let mut conn = state.db.read().await?;
    let known = super::db::identity::find_registry_person(&mut conn, people[0].0.as_str())
        .await?
        .is_some();
    drop(conn);
    if known {
        return Ok(());
    }
    super::services::identity::import_registry(state, &people).await?;
    let id_of = |name: &str| {
        people
            .iter()
            .find(|(_, known)| known == name)
            .map(|(id, _)| id.as_str().to_owned())
            .unwrap_or_default()
    };
    let records = [
        ImportedRecord::parse(
            &id_of("赵守信"),
            "赵守信",
            "dishonest_debtor",
            "block",
            "南京市栖霞区人民法院",
            "有履行能力而拒不履行生效法律文书确定的给付义务",
            "2025-06-18",
            "2028-06-17",
        ),
        ImportedRecord::parse(
            &id_of("钱若诺"),
            "钱若诺",
            "broken_commitment",
            "warn",
            "栖霞区市场监督管理局",
            "告知承诺核查中发现未按承诺落实经营场所条件，已整改",
            "2026-03-02",
            "2027-03-01",
        ),
    ];
    let records: Vec<ImportedRecord> = records
        .into_iter()
        .collect::<Result<_, _>>()
        .map_err(|problem| anyhow::anyhow!("demo credit record: {problem}"))?;
    credit::import(state, &Actor::system("demo-seed"), &records).await?;

    // The demo applicant: phone confirmed and registry matched.
    let mut tx = state.db.begin_write().await?;
    if let Some(user) = accounts::find_by_login(&mut tx, "13800138000").await? {
        let now = now_ms();
        super::db::identity::confirm_contact(&mut tx, user.id, now).await?;
        super::db::identity::bind_resident(&mut tx, user.id, &id_of("张小餐"), "张小餐", now)
            .await?;
        audit::record(
            &mut tx,
            &Actor::system("demo-seed"),
            "demo.seed_identity",
            &format!("user:{}", user.id),
            json!({ "level": "L2" }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Loads the demo catalogue (`app/seed/catalogue.json`); unchanged items are skipped, so this
/// is cheap on every start.
async fn seed_catalogue(state: &AppState, actor: &Actor) -> ServiceResult<()> {
    let catalogue = super::seed_catalogue::demo_catalogue().map_err(anyhow::Error::from)?;
    let report = super::services::catalogue::import(state, actor, &catalogue, true).await?;
    if !report.rejected.is_empty() {
        return Err(
            anyhow::anyhow!("the demo catalogue has problems: {:?}", report.rejected).into(),
        );
    }
    Ok(())
}

async fn seed_applicant(
    state: &AppState,
    actor: &Actor,
    account: &DemoAccount,
) -> ServiceResult<()> {
    let login =
        LoginId::parse(account.login).map_err(|_| anyhow::anyhow!("demo login is invalid"))?;
    let hash = super::auth::password::hash(DEMO_PASSWORD.to_owned()).await?;
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let user_id = super::services::insert_account(
        &mut tx,
        accounts::NewUser {
            login: &login,
            display_name: account.name,
            password_hash: &hash,
            role: Role::Applicant,
            department_id: None,
            service_centre_id: None,
            totp_secret: None,
            totp_enrolled_at: None,
            now,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        "demo.seed_applicant",
        &format!("user:{user_id}"),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The demo logins with each staff account's current TOTP code, for the home page.
pub async fn logins(state: &AppState) -> ServiceResult<Vec<DemoLogin>> {
    let now_secs = u64::try_from(now_ms() / 1000).unwrap_or(0);
    let mut conn = state.db.read().await?;
    let mut result = Vec::with_capacity(ACCOUNTS.len());
    for account in ACCOUNTS {
        let Some(row) = accounts::find_by_login(&mut conn, account.login).await? else {
            continue;
        };
        let totp_code = match &row.totp_secret {
            Some(secret) => Some(totp::code_at(secret, now_secs)?),
            None => None,
        };
        result.push(DemoLogin {
            role: account.role,
            login: account.login.to_owned(),
            password: DEMO_PASSWORD.to_owned(),
            display_name: row.display_name,
            totp_secret: row.totp_secret,
            totp_code,
        });
    }
    Ok(result)
}
