// Steps of the back-office journeys shared by several specs: a verified applicant in a new
// browser page, the restaurant bundle's fields, submission, the desk's case page, an approver's
// decision in its own browser context.
import { Browser, expect, Page } from '@playwright/test';
import { open, pageErrors, signInStaff } from './helpers';
import { demoResidentId, register, verifyIdentity, waitSaved } from './applicant_steps';

export async function newApplicant(browser: Browser, name: string) {
  const page = await browser.newPage();
  const login = `e2e${Date.now()}${Math.floor(Math.random() * 1000)}@example.cn`;
  const residentId = await demoResidentId(page, name);
  await register(page, login, name);
  await verifyIdentity(page, login, name, residentId);
  return { page, login, residentId };
}

/** Fills the restaurant bundle's fields (the shared ones prefilled from the identity). */
export async function fillRestaurant(page: Page, name: string) {
  await page.locator('#f-phone').fill('13912345678');
  await page.locator('#f-shop_name').fill('老王面馆');
  await page.locator('#f-business_address').fill('南京市栖霞区仙林大道 8 号 101 室');
  await page.locator('#f-SCJG-XK-001-organisation_form').selectOption('individual');
  await page.locator('#f-SCJG-XK-001-business_scope').fill('餐饮服务；预包装食品销售');
  await page.locator('#f-SCJG-XK-001-employee_count').fill('3');
  await page.locator('#f-SCJG-XK-001-capital_contribution').fill('5');
  await page.locator('#f-SCJG-XK-007-food_business_type').selectOption('catering');
  await page.locator('#f-SCJG-XK-007-service_items-hot').check();
  await page.locator('#f-SCJG-XK-007-business_area').fill('60');
  await page.locator('#f-SCJG-XK-007-food_safety_manager').fill(name);
  await page.locator('#f-CGJ-XK-001-sign_type').selectOption('shop_sign');
  await page.locator('#f-CGJ-XK-001-sign_area').fill('3.5');
  await page.locator('#f-CGJ-XK-001-display_until').fill('2029-12-31');
  await waitSaved(page);
}

export async function submit(page: Page): Promise<string> {
  await page.getByTestId('pre-review').click();
  await expect(page.getByTestId('pre-review-passed')).toBeVisible();
  await page.getByTestId('submit-application').click();
  await expect(page).toHaveURL(/\/my\/cases\/QX-\d{4}-\d{6}\?new=1$/);
  return ((await page.getByTestId('case-number').textContent()) ?? '').trim();
}

export async function openDeskCase(desk: Page, number: string) {
  await open(desk, '/desk');
  await desk.getByTestId('desk-queue').locator(`[data-number="${number}"]`).getByRole('link').click();
  await expect(desk.getByTestId('desk-case')).toBeVisible();
  await desk.waitForLoadState('networkidle');
}

export async function approveAs(browser: Browser, key: string, number: string, opinion: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = pageErrors(page);
  await signInStaff(page, 'approver', /\/approvals$/, key);
  await page.getByTestId('task-queue').locator(`[data-number="${number}"]`).getByRole('link').click();
  await expect(page.getByTestId('task-page')).toBeVisible();
  await page.waitForLoadState('networkidle');
  await page.getByLabel('同意', { exact: true }).check();
  await page.getByLabel('意见或理由').fill(opinion);
  await page.getByTestId('verdict-send').click();
  await expect(page.getByTestId('decided')).toBeVisible();
  expect(errors).toEqual([]);
  return context;
}
