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
    ErrTransport => "无法连接服务器，请检查网络后重试。", "Could not reach the server. Check your connection and try again.";
    ErrRetryAfter => "秒后可重试", "seconds until you can retry";
    NavCatalogue => "事项清单", "Services";
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
}
