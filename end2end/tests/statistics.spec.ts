// Statistics: a visitor opens the public figures of the demo district (its generated history of
// 90 days) on a phone and reads each chart against the table beside it; the service office
// opens the dashboard with the work of each worker and department and downloads the CSV.
import { expect, Page, test } from '@playwright/test';
import { open, pageErrors, signInStaff } from './helpers';

/** The bars of a chart and the rows of its table, as key → value. */
async function chartAndTable(page: Page, id: string) {
  const bars = await page.getByTestId(`chart-${id}`).locator('g.bar').evaluateAll((nodes) =>
    nodes.map((node) => [node.getAttribute('data-key'), node.getAttribute('data-value')]),
  );
  const rows = await page.getByTestId(`table-${id}`).locator('tbody tr').evaluateAll((nodes) =>
    nodes.map((node) => [node.getAttribute('data-key'), node.querySelector('td')?.getAttribute('data-value') ?? null]),
  );
  return { bars, rows };
}

test('a visitor reads the public figures and every chart agrees with its table', async ({ page }) => {
  const errors = pageErrors(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await open(page, '/statistics');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('政务服务数据统计');
  const cases = Number(await page.getByTestId('figure-cases').locator('strong').textContent());
  expect(cases).toBeGreaterThan(0);
  for (const id of ['status', 'items', 'departments', 'distribution']) {
    const { bars, rows } = await chartAndTable(page, id);
    expect(bars.length, id).toBeGreaterThan(0);
    expect(bars, id).toEqual(rows);
  }
  // The cases by status add up to the number of applications.
  const { rows } = await chartAndTable(page, 'status');
  expect(rows.reduce((sum, [, value]) => sum + Number(value), 0)).toBe(cases);
  // A reversed period is refused, naming the field.
  await open(page, '/statistics?from=2026-12-05&to=2026-12-01');
  await expect(page.getByTestId('form-error')).toContainText('开始日期');
  expect(errors).toEqual([]);
});

test('the service office sees the work of each worker and department and downloads the CSV', async ({ page }) => {
  await signInStaff(page, 'admin', /\/admin$/);
  await page.getByTestId('open-statistics-dashboard').click();
  await expect(page).toHaveURL(/\/admin\/statistics/);
  await expect(page.getByTestId('staff-figures')).toBeVisible();
  await expect(page.getByTestId('table-workers').locator('tbody tr').first()).toBeVisible();
  await expect(page.getByTestId('table-department-work').locator('tbody tr').first()).toBeVisible();
  const href = await page.getByTestId('csv-link').getAttribute('href');
  expect(href).toMatch(/^\/admin\/statistics\.csv\?from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$/);
  const csv = await page.request.get(href ?? '');
  expect(csv.status()).toBe(200);
  const text = await csv.text();
  expect(text).toContain('key_figures,cases,');
  expect(text).toContain('worker_accepted,');
});
