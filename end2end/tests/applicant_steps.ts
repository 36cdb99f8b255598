// Steps of the applicant's journey shared by the specs: register, verify identity with the
// codes mailed to the file outbox, start the restaurant bundle, upload materials, sign.
import { expect, Page } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { open } from './helpers';

export const password = 'Kaidian-2026-xyz';
export const outbox = process.env.OUTBOX_DIR ?? '';

/** A mail file of the outbox: `.eml` files of the file outbox, or the files of a Maildir's
 * `new/` directory written by the test SMTP server. */
export const isMail = (name: string) => !name.startsWith('.');

/** Every verification code mailed to `login` so far, oldest first. */
export function mailedCodes(login: string): string[] {
  const files = fs.existsSync(outbox) ? fs.readdirSync(outbox).filter(isMail) : [];
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
export async function nextMailedCode(login: string, seen: number): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const codes = mailedCodes(login);
    if (codes.length > seen) return codes[codes.length - 1];
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no new code mailed to ${login}`);
}

/** The newest verification code mailed to `login`, from the `.eml` files of the outbox. */
export async function mailedCode(login: string): Promise<string> {
  expect(outbox, 'OUTBOX_DIR must name the server’s file outbox').not.toBe('');
  for (let attempt = 0; attempt < 50; attempt++) {
    const files = fs.existsSync(outbox)
      ? fs.readdirSync(outbox).filter(isMail)
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

export function emlText(raw: string): string {
  const text = raw.replace(/\r\n/g, '\n');
  const split = text.indexOf('\n\n');
  const headers = text.slice(0, split);
  const body = text.slice(split + 2);
  const decoded = /Content-Transfer-Encoding: base64/i.test(headers)
    ? Buffer.from(body.replace(/\s/g, ''), 'base64').toString('utf8')
    : body.replace(/=\n/g, '');
  return `${headers}\n\n${decoded}`;
}

export async function register(page: Page, login: string, name: string) {
  await open(page, '/register');
  const form = page.getByTestId('register-form');
  await form.getByLabel(/手机号或邮箱/).fill(login);
  await form.getByLabel(/姓名/).fill(name);
  await form.getByLabel(/^密码$/).fill(password);
  await form.getByRole('button', { name: '注册' }).click();
  await expect(page).toHaveURL(/\/my\/cases$/);
}

/** Account page: code by mail (level 1), then name and resident ID (level 2). */
export async function verifyIdentity(page: Page, login: string, name: string, residentId: string) {
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
export async function demoResidentId(page: Page, name: string): Promise<string> {
  await open(page, '/');
  const row = page.getByTestId('demo-people').getByRole('row', { name: new RegExp(name) });
  return ((await row.getByTestId('demo-resident-id').textContent()) ?? '').trim();
}

export async function startRestaurantBundle(page: Page) {
  await open(page, '/catalogue/bundles/YJS-CANYIN');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('开办餐饮店');
  await page.getByTestId('start-application').click();
  await expect(page).toHaveURL(/\/apply\/[0-9a-f]+$/);
  await expect(page.getByTestId('application-form')).toBeVisible();
  await page.waitForLoadState('networkidle');
}

export const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
export const JPG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0xff, 0xd9]);

/** The required materials of 开办餐饮店 (身份证明 is shared by two items and asked once). */
export const MATERIALS: Array<[string, string, Buffer, string]> = [
  ['SCJG-XK-001/M01', '身份证正面.jpg', JPG, 'image/jpeg'],
  ['SCJG-XK-001/M02', '租赁合同.pdf', PDF, 'application/pdf'],
  ['SCJG-XK-001/M03', '免冠照片.jpg', JPG, 'image/jpeg'],
  ['SCJG-XK-007/M02', '平面布局图.pdf', PDF, 'application/pdf'],
  ['SCJG-XK-007/M03', '设备清单.pdf', PDF, 'application/pdf'],
  ['SCJG-XK-007/M04', '食品安全管理制度.pdf', PDF, 'application/pdf'],
  ['CGJ-XK-001/M01', '效果图.jpg', JPG, 'image/jpeg'],
  ['CGJ-XK-001/M02', '场地证明.pdf', PDF, 'application/pdf'],
];

export async function uploadMaterial(page: Page, material: string, name: string, buffer: Buffer, mimeType: string) {
  const box = page.getByTestId(`material-${material}`);
  await box.locator('input[type=file]').setInputFiles({ name, mimeType, buffer });
  await expect(box.getByRole('link', { name })).toBeVisible();
}

export async function uploadAll(page: Page) {
  for (const [material, name, buffer, mimeType] of MATERIALS) {
    await uploadMaterial(page, material, name, buffer, mimeType);
  }
}

/** Signs the commitment letter: typed name (or a drawing), code by mail, the browser's key. */
export async function signCommitment(page: Page, login: string, name: string, draw = false) {
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

export async function waitSaved(page: Page) {
  await expect(page.getByTestId('save-state')).toContainText('已自动保存');
}

