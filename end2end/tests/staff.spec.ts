// Each member of staff signs in with password and authenticator code and lands on the
// workspace of their role.
import { expect, test } from '@playwright/test';
import { DEMO_PASSWORD, demoAccount, open, signIn, signInStaff } from './helpers';

const workspaces: Array<[string, RegExp]> = [
  ['front_desk', /\/desk$/],
  ['approver', /\/approvals$/],
  ['inspector', /\/inspections$/],
  ['admin', /\/admin$/],
];

for (const [role, url] of workspaces) {
  test(`the ${role} demo account signs in with a second factor and lands on its workspace`, async ({ page }) => {
    await signInStaff(page, role, url);
    await expect(page.getByTestId(`workspace-${role}`)).toBeVisible();
    if (role === 'admin') {
      await expect(page.getByTestId('staff-table')).toContainText('qiantai@qixia.example.cn');
      await expect(page.getByTestId('departments')).toContainText('区市场监督管理局');
    }
  });
}

test('staff without the one-time code get no session', async ({ page }) => {
  const account = await demoAccount(page, 'inspector');
  await signIn(page, account.login, DEMO_PASSWORD);
  await expect(page.getByTestId('totp-form')).toBeVisible();
  const response = await open(page, '/inspections');
  expect(response?.status()).toBe(401);
  await expect(page.getByTestId('unauthenticated')).toBeVisible();
});
