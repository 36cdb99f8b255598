// An entrepreneur registers on her phone, signs out, signs back in, and cannot open the
// staff pages.
import { expect, test } from '@playwright/test';
import { open, signIn } from './helpers';

const phone = `139${String(Date.now()).slice(-8)}`;
const password = 'Kaidian-2026-xyz';

test('an applicant registers, signs out and signs back in', async ({ page }) => {
  await open(page, '/register');
  const form = page.getByTestId('register-form');
  await form.getByLabel(/手机号或邮箱/).fill(phone);
  await form.getByLabel(/姓名/).fill('刘开店');
  await form.getByLabel(/^密码$/).fill(password);
  await form.getByRole('button', { name: '注册' }).click();

  await expect(page).toHaveURL(/\/my\/cases$/);
  await expect(page.getByTestId('workspace-applicant')).toBeVisible();
  await expect(page.getByTestId('current-user')).toHaveText('刘开店');

  await page.getByTestId('logout').click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole('link', { name: '登录' })).toBeVisible();
  await expect(page.getByTestId('current-user')).toHaveCount(0);

  await signIn(page, phone, password);
  await expect(page).toHaveURL(/\/my\/cases$/);
  await expect(page.getByTestId('current-user')).toHaveText('刘开店');
});

test('registration with bad input names the fields to fix', async ({ page }) => {
  await open(page, '/register');
  const form = page.getByTestId('register-form');
  await form.getByLabel(/手机号或邮箱/).fill('12345');
  await form.getByLabel(/手机号或邮箱/).blur();
  // Checked in the browser as soon as the field is left, before anything is sent.
  await expect(page.locator('#login-problem')).toContainText('11 位');
  await expect(form.getByLabel(/手机号或邮箱/)).toHaveAttribute('aria-invalid', 'true');
  await form.getByLabel(/姓名/).fill('王');
  await form.getByLabel(/^密码$/).fill('abcdefghijk');
  await form.getByRole('button', { name: '注册' }).click();
  const error = page.getByTestId('form-error');
  await expect(error).toContainText('手机号或邮箱');
  await expect(error).toContainText('密码');
  await expect(page).toHaveURL(/\/register$/);
});

test('a wrong password gets the same answer as an unknown account', async ({ page }) => {
  await signIn(page, '13800138000', 'not-the-password-1');
  await expect(page.getByTestId('form-error')).toContainText('账号或密码不正确');
});

test('an applicant opening a staff page gets the 403 page', async ({ page }) => {
  await signIn(page, '13800138000', 'Demo-2026-bjm');
  await expect(page).toHaveURL(/\/my\/cases$/);
  for (const path of ['/admin', '/desk', '/approvals', '/inspections']) {
    const response = await open(page, path);
    expect(response?.status()).toBe(403);
    await expect(page.getByTestId('forbidden')).toBeVisible();
    await expect(page.getByTestId('forbidden')).toContainText('无权访问');
  }
});
