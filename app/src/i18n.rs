//! The i18n layer: every user-visible string of the UI and of error messages lives here, in
//! Chinese (first language) and English. Keys are an enum, so a missing translation is a compile
//! error, not a blank on screen.

use serde::{Deserialize, Serialize};

use crate::domain::catalogue::{LocatedProblem, SpecProblem};
use crate::domain::credit_code::CreditCodeProblem;
use crate::domain::form_values::ValueProblem;
use crate::domain::resident_id::ResidentIdProblem;
use crate::domain::{Field, FieldError, Problem, Role};

/// The UI language. Chosen by the `lang` cookie; Chinese when absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub const COOKIE: &'static str = "lang";

    /// The BCP 47 tag for `<html lang>`.
    pub const fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub const fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code.trim() {
            "zh" | "zh-CN" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Finds the language in a `Cookie:` header value (or `document.cookie`).
    pub fn from_cookie_header(header: &str) -> Self {
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == Self::COOKIE)
            .and_then(|(_, value)| Self::from_code(value))
            .unwrap_or_default()
    }

    pub const fn other(self) -> Self {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

macro_rules! messages {
    ($($key:ident => $zh:literal, $en:literal;)*) => {
        /// A translatable UI string.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg { $($key),* }

        impl Msg {
            pub const fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Msg::$key, Lang::Zh) => $zh, (Msg::$key, Lang::En) => $en,)*
                }
            }
        }
    };
}

messages! {
    AppName => "不见面审批", "Online Approval Portal";
    AppTagline => "不推一扇门、不见一个人、办成所有事", "No office to visit, no queue to join: get every licence from home";
    SkipToContent => "跳到主要内容", "Skip to main content";
    SwitchLanguage => "English", "中文";
    SwitchLanguageLabel => "切换到英文界面", "Switch to Chinese";
    NavHome => "首页", "Home";
    NavLogin => "登录", "Sign in";
    NavRegister => "注册", "Register";
    NavLogout => "退出登录", "Sign out";
    NavMyCases => "我的办件", "My applications";
    NavDesk => "受理工作台", "Front desk";
    NavApprovals => "审批工作台", "Approvals";
    NavInspections => "核查任务", "Inspections";
    NavAdmin => "管理", "Administration";
    NavAccount => "账号安全", "Account security";
    MainNavigation => "主导航", "Main navigation";
    SignedInAs => "当前用户", "Signed in as";
    HomeIntroTitle => "在家就能开店", "Open your shop from home";
    HomeIntroBody => "实名核验、在线填报一张表、电子签署承诺书，证照以 PDF 电子证照发送到您的邮箱或快递到家。任何一个服务中心的全科社工都可以受理任何事项，各部门在后台同步审批。", "Verify your identity, fill in one form, sign commitments electronically and receive your licences as PDF e-licences by email or courier. An all-round social worker at any service centre can accept any item, while departments approve in parallel in the back office.";
    HomeStepsTitle => "办理流程", "How it works";
    HomeStep1 => "注册并实名核验", "Register and verify your identity";
    HomeStep2 => "选择事项，填写一张表单", "Choose the item and fill in one form";
    HomeStep3 => "前台受理，各部门并联审批", "Front desk accepts, departments approve in parallel";
    HomeStep4 => "电子证照送达", "Receive your e-licence";
    HomeStart => "立即注册", "Register now";
    HomeGoToWorkspace => "进入我的工作台", "Go to my workspace";
    StepsDoneCounter => "已了解的步骤", "Steps you have read";
    MarkStepRead => "我已了解", "Got it";
    DemoTitle => "演示账号", "Demo accounts";
    DemoExplain => "本站运行在演示模式。以下账号可直接登录；工作人员登录需要动态验证码（TOTP），此处显示当前验证码，也可以用身份验证器 App 扫描账号的密钥，或在服务器上运行 `server totp-code <账号>` 获取。", "This site runs in demo mode. The accounts below can sign in directly. Staff sign-in needs a one-time code (TOTP): the current code is shown here; you can also add the secret to an authenticator app, or run `server totp-code <login>` on the server.";
    DemoRole => "角色", "Role";
    DemoLogin => "账号", "Login";
    DemoPassword => "密码", "Password";
    DemoCode => "当前动态码", "Current code";
    DemoSecret => "TOTP 密钥", "TOTP secret";
    DemoRefreshCodes => "刷新动态码", "Refresh codes";
    DemoNoCode => "无需", "not needed";
    RoleApplicant => "申请人", "Applicant";
    RoleFrontDesk => "前台全科社工", "Front-desk social worker";
    RoleApprover => "部门审批人员", "Department approver";
    RoleInspector => "核查人员", "Inspector";
    RoleAdmin => "政务办管理员", "Service office administrator";
    FieldLogin => "手机号或邮箱", "Phone or email";
    FieldLoginHelp => "中国大陆 11 位手机号，或电子邮箱地址", "An 11-digit mainland mobile number, or an email address";
    FieldPassword => "密码", "Password";
    FieldNewPassword => "新密码", "New password";
    FieldPasswordHelp => "至少 10 位，同时包含字母和数字", "At least 10 characters with letters and digits";
    FieldDisplayName => "姓名", "Name";
    FieldRole => "角色", "Role";
    FieldDepartment => "部门", "Department";
    FieldServiceCentre => "服务中心", "Service centre";
    FieldTotpCode => "动态验证码", "One-time code";
    FieldTotpHelp => "身份验证器 App 中显示的 6 位数字", "The 6 digits shown in your authenticator app";
    FieldLanguage => "语言", "Language";
    FieldOneTimeCode => "验证码", "Verification code";
    FieldLegalName => "姓名（与身份证一致）", "Name (as on the ID card)";
    FieldResidentId => "居民身份证号码", "Resident ID number";
    FieldFile => "上传的文件", "The uploaded file";
    FieldSignatureMark => "签名", "Signature";
    FieldSigningKey => "本设备的签名密钥", "This device's signing key";
    FieldReason => "理由", "Reason";
    PersonCheckExplain => "部分事项需要人证核对：请上传身份证人像面照片和一张本人正面照片（JPG 或 PNG），由服务中心工作人员比对审核。", "Some items need a person–ID check: upload a photo of your ID card's portrait side and a photo of your face (JPG or PNG); a service-centre worker compares them.";
    PersonCheckIdCard => "身份证人像面照片", "ID card, portrait side";
    PersonCheckSelfie => "本人正面照片", "Photo of your face";
    PersonCheckUploaded => "已上传", "Uploaded";
    PersonCheckRequest => "提交人证核对", "Ask for the person–ID check";
    PersonCheckPending => "人证核对审核中，结果会通过消息通知您。", "The person–ID check is being reviewed; you will be notified.";
    PersonCheckRefused => "人证核对未通过：", "The person–ID check was refused:";
    PersonCheckQueueTitle => "人证核对", "Person–ID checks";
    PersonCheckQueueEmpty => "没有待审核的人证核对。", "No person–ID checks waiting.";
    PersonCheckApprove => "核对一致，通过", "Matches: approve";
    PersonCheckRefuse => "不一致，退回", "Does not match: refuse";
    PersonCheckDecide => "提交核对结果", "Record the decision";
    PersonCheckReasonHelp => "退回时必填，申请人会看到理由，例如“照片模糊，看不清面部”。", "Required when refusing; the applicant sees it, e.g. “the photo is blurred; the face cannot be seen”.";
    NotifPersonApproved => "人证核对已通过", "Person–ID check approved";
    NotifPersonRefused => "人证核对未通过", "Person–ID check refused";
    LoginTitle => "登录", "Sign in";
    LoginSubmit => "登录", "Sign in";
    LoginNoAccount => "还没有账号？", "No account yet?";
    LoginStaffNote => "工作人员账号由管理员创建，登录时需要动态验证码。", "Staff accounts are created by an administrator and need a one-time code to sign in.";
    TotpTitle => "第二步：动态验证码", "Step 2: one-time code";
    TotpExplain => "请输入身份验证器 App 中显示的 6 位动态验证码。", "Enter the 6-digit code shown in your authenticator app.";
    TotpEnrolTitle => "首次登录：绑定身份验证器", "First sign-in: set up your authenticator";
    TotpEnrolExplain => "工作人员登录必须使用第二因素。请用身份验证器 App（如 FreeOTP、Google Authenticator、Microsoft Authenticator）扫描二维码，或手动输入密钥，然后输入显示的 6 位数字。", "Staff sign-in requires a second factor. Scan the QR code with an authenticator app (such as FreeOTP, Google Authenticator or Microsoft Authenticator), or type the secret, then enter the 6 digits it shows.";
    TotpSecretLabel => "密钥", "Secret";
    TotpSubmit => "验证并登录", "Verify and sign in";
    RegisterTitle => "注册申请人账号", "Register as an applicant";
    RegisterSubmit => "注册", "Register";
    RegisterHaveAccount => "已有账号？", "Already registered?";
    RegisterNote => "注册后即可浏览事项、保存草稿；提交申请前需完成实名核验。", "Once registered you can browse items and save drafts; identity verification is needed before you submit.";
    Working => "正在处理…", "Working…";
    FormHasErrors => "请修改以下问题后重试：", "Please fix the following and try again:";
    MyCasesTitle => "我的办件", "My applications";
    MyCasesEmpty => "您还没有办件。浏览事项清单，选择要办理的事项即可开始。", "You have no applications yet. Browse the service catalogue and choose an item to start.";
    DeskTitle => "受理工作台", "Front-desk workbench";
    DeskCentre => "所属服务中心", "Service centre";
    DeskQueueEmpty => "待受理队列为空：目前没有已提交或补正后重新提交的办件。", "The acceptance queue is empty: no submitted or resubmitted applications are waiting.";
    ApprovalsTitle => "审批工作台", "Approval workbench";
    ApprovalsDepartment => "所属部门", "Department";
    ApprovalsQueueEmpty => "本部门暂无待审批任务。", "Your department has no approval tasks waiting.";
    InspectionsTitle => "核查任务", "Inspection tasks";
    InspectionsEmpty => "暂无待核查的告知承诺事项。", "No commitment-based permits are waiting for inspection.";
    AdminTitle => "管理", "Administration";
    AdminStaffTitle => "工作人员", "Staff";
    AdminCreateStaffTitle => "新建工作人员账号", "Create a staff account";
    AdminCreateStaffSubmit => "创建账号", "Create account";
    AdminInitialPassword => "初始密码", "Initial password";
    AdminStaffCreated => "已创建账号。请将账号和初始密码当面交给本人；首次登录时需绑定身份验证器。", "Account created. Hand the login and initial password to the person; they set up an authenticator at first sign-in.";
    AdminNoBinding => "（无）", "(none)";
    AdminStatus => "状态", "Status";
    AdminActive => "在岗", "Active";
    AdminRemoved => "已停用", "Removed";
    AdminActions => "操作", "Actions";
    AdminRemove => "停用", "Remove";
    AdminChangeRole => "调整角色", "Change role";
    AdminSave => "保存", "Save";
    AdminDepartmentsTitle => "部门", "Departments";
    AdminCentresTitle => "服务中心", "Service centres";
    AdminTotpEnrolled => "已绑定动态码", "2FA set up";
    AdminTotpPending => "待绑定动态码", "2FA pending";
    AdminUpdated => "已保存，该人员的全部登录会话已失效。", "Saved; all of this person's sessions have been signed out.";
    ChooseOne => "请选择", "Choose one";
    AccountTitle => "账号安全", "Account security";
    ChangePasswordTitle => "修改密码", "Change password";
    CurrentPassword => "当前密码", "Current password";
    ChangePasswordSubmit => "修改密码", "Change password";
    PasswordChanged => "密码已修改。其他设备上的登录已全部退出。", "Password changed. You have been signed out on every other device.";
    ForbiddenTitle => "无权访问（403）", "Access denied (403)";
    ForbiddenBody => "您的账号没有访问此页面的权限。如需办理，请返回您的工作台；如认为有误，请联系政务办管理员。", "Your account may not open this page. Go back to your workspace, or contact the service office if you think this is a mistake.";
    UnauthenticatedTitle => "请先登录", "Please sign in";
    UnauthenticatedBody => "此页面需要登录后访问。", "You need to sign in to open this page.";
    NotFoundTitle => "页面不存在（404）", "Page not found (404)";
    NotFoundBody => "您访问的地址不存在，请检查链接或返回首页。", "There is no page at this address. Check the link or go back to the home page.";
    BackToHome => "返回首页", "Back to the home page";
    BackToWorkspace => "返回我的工作台", "Back to my workspace";
    Loading => "正在加载…", "Loading…";
    ErrUnauthenticated => "登录已失效，请重新登录。", "Your session has ended. Please sign in again.";
    ErrForbidden => "您的账号没有执行此操作的权限。", "Your account is not allowed to do this.";
    ErrBadCredentials => "账号或密码不正确。", "The login or password is not correct.";
    ErrBadSecondFactor => "动态验证码不正确或已过期，请重新登录。", "The one-time code is wrong or has expired; please sign in again.";
    ErrInvalidRequest => "提交的内容无法识别，请刷新页面后重新填写提交。", "The request could not be read. Reload the page and submit the form again.";
    ErrRateLimited => "尝试次数过多，请稍后再试。", "Too many attempts. Please wait and try again.";
    ErrCrossSite => "请求来源无法确认（跨站请求已被拒绝），请刷新页面后重试。", "The request's origin could not be confirmed (cross-site requests are refused). Reload the page and try again.";
    ErrNotFound => "要操作的记录不存在。", "The record does not exist.";
    ErrChangedMeanwhile => "在您编辑期间，其他人已修改了这条记录。请重新加载页面，再做一次修改。", "Somebody else changed this record while you were editing. Reload the page and make your change again.";
    ErrInternal => "系统暂时出现问题，请稍后再试。您的数据未被修改。", "Something went wrong on our side. Please try again later; nothing was changed.";
    ErrStorageUnavailable => "服务器暂时无法保存数据（存储空间已满或处于只读状态），您的数据未被修改。请稍后再试；如持续出现，请联系服务办公室。", "The server cannot store data right now (its storage is full or read-only); nothing was changed. Please try again later, and tell the service office if this goes on.";
    ErrUnavailable => "服务器暂时无法连接数据库或文件存储，请稍后再试。您的数据未被修改。", "The server cannot reach its database or file storage right now. Please try again later; nothing was changed.";
    ErrTransport => "无法连接服务器，请检查网络后重试。", "Could not reach the server. Check your connection and try again.";
    ErrRetryAfter => "秒后可重试", "seconds until you can retry";
    NavCatalogue => "事项清单", "Services";
    FieldPeriodFrom => "开始日期", "From";
    FieldPeriodTo => "结束日期", "To";
    NavStatistics => "数据统计", "Statistics";
    StatsTitle => "政务服务数据统计", "Government service statistics";
    StatsIntro => "本页公开本区政务服务的办件数据：期间内提交的申请、办理用时、按时办结率、秒批占比和一次性告知执行情况。数据每分钟更新，不含任何个人信息。", "Public figures of this district's government services: applications submitted in the period, time to licence, on-time rate, instant approvals and one-time notices. Updated every minute; no personal data.";
    StatsAdminTitle => "统计分析（政务办）", "Statistics (service office)";
    StatsAdminIntro => "与公开页相同的数据，另加每名窗口人员、审批人员和每个部门的工作量。", "The public figures, plus the work of each front-desk worker, approver and department.";
    StatsShow => "查询", "Show";
    StatsDownloadCsv => "下载 CSV", "Download CSV";
    StatsRefreshedAt => "数据更新于", "Figures as of";
    StatsNotYetRefreshed => "统计数据正在生成，请一分钟后刷新页面。", "The figures are being prepared; reload the page in a minute.";
    StatsPeriodNote => "统计口径：期间内提交的申请及其后续办理情况；“期间内发证”按发证日期统计。用时为中位数和 90% 分位（按对数分段估算，误差在一段之内）。", "What is counted: applications submitted in the period and what happened to them since; licences issued in the period by the day of issue. Times are medians and 90th percentiles (estimated from logarithmic bands, accurate to within one band).";
    StatsKeyFigures => "主要指标", "Key figures";
    StatsCases => "申请件数", "Applications";
    StatsInstantShare => "秒批占比", "Instant approvals";
    StatsOnTimeRate => "按时办结率", "Decided on time";
    StatsOneTimeCompliance => "一次性告知执行率", "One-time notice kept";
    StatsMultiNotice => "多次补正件数", "Returned more than once";
    StatsReturnedCases => "补正件数", "Returned for correction";
    StatsRefusedCases => "不予受理件数", "Refused";
    StatsIssuedCases => "已发证件数", "Licensed";
    StatsIssuedInPeriod => "期间内发证", "Licences issued in the period";
    StatsOfDecided => "占已办结", "of decided";
    StatsOfReturned => "占补正件", "of returned";
    StatsOfCases => "占申请", "of applications";
    StatsStageTimes => "办理用时", "Time taken";
    StatsStage => "环节", "Stage";
    StatsMedian => "中位数", "Median";
    StatsP90 => "90% 分位", "90th percentile";
    StatsStageToLicence => "提交至发证（全程）", "Submission to licence (all)";
    StatsStageAtFrontDesk => "窗口受理", "At the front desk";
    StatsStageInBackOffice => "后台审批", "In the back office";
    StatsStageWaiting => "等待申请人（补正、补充材料）", "Waiting for the applicant";
    StatsCaseCount => "件数", "Cases";
    StatsPerDay => "每日申请与发证", "Applications and licences per day";
    StatsDay => "日期", "Day";
    StatsSubmitted => "提交申请", "Submitted";
    StatsIssued => "发证", "Licences issued";
    StatsByStatus => "按办理状态", "By status";
    StatsByItem => "按事项（前 15 项）", "By item (top 15)";
    StatsByDepartment => "按审批部门", "By department";
    StatsByCentre => "按受理中心", "By accepting centre";
    StatsCentreOnline => "网上自动受理（秒批）", "Accepted online by the rules";
    StatsRefusals => "不予受理原因", "Reasons for refusal";
    StatsReturnPoints => "补正最多的内容", "What corrections asked for most";
    StatsReturnField => "表单项", "Field";
    StatsReturnMaterial => "材料", "Material";
    StatsDistribution => "提交至发证用时分布", "Time from submission to licence";
    StatsBinUnder10m => "10 分钟内", "Under 10 min";
    StatsBin10m1h => "10 分钟–1 小时", "10 min – 1 h";
    StatsBin1h1d => "1 小时–1 天", "1 h – 1 day";
    StatsBin1d3d => "1–3 天", "1–3 days";
    StatsBin3d7d => "3–7 天", "3–7 days";
    StatsBin7d15d => "7–15 天", "7–15 days";
    StatsBin15d30d => "15–30 天", "15–30 days";
    StatsBin30dMore => "30 天以上", "30 days or more";
    StatsStaffTitle => "人员与部门工作量（仅政务办可见）", "Work of staff and departments (service office only)";
    StatsWorker => "窗口人员", "Front-desk worker";
    StatsUnit => "所属单位", "Unit";
    StatsAccepted => "受理", "Accepted";
    StatsReturned => "退回补正", "Returned";
    StatsRefused => "不予受理", "Refused";
    StatsApprover => "审批人员", "Approver";
    StatsApproved => "同意", "Approved";
    StatsRejected => "不同意", "Rejected";
    StatsDepartment => "部门", "Department";
    StatsName => "名称", "Name";
    StatsValue => "数值", "Value";
    StatsSection => "分类", "Section";
    StatsCode => "代码", "Code";
    StatsNone => "本期间没有数据。", "No figures for this period.";
    StatsTableCaption => "数据表：", "Table: ";
    StatsChartDesc => "柱状图，数值见下表。", "Bar chart; the figures are in the table below.";
    StatsLineDesc => "折线图，每日数值见下表。", "Line chart; the daily figures are in the table below.";
    StatsNoData => "—", "—";
    StatsDashboardLink => "人员工作量与数据下载（政务办）", "Staff workload and downloads (service office)";
    UnitDays => "天", "d";
    UnitHours => "小时", "h";
    UnitMinutes => "分钟", "min";
    UnitUnderMinute => "不到 1 分钟", "under 1 min";
    EditorListTitle => "事项清单管理", "Catalogue editor";
    EditorListIntro => "新建和修改事项、“一件事”，预览办事指南，发布或下架。已发布的版本不会被修改：修改已发布的事项会生成新的草稿版本，发布后公众看到新版本，已提交的申请仍按原版本办理。", "Create and edit items and bundles, preview their guides, publish or withdraw them. Published versions never change: editing a published item starts a new draft version; once published the public sees it, while applications already filed keep their version.";
    EditorNewItem => "新建事项", "New item";
    EditorNewBundle => "新建“一件事”", "New bundle";
    EditorEditItem => "编辑事项", "Edit item";
    EditorEditBundle => "编辑“一件事”", "Edit bundle";
    EditorSearchLabel => "按编码或名称查找", "Find by code or name";
    EditorItems => "事项", "Items";
    EditorBundles => "一件事", "Bundles";
    EditorName => "名称", "Name";
    EditorDescription => "说明", "Description";
    EditorPublished => "已发布", "Published";
    EditorNotPublished => "未发布", "Not published";
    EditorDraft => "草稿", "Draft";
    EditorCurrent => "当前公开版本", "Current public version";
    EditorEarlier => "历史版本", "Earlier version";
    EditorViewGuide => "查看办事指南", "View guide";
    EditorSavedAt => "时间（北京时间）", "Time (China Standard Time)";
    EditorSavedBy => "操作人", "By";
    EditorPublicVersion => "公开版本", "Public version";
    EditorDraftWaiting => "待发布草稿", "draft waiting to be published";
    EditorSavedDraft => "草稿已保存。发布后公众才能看到。", "Draft saved. The public sees it once it is published.";
    EditorNothingChanged => "内容与最新版本相同，未做修改。", "The content equals the latest version; nothing was changed.";
    EditorPublishedNow => "已发布。办事指南现在显示此版本，新申请按此版本办理。", "Published. The guide now shows this version and new applications are filed under it.";
    EditorUnpublishedNow => "已下架。公众不再看到此条目，各版本仍保留。", "Withdrawn. The public no longer sees it; its versions stay stored.";
    EditorBackToList => "返回事项清单管理", "Back to the catalogue editor";
    EditorMode => "编辑或预览", "Edit or preview";
    EditorEditTab => "编辑", "Edit";
    EditorPreviewTab => "预览办事指南", "Preview guide";
    EditorPreviewNote => "以下是按当前填写内容生成的办事指南预览，尚未保存或发布。", "This is the guide as currently filled in; it is neither saved nor published.";
    EditorBasics => "基本信息", "Basics";
    EditorCodeHelp => "事项编码创建后不可更改：3–40 位大写字母、数字或“-”。", "The code cannot change once created: 3–40 characters of A–Z, 0–9 and '-'.";
    EditorApproving => "并联审批部门", "Departments approving in parallel";
    EditorLimitsAndService => "时限与服务方式", "Time limits and service";
    EditorDaysHelp => "按工作日计算；0 表示即办。承诺时限不能超过法定时限。", "In working days; 0 means decided the same day. The promised limit must not exceed the statutory one.";
    EditorCentresHelp => "都不勾选表示所有服务中心均可受理（区街同权）。", "Leave all unticked to let every service centre accept it.";
    EditorChinese => "中文", "Chinese";
    EditorEnglish => "英文", "English";
    EditorFree => "不收费", "Free of charge";
    EditorRowCode => "编码", "Code";
    EditorTemplate => "样表或模板名称（可不填）", "Sample or template name (optional)";
    EditorAddMaterial => "添加材料", "Add a material";
    EditorFormHelp => "申请表的字段：字段键在一件事中用于合并共用字段，只能用小写字母、数字和下划线。", "The fields of the application form. Keys join shared fields in bundles: lower-case letters, digits and underscores only.";
    EditorField => "字段", "Field";
    EditorFieldKey => "字段键", "Key";
    EditorFieldLabel => "标签", "Label";
    EditorFieldType => "类型", "Type";
    EditorFieldHelp => "填写说明（可不填）", "Help text (optional)";
    EditorAddField => "添加字段", "Add a field";
    EditorMinLength => "最少字数", "Minimum length";
    EditorMaxLength => "最多字数", "Maximum length";
    EditorMin => "最小值", "Minimum";
    EditorMax => "最大值", "Maximum";
    EditorMaxSelected => "最多可选几项", "Maximum number selected";
    EditorOptions => "选项", "Options";
    EditorOptionsHelp => "每行一个选项：值|中文|English，例如 small|小型|Small。", "One option per line: value|中文|English, e.g. small|小型|Small.";
    EditorLicence => "证照", "Licence";
    EditorLicenceType => "证照类型（小写字母、数字、下划线）", "Licence type (a–z, 0–9, _)";
    EditorAddLicence => "添加证照", "Add a licence";
    EditorMoveUp => "上移", "Move up";
    EditorMoveDown => "下移", "Move down";
    EditorRemove => "删除", "Remove";
    EditorAdd => "加入", "Add";
    EditorNoProblems => "没有发现问题，可以保存。", "No problems found; ready to save.";
    EditorProblemsLeft => "处问题需要修改后才能保存。", "problems to fix before saving.";
    EditorSave => "保存草稿", "Save draft";
    EditorPublication => "发布", "Publication";
    EditorPublishHelp => "发布后，办事指南显示该版本，新申请按该版本办理；已提交的申请不受影响。", "Once published, the guide shows this version and new applications are filed under it; applications already filed are not affected.";
    EditorPublish => "发布版本", "Publish version";
    EditorUnpublish => "下架", "Withdraw";
    EditorSaveFirst => "有未保存的修改：请先保存草稿，再发布。", "There are unsaved changes: save the draft before publishing.";
    EditorFindItem => "查找要加入的事项（名称或编码）", "Find an item to add (name or code)";
    EditorSharedHelp => "勾选在所选事项中共同出现的字段，申请人只需填写一次。", "Tick the fields the chosen items have in common; the applicant fills each in once.";
    NavCatalogueEditor => "事项清单管理", "Catalogue editor";
    TypeText => "文本", "Text";
    TypeNumber => "数字", "Number";
    TypeMoney => "金额", "Amount of money";
    TypeDate => "日期", "Date";
    TypeSelect => "单选", "Single choice";
    TypeMultiSelect => "多选", "Multiple choice";
    TypeAddress => "地址", "Address";
    TypeResidentId => "居民身份证号码", "Resident ID number";
    TypeCreditCode => "统一社会信用代码", "Unified social credit code";
    TypePhone => "手机号", "Phone number";
    TypeEmail => "电子邮箱", "Email";
    TypeBusinessScope => "经营范围", "Business scope";
    CatalogueTitle => "事项清单与办事指南", "Service catalogue and guides";
    CatalogueIntro => "选择要办理的事项，查看办事指南：所需材料、办理时限、审批部门和办理流程。", "Choose the item you need and read its guide: materials, time limits, approving departments and the process.";
    CatalogueSearchLabel => "搜索事项名称或事项编码", "Search by name or item code";
    CatalogueSearchSubmit => "搜索", "Search";
    CatalogueAllDepartments => "全部部门", "All departments";
    CatalogueAllKinds => "全部类型", "All kinds";
    CatalogueAllOnline => "全部办理方式", "Any way of handling";
    CatalogueInstantOnly => "只看秒批事项", "Instant approval only";
    CatalogueCommitmentOnly => "只看告知承诺事项", "Commitment-based only";
    CatalogueCountItems => "项事项，其中", "items, of which";
    CatalogueCountOnline => "项全程网办", "fully online";
    CatalogueNoResults => "没有找到符合条件的事项。请换个关键词，或减少筛选条件。", "No items match. Try other words or fewer filters.";
    CataloguePrevious => "上一页", "Previous page";
    CatalogueNext => "下一页", "Next page";
    CataloguePage => "页", "page";
    CatalogueBundlesTitle => "一件事 · 证照联办", "One-stop bundles";
    CatalogueBundleItems => "个事项一次办", "items in one application";
    KindLicensing => "行政许可", "Administrative licence";
    KindConfirmation => "行政确认", "Administrative confirmation";
    KindFiling => "行政备案", "Administrative filing";
    KindPublicService => "公共服务", "Public service";
    OnlineFully => "全程网办", "Fully online";
    OnlineOneVisit => "需到场一次", "One visit needed";
    BadgeInstant => "秒批", "Instant approval";
    BadgeCommitment => "告知承诺", "Commitment-based";
    PromisedDays => "承诺时限", "Promised time limit";
    StatutoryDays => "法定时限", "Statutory time limit";
    WorkingDays => "个工作日", "working days";
    SameDay => "即办", "same day";
    GuideCode => "事项编码", "Item code";
    GuideKind => "事项类型", "Kind";
    GuideVersion => "版本", "Version";
    GuideDepartments => "审批部门", "Approving departments";
    GuideResponsible => "实施主体", "Responsible department";
    GuideLegalBasis => "设定依据", "Legal basis";
    GuideConditions => "受理条件", "Conditions";
    GuideFee => "收费标准", "Fees";
    GuideOnline => "办理方式", "How it is handled";
    GuideVisitReason => "到场原因", "Why a visit is needed";
    GuideMaterials => "申请材料", "Materials";
    GuideMaterialName => "材料名称", "Material";
    GuideMaterialRequired => "是否必需", "Required";
    GuideMaterialTypes => "文件格式", "File types";
    GuideRequired => "必需", "Required";
    GuideOptional => "可选", "Optional";
    GuideTemplate => "提供样表", "Template provided";
    GuideForm => "需要填写的信息", "What the form asks";
    GuideDelivery => "送达方式", "Delivery";
    DeliveryDownload => "在线下载", "Download";
    DeliveryEmail => "电子邮件", "Email";
    DeliveryCourier => "快递送达", "Courier";
    DeliveryPickup => "同城取件", "Pickup at any centre";
    GuideCommitment => "告知承诺书", "Commitment letter";
    GuideInstant => "本事项可秒批：材料齐全、信用良好、实名核验通过的申请由系统自动审批，即时出证。", "This item can be approved instantly: a verified applicant with complete materials and a clean credit record gets the licence at once.";
    GuideLicences => "办结后颁发", "Issued on approval";
    GuideIdentity => "实名核验要求", "Identity verification needed";
    IdentityL1 => "手机号或邮箱验证", "Phone or email confirmed";
    IdentityL2 => "姓名与身份证号核验", "Name and resident ID verified";
    IdentityL3 => "人证核对", "Person–ID check";
    GuideCentres => "可受理的服务中心", "Accepting service centres";
    GuideAllCentres => "全区任一服务中心均可受理（区街同权）", "Any service centre in the district (equal powers)";
    GuideProcess => "办理流程", "Process";
    ProcessApplicant => "申请人在线提交", "Applicant submits online";
    ProcessFrontDesk => "任一服务中心前台受理", "Any front desk accepts";
    ProcessParallel => "各部门并联审批", "Departments approve in parallel";
    ProcessLicence => "电子证照送达", "E-licence delivered";
    ProcessInstant => "系统秒批", "Instant approval by the system";
    GuideInBundles => "可与其他事项一起办理", "Can be applied for together with other items";
    BundleIncludes => "包含的事项", "Items included";
    BundleSharedFields => "只需填写一次的信息", "Asked only once";
    BundleTotalDays => "最长承诺时限", "Longest promised time limit";
    GuideOldVersion => "您正在查看历史版本：版本", "You are reading an earlier version: version";
    GuideSeeCurrent => "查看当前版本", "See the current version";
    GuideHistory => "版本历史", "Version history";
    BackToCatalogue => "返回事项清单", "Back to the catalogue";
    FooterText => "不见面审批 · 开源政务服务平台", "Online Approval Portal · open-source government services";
    // Applicant journey: identity, credit, applications, cases.
    StartApplication => "在线申请", "Apply online";
    DemoPeopleTitle => "演示人口库", "Demo population registry";
    DemoPeopleExplain => "注册申请人账号后，可在“账号安全”页用下列姓名和身份证号完成实名核验（每个身份证号只能绑定一个账号）。验证码邮件写入数据目录下的 outbox 文件夹。", "After registering an applicant account, verify your identity on the Account page with one of these names and ID numbers (each ID binds to one account). Code mails are written to the outbox folder of the data directory.";
    StartNeedsLogin => "登录或注册后即可在线申请，填写内容自动保存，可在任何设备上继续。", "Sign in or register to apply online; what you type is saved as you go and can be continued on any device.";
    StartApplicantsOnly => "工作人员账号不能提交申请；请使用申请人账号。", "Staff accounts cannot apply; use an applicant account.";
    IdentityTitle => "实名核验", "Identity verification";
    IdentityLevelNow => "当前核验等级", "Current level";
    IdentityNone => "尚未核验", "Not verified yet";
    IdentityStepContact => "第一步：验证手机号或邮箱", "Step 1: confirm your phone or email";
    IdentityStepResident => "第二步：核验姓名和身份证号", "Step 2: verify your name and resident ID";
    IdentityStepPerson => "第三步：人证核对（事项需要时，由服务中心审核身份证照片与本人照片）", "Step 3: person–ID check (when an item needs it, a service centre compares your ID photo and a selfie)";
    IdentityDone => "已完成", "Done";
    IdentityNeedStep1 => "请先完成第一步。", "Complete step 1 first.";
    SendCode => "发送验证码", "Send code";
    SendCodeAgain => "重新发送", "Send again";
    ConfirmCode => "确认", "Confirm";
    VerifyResident => "核验", "Verify";
    ContactConfirmedNow => "手机号或邮箱已验证。", "Your phone or email is confirmed.";
    ResidentVerifiedNow => "姓名和身份证号已核验。", "Your name and resident ID are verified.";
    ResidentIdHelp => "18 位，最后一位可能是 X", "18 characters; the last may be X";
    DeliveryNoteSms => "演示环境：短信不会真正发出，验证码写入服务器日志。", "Demo setup: text messages are not really sent; the code is written to the server log.";
    DeliveryNoteMail => "演示环境：未连接邮件服务器，邮件以 .eml 文件写入数据目录下的 outbox 文件夹。", "Demo setup: no mail server is connected; mail is written as .eml files to the outbox folder of the data directory.";
    CreditTitle => "信用核查", "Credit check";
    CreditClear => "未发现失信记录。", "No dishonesty records found.";
    CreditWarn => "存在需要关注的信用记录：可以提交申请，但不能秒批，由窗口人工办理。", "There are records to note: you can apply, but not by instant approval; a front desk handles your application.";
    CreditBlock => "存在失信记录：行政许可和告知承诺类事项暂不能申请。", "There are dishonesty records: licences and commitment-based items are closed to you for now.";
    CreditNotYet => "完成第二步后自动核查。", "Checked automatically once step 2 is done.";
    CreditAppealHow => "如对记录有异议，可向记录机关申请更正；已履行义务的，可携带身份证到任一服务中心申请信用修复。", "If a record is wrong, ask the recording body to correct it; if you have met the obligation, bring your ID card to any service centre to apply for credit repair.";
    CreditSource => "记录机关", "Recorded by";
    CreditRecordedOn => "列入日期", "Listed on";
    CreditExpiresOn => "有效期至", "In force until";
    CategoryDishonestDebtor => "失信被执行人", "Dishonest judgment debtor";
    CategorySeriousViolation => "严重违法失信名单", "Serious violations list";
    CategoryBrokenCommitment => "承诺失信", "Broken commitment";
    LevelBlock => "限制", "restricts";
    LevelWarn => "提示", "notice";
    ErrIdentityTooLow => "本事项需要更高的实名核验等级，请先在“账号安全”页完成：", "This needs a higher identity verification level; complete it on the Account page first:";
    ErrCreditBlocked => "信用核查未通过，不能提交本申请：", "The credit check stops this application:";
    ApplyTitle => "在线申请", "Application";
    ApplyStepFill => "填写信息", "Fill in";
    ApplyStepCheck => "预审", "Pre-review";
    ApplyStepSubmit => "提交", "Submit";
    ApplyStepsLabel => "申请步骤", "Application steps";
    ApplySharedSection => "共同信息（各事项共用，只需填写一次）", "Shared details (used by every item, asked once)";
    ApplySaving => "正在保存…", "Saving…";
    ApplySaved => "已自动保存", "Saved automatically";
    ApplySaveFailed => "自动保存失败，请检查网络；您填写的内容仍保留在本页。", "Autosave failed; check your connection. What you typed stays on this page.";
    ApplyChangedElsewhere => "此草稿已在其他设备或窗口中修改。请重新加载页面后继续。", "This draft was changed on another device or tab. Reload the page to continue.";
    ApplyIdentityNeeded => "提交前需要完成实名核验：", "Before submitting, complete identity verification:";
    ApplyGoToAccount => "去完成实名核验", "Verify your identity";
    ApplyCheck => "预审：检查填写内容", "Pre-review: check my answers";
    ApplyProblemsTitle => "请修改以下问题后再提交：", "Please fix these before submitting:";
    ApplyNoProblems => "预审通过：填写内容符合要求，可以提交。", "Pre-review passed: everything is filled in correctly; you can submit.";
    ApplySubmit => "提交申请", "Submit application";
    ApplyDiscard => "删除草稿", "Delete draft";
    ApplyAlreadySubmitted => "此草稿已提交，办件编号：", "This draft was submitted as case";
    ApplyChoose => "请选择", "Choose…";
    ApplyYuan => "元", "yuan";
    ApplyRemoveFile => "删除", "Remove";
    SignExplain => "请完整阅读以下承诺书。签署时，本设备生成并保管只属于您的签名密钥（不会离开本浏览器），对承诺书全文的摘要签名；再以发送到您手机或邮箱的验证码确认。", "Read the whole letter below. Signing uses a key this device makes and keeps for you alone (it never leaves this browser) to sign a digest of the full text; a code sent to your phone or email confirms it.";
    SignNeedsIdentity => "签署承诺书需要先完成姓名和身份证号核验（“账号安全”页）。", "Signing the letter needs your name and resident ID verified first (Account page).";
    SignTyped => "输入姓名作为签名", "Type my name as signature";
    SignDrawn => "手写签名", "Draw my signature";
    SignTypedLabel => "签名（请输入您的姓名）", "Signature (type your name)";
    SignClear => "清除重写", "Clear";
    SignSubmit => "签署承诺书", "Sign the letter";
    SignDone => "已签署", "Signed";
    SignPdf => "下载已签署的承诺书（PDF）", "Download the signed letter (PDF)";
    SignDeviceError => "本浏览器无法生成签名密钥（需要较新的浏览器并允许本网站存储数据）。请换用其他浏览器，或到任一服务中心办理。", "This browser cannot make a signing key (it needs a recent browser that lets this site store data). Use another browser, or go to any service centre.";
    ApplyUploading => "正在上传…", "Uploading…";
    ApplyOptional => "（选填）", "(optional)";
    ApplyResumeNote => "填写内容自动保存在服务器上：可以随时离开，在“我的办件”中继续。", "Your answers are saved on the server as you type: leave any time and continue from My applications.";
    MyDrafts => "未提交的草稿", "Drafts not yet submitted";
    MyCasesList => "已提交的办件", "Submitted applications";
    MyContinue => "继续填写", "Continue";
    MySavedAt => "保存于", "Saved";
    MyNoDrafts => "没有未提交的草稿。", "No drafts.";
    CaseNumberLabel => "办件编号", "Case number";
    CaseStatusLabel => "当前状态", "Status";
    CaseSubmittedAt => "提交时间", "Submitted";
    CaseTimeline => "办理进度", "Progress";
    CaseItems => "申请事项（按提交时的版本办理）", "Items (handled under the version in force when filed)";
    CaseVersion => "版本", "version";
    CaseFilled => "填写的信息", "What you filled in";
    CaseWithdraw => "撤回申请", "Withdraw application";
    CaseWithdrawHelp => "作出受理决定前可以撤回；撤回后如需办理，须重新申请。", "You can withdraw until a decision is made; to apply again afterwards, start a new application.";
    CaseWithdrawnNow => "申请已撤回。", "The application was withdrawn.";
    CaseSubmittedNow => "提交成功。确认通知已发送；办理进度会显示在本页。", "Submitted. A confirmation was sent; progress appears on this page.";
    CaseCreditWarn => "信用核查有需关注的记录：本件由窗口人工办理，不适用秒批。", "The credit check found records to note: a front desk handles this case; no instant approval.";
    CaseBackToList => "返回我的办件", "Back to my applications";
    CaseDeadline => "时限", "Deadline";
    CaseBy => "办理人", "By";
    ActorSystem => "系统", "System";
    StatusSubmitted => "已提交，等待窗口受理", "Submitted; waiting for a front desk to accept it";
    StatusReturned => "需要补正：请按一次性告知书修改", "Correction needed: change what the notice lists";
    StatusResubmitted => "已补正，等待窗口受理", "Corrected; waiting for a front desk to accept it";
    StatusAccepted => "已受理", "Accepted";
    StatusRefused => "不予受理", "Not accepted";
    StatusInApproval => "各部门并联审批中", "Departments are deciding in parallel";
    StatusApproved => "审批通过，正在出证", "Approved; the licence is being issued";
    StatusRejected => "审批未通过", "Rejected";
    StatusIssued => "已出证，等待送达", "Licence issued; waiting for delivery";
    StatusDelivered => "已送达，办结", "Delivered; finished";
    StatusWithdrawn => "已撤回", "Withdrawn";
    EventSubmitted => "提交申请", "Application submitted";
    EventWithdrawn => "申请人撤回申请", "Applicant withdrew the application";
    EventOther => "办理环节", "Step";
    NotificationsTitle => "消息通知", "Notifications";
    NotificationsUnread => "条未读", "unread";
    NotificationsMarkRead => "全部标为已读", "Mark all as read";
    NotificationsNone => "暂无消息。", "No notifications.";
    NotifSubmitted => "申请已提交", "Application submitted";
    NotifWithdrawn => "申请已撤回", "Application withdrawn";
    NotifAccepted => "申请已受理，开始计时", "Application accepted; the clock has started";
    NotifReturned => "需要补正：请查看一次性告知书", "Correction needed: see the one-time notice";
    NotifResubmitted => "补正材料已提交", "Corrections submitted";
    NotifRefused => "申请不予受理", "Application not accepted";
    NotifApproved => "审批通过", "Application approved";
    NotifRejected => "审批未通过", "Application rejected";
    NotifSupplement => "审批部门请您补充材料，计时暂停", "A department asks for a supplement; the clock is paused";
    NotifExtended => "办理时限已依法延长", "The time limit was extended";
    NotifFilingStarted => "窗口工作人员为您代填了申请，请核对并签署", "A front-desk worker filled in an application for you: check and sign it";
    EventAccepted => "窗口受理，开始计时", "Accepted at the front desk; the clock started";
    EventReturned => "一次性告知补正", "Returned with a one-time correction notice";
    EventResubmitted => "申请人提交补正", "Applicant submitted the corrections";
    EventRefused => "不予受理", "Not accepted";
    EventTaskApproved => "部门审批通过", "A department approved";
    EventTaskRejected => "部门审批不通过", "A department rejected";
    EventSupplementRequested => "部门要求补充材料（计时暂停）", "A department asked for a supplement (clock paused)";
    EventSupplementAnswered => "申请人已补充（恢复计时）", "Applicant supplied it (clock resumed)";
    EventApproved => "审批通过（各部门均已同意）", "Approved (every department agreed)";
    EventRejected => "审批未通过", "Rejected";
    EventExtended => "延长办理时限", "Time limit extended";
    EventInstantApproved => "秒批：系统按规则自动受理并审批通过", "Instant approval: the system accepted and approved it by rule";
    EventInstantFallback => "不符合秒批规则，转窗口人工受理", "Not eligible for instant approval; passed to a front desk";
    EventIssued => "电子证照已签发", "Electronic licences issued";
    EventDispatched => "证照已寄出", "Licence sent by courier";
    EventDelivered => "证照已签收", "Licence delivered";
    EventDeliveryFailed => "快递投递未成功，将重新寄送", "Courier delivery failed; it will be sent again";
    EventPickedUp => "证照已在服务中心领取", "Licence collected at the service centre";
    EventLicenceRevoked => "证照已被撤销", "Licence revoked";
    EventInspectionNonCompliant => "核查发现未履行承诺，须限期整改", "Inspection found commitments not kept: to be put right by a deadline";
    EventInspectionCompliant => "承诺核查合格", "Inspection: commitments kept";
    NotifIssued => "电子证照已签发，可下载", "Your electronic licences are issued and ready to download";
    NotifDispatched => "证照已寄出", "Your licence was sent by courier";
    NotifDelivered => "证照已签收", "Your licence was delivered";
    NotifDeliveryFailed => "快递投递未成功", "The courier could not deliver your licence";
    NotifPickedUp => "证照已领取", "Your licence was collected";
    NotifLicenceRevoked => "您的证照已被撤销", "Your licence was revoked";
    NotifInspectionNonCompliant => "承诺核查发现问题，请限期整改", "An inspection found commitments not kept: put them right by the deadline";
    NotifInspectionCompliant => "承诺核查合格", "Inspection passed: commitments kept";
    ErrWrongState => "当前状态下不能进行此操作。办件状态：", "This is not possible in the case's current state:";
    ErrAlreadyDecided => "已经处理过了：", "Already decided:";
    ErrClaimedBy => "该办件已被其他工作人员认领：", "Another worker holds this case:";
    ClaimUntil => "认领至", "until";
    ErrClaimNeeded => "请先认领该办件（或您的认领已过期，请重新认领）再作决定。", "Claim the case first (or your claim ran out: claim it again) before deciding.";
    ErrNothingChanged => "没有修改任何内容：请按补正告知书修改所列项目后再提交。", "Nothing was changed: change what the notice lists, then submit.";
    ErrOutsideNotice => "只能修改补正告知书所列的项目，以下项目不在其中：", "Only what the notice lists may change; these are not listed:";
    ErrOtherDepartment => "该审批任务属于其他部门，您无权查看或处理。", "This task belongs to another department; you cannot see or decide it.";
    ErrSeparationOfDuties => "受理与审批分离：您受理了该办件，不能再审批它（已记录）。", "Acceptance and approval are separate: you accepted this case and may not approve it (recorded).";
    FieldReasonChoice => "不予受理理由", "Reason for not accepting";
    FieldOpinion => "审批意见", "Opinion";
    FieldExtensionDays => "延长工作日数", "Working days of extension";
    FieldCalendarDay => "日期", "Date";
    FieldDayKind => "类型", "Kind";
    FieldDayName => "名称", "Name";
    FieldApplicantLookup => "申请人手机号或身份证号", "Applicant's phone number or resident ID";
    FieldDeliveryMode => "送达方式", "Delivery";
    FieldRecipientName => "收件人", "Recipient";
    FieldRecipientPhone => "收件人手机号", "Recipient's mobile number";
    FieldAddress => "收件地址", "Postal address";
    FieldPickupCentre => "取件地点", "Pickup centre";
    FieldCarrier => "快递公司", "Courier company";
    FieldTrackingNumber => "运单号", "Tracking number";
    FieldPickupCode => "取件码", "Pickup code";
    FieldFindings => "检查情况", "Findings";
    FieldRectifyBy => "整改期限", "Rectify by";
    FieldInspectionOutcome => "检查结论", "Verdict";
    FieldTokenName => "令牌名称", "Token name";
    RefuseNotOurCompetence => "不属于本机关职权范围", "Not within this authority's powers";
    RefuseNoLicenceNeeded => "依法不需要取得行政许可", "No licence is needed by law";
    RefuseNotEligible => "申请人不具备申请资格", "The applicant is not eligible to apply";
    RefuseFalseMaterials => "提供虚假申请材料", "False materials were provided";
    RefuseDuplicate => "重复申请", "Duplicate application";
    RefuseOther => "其他理由（见说明）", "Another reason (see the explanation)";
    NoticeEmpty => "补正告知书至少要列出一项需要补正的内容。", "A correction notice must list at least one thing to correct.";
    NoticeTooMany => "一份补正告知书最多列出 50 项。", "A correction notice lists at most 50 entries.";
    NoticeUnknown => "不是本件的填报项或申请材料：", "is not a field or material of this case:";
    NoticeDuplicate => "重复列出：", "is listed twice:";
    NoticeProblemText => "请写明问题及补正方法（最多 500 字）", "say what is wrong and how to fix it (at most 500 characters)";
    NoticeClauseText => "请写明依据的办事指南条款（最多 500 字）", "name the service-guide clause it rests on (at most 500 characters)";
    NoticeNotChanged => "一次性告知：再次告知只能针对申请人上次补正后修改的内容，此项未修改：", "One-time notice: a later notice may only cite what the applicant changed since; this was not changed:";
    NoticeEntry => "第", "Entry";
    DeskQueueTitle => "待受理队列", "Acceptance queue";
    DeskFilters => "筛选", "Filters";
    FilterItem => "事项编码", "Item code";
    FilterDepartment => "部门", "Department";
    FilterCentre => "服务中心", "Service centre";
    FilterAny => "全部", "Any";
    FilterWaitedDays => "已等待天数至少", "Waiting at least (days)";
    FilterDueSoon => "即将到期或已超期", "Due soon or overdue";
    FilterCreditWarning => "信用需关注", "Credit warning";
    FilterIdentityPending => "人证核验待审", "Person–ID check pending";
    FilterApply => "应用筛选", "Apply filters";
    QueueNextPage => "下一页", "Next page";
    QueueFirstPage => "回到第一页", "First page";
    QueueWaiting => "等待", "Waiting";
    QueueAcceptDue => "受理期限", "Accept by";
    QueueClaimedBy => "认领人", "Held by";
    QueueClaimMine => "我已认领", "Held by me";
    QueueUnclaimed => "未认领", "Unclaimed";
    ClaimAction => "认领", "Claim";
    ReleaseAction => "放弃认领", "Release";
    OpenCaseAction => "查看办件", "Open case";
    DueOnTrack => "正常", "On track";
    DueSoon => "即将到期", "Due soon";
    DueOverdue => "已超期", "Overdue";
    DuePaused => "计时暂停", "Clock paused";
    FlagFiledByWorker => "窗口代办", "Filed at a desk";
    StaffApplicant => "申请人", "Applicant";
    StaffResidentId => "身份证号", "Resident ID";
    StaffIdentityLevel => "实名核验等级", "Identity level";
    StaffPersonCheck => "人证核验", "Person–ID check";
    StaffCredit => "信用核查", "Credit check";
    StaffCreditClear => "无不良记录", "No records";
    StaffDepartments => "审批部门", "Departments";
    StaffClaimFirst => "认领后才能作出受理决定。认领会锁定本件，其他工作人员可以看到由您处理。", "Claim the case to decide on it. A claim locks it to you; others see who holds it.";
    StaffAcceptedBy => "受理人", "Accepted by";
    StaffFiledBy => "代办人", "Filed by";
    DecideTitle => "受理决定", "Decision";
    AcceptAction => "受理", "Accept";
    AcceptDone => "已受理，受理编号：", "Accepted; acceptance number:";
    ReturnTitle => "一次性告知补正", "Return with a one-time correction notice";
    ReturnHelp => "把所有需要补正的内容一次列全。申请人只能修改这里列出的项目。", "List everything that needs correcting at once. The applicant can change only what you list.";
    ReturnOnlyChanged => "这是再次告知：只能列出申请人上次补正时修改过的项目：", "This is a later notice: it may only list what the applicant changed last time:";
    ReturnAddItem => "添加一项", "Add an entry";
    ReturnRemoveItem => "删除此项", "Remove this entry";
    ReturnTarget => "补正项目", "What to correct";
    ReturnProblem => "问题及补正方法", "Problem and how to fix it";
    ReturnClause => "依据（办事指南条款）", "Basis (service-guide clause)";
    ReturnSend => "发出补正告知书", "Send the correction notice";
    TargetField => "填报项", "Field";
    TargetMaterial => "材料", "Material";
    RefuseTitle => "不予受理", "Do not accept";
    RefuseNote => "说明", "Explanation";
    RefuseSend => "作出不予受理决定", "Refuse to accept";
    DecisionDone => "已处理。", "Done.";
    DeliveryElectronic => "电子证照（下载和邮件）", "Electronic (download and email)";
    DeliveryChoiceCourier => "快递送达纸质证照", "Paper licence by courier";
    DeliveryChoicePickup => "到服务中心领取纸质证照（同城取件）", "Collect the paper licence at a service centre";
    DeliveryTitle => "送达方式", "Delivery";
    DeliveryChoose => "选择送达方式（电子证照始终可下载）", "Choose how to receive it (the electronic licence is always available)";
    DeliverySave => "保存送达方式", "Save delivery";
    DeliveryPickedUp => "已领取", "Collected";
    InspectionOpen => "待核查", "To inspect";
    InspectionRectifying => "限期整改中", "Being put right";
    InspectionCompliant => "核查合格", "Commitments kept";
    InspectionRevoked => "未整改，证照已撤销", "Not put right: licence revoked";
    InspectionsOfCase => "承诺核查", "Commitment inspections";
    InspectionQueueTitle => "待核查任务", "Inspections to do";
    InspectionAddress => "经营场所", "Business address";
    InspectionCommitment => "申请人签署的告知承诺", "The commitments the applicant signed";
    InspectionVisits => "核查记录", "Visits";
    InspectionRecord => "提交核查结论", "Record the verdict";
    OutcomeCompliant => "符合承诺", "Commitments kept";
    OutcomeNonCompliant => "不符合承诺，责令限期整改", "Not kept: order to put right by a date";
    OutcomeRectified => "已按期整改", "Put right in time";
    OutcomeUnrectified => "逾期未整改（撤销证照并记入信用记录）", "Not put right (revoke the licence and record it)";
    VerifyValid => "真实有效", "Authentic and valid";
    VerifyRevoked => "证照已被撤销", "Authentic, but revoked";
    VerifyExpired => "证照已过有效期", "Authentic, but expired";
    VerifyNotAuthentic => "无法核验：不是本平台签发的证照，或已被改动", "Not authentic: not issued by this portal, or altered";
    VerifyTitle => "电子证照核验", "Verify a licence";
    VerifyHelp => "扫描证照上的二维码会直接打开本页。也可以粘贴二维码内容，或上传证照 PDF 文件。", "Scanning the QR code on a licence opens this page. You can also paste the code's content or upload the licence PDF.";
    VerifyPaste => "二维码内容或核验链接", "QR content or verification link";
    VerifyUpload => "证照 PDF 文件", "Licence PDF file";
    VerifyCheck => "核验", "Verify";
    VerifyOffline => "离线核验：使用本平台公布的签发公钥验证二维码中的签名。", "Offline: check the QR code's signature with the issuer keys published at";
    VerifyLicence => "证照名称", "Licence";
    VerifyNumber => "证照编号", "Licence number";
    VerifyHolder => "持证主体", "Holder";
    VerifyIssuer => "发证机关", "Issued by";
    VerifyRevokedAt => "撤销时间", "Revoked at";
    VerifyRevokedWhy => "撤销原因", "Reason";
    LicencesTitle => "电子证照", "Licences";
    LicencesNone => "办结后，电子证照会出现在这里。", "Licences appear here once the case is approved.";
    LicenceCreditCode => "统一社会信用代码", "Unified social credit code";
    LicenceValidity => "有效期", "Valid";
    LicenceRevoked => "已撤销", "Revoked";
    LicenceDownload => "下载 PDF", "Download PDF";
    LicenceVerifyLink => "核验", "Verify";
    LicenceAdminTitle => "证照管理", "Licences";
    LicenceType => "证照类型代码", "Licence type code";
    LicenceRevoke => "撤销证照", "Revoke licence";
    FeedTokenCreate => "创建审批数据推送令牌", "Create an approvals-feed token";
    FeedTokenShownOnce => "令牌只显示这一次，请妥善保存：", "Shown only once; keep it safe:";
    PaperTitle => "纸质证照送达", "Paper licences";
    PaperEmpty => "暂无待寄送或待领取的证照。", "No paper licences to send or hand over.";
    PaperDispatch => "登记寄出", "Record dispatch";
    PaperDelivered => "已签收", "Delivered";
    PaperFailed => "投递失败", "Delivery failed";
    PickupHandOver => "核对取件码并发放", "Check the code and hand over";
    PickupDoneText => "取件码正确，已发放：", "Code correct; handed over:";
    ApprovalsQueueTitle => "本部门审批任务", "My department's tasks";
    TaskDueOn => "部门时限", "Department deadline";
    TaskStatusOpen => "待审批", "To decide";
    TaskStatusSupplement => "等待申请人补充", "Waiting for the applicant";
    TaskStatusApproved => "已同意", "Approved";
    TaskStatusRejected => "不同意", "Rejected";
    TaskStatusMoot => "已终止（其他部门不同意）", "Closed (another department rejected)";
    OpenTaskAction => "审批", "Decide";
    VerdictTitle => "审批决定", "Decision";
    VerdictApprove => "同意", "Approve";
    VerdictReject => "不同意", "Reject";
    VerdictSupplement => "要求补充材料（暂停计时）", "Ask for a supplement (pauses the clock)";
    VerdictText => "意见或理由", "Opinion or reason";
    VerdictSend => "提交决定", "Submit decision";
    ExtendTitle => "延长时限", "Extend the time limit";
    ExtendSend => "延长", "Extend";
    ProgressTitle => "办理进度", "Progress";
    ProgressAcceptance => "受理编号", "Acceptance number";
    ProgressDeadline => "办理期限至", "Decision due by";
    ProgressPromised => "承诺时限（工作日）", "Promised time (working days)";
    ProgressDepartments => "各部门审批", "Department decisions";
    NoticesTitle => "补正告知", "Correction notices";
    NoticeRound => "第几次告知", "Notice no.";
    NoticeAnswered => "已补正", "Answered";
    NoticeAnswerTitle => "按告知书补正", "Answer the correction notice";
    NoticeAnswerHelp => "只能修改下列项目；其他内容保持不变。", "Only these can change; everything else stays as filed.";
    NoticeAnswerSend => "提交补正", "Submit corrections";
    SupplementTitle => "补充材料", "Supplement";
    SupplementAnswer => "您的答复", "Your answer";
    SupplementSend => "提交答复并恢复计时", "Send the answer and resume the clock";
    DocumentsTitle => "文书", "Documents";
    DocAcceptance => "受理通知书", "Acceptance notice";
    DocRefusal => "不予受理通知书", "Notice of non-acceptance";
    DocCorrection => "补正材料告知书", "Correction notice";
    AuditTitle => "全程留痕（审计记录）", "Audit trail";
    AuditRole => "角色", "Role";
    AuditAction => "操作", "Action";
    AuditChange => "状态变化", "Status change";
    AuditHash => "链式哈希", "Chained hash";
    AuditStaffViewed => "工作人员查阅（已留痕）", "Viewed by staff (recorded)";
    PersonCheckStatePending => "待审核", "Waiting for review";
    PersonCheckStateApproved => "已通过", "Approved";
    PersonCheckStateRefused => "未通过", "Refused";
    RefusalTitle => "不予受理理由", "Why it was not accepted";
    CalendarTitle => "工作日历（节假日与调休）", "Working-day calendar (holidays and make-up days)";
    CalendarHelp => "周末休息、工作日上班，除非此表另有规定。时限按工作日计算。", "Weekends rest and weekdays work unless this table says otherwise. Time limits count working days.";
    CalendarHoliday => "节假日", "Holiday";
    CalendarWorkday => "调休上班", "Make-up working day";
    CalendarSave => "保存", "Save";
    CalendarRemove => "删除", "Remove";
    AuditVerifyTitle => "审计日志校验", "Audit log check";
    AuditVerifyAction => "校验哈希链", "Verify the hash chain";
    AuditVerifyOk => "哈希链完整，条目数：", "The chain is intact; entries:";
    AuditVerifyBroken => "哈希链断裂，第一个有问题的条目：", "The chain is broken; first bad entry:";
    FilingTitle => "代办：为来访申请人填报", "Walk-in filing: fill in for an applicant";
    FilingHelp => "按手机号或身份证号找到已实名的申请人账号，代为填写；申请人在自己的手机上核对、签署承诺书并提交。", "Find the applicant's verified account by phone or resident ID and fill in the form; the applicant checks, signs the commitment and submits on their own phone.";
    FilingFind => "查找", "Find";
    FilingStart => "开始代填", "Start filling in";
    FilingTarget => "事项或主题编码", "Item or bundle code";
    FilingMine => "我代填的申请", "Applications I filled in";
    TargetBundle => "主题（一件事）", "Bundle (one-thing service)";
    TargetItem => "单个事项", "Single item";
    FilingWaiting => "等待申请人确认", "Waiting for the applicant";
    FilingBanner => "此申请由窗口工作人员代为填写。请逐项核对，确认无误后签署承诺书并提交。", "A front-desk worker filled in this application for you. Check every entry, then sign the commitment and submit.";
    FilingWorkerNote => "您正在为申请人代填。完成后请申请人在自己的手机上打开“我的办件”核对、签署并提交。", "You are filling this in for the applicant. When done, ask them to open My applications on their own phone to check, sign and submit.";
}

/// The translated name of a role.
pub const fn role_name(role: Role, lang: Lang) -> &'static str {
    match role {
        Role::Applicant => Msg::RoleApplicant.text(lang),
        Role::FrontDesk => Msg::RoleFrontDesk.text(lang),
        Role::Approver => Msg::RoleApprover.text(lang),
        Role::Inspector => Msg::RoleInspector.text(lang),
        Role::Admin => Msg::RoleAdmin.text(lang),
    }
}

/// The translated label of a field.
pub const fn field_name(field: Field, lang: Lang) -> &'static str {
    match field {
        Field::Login => Msg::FieldLogin.text(lang),
        Field::Password => Msg::FieldPassword.text(lang),
        Field::NewPassword => Msg::FieldNewPassword.text(lang),
        Field::DisplayName => Msg::FieldDisplayName.text(lang),
        Field::Role => Msg::FieldRole.text(lang),
        Field::Department => Msg::FieldDepartment.text(lang),
        Field::ServiceCentre => Msg::FieldServiceCentre.text(lang),
        Field::TotpCode => Msg::FieldTotpCode.text(lang),
        Field::Language => Msg::FieldLanguage.text(lang),
        Field::OneTimeCode => Msg::FieldOneTimeCode.text(lang),
        Field::LegalName => Msg::FieldLegalName.text(lang),
        Field::ResidentId => Msg::FieldResidentId.text(lang),
        Field::File => Msg::FieldFile.text(lang),
        Field::SignatureMark => Msg::FieldSignatureMark.text(lang),
        Field::SigningKey => Msg::FieldSigningKey.text(lang),
        Field::Reason => Msg::FieldReason.text(lang),
        Field::ReasonChoice => Msg::FieldReasonChoice.text(lang),
        Field::Opinion => Msg::FieldOpinion.text(lang),
        Field::ExtensionDays => Msg::FieldExtensionDays.text(lang),
        Field::CalendarDay => Msg::FieldCalendarDay.text(lang),
        Field::DayKind => Msg::FieldDayKind.text(lang),
        Field::DayName => Msg::FieldDayName.text(lang),
        Field::ApplicantLookup => Msg::FieldApplicantLookup.text(lang),
        Field::DeliveryMode => Msg::FieldDeliveryMode.text(lang),
        Field::RecipientName => Msg::FieldRecipientName.text(lang),
        Field::RecipientPhone => Msg::FieldRecipientPhone.text(lang),
        Field::Address => Msg::FieldAddress.text(lang),
        Field::PickupCentre => Msg::FieldPickupCentre.text(lang),
        Field::Carrier => Msg::FieldCarrier.text(lang),
        Field::TrackingNumber => Msg::FieldTrackingNumber.text(lang),
        Field::PickupCode => Msg::FieldPickupCode.text(lang),
        Field::Findings => Msg::FieldFindings.text(lang),
        Field::RectifyBy => Msg::FieldRectifyBy.text(lang),
        Field::InspectionOutcome => Msg::FieldInspectionOutcome.text(lang),
        Field::TokenName => Msg::FieldTokenName.text(lang),
        Field::PeriodFrom => Msg::FieldPeriodFrom.text(lang),
        Field::PeriodTo => Msg::FieldPeriodTo.text(lang),
    }
}

/// What is wrong and how to fix it, without the field name.
pub fn problem_text(problem: Problem, lang: Lang) -> String {
    use Problem::*;
    match (problem, lang) {
        (Required, Lang::Zh) => "必填，请填写".into(),
        (Required, Lang::En) => "is required; please fill it in".into(),
        (TooShort { min }, Lang::Zh) => format!("太短，至少需要 {min} 个字符"),
        (TooShort { min }, Lang::En) => format!("is too short; use at least {min} characters"),
        (TooLong { max }, Lang::Zh) => format!("太长，最多 {max} 个字符"),
        (TooLong { max }, Lang::En) => format!("is too long; use at most {max} characters"),
        (NotPhoneOrEmail, Lang::Zh) => "请输入 11 位手机号或电子邮箱地址".into(),
        (NotPhoneOrEmail, Lang::En) => {
            "must be an 11-digit mobile number or an email address".into()
        }
        (InvalidPhone, Lang::Zh) => {
            "手机号格式不正确，请输入以 1 开头的 11 位中国大陆手机号".into()
        }
        (InvalidPhone, Lang::En) => {
            "is not a valid mobile number; enter 11 digits starting with 1".into()
        }
        (InvalidEmail, Lang::Zh) => "邮箱格式不正确，例如 zhangsan@example.com".into(),
        (InvalidEmail, Lang::En) => {
            "is not a valid email address, e.g. zhangsan@example.com".into()
        }
        (PasswordNeedsLetterAndDigit, Lang::Zh) => "需要同时包含字母和数字".into(),
        (PasswordNeedsLetterAndDigit, Lang::En) => "must contain both letters and digits".into(),
        (PasswordTooCommon, Lang::Zh) => "过于常见，容易被猜中，请换一个".into(),
        (PasswordTooCommon, Lang::En) => "is too common and easy to guess; choose another".into(),
        (PasswordContainsLogin, Lang::Zh) => "不能包含手机号或邮箱，请换一个".into(),
        (PasswordContainsLogin, Lang::En) => {
            "must not contain your phone number or email; choose another".into()
        }
        (ControlCharacters, Lang::Zh) => "含有不可见的控制字符，请删除".into(),
        (ControlCharacters, Lang::En) => {
            "contains invisible control characters; remove them".into()
        }
        (AlreadyRegistered, Lang::Zh) => "已注册，请直接登录；忘记密码请到服务中心重置".into(),
        (AlreadyRegistered, Lang::En) => {
            "is already registered; sign in instead, or have the password reset at a service centre"
                .into()
        }
        (UnknownChoice, Lang::Zh) => "不是可选的选项，请从列表中选择".into(),
        (UnknownChoice, Lang::En) => "is not one of the choices; pick one from the list".into(),
        (NotSixDigits, Lang::Zh) => "应为 6 位数字".into(),
        (NotSixDigits, Lang::En) => "must be 6 digits".into(),
        (WrongCode, Lang::Zh) => "不正确或已过期，请输入身份验证器中最新的 6 位数字".into(),
        (WrongCode, Lang::En) => {
            "is wrong or has expired; enter the newest 6 digits from your authenticator".into()
        }
        (MissingBinding, Lang::Zh) => "该角色必须选择".into(),
        (MissingBinding, Lang::En) => "must be chosen for this role".into(),
        (UnexpectedBinding, Lang::Zh) => "该角色不需要选择，请留空".into(),
        (UnexpectedBinding, Lang::En) => "does not apply to this role; leave it empty".into(),
        (WrongPassword, Lang::Zh) => "不正确，请重新输入".into(),
        (WrongPassword, Lang::En) => "is not correct; type it again".into(),
        (BadResidentId(problem), lang) => resident_id_problem_text(problem, lang).into(),
        (NotInRegistry, Lang::Zh) => {
            "在人口信息库中查不到，请核对号码；仍有问题请携带身份证到任一服务中心办理".into()
        }
        (NotInRegistry, Lang::En) => {
            "is not in the population registry; check the number, or bring your ID card to any service centre"
                .into()
        }
        (NameMismatch, Lang::Zh) => "与身份证号码登记的姓名不一致，请按身份证填写".into(),
        (NameMismatch, Lang::En) => {
            "does not match the name registered for this ID number; write it as on the ID card"
                .into()
        }
        (ResidentIdTaken, Lang::Zh) => {
            "已被另一个账号实名认证；如非本人操作，请携带身份证到服务中心处理".into()
        }
        (ResidentIdTaken, Lang::En) => {
            "is already verified for another account; if that was not you, bring your ID card to a service centre"
                .into()
        }
        (CodeMismatch, Lang::Zh) => "不正确，请核对收到的 6 位数字".into(),
        (CodeMismatch, Lang::En) => "is not correct; check the 6 digits you received".into(),
        (CodeExpired, Lang::Zh) => "已过期（有效期 10 分钟），请重新获取".into(),
        (CodeExpired, Lang::En) => "has expired (codes last 10 minutes); ask for a new one".into(),
        (CodeUsedUp, Lang::Zh) => "已失效（已使用或错误次数过多），请重新获取".into(),
        (CodeUsedUp, Lang::En) => {
            "is no longer valid (used, or too many wrong tries); ask for a new one".into()
        }
        (NoCodeRequested, Lang::Zh) => "尚未获取，请先点击“发送验证码”".into(),
        (NoCodeRequested, Lang::En) => "has not been sent yet; press “Send code” first".into(),
        (PathInFileName, Lang::Zh) => "文件名含有路径字符（/ \\ ..）或以点开头，请改名后重新上传".into(),
        (PathInFileName, Lang::En) => {
            "has a name with path characters (/ \\ ..) or starting with a dot; rename it and upload again"
                .into()
        }
        (FileTooLarge { max_mb }, Lang::Zh) => {
            format!("超过 {max_mb} MB，请压缩或分成几个文件上传")
        }
        (FileTooLarge { max_mb }, Lang::En) => {
            format!("is larger than {max_mb} MB; compress it or split it into several files")
        }
        (FileTypeNotAccepted, Lang::Zh) => {
            "内容不是本材料接受的格式（按文件内容判断，不看扩展名），请上传 PDF、JPG 或 PNG".into()
        }
        (FileTypeNotAccepted, Lang::En) => {
            "is not in a format this material accepts (judged by its content, not its name); upload a PDF, JPG or PNG"
                .into()
        }
        (EmptyFile, Lang::Zh) => "为空（0 字节），请重新选择文件".into(),
        (EmptyFile, Lang::En) => "is empty; choose the file again".into(),
        (SignatureInvalid, Lang::Zh) => {
            "生成的签名无法验证，请刷新页面后重新签署；仍不成功请换用其他浏览器".into()
        }
        (SignatureInvalid, Lang::En) => {
            "made a signature that does not verify; reload the page and sign again, or use another browser"
                .into()
        }
        (TooManyFiles { max }, Lang::Zh) => format!("超出数量：每项材料最多 {max} 个文件"),
        (TooManyFiles { max }, Lang::En) => {
            format!("is one too many: a material takes at most {max} files")
        }
        (OutOfRange { min, max }, Lang::Zh) => format!("超出范围，请填写 {min} 到 {max} 之间的整数"),
        (OutOfRange { min, max }, Lang::En) => {
            format!("is out of range; enter a whole number from {min} to {max}")
        }
        (NotADate, Lang::Zh) => "不是有效日期，请按“2026-10-01”的格式填写".into(),
        (NotADate, Lang::En) => "is not a date; write it as 2026-10-01".into(),
        (NoSuchApplicant, Lang::Zh) => {
            "未找到已实名核验的申请人账号，请核对手机号或身份证号；申请人需先注册并完成实名核验".into()
        }
        (NoSuchApplicant, Lang::En) => {
            "matches no verified applicant; check the number, or ask the applicant to register and verify their identity first"
                .into()
        }
        (PickupCodeUnknown, Lang::Zh) => "不正确，没有待领取的证照使用此取件码，请核对申请人出示的 8 位数字".into(),
        (PickupCodeUnknown, Lang::En) => {
            "is wrong: no licence waiting for pickup has this code; check the 8 digits the applicant shows".into()
        }
        (PickupCodeUsed, Lang::Zh) => "已使用，证照已经领取，不能重复发放".into(),
        (PickupCodeUsed, Lang::En) => "was used already: the licence has been collected".into(),
        (PickupAtOtherCentre, Lang::Zh) => "属于其他服务中心，请告知申请人到其选择的取件地点领取".into(),
        (PickupAtOtherCentre, Lang::En) => {
            "belongs to another centre; send the applicant to the pickup centre they chose".into()
        }
        (DateNotInFuture, Lang::Zh) => "须晚于今天，请填写今后的日期".into(),
        (DateNotInFuture, Lang::En) => "must be after today; enter a future date".into(),
        (NotOffered, Lang::Zh) => "本事项不提供此方式，请从列出的方式中选择".into(),
        (NotOffered, Lang::En) => "is not offered for this item; pick one of the listed ways".into(),
        (PeriodReversed, Lang::Zh) => "晚于结束日期，请把开始日期改早或把结束日期改晚".into(),
        (PeriodReversed, Lang::En) => "is after the end date; choose an earlier start or a later end".into(),
        (PeriodTooLong { max_days }, Lang::Zh) => format!("与结束日期相隔超过 {max_days} 天，请缩短统计期间"),
        (PeriodTooLong { max_days }, Lang::En) => {
            format!("is more than {max_days} days before the end date; choose a shorter period")
        }
    }
}

/// Names of the parts of a catalogue entry, as they appear in problem paths.
const SPEC_PARTS: &[(&str, &str, &str)] = &[
    ("code", "编码", "code"),
    ("name", "名称", "name"),
    ("kind", "事项类型", "kind"),
    (
        "responsible_department",
        "实施主体",
        "responsible department",
    ),
    (
        "approving_departments",
        "并联审批部门",
        "approving departments",
    ),
    ("legal_basis", "设定依据", "legal basis"),
    ("conditions", "受理条件", "conditions"),
    ("materials", "申请材料", "materials"),
    ("form", "表单字段", "form fields"),
    ("promised_days", "承诺时限", "promised time limit"),
    ("statutory_days", "法定时限", "statutory time limit"),
    ("fee", "收费标准", "fee"),
    ("online_level", "网办深度", "online level"),
    ("visit_reason", "到场原因", "reason for the visit"),
    ("delivery_modes", "送达方式", "delivery modes"),
    ("commitment", "告知承诺", "commitment"),
    ("letter", "承诺书", "letter"),
    ("instant_approval", "秒批", "instant approval"),
    ("identity_level", "实名等级", "identity level"),
    ("licences", "证照", "licences"),
    ("licence_type", "证照类型", "licence type"),
    ("template", "模板", "template"),
    ("accepting_centres", "受理中心", "accepting centres"),
    ("description", "说明", "description"),
    ("items", "包含事项", "items"),
    ("shared_fields", "共用字段", "shared fields"),
    ("key", "字段键", "key"),
    ("label", "标签", "label"),
    ("help", "填写说明", "help text"),
    ("type", "类型", "type"),
    ("rules", "校验规则", "rules"),
    ("options", "选项", "options"),
    ("accepted_types", "文件类型", "file types"),
    ("min_length", "最少字数", "minimum length"),
    ("max_length", "最多字数", "maximum length"),
    ("min", "最小值", "minimum"),
    ("max", "最大值", "maximum"),
    ("max_selected", "最多可选", "maximum selected"),
    ("record", "记录类型", "record"),
    ("bundles", "一件事", "bundle"),
    ("zh", "中文", "Chinese"),
    ("en", "英文", "English"),
];

/// A problem path (`materials[1].name.zh`) in words: "申请材料 第 2 项 › 名称 › 中文".
pub fn spec_path_text(path: &str, lang: Lang) -> String {
    let mut parts: Vec<String> = Vec::new();
    for segment in path.split('.') {
        let (name, indexes) = match segment.find('[') {
            Some(at) => (&segment[..at], &segment[at..]),
            None => (segment, ""),
        };
        if !name.is_empty() {
            let label = SPEC_PARTS
                .iter()
                .find(|(key, _, _)| *key == name)
                .map_or(name, |(_, zh, en)| if lang == Lang::Zh { zh } else { en });
            parts.push(label.to_owned());
        }
        for index in indexes
            .split(['[', ']'])
            .filter_map(|number| number.parse::<usize>().ok())
        {
            let position = index + 1;
            let text = match lang {
                Lang::Zh => format!("第 {position} 项"),
                Lang::En => format!("no. {position}"),
            };
            match parts.last_mut() {
                Some(last) => {
                    last.push(' ');
                    last.push_str(&text);
                }
                None => parts.push(text),
            }
        }
    }
    parts.join(" › ")
}

/// What is wrong with a catalogue entry and how to fix it.
pub fn spec_problem_fix(problem: &SpecProblem, lang: Lang) -> String {
    use SpecProblem::*;
    let zh = lang == Lang::Zh;
    let text = match problem {
        BadCode => {
            if zh {
                "编码应为 3–40 位大写字母、数字或“-”，以字母或数字开头"
            } else {
                "must be 3–40 characters of A–Z, 0–9 and '-', starting with a letter or digit"
            }
        }
        DuplicateCode => {
            if zh {
                "与另一条重复，请换一个"
            } else {
                "is used twice; choose another"
            }
        }
        MissingText => {
            if zh {
                "请同时填写中文和英文"
            } else {
                "must be given in both Chinese and English"
            }
        }
        UnknownDepartment => {
            if zh {
                "不是已登记的部门，请从列表中选择"
            } else {
                "is not a known department; pick one from the list"
            }
        }
        UnknownCentre => {
            if zh {
                "不是已登记的服务中心，请从列表中选择"
            } else {
                "is not a known service centre; pick one from the list"
            }
        }
        Empty => {
            if zh {
                "至少需要一项，请添加"
            } else {
                "needs at least one entry; add one"
            }
        }
        BadFieldKey => {
            if zh {
                "应为 1–40 位小写字母、数字或“_”，以字母开头"
            } else {
                "must be 1–40 characters of a–z, 0–9 and '_', starting with a letter"
            }
        }
        BadOptions => {
            if zh {
                "单选、多选字段至少要有一个选项，其他类型不能有选项"
            } else {
                "select fields need at least one option, and other types take none"
            }
        }
        RuleNotForType => {
            if zh {
                "这条规则不适用于该字段类型，请删除"
            } else {
                "does not apply to this field type; remove it"
            }
        }
        RuleRangeInverted => {
            if zh {
                "最小值不能大于最大值"
            } else {
                "the minimum must not exceed the maximum"
            }
        }
        BadTimeLimit => {
            if zh {
                "承诺时限不能超过法定时限，法定时限不能超过 365 个工作日"
            } else {
                "the promised limit must not exceed the statutory one, nor the statutory 365 working days"
            }
        }
        VisitReason => {
            if zh {
                "需到场的事项必须说明原因，全程网办的事项不填"
            } else {
                "an item needing a visit must say why; a fully online item must not"
            }
        }
        InstantNeedsFullyOnline => {
            if zh {
                "只有全程网办的事项才能秒批"
            } else {
                "only fully online items can be approved instantly"
            }
        }
        BundleTooSmall => {
            if zh {
                "至少包含两个不同的已发布事项"
            } else {
                "must include at least two different published items"
            }
        }
        UnknownItem => {
            if zh {
                "不是已发布的事项编码"
            } else {
                "is not the code of a published item"
            }
        }
        BadSharedField => {
            if zh {
                "共用字段必须在至少两个事项中以相同类型出现"
            } else {
                "must exist with the same type in at least two of the items"
            }
        }
        Unreadable { reason } => {
            return if zh {
                format!("无法读取（{reason}）")
            } else {
                format!("cannot be read ({reason})")
            };
        }
        NeededByBundle => {
            if zh {
                "有已发布的“一件事”包含此事项，请先修改或下架该“一件事”"
            } else {
                "a published bundle includes this item; change or withdraw the bundle first"
            }
        }
    };
    text.to_owned()
}

/// One line naming the place in the entry and the fix.
pub fn spec_problem_text(problem: &LocatedProblem, lang: Lang) -> String {
    let place = spec_path_text(&problem.path, lang);
    let fix = spec_problem_fix(&problem.problem, lang);
    match lang {
        Lang::Zh => format!("{place}：{fix}"),
        Lang::En => format!("{place}: {fix}"),
    }
}

/// What is wrong with a form value and how to fix it (the field's label goes before it).
pub fn value_problem_text(problem: ValueProblem, lang: Lang) -> String {
    use ValueProblem::*;
    let zh = lang == Lang::Zh;
    match problem {
        Required => (if zh {
            "必填，请填写"
        } else {
            "is required; please fill it in"
        })
        .into(),
        TooShort { min } => {
            if zh {
                format!("太短，至少 {min} 个字")
            } else {
                format!("is too short; use at least {min} characters")
            }
        }
        TooLong { max } => {
            if zh {
                format!("太长，最多 {max} 个字")
            } else {
                format!("is too long; use at most {max} characters")
            }
        }
        NotANumber => (if zh {
            "请输入数字，例如 12 或 3.5"
        } else {
            "must be a number, e.g. 12 or 3.5"
        })
        .into(),
        MoneyPrecision => (if zh {
            "金额最多保留两位小数（单位：元）"
        } else {
            "has at most two decimals (yuan)"
        })
        .into(),
        BelowMin { min } => {
            if zh {
                format!("不能小于 {min}")
            } else {
                format!("must not be below {min}")
            }
        }
        AboveMax { max } => {
            if zh {
                format!("不能大于 {max}")
            } else {
                format!("must not be above {max}")
            }
        }
        NotADate => (if zh {
            "请按 年-月-日 填写一个存在的日期，例如 2026-11-24"
        } else {
            "must be a real date written YYYY-MM-DD, e.g. 2026-11-24"
        })
        .into(),
        UnknownOption => (if zh {
            "不是可选的选项，请从列表中选择"
        } else {
            "is not one of the choices; pick from the list"
        })
        .into(),
        TooManyChosen { max } => {
            if zh {
                format!("最多选择 {max} 项")
            } else {
                format!("allows at most {max} choices")
            }
        }
        NotOneValue => (if zh {
            "只能选择一项"
        } else {
            "takes one value only"
        })
        .into(),
        ResidentId(problem) => resident_id_problem_text(problem, lang).into(),
        CreditCode(problem) => credit_code_problem_text(problem, lang).into(),
        Phone => (if zh {
            "手机号格式不正确，请输入以 1 开头的 11 位中国大陆手机号"
        } else {
            "is not a valid mobile number; enter 11 digits starting with 1"
        })
        .into(),
        Email => (if zh {
            "邮箱格式不正确，例如 zhangsan@example.com"
        } else {
            "is not a valid email address, e.g. zhangsan@example.com"
        })
        .into(),
        ControlCharacters => (if zh {
            "含有不可见的控制字符，请删除"
        } else {
            "contains invisible control characters; remove them"
        })
        .into(),
    }
}

/// Why a resident ID number is refused, with the fix.
pub const fn resident_id_problem_text(problem: ResidentIdProblem, lang: Lang) -> &'static str {
    let zh = matches!(lang, Lang::Zh);
    match problem {
        ResidentIdProblem::Length => {
            if zh {
                "应为 18 位"
            } else {
                "must be 18 characters"
            }
        }
        ResidentIdProblem::Characters => {
            if zh {
                "只能是数字，最后一位可以是 X"
            } else {
                "may contain only digits, and X as the last character"
            }
        }
        ResidentIdProblem::Region => {
            if zh {
                "前两位不是有效的省级行政区划代码，请核对"
            } else {
                "does not start with a valid province code; check it"
            }
        }
        ResidentIdProblem::BirthDate => {
            if zh {
                "第 7–14 位不是有效的出生日期，请核对"
            } else {
                "has no valid birth date in characters 7–14; check it"
            }
        }
        ResidentIdProblem::CheckCharacter => {
            if zh {
                "校验位不符，可能输错了某一位，请对照证件重新输入"
            } else {
                "fails its check character: a digit is probably mistyped; copy it from the card again"
            }
        }
    }
}

/// Why a unified social credit code is refused, with the fix.
pub const fn credit_code_problem_text(problem: CreditCodeProblem, lang: Lang) -> &'static str {
    let zh = matches!(lang, Lang::Zh);
    match problem {
        CreditCodeProblem::Length => {
            if zh {
                "应为 18 位"
            } else {
                "must be 18 characters"
            }
        }
        CreditCodeProblem::Characters => {
            if zh {
                "只能包含数字和大写字母（不含 I、O、Z、S、V）"
            } else {
                "may contain only digits and capitals other than I, O, Z, S and V"
            }
        }
        CreditCodeProblem::Division => {
            if zh {
                "第 3–8 位应为 6 位行政区划代码"
            } else {
                "must have a 6-digit division code in characters 3–8"
            }
        }
        CreditCodeProblem::OrganisationCheck | CreditCodeProblem::CheckCharacter => {
            if zh {
                "校验位不符，可能输错了某一位，请对照营业执照重新输入"
            } else {
                "fails its check character: a character is probably mistyped; copy it from the licence again"
            }
        }
    }
}

/// The translated name of an identity level.
pub const fn identity_level_name(
    level: crate::domain::catalogue::IdentityLevel,
    lang: Lang,
) -> &'static str {
    use crate::domain::catalogue::IdentityLevel;
    match level {
        IdentityLevel::L1 => Msg::IdentityL1.text(lang),
        IdentityLevel::L2 => Msg::IdentityL2.text(lang),
        IdentityLevel::L3 => Msg::IdentityL3.text(lang),
    }
}

/// The name of a credit registry list.
pub const fn credit_category_name(
    category: crate::domain::case::CreditCategory,
    lang: Lang,
) -> &'static str {
    use crate::domain::case::CreditCategory;
    match category {
        CreditCategory::DishonestDebtor => Msg::CategoryDishonestDebtor.text(lang),
        CreditCategory::SeriousViolation => Msg::CategorySeriousViolation.text(lang),
        CreditCategory::BrokenCommitment => Msg::CategoryBrokenCommitment.text(lang),
    }
}

/// One credit record in a sentence: list, reason, recording body, dates.
pub fn credit_finding_text(finding: &crate::domain::case::CreditFinding, lang: Lang) -> String {
    let until = finding
        .expires_on
        .as_deref()
        .map(|date| format!("，{} {date}", Msg::CreditExpiresOn.text(lang)))
        .unwrap_or_default();
    let until = if lang == Lang::En {
        until.replace('，', ", ")
    } else {
        until
    };
    match lang {
        Lang::Zh => format!(
            "{}：{}（{}：{}，{} {}{until}）",
            credit_category_name(finding.category, lang),
            finding.reason,
            Msg::CreditSource.text(lang),
            finding.source,
            Msg::CreditRecordedOn.text(lang),
            finding.recorded_on,
        ),
        Lang::En => format!(
            "{}: {} ({}: {}, {} {}{until})",
            credit_category_name(finding.category, lang),
            finding.reason,
            Msg::CreditSource.text(lang),
            finding.source,
            Msg::CreditRecordedOn.text(lang),
            finding.recorded_on,
        ),
    }
}

/// The status of a case in plain words.
pub const fn case_status_text(status: crate::domain::case::CaseStatus, lang: Lang) -> &'static str {
    use crate::domain::case::CaseStatus::*;
    match status {
        Submitted => Msg::StatusSubmitted.text(lang),
        Returned => Msg::StatusReturned.text(lang),
        Resubmitted => Msg::StatusResubmitted.text(lang),
        Accepted => Msg::StatusAccepted.text(lang),
        Refused => Msg::StatusRefused.text(lang),
        InApproval => Msg::StatusInApproval.text(lang),
        Approved => Msg::StatusApproved.text(lang),
        Rejected => Msg::StatusRejected.text(lang),
        Issued => Msg::StatusIssued.text(lang),
        Delivered => Msg::StatusDelivered.text(lang),
        Withdrawn => Msg::StatusWithdrawn.text(lang),
    }
}

/// A step of a case's timeline (an event kind code) in words.
pub fn case_event_text(kind: &str, lang: Lang) -> &'static str {
    match kind {
        "submitted" => Msg::EventSubmitted.text(lang),
        "withdrawn" => Msg::EventWithdrawn.text(lang),
        "accepted" => Msg::EventAccepted.text(lang),
        "returned" => Msg::EventReturned.text(lang),
        "resubmitted" => Msg::EventResubmitted.text(lang),
        "refused" => Msg::EventRefused.text(lang),
        "task_approved" => Msg::EventTaskApproved.text(lang),
        "task_rejected" => Msg::EventTaskRejected.text(lang),
        "supplement_requested" => Msg::EventSupplementRequested.text(lang),
        "supplement_answered" => Msg::EventSupplementAnswered.text(lang),
        "approved" => Msg::EventApproved.text(lang),
        "rejected" => Msg::EventRejected.text(lang),
        "extended" => Msg::EventExtended.text(lang),
        "instant_approved" => Msg::EventInstantApproved.text(lang),
        "instant_fallback" => Msg::EventInstantFallback.text(lang),
        "issued" => Msg::EventIssued.text(lang),
        "dispatched" => Msg::EventDispatched.text(lang),
        "delivered" => Msg::EventDelivered.text(lang),
        "delivery_failed" => Msg::EventDeliveryFailed.text(lang),
        "picked_up" => Msg::EventPickedUp.text(lang),
        "licence_revoked" => Msg::EventLicenceRevoked.text(lang),
        "inspection_non_compliant" => Msg::EventInspectionNonCompliant.text(lang),
        "inspection_compliant" => Msg::EventInspectionCompliant.text(lang),
        _ => Msg::EventOther.text(lang),
    }
}

/// A notification kind in words.
pub fn notification_text(kind: &str, lang: Lang) -> &'static str {
    match kind {
        "person_check_approved" => Msg::NotifPersonApproved.text(lang),
        "person_check_refused" => Msg::NotifPersonRefused.text(lang),
        "submitted" => Msg::NotifSubmitted.text(lang),
        "withdrawn" => Msg::NotifWithdrawn.text(lang),
        "accepted" => Msg::NotifAccepted.text(lang),
        "returned" => Msg::NotifReturned.text(lang),
        "resubmitted" => Msg::NotifResubmitted.text(lang),
        "refused" => Msg::NotifRefused.text(lang),
        "approved" => Msg::NotifApproved.text(lang),
        "rejected" => Msg::NotifRejected.text(lang),
        "supplement" => Msg::NotifSupplement.text(lang),
        "extended" => Msg::NotifExtended.text(lang),
        "filing_started" => Msg::NotifFilingStarted.text(lang),
        "issued" => Msg::NotifIssued.text(lang),
        "dispatched" => Msg::NotifDispatched.text(lang),
        "delivered" => Msg::NotifDelivered.text(lang),
        "delivery_failed" => Msg::NotifDeliveryFailed.text(lang),
        "picked_up" => Msg::NotifPickedUp.text(lang),
        "licence_revoked" => Msg::NotifLicenceRevoked.text(lang),
        "inspection_non_compliant" => Msg::NotifInspectionNonCompliant.text(lang),
        "inspection_compliant" => Msg::NotifInspectionCompliant.text(lang),
        _ => Msg::EventOther.text(lang),
    }
}

/// The mail or SMS carrying a one-time code: subject and body, Chinese then English (the
/// account has no language preference; both are short).
pub fn code_message(code: &str, valid_minutes: u32) -> (String, String) {
    (
        format!("【不见面审批】验证码 {code} / Verification code"),
        format!(
            "【不见面审批】您的验证码是 {code}，{valid_minutes} 分钟内有效。请勿告诉他人；工作人员不会向您索要验证码。\n\n\
             Your verification code is {code}, valid for {valid_minutes} minutes. Do not share it; staff will never ask for it.\n"
        ),
    )
}

/// The mail telling an applicant of a step of their case.
pub fn case_mail(
    kind: &str,
    number: &str,
    title: &crate::domain::catalogue::Text,
) -> (String, String) {
    let (zh, en) = (
        notification_text(kind, Lang::Zh),
        notification_text(kind, Lang::En),
    );
    (
        format!("【不见面审批】{zh}：{number} / {en}"),
        format!(
            "您好：\n\n您的申请“{}”（办件编号 {number}）：{zh}。\n请登录“我的办件”查看办理进度。\n\n\
             Hello,\n\nYour application \"{}\" (case {number}): {en}.\nSign in and open My applications to follow it.\n\n\
             — 不见面审批 Online Approval Portal\n",
            title.zh, title.en
        ),
    )
}

/// The mail carrying the issued licences: subject, plain text and HTML (both languages; the
/// account has no language preference). `licences` are (name, number) pairs.
pub fn licence_mail(
    number: &str,
    title_zh: &str,
    licences: &[(String, String)],
    link: &str,
) -> (String, String, String) {
    fn escape(text: &str) -> String {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }
    let list_text: String = licences
        .iter()
        .map(|(name, licence_number)| format!("  · {name}：{licence_number}\n"))
        .collect();
    let list_html: String = licences
        .iter()
        .map(|(name, licence_number)| {
            format!(
                "<li>{}：<strong>{}</strong></li>",
                escape(name),
                escape(licence_number)
            )
        })
        .collect();
    (
        format!("【不见面审批】电子证照已签发：{number} / Your licences are issued"),
        format!(
            "您好：\n\n您的申请“{title_zh}”（办件编号 {number}）已办结，电子证照随本邮件附上（PDF）：\n{list_text}\n\
             电子证照与纸质证照具有同等法律效力；扫描证照上的二维码即可核验真伪。\n也可登录“我的办件”下载：{link}\n\n\
             Hello,\n\nYour application (case {number}) is approved. The licences are attached as PDF files.\n\
             Scan the QR code on a licence to verify it. You can also download them from My applications: {link}\n\n\
             — 不见面审批 Online Approval Portal\n"
        ),
        format!(
            "<!doctype html><html lang=\"zh-CN\"><body style=\"font-family:sans-serif;line-height:1.6\">\
             <p>您好：</p><p>您的申请“{title}”（办件编号 <strong>{number_html}</strong>）已办结，电子证照随本邮件附上（PDF）：</p>\
             <ul>{list_html}</ul>\
             <p>电子证照与纸质证照具有同等法律效力；扫描证照上的二维码即可核验真伪。</p>\
             <p><a href=\"{link_html}\">在“我的办件”中查看和下载</a></p><hr>\
             <p lang=\"en\">Your application (case {number_html}) is approved. The licences are attached as PDF files; \
             scan the QR code on a licence to verify it. <a href=\"{link_html}\">Open My applications</a>.</p>\
             <p>— 不见面审批 Online Approval Portal</p></body></html>",
            title = escape(title_zh),
            number_html = escape(number),
            link_html = escape(link),
        ),
    )
}

/// "A code was sent to 138****0000; valid for 10 minutes."
pub fn code_sent_text(destination: &str, minutes: u32, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("验证码已发送至 {destination}，{minutes} 分钟内有效。"),
        Lang::En => format!("A code was sent to {destination}; it is valid for {minutes} minutes."),
    }
}

/// A full sentence naming the field and the fix.
pub fn field_error_text(error: FieldError, lang: Lang) -> String {
    let field = field_name(error.field, lang);
    let problem = problem_text(error.problem, lang);
    match lang {
        Lang::Zh => format!("{field}：{problem}"),
        Lang::En => format!("{field} {problem}"),
    }
}

/// An audit entry's action in words: case steps as on the timeline, the rest by kind.
pub fn audit_action_text(action: &str, lang: Lang) -> &'static str {
    match action {
        "case.submit" => Msg::EventSubmitted.text(lang),
        "case.withdraw" => Msg::EventWithdrawn.text(lang),
        "case.view" | "document.view" | "material.view" => Msg::AuditStaffViewed.text(lang),
        "case.claim" => Msg::ClaimAction.text(lang),
        "case.release" => Msg::ReleaseAction.text(lang),
        "document.issue" => Msg::DocumentsTitle.text(lang),
        other => match other.strip_prefix("case.") {
            Some(step) => case_event_text(step, lang),
            None => Msg::EventOther.text(lang),
        },
    }
}

/// A refusal reason in words.
pub const fn refusal_reason_text(
    reason: crate::domain::back_office::RefusalReason,
    lang: Lang,
) -> &'static str {
    use crate::domain::back_office::RefusalReason as R;
    match reason {
        R::NotOurCompetence => Msg::RefuseNotOurCompetence.text(lang),
        R::NoLicenceNeeded => Msg::RefuseNoLicenceNeeded.text(lang),
        R::NotEligible => Msg::RefuseNotEligible.text(lang),
        R::FalseMaterials => Msg::RefuseFalseMaterials.text(lang),
        R::Duplicate => Msg::RefuseDuplicate.text(lang),
        R::Other => Msg::RefuseOther.text(lang),
    }
}

/// An approval task's state in words.
pub const fn task_status_text(
    status: crate::domain::back_office::TaskStatus,
    lang: Lang,
) -> &'static str {
    use crate::domain::back_office::TaskStatus as T;
    match status {
        T::Open => Msg::TaskStatusOpen.text(lang),
        T::Supplement => Msg::TaskStatusSupplement.text(lang),
        T::Approved => Msg::TaskStatusApproved.text(lang),
        T::Rejected => Msg::TaskStatusRejected.text(lang),
        T::Moot => Msg::TaskStatusMoot.text(lang),
    }
}

/// A problem of a correction notice, naming the entry.
pub fn notice_problem_text(
    problem: &crate::domain::back_office::NoticeProblem,
    lang: Lang,
) -> String {
    use crate::domain::back_office::NoticeProblem as P;
    let entry = |position: &usize| match lang {
        Lang::Zh => format!("第 {position} 项："),
        Lang::En => format!("Entry {position}: "),
    };
    match problem {
        P::Empty => Msg::NoticeEmpty.text(lang).into(),
        P::TooManyItems => Msg::NoticeTooMany.text(lang).into(),
        P::UnknownName { position, name } => {
            format!(
                "{}{} {name}",
                entry(position),
                Msg::NoticeUnknown.text(lang)
            )
        }
        P::Duplicate { position, name } => {
            format!(
                "{}{} {name}",
                entry(position),
                Msg::NoticeDuplicate.text(lang)
            )
        }
        P::ProblemText { position } => {
            format!("{}{}", entry(position), Msg::NoticeProblemText.text(lang))
        }
        P::ClauseText { position } => {
            format!("{}{}", entry(position), Msg::NoticeClauseText.text(lang))
        }
        P::NotChangedSince { position, name } => {
            format!(
                "{}{} {name}",
                entry(position),
                Msg::NoticeNotChanged.text(lang)
            )
        }
    }
}

/// "Already decided: accepted by the front desk 李全科 at 2026-11-25 10:03".
pub fn already_decided_text(
    step: &str,
    by_role: &str,
    by: Option<&str>,
    at: i64,
    lang: Lang,
) -> String {
    let what = match step {
        "task_approved" => Msg::TaskStatusApproved.text(lang),
        "task_rejected" => Msg::TaskStatusRejected.text(lang),
        "task_moot" => Msg::TaskStatusMoot.text(lang),
        other => case_event_text(other, lang),
    };
    let role = actor_role_text(by_role, lang);
    let who = by.map(|name| format!(" {name}")).unwrap_or_default();
    let when = crate::domain::calendar::china_minute_text(at);
    match lang {
        Lang::Zh => format!(
            "{}{what}（{role}{who}，{when}）",
            Msg::ErrAlreadyDecided.text(lang)
        ),
        Lang::En => format!(
            "{} {what} ({role}{who}, {when})",
            Msg::ErrAlreadyDecided.text(lang)
        ),
    }
}

/// Who acted on a case, by role code (`applicant`, `front_desk`, `approver`, `system`).
pub fn actor_role_text(role: &str, lang: Lang) -> &'static str {
    match Role::parse(role) {
        Ok(role) => role_name(role, lang),
        Err(_) => Msg::ActorSystem.text(lang),
    }
}

/// The name of a stage of the way to a licence.
pub const fn stage_text(stage: crate::api::Stage, lang: Lang) -> &'static str {
    use crate::api::Stage;
    match stage {
        Stage::ToLicence => Msg::StatsStageToLicence.text(lang),
        Stage::AtFrontDesk => Msg::StatsStageAtFrontDesk.text(lang),
        Stage::InBackOffice => Msg::StatsStageInBackOffice.text(lang),
        Stage::WaitingForApplicant => Msg::StatsStageWaiting.text(lang),
    }
}

/// The label of a bin of the time-to-licence distribution (its key otherwise).
pub fn distribution_bin_text(key: &str, lang: Lang) -> String {
    let msg = match key {
        "under_10m" => Msg::StatsBinUnder10m,
        "10m_1h" => Msg::StatsBin10m1h,
        "1h_1d" => Msg::StatsBin1h1d,
        "1d_3d" => Msg::StatsBin1d3d,
        "3d_7d" => Msg::StatsBin3d7d,
        "7d_15d" => Msg::StatsBin7d15d,
        "15d_30d" => Msg::StatsBin15d30d,
        "30d_more" => Msg::StatsBin30dMore,
        other => return other.to_owned(),
    };
    msg.text(lang).to_owned()
}

/// A duration the way people say it: "2 天 3 小时", "45 分钟", "2 d 3 h".
pub fn duration_text(ms: i64, lang: Lang) -> String {
    const MINUTE: i64 = 60_000;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;
    let (days, hours, minutes) = (ms / DAY, (ms % DAY) / HOUR, (ms % HOUR) / MINUTE);
    let unit = |value: i64, msg: Msg| format!("{value} {}", msg.text(lang));
    if ms < MINUTE {
        Msg::UnitUnderMinute.text(lang).to_owned()
    } else if days > 0 && hours > 0 {
        format!(
            "{} {}",
            unit(days, Msg::UnitDays),
            unit(hours, Msg::UnitHours)
        )
    } else if days > 0 {
        unit(days, Msg::UnitDays)
    } else if hours > 0 && minutes > 0 && hours < 10 {
        format!(
            "{} {}",
            unit(hours, Msg::UnitHours),
            unit(minutes, Msg::UnitMinutes)
        )
    } else if hours > 0 {
        unit(hours, Msg::UnitHours)
    } else {
        unit(minutes, Msg::UnitMinutes)
    }
}

/// What a correction notice pointed at (`field:<name>` / `material:<name>`), in words.
pub fn return_point_text(point: &str, lang: Lang) -> String {
    match point.split_once(':') {
        Some(("field", name)) => format!("{}: {name}", Msg::StatsReturnField.text(lang)),
        Some(("material", name)) => format!("{}: {name}", Msg::StatsReturnMaterial.text(lang)),
        _ => point.to_owned(),
    }
}

/// A share as a percentage with one decimal, or "—" when there is nothing to divide by.
pub fn percent_text(part: i64, whole: i64) -> String {
    if whole <= 0 {
        "—".to_owned()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_comes_from_the_lang_cookie_and_defaults_to_chinese() {
        assert_eq!(Lang::from_cookie_header("a=b; lang=en; c=d"), Lang::En);
        assert_eq!(Lang::from_cookie_header("lang=zh"), Lang::Zh);
        assert_eq!(Lang::from_cookie_header("lang=fr"), Lang::Zh);
        assert_eq!(Lang::from_cookie_header(""), Lang::Zh);
    }

    #[test]
    fn field_errors_name_the_field_and_the_fix_in_both_languages() {
        let error = FieldError::new(Field::Login, Problem::InvalidPhone);
        assert!(field_error_text(error, Lang::Zh).starts_with("手机号或邮箱："));
        assert!(
            field_error_text(error, Lang::En)
                .starts_with("Phone or email is not a valid mobile number")
        );
    }

    #[test]
    fn catalogue_problems_name_the_place_in_words() {
        assert_eq!(
            spec_path_text("materials[1].name.zh", Lang::Zh),
            "申请材料 第 2 项 › 名称 › 中文"
        );
        assert_eq!(
            spec_path_text("form[0].rules.max", Lang::En),
            "form fields no. 1 › rules › maximum"
        );
        let problem = LocatedProblem {
            code: "X-1".into(),
            path: "promised_days".into(),
            problem: SpecProblem::BadTimeLimit,
        };
        assert!(spec_problem_text(&problem, Lang::Zh).starts_with("承诺时限：承诺时限不能超过"));
    }

    #[test]
    fn form_value_problems_say_how_to_fix_them_in_both_languages() {
        let problem = ValueProblem::ResidentId(ResidentIdProblem::CheckCharacter);
        assert!(value_problem_text(problem, Lang::Zh).contains("校验位"));
        assert!(value_problem_text(problem, Lang::En).contains("check character"));
        assert_eq!(
            value_problem_text(ValueProblem::TooManyChosen { max: 2 }, Lang::Zh),
            "最多选择 2 项"
        );
    }

    #[test]
    fn every_message_has_text_in_both_languages() {
        for msg in [Msg::AppName, Msg::ForbiddenTitle, Msg::ErrInternal] {
            assert!(!msg.text(Lang::Zh).is_empty());
            assert!(!msg.text(Lang::En).is_empty());
            assert_ne!(msg.text(Lang::Zh), msg.text(Lang::En));
        }
    }

    #[test]
    fn durations_read_the_way_people_say_them() {
        assert_eq!(duration_text(30_000, Lang::Zh), "不到 1 分钟");
        assert_eq!(duration_text(45 * 60_000, Lang::En), "45 min");
        assert_eq!(duration_text(90 * 60_000, Lang::Zh), "1 小时 30 分钟");
        assert_eq!(
            duration_text(2 * 86_400_000 + 3 * 3_600_000, Lang::En),
            "2 d 3 h"
        );
        assert_eq!(percent_text(1, 3), "33.3%");
        assert_eq!(percent_text(1, 0), "—");
    }
}
