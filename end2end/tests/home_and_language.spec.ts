// A visitor opens the portal on a phone, reads it in Chinese, and switches to English: the text
// changes in place (handled by the hydrated app in the browser, no page load) and the choice
// is remembered on the next visit.
import { expect, test } from '@playwright/test';
import { open } from './helpers';

test('the home page is in Chinese first and switches language in the browser', async ({ page }) => {
  const response = await open(page, '/');
  expect(response?.status()).toBe(200);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('在家就能开店');

  // Mark the document: a full page load would lose the mark.
  await page.evaluate(() => ((window as unknown as { bjmMark: number }).bjmMark = 42));
  await page.getByTestId('lang-switch').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Open your shop from home');
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  expect(await page.evaluate(() => (window as unknown as { bjmMark?: number }).bjmMark)).toBe(42);

  await open(page, '/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Open your shop from home');
  await page.getByTestId('lang-switch').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('在家就能开店');
});

test('the demo page lists one login per role with a current code for staff', async ({ page }) => {
  await open(page, '/');
  const demo = page.getByTestId('demo-logins');
  await expect(demo).toBeVisible();
  for (const role of ['applicant', 'front_desk', 'approver', 'inspector', 'admin']) {
    await expect(demo.getByTestId(`demo-${role}`)).toBeVisible();
  }
  await expect(demo.getByTestId('demo-front_desk').getByTestId('demo-code')).toHaveText(/^\d{6}$/);
});

test('an unknown address shows the not-found page with status 404', async ({ page }) => {
  const response = await open(page, '/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByTestId('not-found')).toBeVisible();
});
