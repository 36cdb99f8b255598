// An entrepreneur on her phone: registers, confirms the code mailed to her (read from the file
// outbox the server writes), passes the registry check, starts the 开办餐饮店 bundle from its
// guide, fills it (shared fields once), leaves, signs in again and resumes the draft, uploads
// the materials (a disguised file is refused), e-signs the commitment letter with a key made in
// the browser, fixes what the pre-review lists, submits and sees the case timeline. A second applicant, listed as
// a dishonest judgment debtor, is stopped at submission with the reason shown.
import { expect, Page, test } from '@playwright/test';
import { open, pageErrors, signIn } from './helpers';
import {
  MATERIALS,
  demoResidentId,
  password,
  register,
  signCommitment,
  startRestaurantBundle,
  uploadAll,
  verifyIdentity,
  waitSaved,
} from './applicant_steps';

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
