// The service office creates an approver account on the admin page; the new approver signs in
// for the first time, sets up an authenticator from the QR code / secret shown, and lands on the
// approval workbench.
import { expect, test } from '@playwright/test';
import { signIn, signInStaff } from './helpers';
import { totpCode } from './totp';

test('an admin creates an approver who enrols an authenticator at first sign-in', async ({ page }) => {
  await signInStaff(page, 'admin', /\/admin$/);

  const login = `e2e-${Date.now()}@qixia.example.cn`;
  const form = page.getByTestId('create-staff-form');
  await form.getByLabel(/手机号或邮箱/).fill(login);
  await form.getByLabel('姓名').fill('孙卫健');
  await form.getByLabel('角色').selectOption({ label: '部门审批人员' });
  await form.getByLabel('部门').selectOption({ label: '区卫生健康委员会' });
  await form.getByLabel('初始密码').fill('Weijian-2026-first');
  await form.getByRole('button', { name: '创建账号' }).click();
  await expect(page.getByText('已创建账号')).toBeVisible();
  await expect(page.getByTestId(`staff-${login}`)).toContainText('待绑定动态码');

  await page.getByTestId('logout').click();
  await expect(page).toHaveURL(/\/$/);

  await signIn(page, login, 'Weijian-2026-first');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('首次登录：绑定身份验证器');
  const secret = (await page.getByTestId('totp-secret').textContent())?.trim() ?? '';
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  const totp = page.getByTestId('totp-form');
  await totp.getByLabel('动态验证码').fill(totpCode(secret));
  await totp.getByRole('button').click();
  await expect(page).toHaveURL(/\/approvals$/);
  await expect(page.getByTestId('workspace-approver')).toContainText('区卫生健康委员会');
});
