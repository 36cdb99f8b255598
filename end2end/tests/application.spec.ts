// An entrepreneur on her phone: registers, confirms the code mailed to her (read from the file
// outbox the server writes), passes the registry check, starts the 开办餐饮店 bundle from its
// guide, fills it (shared fields once), leaves, signs in again and resumes the draft, uploads
// the materials (a disguised file is refused), e-signs the commitment letter with a key made in
// the browser, fixes what the pre-review lists, submits and sees the case timeline. A second applicant, listed as
// a dishonest judgment debtor, is stopped at submission with the reason shown.
import { expect, Page, test } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { open, pageErrors, signIn } from './helpers';

const password = 'Kaidian-2026-xyz';
const outbox = process.env.OUTBOX_DIR ?? '';

/** Every verification code mailed to `login` so far, oldest first. */
function mailedCodes(login: string): string[] {
  const files = fs.existsSync(outbox) ? fs.readdirSync(outbox).filter((name) => name.endsWith('.eml')) : [];
  return files
    .map((name) => {
      const file = path.join(outbox, name);
      return { text: emlText(fs.readFileSync(file, 'utf8')), at: fs.statSync(file).mtimeMs };
    })
    .filter((mail) => mail.text.includes(`To: ${login}`))
    .sort((a, b) => a.at - b.at)
    .map((mail) => /code is (\d{6})/.exec(mail.text)?.[1])
    .filter((code): code is string => code !== undefined);
}

/** The next code mailed to `login` after the `seen` codes already read. */
async function nextMailedCode(login: string, seen: number): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const codes = mailedCodes(login);
    if (codes.length > seen) return codes[codes.length - 1];
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no new code mailed to ${login}`);
}

/** The newest verification code mailed to `login`, from the `.eml` files of the outbox. */
async function mailedCode(login: string): Promise<string> {
  expect(outbox, 'OUTBOX_DIR must name the server’s file outbox').not.toBe('');
  for (let attempt = 0; attempt < 50; attempt++) {
    const files = fs.existsSync(outbox)
      ? fs.readdirSync(outbox).filter((name) => name.endsWith('.eml'))
      : [];
    const codes = files
      .map((name) => {
        const file = path.join(outbox, name);
        return { text: emlText(fs.readFileSync(file, 'utf8')), at: fs.statSync(file).mtimeMs };
      })
      .filter((mail) => mail.text.includes(`To: ${login}`))
      .sort((a, b) => a.at - b.at)
      .map((mail) => /code is (\d{6})/.exec(mail.text)?.[1])
      .filter((code): code is string => code !== undefined);
    if (codes.length > 0) return codes[codes.length - 1];
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no code mailed to ${login}`);
}

function emlText(raw: string): string {
  const text = raw.replace(/\r\n/g, '\n');
  const split = text.indexOf('\n\n');
  const headers = text.slice(0, split);
  const body = text.slice(split + 2);
  const decoded = /Content-Transfer-Encoding: base64/i.test(headers)
    ? Buffer.from(body.replace(/\s/g, ''), 'base64').toString('utf8')
    : body.replace(/=\n/g, '');
  return `${headers}\n\n${decoded}`;
}

async function register(page: Page, login: string, name: string) {
  await open(page, '/register');
  const form = page.getByTestId('register-form');
  await form.getByLabel(/手机号或邮箱/).fill(login);
  await form.getByLabel(/姓名/).fill(name);
  await form.getByLabel(/^密码$/).fill(password);
  await form.getByRole('button', { name: '注册' }).click();
  await expect(page).toHaveURL(/\/my\/cases$/);
}

/** Account page: code by mail (level 1), then name and resident ID (level 2). */
async function verifyIdentity(page: Page, login: string, name: string, residentId: string) {
  await open(page, '/account');
  const identity = page.getByTestId('identity');
  await identity.getByTestId('send-code').click();
  await expect(identity.getByTestId('code-sent')).toBeVisible();
  await identity.getByLabel('验证码').fill(await mailedCode(login));
  await identity.getByTestId('confirm-code').click();
  await expect(identity.getByTestId('contact-confirmed')).toBeVisible();
  const form = identity.getByTestId('verify-resident');
  await form.getByLabel(/姓名/).fill(name);
  await form.getByLabel('居民身份证号码').fill(residentId);
  await form.getByRole('button', { name: '核验' }).click();
  await expect(identity.getByTestId('resident-verified')).toBeVisible();
  await expect(identity.getByTestId('identity-level')).toHaveText('姓名与身份证号核验');
}

/** The resident ID of a demo registry person, as the account page's demo list shows it. */
async function demoResidentId(page: Page, name: string): Promise<string> {
  await open(page, '/');
  const row = page.getByTestId('demo-people').getByRole('row', { name: new RegExp(name) });
  return ((await row.getByTestId('demo-resident-id').textContent()) ?? '').trim();
}

async function startRestaurantBundle(page: Page) {
  await open(page, '/catalogue/bundles/YJS-CANYIN');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('开办餐饮店');
  await page.getByTestId('start-application').click();
  await expect(page).toHaveURL(/\/apply\/[0-9a-f]+$/);
  await expect(page.getByTestId('application-form')).toBeVisible();
  await page.waitForLoadState('networkidle');
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const JPG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0xff, 0xd9]);

/** The required materials of 开办餐饮店 (身份证明 is shared by two items and asked once). */
const MATERIALS: Array<[string, string, Buffer, string]> = [
  ['SCJG-XK-001/M01', '身份证正面.jpg', JPG, 'image/jpeg'],
  ['SCJG-XK-001/M02', '租赁合同.pdf', PDF, 'application/pdf'],
  ['SCJG-XK-001/M03', '免冠照片.jpg', JPG, 'image/jpeg'],
  ['SCJG-XK-007/M02', '平面布局图.pdf', PDF, 'application/pdf'],
  ['SCJG-XK-007/M03', '设备清单.pdf', PDF, 'application/pdf'],
  ['SCJG-XK-007/M04', '食品安全管理制度.pdf', PDF, 'application/pdf'],
  ['CGJ-XK-001/M01', '效果图.jpg', JPG, 'image/jpeg'],
  ['CGJ-XK-001/M02', '场地证明.pdf', PDF, 'application/pdf'],
];

async function uploadMaterial(page: Page, material: string, name: string, buffer: Buffer, mimeType: string) {
  const box = page.getByTestId(`material-${material}`);
  await box.locator('input[type=file]').setInputFiles({ name, mimeType, buffer });
  await expect(box.getByRole('link', { name })).toBeVisible();
}

async function uploadAll(page: Page) {
  for (const [material, name, buffer, mimeType] of MATERIALS) {
    await uploadMaterial(page, material, name, buffer, mimeType);
  }
}

/** Signs the commitment letter: typed name (or a drawing), code by mail, the browser's key. */
async function signCommitment(page: Page, login: string, name: string, draw = false) {
  const commitment = page.getByTestId('commitment');
  await expect(commitment.getByTestId('letter-text')).toContainText('告知承诺书');
  await expect(commitment.getByTestId('letter-text')).toContainText(name);
  if (draw) {
    await commitment.getByLabel('手写签名').check();
    const pad = commitment.locator('canvas.signature-pad');
    const box = await pad.boundingBox();
    if (!box) throw new Error('no signature pad');
    await page.mouse.move(box.x + 20, box.y + box.height / 2);
    await page.mouse.down();
    for (let step = 1; step <= 10; step++) {
      await page.mouse.move(box.x + 20 + step * 20, box.y + box.height / 2 + (step % 2 ? 15 : -15));
    }
    await page.mouse.up();
  } else {
    await commitment.getByLabel('签名（请输入您的姓名）').fill(name);
  }
  const seen = mailedCodes(login).length;
  await commitment.getByTestId('send-sign-code').click();
  await expect(commitment.getByTestId('sign-code-sent')).toBeVisible();
  await commitment.getByLabel('验证码').fill(await nextMailedCode(login, seen));
  await commitment.getByTestId('sign-commitment').click();
  await expect(commitment.getByTestId('commitment-signed')).toBeVisible();
}

async function waitSaved(page: Page) {
  await expect(page.getByTestId('save-state')).toContainText('已自动保存');
}

test('a new applicant files the restaurant bundle from home, resuming the draft on the way', async ({ page }) => {
  const errors = pageErrors(page);
  const login = `wang${Date.now()}@example.cn`;
  const residentId = await demoResidentId(page, '王开店');
  await register(page, login, '王开店');
  await verifyIdentity(page, login, '王开店', residentId);

  await startRestaurantBundle(page);
  // Shared fields come first and once, prefilled from the verified identity.
  await expect(page.locator('#f-applicant_name')).toHaveValue('王开店');
  await expect(page.locator('#f-resident_id')).toHaveValue(residentId);
  await expect(page.locator('#f-SCJG-XK-007-shop_name')).toHaveCount(0);
  await page.locator('#f-phone').fill('13912345678');
  await page.locator('#f-shop_name').fill('老王面馆');
  await page.locator('#f-business_address').fill('南京市栖霞区仙林大道 8 号 101 室');
  await page.locator('#f-SCJG-XK-001-organisation_form').selectOption('individual');
  await page.locator('#f-SCJG-XK-001-business_scope').fill('餐饮服务；预包装食品销售');
  await page.locator('#f-SCJG-XK-001-employee_count').fill('3');
  await waitSaved(page);

  // Leave, sign in again, resume from 我的办件: nothing typed is lost.
  await page.getByTestId('logout').click();
  await expect(page).toHaveURL(/\/$/);
  await signIn(page, login, password);
  await expect(page).toHaveURL(/\/my\/cases$/);
  await page.getByTestId('draft-list').getByRole('link', { name: '继续填写' }).click();
  await expect(page.getByTestId('application-form')).toBeVisible();
  await page.waitForLoadState('networkidle');
  await expect(page.locator('#f-shop_name')).toHaveValue('老王面馆');
  await expect(page.locator('#f-SCJG-XK-001-employee_count')).toHaveValue('3');

  // Pre-review lists every problem at once, each linking to its field.
  await page.getByTestId('pre-review').click();
  const problems = page.getByTestId('pre-review-problems');
  await expect(problems).toBeVisible();
  await expect(problems.getByRole('link')).toHaveCount(8 + MATERIALS.length + 1);
  await expect(problems.getByRole('link', { name: /告知承诺书/ })).toBeVisible();
  await problems.getByRole('link', { name: /资金数额/ }).click();
  await expect(page.locator('#f-SCJG-XK-001-capital_contribution')).toBeFocused();

  await page.locator('#f-SCJG-XK-001-capital_contribution').fill('5');
  await page.locator('#f-SCJG-XK-007-food_business_type').selectOption('catering');
  await page.locator('#f-SCJG-XK-007-service_items-hot').check();
  await page.locator('#f-SCJG-XK-007-business_area').fill('abc');
  await page.locator('#f-SCJG-XK-007-food_safety_manager').fill('王开店');
  await page.locator('#f-CGJ-XK-001-sign_type').selectOption('shop_sign');
  await page.locator('#f-CGJ-XK-001-sign_area').fill('3.5');
  await page.locator('#f-CGJ-XK-001-display_until').fill('2029-12-31');

  // Materials: a text file disguised as a photo is refused by its content; real files upload.
  const photo = page.getByTestId('material-SCJG-XK-001/M03');
  await photo.locator('input[type=file]').setInputFiles({
    name: '照片.jpg',
    mimeType: 'image/jpeg',
    buffer: Buffer.from('<html>not a photo</html>'),
  });
  await expect(photo.getByTestId('form-error')).toContainText('按文件内容判断');
  await uploadAll(page);
  await expect(page.getByTestId('material-SCJG-XK-007/M01')).toHaveCount(0);

  await signCommitment(page, login, '王开店');
  // The signed letter downloads as a PDF.
  const href = await page.getByTestId('commitment-pdf').getAttribute('href');
  const pdf = await page.request.get(href ?? '');
  expect(pdf.headers()['content-type']).toBe('application/pdf');
  expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');

  await page.getByTestId('pre-review').click();
  await expect(problems.getByRole('link')).toHaveCount(1);
  await expect(problems).toContainText('请输入数字');
  await page.locator('#f-SCJG-XK-007-business_area').fill('60');
  await page.getByTestId('pre-review').click();
  await expect(page.getByTestId('pre-review-passed')).toBeVisible();

  await page.getByTestId('submit-application').click();
  await expect(page).toHaveURL(/\/my\/cases\/QX-\d{4}-\d{6}\?new=1$/);
  await expect(page.getByTestId('submitted-notice')).toBeVisible();
  await expect(page.getByTestId('case-status')).toHaveText('已提交，等待窗口受理');
  const timeline = page.getByTestId('case-timeline');
  await expect(timeline.getByRole('listitem')).toHaveCount(1);
  await expect(timeline).toContainText('提交申请');
  await expect(page.getByTestId('case-files').getByRole('listitem')).toHaveCount(MATERIALS.length);

  await open(page, '/my/cases');
  await expect(page.getByTestId('case-list')).toContainText('开办餐饮店');
  await expect(page.getByTestId('unread-count')).toContainText('1');
  expect(errors).toEqual([]);
});

test('an applicant listed as a dishonest judgment debtor is stopped at submission with the reason', async ({ page }) => {
  const errors = pageErrors(page);
  const login = `zhao${Date.now()}@example.cn`;
  const residentId = await demoResidentId(page, '赵守信');
  await register(page, login, '赵守信');
  await verifyIdentity(page, login, '赵守信', residentId);
  await expect(page.getByTestId('credit-status')).toHaveAttribute('data-level', 'block');
  await expect(page.getByTestId('credit-status')).toContainText('失信被执行人');

  await startRestaurantBundle(page);
  const fill: Array<[string, string]> = [
    ['#f-phone', '13912345678'],
    ['#f-shop_name', '赵记小吃'],
    ['#f-business_address', '南京市栖霞区迈皋桥街道 3 号'],
    ['#f-SCJG-XK-001-business_scope', '小吃服务'],
    ['#f-SCJG-XK-001-employee_count', '2'],
    ['#f-SCJG-XK-001-capital_contribution', '10000'],
    ['#f-SCJG-XK-007-business_area', '20'],
    ['#f-SCJG-XK-007-food_safety_manager', '赵守信'],
    ['#f-CGJ-XK-001-sign_area', '2'],
    ['#f-CGJ-XK-001-display_until', '2028-12-31'],
  ];
  for (const [selector, value] of fill) await page.locator(selector).fill(value);
  await page.locator('#f-SCJG-XK-001-organisation_form').selectOption('individual');
  await page.locator('#f-SCJG-XK-007-food_business_type').selectOption('catering');
  await page.locator('#f-SCJG-XK-007-service_items-hot').check();
  await page.locator('#f-CGJ-XK-001-sign_type').selectOption('shop_sign');
  await uploadAll(page);
  await signCommitment(page, login, '赵守信', true);
  await page.getByTestId('submit-application').click();

  const error = page.getByTestId('form-error');
  await expect(error).toContainText('信用核查未通过');
  await expect(error).toContainText('南京市栖霞区人民法院');
  await expect(error).toContainText('信用修复');
  await expect(page).toHaveURL(/\/apply\//);
  await open(page, '/my/cases');
  await expect(page.getByTestId('case-list')).toHaveCount(0);
  expect(errors).toEqual([]);
});
