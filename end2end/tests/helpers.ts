// Steps shared by the journeys: open a page once hydrated, read the demo logins, sign in.
import { expect, Page } from '@playwright/test';

export const DEMO_PASSWORD = 'Demo-2026-bjm';

/** Opens a page and waits until the browser has hydrated it (network idle). */
export async function open(page: Page, path: string) {
  const response = await page.goto(path);
  await page.waitForLoadState('networkidle');
  return response;
}

/** The demo login and current one-time code of a role, read from the home page. */
export async function demoAccount(page: Page, role: string) {
  await open(page, '/');
  const row = page.getByTestId(`demo-${role}`);
  await expect(row).toBeVisible();
  const login = (await row.getByTestId('demo-login').textContent())?.trim() ?? '';
  const codeCell = row.getByTestId('demo-code');
  const code = (await codeCell.count()) > 0 ? (await codeCell.textContent())?.trim() ?? '' : '';
  return { login, code };
}

/** Signs in through the login page (password, then the one-time code when asked). */
export async function signIn(page: Page, login: string, password: string, code?: string) {
  await open(page, '/login');
  const form = page.getByTestId('login-form');
  await form.getByLabel(/手机号或邮箱|Phone or email/).fill(login);
  await form.getByLabel(/^(密码|Password)$/).fill(password);
  await form.getByRole('button', { name: /登录|Sign in/ }).click();
  if (code !== undefined && code !== '') {
    const totp = page.getByTestId('totp-form');
    await expect(totp).toBeVisible();
    await totp.getByLabel(/动态验证码|One-time code/).fill(code);
    await totp.getByRole('button').click();
  }
}

/** The current one-time code of a demo account, asked from the server (demo mode only). */
async function freshDemoCode(page: Page, login: string): Promise<string> {
  const origin = new URL(page.url()).origin;
  const response = await page.request.post('/api/demo/logins', { headers: { Origin: origin } });
  const logins = (await response.json()) as Array<{ login: string; totp_code: string | null }>;
  return logins.find((entry) => entry.login === login)?.totp_code ?? '';
}

/**
 * Signs a demo staff member in. A code works only once, so when another test already used the
 * current code, this waits for the authenticator's next code and types that one.
 */
export async function signInStaff(page: Page, role: string, workspace: RegExp, account_key = role) {
  const account = await demoAccount(page, account_key);
  await signIn(page, account.login, DEMO_PASSWORD, account.code);
  const refused = page.getByTestId('form-error');
  await expect(refused.or(page.getByTestId(`workspace-${role}`))).toBeVisible();
  if (await refused.isVisible()) {
    const msToNextStep = 30_000 - (Date.now() % 30_000) + 1_000;
    await page.waitForTimeout(msToNextStep);
    const totp = page.getByTestId('totp-form');
    await totp.getByLabel(/动态验证码|One-time code/).fill(await freshDemoCode(page, account.login));
    await totp.getByRole('button').click();
  }
  await expect(page).toHaveURL(workspace);
}

/** Collects uncaught page errors (a hydration panic among them); check it is empty at the end. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}
