// A visitor (not signed in) looks for what opening a restaurant takes: searches 餐饮, keeps only
// fully online items, opens the 开办餐饮店 bundle and reads its guide.
import { expect, test } from '@playwright/test';
import { open } from './helpers';

test('a visitor finds the restaurant bundle and reads its guide', async ({ page }) => {
  await open(page, '/catalogue');
  await expect(page.getByTestId('catalogue-counts')).toContainText('项事项，其中');
  const allCount = await page.getByTestId('catalogue-counts').textContent();

  await page.getByTestId('catalogue-q').fill('餐饮');
  await page.getByTestId('catalogue-online').selectOption('fully_online');
  await page.getByRole('button', { name: '搜索' }).click();
  await expect(page).toHaveURL(/q=%E9%A4%90%E9%A5%AE|q=餐饮/);
  await expect(page).toHaveURL(/online=fully_online/);
  await expect(page.getByTestId('catalogue-counts')).not.toHaveText(allCount ?? '');
  const items = page.getByTestId('item-list').getByRole('listitem');
  expect(await items.count()).toBeGreaterThan(0);
  // Only fully online items remain: no "one visit needed" badge.
  await expect(page.getByTestId('item-list').locator('.badge.visit')).toHaveCount(0);

  await page.getByTestId('bundle-list').getByRole('link', { name: '开办餐饮店' }).click();
  await expect(page).toHaveURL(/\/catalogue\/bundles\//);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('开办餐饮店');
  await expect(page.getByTestId('bundle-departments')).toContainText('区市场监督管理局');
  await expect(page.getByTestId('promised-days').first()).toContainText(/个工作日|即办/);
  const guides = page.locator('article.guide');
  expect(await guides.count()).toBeGreaterThanOrEqual(2);
  await expect(guides.filter({ hasText: '个体工商户' }).first()).toBeVisible();
  await expect(guides.filter({ hasText: '食品经营许可' }).first().getByTestId('materials')).toBeVisible();
  await expect(page.locator('.commitment-letter').first()).toBeVisible();
  // The start button: a visitor is offered sign-in or registration to apply.
  const start = page.getByTestId('start-application');
  await expect(start).toBeVisible();
  await expect(start).toHaveAttribute('href', '/login');
});

test('an item guide shows materials, time limits and the process, in both languages', async ({ page }) => {
  await open(page, '/catalogue?q=%E4%B8%AA%E4%BD%93%E5%B7%A5%E5%95%86%E6%88%B7');
  await page.getByTestId('item-list').getByRole('link').first().click();
  await expect(page).toHaveURL(/\/catalogue\/items\//);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('个体工商户');
  await expect(page.getByTestId('materials')).toBeVisible();
  await expect(page.locator('ol.process')).toContainText('并联审批');
  await page.getByTestId('lang-switch').click();
  await expect(page.locator('ol.process')).toContainText('in parallel');
  await page.getByTestId('lang-switch').click();
});

test('an unknown item code shows a clear not-found message', async ({ page }) => {
  const response = await open(page, '/catalogue/items/NO-SUCH-ITEM');
  expect(response?.status()).toBe(404);
  await expect(page.getByTestId('form-error')).toContainText('不存在');
});
